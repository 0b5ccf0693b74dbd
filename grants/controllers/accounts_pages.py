"""Account pages: signing in and out, the language switch, the profile with API tokens and
password change, and user management for administrators."""

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template
from msgspec import Struct

from grants.accounts.users import (
    SignInDelayed,
    add_user,
    authenticate,
    create_token,
    list_tokens,
    list_users,
    revoke_token,
    set_password,
    update_user,
)
from grants.core.access import Action, Principal
from grants.core.errors import NotFound, Refused
from grants.core.i18n import LOCALES, gettext, label
from grants.core.vocabulary import Role
from grants.projects.reading import list_projects
from grants.web import LANG_COOKIE, CurrentPrincipal, form_errors, refused_body
from grants.web.addresses import request_address
from grants.web.sessions import start_session


class LoginForm(Struct):
    email: str = ""
    password: str = ""
    next: str = "/"


def _safe_next(target: str | None) -> str:
    """Only local paths, so the login form cannot be used to send people elsewhere."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _login_page(
    data: LoginForm, error: str, status: int, headers: dict[str, str] | None = None
) -> Template:
    context = {"next": _safe_next(data.next), "email": data.email, "error": error}
    return Template("accounts/login.html", context=context, status_code=status, headers=headers)


class AccountsPages(Controller):
    include_in_schema = False

    @get("/login")
    async def login_form(self, next: FromQuery[str] = "/") -> Template:
        return Template("accounts/login.html", context={"next": _safe_next(next), "email": ""})

    @post("/login", status_code=303)
    async def login(
        self,
        request: Request,
        data: URLEncodedBody[LoginForm],
    ) -> Template | Redirect:
        try:
            principal = await authenticate(data.email, data.password, ip=request_address(request))
        except SignInDelayed as delayed:
            detail = refused_body(delayed)["detail"]
            return _login_page(data, detail, 429, {"Retry-After": str(delayed.seconds)})
        if principal is None:
            return _login_page(data, gettext("Wrong email or password."), 401)
        start_session(request, principal.user_id)
        return Redirect(_safe_next(data.next), status_code=303)

    @post("/logout", status_code=303)
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect("/login", status_code=303)

    @get("/lang/{code:str}")
    async def switch_language(
        self, request: Request, code: FromPath[str], next: FromQuery[str] = "/"
    ) -> Redirect:
        response = Redirect(_safe_next(next))
        if code in LOCALES:
            response.set_cookie(
                LANG_COOKIE,
                code,
                max_age=365 * 24 * 3600,
                samesite="lax",
                httponly=True,
                secure=request.app.state.settings.secure_cookies,
            )
        return response

    @get("/admin/users")
    async def users(self, principal: CurrentPrincipal) -> Template:
        principal.require(Action.MANAGE_USERS)
        return await _users_page(principal)

    @post("/admin/users")
    async def add(self, principal: CurrentPrincipal, request: Request) -> Template | Redirect:
        principal.require(Action.MANAGE_USERS)
        form = await request.form()
        values = {
            "email": form.get("email", ""),
            "full_name": form.get("full_name", ""),
            "role": form.get("role", ""),
            "projects": form.getall("projects", []),
        }
        try:
            await add_user(
                values["email"],
                form.get("password", ""),
                values["role"],
                values["projects"],
                full_name=values["full_name"],
                actor=principal,
            )
        except Refused as refused:
            return await _users_page(principal, values, form_errors(refused), 400)
        return Redirect("/admin/users", status_code=303)

    @get("/admin/users/{user_id:int}")
    async def user(self, principal: CurrentPrincipal, user_id: FromPath[int]) -> Template:
        return await self._user_page(principal, user_id)

    @post("/admin/users/{user_id:int}")
    async def change(
        self, principal: CurrentPrincipal, user_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        form = await request.form()
        try:
            await update_user(
                principal,
                user_id,
                role=form.get("role", ""),
                active=form.get("active") == "on",
                project_ids={int(p) for p in form.getall("projects", []) if p.isdigit()},
                full_name=form.get("full_name", ""),
            )
            if form.get("password"):
                await set_password(principal, user_id, form.get("password"))
                if user_id == principal.user_id:
                    start_session(request, principal.user_id)  # the change ended every session
        except Refused as refused:
            return await self._user_page(principal, user_id, form_errors(refused))
        return Redirect("/admin/users", status_code=303)

    async def _user_page(
        self, principal: Principal, user_id: int, errors: dict | None = None
    ) -> Template:
        found = await list_users(principal, user_id)
        if not found:
            raise NotFound()
        return Template(
            "accounts/admin_user.html",
            context={
                "principal": principal,
                "user": found[0],
                "projects": await list_projects(principal),
                "roles": [(r.value, label(r)) for r in Role],
                "errors": errors or {},
            },
            status_code=400 if errors else 200,
        )

    @get("/profile")
    async def profile(self, principal: CurrentPrincipal) -> Template:
        return await _profile_page(principal)

    @post("/profile/tokens")
    async def new_token(self, principal: CurrentPrincipal, request: Request) -> Template:
        form = await request.form()
        token = await create_token(principal.email, name=form.get("name", ""), actor=principal)
        return await _profile_page(principal, new_token=token)

    @post("/profile/tokens/{token_id:int}/revoke")
    async def revoke(self, principal: CurrentPrincipal, token_id: FromPath[int]) -> Redirect:
        await revoke_token(principal, token_id)
        return Redirect("/profile", status_code=303)

    @post("/profile/password")
    async def password(self, principal: CurrentPrincipal, request: Request) -> Template:
        form = await request.form()
        try:
            await set_password(
                principal,
                principal.user_id,
                form.get("password", ""),
                current=form.get("current_password", ""),
            )
        except Refused as refused:
            return await _profile_page(principal, errors=form_errors(refused))
        start_session(request, principal.user_id)  # a new id; the change ended every session
        return await _profile_page(principal, note="password")


async def _users_page(
    principal: Principal, values: dict | None = None, errors: dict | None = None, status: int = 200
) -> Template:
    projects = await list_projects(principal)
    return Template(
        "accounts/admin_users.html",
        context={
            "principal": principal,
            "users": await list_users(principal),
            "projects": projects,
            "codes": {p.id: p.code for p in projects},
            "roles": [(r.value, label(r)) for r in Role],
            "values": values or {"role": Role.VIEWER, "projects": []},
            "errors": errors or {},
        },
        status_code=status,
    )


async def _profile_page(
    principal: Principal, *, new_token: str = "", errors: dict | None = None, note: str = ""
) -> Template:
    return Template(
        "accounts/profile.html",
        context={
            "principal": principal,
            "tokens": await list_tokens(principal),
            "new_token": new_token,
            "errors": errors or {},
            "note": note,
        },
        status_code=400 if errors else 200,
    )
