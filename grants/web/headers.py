"""Security headers on every response, error pages and static files included: a policy that
lets pages load scripts and styles from /static only (no inline code), no framing, no sniffing
of types, referrers kept within the site, and no caching of anything but /static, since pages,
API answers and report downloads carry personal and register data."""

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

PAGES_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The browsable API description (Redoc, Swagger, …) is Litestar's: scripts and styles inline
# and from CDNs. It shows no user data, and its policy holds only under /schema.
SCHEMA_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net "
    "https://cdn.redoc.ly https://unpkg.com; style-src 'self' 'unsafe-inline' "
    "https://cdn.jsdelivr.net https://fonts.googleapis.com https://unpkg.com; "
    "font-src 'self' data: https://fonts.gstatic.com; img-src 'self' data: https:; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# A downloaded file (evidence, a report) never runs as a page of this site, whatever it holds.
DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"
STATIC_PREFIX = "/static/"


async def security_headers(message: Message, scope: Scope) -> None:
    """A `before_send` hook, so every response gets the headers, even one for an address no
    route serves; a response that set its own policy or Cache-Control keeps it."""
    if message["type"] != "http.response.start":
        return
    path = scope["path"]
    headers = MutableScopeHeaders.from_message(message)
    if "content-security-policy" not in headers:
        headers["Content-Security-Policy"] = (
            SCHEMA_POLICY if path.startswith("/schema") else PAGES_POLICY
        )
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    if "cache-control" not in headers and not path.startswith(STATIC_PREFIX):
        headers["Cache-Control"] = "no-store"
