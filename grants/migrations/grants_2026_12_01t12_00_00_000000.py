"""Each funding line's computed amount, kept so the portfolio sums and sorts in SQL.

Adds `funding_line.amount` (cents, NULL where the base is unknown) and fills it for every
existing project with the same computation the app runs when a plan or a cost changes
(`grants.projects.editing.store_plan_amounts`). The column is added by DDL in the same step:
a manager's raw steps run before its `add_column`. Indexes on the project of funding lines
and partners serve the sums the portfolio takes per project.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

from grants.projects.editing import store_plan_amounts
from grants.tables.projects import Project

ID = "2026-12-01T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "funding line amounts"
INDEXES = {
    "ix_funding_line_project": "funding_line (project)",
    "ix_partner_project": "partner (project)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def add_and_fill():
        await engine_finder().run_ddl("ALTER TABLE funding_line ADD COLUMN amount BIGINT NULL")
        for name, on in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {on}")
        rows = await Project.raw("SELECT id FROM project")
        await store_plan_amounts([row["id"] for row in rows])

    async def drop():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")
        await engine_finder().run_ddl("ALTER TABLE funding_line DROP COLUMN amount")

    manager.add_raw(add_and_fill)
    manager.add_raw_backwards(drop)
    return manager
