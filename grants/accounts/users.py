"""Users, passwords, API tokens, the sign-in back-off and ending web sessions. Passwords are
argon2 hashes; tokens are stored as SHA-256."""

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.errors import NotFound, Problem, Problems, Refused, control_character
from grants.core.messages import NOT_ONE_OF
from grants.core.translatable import N_
from grants.core.vocabulary import Role
from grants.db import first_or_not_found, insert_one, write_transaction
from grants.projects.reading import normalise_code
from grants.tables.accounts import ApiToken, LoginAttempt, Membership, User, WebSession
from grants.tables.projects import Project

MIN_PASSWORD_LENGTH = 10
# Sign-in back-off: failures slow down the address they come from, never the owner elsewhere.
FREE_FAILURES = 5  # for one email from one address, before each further try must wait
FREE_FAILURES_PER_ADDRESS = 30  # for any emails from one address (password spraying)
FIRST_WAIT = timedelta(seconds=5)  # then twice as long after each further failure
LONGEST_WAIT = timedelta(minutes=15)
FAILURES_COUNT_FOR = timedelta(hours=1)
KNOWN_ADDRESS_FOR = timedelta(days=30)  # a recent sign-in from an address exempts you there
TOKEN_STAMP_EVERY = timedelta(hours=1)  # how often a token's last use is written, at most
TOKEN_PREFIX = "grt_"
_TOO_MANY = N_("Too many failed sign-ins from this address. Try again in %(seconds)s seconds.")
_PASSWORD_IS_EMAIL = N_("The password must not be your email address.")
_PASSWORD_UNCHANGED = N_("The new password must differ from the current one.")
_hasher = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")


class AccountError(Refused):
    """Refused account input; the message says why (in English on the command line)."""


class SignInDelayed(Refused):
    """Too many failed sign-ins from this address for now: `seconds` until the next try."""

    def __init__(self, seconds: int) -> None:
        super().__init__([Problem(_TOO_MANY, None, {"seconds": str(seconds)})])
        self.seconds = seconds


def _password_problems(password: str, email: str) -> Problems:
    problems = Problems()
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.add(
            N_("The password must have at least %(min)s characters."),
            "password",
            min=MIN_PASSWORD_LENGTH,
        )
    if password.strip().casefold() == email.strip().casefold():
        problems.add(_PASSWORD_IS_EMAIL, "password")
    return problems


def _check_password(password: str, email: str) -> None:
    if problems := _password_problems(password, email):
        raise AccountError(problems.items)


def _check_role(role: str) -> None:
    if role not in Role.__members__.values():
        raise AccountError.one(NOT_ONE_OF, field="role", value=role, allowed=", ".join(Role))


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
        raise AccountError.one(
            N_("“%(email)s” is not an email address."), field="email", email=email
        )
    _check_role(role)
    _check_password(password, email)
    full_name = _full_name(full_name)
    if await User.exists().where(User.email == email):
        raise AccountError.one(
            N_("A user %(email)s already exists."), field="email", conflict=True, email=email
        )
    project_ids = [await _project_id(code) for code in project_codes]

    async with write_transaction():
        user_id = await insert_one(
            User,
            email=email,
            full_name=full_name,
            password_hash=hash_password(password),
            role=role,
        )
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


def _full_name(text: str) -> str:
    """A user's name as typed, without surrounding spaces; Refused when it cannot be one."""
    typed = Problems()
    name = typed.text(text, "full_name", limit=User.full_name.length)
    if typed:
        raise AccountError(typed.items)
    return name


async def _project_id(code: str) -> int:
    row = await Project.select(Project.id).where(Project.code_key == normalise_code(code)).first()
    if row is None:
        raise AccountError.one(N_("There is no project “%(code)s”."), field="projects", code=code)
    return row["id"]


async def create_token(email: str, *, name: str = "", actor: Principal | None = None) -> str:
    """A new API token for the user; only its hash is kept, so it is shown once."""
    typed = Problems()
    name = typed.text(name, "name", limit=ApiToken.name.length)
    if typed:
        raise AccountError(typed.items)
    user = await User.select(User.id).where(User.email == email.strip().lower()).first()
    if user is None:
        raise AccountError.one(N_("There is no user “%(email)s”."), field="email", email=email)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with write_transaction():
        token_id = await insert_one(
            ApiToken, user=user["id"], name=name, token_hash=_token_hash(token)
        )
        await audit.record("create", "api_token", token_id, actor=actor, after={"user": email})
    return token


