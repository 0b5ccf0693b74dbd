"""Users and memberships (admin), and each user's own profile: password and API tokens."""

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from grants.access import Action, Principal
from grants.accounts import (
    add_user,
    create_token,
    list_tokens,
    list_users,
    revoke_token,
    set_password,
    update_user,
)
from grants.errors import NotFound, Refused
from grants.i18n import label
from grants.projects import list_projects
from grants.vocabulary import Role
from grants.web import CurrentPrincipal, form_errors


async def _users_page(
    principal: Principal, values: dict | None = None, errors: dict | None = None, status: int = 200
) -> Template:
    projects = await list_projects(principal)
    return Template(
        "admin_users.html",
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
        "profile.html",
        context={
            "principal": principal,
            "tokens": await list_tokens(principal),
            "new_token": new_token,
            "errors": errors or {},
            "note": note,
        },
        status_code=400 if errors else 200,
    )


class AccountPages(Controller):
    include_in_schema = False

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
            "admin_user.html",
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
        return await _profile_page(principal, note="password")
