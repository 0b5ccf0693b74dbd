"""API for payment claims: prepare, submit, and record the funder's answer and payments."""

from datetime import date, datetime
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import Meta, Struct, field

from grants.claims.claims import (
    ClaimChanges,
    ClaimInput,
    ClaimRow,
    create_claim,
    get_claim,
    list_claims,
    update_claim,
)
from grants.claims.workflow import (
    DeductionInput,
    PaymentInput,
    SourceAmount,
    approve_claim,
    discard_claim,
    pay_claim,
    reject_claim,
    return_claim,
)
from grants.controllers.api_schemas import In, Money, Page, page_out
from grants.core.money import money_str
from grants.core.paging import DEFAULT_PER_PAGE, check_per_page
from grants.web import CurrentPrincipal
from reports.claim_document import submit_and_freeze_claim


class ClaimIn(In):
    """A new claim. `kind`: advance, interim, final or partner_report; `period_start` and
    `period_end` ISO dates (or dd.mm.yyyy); `amount` for an advance only; `advance_clear`:
    the received advance this claim clears (default: what is not yet cleared, up to what the
    claim asks from the funder; a final claim all of it); `partner_id` for a partner report."""

    kind: str
    period_start: str
    period_end: str
    amount: Money | None = None
    advance_clear: Money | None = None
    partner_id: int | None = None


class ClaimPatchIn(In):
    """Changes to a draft or returned claim; a field left out keeps its value
    (`advance_clear` left out: the default again). The items are taken again."""

    period_start: str | None = None
    period_end: str | None = None
    amount: Money | None = None
    advance_clear: Money | None = None


class ReasonIn(In):
    reason: str


class DeductionIn(In):
    """What was not accepted of one expenditure of the claim; `parked`: the item leaves this
    claim whole (`amount` may be left out) and can be claimed again later."""

    expenditure_id: int
    amount: Money | None = None
    reason: str = ""
    error_type: str = ""
    parked: bool = False


class ApproveIn(In):
    deductions: list[DeductionIn] = field(default_factory=list)


class SourceAmountIn(In):
    source: str
    amount: Money


class PayIn(In):
    """A payment received: `date`, and `amount` (split over the funder's sources) or
    `sources` (the amount per source)."""

    date: str
    amount: Money | None = None
    sources: list[SourceAmountIn] = field(default_factory=list)


class ItemOut(Struct):
    expenditure_id: int | None
    entry_no: int
    date: date | None
    supplier: str
    invoice_number: str
    category: str
    partner_id: int | None
    amount: str
    eligible: str
    deducted: str
    approved: str
    reason: str
    error_type: str
    parked: bool


class ClaimSourceOut(Struct):
    source: str
    kind: str
    funder: bool
    requested: str
    approved: str | None
    paid: str


class PaymentOut(Struct):
    id: int
    date: date
    source: str
    amount: str


class ClaimOut(Struct):
    """Amounts as decimal strings. `requested`: what the claim asks from the funder (the
    funder's part of `eligible`, or an advance's amount); `approved` = eligible − deducted;
    `due`: what the funder pays, the funder's part of approved − advance_cleared;
    `outstanding` = due − paid. approved, due and outstanding are null until approved."""

    id: int
    project_id: int
    partner_id: int | None
    number: int
    kind: str
    status: str
    period_start: date
    period_end: date
    requested: str
    eligible: str
    advance_cleared: str
    approved: str | None
    deducted: str
    due: str | None
    paid: str
    outstanding: str | None
    reason: str
    submitted_at: datetime | None
    decided_at: datetime | None
    contract_version: Annotated[
        int | None,
        Meta(description="The contract version the claim was last submitted under (the "
             "newest then); null until submitted."),
    ]  # fmt: skip
    items: list[ItemOut]
    sources: list[ClaimSourceOut]
    payments: list[PaymentOut]


class ClaimsOut(Page):
    items: list[ClaimOut]