async def principal_for_user(user_id: int) -> Principal | None:
    """The active user with the projects they are a member of, in one statement: every
    request asks."""
    rows = await User.raw(
        "SELECT u.id, u.email, u.role, u.locale, m.project FROM grants_user u"
        ' LEFT JOIN membership m ON m."user" = u.id WHERE u.id = {} AND u.active = {}',
        user_id,
        True,
    )
    if not rows:
        return None
    user = rows[0]
    return Principal(
        user_id=user["id"],
        email=user["email"],
        role=Role(user["role"]),
        project_ids=frozenset(row["project"] for row in rows if row["project"] is not None),
        locale=user["locale"],
    )


async def principal_for_token(token: str) -> Principal | None:
    """The token's user. Its last use is written at most once an hour, so reading through the
    API writes (almost) nothing: a write on every read made SQLite readers fail while a long
    import held the write lock."""
    found = await ApiToken.raw(  # raw SQL: every API call asks
        'SELECT id, "user", last_used_at FROM api_token'
        " WHERE token_hash = {} AND revoked_at IS NULL",
        _token_hash(token),
    )
    if not found:
        return None
    row = found[0]
    now = datetime.now(UTC)
    if row["last_used_at"] is None or now - row["last_used_at"] >= TOKEN_STAMP_EVERY:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return await principal_for_user(row["user"])


async def authenticate(email: str, password: str, *, ip: str = "") -> Principal | None:
    """Check a password, unless the address must wait (`SignInDelayed`). Failures slow down
    only the address they come from, so nobody can lock the owner out, nor a whole office
    behind one address; counted in the database so every worker sees the same count."""
    email = email.strip().lower()
    if control_character(email) is not None:  # no user has one; PostgreSQL cannot store NUL
        return None
    seconds = await _seconds_to_wait(email, ip, datetime.now(UTC))
    if seconds:
        raise SignInDelayed(seconds)
    user = await User.select(User.id, User.password_hash).where(User.email == email).first()
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check
    ok = user is not None and verify_password(user["password_hash"], password)
    await LoginAttempt.insert(LoginAttempt(email=email, ip=ip, success=ok))
    if not ok:
        return None
    await purge_expired()
    return await principal_for_user(user["id"])


async def _seconds_to_wait(email: str, ip: str, now: datetime) -> int:
    """After FREE_FAILURES for the email from this address (since its last success there),
    each further try from there waits twice as long as the one before. An address with
    FREE_FAILURES_PER_ADDRESS failures for any emails makes the same wait for every email
    that has not signed in from there lately: a spray slows down, known colleagues do not."""
    recent = LoginAttempt.at > now - FAILURES_COUNT_FOR
    pair = recent & (LoginAttempt.email == email) & (LoginAttempt.ip == ip)
    success = await _last_attempt(pair & (LoginAttempt.success == True))  # noqa: E712
    if success is not None:
        pair &= LoginAttempt.at > success
    due = await _due(pair, FREE_FAILURES)
    known = await _last_attempt(
        (LoginAttempt.ip == ip)
        & (LoginAttempt.email == email)
        & (LoginAttempt.success == True)  # noqa: E712
        & (LoginAttempt.at > now - KNOWN_ADDRESS_FOR)
    )
    if ip and known is None:
        due = max(due, await _due(recent & (LoginAttempt.ip == ip), FREE_FAILURES_PER_ADDRESS))
    return max(0, math.ceil((due - now).total_seconds()))


async def _due(attempts, free: int) -> datetime:
    """When the next try may come, after the failed ones among `attempts`."""
    failed = attempts & (LoginAttempt.success == False)  # noqa: E712
    failures = await LoginAttempt.count().where(failed)
    if failures < free:
        return datetime.min.replace(tzinfo=UTC)
    wait = min(FIRST_WAIT * 2 ** min(failures - free, 16), LONGEST_WAIT)
    return await _last_attempt(failed) + wait


async def _last_attempt(attempts) -> datetime | None:
    row = await (
        LoginAttempt.select(LoginAttempt.at)
        .where(attempts)
        .order_by(LoginAttempt.at, ascending=False)
        .first()
    )
    return row["at"] if row else None


async def purge_expired() -> None:
    """Drop expired sessions and sign-in attempts too old to count: at start-up and at each
    sign-in, both indexed, so neither table grows without end."""
    now = datetime.now(UTC)
    await WebSession.delete().where(WebSession.expires_at < now)
    await LoginAttempt.delete().where(LoginAttempt.at < now - KNOWN_ADDRESS_FOR)


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    full_name: str
    role: str
    active: bool
    project_ids: frozenset[int]


