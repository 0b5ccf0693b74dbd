"""Payment claims (maksājuma pieprasījumi), Interreg partner reports, what the funder approved
and paid, and the planned claim schedule. Amounts are cents."""

from piccolo.columns import (
    BigInt,
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from grants.core.vocabulary import ClaimKind, ClaimStatus
from grants.tables.accounts import User
from grants.tables.expenditures import Expenditure
from grants.tables.projects import Partner, Project


class Claim(Table):
    """One claim of a project, numbered 1, 2, … per project (unique by a raw index).

    An advance asks for `requested`; the other kinds take expenditure entries (ClaimItem).
    `eligible` is the items' total, fixed at submission; `approved` is what the funder (or,
    for a partner report, the controller) accepted. `advance_clear` is the part of received
    advances this claim clears."""

    project = ForeignKey(references=Project, null=False)
    partner = ForeignKey(references=Partner, null=True)  # a partner report: whose costs
    number = Integer()
    kind = Varchar(length=16, choices=ClaimKind)
    status = Varchar(length=12, choices=ClaimStatus, default=ClaimStatus.DRAFT)
    period_start = Date()
    period_end = Date()
    requested = BigInt(null=True, default=None)
    advance_clear = BigInt(default=0)
    eligible = BigInt(null=True, default=None)
    approved = BigInt(null=True, default=None)
    reason = Text(default="")  # why it was last returned or rejected
    contract_version = Integer(null=True, default=None)  # in force when it was last submitted
    submitted_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)  # approved or rejected
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class ClaimItem(Table):
    """An expenditure entry (project, entry_no) taken into a claim. `expenditure` and
    `eligible` are the version claimed, fixed at submission. A deduction lowers what is
    approved; a parked item may be taken into a later claim again."""

    claim = ForeignKey(references=Claim, null=False, on_delete=OnDelete.cascade)
    project = ForeignKey(references=Project, null=False)
    entry_no = Integer()
    expenditure = ForeignKey(references=Expenditure, null=True, on_delete=OnDelete.set_null)
    eligible = BigInt()
    deducted = BigInt(default=0)
    reason = Text(default="")  # why deducted
    error_type = Varchar(length=50, default="")  # the controller's error typology
    parked = Boolean(default=False)


class ClaimPayment(Table):
    """Money received on a claim (an advance's too), per source of the funding plan."""

    claim = ForeignKey(references=Claim, null=False, on_delete=OnDelete.cascade)
    paid_on = Date()
    source = Varchar(length=100)
    amount = BigInt()
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class ClaimDocument(Table):
    """A claim's document as frozen at submission (a resubmission adds the next version);
    never changed. `*_reduced` leave out what readers without register access may not see."""

    claim = ForeignKey(references=Claim, null=False, on_delete=OnDelete.cascade)
    version = Integer()
    locale = Varchar(length=5, default="lv")
    data_hash = Varchar(length=64)
    pdf = Bytea()
    xlsx = Bytea()
    pdf_reduced = Bytea(null=True, default=None)
    xlsx_reduced = Bytea(null=True, default=None)
    created_by = Varchar(length=255)  # email or "cli"; kept even if the user goes
    created_at = Timestamptz(default=TimestamptzNow())


class ClaimSchedule(Table):
    """One saved version of a project's planned claim schedule; every save adds a version
    (unique (project, version) by a raw index) and the newest is the plan."""

    project = ForeignKey(references=Project, null=False)
    version = Integer()
    note = Text(default="")
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class ClaimScheduleRow(Table):
    """A planned claim: when, and how much eligible cost it will carry."""

    schedule = ForeignKey(references=ClaimSchedule, null=False, on_delete=OnDelete.cascade)
    position = Integer()
    planned_date = Date()
    amount = BigInt()
