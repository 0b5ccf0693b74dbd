"""API for the money side: the expenditure register, the co-financing check, the budget."""

from datetime import date, datetime

from litestar import Controller, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import Struct, field

from grants.controllers.api_schemas import (
    In,
    Money,
    Rate,
    decimal_str,
    money_fields,
    to_input,
    to_output,
)
from grants.core.money import rate_str
from grants.finance.budget import BudgetLineInput, CategoryReport, category_report, set_budget
from grants.finance.cofinancing import Cofinancing, DeclaredTotals, cofinancing
from grants.finance.expenditures import (
    ExpenditureInput,
    ExpenditureRow,
    cancel_expenditure,
    edit_expenditure,
    expenditure_history,
    list_expenditures,
    record_expenditure,
)
from grants.web import CurrentPrincipal


class ExpenditureIn(In):
    """Amounts as decimal strings, Latvian style accepted ("1 234,50"); dates ISO or dd.mm.yyyy.
    `eligible_amount` defaults to `amount`, `vat` to 0. On PATCH, `note` says why."""

    date: str
    amount: Money
    category: str
    supplier: str
    invoice_number: str
    eligible_amount: Money | None = None
    vat: Money | None = None
    payment_date: str | None = None
    description: str = ""
    evidence_ref: str = ""
    partner_id: int | None = None
    attachment_id: int | None = None
    note: str = ""


class CancelIn(In):
    note: str


class ExpenditureOut(Struct):
    id: int
    entry_no: int
    version: int
    state: str
    date: date
    amount: str
    eligible_amount: str
    ineligible_amount: str
    vat: str
    category: str
    supplier: str
    invoice_number: str
    payment_date: date | None
    description: str
    evidence_ref: str
    partner_id: int | None
    attachment_id: int | None
    change_note: str
    created_by: str | None
    created_at: datetime


class SourceOut(Struct):
    source: str
    kind: str
    base: str
    rate: str | None
    residual: bool
    planned: str | None
    planned_share: str | None
    this_period: str
    to_date: str
    actual_share: str | None
    remaining: str | None
    absorption: str | None
    over_plan: bool
    drift: bool


class TotalsOut(Struct):
    amount: str
    eligible: str
    ineligible: str
    vat: str


class CofinancingOut(Struct):
    period_id: int | None
    sources: list[SourceOut]
    this_period: TotalsOut
    to_date: TotalsOut


class BudgetLineIn(In):
    """One line of the budget by cost category and year: an `amount` as a decimal string
    (Latvian style accepted, "100 000,00"), or a `flat_rate` in percent ("15") of a base,
    `flat_rate_base`: a list of cost categories, or "direct" for every category with an
    amount. A flat-rate category's amounts are computed, never sent."""

    category: str
    year: int
    amount: Money | None = None
    flat_rate: Rate | None = None
    flat_rate_base: list[str] | str = field(default_factory=list)


class CategoryOut(Struct):
    category: str
    flat_rate: str | None
    planned: str
    this_period: str
    to_date: str
    remaining: str
    absorption: str | None


def _input(body: ExpenditureIn) -> ExpenditureInput:
    return to_input(body, ExpenditureInput, leave_out=("note",))


def _budget_line(line: BudgetLineIn) -> BudgetLineInput:
    base = line.flat_rate_base
    return to_input(
        line,
        BudgetLineInput,
        year=str(line.year),
        flat_rate_base=base if isinstance(base, str) else ",".join(base),
    )


def expenditure_out(row: ExpenditureRow) -> ExpenditureOut:
    return to_output(
        row,
        ExpenditureOut,
        date=row.spent_on,
        **money_fields(row, "amount", "eligible_amount", "ineligible_amount", "vat"),
    )


_AGAINST_PLAN = ("planned", "this_period", "to_date", "remaining")  # sources and categories


