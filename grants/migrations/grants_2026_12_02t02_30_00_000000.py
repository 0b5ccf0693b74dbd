"""ESF+ common indicators (issue 13): an indicator can take its value from one of them, whose
code it keeps in `indicator.source` (aggregation "common"). Raw DDL, one column."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T02:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indicator source: the common indicator an indicator is counted as"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def add():
        await engine_finder().run_ddl(
            "ALTER TABLE indicator ADD COLUMN source VARCHAR(20) NOT NULL DEFAULT ''"
        )

    async def drop():
        await engine_finder().run_ddl("ALTER TABLE indicator DROP COLUMN source")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
