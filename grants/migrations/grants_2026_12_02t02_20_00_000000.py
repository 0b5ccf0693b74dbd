"""Procurement contracts (issue 14): the `contract` table, the contract an invoice is held
against (`expenditure.contract`) and the procurement threshold of a measure
(`measure.procurement_threshold`, cents without VAT, empty: no threshold). Columns and the
table by raw DDL in one step, the table from the class below, as it was when this was written.
A contract's reference is unique per project as compared (`reference_key`)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import BigInt, Date, ForeignKey, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-12-02T02:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "procurement contracts, the contract of an invoice, a measure's threshold"


class Project(Table, tablename="project"):
    id = Serial(primary_key=True)


class User(Table, tablename="grants_user"):
    id = Serial(primary_key=True)


class Contract(Table, tablename="contract"):
    project = ForeignKey(references=Project, null=False)
    reference = Varchar(length=100)
    reference_key = Varchar(length=100)
    supplier = Varchar(length=255)
    amount = BigInt()
    signed_on = Date()
    procedure = Varchar(length=30)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


COLUMNS = {
    "expenditure": ("contract", "INTEGER NULL REFERENCES contract (id) ON DELETE NO ACTION"),
    "measure": ("procurement_threshold", "BIGINT NULL"),
}
INDEXES = {
    "uq_contract_project_reference": "UNIQUE INDEX {} ON contract (project, reference_key)",
    "ix_expenditure_contract": "INDEX {} ON expenditure (contract)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def add():
        engine = engine_finder()
        Contract._meta.db = engine
        await Contract.create_table(if_not_exists=True)
        for table, (name, ddl) in COLUMNS.items():
            await engine.run_ddl(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}")
        for name, ddl in INDEXES.items():
            kind, _, on = ddl.partition(" {} ")
            await engine.run_ddl(f"CREATE {kind} IF NOT EXISTS {name} {on}")

    async def drop():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
        for table, (name, _) in COLUMNS.items():
            await engine.run_ddl(f"ALTER TABLE {table} DROP COLUMN {name}")
        await engine.run_ddl("DROP TABLE IF EXISTS contract")

    manager.add_raw(add)
    manager.add_raw_backwards(drop)
    return manager
