"""Report speed on a large synthetic portfolio (a script, not a test).

Run it from the project folder:

    .venv/bin/python benchmarks/reports.py                       # fresh SQLite file, full size
    .venv/bin/python benchmarks/reports.py --small               # a tenth of the data, a smoke run
    .venv/bin/python benchmarks/reports.py --database-url postgresql://postgres@127.0.0.1:5432/x

With a PostgreSQL URL it creates a database of its own on that server (named
`grants_bench_…`) and drops it at the end; the database in the URL is only used to connect.

What it does:

1. migrates a fresh database and loads the demo (programmes, measures, users);
2. adds synthetic projects under measure 4.4.1.1 in bulk with raw multi-row INSERTs: full size
   500 projects, 200 000 expenditure lines, 100 000 indicator values, 50 000 participants
   (with 50 000 service receipts), 20 quarterly periods each;
3. after the first 50 projects (5 with --small) it times one project's progress report, then
   loads the rest and times the same report again, printing the number of database queries
   each time: the report's time and queries must not grow with the number of other projects;
4. prints, for the full portfolio, the time to build and render one project report as HTML,
   PDF, XLSX and CSV, and the portfolio report (all projects) as XLSX and PDF, each the median
   of a few runs (the portfolio PDF prints in parts side by side; its first run also starts
   the printing processes, about a second once per server).

Targets (issue 12): a project report within 0,3 s as HTML and 1 s as PDF; the portfolio report
built within 0,5 s, as XLSX within 1 s and as PDF within 5 s.
"""

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from piccolo.engine.postgres import PostgresEngine

from benchmarks.portfolio import (
    PERIODS,
    REPORT_PERIOD,
    TABLES,
    Counter,
    Loader,
    add_projects,
    fresh_database,
)
from grants import db
from grants.accounts import users
from grants.accounts.users import principal_for_user
from grants.tables.accounts import User
from grants.tables.expenditures import Expenditure
from grants.tables.indicators import IndicatorEntry
from grants.tables.participants import Participant, ServiceReceipt
from grants.tables.periods import ReportingPeriod
from grants.tables.programmes import Measure
from grants.tables.projects import Project

# Timing ---------------------------------------------------------------------------------------


