"""Staff costs (issue 14): staff members, their annual costs per year and their monthly
timesheets (grants.tables.staff).

The tables are made in the raw step from the classes below: their columns as they were when
this was written, whatever grants.tables says later. A year is unique per person, a version
per person and month, and only one version of a month is current.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import (
    BigInt,
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

ID = "2026-12-02T02:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "staff costs from annual costs and monthly timesheets"


class Project(Table, tablename="project"):
    id = Serial(primary_key=True)


class Expenditure(Table, tablename="expenditure"):
    id = Serial(primary_key=True)


class User(Table, tablename="grants_user"):
    id = Serial(primary_key=True)


class StaffMember(Table, tablename="staff_member"):
    project = ForeignKey(references=Project, null=False)
    kind = Varchar(length=16)
    name = Varchar(length=200)
    role = Varchar(length=200, default="")
    share = Integer(default=100)
    fixed_share = Integer(null=True, default=None)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class StaffYear(Table, tablename="staff_year"):
    staff = ForeignKey(references=StaffMember, null=False, on_delete=OnDelete.cascade)
    year = Integer()
    annual_cost = BigInt()


class StaffTimesheet(Table, tablename="staff_timesheet"):
    staff = ForeignKey(references=StaffMember, null=False)
    project = ForeignKey(references=Project, null=False)
    month = Date()
    version = Integer(default=1)
    state = Varchar(length=12, default="current")
    hours = Integer(null=True, default=None)
    monthly_cost = BigInt(null=True, default=None)
    rate = BigInt(null=True, default=None)
    amount = BigInt()
    expenditure = ForeignKey(references=Expenditure, null=True, on_delete=OnDelete.set_null)
    entry_no = Integer()
    note = Text(default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


TABLES = [StaffMember, StaffYear, StaffTimesheet]
INDEXES = {
    "ix_staff_member_project": "INDEX {} ON staff_member (project)",
    "uq_staff_year": "UNIQUE INDEX {} ON staff_year (staff, year)",
    "uq_staff_timesheet_version": "UNIQUE INDEX {} ON staff_timesheet (staff, month, version)",
    "uq_staff_timesheet_current": (
        "UNIQUE INDEX {} ON staff_timesheet (staff, month) WHERE state = 'current'"
    ),
    "ix_staff_timesheet_project": "INDEX {} ON staff_timesheet (project, entry_no)",
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
