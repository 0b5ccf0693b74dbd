"""Unique and lookup indexes, by hand: Piccolo's composite Unique is not portable to SQLite."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T13:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes"

UNIQUE = {
    "measure_programme_code": "measure (programme, code)",
    "membership_user_project": "membership (\"user\", project)",
    "partner_project_organisation": "partner (project, organisation)",
    "indicator_project_code": "indicator (project, code)",
    "reporting_period_project_number": "reporting_period (project, number)",
}
LOOKUP = {
    "funding_line_project": "funding_line (project)",
    "budget_line_project": "budget_line (project)",
    "milestone_indicator": "milestone (indicator)",
    "api_token_user": "api_token (\"user\")",
    "web_session_expires_at": "web_session (expires_at)",
    "audit_event_project_at": "audit_event (project, at)",
    "audit_event_entity": "audit_event (entity, entity_id)",
    "project_measure": "project (measure)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for name, target in UNIQUE.items():
            await engine.run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS uq_{name} ON {target}")
        for name, target in LOOKUP.items():
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS ix_{name} ON {target}")

    async def drop_indexes():
        engine = engine_finder()
        for name in UNIQUE:
            await engine.run_ddl(f"DROP INDEX IF EXISTS uq_{name}")
        for name in LOOKUP:
            await engine.run_ddl(f"DROP INDEX IF EXISTS ix_{name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