def cofinancing_out(c: Cofinancing) -> CofinancingOut:
    return CofinancingOut(
        period_id=c.period.id if c.period else None,
        sources=[
            to_output(
                s,
                SourceOut,
                rate=rate_str(s.rate_bp),
                planned_share=decimal_str(s.planned_share),
                actual_share=decimal_str(s.actual_share),
                absorption=decimal_str(s.absorption),
                **money_fields(s, *_AGAINST_PLAN),
            )
            for s in c.sources
        ],
        this_period=_totals(c.this_period),
        to_date=_totals(c.to_date),
    )


def _totals(t: DeclaredTotals) -> TotalsOut:
    return TotalsOut(**money_fields(t, "amount", "eligible", "ineligible", "vat"))


def categories_out(report: CategoryReport) -> list[CategoryOut]:
    return [
        to_output(
            line,
            CategoryOut,
            flat_rate=rate_str(line.flat_rate_bp),
            absorption=decimal_str(line.absorption),
            **money_fields(line, *_AGAINST_PLAN),
        )
        for line in report.lines
    ]


class FinanceApi(Controller):
    path = "/api/v1"
    tags = ("finance",)

    @get("/projects/{project_id:int}/expenditures")
    async def expenditures(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        history: FromQuery[bool] = False,
    ) -> list[ExpenditureOut]:
        """The register: current entries by date, or every version with `history=true`."""
        rows = await list_expenditures(principal, project_id, include_history=history)
        return [expenditure_out(r) for r in rows]

    @post("/projects/{project_id:int}/expenditures")
    async def record(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ExpenditureIn]
    ) -> ExpenditureOut:
        """Record an invoice; refused with every problem and nothing written (400, or 409 for
        a duplicate invoice or a locked period)."""
        return expenditure_out(await record_expenditure(principal, project_id, _input(data)))

    @patch("/expenditures/{expenditure_id:int}")
    async def edit(
        self,
        principal: CurrentPrincipal,
        expenditure_id: FromPath[int],
        data: JSONBody[ExpenditureIn],
    ) -> ExpenditureOut:
        """Correct an entry: a new version; the old one stays in the history. `note` required."""
        row = await edit_expenditure(principal, expenditure_id, _input(data), data.note)
        return expenditure_out(row)

    @post("/expenditures/{expenditure_id:int}/cancel", status_code=200)
    async def cancel(
        self, principal: CurrentPrincipal, expenditure_id: FromPath[int], data: JSONBody[CancelIn]
    ) -> ExpenditureOut:
        """Cancel an entry with a reason; it stays in the history and stops counting."""
        return expenditure_out(await cancel_expenditure(principal, expenditure_id, data.note))

    @get("/expenditures/{expenditure_id:int}/history")
    async def history(
        self, principal: CurrentPrincipal, expenditure_id: FromPath[int]
    ) -> list[ExpenditureOut]:
        return [expenditure_out(r) for r in await expenditure_history(principal, expenditure_id)]

    @get("/projects/{project_id:int}/cofinancing")
    async def cofinancing(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        period_id: FromQuery[int | None] = None,
    ) -> CofinancingOut:
        """Per funding source: planned, declared this period and to date, shares, remaining,
        absorption, and flags for overspending and drift. Split on totals, never per invoice."""
        return cofinancing_out(await cofinancing(principal, project_id, period_id))

    @get("/projects/{project_id:int}/budget")
    async def budget(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        period_id: FromQuery[int | None] = None,
    ) -> list[CategoryOut]:
        """Budget by cost category with flat rates computed, against what is declared."""
        return categories_out(await category_report(principal, project_id, period_id))

    @put("/projects/{project_id:int}/budget")
    async def replace_budget(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        data: JSONBody[list[BudgetLineIn]],
    ) -> list[CategoryOut]:
        """Replace the whole budget by cost category and year; returns it as GET does. Refused
        with every problem and nothing written (400)."""
        await set_budget(principal, project_id, [_budget_line(line) for line in data])
        return categories_out(await category_report(principal, project_id))
