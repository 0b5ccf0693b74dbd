from piccolo.columns import BigInt, Boolean, ForeignKey, Integer, Varchar
from piccolo.table import Table

from grants.core.vocabulary import FundingBase, FundingKind
from grants.tables.projects import Partner, Project


class FundingLine(Table):
    """One line of a funding plan: a rate of its base or a fixed amount, or the residual.

    `grants.core.money.allocate` computes the amount from the base; `amount` keeps that result
    so lists can sum and sort in SQL. The app writes it itself in the transaction that changes
    anything it depends on (`grants.projects.editing.store_plan_amounts`), never from input.
    """

    project = ForeignKey(references=Project, null=False)
    partner = ForeignKey(references=Partner, null=True)  # set when base is partner_budget
    position = Integer(default=0)
    source = Varchar(length=100)  # as the contract names it: "ESF+", "Valsts budžets"
    kind = Varchar(length=20, choices=FundingKind)
    base = Varchar(length=20, choices=FundingBase, default=FundingBase.ELIGIBLE)
    rate_bp = Integer(null=True, default=None)  # basis points: 85.00 % is 8500
    fixed_amount = BigInt(null=True, default=None)  # cents
    residual = Boolean(default=False)
    amount = BigInt(null=True, default=None)  # cents, computed; None when the base is unknown


class BudgetLine(Table):
    """Planned cost by category and year; a flat-rate line is computed from its base categories."""

    project = ForeignKey(references=Project, null=False)
    partner = ForeignKey(references=Partner, null=True)
    category = Varchar(length=50)  # a CostCategory value or a programme-specific one
    year = Integer()
    amount = BigInt(null=True, default=None)  # cents; None for flat-rate lines
    flat_rate_bp = Integer(null=True, default=None)
    flat_rate_base = Varchar(length=200, default="")  # comma-separated categories
