"""Payment claims: claims with their items, payments and frozen documents, and the versioned
planned claim schedule (grants.tables.claims).

The tables are made in the raw step from the classes below: their columns as they were when
this was written, whatever grants.tables says later. Numbers and versions are unique per
project or claim, and an index serves "which entries are in a claim" per project.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import (
    BigInt,
    Boolean,
    Bytea,
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

ID = "2026-12-02T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "payment claims and the claim schedule"


class Project(Table, tablename="project"):
    id = Serial(primary_key=True)


class Partner(Table, tablename="partner"):
    id = Serial(primary_key=True)


class Expenditure(Table, tablename="expenditure"):
    id = Serial(primary_key=True)


class User(Table, tablename="grants_user"):
    id = Serial(primary_key=True)


class Claim(Table, tablename="claim"):
    project = ForeignKey(references=Project, null=False)
    partner = ForeignKey(references=Partner, null=True)
    number = Integer()
    kind = Varchar(length=16)
    status = Varchar(length=12, default="draft")
    period_start = Date()
    period_end = Date()
    requested = BigInt(null=True, default=None)
    advance_clear = BigInt(default=0)
    eligible = BigInt(null=True, default=None)
    approved = BigInt(null=True, default=None)
    reason = Text(default="")
    submitted_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class ClaimItem(Table, tablename="claim_item"):
    claim = ForeignKey(references=Claim, null=False, on_delete=OnDelete.cascade)
    project = ForeignKey(references=Project, null=False)
    entry_no = Integer()
    expenditure = ForeignKey(references=Expenditure, null=True, on_delete=OnDelete.set_null)
    eligible = BigInt()
    deducted = BigInt(default=0)
    reason = Text(default="")
    error_type = Varchar(length=50, default="")
    parked = Boolean(default=False)


class ClaimPayment(Table, tablename="claim_payment"):
    claim = ForeignKey(references=Claim, null=False, on_delete=OnDelete.cascade)
    paid_on = Date()
    source = Varchar(length=100)
    amount = BigInt()
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class ClaimDocument(Table, tablename="claim_document"):
    claim = ForeignKey(references=Claim, null=False, on_delete=OnDelete.cascade)
    version = Integer()
    locale = Varchar(length=5, default="lv")
    data_hash = Varchar(length=64)
    pdf = Bytea()
    xlsx = Bytea()
    pdf_reduced = Bytea(null=True, default=None)
    xlsx_reduced = Bytea(null=True, default=None)
    created_by = Varchar(length=255)
    created_at = Timestamptz(default=TimestamptzNow())


class ClaimSchedule(Table, tablename="claim_schedule"):
    project = ForeignKey(references=Project, null=False)
    version = Integer()
    note = Text(default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class ClaimScheduleRow(Table, tablename="claim_schedule_row"):
    schedule = ForeignKey(references=ClaimSchedule, null=False, on_delete=OnDelete.cascade)
    position = Integer()
    planned_date = Date()
    amount = BigInt()


TABLES = [Claim, ClaimItem, ClaimPayment, ClaimDocument, ClaimSchedule, ClaimScheduleRow]
INDEXES = {
    "uq_claim_project_number": "UNIQUE INDEX {} ON claim (project, number)",
    "ix_claim_item_project_entry": "INDEX {} ON claim_item (project, entry_no)",
    "ix_claim_item_claim": "INDEX {} ON claim_item (claim)",
    "ix_claim_payment_claim": "INDEX {} ON claim_payment (claim)",
    "uq_claim_document_version": "UNIQUE INDEX {} ON claim_document (claim, version)",
    "uq_claim_schedule_version": "UNIQUE INDEX {} ON claim_schedule (project, version)",
    "ix_claim_schedule_row_schedule": "INDEX {} ON claim_schedule_row (schedule)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="grants", description=DESCRIPTION)

    async def create():
        engine = engine_finder()
        for table in TABLES:
            table._meta.db = engine
            await table.create_table(if_not_exists=True)
        for name, ddl in INDEXES.items():
            kind, _, on = ddl.partition(" {} ")
            await engine.run_ddl(f"CREATE {kind} IF NOT EXISTS {name} {on}")

    async def drop():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
        for table in reversed(TABLES):
            await engine.run_ddl(f"DROP TABLE IF EXISTS {table._meta.tablename}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
