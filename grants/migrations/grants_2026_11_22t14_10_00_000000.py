"""Register indexes: a code enters a project once, and counting stays fast."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "register indexes"

INDEXES = {
    "uq_participant_project_code": "UNIQUE INDEX {name} ON participant (project, code)",
    "ix_participant_project": "INDEX {name} ON participant (project, entry_date)",
    "ix_service_project": "INDEX {name} ON service (project)",
    "ix_service_receipt_project": "INDEX {name} ON service_receipt (project, service)",
    "ix_service_receipt_participant": "INDEX {name} ON service_receipt (participant)",
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