def claim_out(row: ClaimRow) -> ClaimOut:
    return ClaimOut(
        id=row.id,
        project_id=row.project_id,
        partner_id=row.partner_id,
        number=row.number,
        kind=str(row.kind),
        status=str(row.status),
        period_start=row.period_start,
        period_end=row.period_end,
        requested=money_str(row.requested),
        eligible=money_str(row.eligible),
        advance_cleared=money_str(row.advance_cleared),
        approved=money_str(row.approved),
        deducted=money_str(row.deducted),
        due=money_str(row.due),
        paid=money_str(row.paid),
        outstanding=money_str(row.outstanding),
        reason=row.reason,
        submitted_at=row.submitted_at,
        decided_at=row.decided_at,
        contract_version=row.contract_version,
        items=[
            ItemOut(
                expenditure_id=i.expenditure_id,
                entry_no=i.entry_no,
                date=i.spent_on,
                supplier=i.supplier,
                invoice_number=i.invoice_number,
                category=i.category,
                partner_id=i.partner_id,
                amount=money_str(i.amount),
                eligible=money_str(i.eligible),
                deducted=money_str(i.deducted),
                approved=money_str(i.approved),
                reason=i.reason,
                error_type=i.error_type,
                parked=i.parked,
            )
            for i in row.items
        ],
        sources=[
            ClaimSourceOut(
                source=s.source,
                kind=str(s.kind),
                funder=s.funder,
                requested=money_str(s.requested),
                approved=money_str(s.approved),
                paid=money_str(s.paid),
            )
            for s in row.sources
        ],
        payments=[
            PaymentOut(id=p.id, date=p.paid_on, source=p.source, amount=money_str(p.amount))
            for p in row.payments
        ],
    )


class ClaimsApi(Controller):
    path = "/api/v1"
    tags = ("claims",)

    @get("/projects/{project_id:int}/claims")
    async def claims(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = DEFAULT_PER_PAGE,
    ) -> ClaimsOut:
        """The project's payment claims by number, a page at a time (`page` from 1,
        `per_page` up to 500, 100 if not given; `total`: how many on all pages)."""
        check_per_page(per_page)
        found = await list_claims(principal, project_id, page=page, per_page=per_page)
        return page_out(ClaimsOut, found, claim_out)

    @post("/projects/{project_id:int}/claims")
    async def create(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ClaimIn]
    ) -> ClaimOut:
        """Prepare a draft claim: an interim, final or partner-report claim takes every
        current expenditure with an eligible part dated in its period that no other claim
        holds. Refused with every problem and nothing written (400, 409 when nothing is left
        to claim or more advance would be cleared than received)."""
        typed = ClaimInput(
            kind=data.kind,
            period_start=data.period_start,
            period_end=data.period_end,
            amount=data.amount,
            advance_clear=data.advance_clear,
            partner_id=data.partner_id,
        )
        return claim_out(await create_claim(principal, project_id, typed))

    @get("/claims/{claim_id:int}")
    async def claim(self, principal: CurrentPrincipal, claim_id: FromPath[int]) -> ClaimOut:
        return claim_out(await get_claim(principal, claim_id))

    @patch("/claims/{claim_id:int}")
    async def change(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], data: JSONBody[ClaimPatchIn]
    ) -> ClaimOut:
        """Change a draft or returned claim (409 for any other)."""
        changes = ClaimChanges(
            period_start=data.period_start,
            period_end=data.period_end,
            amount=data.amount,
            advance_clear=data.advance_clear,
        )
        return claim_out(await update_claim(principal, claim_id, changes))

    @post("/claims/{claim_id:int}/submit", status_code=200)
    async def submit(self, principal: CurrentPrincipal, claim_id: FromPath[int]) -> ClaimOut:
        """Send the claim to the funder; its expenditures are frozen from now on. A final
        claim is refused while any received advance is not cleared."""
        return claim_out(await submit_and_freeze_claim(principal, claim_id))

    @post("/claims/{claim_id:int}/return", status_code=200)
    async def return_(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> ClaimOut:
        """The funder returned the claim for correction, with its `reason`."""
        return claim_out(await return_claim(principal, claim_id, data.reason))

    @post("/claims/{claim_id:int}/discard", status_code=204)
    async def discard(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> None:
        """Remove a draft never sent to the funder (prepared by mistake), with a `reason`; its
        expenditures are free for another claim."""
        await discard_claim(principal, claim_id, data.reason)

    @post("/claims/{claim_id:int}/reject", status_code=200)
    async def reject(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> ClaimOut:
        """The funder rejected the claim; its expenditures may be claimed again."""
        return claim_out(await reject_claim(principal, claim_id, data.reason))

    @post("/claims/{claim_id:int}/approve", status_code=200)
    async def approve(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], data: JSONBody[ApproveIn]
    ) -> ClaimOut:
        """The funder approved the claim, less `deductions` (each at most its expenditure's
        eligible amount, with a reason)."""
        deductions = [
            DeductionInput(d.expenditure_id, d.amount, d.reason, d.error_type, d.parked)
            for d in data.deductions
        ]
        return claim_out(await approve_claim(principal, claim_id, deductions))

    @post("/claims/{claim_id:int}/pay", status_code=200)
    async def pay(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], data: JSONBody[PayIn]
    ) -> ClaimOut:
        """Money received on an approved claim, at most what is outstanding (409 above)."""
        payment = PaymentInput(
            date=data.date,
            amount=data.amount,
            sources=[SourceAmount(s.source, s.amount) for s in data.sources],
        )
        return claim_out(await pay_claim(principal, claim_id, payment))
