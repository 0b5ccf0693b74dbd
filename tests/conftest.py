"""Test databases: SQLite always, PostgreSQL too when GRANTS_TEST_DATABASE_URL is set.

Each backend gets a database of its own, made for this run and dropped after it, so parallel
runs never collide. Every test starts from empty tables (`database`), then makes what it needs
with `tests.builders` (`families` makes the commonest: one project and the five demo users);
tests of the seed portfolio's own figures start from the whole demo (`demo`). A data fixture
runs its builders once per backend and process; later tests get its rows copied back (`make`).
"""

import os
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import asyncpg
import httpx
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from grants import db
from grants.accounts import users
from grants.app import create_app
from grants.core import i18n
from grants.seed.demo import load_demo
from grants.settings import Settings
from tests import builders, demo_copy
from tests.helpers import CONNECTINGEN, FAMILIES, PROTI, app_client, grants

pytest_plugins = ["tests.browser"]

T = TypeVar("T")

POSTGRES_URL = os.environ.get("GRANTS_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgres"] if POSTGRES_URL else [])]

# Most tests create users (the builders, or the demo); a cheap hash keeps the suite fast.
# Production keeps argon2's defaults.
users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class TestDatabase:
    """Makes and drops throw-away databases on one backend."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend = backend
        self.workdir = workdir
        self.made: list[str] = []

    async def create(self) -> str:
        name = f"grants_test_{uuid.uuid4().hex[:12]}"
        self.made.append(name)
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir / name}.db"
        conn = await asyncpg.connect(POSTGRES_URL)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        return re.sub(r"/[^/?]*(\?|$)", rf"/{name}\1", POSTGRES_URL, count=1)

    async def drop_all(self) -> None:
        if self.backend == "sqlite":
            return
        conn = await asyncpg.connect(POSTGRES_URL)
        try:
            for name in self.made:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


# The longest tests, by module: the fuzz, the browser and the 50 000-row import.
SLOW_FIRST = ("test_schemathesis.py", "browser.py", "test_import_limits.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests are handed out first, so no worker is left running one of them alone
    while the others have finished."""
    items.sort(key=lambda item: not item.nodeid.partition("::")[0].endswith(SLOW_FIRST))


@pytest.fixture(autouse=True)
def latvian_by_default() -> None:
    """Every test starts in Latvian, as a request without a choice does, whatever language an
    earlier test in the same process switched to."""
    i18n.set_locale(i18n.DEFAULT_LOCALE)


@pytest.fixture(scope="session", params=BACKENDS)
async def databases(request, tmp_path_factory) -> AsyncIterator[TestDatabase]:
    maker = TestDatabase(request.param, tmp_path_factory.mktemp(request.param))
    yield maker
    await maker.drop_all()


@pytest.fixture(scope="session")
async def engine(databases: TestDatabase) -> AsyncIterator[Engine]:
    """The backend's main test database, migrated once; on PostgreSQL with a connection pool,
    as `grants serve` has (a connection per query costs a new server process); SQLite's engine
    keeps its connections (`db.ReusingSQLiteEngine`). Tests, fixtures
    and the app (`tests.helpers.app_client`) all run in the session's one event loop, the
    pool's."""
    url = await databases.create()
    engine = db.engine_from_url(url)
    db.use_engine(engine)
    await db.upgrade()
    if isinstance(engine, PostgresEngine):
        await db.start_pool(engine, min_size=1, max_size=10)
    yield engine
    await db.close_connections(engine)


@pytest.fixture
async def database(engine: Engine) -> Engine:
    """Empty tables, bound to the backend's engine."""
    db.use_engine(engine)
    await demo_copy.empty(engine)
    return engine


@pytest.fixture(scope="session")
def made() -> dict[tuple[str, str], tuple[demo_copy.Rows, object]]:
    """What each data fixture made, by backend and fixture: the rows and the fixture's value."""
    return {}


@pytest.fixture
def make(database: Engine, databases: TestDatabase, made: dict):
    """Runs a data fixture's maker once per backend and process, then copies its rows back
    (`tests.demo_copy`): the same rows under the same ids, in milliseconds instead of the
    tenth of a second the builders take (seconds, for the demo)."""

    filled: list[str] = []  # this test's data fixtures so far, e.g. families for reported

    async def make(name: str, maker: Callable[[], Awaitable[T]]) -> T:
        key = (databases.backend, name)
        if key in made:
            rows, value = made[key]
            if filled:  # the rows copied include theirs
                await demo_copy.empty(database)
            await demo_copy.write(database, rows)
        else:
            value = await maker()
            made[key] = (await demo_copy.read(database), value)
        filled.append(name)
        return value

    return make


@pytest.fixture
async def demo(database: Engine, make) -> Engine:
    """The whole demo portfolio (`load_demo`)."""
    await make("demo", load_demo)
    return database


@pytest.fixture
async def families(make) -> int:
    """A project like the demo's 4.4.1.1./2/004 (`builders.project`) and the five demo users
    (`builders.team`): finance, coordinator and viewer are its members. The project's id."""

    async def families() -> int:
        pid = await builders.project()
        await builders.team(FAMILIES)
        return pid

    return await make("families", families)


@pytest.fixture
async def connectingen(families: int, make) -> int:
    """Besides `families`, a project on our partner budget like ConnectinGen
    (`builders.partner_project`) with the same members. Its id."""

    async def connectingen() -> int:
        pid = await builders.partner_project()
        await builders.join(pid)
        return pid

    return await make("connectingen", connectingen)


@pytest.fixture
async def small_portfolio(make) -> None:
    """Six projects, one of each kind the demo has (`builders.portfolio`), and the five demo
    users: finance, coordinator and viewer are members of Tukums' three running projects."""

    async def small_portfolio() -> None:
        await builders.portfolio()
        await builders.team(FAMILIES, PROTI, CONNECTINGEN)

    await make("small_portfolio", small_portfolio)


@pytest.fixture
async def reported(families: int, make) -> dict[str, int]:
    """`families` with two quarters of work recorded (`builders.two_quarters`), for a report of
    the second: {"project": its id, "period": Q2's id}."""

    async def reported() -> dict[str, int]:
        return {"project": families, "period": await builders.two_quarters(families)}

    return await make("reported", reported)


@pytest.fixture
async def fresh_url(databases: TestDatabase, engine: Engine) -> str:
    """A new, empty database (not migrated) on the backend under test, for the command line."""
    return await databases.create()


@pytest.fixture
def upgraded_url(fresh_url: str) -> str:
    """`fresh_url` after `grants db upgrade`."""
    result = grants(fresh_url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    return fresh_url


@pytest.fixture(scope="session")
def app(engine: Engine) -> Litestar:
    """The web app on the backend's engine, made once: making it, and compiling its templates
    anew, is most of what a page test would otherwise spend."""
    return create_app(Settings(secret_key="test"), engine=engine)


@pytest.fixture
def page_cache_off(app: Litestar) -> Iterator[None]:
    """The shared app with its page cache off for one test, which counts what a page reads
    when it is made afresh (`tests/core/test_page_cache.py` tests the kept answers)."""
    settings = app.state["settings"]
    app.state["settings"] = replace(settings, page_cache=False)
    yield
    app.state["settings"] = settings


@pytest.fixture
async def client(database: Engine, app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(app, follow_redirects=False) as client:  # tests look at redirects
        yield client
