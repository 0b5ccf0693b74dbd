"""Small helpers the tests share: signing in through the real form, and API headers."""

from litestar.testing import AsyncTestClient

from grants.accounts.users import create_token
from grants.core.vocabulary import Role
from grants.seed.demo import DEMO_USERS

CSRF_COOKIE = "grants_csrf"


def demo_user(role: Role):
    return next(u for u in DEMO_USERS if u.role == role)


async def csrf_token(client: AsyncTestClient) -> str:
    await client.get("/login")
    return client.cookies[CSRF_COOKIE]


async def sign_in(client: AsyncTestClient, role: Role, *, password: str | None = None):
    user = demo_user(role)
    token = await csrf_token(client)
    return await client.post(
        "/login",
        data={"email": user.email, "password": password or user.password, "_csrf_token": token},
    )


async def api_headers(role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {await create_token(demo_user(role).email)}"}


async def principal(role: Role):
    """The demo user of `role` as the domain sees it (needs the `demo` fixture)."""
    from grants.accounts.users import principal_for_user
    from grants.tables.accounts import User

    user = await User.select(User.id).where(User.email == demo_user(role).email).first()
    return await principal_for_user(user["id"])


async def project_id(code: str) -> int:
    from grants.tables.projects import Project

    return (await Project.select(Project.id).where(Project.code == code).first())["id"]
