"""Server-side web sessions kept in the database (table `web_session`), written only when they
change: a session starts at sign-in, always under a new id (a planted or donated id never
becomes signed in), so anonymous visits and API calls store nothing, and reading pages writes
nothing but a slide of the expiry at most once an hour."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

from grants.db import write_transaction
from grants.tables.accounts import WebSession
from grants.web import SESSION_USER

RENEW_EVERY = timedelta(hours=1)  # how often reading pages slides the expiry, at most
_LOADED = "grants.session"  # the stored session a request came with, kept in its scope
_START = "grants.session.start"  # the request asks for a new session id


@dataclass(frozen=True)
class _Stored:
    key: str
    data: bytes
    expires_at: datetime | None


def start_session(request: Request, user_id: int) -> None:
    """Sign the user in under a new session id; the one the browser brought is dropped."""
    request.set_session({SESSION_USER: user_id})
    request.scope[_START] = True


class DatabaseSessionBackend(ServerSideSessionBackend):
    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        """The session of the cookie's id, if stored and not expired; an expired one is left
        for the purge, since reading must not write."""
        key = connection.cookies.get(self.config.key)
        if not key or key == "null":
            return {}
        # raw SQL: every request asks, and Piccolo's building of the select took longer than
        # the database's answer
        rows = await WebSession.raw("SELECT data, expires_at FROM web_session WHERE key = {}", key)
        row = rows[0] if rows else None
        if row is None or (row["expires_at"] and row["expires_at"] <= datetime.now(UTC)):
            return {}
        stored = _Stored(key, bytes(row["data"]), row["expires_at"])
        connection.scope[_LOADED] = stored
        return self.deserialize_data(stored.data)

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection
    ) -> None:
        """Write the session only when it started, changed, ended or is due to slide."""
        scope = connection.scope
        stored: _Stored | None = scope.get(_LOADED)
        headers = MutableScopeHeaders.from_message(message)
        if scope_session is Empty or not scope_session:
            if stored is not None:
                await WebSession.delete().where(WebSession.key == stored.key)
            if connection.cookies.get(self.config.key):
                headers.add("Set-Cookie", self._cookie("null", max_age=0, expires=0))
            return
        data = self.serialize_data(scope_session, scope)
        expires_at = datetime.now(UTC) + timedelta(seconds=self.config.max_age)
        if stored is None or scope.get(_START):
            key = self.generate_session_id()
            async with write_transaction():
                if stored is not None:
                    await WebSession.delete().where(WebSession.key == stored.key)
                await WebSession.insert(
                    WebSession(
                        key=key,
                        data=data,
                        expires_at=expires_at,
                        user=scope_session.get(SESSION_USER),
                    )
                )
        elif data != stored.data or _due_to_slide(stored, expires_at):
            key = stored.key
            await WebSession.update(
                {WebSession.data: data, WebSession.expires_at: expires_at}
            ).where(WebSession.key == key)
        else:
            return
        headers.add("Set-Cookie", self._cookie(key))

    def _cookie(self, value: str, **changes: Any) -> str:
        params = extract_dataclass_items(
            self.config, exclude_none=True, include=Cookie.__dict__.keys()
        )
        return Cookie(value=value, key=self.config.key, **(dict(params) | changes)).to_header(
            header=""
        )


def _due_to_slide(stored: _Stored, expires_at: datetime) -> bool:
    return stored.expires_at is None or expires_at - stored.expires_at >= RENEW_EVERY


@dataclass
class DatabaseSessionConfig(ServerSideSessionConfig):
    """Sessions in the database; see `DatabaseSessionBackend`."""

    _backend_class = DatabaseSessionBackend
