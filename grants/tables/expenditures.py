from piccolo.columns import BigInt, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from grants.core.vocabulary import RecordState
from grants.tables.accounts import User
from grants.tables.attachments import Attachment
from grants.tables.procurement import Contract
from grants.tables.projects import Partner, Project


class Expenditure(Table):
    """One declared cost (an invoice). Never changed in place: an edit adds the next version
    of the same `entry_no` and marks the old row superseded; a cancellation marks it cancelled.
    Only `current` rows count. Amounts are cents."""

    project = ForeignKey(references=Project, null=False)
    partner = ForeignKey(references=Partner, null=True)
    entry_no = Integer()  # stable per project across versions
    version = Integer(default=1)
    state = Varchar(length=12, choices=RecordState, default=RecordState.CURRENT)
    spent_on = Date()  # invoice date
    amount = BigInt()  # declared amount
    eligible_amount = BigInt()
    vat = BigInt(default=0)
    category = Varchar(length=50)
    supplier = Varchar(length=255)
    supplier_key = Varchar(length=255)  # casefolded, spaces collapsed: for the duplicate check
    invoice_number = Varchar(length=100)
    invoice_key = Varchar(length=100)
    payment_date = Date(null=True, default=None)
    description = Text(default="")
    evidence_ref = Varchar(length=255, default="")
    # legacy: the one evidence file of versions written before 2026-12-01, copied then into
    # ExpenditureFile; no longer written or read
    attachment = ForeignKey(references=Attachment, null=True, on_delete=OnDelete.set_null)
    # the procurement contract the invoice is held against (grants.procurement)
    contract = ForeignKey(
        references=Contract, null=True, default=None, on_delete=OnDelete.no_action
    )
    change_note = Text(default="")  # why it was edited or cancelled
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class ExpenditureFile(Table):
    """An evidence file of a register entry. Linked to the entry (project and `entry_no`), not
    to one version, so every version shows the same files and a correction keeps them. Unique
    per (project, entry_no, attachment), by an index the migration makes."""

    project = ForeignKey(references=Project, null=False)
    entry_no = Integer()
    attachment = ForeignKey(references=Attachment, null=False, on_delete=OnDelete.cascade)
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
