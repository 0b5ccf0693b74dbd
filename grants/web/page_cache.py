"""The heaviest read pages' answers, kept per process and given again while the database has not
changed since: the portfolio, a project's page, its expenditures and its co-financing, and the
API's project list and co-financing.

A page is a function of the request and of the database. The request's part is its path and
query, its cookies (the session, the language, the CSRF token its forms carry), its HTMX headers
and host, and the date in Riga (deadlines, overdue marks); `db.data_version` names the
database's part in one statement. Any committed write changes that name, whichever code path,
process or instance made it, so nothing has to remember to clear this cache, and a stale figure
cannot be shown.

Kept: a signed-in session's 200 answer that sets no cookie. A request without a signed-in
session or without a CSRF cookie (its page would carry a token the browser does not have yet)
is answered afresh. An API call is kept under its token's user; the token is checked (and its
use stamped, at most hourly) on every call, kept or not. The answers are kept in memory, the
most recent few, per process.
"""

from collections import OrderedDict

from litestar.datastructures import Headers
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from grants import db
from grants.accounts.users import principal_for_token
from grants.projects.periods import riga_today
from grants.web import CSRF_COOKIE, SESSION_USER, TOKEN_PRINCIPAL

KEPT = 256  # answers kept per process (a page is some tens of KB)
_kept: OrderedDict[tuple, tuple[Message, ...]] = OrderedDict()


def cached_page(app: ASGIApp) -> ASGIApp:
    """Middleware for a page handler: answer from the cache, or answer and keep it."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        settings = scope["litestar_app"].state["settings"]
        key = await _key(scope) if settings.page_cache else None
        if key is None:
            await app(scope, receive, send)
            return
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
            for message in kept:
                await send(_copy(message))
            return
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(_copy(message))  # before outer layers add their headers to it
            await send(message)

        await app(scope, receive, keep)
        if _keepable(messages):
            _kept[key] = tuple(messages)
            while len(_kept) > KEPT:
                _kept.popitem(last=False)

    return middleware


async def _key(scope: Scope) -> tuple | None:
    """Everything the page depends on, or None when it is not to be kept."""
    if scope["method"] != "GET":
        return None
    headers = Headers.from_scope(scope)
    cookies = headers.get("cookie", "")
    if scope["path"].startswith("/api/"):
        reader = await _api_reader(scope, headers.get("authorization", ""))
        if reader is None:
            return None
    else:
        session = scope.get("session")
        if not isinstance(session, dict) or not session.get(SESSION_USER):
            return None
        if f"{CSRF_COOKIE}=" not in cookies:
            return None
        reader = None  # the session cookie, among the cookies, names the reader
    htmx = tuple(sorted((k, v) for k, v in headers.items() if k.startswith("hx-")))
    return (
        scope["path"],
        scope["query_string"],
        cookies,
        reader,
        headers.get("accept-language", ""),
        headers.get("host", ""),
        htmx,
        riga_today(),
        await db.data_version(),
    )


async def _api_reader(scope: Scope, authorization: str) -> int | None:
    """The user of a valid bearer token (its use stamped as any call's is), whose answers their
    tokens share; None without one. The principal goes in the scope, so the handler does not
    read the token again."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    principal = await principal_for_token(token.strip())
    if principal is None:
        return None
    scope[TOKEN_PRINCIPAL] = principal
    return principal.user_id


def _copy(message: Message) -> Message:
    """A message with a list of headers of its own: the layers outside add theirs in place."""
    if message["type"] == "http.response.start":
        return {**message, "headers": list(message.get("headers", []))}
    return dict(message)


def _keepable(messages: list[Message]) -> bool:
    start = messages[0] if messages else None
    if start is None or start["type"] != "http.response.start" or start["status"] != 200:
        return False
    if any(name.lower() == b"set-cookie" for name, _ in start.get("headers", [])):
        return False
    return messages[-1]["type"] == "http.response.body" and not messages[-1].get("more_body")


def clear() -> None:
    """Forget every kept answer (tests and benchmarks that measure a page's real cost)."""
    _kept.clear()
