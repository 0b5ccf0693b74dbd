"""API for procurement contracts: a project's contracts with what is invoiced under each and
what is left, and the measure's procurement threshold."""

from datetime import date, datetime

from litestar import Controller, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import Struct

from grants.controllers.api_schemas import In, Money, Page, money_fields, page_out, to_output
from grants.core.i18n import format_money, gettext
from grants.core.money import money_str
from grants.core.paging import DEFAULT_PER_PAGE, check_per_page
from grants.finance.expenditures import ExpenditureRow
from grants.procurement.contracts import (
    THRESHOLD_WARNING,
    ContractInput,
    ContractRow,
    create_contract,
    edit_contract,
    get_contract,
    list_contracts,
    procurement_threshold,
    set_procurement_threshold,
)
from grants.web import CurrentPrincipal


class ContractIn(In):
    """A new contract: `amount` (the ceiling, as the invoices count it: with VAT where the
    supplier charges it) as a decimal string, Latvian style accepted ("12 100,00"); `date`
    signed, ISO or dd.mm.yyyy; `procedure`: open, restricted, competitive_negotiation,
    competitive_dialogue, negotiated, small, social_services, central or below_threshold."""

    reference: str
    supplier: str
    amount: Money
    date: str
    procedure: str


class ContractPatch(In):
    """The fields to change; those left out keep their value. The amount cannot go below what
    is invoiced under the contract already."""

    reference: str | None = None
    supplier: str | None = None
    amount: Money | None = None
    date: str | None = None
    procedure: str | None = None


class ContractOut(Struct):
    id: int
    project_id: int
    reference: str
    supplier: str
    amount: str
    date: date
    procedure: str
    invoiced: str  # Σ amount of the current expenditures naming it
    left: str
    created_by: str | None
    created_at: datetime


class ContractsOut(Page):
    items: list[ContractOut]


class ThresholdIn(In):
    """Euros without VAT as a decimal string ("10 000,00"); null removes the threshold."""

    procurement_threshold: Money | None


class ThresholdOut(Struct):
    """The project's measure's threshold: invoices above it (without VAT) naming no contract
    are flagged in the register. Null: none set."""

    procurement_threshold: str | None


def threshold_warning(row: ExpenditureRow) -> str | None:
    """The flag of an invoice above the procurement threshold naming no contract, in the
    request's language; None when there is nothing to flag."""
    if not row.needs_contract:
        return None
    return gettext(THRESHOLD_WARNING, threshold=format_money(row.procurement_threshold))


def contract_out(row: ContractRow) -> ContractOut:
    return to_output(
        row, ContractOut, date=row.signed_on, **money_fields(row, "amount", "invoiced", "left")
    )


def _input(body: ContractIn | ContractPatch) -> ContractInput:
    return ContractInput(
        reference=body.reference,
        supplier=body.supplier,
        amount=body.amount,
        date=body.date,
        procedure=body.procedure,
    )


class ProcurementApi(Controller):
    path = "/api/v1"
    tags = ("procurement",)

    @get("/projects/{project_id:int}/contracts")
    async def contracts(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = DEFAULT_PER_PAGE,
    ) -> ContractsOut:
        """The project's contracts by date signed, each with invoiced to date and left, a page
        at a time (`page` from 1, `per_page` up to 500, 100 if not given)."""
        check_per_page(per_page)
        found = await list_contracts(principal, project_id, page=page, per_page=per_page)
        return page_out(ContractsOut, found, contract_out)

    @post("/projects/{project_id:int}/contracts")
    async def create(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ContractIn]
    ) -> ContractOut:
        """Record a contract; refused with every problem and nothing written (400, or 409 when
        the project has a contract with this reference, compared without case and spacing)."""
        return contract_out(await create_contract(principal, project_id, _input(data)))

    @get("/contracts/{contract_id:int}")
    async def contract(
        self, principal: CurrentPrincipal, contract_id: FromPath[int]
    ) -> ContractOut:
        return contract_out(await get_contract(principal, contract_id))

    @patch("/contracts/{contract_id:int}")
    async def edit(
        self,
        principal: CurrentPrincipal,
        contract_id: FromPath[int],
        data: JSONBody[ContractPatch],
    ) -> ContractOut:
        """Change a contract; recorded in the audit trail with before and after."""
        return contract_out(await edit_contract(principal, contract_id, _input(data)))

    @get("/projects/{project_id:int}/procurement-threshold")
    async def threshold(
        self, principal: CurrentPrincipal, project_id: FromPath[int]
    ) -> ThresholdOut:
        return ThresholdOut(money_str(await procurement_threshold(principal, project_id)))

    @put("/projects/{project_id:int}/procurement-threshold")
    async def set_threshold(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ThresholdIn]
    ) -> ThresholdOut:
        """Set the threshold of the project's measure, shared by every project under it
        (administrators only)."""
        cents = await set_procurement_threshold(principal, project_id, data.procurement_threshold)
        return ThresholdOut(money_str(cents))
