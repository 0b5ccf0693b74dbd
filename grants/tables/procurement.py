"""Procurement contracts (iepirkuma līgumi) of a project: the ceiling its invoices are held
against (grants.procurement). Amounts are cents."""

from piccolo.columns import BigInt, Date, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from grants.tables.accounts import User
from grants.tables.projects import Project


class Contract(Table):
    """A contract a supplier signed after a procurement, e.g. "IUB TNP 2025/14". Its reference
    is unique per project as compared (`reference_key`, grants.core.text.comparable), by a
    unique index the migration makes. `amount` is the contract's ceiling as invoiced (with VAT
    where the supplier charges it); the invoices naming it (Expenditure.contract) may not add
    up to more."""

    project = ForeignKey(references=Project, null=False)
    reference = Varchar(length=100)
    reference_key = Varchar(length=100)
    supplier = Varchar(length=255)
    amount = BigInt()
    signed_on = Date()
    procedure = Varchar(length=30)  # grants.procurement.contracts.Procedure
    created_by = ForeignKey(references=User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
