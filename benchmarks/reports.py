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
   of a few runs.

Targets: a project report under 1 s as HTML and under 3 s as PDF.
"""

import argparse
import asyncio
import re
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from random import Random
from tempfile import TemporaryDirectory
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from grants import db
from grants.accounts import users
from grants.accounts.users import principal_for_user
from grants.core.money import to_hundredths
from grants.tables.accounts import User
from grants.tables.expenditures import Expenditure
from grants.tables.funding import FundingLine
from grants.tables.indicators import Indicator, IndicatorEntry
from grants.tables.participants import Participant, Service, ServiceReceipt
from grants.tables.periods import ReportingPeriod
from grants.tables.programmes import Measure
from grants.tables.projects import Project

START = date(2022, 1, 1)
PERIODS = 20  # quarterly, 2022–2026
APPROVED = 13  # the first 13 periods approved; the report is of the 14th
LOGGED_INDICATORS = 10  # × 20 periods = 200 values per project
REPORT_PERIOD = 14
MAX_PARAMETERS = 30_000  # under SQLite's and asyncpg's limits on bound values
TABLES = (  # the tables the synthetic portfolio fills, parents before children
    Project,
    FundingLine,
    ReportingPeriod,
    Indicator,
    IndicatorEntry,
    Expenditure,
    Participant,
    Service,
    ServiceReceipt,
)


class Counter:
    """Counts the queries the engine runs (every Piccolo query goes through run_querystring)."""

    def __init__(self, engine: Engine) -> None:
        self.count = 0
        kind = type(engine)
        original = kind.run_querystring  # engines have slots: patch the class, count this one

        async def counted(this: Engine, *args: Any, **kwargs: Any) -> Any:
            if this is engine:
                self.count += 1
            return await original(this, *args, **kwargs)

        kind.run_querystring = counted  # type: ignore[method-assign]


# Bulk loading ---------------------------------------------------------------------------------


def _defaults(table: type[Table]) -> dict[str, Any]:
    values = {}
    for column in table._meta.columns:
        if column._meta.primary_key:
            continue
        value = column.get_default_value()
        values[column._meta.db_column_name] = value.value if isinstance(value, Enum) else value
    return values


class Loader:
    """Raw multi-row INSERTs with explicit ids, in chunks under the bound-value limits."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.next_id: dict[str, int] = {}
        self.rows = 0

    async def start(self, *tables: type[Table]) -> None:
        for table in tables:
            name = table._meta.tablename
            row = (await table.raw(f"SELECT COALESCE(MAX(id), 0) AS m FROM {name}"))[0]
            self.next_id[name] = row["m"] + 1

    def ids(self, table: type[Table], n: int) -> range:
        name = table._meta.tablename
        first = self.next_id[name]
        self.next_id[name] = first + n
        return range(first, first + n)

    async def insert(self, table: type[Table], rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        defaults = _defaults(table)
        columns = ["id", *defaults]
        full = [[row.get(c, defaults.get(c)) for c in columns] for row in rows]
        chunk = max(1, MAX_PARAMETERS // len(columns))
        head = f"INSERT INTO {table._meta.tablename} ({', '.join(columns)}) VALUES "
        one = "(" + ", ".join(["{}"] * len(columns)) + ")"
        for at in range(0, len(full), chunk):
            part = full[at : at + chunk]
            sql = head + ", ".join([one] * len(part))
            await table.raw(sql, *[v for row in part for v in row])
        self.rows += len(rows)

    async def finish(self) -> None:
        """PostgreSQL: move the id sequences past the explicit ids; both: fresh statistics."""
        if isinstance(self.engine, PostgresEngine):
            for name in self.next_id:
                await self.engine.run_ddl(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT MAX(id) FROM {name}))"
                )
        await self.engine.run_ddl("ANALYZE")


