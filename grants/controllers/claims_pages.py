"""Payment claim pages: a project's claims with their totals and the form for a new one, and
one claim with its items, split by source, payments and the actions its status allows.

Finance (and administrators) prepare and submit claims and record the funder's answer; every
other reader sees the figures only. Submitting freezes the claim's document
(`reports.claim_document.submit_and_freeze_claim`), so what was sent can always be downloaded.
"""

from collections.abc import Awaitable, Callable

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grants.claims.claims import (
    ClaimChanges,
    ClaimInput,
    ClaimRow,
    ClaimTotals,
    claim_totals,
    create_claim,
    get_claim,
    list_claims,
    update_claim,
)
from grants.claims.position import answer_due
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
from grants.core.access import Action, Principal
from grants.core.errors import Refused, blank
from grants.core.i18n import category_names, label, typed_date, typed_money
from grants.core.vocabulary import ClaimKind, ClaimStatus
from grants.finance.expenditures import cost_categories
from grants.projects.periods import riga_today
from grants.projects.reading import get_project
from grants.web import CurrentPrincipal, form_errors, refusal_status, renamed_fields
from reports.claim_document import submit_and_freeze_claim

CLAIMS_PER_PAGE = 25
_CLAIM_FIELDS = ("kind", "period_start", "period_end", "amount", "advance_clear", "partner_id")
_EDIT_FIELDS = ("period_start", "period_end", "amount", "advance_clear")


def _partner_id(text: str) -> int | None:
    """The partner chosen in the form: None when none; a number that names no partner (or
    text) is left to the domain to refuse."""
    text = text.strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 12 else -1


