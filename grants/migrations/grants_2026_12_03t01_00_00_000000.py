"""Project modifications and contract versions (issue 15): the `modification` and
`contract_version` tables from the classes below as they were when this was written, unique
numbers per project by raw indexes, and the contract version a frozen report and a claim were
made under."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-03T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "project modifications and contract versions"


class Project(Table, tablename="project"):
    id = Serial(primary_key=True)


class User(Table, tablename="grants_user"):
    id = Serial(primary_key=True)


class Modification(Table, tablename="modification"):
    project = ForeignKey(references=Project, null=False)
    number = Integer()
    status = Varchar(length=12, default="draft")
    reason = Text()
    changes = JSON()
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    decision_date = Date(null=True, default=None)
    reference = Varchar(length=255, default="")
    decision_note = Text(default="")
    in_force_from = Date(null=True, default=None)
    version = Integer(null=True, default=None)


class ContractVersion(Table, tablename="contract_version"):
    project = ForeignKey(references=Project, null=False)
    number = Integer()
    in_force_from = Date(null=True, default=None)
    modification = ForeignKey(references=Modification, null=True, on_delete=OnDelete.set_null)
    snapshot = JSON()
    created_at = Timestamptz(default=TimestamptzNow())


COLUMNS = (
    ("report_version", "contract_version", "INTEGER NULL"),
    ("claim", "contract_version", "INTEGER NULL"),
)
INDEXES = {
    "uq_modification_number": "UNIQUE INDEX {} ON modification (project, number)",
    "uq_contract_version_number": "UNIQUE INDEX {} ON contract_version (project, number)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def add():
        engine = engine_finder()
        for table in (Modification, ContractVersion):
            table._meta.db = engine
            await table.create_table(if_not_exists=True)
        for name, ddl in INDEXES.items():
            kind, _, on = ddl.partition(" {} ")
            await engine.run_ddl(f"CREATE {kind} IF NOT EXISTS {name} {on}")
        for table, name, ddl in COLUMNS:
            await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}")

    async def drop():
        engine = engine_finder()
        for table, name, _ in reversed(COLUMNS):
            await engine.run_ddl(f"ALTER TABLE {table} DROP COLUMN {name}")
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
        await engine.run_ddl("DROP TABLE IF EXISTS contract_version")
        await engine.run_ddl("DROP TABLE IF EXISTS modification")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