def quarters() -> list[tuple[date, date]]:
    bounds = []
    for q in range(PERIODS):
        start = date(START.year + q // 4, 1 + 3 * (q % 4), 1)
        nxt = date(start.year + (start.month + 2) // 12, (start.month + 2) % 12 + 1, 1)
        bounds.append((start, nxt - timedelta(days=1)))
    return bounds


async def add_projects(
    loader: Loader, first: int, count: int, measure_id: int, size: dict[str, int]
) -> None:
    """Projects number first … first + count − 1, each generated from its own seed, so
    project n is the same whichever other projects exist."""
    now = datetime(2026, 7, 1, tzinfo=UTC)
    spans = quarters()
    tables: dict[type[Table], list[dict]] = {t: [] for t in TABLES}
    for number in range(first, first + count):
        rng = Random(number)
        (pid,) = loader.ids(Project, 1)
        eligible = rng.randrange(20_000_000, 200_000_000)
        code = f"BENCH/{number:04d}"
        tables[Project].append(
            {
                "id": pid,
                "code": code,
                "code_key": code,
                "title_lv": f"Sintētisks projekts {number}",
                "title_en": f"Synthetic project {number}",
                "measure": measure_id,
                "our_role": "implementer",
                "status": "in_progress",
                "start_date": spans[0][0],
                "end_date": spans[-1][1],
                "total_cost": eligible + 1_000_000,
                "eligible_cost": eligible,
                "amount_kind": "contracted",
                "reporting": "quarterly",
                "created_at": now,
                "updated_at": now,
            }
        )
        for position, (source, kind, rate, residual) in enumerate(
            (("ESF+", "eu_fund", 8500, False), ("Valsts budžets", "state_budget", None, True))
        ):
            tables[FundingLine].append(
                {
                    "id": loader.ids(FundingLine, 1)[0],
                    "project": pid,
                    "position": position,
                    "source": source,
                    "kind": kind,
                    "base": "eligible",
                    "rate_bp": rate,
                    "residual": residual,
                }
            )
        period_ids = list(loader.ids(ReportingPeriod, PERIODS))
        for n, (period_id, (start, end)) in enumerate(zip(period_ids, spans, strict=True), 1):
            tables[ReportingPeriod].append(
                {
                    "id": period_id,
                    "project": pid,
                    "number": n,
                    "start_date": start,
                    "end_date": end,
                    "deadline": end + timedelta(days=30),
                    "status": "approved" if n <= APPROVED else "draft",
                }
            )
        indicator_ids = list(loader.ids(Indicator, LOGGED_INDICATORS + 1))
        for position, indicator_id in enumerate(indicator_ids):
            register = position == LOGGED_INDICATORS
            tables[Indicator].append(
                {
                    "id": indicator_id,
                    "project": pid,
                    "code": f"I{position + 1:02d}",
                    "name_lv": f"Rādītājs {position + 1}",
                    "name_en": f"Indicator {position + 1}",
                    "unit_lv": "personas",
                    "unit_en": "persons",
                    "target_hundredths": to_hundredths(rng.randrange(50, 150)),
                    "target_rule": "at_least",
                    "aggregation": "participants" if register else "sum",
                    "position": position,
                }
            )
            if register:
                continue
            for period_id in period_ids[: size["periods_logged"]]:
                tables[IndicatorEntry].append(
                    {
                        "id": loader.ids(IndicatorEntry, 1)[0],
                        "indicator": indicator_id,
                        "period": period_id,
                        "state": "current",
                        "value_hundredths": to_hundredths(rng.randrange(0, 10)),
                        "created_at": now,
                    }
                )
        days = (spans[-1][1] - spans[0][0]).days
        for entry in range(1, size["expenditures"] + 1):
            amount = rng.randrange(1_000, 500_000)
            supplier = f"SIA Piegādātājs {rng.randrange(40)}"
            tables[Expenditure].append(
                {
                    "id": loader.ids(Expenditure, 1)[0],
                    "project": pid,
                    "entry_no": entry,
                    "version": 1,
                    "state": "current",
                    "spent_on": START + timedelta(days=rng.randrange(days)),
                    "amount": amount,
                    "eligible_amount": amount - rng.randrange(0, amount // 10 + 1),
                    "vat": 0,
                    "category": rng.choice(("staff", "external_services", "equipment")),
                    "supplier": supplier,
                    "supplier_key": supplier.casefold(),
                    "invoice_number": f"INV-{entry:05d}",
                    "invoice_key": f"inv-{entry:05d}",
                    "created_at": now,
                }
            )
        service_ids = list(loader.ids(Service, 3))
        for position, service_id in enumerate(service_ids):
            tables[Service].append(
                {
                    "id": service_id,
                    "project": pid,
                    "name_lv": f"Pakalpojums {position + 1}",
                    "name_en": f"Service {position + 1}",
                    "unit_price": 2_500,
                    "position": position,
                }
            )
        for person in range(1, size["participants"] + 1):
            (participant_id,) = loader.ids(Participant, 1)
            entry_day = START + timedelta(days=rng.randrange(days - 200))
            exit_day = entry_day + timedelta(days=rng.randrange(30, 200))
            tables[Participant].append(
                {
                    "id": participant_id,
                    "project": pid,
                    "code": f"P{person:05d}",
                    "gender": rng.choice(("female", "male")),
                    "birth_year": rng.randrange(1950, 2015),
                    "entry_date": entry_day,
                    "exit_date": exit_day,
                    "household": f"H{person // 3:05d}",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            tables[ServiceReceipt].append(
                {
                    "id": loader.ids(ServiceReceipt, 1)[0],
                    "project": pid,
                    "participant": participant_id,
                    "service": rng.choice(service_ids),
                    "received_on": entry_day + timedelta(days=7),
                    "units_hundredths": 100,
                    "amount": 2_500,
                    "created_at": now,
                }
            )
    for table, rows in tables.items():
        await loader.insert(table, rows)


# Timing ---------------------------------------------------------------------------------------


async def median_seconds(work: Callable[[], Awaitable[Any]], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def time_project_report(principal, period_id: int, counter: Counter, runs: int) -> dict:
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


# Databases ------------------------------------------------------------------------------------


async def fresh_database(url: str | None, workdir: Path) -> tuple[str, Callable[[], Awaitable]]:
    if not url:

        async def nothing() -> None:
            return None

        return f"sqlite:///{workdir / 'bench.db'}", nothing
    name = f"grants_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    return re.sub(r"/[^/?]*(\?|$)", rf"/{name}\1", url, count=1), drop


def line(label: str, seconds: float, target: float | None = None) -> str:
    mark = "" if target is None else ("  ok" if seconds < target else f"  OVER {target:g} s")
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
        try:
            engine = db.engine_from_url(database_url)
            db.use_engine(engine)
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
            await cleanup()

    print(f"\nOne project report (BENCH/0000, period {REPORT_PERIOD}), median of {runs} runs,")
    print("build + render, with all projects loaded:")
    print(line("HTML", many["html"], 1.0))
    print(line("PDF", many["pdf"], 3.0))
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
    print(line("build only (frame)", portfolio["build"]))
    print(line("XLSX", portfolio["xlsx"]))
    print(line("PDF", portfolio["pdf"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgresql://… (a database is made and dropped)")
    parser.add_argument("--small", action="store_true", help="a tenth of the data")
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.small))


if __name__ == "__main__":
    main()
