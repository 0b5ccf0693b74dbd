"""Page and API speed on the synthetic portfolio (a script, not a test).

Run it from the project folder:

    .venv/bin/python benchmarks/pages.py                     # fresh SQLite file, 500 projects
    .venv/bin/python benchmarks/pages.py --small             # 50 projects, a smoke run
    .venv/bin/python benchmarks/pages.py --database-url postgresql://postgres@127.0.0.1:5432/x
    .venv/bin/python benchmarks/pages.py --small --clients 2 --requests 10

With a PostgreSQL URL it creates a database of its own on that server (named
`grants_bench_…`) and drops it at the end; the database in the URL is only used to connect.

What it does:

1. migrates a fresh database, loads the demo and adds 10 synthetic projects
   (benchmarks/portfolio.py: 400 expenditure lines, 200 indicator values and 100 participants
   each); the measured project is the first of them, BENCH/0000;
2. counts the SQL statements of one request to each page, in this process: the app
   (`create_app` on the same engine) behind Litestar's test client, signed in as the demo admin
   (the API with a token), every statement the engine runs counted as tests/helpers.py
   `count_queries` does; the count is of a page's second request, the first warms caches,
   made afresh (the page cache cleared);
3. adds the other projects (490; 40 with --small) and counts again: one project's pages must
   issue as many statements at 500 projects as at 10;
4. starts `grants serve --workers 1` on a free port, signs in as the demo admin through the
   login form (session cookie) and creates an API token with `grants token create`; then, row
   by row, sends a few warm-up requests and then a bounded load: --clients threads, each with
   its own httpx client, sending --requests requests one after another; then all of it again
   with the page cache off (GRANTS_PAGE_CACHE=0), so every page is made afresh;
5. prints each row's p50 and p99 in ms, its p50 as a multiple of the floor's p50 measured in
   the same run, with the goal (≤ 3 ×) and OK or OVER; the p50 made afresh, against that
   run's floor; and the response body's size. The kept pages (grants/web/page_cache.py) are
   answered from memory while the data is unchanged, as a reader going back and forth sees
   them; the afresh column is what a page costs after every change.

The floor is `GET /login`: a trivial page through the same middleware, session and templates
as every other page; the static file is printed as a second floor for comparison.
"""

import argparse
import asyncio
import logging
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from argon2 import PasswordHasher
from litestar.testing import AsyncTestClient  # noqa: TID251 - a client of the app, like the tests
from piccolo.engine.postgres import PostgresEngine

from benchmarks.portfolio import PERIODS, TABLES, Counter, Loader, add_projects, fresh_database
from grants import db
from grants.accounts import users
from grants.accounts.users import create_token
from grants.app import create_app
from grants.seed.demo import DEMO_USERS, load_demo
from grants.settings import Settings
from grants.tables.expenditures import Expenditure
from grants.tables.programmes import Measure
from grants.tables.projects import Project
from grants.web import page_cache

ADMIN = next(u for u in DEMO_USERS if u.email == "admin@tukums.demo")
GRANTS = Path(sys.executable).parent / "grants"
FIRST = 10  # projects loaded when the statements are first counted
GOAL = 3.0  # a page's p50 at most this many times the floor's
WARM_UP = 3  # requests per row before the measured ones
SIZE = {"expenditures": 400, "periods_logged": PERIODS, "participants": 100}
FLOOR = "floor: GET /login"


@dataclass(frozen=True)
class Row:
    label: str
    path: str  # {id}: the measured project's id
    api: bool = False  # with the API token, else with the admin's session cookie


ROWS = (
    Row("floor: /static/app.css", "/static/app.css"),
    Row(FLOOR, "/login"),
    Row("portfolio page /", "/"),
    Row("expenditures page", "/projects/{id}/expenditures"),
    Row("co-financing page", "/projects/{id}/cofinancing"),
    Row("project page", "/projects/{id}"),
    Row("GET /api/v1/projects", "/api/v1/projects", api=True),
    Row("GET /api/v1/projects/{id}/cofinancing", "/api/v1/projects/{id}/cofinancing", api=True),
)


