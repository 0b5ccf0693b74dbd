"""Web plumbing shared by controllers: who is asking, in which language, and error pages."""

from dataclasses import replace
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.di import NamedDependency
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from grants import db
from grants.accounts.users import principal_for_token, principal_for_user
from grants.core.access import AccessDenied, Principal
from grants.core.errors import NotFound, Refused
from grants.core.i18n import DEFAULT_LOCALE, LOCALES, gettext, set_locale, translate_error
from grants.core.translatable import N_
from grants.web.parameters import check_parameters
from grants.web.refusals import (
    MULTIPART_PHRASE,
    framework_refusal,
    raised_by_litestar,
    refusal,
    validation_refusal,
)

LANG_COOKIE = "lang"
CSRF_COOKIE = "grants_csrf"
TOKEN_PRINCIPAL = "grants.token_principal"  # a token checked earlier in the request, in its scope
SESSION_USER = "user_id"
DATABASE_UNAVAILABLE = N_("The database cannot be reached just now. Please try again in a minute.")
RETRY_AFTER_SECONDS = 30


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def is_htmx(request: Request) -> bool:
    """An HTMX request wants a fragment of the page, not the whole page."""
    return request.headers.get("hx-request") == "true"


def choose_locale(request: Request) -> str:
    """The remembered choice (cookie); pages are Latvian unless switched, API clients may ask
    for English with Accept-Language."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LOCALES:
        return chosen
    if not is_api(request):
        return DEFAULT_LOCALE
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LOCALES:
            return code
    return DEFAULT_LOCALE


async def before_request(request: Request) -> None:
    set_locale(choose_locale(request))
    check_parameters(request)


async def provide_principal(request: Request) -> Principal:
    """API clients authenticate with a bearer token, browsers with their session; never mixed,
    so the API needs no CSRF token and a stolen cookie cannot drive the API."""
    if is_api(request):
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        principal = request.scope.get(TOKEN_PRINCIPAL)  # web/page_cache.py checked it
        if principal is None and scheme.lower() == "bearer" and token.strip():
            principal = await principal_for_token(token.strip())
        if principal is None:
            raise NotAuthorizedException(gettext("A valid API token is required."))
        return principal
    user_id = request.session.get(SESSION_USER) if request.session else None
    principal = await principal_for_user(user_id) if user_id else None
    if principal is None:
        raise NotAuthorizedException(gettext("Please sign in."))
    return principal


CurrentPrincipal = NamedDependency[Principal]
"""Annotate a handler parameter `principal: CurrentPrincipal` to get who is asking."""


def not_authorized_handler(request: Request, exc: NotAuthorizedException) -> Response:
    if is_api(request):
        return Response(
            refusal(401, exc.detail),
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Redirect(f"/login?next={quote(request.url.path)}")


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    """HTML error pages for people, JSON for API clients, in the request's language: routing
    refusals (404, 405) come before `before_request` has chosen it."""
    set_locale(choose_locale(request))
    body = framework_refusal(request, exc)
    if is_api(request) or exc.status_code == 405:
        return Response(
            body, status_code=body.status_code, media_type=MediaType.JSON, headers=exc.headers
        )
    return Template(
        "error.html",
        context={"status_code": body.status_code, "detail": body.detail},
        status_code=body.status_code,
    )


def validation_handler(request: Request, exc: ValidationException) -> Response:
    """Parameters or a body that do not match their types, refused as the domain refuses:
    each problem with its field."""
    set_locale(choose_locale(request))
    body = validation_refusal(request, exc)
    if is_api(request):
        return Response(body, status_code=400)
    return Template(
        "error.html", context={"status_code": 400, "detail": body.detail}, status_code=400
    )


def undecodable_handler(request: Request, exc: UnicodeDecodeError) -> Response:
    """Litestar decodes a multipart body's text parts as UTF-8 and lets the error through: that
    body is the client's mistake (400). Raised anywhere else, the error is ours (500)."""
    if raised_by_litestar(exc):
        malformed = ClientException(detail=MULTIPART_PHRASE)
        return http_error_handler(request, malformed)
    return server_error_handler(request, exc)


def access_denied_handler(request: Request, exc: AccessDenied) -> Response:
    detail = gettext("You do not have access to this.")
    return http_error_handler(request, HTTPException(status_code=403, detail=detail))


def refused_body(exc: Refused) -> dict:
    """A refusal in the user's language: one sentence, and each problem with its field."""
    errors = [
        {"field": p.field, "message": translate_error(p.message, p.params)} for p in exc.problems
    ]
    return {"detail": " ".join(e["message"] for e in errors), "errors": errors}


def form_errors(exc: Refused) -> dict[str, list[str]]:
    """Translated messages by form field, for re-showing a form with what the user typed."""
    errors: dict[str, list[str]] = {}
    for problem in exc.problems:
        key = (problem.field or "").replace("[", "-").replace("].", "-").replace("]", "")
        errors.setdefault(key, []).append(translate_error(problem.message, problem.params))
    return errors


def renamed_fields(refused: Refused, rename: dict[str, str]) -> Refused:
    """The refusal with its problems' fields renamed to a form's, so each shows at its field:
    a field starting with a key of `rename` starts with its value instead ("deductions[0].amount"
    with {"deductions[0]": "d-17"} → "d-17.amount")."""

    def field(name: str | None) -> str | None:
        for old, new in rename.items():
            if name and name.startswith(old):
                return new + name[len(old) :]
        return name

    problems = [replace(p, field=field(p.field)) for p in refused.problems]
    return Refused(problems, conflict=refused.conflict)


def refusal_status(refused: Refused) -> int:
    """409 for a conflict (a duplicate, a locked period), else 400."""
    return 409 if refused.conflict else 400


def refused_handler(request: Request, exc: Refused) -> Response:
    status = refusal_status(exc)
    body = refused_body(exc)
    if is_api(request):
        return Response({"status_code": status, **body}, status_code=status)
    return Template(
        "error.html", context={"status_code": status, "detail": body["detail"]}, status_code=status
    )


def domain_not_found_handler(request: Request, exc: NotFound) -> Response:
    return not_found_handler(request, NotFoundException())


def not_found_handler(request: Request, exc: NotFoundException) -> Response:
    if is_api(request):
        return http_error_handler(request, exc)
    return Template("error.html", context={"status_code": 404, "detail": ""}, status_code=404)


def server_error_handler(request: Request, exc: Exception) -> Response:
    if db.unavailable(exc):
        return database_unavailable(request, exc)
    request.logger.exception("Unhandled error")
    return http_error_handler(
        request, HTTPException(status_code=HTTP_500_INTERNAL_SERVER_ERROR, detail="Server error")
    )


def database_unavailable(request: Request, exc: Exception) -> Response:
    """503 with Retry-After while the database is out of reach (restarting, a network fault, a
    writer holding SQLite too long): unlike a 500 it tells people and clients to try again."""
    request.logger.warning("Database unavailable: %s", exc)
    set_locale(choose_locale(request))
    detail = gettext(DATABASE_UNAVAILABLE)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if is_api(request):
        body = {"status_code": 503, "detail": detail, "errors": []}
        return Response(body, status_code=503, headers=headers, media_type=MediaType.JSON)
    return Template(
        "error.html",
        context={"status_code": 503, "detail": detail},
        status_code=503,
        headers=headers,
    )
