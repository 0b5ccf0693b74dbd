"""The synthetic national-scale portfolio the benchmarks load (a module the scripts share).

`add_projects` writes projects under measure 4.4.1.1 in bulk with raw multi-row INSERTs, each
project generated from its own seed (project n is the same whichever others exist);
`fresh_database` makes a database of its own for a run; `Counter` counts the statements an
engine runs.
"""

import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from random import Random
from typing import Any

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from grants.core.money import to_hundredths
from grants.projects.editing import store_plan_amounts
from grants.tables.expenditures import Expenditure
from grants.tables.funding import FundingLine
from grants.tables.indicators import Indicator, IndicatorEntry
from grants.tables.participants import Participant, Service, ServiceReceipt
from grants.tables.periods import ReportingPeriod
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
    # the plan's line amounts, as the app stores them when a plan is saved
    await store_plan_amounts([row["id"] for row in tables[Project]])


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