async def _claims_page(
    principal: Principal,
    project_id: int,
    *,
    page: int = 1,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Template:
    """The project's claims a page at a time (NotFound for another project's), the totals over
    all of them, and the form for a new claim for those who prepare claims."""
    shown = await list_claims(principal, project_id, page=page, per_page=CLAIMS_PER_PAGE)
    if page > shown.pages:  # an old link beyond the last page: the last page instead
        shown = await list_claims(principal, project_id, page=shown.pages, per_page=CLAIMS_PER_PAGE)
    project = await get_project(principal, project_id, indicators=False)
    totals = (await claim_totals([project_id])).get(project_id, ClaimTotals())
    return Template(
        "claims/claims.html",
        context={
            "principal": principal,
            "project": project,
            "shown": shown,
            "totals": totals,
            "due": {c.id: answer_due(c) for c in shown.rows},
            "today": riga_today(),
            "kind_choices": [(k, label(k)) for k in ClaimKind],
            "partner_choices": [(p.id, p.organisation) for p in project.partners],
            "can_prepare": principal.can(Action.PREPARE_CLAIM, project_id),
            "values": values or {"kind": ClaimKind.INTERIM},
            "errors": errors or {},
        },
        status_code=status_code,
    )


def _typed_claim(claim: ClaimRow) -> dict:
    """The claim's changeable fields as a person would type them back."""
    return {
        "period_start": typed_date(claim.period_start),
        "period_end": typed_date(claim.period_end),
        "amount": typed_money(claim.requested) if claim.kind == ClaimKind.ADVANCE else "",
        "advance_clear": typed_money(claim.advance_cleared),
    }


async def _claim_page(
    principal: Principal,
    claim_id: int,
    *,
    form: str = "",
    values: dict | None = None,
    refused: Refused | None = None,
) -> Template:
    """One claim; `form` names the form a refusal (and the values typed) belong to."""
    claim = await get_claim(principal, claim_id)
    pid = claim.project_id
    project = await get_project(principal, pid, indicators=False)
    can_prepare = principal.can(Action.PREPARE_CLAIM, pid)
    can_decide = principal.can(Action.DECIDE_CLAIM, pid)
    return Template(
        "claims/claim.html",
        context={
            "principal": principal,
            "project": project,
            "claim": claim,
            "partner": project.partner_name(claim.partner_id),
            "categories": category_names(await cost_categories(pid)),
            "due": answer_due(claim),
            "today": riga_today(),
            "can_edit": can_prepare and claim.editable,
            "can_decide": can_decide and claim.status == ClaimStatus.SUBMITTED,
            "can_pay": can_decide and claim.status == ClaimStatus.APPROVED,
            "funders": [s for s in claim.sources if s.funder],
            "form": form,
            "values": values or {},
            "typed": values if form == "edit" and values else _typed_claim(claim),
            "errors": form_errors(refused) if refused else {},
        },
        status_code=200 if refused is None else refusal_status(refused),
    )


def _deductions(form, claim: ClaimRow) -> tuple[list[DeductionInput], dict[int, int], dict]:
    """The deductions typed per item ("d-<expenditure id>-amount", …); items left blank are
    not deducted. Also each deduction's position → its expenditure id (for the errors), and
    the values as typed."""
    deductions, positions, typed = [], {}, {}
    for item in claim.items:
        if item.expenditure_id is None:
            continue
        key = f"d-{item.expenditure_id}"
        amount = str(form.get(f"{key}-amount", ""))
        reason = str(form.get(f"{key}-reason", ""))
        error_type = str(form.get(f"{key}-error_type", ""))
        parked = bool(form.get(f"{key}-parked"))
        typed[item.expenditure_id] = {
            "amount": amount,
            "reason": reason,
            "error_type": error_type,
            "parked": parked,
        }
        if blank(amount) and blank(reason) and blank(error_type) and not parked:
            continue
        positions[len(deductions)] = item.expenditure_id
        deductions.append(DeductionInput(item.expenditure_id, amount, reason, error_type, parked))
    return deductions, positions, typed


async def _with_reason(
    principal: Principal,
    claim_id: int,
    request: Request,
    step: str,
    act: Callable[[Principal, int, str], Awaitable[object]],
) -> Template | None:
    """A step that takes the reason typed in "{step}_reason": None when it is done, else the
    claim page again with the refusal at that field."""
    reason = str((await request.form()).get(f"{step}_reason", ""))
    try:
        await act(principal, claim_id, reason)
    except Refused as refused:
        return await _claim_page(
            principal,
            claim_id,
            form=step,
            values={"reason": reason},
            refused=renamed_fields(refused, {"reason": f"{step}_reason"}),
        )
    return None


class ClaimsPages(Controller):
    """The claims of a project and one claim, with their forms."""

    include_in_schema = False

    @get("/projects/{project_id:int}/claims")
    async def claims(
        self, principal: CurrentPrincipal, project_id: FromPath[int], page: FromQuery[int] = 1
    ) -> Template:
        return await _claims_page(principal, project_id, page=page)

    @post("/projects/{project_id:int}/claims")
    async def create(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """A new draft claim from the form; a refusal shows the form again as typed."""
        form = await request.form()
        values = {name: str(form.get(name, "")) for name in _CLAIM_FIELDS}
        try:
            created = await create_claim(
                principal,
                project_id,
                ClaimInput(
                    kind=values["kind"],
                    period_start=values["period_start"],
                    period_end=values["period_end"],
                    amount=values["amount"] or None,
                    advance_clear=values["advance_clear"] or None,
                    partner_id=_partner_id(values["partner_id"]),
                ),
            )
        except Refused as refused:
            return await _claims_page(
                principal,
                project_id,
                values=values,
                errors=form_errors(refused),
                status_code=refusal_status(refused),
            )
        return Redirect(f"/claims/{created.id}", status_code=303)

    @get("/claims/{claim_id:int}")
    async def claim(self, principal: CurrentPrincipal, claim_id: FromPath[int]) -> Template:
        return await _claim_page(principal, claim_id)

    @post("/claims/{claim_id:int}/edit")
    async def edit(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """Change a draft or returned claim; its items are taken again for the period."""
        form = await request.form()
        values = {name: str(form.get(name, "")) for name in _EDIT_FIELDS}
        claim = await get_claim(principal, claim_id)
        changes = ClaimChanges(
            period_start=values["period_start"],
            period_end=values["period_end"],
            amount=values["amount"] if claim.kind == ClaimKind.ADVANCE else None,
            advance_clear=values["advance_clear"] or None,
        )
        try:
            await update_claim(principal, claim_id, changes)
        except Refused as refused:
            return await _claim_page(
                principal, claim_id, form="edit", values=values, refused=refused
            )
        return Redirect(f"/claims/{claim_id}", status_code=303)

    @post("/claims/{claim_id:int}/submit")
    async def submit(
        self, principal: CurrentPrincipal, claim_id: FromPath[int]
    ) -> Template | Redirect:
        """Send the claim to the funder and freeze its document."""
        try:
            await submit_and_freeze_claim(principal, claim_id)
        except Refused as refused:
            return await _claim_page(principal, claim_id, form="submit", refused=refused)
        return Redirect(f"/claims/{claim_id}", status_code=303)

    @post("/claims/{claim_id:int}/return")
    async def return_(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """The funder returned the claim for correction, with a reason."""
        refused = await _with_reason(principal, claim_id, request, "return", return_claim)
        return refused or Redirect(f"/claims/{claim_id}", status_code=303)

    @post("/claims/{claim_id:int}/discard")
    async def discard(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """Remove a draft prepared by mistake, with a reason; back to the project's claims."""
        claim = await get_claim(principal, claim_id)
        refused = await _with_reason(principal, claim_id, request, "discard", discard_claim)
        return refused or Redirect(f"/projects/{claim.project_id}/claims", status_code=303)

    @post("/claims/{claim_id:int}/reject")
    async def reject(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """The funder rejected the claim, with a reason."""
        refused = await _with_reason(principal, claim_id, request, "reject", reject_claim)
        return refused or Redirect(f"/claims/{claim_id}", status_code=303)

    @post("/claims/{claim_id:int}/approve")
    async def approve(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """The funder approved the claim, less the deductions typed per item."""
        form = await request.form()
        claim = await get_claim(principal, claim_id)
        deductions, positions, typed = _deductions(form, claim)
        try:
            await approve_claim(principal, claim_id, deductions)
        except Refused as refused:
            rename = {f"deductions[{n}].": f"d-{eid}-" for n, eid in positions.items()}
            return await _claim_page(
                principal,
                claim_id,
                form="approve",
                values={"items": typed},
                refused=renamed_fields(refused, rename),
            )
        return Redirect(f"/claims/{claim_id}", status_code=303)

    @post("/claims/{claim_id:int}/pay")
    async def pay(
        self, principal: CurrentPrincipal, claim_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """A payment received: in total (split over the sources) or per source."""
        form = await request.form()
        claim = await get_claim(principal, claim_id)
        funders = [s.source for s in claim.sources if s.funder]
        per_source = {n: str(form.get(f"source-{n}-amount", "")) for n in range(len(funders))}
        values = {
            "date": str(form.get("date", "")),
            "amount": str(form.get("amount", "")),
            "sources": per_source,
        }
        parts, positions = [], {}
        for n, amount in per_source.items():
            if not blank(amount):
                positions[len(parts)] = n
                parts.append(SourceAmount(funders[n], amount))
        try:
            await pay_claim(
                principal,
                claim_id,
                PaymentInput(date=values["date"], amount=values["amount"] or None, sources=parts),
            )
        except Refused as refused:
            rename = {f"sources[{i}].": f"source-{n}-" for i, n in positions.items()}
            return await _claim_page(
                principal,
                claim_id,
                form="pay",
                values=values,
                refused=renamed_fields(refused, rename),
            )
        return Redirect(f"/claims/{claim_id}", status_code=303)
