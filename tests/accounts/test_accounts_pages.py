"""Admin user management and each user's profile: tokens and password."""

import re

from grants.core.vocabulary import Role
from grants.tables.accounts import ApiToken, Membership, User
from tests.helpers import demo_user, project_id, sign_in


async def post(client, url: str, data: dict):
    return await client.post(url, data={"_csrf_token": client.cookies["grants_csrf"], **data})


async def test_admin_adds_a_user_with_projects(demo, client):
    await sign_in(client, Role.ADMIN)
    response = await post(
        client,
        "/admin/users",
        {"email": "Inga@Tukums.lv", "full_name": "Inga", "role": "coordinator",
         "password": "long-enough-1", "projects": ["4.4.1.1./2/004", "LL-00241"]},
    )  # fmt: skip
    assert response.status_code == 303
    user = await User.select().where(User.email == "inga@tukums.lv").first()
    assert user["role"] == "coordinator"
    members = await Membership.select(Membership.project).where(Membership.user == user["id"])
    assert {m["project"] for m in members} == {
        await project_id("4.4.1.1./2/004"),
        await project_id("LL-00241"),
    }
    assert "inga@tukums.lv" in (await client.get("/admin/users")).text


async def test_refused_user_keeps_the_form_and_writes_nothing(demo, client):
    await sign_in(client, Role.ADMIN)
    count = await User.count()
    response = await post(
        client, "/admin/users", {"email": "new@tukums.lv", "role": "viewer", "password": "short"}
    )
    assert response.status_code == 400
    assert "Parolei jābūt vismaz 10 rakstzīmēm." in response.text
    assert 'value="new@tukums.lv"' in response.text
    assert await User.count() == count


async def test_only_admins_manage_users(demo, client):
    await sign_in(client, Role.FINANCE)
    assert (await client.get("/admin/users")).status_code == 403
    assert (await post(client, "/admin/users", {"email": "x@y.lv"})).status_code == 403


async def test_admin_changes_role_projects_and_deactivation_revokes_tokens(demo, client):
    from grants.accounts.users import create_token

    await create_token(demo_user(Role.VIEWER).email)
    viewer = await User.select(User.id).where(User.email == demo_user(Role.VIEWER).email).first()
    await sign_in(client, Role.ADMIN)
    response = await post(
        client,
        f"/admin/users/{viewer['id']}",
        {"role": "finance", "projects": [str(await project_id("LL-00241"))], "full_name": "V"},
    )
    assert response.status_code == 303
    row = await User.select().where(User.id == viewer["id"]).first()
    assert (row["role"], row["active"]) == ("finance", False)
    assert await Membership.count().where(Membership.user == viewer["id"]) == 1
    assert (
        await ApiToken.count().where(
            (ApiToken.user == viewer["id"]) & ApiToken.revoked_at.is_null()
        )
        == 0
    )


async def test_admin_cannot_lock_themselves_out(demo, client):
    admin = await User.select(User.id).where(User.email == demo_user(Role.ADMIN).email).first()
    await sign_in(client, Role.ADMIN)
    response = await post(client, f"/admin/users/{admin['id']}", {"role": "viewer", "active": "on"})
    assert response.status_code == 400
    assert (await User.select(User.role).where(User.id == admin["id"]).first())["role"] == "admin"


async def test_profile_token_is_shown_once_works_and_can_be_revoked(demo, client):
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


async def test_users_cannot_revoke_other_peoples_tokens(demo, client):
    from grants.accounts.users import create_token

    await create_token(demo_user(Role.FINANCE).email, name="theirs")
    token_id = (await ApiToken.select(ApiToken.id).where(ApiToken.name == "theirs").first())["id"]
    await sign_in(client, Role.COORDINATOR)
    assert (await post(client, f"/profile/tokens/{token_id}/revoke", {})).status_code == 403


async def test_password_change_needs_the_current_password(demo, client):
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
