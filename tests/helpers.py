"""Small helpers the tests share: project codes, amounts as pages show them, signing in through
the real form, API headers, the domain's view of a user, a few lookups, refusals, counting
queries and running the command line. The data makers are in `tests.builders`."""

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import date

import httpx
import pytest
from click.testing import CliRunner
from litestar import Litestar

from grants.accounts.users import create_token
from grants.core.errors import Refused
from grants.core.vocabulary import PeriodStatus, Role
from grants.seed.demo import DEMO_USERS
from grants.tables.periods import ReportingPeriod

# The demo's project codes; `tests.builders` makes projects like them under the same codes.
FAMILIES = "4.4.1.1./2/004"  # 01.01.2026–31.12.2027, quarterly; ESF+ 85 %, state budget 15 %
CONNECTINGEN = "LL-00241"  # Interreg: 01.04.2025–31.03.2027, half-yearly; Tukums' partner budget
PROTI = "4.2.3.4/1/24/I/001"  # 12.06.2024–31.12.2027, quarterly
SIF_002 = "4.4.1.1./002"  # one of SIF's approvals: no dates, and no demo user is a member
SIF_014 = "4.4.1.1./014"  # SIF's smallest approval, 83 742,00
SIF_019 = "4.4.1.1./019"  # SIF's largest approval, 299 990,00
PILOT = "IB-2020"  # the closed individual-budget pilot

CSRF_COOKIE = "grants_csrf"
NBSP = "\u00a0"


def d(text: str) -> date:
    return date.fromisoformat(text)


def eur(text: str) -> str:
    """A Latvian amount as Babel writes it: no-break spaces in groups and before €."""
    return text.replace(" ", NBSP) + NBSP + "€"


@asynccontextmanager
async def app_client(
    app: Litestar, base_url: str = "http://testserver.local", *, follow_redirects: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """The app started and served in the test's own event loop, the one the PostgreSQL pool
    belongs to (Litestar's test client serves it in a thread of its own), as the peer
    "testclient". The app's lifespan runs in a task of its own: pytest-asyncio sets a fixture
    up and tears it down in different tasks, and the lifespan must end where it began."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def serve() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    serving = asyncio.create_task(serve())
    ready = asyncio.create_task(started.wait())
    await asyncio.wait({serving, ready}, return_when=asyncio.FIRST_COMPLETED)
    if serving.done():
        ready.cancel()
        serving.result()  # the startup's error
    transport = httpx.ASGITransport(app=app, client=("testclient", 50000))
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url=base_url, follow_redirects=follow_redirects
        ) as client:
            yield client
    finally:
        stop.set()
        await serving


def demo_user(role: Role):
    return next(u for u in DEMO_USERS if u.role == role)


async def csrf_token(client: httpx.AsyncClient) -> str:
    await client.get("/login")
    return client.cookies[CSRF_COOKIE]


async def sign_in(client: httpx.AsyncClient, role: Role, *, password: str | None = None):
    """Sign in as the demo user of `role` (the demo's, or one `tests.builders.user` made)."""
    user = demo_user(role)
    token = await csrf_token(client)
    return await client.post(
        "/login",
        data={"email": user.email, "password": password or user.password, "_csrf_token": token},
    )


async def post(client: httpx.AsyncClient, url: str, data: dict, **kwargs):
    """A form post with the CSRF token of the signed-in session."""
    return await client.post(
        url, data={"_csrf_token": client.cookies[CSRF_COOKIE], **data}, **kwargs
    )


async def api_headers(role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {await create_token(demo_user(role).email)}"}


async def principal(role: Role):
    """The demo user of `role` as the domain sees it (the demo's, or one the builders made)."""
    from grants.accounts.users import principal_for_user
    from grants.tables.accounts import User

    user = await User.select(User.id).where(User.email == demo_user(role).email).first()
    return await principal_for_user(user["id"])


async def project_id(code: str) -> int:
    from grants.tables.projects import Project

    return (await Project.select(Project.id).where(Project.code == code).first())["id"]


async def period_at(project: int, day: date, status: PeriodStatus | None = None) -> int:
    """The id of the project's period that `day` falls in, set to `status` if given."""
    period = await (
        ReportingPeriod.select(ReportingPeriod.id)
        .where(
            (ReportingPeriod.project == project)
            & (ReportingPeriod.start_date <= day)
            & (ReportingPeriod.end_date >= day)
        )
        .first()
    )
    if status is not None:
        await ReportingPeriod.update({ReportingPeriod.status: status}).where(
            ReportingPeriod.id == period["id"]
        )
    return period["id"]


async def refusal(work: Awaitable) -> Refused:
    """The refusal `work` must end in."""
    with pytest.raises(Refused) as excinfo:
        await work
    return excinfo.value


def count_queries(monkeypatch) -> list:
    """Every query the engine runs from now on, to show there is none per row."""
    engine_class = type(ReportingPeriod._meta.db)
    original = engine_class.run_querystring
    queries: list = []

    async def counting(self, querystring, *args, **kwargs):
        queries.append(querystring)
        return await original(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    return queries


def grants(url: str, *args: str):
    """Run the `grants` command on the database at `url`; the click result."""
    from grants.cli import main

    return CliRunner().invoke(main, list(args), env={"GRANTS_DATABASE_URL": url})
