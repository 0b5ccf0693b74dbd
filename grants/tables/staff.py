"""Staff costs (CPR Art. 55): the people whose salaries a project declares, their documented
annual gross employment costs per year, and their monthly timesheets. Amounts are cents,
shares hundredths of a full-time job (50 = 0.5) and hours hundredths of an hour."""

from piccolo.columns import BigInt, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from grants.core.vocabulary import RecordState
from grants.tables.accounts import User
from grants.tables.expenditures import Expenditure
from grants.tables.projects import Project


class StaffMember(Table):
    """A person working on the project: a name or an internal reference (never a personal
    code), paid by the hour from timesheets (`kind` "hourly") or for a fixed share of their
    time (`kind` "fixed_share", `fixed_share` of the monthly gross cost)."""

    project = ForeignKey(references=Project, null=False)
    kind = Varchar(length=16)
    name = Varchar(length=200)
    role = Varchar(length=200, default="")
    share = Integer(default=100)  # employment share in hundredths: 50 = a half-time job
    fixed_share = Integer(null=True, default=None)  # hundredths of time on the project
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class StaffYear(Table):
    """The documented annual gross employment cost of one year (unique per person and year
    by a raw index): the hourly rate of that year's timesheets."""

    staff = ForeignKey(references=StaffMember, null=False, on_delete=OnDelete.cascade)
    year = Integer()
    annual_cost = BigInt()


class StaffTimesheet(Table):
    """One month of a person's work on the project, versioned as the expenditure register is:
    a correction adds the next version and supersedes the old one. `expenditure` is the
    staff-cost line it produced (that version of register entry `entry_no`)."""

    staff = ForeignKey(references=StaffMember, null=False)
    project = ForeignKey(references=Project, null=False)
    month = Date()  # the first day of the month
    version = Integer(default=1)
    state = Varchar(length=12, choices=RecordState, default=RecordState.CURRENT)
    hours = Integer(null=True, default=None)  # hundredths of an hour; hourly staff
    monthly_cost = BigInt(null=True, default=None)  # the month's gross cost; fixed share
    rate = BigInt(null=True, default=None)  # the hourly rate applied, cents
    amount = BigInt()
    expenditure = ForeignKey(references=Expenditure, null=True, on_delete=OnDelete.set_null)
    entry_no = Integer()
    note = Text(default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
