"""Admin user management and each user's profile: tokens and password."""

import re

from grants.accounts.users import create_token
from grants.core.vocabulary import Role
from grants.tables.accounts import ApiToken, Membership, User
from tests.builders import partner_project, project, user
from tests.helpers import CONNECTINGEN, FAMILIES, demo_user, post, sign_in


async def test_admin_adds_a_user_with_projects(client):
    families, connectingen = await project(FAMILIES), await partner_project()
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    response = await post(
        client,
        "/admin/users",
        {"email": "Inga@Tukums.lv", "full_name": "Inga", "role": "coordinator",
         "password": "long-enough-1", "projects": [FAMILIES, CONNECTINGEN]},
    )  # fmt: skip
    assert response.status_code == 303
    added = await User.select().where(User.email == "inga@tukums.lv").first()
    assert added["role"] == "coordinator"
    members = await Membership.select(Membership.project).where(Membership.user == added["id"])
    assert {m["project"] for m in members} == {families, connectingen}
    assert "inga@tukums.lv" in (await client.get("/admin/users")).text


async def test_refused_user_keeps_the_form_and_writes_nothing(client):
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    count = await User.count()
    response = await post(
        client, "/admin/users", {"email": "new@tukums.lv", "role": "viewer", "password": "short"}
    )
    assert response.status_code == 400
    assert "Parolei jābūt vismaz 10 rakstzīmēm." in response.text
    assert 'value="new@tukums.lv"' in response.text
    assert await User.count() == count


async def test_only_admins_manage_users(client):
    await user(Role.FINANCE)
    await sign_in(client, Role.FINANCE)
    assert (await client.get("/admin/users")).status_code == 403
    assert (await post(client, "/admin/users", {"email": "x@y.lv"})).status_code == 403


async def test_admin_changes_role_projects_and_deactivation_revokes_tokens(client):
    await project(FAMILIES)
    connectingen = await partner_project()
    viewer = await user(Role.VIEWER, [FAMILIES])
    await create_token(viewer.email)
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    response = await post(
        client,
        f"/admin/users/{viewer.id}",
        {"role": "finance", "projects": [str(connectingen)], "full_name": "V"},
    )
    assert response.status_code == 303
    row = await User.select().where(User.id == viewer.id).first()
    assert (row["role"], row["active"]) == ("finance", False)
    members = await Membership.select(Membership.project).where(Membership.user == viewer.id)
    assert [m["project"] for m in members] == [connectingen]  # no longer FAMILIES
    assert (
        await ApiToken.count().where((ApiToken.user == viewer.id) & ApiToken.revoked_at.is_null())
        == 0
    )


async def test_admin_cannot_lock_themselves_out(client):
    admin = await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    response = await post(client, f"/admin/users/{admin.id}", {"role": "viewer", "active": "on"})
    assert response.status_code == 400
    assert (await User.select(User.role).where(User.id == admin.id).first())["role"] == "admin"


async def test_profile_token_is_shown_once_works_and_can_be_revoked(client):
    await user(Role.COORDINATOR)
    await sign_in(client, Role.COORDINATOR)
    page = (await post(client, "/profile/tokens", {"name": "Excel"})).text
    token = re.search(r'<code class="token">(grt_[^<]+)</code>', page).group(1)
    api = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/projects", headers=api)).status_code == 200
    again = (await client.get("/profile")).text
    assert token not in again and "Excel" in again
    token_id = (await ApiToken.select(ApiToken.id).where(ApiToken.name == "Excel").first())["id"]
    assert (await post(client, f"/profile/tokens/{token_id}/revoke", {})).status_code == 303
    assert (await client.get("/api/v1/projects", headers=api)).status_code == 401


async def test_users_cannot_revoke_other_peoples_tokens(client):
    await create_token((await user(Role.FINANCE)).email, name="theirs")
    await user(Role.COORDINATOR)
    token_id = (await ApiToken.select(ApiToken.id).where(ApiToken.name == "theirs").first())["id"]
    await sign_in(client, Role.COORDINATOR)
    assert (await post(client, f"/profile/tokens/{token_id}/revoke", {})).status_code == 403


async def test_password_change_needs_the_current_password(client):
    await user(Role.VIEWER)
    await sign_in(client, Role.VIEWER)
    wrong = await post(
        client, "/profile/password", {"current_password": "nope", "password": "a-new-password"}
    )
    assert wrong.status_code == 400 and "Pašreizējā parole ir nepareiza." in wrong.text
    right = await post(
        client,
        "/profile/password",
        {"current_password": demo_user(Role.VIEWER).password, "password": "a-new-password"},
    )
    assert "Jūsu parole ir nomainīta." in right.text
    await client.post("/logout", data={"_csrf_token": client.cookies["grants_csrf"]})
    assert (await sign_in(client, Role.VIEWER, password="a-new-password")).status_code == 303
