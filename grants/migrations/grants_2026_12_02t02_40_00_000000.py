"""Simplified cost options from the service register (issue 13, item 5): whether a project may
claim costs by unit costs or lump sums (`project.simplified_costs`, set as the contract says),
and a catalogue service's option: its kind (`sco_kind`: "unit_cost", "lump_sum" or empty), its
rate per unit or lump amount in cents (`sco_rate`), the cost category it is claimed under
(`sco_category`) and, for a lump sum, the day its deliverable was done (`deliverable_done`).
Raw DDL, columns only."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T02:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "simplified cost options: the project's permission and a service's unit cost"

COLUMNS = (
    ("project", "simplified_costs", "BOOLEAN NOT NULL DEFAULT FALSE"),
    ("service", "sco_kind", "VARCHAR(20) NOT NULL DEFAULT ''"),
    ("service", "sco_rate", "BIGINT NULL"),
    ("service", "sco_category", "VARCHAR(50) NOT NULL DEFAULT ''"),
    ("service", "deliverable_done", "DATE NULL"),
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def add():
        engine = engine_finder()
        for table, name, ddl in COLUMNS:
            await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}")

    async def drop():
        engine = engine_finder()
        for table, name, _ in reversed(COLUMNS):
            await engine.run_ddl(f"ALTER TABLE {table} DROP COLUMN {name}")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
