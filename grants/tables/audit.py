from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from grants.tables.accounts import User
from grants.tables.projects import Project


class AuditEvent(Table):
    """One recorded change: who, when, what, and the values before and after."""

    at = Timestamptz(default=TimestamptzNow())
    user = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    actor = Varchar(length=255)  # email or "system"; kept even if the user goes
    action = Varchar(length=30)  # create, update, cancel, status, login, …
    entity = Varchar(length=50)  # table name
    entity_id = Integer(null=True, default=None)
    project = ForeignKey(references=Project, null=True, on_delete=OnDelete.set_null)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    note = Text(default="")