@dataclass
class Timing:
    seconds: list[float]
    size: int
    failures: int


# Statements per request, in process ------------------------------------------------------------


async def count_statements(engine, project_id: int, token: str) -> dict[str, int]:
    """Statements each row's second request runs, through the app on this engine."""
    counter = Counter(engine)
    counts = {}
    app = create_app(Settings(secret_key="bench"), engine=engine)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    async with AsyncTestClient(app) as client:
        await client.get("/login")
        signed_in = await client.post(
            "/login",
            data={
                "email": ADMIN.email,
                "password": ADMIN.password,
                "_csrf_token": client.cookies["grants_csrf"],
            },
            follow_redirects=False,
        )
        assert signed_in.status_code == 303, signed_in.text
        api = {"Authorization": f"Bearer {token}"}
        for row in ROWS:
            path = row.path.format(id=project_id)
            headers = api if row.api else {}
            await client.get(path, headers=headers)
            page_cache.clear()  # the statements of a page made afresh, not of a kept answer
            before = counter.count
            response = await client.get(path, headers=headers)
            assert response.status_code == 200, (path, response.status_code)
            counts[row.label] = counter.count - before
    return counts


# The served app under load ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(
    database_url: str, port: int, log: Path, *, page_cache: bool = True
) -> subprocess.Popen:
    env = os.environ | {
        "GRANTS_DATABASE_URL": database_url,
        "GRANTS_SECRET_KEY": "bench",
        "GRANTS_PAGE_CACHE": "1" if page_cache else "0",
    }
    with log.open("wb") as out:
        server = subprocess.Popen(
            [GRANTS, "serve", "--workers", "1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"grants serve stopped:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login").status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("grants serve did not answer within 60 s")


def token_from_cli(database_url: str) -> str:
    done = subprocess.run(
        [GRANTS, "token", "create", ADMIN.email, "--name", "benchmark"],
        env=os.environ | {"GRANTS_DATABASE_URL": database_url, "GRANTS_SECRET_KEY": "bench"},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def session_cookies(base: str) -> httpx.Cookies:
    with httpx.Client(base_url=base) as client:
        client.get("/login")
        signed_in = client.post(
            "/login",
            data={
                "email": ADMIN.email,
                "password": ADMIN.password,
                "_csrf_token": client.cookies["grants_csrf"],
            },
        )
        if signed_in.status_code != 303:
            raise SystemExit(f"signing in failed: {signed_in.status_code}")
        return client.cookies


def load(base: str, path: str, auth: dict, clients: int, requests: int) -> Timing:
    """`clients` threads, each with its own connection, send `requests` requests each."""
    start = threading.Barrier(clients)

    def one_client() -> tuple[list[float], int, int]:
        seconds, size, failures = [], 0, 0
        with httpx.Client(base_url=base, timeout=120, **auth) as client:
            for _ in range(WARM_UP):
                client.get(path)
            start.wait()
            for _ in range(requests):
                began = time.perf_counter()
                response = client.get(path)
                seconds.append(time.perf_counter() - began)
                size = len(response.content)
                failures += response.status_code != 200
        return seconds, size, failures

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda _: one_client(), range(clients)))
    return Timing(
        [s for seconds, _, _ in results for s in seconds],
        results[0][1],
        sum(failures for _, _, failures in results),
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure_served(
    database_url: str,
    project_id: int,
    clients: int,
    requests: int,
    workdir: Path,
    *,
    page_cache: bool = True,
) -> dict[str, Timing]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(database_url, port, workdir / "serve.log", page_cache=page_cache)
    try:
        cookies = session_cookies(base)
        token = token_from_cli(database_url)
        timings = {}
        for row in ROWS:
            auth = (
                {"headers": {"Authorization": f"Bearer {token}"}}
                if row.api
                else {"cookies": cookies}
            )
            path = row.path.format(id=project_id)
            timings[row.label] = load(base, path, auth, clients, requests)
        return timings
    finally:
        server.terminate()
        server.wait(timeout=30)


# The run ---------------------------------------------------------------------------------------


def report(
    timings: dict[str, Timing],
    afresh: dict[str, Timing],
    first: dict,
    last: dict,
    totals: tuple[int, int],
) -> None:
    """Each row as served (kept pages answered from memory), and made afresh (the page cache
    off), each against the floor of its own run."""
    floor = statistics.median(timings[FLOOR].seconds)
    afresh_floor = statistics.median(afresh[FLOOR].seconds)
    print(
        f"\n{'what':<40} {'p50 ms':>8} {'p99 ms':>8} {'× floor':>8} {'goal':>6}      "
        f"{'afresh p50':>10} {'× floor':>8}  {'size KB':>8}"
        f"  statements at {totals[0]} / {totals[1]} projects"
    )
    for row in ROWS:
        timing = timings[row.label]
        p50 = statistics.median(timing.seconds)
        ratio = p50 / floor
        made = statistics.median(afresh[row.label].seconds)
        if row.label.startswith("floor"):
            verdict = f"{'—':>6}      "
        else:
            verdict = f"{'≤ 3 ×':>6} {'OK' if ratio <= GOAL else 'OVER':<4} "
        failures = timing.failures + afresh[row.label].failures
        failed = f"  {failures} not 200!" if failures else ""
        grows = "  GROWS" if last[row.label] > first[row.label] else ""
        print(
            f"{row.label:<40} {p50 * 1000:8.1f} {percentile(timing.seconds, 0.99) * 1000:8.1f}"
            f" {ratio:7.1f}× {verdict} {made * 1000:10.1f} {made / afresh_floor:7.1f}×"
            f"  {timing.size / 1024:8.1f}"
            f"  {first[row.label]:>5} / {last[row.label]}{grows}{failed}"
        )


async def build(engine, projects: int) -> tuple[int, tuple[int, int], dict, dict]:
    """The portfolio, counting statements at FIRST and at `projects` projects."""
    started = time.perf_counter()
    await db.upgrade()
    await load_demo()
    measure = await Measure.select(Measure.id).where(Measure.code == "4.4.1.1").first()
    loader = Loader(engine)
    await loader.start(*TABLES)
    await add_projects(loader, 0, FIRST, measure["id"], SIZE)
    await loader.finish()
    target = await Project.select(Project.id).where(Project.code == "BENCH/0000").first()
    token = await create_token(ADMIN.email, name="statement count")
    few = await Project.count()
    first = await count_statements(engine, target["id"], token)
    for at in range(FIRST, projects, 25):
        await add_projects(loader, at, min(25, projects - at), measure["id"], SIZE)
    await loader.finish()
    many = await Project.count()
    print(
        f"loaded {many} projects (the demo's and the synthetic), {await Expenditure.count():,}"
        f" expenditure lines in {time.perf_counter() - started:.0f} s"
    )
    last = await count_statements(engine, target["id"], token)
    return target["id"], (few, many), first, last


def run(url: str | None, small: bool, clients: int, requests: int) -> None:
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    projects = 50 if small else 500
    with TemporaryDirectory(prefix="grants-bench-") as folder:
        workdir = Path(folder)
        database_url, cleanup = asyncio.run(fresh_database(url, workdir))
        try:
            engine = db.engine_from_url(database_url)
            db.use_engine(engine)
            backend = "PostgreSQL" if isinstance(engine, PostgresEngine) else "SQLite"
            print(
                f"{backend}: {projects} synthetic projects ({'small' if small else 'full'} run);"
                f" {clients} clients × {requests} requests a row after {WARM_UP} warm-up each"
            )
            project_id, totals, first, last = asyncio.run(build(engine, projects))
            timings = measure_served(database_url, project_id, clients, requests, workdir)
            afresh = measure_served(
                database_url, project_id, clients, requests, workdir, page_cache=False
            )
        finally:
            asyncio.run(cleanup())
    report(timings, afresh, first, last, totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgresql://… (a database is made and dropped)")
    parser.add_argument("--small", action="store_true", help="50 projects instead of 500")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (4)")
    parser.add_argument("--requests", type=int, default=25, help="requests per client (25)")
    args = parser.parse_args()
    run(args.database_url, args.small, args.clients, args.requests)


if __name__ == "__main__":
    main()