async def list_users(principal: Principal, user_id: int | None = None) -> list[UserRow]:
    """Every user with their projects (admin only); or just one when `user_id` is given."""
    principal.require(Action.MANAGE_USERS)
    users = User.select(User.id, User.email, User.full_name, User.role, User.active)
    memberships = Membership.select(Membership.user, Membership.project)
    if user_id is not None:
        users = users.where(User.id == user_id)
        memberships = memberships.where(Membership.user == user_id)
    projects: dict[int, set[int]] = {}
    for m in await memberships:
        projects.setdefault(m["user"], set()).add(m["project"])
    return [
        UserRow(**u, project_ids=frozenset(projects.get(u["id"], ())))
        for u in await users.order_by(User.email)
    ]


async def update_user(
    principal: Principal,
    user_id: int,
    *,
    role: str,
    active: bool,
    project_ids: set[int],
    full_name: str = "",
) -> None:
    """Change a user's role, whether they may sign in, and their projects (admin only).
    Deactivating a user also revokes their API tokens."""
    principal.require(Action.MANAGE_USERS)
    _check_role(role)
    full_name = _full_name(full_name)
    if user_id == principal.user_id and (role != Role.ADMIN or not active):
        raise Refused.one(N_("You cannot take away your own administrator access."), field="role")
    async with write_transaction():
        found = await list_users(principal, user_id)
        if not found:
            raise NotFound()
        before = found[0]
        existing = await Project.select(Project.id).where(Project.id.is_in([*project_ids, 0]))
        after_projects = sorted(p["id"] for p in existing)
        await User.update({User.role: role, User.active: active, User.full_name: full_name}).where(
            User.id == user_id
        )
        await Membership.delete().where(Membership.user == user_id)
        for project_id in after_projects:
            await Membership.insert(Membership(user=user_id, project=project_id))
        if not active:
            await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
                (ApiToken.user == user_id) & ApiToken.revoked_at.is_null()
            )
            await WebSession.delete().where(WebSession.user == user_id)
        await audit.record(
            "update",
            "grants_user",
            user_id,
            actor=principal,
            before={
                "role": before.role,
                "active": before.active,
                "projects": sorted(before.project_ids),
                "full_name": before.full_name,
            },
            after={
                "role": role,
                "active": active,
                "projects": after_projects,
                "full_name": full_name,
            },
        )


async def set_password(
    principal: Principal, user_id: int, password: str, *, current: str | None = None
) -> None:
    """An admin sets anyone's password; a user changes their own with the current one. Every
    web session of the user ends (whoever caused the change signs in anew); API tokens stay
    until revoked. Only the user, having given the current password, learns that the new one
    is the same: an administrator must not be able to test guesses of someone's password."""
    if user_id != principal.user_id:
        principal.require(Action.MANAGE_USERS)
    async with write_transaction():
        user = await first_or_not_found(
            User.select(User.email, User.password_hash).where(User.id == user_id)
        )
        if current is not None and not verify_password(user["password_hash"], current):
            raise Refused.one(N_("The current password is wrong."), field="current_password")
        problems = _password_problems(password, user["email"])
        if current is not None and verify_password(user["password_hash"], password):
            problems.add(_PASSWORD_UNCHANGED, "password")
        problems.raise_if_any()
        await User.update({User.password_hash: hash_password(password)}).where(User.id == user_id)
        sessions = await WebSession.count().where(WebSession.user == user_id)
        await WebSession.delete().where(WebSession.user == user_id)
        await audit.record(
            "update",
            "grants_user",
            user_id,
            actor=principal,
            after={"password": "changed", "sessions_ended": sessions},
        )


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


async def list_tokens(principal: Principal) -> list[TokenRow]:
    rows = await (
        ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.revoked_at,
        )
        .where(ApiToken.user == principal.user_id)
        .order_by(ApiToken.id, ascending=False)
    )
    return [TokenRow(**r) for r in rows]


async def revoke_token(principal: Principal, token_id: int) -> None:
    """Revoke one of your own tokens (an admin may revoke anyone's); it stops working at once."""
    async with write_transaction():
        token = await first_or_not_found(
            ApiToken.select(ApiToken.user).where(ApiToken.id == token_id)
        )
        if token["user"] != principal.user_id:
            principal.require(Action.MANAGE_USERS)
        await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
            (ApiToken.id == token_id) & ApiToken.revoked_at.is_null()
        )
        await audit.record("cancel", "api_token", token_id, actor=principal)
