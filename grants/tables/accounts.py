from piccolo.columns import Boolean, Bytea, ForeignKey, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from grants.core.vocabulary import Role
from grants.tables.projects import Project


class User(Table, tablename="grants_user"):
    """A person who signs in. Only an argon2 hash of the password is kept."""

    email = Varchar(length=255, unique=True)  # stored lower-case
    full_name = Varchar(length=255, default="")
    password_hash = Text()
    role = Varchar(length=12, choices=Role)
    locale = Varchar(length=5, default="lv")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Membership(Table):
    """Which projects a user works on; admins and auditors see all without one."""

    user = ForeignKey(references=User, null=False)
    project = ForeignKey(references=Project, null=False)


class ApiToken(Table):
    """A bearer token for API clients; only its SHA-256 is kept."""

    user = ForeignKey(references=User, null=False)
    name = Varchar(length=100, default="")
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class WebSession(Table):
    """Server-side web sessions, so every worker and machine behind one database shares them.
    Only signed-in users have one; `user` lets a password change end the user's others."""

    key = Varchar(length=100, unique=True)
    data = Bytea()
    expires_at = Timestamptz(null=True, default=None)
    user = ForeignKey(references=User, null=True, on_delete=OnDelete.cascade)


class LoginAttempt(Table):
    """Sign-in attempts, kept to slow down password guessing across all workers."""

    email = Varchar(length=255)
    ip = Varchar(length=64, default="")
    at = Timestamptz(default=TimestamptzNow())
    success = Boolean(default=False)
