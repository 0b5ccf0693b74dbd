"""Users, passwords and API tokens. Passwords are argon2 hashes; tokens are stored as SHA-256."""

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from grants import audit
from grants.access import Principal, member_project_ids
from grants.db import write_transaction
from grants.errors import Refused
from grants.projects import normalise_code
from grants.tables.accounts import ApiToken, LoginAttempt, Membership, User
from grants.tables.projects import Project
from grants.translatable import N_
from grants.vocabulary import Role

MIN_PASSWORD_LENGTH = 10
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20
LOCKOUT = timedelta(minutes=15)
TOKEN_PREFIX = "grt_"
_hasher = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """Refused account input; the message says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def add_user(
    email: str,
    password: str,
    role: str,
    project_codes: list[str] | tuple[str, ...] = (),
    *,
    full_name: str = "",
    actor: Principal | None = None,
) -> int:
    """Create a user with memberships; refuses bad input before writing anything."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"Not an email address: {email!r}")
    if role not in Role.__members__.values():
        raise AccountError(f"Unknown role {role!r}: use one of {', '.join(Role)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters")
    if await User.exists().where(User.email == email):
        raise AccountError(f"A user {email} already exists")
    project_ids = [await _project_id(code) for code in project_codes]

    async with write_transaction():
        user_id = (
            await User.insert(
                User(
                    email=email,
                    full_name=full_name,
                    password_hash=hash_password(password),
                    role=role,
                )
            )
        )[0]["id"]
        for project_id in project_ids:
            await Membership.insert(Membership(user=user_id, project=project_id))
        await audit.record(
            "create",
            "grants_user",
            user_id,
            actor=actor,
            after={"email": email, "role": role, "projects": list(project_codes)},
        )
    return user_id


async def _project_id(code: str) -> int:
    row = await Project.select(Project.id).where(Project.code_key == normalise_code(code)).first()
    if row is None:
        raise AccountError(f"Unknown project code {code!r}")
    return row["id"]


async def create_token(email: str, *, name: str = "", actor: Principal | None = None) -> str:
    """A new API token for the user; only its hash is kept, so it is shown once."""
    user = await User.select(User.id).where(User.email == email.strip().lower()).first()
    if user is None:
        raise AccountError(f"No user {email!r}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with write_transaction():
        token_id = (
            await ApiToken.insert(
                ApiToken(user=user["id"], name=name, token_hash=_token_hash(token))
            )
        )[0]["id"]
        await audit.record("create", "api_token", token_id, actor=actor, after={"user": email})
    return token


async def principal_for_user(user_id: int) -> Principal | None:
    user = await User.select().where((User.id == user_id) & (User.active == True)).first()  # noqa: E712
    if user is None:
        return None
    return Principal(
        user_id=user["id"],
        email=user["email"],
        role=Role(user["role"]),
        project_ids=await member_project_ids(user["id"]),
        locale=user["locale"],
    )


async def principal_for_token(token: str) -> Principal | None:
    row = await (
        ApiToken.select(ApiToken.id, ApiToken.user)
        .where((ApiToken.token_hash == _token_hash(token)) & ApiToken.revoked_at.is_null())
        .first()
    )
    if row is None:
        return None
    await ApiToken.update({ApiToken.last_used_at: datetime.now(UTC)}).where(
        ApiToken.id == row["id"]
    )
    return await principal_for_user(row["user"])


async def authenticate(email: str, password: str, *, ip: str = "") -> Principal | None:
    """Check a password. Refuses for a while after too many failures for the email or from
    the address, counted in the database so every worker sees the same count."""
    email = email.strip().lower()
    since = datetime.now(UTC) - LOCKOUT
    recent_failures = (LoginAttempt.at > since) & (LoginAttempt.success == False)  # noqa: E712
    by_email = await LoginAttempt.count().where(recent_failures & (LoginAttempt.email == email))
    by_ip = await LoginAttempt.count().where(recent_failures & (LoginAttempt.ip == ip)) if ip else 0
    if by_email >= MAX_FAILURES_PER_EMAIL or by_ip >= MAX_FAILURES_PER_IP:
        raise Refused.one(
            N_("Too many failed sign-ins. Try again in %(minutes)s minutes."),
            minutes=int(LOCKOUT.total_seconds() // 60),
        )
    user = await User.select(User.id, User.password_hash).where(User.email == email).first()
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check
    ok = user is not None and verify_password(user["password_hash"], password)
    await LoginAttempt.insert(LoginAttempt(email=email, ip=ip, success=ok))
    return await principal_for_user(user["id"]) if ok else None
