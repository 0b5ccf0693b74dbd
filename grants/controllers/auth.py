from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from msgspec import Struct

from grants.accounts import authenticate
from grants.errors import Refused
from grants.i18n import LOCALES, gettext
from grants.web import LANG_COOKIE, SESSION_USER, refused_body


class LoginForm(Struct):
    email: str = ""
    password: str = ""
    next: str = "/"


def _safe_next(target: str | None) -> str:
    """Only local paths, so the login form cannot be used to send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _login_page(data: LoginForm, error: str, status: int) -> Template:
    context = {"next": _safe_next(data.next), "email": data.email, "error": error}
    return Template("login.html", context=context, status_code=status)


class AuthController(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(self, next: FromQuery[str] = "/") -> Template:
        return Template("login.html", context={"next": _safe_next(next), "email": ""})

    @post("/login", status_code=303)
    async def login(
        self,
        request: Request,
        data: URLEncodedBody[LoginForm],
    ) -> Template | Redirect:
        ip = request.client.host if request.client else ""
        try:
            principal = await authenticate(data.email, data.password, ip=ip)
        except Refused as refused:
            return _login_page(data, refused_body(refused)["detail"], 429)
        if principal is None:
            return _login_page(data, gettext("Wrong email or password."), 401)
        request.set_session({SESSION_USER: principal.user_id})
        return Redirect(_safe_next(data.next), status_code=303)

    @post("/logout", status_code=303)
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect("/login", status_code=303)

    @get("/lang/{code:str}")
    async def switch_language(self, code: FromPath[str], next: FromQuery[str] = "/") -> Redirect:
        response = Redirect(_safe_next(next))
        if code in LOCALES:
            response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax")
        return response
