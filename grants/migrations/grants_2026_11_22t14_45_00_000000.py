"""Report indexes: one narrative text per period and section, one row per report version."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T14:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "report indexes"

INDEXES = {
    "uq_period_narrative_section": "UNIQUE INDEX {name} ON period_narrative (period, section)",
    "uq_report_version_period": "UNIQUE INDEX {name} ON report_version (period, version)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for name, ddl in INDEXES.items():
            kind, rest = ddl.split(" {name} ", 1)
            await engine.run_ddl(f"CREATE {kind} IF NOT EXISTS {name} {rest}")

    async def drop_indexes():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