async def median_seconds(work: Callable[[], Awaitable[Any]], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def time_project_report(principal, period_id: int, counter: Counter, runs: int) -> dict:
    from reports.charts import DRAWN
    from reports.project_report import build_project_report
    from reports.render_csv import render_csv
    from reports.render_html import render_html
    from reports.render_pdf import render_pdf
    from reports.render_xlsx import render_xlsx

    async def build():
        return await build_project_report(principal, period_id, report_date=date(2026, 7, 10))

    before = counter.count
    await build()
    queries = counter.count - before
    results = {"queries": queries, "build": await median_seconds(build, runs)}
    for name, render in (
        ("html", render_html),
        ("pdf", render_pdf),
        ("xlsx", render_xlsx),
        ("csv", render_csv),
    ):

        async def build_and_render(render=render):
            DRAWN.clear()  # a live download draws its charts: time that, not a reuse
            return render(await build())

        results[name] = await median_seconds(build_and_render, runs)
    return results


async def time_portfolio(principal, counter: Counter, runs: int) -> dict:
    from reports.portfolio_report import build_portfolio_report
    from reports.render_portfolio import render_portfolio_pdf, render_portfolio_xlsx

    async def build():
        return await build_portfolio_report(principal, report_date=date(2026, 7, 10))

    before = counter.count
    report = await build()
    results = {"queries": counter.count - before, "rows": len(report.projects)}
    results["build"] = await median_seconds(build, runs)
    for name, render in (("xlsx", render_portfolio_xlsx), ("pdf", render_portfolio_pdf)):

        async def build_and_render(render=render):
            return render(await build())

        results[name] = await median_seconds(build_and_render, runs)
    return results


def line(label: str, seconds: float, target: float | None = None) -> str:
    mark = "" if target is None else ("  ok" if seconds <= target else f"  OVER {target:g} s")
    return f"  {label:<34} {seconds * 1000:9.0f} ms{mark}"


async def run(url: str | None, small: bool) -> None:
    from argon2 import PasswordHasher

    from grants.seed.demo import load_demo

    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    scale = 10 if small else 1
    projects = 500 // scale
    early = 50 // scale
    size = {
        "expenditures": 400,  # × 500 = 200 000
        "periods_logged": PERIODS,  # 10 indicators × 20 = 200 values; × 500 = 100 000
        "participants": 100,  # × 500 = 50 000
    }
    runs = 3
    with TemporaryDirectory(prefix="grants-bench-") as workdir:
        database_url, cleanup = await fresh_database(url, Path(workdir))
        pooled = None
        try:
            engine = db.engine_from_url(database_url)
            db.use_engine(engine)
            if isinstance(engine, PostgresEngine):  # as the app does at startup
                await db.start_pool(engine)
                pooled = engine
            backend = "PostgreSQL" if isinstance(engine, PostgresEngine) else "SQLite"
            print(f"{backend}: {projects} projects ({'small' if small else 'full'} run)")
            started = time.perf_counter()
            await db.upgrade()
            await load_demo()
            measure = await Measure.select(Measure.id).where(Measure.code == "4.4.1.1").first()
            loader = Loader(engine)
            await loader.start(*TABLES)
            batch = max(1, 25 // scale)
            for at in range(0, early, batch):
                await add_projects(loader, at, min(batch, early - at), measure["id"], size)
            await loader.finish()
            admin_row = await User.select(User.id).where(User.email == "admin@tukums.demo").first()
            admin = await principal_for_user(admin_row["id"])
            target = await Project.select(Project.id).where(Project.code == "BENCH/0000").first()
            period = await (
                ReportingPeriod.select(ReportingPeriod.id)
                .where(
                    (ReportingPeriod.project == target["id"])
                    & (ReportingPeriod.number == REPORT_PERIOD)
                )
                .first()
            )
            counter = Counter(engine)
            print(f"loaded {early} projects in {time.perf_counter() - started:.1f} s")
            few = await time_project_report(admin, period["id"], counter, runs)

            started = time.perf_counter()
            for at in range(early, projects, batch):
                await add_projects(loader, at, min(batch, projects - at), measure["id"], size)
            await loader.finish()
            counts = {
                t._meta.tablename: await t.count()
                for t in (Project, Expenditure, IndicatorEntry, Participant, ServiceReceipt)
            }
            print(
                f"loaded the other {projects - early} projects in "
                f"{time.perf_counter() - started:.1f} s; rows: "
                + ", ".join(f"{name} {n:,}" for name, n in counts.items())
            )
            many = await time_project_report(admin, period["id"], counter, runs)
            portfolio = await time_portfolio(admin, counter, runs)
        finally:
            if pooled is not None:
                await pooled.close_connection_pool()
            await cleanup()

    print(f"\nOne project report (BENCH/0000, period {REPORT_PERIOD}), median of {runs} runs,")
    print("build + render, with all projects loaded:")
    print(line("HTML", many["html"], 0.3))
    print(line("PDF", many["pdf"], 1.0))
    print(line("XLSX", many["xlsx"]))
    print(line("CSV", many["csv"]))
    print(line("build only (frames)", many["build"]))
    print(f"\nThe same report with {early} and with {projects} projects loaded:")
    print(f"  queries per report build           {few['queries']:>6} vs {many['queries']}")
    print(line(f"build, {early} projects", few["build"]))
    print(line(f"build, {projects} projects", many["build"]))
    print(line(f"HTML, {early} projects", few["html"]))
    print(line(f"HTML, {projects} projects", many["html"]))
    print(f"\nPortfolio report, {portfolio['rows']} projects, {portfolio['queries']} queries:")
    print(line("build only (frame)", portfolio["build"], 0.5))
    print(line("XLSX", portfolio["xlsx"], 1.0))
    print(line("PDF", portfolio["pdf"], 5.0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgresql://… (a database is made and dropped)")
    parser.add_argument("--small", action="store_true", help="a tenth of the data")
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.small))


if __name__ == "__main__":
    main()
