"""Indexes for expenditures and indicator entries. Partial unique indexes keep one current
version per invoice and per indicator and period; both SQLite and PostgreSQL support them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T13:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "indexes for expenditures and indicator entries"

INDEXES = {
    "uq_expenditure_current_invoice": "UNIQUE INDEX {name} ON expenditure "
    "(project, supplier_key, invoice_key) WHERE state = 'current'",
    "uq_expenditure_entry_version": "UNIQUE INDEX {name} ON expenditure (project, entry_no, version)",
    "uq_indicator_entry_current": "UNIQUE INDEX {name} ON indicator_entry (indicator, period) "
    "WHERE state = 'current'",
    "uq_measure_cost_category": "UNIQUE INDEX {name} ON measure_cost_category (measure, code)",
    "ix_expenditure_project_state": "INDEX {name} ON expenditure (project, state)",
    "ix_indicator_entry_indicator": "INDEX {name} ON indicator_entry (indicator, state)",
    "ix_login_attempt_email_at": "INDEX {name} ON login_attempt (email, at)",
    "ix_reporting_period_project": "INDEX {name} ON reporting_period (project, start_date)",
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
