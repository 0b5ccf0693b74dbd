"""Payment claims: reading them, preparing a draft, and the per-project totals.

A claim is numbered 1, 2, … per project. An advance asks for an amount. An interim, final or
partner-report claim takes every current expenditure with an eligible part, dated in its
period, that no other claim holds: a claim holds its items unless it was rejected or the item
was parked (Jems: a parked item can be re-included in a later report).

Which expenditures a claim takes: a partner report, those of its partner; an interim or final
claim, every one of the project, partners' rows included (in a partnership project the lead
claims for all), except those a partner report already holds.

The claim's eligible total is split over the funding plan on the total (money module, residual
line takes the remainder): for a partner report over the partner's own plan lines (ConnectinGen:
Tukums' ERAF 80 %, the municipality the rest), otherwise over the lines on the eligible cost
and the partners' budgets. What the funder pays are the EU-fund and state-budget lines
(`FUNDER_KINDS`); `requested` is their part. An advance's amount is split over those lines in
the proportion of their planned amounts.

Advances: what was paid on advance claims is received; later claims clear it
(`advance_cleared`), never more in all than received. The funder pays a cleared claim that
much less: `due` = the funder's part of `approved` − `advance_cleared`, `outstanding` = `due` −
`paid`. Drafts show their items as last taken (on creation, on update); submission fixes each
item's version and eligible amount.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from piccolo.query.functions.aggregate import Sum

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.dates import day_str
from grants.core.errors import NotFound, Problems, Refused, blank
from grants.core.money import cents_to_str, money_str
from grants.core.paging import DEFAULT_PER_PAGE, Paged, offset
from grants.core.translatable import N_
from grants.core.vocabulary import (
    ClaimKind,
    ClaimStatus,
    FundingBase,
    FundingKind,
    RecordState,
)
from grants.db import (
    first_or_not_found,
    from_row,
    insert_one,
    marks,
    possible_id,
    write_transaction,
)
from grants.finance.cofinancing import split
from grants.modifications import versions
from grants.modifications.compare import plan_of
from grants.projects.funding_plan import LineInput, PlanLine, compute_plan
from grants.projects.periods import add_months, for_update
from grants.projects.reading import project_dates
from grants.tables.claims import Claim, ClaimItem, ClaimPayment
from grants.tables.expenditures import Expenditure
from grants.tables.funding import FundingLine
from grants.tables.projects import Partner, Project

ENTITY = "claim"
FUNDER_KINDS = frozenset({FundingKind.EU_FUND, FundingKind.STATE_BUDGET})
EDITABLE = frozenset({ClaimStatus.DRAFT, ClaimStatus.RETURNED})
# A claim in these holds its expenditures frozen: the funder has them.
FROZEN = frozenset({ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID})
DECIDED = frozenset({ClaimStatus.APPROVED, ClaimStatus.PAID})

_START_REQUIRED = N_("Enter the start of the claim's period.")
_END_REQUIRED = N_("Enter the end of the claim's period.")
_END_BEFORE_START = N_("The period ends (%(end)s) before it starts (%(start)s).")
_KIND_REQUIRED = N_("Choose the kind of claim.")
_AMOUNT_REQUIRED = N_("Enter the amount of the advance.")
_AMOUNT_POSITIVE = N_("The amount must be more than zero.")
_AMOUNT_ONLY_ADVANCE = N_(
    "Only an advance asks for an amount; this claim takes the period's expenditures."
)
_PARTNER_REQUIRED = N_("Choose the partner whose report this is.")
_PARTNER_UNKNOWN = N_("This partner does not take part in the project.")
_PARTNER_ONLY_REPORT = N_("Only a partner report is for one partner.")
_REPORT_TOO_LONG = N_(
    "A partner report covers at most 6 months: from %(start)s it can run to %(last)s."
)
PARTNER_REPORT_MONTHS = 6  # Interreg reporting periods (Jems)
_NOTHING_TO_CLAIM = N_(
    "No expenditure with an eligible part dated from %(start)s to %(end)s is left to claim."
)
_CLEAR_NEGATIVE = N_("The advance to clear cannot be negative.")
_CLEAR_ABOVE_RECEIVED = N_(
    "Clearing %(clear)s of advance is more than the %(uncleared)s received and not yet cleared."
)
_CLEAR_ABOVE_CLAIM = N_(
    "Clearing %(clear)s of advance is more than this claim asks from the funder (%(requested)s)."
)
_ADVANCE_NO_CLEAR = N_("An advance does not clear an advance.")
NOT_EDITABLE = N_(
    "Claim No. %(number)s is “%(status)s”; only a draft or returned claim can be changed."
)
ALREADY_CLAIMED = N_(
    "Entries %(entries)s are already in another claim; an expenditure can be claimed once."
)

# Reading


@dataclass(frozen=True)
class ItemRow:
    """An expenditure entry in a claim, as claimed (amounts in cents); `deducted` is what the
    funder (or controller) did not accept, for `reason`; a parked item is out of this claim
    and may be taken into a later one."""

    id: int
    expenditure_id: int | None  # the version claimed; None if that row was removed
    entry_no: int
    spent_on: date | None
    supplier: str
    invoice_number: str
    category: str
    partner_id: int | None
    amount: int  # the invoice's total
    eligible: int
    deducted: int
    reason: str
    error_type: str
    parked: bool

    @property
    def approved(self) -> int:
        return self.eligible - self.deducted


@dataclass(frozen=True)
class ClaimSource:
    """One funding line's part of the claim: of the eligible total (`requested`), of the
    approved amount (None until approved), and what was paid on it."""

    source: str
    kind: FundingKind
    requested: int
    approved: int | None
    paid: int

    @property
    def funder(self) -> bool:
        """Whether the funder pays this line (EU fund, state budget)."""
        return self.kind in FUNDER_KINDS


@dataclass(frozen=True)
class PaymentRow:
    id: int
    paid_on: date
    source: str
    amount: int


@dataclass(frozen=True)
class ClaimRow:
    """A claim with everything computed; amounts in cents.

    `eligible`: the items' total (0 for an advance). `requested`: the funder's part of it, or
    an advance's amount. `approved`: eligible − deducted (an advance: its amount); None until
    approved. `due`: what the funder pays, the funder's part of approved − advance_cleared.
    `outstanding`: due − paid; None until approved."""

    id: int
    project_id: int
    partner_id: int | None
    number: int
    kind: ClaimKind
    status: ClaimStatus
    period_start: date
    period_end: date
    requested: int
    advance_cleared: int
    items: list[ItemRow]
    eligible: int
    sources: list[ClaimSource]
    approved: int | None
    deducted: int
    due: int | None
    paid: int
    outstanding: int | None
    payments: list[PaymentRow]
    reason: str  # why it was last returned or rejected
    submitted_at: datetime | None
    decided_at: datetime | None
    created_at: datetime
    contract_version: int | None = None  # the contract version it was last submitted under

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def frozen(self) -> bool:
        return self.status in FROZEN


async def plan_lines(project_ids: Sequence[int]) -> dict[int, list[PlanLine]]:
    """Each project's funding plan lines with their computed amounts, three queries for all."""
    if not project_ids:
        return {}
    ids = list(project_ids)
    projects = await Project.select(Project.id, Project.total_cost, Project.eligible_cost).where(
        Project.id.is_in(ids)
    )
    partners = await Partner.select(Partner.id, Partner.project, Partner.budget).where(
        Partner.project.is_in(ids)
    )
    lines = await (
        FundingLine.select()
        .where(FundingLine.project.is_in(ids))
        .order_by(FundingLine.position)
        .order_by(FundingLine.id)
    )
    plans: dict[int, list[PlanLine]] = {}
    for p in projects:
        plan = compute_plan(
            [
                from_row(LineInput, ln, partner_id=ln["partner"])
                for ln in lines
                if ln["project"] == p["id"]
            ],
            total=p["total_cost"],
            eligible=p["eligible_cost"],
            partner_budgets={r["id"]: r["budget"] for r in partners if r["project"] == p["id"]},
        )
        plans[p["id"]] = plan.lines
    return plans


async def claim_plans(claims: Sequence[dict]) -> dict[int, list[PlanLine]]:
    """Each claim's plan lines (by claim id): those of the contract version in force at the end
    of its period, so a claim of a period before a modification keeps the rates of then. Four
    queries, and one more for each older version met."""
    newest = await plan_lines(sorted({c["project"] for c in claims}))
    contracts = await versions.contracts_on_each([(c["project"], c["period_end"]) for c in claims])
    older: dict[tuple[int, int], list[PlanLine]] = {}
    plans = {}
    for claim, contract in zip(claims, contracts, strict=True):
        if not contract.superseded:
            plans[claim["id"]] = newest[claim["project"]]
            continue
        key = (claim["project"], contract.number)
        if key not in older:
            older[key] = plan_of(await versions.snapshot(*key)).lines
        plans[claim["id"]] = older[key]
    return plans


def weighted_split(total: int, weights: Sequence[int], residual: int) -> list[int]:
    """`total` split in proportion to `weights`, half-up; the line at `residual` takes the
    remainder, so the parts add up to the total exactly."""
    whole = sum(weights)
    parts = []
    for weight in weights:
        if not whole:
            parts.append(0)
            continue
        quotient, remainder = divmod(total * weight, whole)
        parts.append(quotient + (2 * remainder >= whole))
    if parts:
        parts[residual] = total - (sum(parts) - parts[residual])
    return parts


def _residual_index(lines: Sequence[PlanLine]) -> int:
    return next((i for i, ln in enumerate(lines) if ln.residual), len(lines) - 1)


def claim_lines(
    lines: Sequence[PlanLine], kind: ClaimKind, partner_id: int | None
) -> list[PlanLine]:
    """The plan lines a claim of this kind is split over."""
    if kind == ClaimKind.ADVANCE:
        return [ln for ln in lines if ln.kind in FUNDER_KINDS and ln.base != FundingBase.INELIGIBLE]
    if kind == ClaimKind.PARTNER_REPORT:
        return [
            ln
            for ln in lines
            if ln.base == FundingBase.PARTNER_BUDGET and ln.partner_id == partner_id
        ]
    return [ln for ln in lines if ln.base != FundingBase.INELIGIBLE]


def split_claim(
    lines: Sequence[PlanLine],
    kind: ClaimKind,
    partner_id: int | None,
    by_partner: dict[int | None, int],
) -> list[tuple[PlanLine, int]]:
    """An amount split over the claim's plan lines, computed on the total: `by_partner` is the
    amount (eligible, or approved) by the partner its expenditures are of (None: the project's
    own); an advance's amount is given under None."""
    chosen = claim_lines(lines, kind, partner_id)
    total = sum(by_partner.values())
    if kind == ClaimKind.ADVANCE:
        weights = [ln.amount or 0 for ln in chosen]
        amounts = weighted_split(total, weights, _residual_index(chosen))
        return list(zip(chosen, amounts, strict=True))
    if kind == ClaimKind.PARTNER_REPORT:
        bases = {(FundingBase.PARTNER_BUDGET, partner_id): total}
    else:
        bases = {(FundingBase.ELIGIBLE, None): total} | {
            (FundingBase.PARTNER_BUDGET, p): amount
            for p, amount in by_partner.items()
            if p is not None
        }
    amounts = split(chosen, bases)
    return [(ln, amounts[ln.id]) for ln in chosen]


def funder_part(split_lines: Sequence[tuple[PlanLine, int]]) -> int:
    """What the funder pays of a split: its EU-fund and state-budget lines."""
    return sum(amount for ln, amount in split_lines if ln.kind in FUNDER_KINDS)


_ITEM_COLUMNS = (
    ClaimItem.id,
    ClaimItem.claim,
    ClaimItem.expenditure,
    ClaimItem.entry_no,
    ClaimItem.eligible,
    ClaimItem.deducted,
    ClaimItem.reason,
    ClaimItem.error_type,
    ClaimItem.parked,
    ClaimItem.expenditure.spent_on.as_alias("spent_on"),
    ClaimItem.expenditure.supplier.as_alias("supplier"),
    ClaimItem.expenditure.invoice_number.as_alias("invoice_number"),
    ClaimItem.expenditure.category.as_alias("category"),
    ClaimItem.expenditure.partner.as_alias("partner"),
    ClaimItem.expenditure.amount.as_alias("amount"),
)


def _item(r: dict) -> ItemRow:
    return ItemRow(
        id=r["id"],
        expenditure_id=r["expenditure"],
        entry_no=r["entry_no"],
        spent_on=r["spent_on"],
        supplier=r["supplier"] or "",
        invoice_number=r["invoice_number"] or "",
        category=r["category"] or "",
        partner_id=r["partner"],
        amount=r["amount"] or 0,
        eligible=r["eligible"],
        deducted=r["deducted"],
        reason=r["reason"],
        error_type=r["error_type"],
        parked=r["parked"],
    )


def _by_partner(items: Sequence[ItemRow], amount) -> dict[int | None, int]:
    sums: dict[int | None, int] = defaultdict(int)
    for item in items:
        sums[item.partner_id] += amount(item)
    return dict(sums)


def build_row(
    claim: dict, items: list[ItemRow], payments: list[PaymentRow], lines: Sequence[PlanLine]
) -> ClaimRow:
    """A ClaimRow from its stored parts and the project's plan lines (no query)."""
    kind, status = ClaimKind(claim["kind"]), ClaimStatus(claim["status"])
    partner_id = claim["partner"]
    approved = claim["approved"]
    paid_by_source: dict[str, int] = defaultdict(int)
    for payment in payments:
        paid_by_source[payment.source] += payment.amount
    if kind == ClaimKind.ADVANCE:
        eligible = 0
        requested_split = split_claim(lines, kind, partner_id, {None: claim["requested"] or 0})
        approved_split = (
            None if approved is None else split_claim(lines, kind, partner_id, {None: approved})
        )
    else:
        eligible = sum(i.eligible for i in items)
        requested_split = split_claim(lines, kind, partner_id, _by_partner(items, _eligible))
        approved_split = (
            None
            if approved is None
            else split_claim(lines, kind, partner_id, _by_partner(items, _approved))
        )
    approved_by_line = {ln.id: amount for ln, amount in approved_split or []}
    sources = [
        ClaimSource(
            source=ln.source,
            kind=FundingKind(ln.kind),
            requested=amount,
            approved=approved_by_line.get(ln.id) if approved_split is not None else None,
            paid=paid_by_source.get(ln.source, 0),
        )
        for ln, amount in requested_split
    ]
    advance_cleared = claim["advance_clear"] or 0
    if kind == ClaimKind.ADVANCE:
        requested, due = claim["requested"] or 0, approved
    else:
        requested = funder_part(requested_split)
        due = (
            None
            if approved_split is None
            else max(funder_part(approved_split) - advance_cleared, 0)
        )
    paid = sum(p.amount for p in payments)
    return ClaimRow(
        id=claim["id"],
        project_id=claim["project"],
        partner_id=partner_id,
        number=claim["number"],
        kind=kind,
        status=status,
        period_start=claim["period_start"],
        period_end=claim["period_end"],
        requested=requested,
        advance_cleared=advance_cleared,
        items=items,
        eligible=eligible,
        sources=sources,
        approved=approved,
        deducted=sum(i.deducted for i in items),
        due=due,
        paid=paid,
        outstanding=None if due is None else due - paid,
        payments=payments,
        reason=claim["reason"],
        submitted_at=claim["submitted_at"],
        decided_at=claim["decided_at"],
        created_at=claim["created_at"],
        contract_version=claim.get("contract_version"),
    )


def _eligible(item: ItemRow) -> int:
    return item.eligible


def _approved(item: ItemRow) -> int:
    return item.approved


async def _rows(claims: list[dict]) -> list[ClaimRow]:
    """Claims with their items, payments and plans: three queries more, whatever the number."""
    if not claims:
        return []
    ids = [c["id"] for c in claims]
    items: dict[int, list[ItemRow]] = defaultdict(list)
    for r in await (
        ClaimItem.select(*_ITEM_COLUMNS)
        .where(ClaimItem.claim.is_in(ids))
        .order_by(ClaimItem.entry_no)
    ):
        items[r["claim"]].append(_item(r))
    payments: dict[int, list[PaymentRow]] = defaultdict(list)
    for r in await (
        ClaimPayment.select()
        .where(ClaimPayment.claim.is_in(ids))
        .order_by(ClaimPayment.paid_on)
        .order_by(ClaimPayment.id)
    ):
        payments[r["claim"]].append(PaymentRow(r["id"], r["paid_on"], r["source"], r["amount"]))
    plans = await claim_plans(claims)
    return [build_row(c, items[c["id"]], payments[c["id"]], plans[c["id"]]) for c in claims]


def _readable(principal: Principal, project_id: int) -> None:
    """Other projects' claims are not found, like missing ones."""
    if not principal.can_read_project(project_id):
        raise NotFound()
    principal.require(Action.READ, project_id)


async def claim_record(claim_id: int) -> dict:
    """The stored claim; NotFound for an unknown id. No access check: for this package."""
    if not possible_id(claim_id):
        raise NotFound()
    return await first_or_not_found(Claim.select().where(Claim.id == claim_id))


async def load_claim(claim_id: int) -> ClaimRow:
    """The claim computed, without an access check: for this package and its documents."""
    return (await _rows([await claim_record(claim_id)]))[0]


async def get_claim(principal: Principal, claim_id: int) -> ClaimRow:
    """One claim; NotFound for an unknown id or another project's claim."""
    record = await claim_record(claim_id)
    _readable(principal, record["project"])
    return (await _rows([record]))[0]


async def list_claims(
    principal: Principal, project_id: int, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> Paged[ClaimRow]:
    """A page of the project's claims by number; NotFound for a project the reader does not
    have (or no such project). A page beyond the last is empty."""
    if not possible_id(project_id) or not await Project.exists().where(Project.id == project_id):
        raise NotFound()
    _readable(principal, project_id)
    where = Claim.project == project_id
    total = await Claim.count().where(where)
    claims = await (
        Claim.select()
        .where(where)
        .order_by(Claim.number)
        .limit(per_page)
        .offset(offset(page, per_page))
    )
    return Paged(await _rows(claims), total, page, per_page)


# Advances


async def advance_position(project_id: int, *, leave_out: int | None = None) -> tuple[int, int]:
    """(received, cleared) of the project's advances: paid on advance claims, and cleared by
    its other claims that are not rejected (leaving out the claim `leave_out`). Two sums."""
    received = await (
        ClaimPayment.select(Sum(ClaimPayment.amount, alias="total"))
        .where(
            (ClaimPayment.claim.project == project_id)
            & (ClaimPayment.claim.kind == ClaimKind.ADVANCE)
        )
        .first()
    )
    query = Claim.select(Sum(Claim.advance_clear, alias="total")).where(
        (Claim.project == project_id)
        & (Claim.kind != ClaimKind.ADVANCE)
        & (Claim.status != ClaimStatus.REJECTED)
    )
    if leave_out is not None:
        query = query.where(Claim.id != leave_out)
    cleared = await query.first()
    return int(received["total"] or 0), int(cleared["total"] or 0)


# Preparing a draft


@dataclass(frozen=True)
class ClaimInput:
    """A new claim as typed or sent: dates ISO or dd.mm.yyyy, amounts as decimal strings.
    `amount`: an advance's; `advance_clear`: empty for the default (interim and partner report:
    the received advance not yet cleared, up to what the claim asks from the funder; final:
    all of it); `partner_id`: a partner report's partner."""

    kind: str
    period_start: str | date | None
    period_end: str | date | None
    amount: str | None = None
    advance_clear: str | None = None
    partner_id: int | None = None


@dataclass(frozen=True)
class ClaimChanges:
    """What a draft or returned claim may change; None keeps the value (advance_clear: None
    recomputes the default). The items are taken again for the period."""

    period_start: str | date | None = None
    period_end: str | date | None = None
    amount: str | None = None
    advance_clear: str | None = None


async def lock_project(project_id: int) -> None:
    """Hold the project's row until the transaction ends, so that two claims cannot take the
    same entry or clear the same advance at once (PostgreSQL; SQLite's write transaction
    already keeps other writers out)."""
    await for_update(
        Project.select(Project.id).where(Project.id == project_id), strength="NO KEY UPDATE"
    )


def held_entries(project_id: int, claim_id: int | None):
    """A sub-select of the entry numbers other claims hold: not rejected, the item not parked."""
    query = ClaimItem.select(ClaimItem.entry_no).where(
        (ClaimItem.project == project_id)
        & (ClaimItem.parked.eq(False))
        & (ClaimItem.claim.status != ClaimStatus.REJECTED)
    )
    if claim_id is not None:
        query = query.where(ClaimItem.claim != claim_id)
    return query


async def claimable(
    project_id: int,
    kind: ClaimKind,
    partner_id: int | None,
    start: date,
    end: date,
    claim_id: int | None = None,
) -> list[dict]:
    """The current expenditures a claim of this kind and period takes (id, entry_no,
    eligible_amount, partner): an eligible part, dated in the period, held by no other claim."""
    where = (
        (Expenditure.project == project_id)
        & (Expenditure.state == RecordState.CURRENT)
        & (Expenditure.eligible_amount > 0)
        & (Expenditure.spent_on >= start)
        & (Expenditure.spent_on <= end)
        & Expenditure.entry_no.not_in(held_entries(project_id, claim_id))
    )
    if kind == ClaimKind.PARTNER_REPORT:
        where &= Expenditure.partner == partner_id
    return await (
        Expenditure.select(
            Expenditure.id, Expenditure.entry_no, Expenditure.eligible_amount, Expenditure.partner
        )
        .where(where)
        .order_by(Expenditure.entry_no)
    )


@dataclass(frozen=True)
class _Checked:
    kind: ClaimKind
    start: date
    end: date
    amount: int | None
    advance_clear: int | None  # None: the default
    partner_id: int | None


async def _check(
    project_id: int,
    kind: str | None,
    start_text: str | date | None,
    end_text: str | date | None,
    amount_text: str | None,
    clear_text: str | None,
    partner_id: int | None,
) -> _Checked:
    problems = Problems()
    kind_value = None
    if blank(kind):
        problems.add(_KIND_REQUIRED, "kind")
    else:
        kind_value = problems.choice(str(kind).strip(), list(ClaimKind), "kind")
    start = problems.date(start_text, "period_start", required=_START_REQUIRED)
    end = problems.date(end_text, "period_end", required=_END_REQUIRED)
    project_start, project_end = await project_dates(project_id)
    if start is not None:
        problems.within_project(start, project_start, project_end, "period_start")
    if end is not None:
        problems.within_project(end, project_start, project_end, "period_end")
    if start is not None and end is not None and end < start:
        problems.add(_END_BEFORE_START, "period_end", start=day_str(start), end=day_str(end))
    amount = None
    if kind_value == ClaimKind.ADVANCE:
        if blank(amount_text):
            problems.add(_AMOUNT_REQUIRED, "amount")
        else:
            amount = problems.cents(amount_text, "amount")
            if amount is not None and amount <= 0:
                problems.add(_AMOUNT_POSITIVE, "amount")
        if not blank(clear_text) and problems.cents(clear_text, "advance_clear") != 0:
            problems.add(_ADVANCE_NO_CLEAR, "advance_clear")
    elif kind_value is not None and not blank(amount_text):
        problems.add(_AMOUNT_ONLY_ADVANCE, "amount")
    clear = None
    if kind_value != ClaimKind.ADVANCE and not blank(clear_text):
        clear = problems.cents(clear_text, "advance_clear")
        if clear is not None and clear < 0:
            problems.add(_CLEAR_NEGATIVE, "advance_clear")
    if kind_value == ClaimKind.PARTNER_REPORT:
        if partner_id is None:
            problems.add(_PARTNER_REQUIRED, "partner_id")
        elif not (
            possible_id(partner_id)
            and await Partner.exists().where(
                (Partner.id == partner_id) & (Partner.project == project_id)
            )
        ):
            problems.add(_PARTNER_UNKNOWN, "partner_id")
    elif partner_id is not None:
        problems.add(_PARTNER_ONLY_REPORT, "partner_id")
    if kind_value == ClaimKind.PARTNER_REPORT and start is not None and end is not None:
        last = add_months(start, PARTNER_REPORT_MONTHS) - timedelta(days=1)
        if end > last:
            problems.add(_REPORT_TOO_LONG, "period_end", start=day_str(start), last=day_str(last))
    problems.raise_if_any()
    assert kind_value is not None and start is not None and end is not None
    return _Checked(ClaimKind(kind_value), start, end, amount, clear, partner_id)


async def _take(project_id: int, checked: _Checked, claim_id: int | None) -> tuple[list[dict], int]:
    """The expenditures the claim takes and the advance it clears, refused when there is
    nothing to take or more advance would be cleared than received."""
    if checked.kind == ClaimKind.ADVANCE:
        return [], 0
    taken = await claimable(
        project_id, checked.kind, checked.partner_id, checked.start, checked.end, claim_id
    )
    problems = Problems()
    if not taken:
        problems.add(
            _NOTHING_TO_CLAIM,
            "period_start",
            start=day_str(checked.start),
            end=day_str(checked.end),
        )
        problems.raise_if_any(conflict=True)
    lines = (await claim_plans([{"id": 0, "project": project_id, "period_end": checked.end}]))[0]
    by_partner: dict[int | None, int] = defaultdict(int)
    for row in taken:
        by_partner[row["partner"]] += row["eligible_amount"]
    requested = funder_part(split_claim(lines, checked.kind, checked.partner_id, by_partner))
    received, cleared = await advance_position(project_id, leave_out=claim_id)
    uncleared = max(received - cleared, 0)
    clear = checked.advance_clear
    if clear is None:
        clear = uncleared if checked.kind == ClaimKind.FINAL else min(uncleared, requested)
    if clear > uncleared:
        problems.add(
            _CLEAR_ABOVE_RECEIVED,
            "advance_clear",
            clear=cents_to_str(clear),
            uncleared=cents_to_str(uncleared),
        )
    elif checked.kind != ClaimKind.FINAL and clear > requested:
        problems.add(
            _CLEAR_ABOVE_CLAIM,
            "advance_clear",
            clear=cents_to_str(clear),
            requested=cents_to_str(requested),
        )
    problems.raise_if_any(conflict=True)
    return taken, clear


async def _store_items(project_id: int, claim_id: int, taken: list[dict]) -> None:
    await ClaimItem.delete().where(ClaimItem.claim == claim_id)
    if taken:
        await ClaimItem.insert(
            *(
                ClaimItem(
                    claim=claim_id,
                    project=project_id,
                    entry_no=row["entry_no"],
                    expenditure=row["id"],
                    eligible=row["eligible_amount"],
                )
                for row in taken
            )
        )


def snapshot(row: ClaimRow) -> dict:
    """The claim for the audit trail: JSON-able, amounts as decimal strings, dates ISO."""
    return {
        "number": row.number,
        "kind": str(row.kind),
        "status": str(row.status),
        "partner_id": row.partner_id,
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "requested": money_str(row.requested),
        "eligible": money_str(row.eligible),
        "advance_cleared": money_str(row.advance_cleared),
        "approved": money_str(row.approved),
        "deducted": money_str(row.deducted),
        "paid": money_str(row.paid),
        "entries": [i.entry_no for i in row.items],
        "contract_version": row.contract_version,
    }


def require_project_access(principal: Principal, action: Action, project_id: int) -> None:
    """NotFound for another project's claim, AccessDenied for a role that may not act."""
    _readable(principal, project_id)
    principal.require(action, project_id)


async def create_claim(principal: Principal, project_id: int, data: ClaimInput) -> ClaimRow:
    """A draft claim numbered after the project's last one, taking its items (advance: none).
    Refused with every problem, nothing written."""
    if not possible_id(project_id) or not await Project.exists().where(Project.id == project_id):
        raise NotFound()
    require_project_access(principal, Action.PREPARE_CLAIM, project_id)
    async with write_transaction():
        await lock_project(project_id)
        checked = await _check(
            project_id,
            data.kind,
            data.period_start,
            data.period_end,
            data.amount,
            data.advance_clear,
            data.partner_id,
        )
        taken, clear = await _take(project_id, checked, None)
        last = await (
            Claim.select(Claim.number)
            .where(Claim.project == project_id)
            .order_by(Claim.number, ascending=False)
            .first()
        )
        claim_id = await insert_one(
            Claim,
            project=project_id,
            partner=checked.partner_id,
            number=(last["number"] if last else 0) + 1,
            kind=checked.kind,
            status=ClaimStatus.DRAFT,
            period_start=checked.start,
            period_end=checked.end,
            requested=checked.amount,
            advance_clear=clear,
            created_by=principal.user_id,
        )
        await _store_items(project_id, claim_id, taken)
        row = await load_claim(claim_id)
        await audit.record(
            "create", ENTITY, claim_id, actor=principal, project_id=project_id, after=snapshot(row)
        )
    return row


def not_editable(record: dict) -> Refused:
    return Refused.one(
        NOT_EDITABLE,
        field="status",
        conflict=True,
        number=record["number"],
        status=record["status"],
    )


async def update_claim(principal: Principal, claim_id: int, data: ClaimChanges) -> ClaimRow:
    """Change a draft or returned claim's period, amount or advance cleared; its items are
    taken again. Refused for a submitted, approved, paid or rejected claim."""
    record = await claim_record(claim_id)
    project_id = record["project"]
    require_project_access(principal, Action.PREPARE_CLAIM, project_id)
    async with write_transaction():
        await lock_project(project_id)
        record = await claim_record(claim_id)
        if record["status"] not in EDITABLE:
            raise not_editable(record)
        before = await load_claim(claim_id)
        kind = ClaimKind(record["kind"])
        amount = data.amount
        if amount is None and kind == ClaimKind.ADVANCE:
            amount = cents_to_str(record["requested"] or 0)
        checked = await _check(
            project_id,
            kind,
            data.period_start if data.period_start is not None else record["period_start"],
            data.period_end if data.period_end is not None else record["period_end"],
            amount,
            data.advance_clear,
            record["partner"],
        )
        taken, clear = await _take(project_id, checked, claim_id)
        await Claim.update(
            {
                Claim.period_start: checked.start,
                Claim.period_end: checked.end,
                Claim.requested: checked.amount,
                Claim.advance_clear: clear,
            }
        ).where(Claim.id == claim_id)
        if kind != ClaimKind.ADVANCE:
            await _store_items(project_id, claim_id, taken)
        row = await load_claim(claim_id)
        await audit.record(
            "update",
            ENTITY,
            claim_id,
            actor=principal,
            project_id=project_id,
            before=snapshot(before),
            after=snapshot(row),
        )
    return row


# Totals for the portfolio and project pages


@dataclass(frozen=True)
class ClaimTotals:
    """A project's claims added up, in cents. `claimed`: the eligible total of claims sent to
    the funder (submitted, approved, paid); `approved`: of approved and paid claims;
    `received`: every payment, advances included; `outstanding`: what approved claims still
    await; `advance_received` and `advance_uncleared`: the advances paid, and their part no
    claim sent to the funder clears yet (a draft's clearing is only planned); `drafts`: claims
    being prepared or returned."""

    claimed: int = 0
    approved: int = 0
    received: int = 0
    outstanding: int = 0
    advance_received: int = 0
    advance_uncleared: int = 0
    drafts: int = 0


async def claim_totals(project_ids: Sequence[int]) -> dict[int, ClaimTotals]:
    """Per project its claim totals; projects without claims are left out. Grouped queries for
    them all, whatever the number of claims; callers check access."""
    if not project_ids:
        return {}
    ids = list(project_ids)
    grouped = await Claim.raw(
        "SELECT project, kind, status, COUNT(*) AS n, SUM(COALESCE(eligible, 0)) AS eligible,"
        " SUM(COALESCE(approved, 0)) AS approved, SUM(advance_clear) AS cleared"
        f" FROM claim WHERE project IN ({marks(ids)})"
        " GROUP BY project, kind, status",
        *ids,
    )
    paid = await ClaimPayment.raw(
        "SELECT c.project AS project, c.kind AS kind, SUM(p.amount) AS amount"
        " FROM claim_payment p JOIN claim c ON c.id = p.claim"
        f" WHERE c.project IN ({marks(ids)}) GROUP BY c.project, c.kind",
        *ids,
    )
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in grouped:
        s, kind, status = sums[r["project"]], r["kind"], r["status"]
        if status in (ClaimStatus.DRAFT, ClaimStatus.RETURNED):
            s["drafts"] += int(r["n"])
        if kind != ClaimKind.ADVANCE and status in FROZEN:
            s["claimed"] += int(r["eligible"])
        if kind != ClaimKind.ADVANCE and status in DECIDED:
            s["approved"] += int(r["approved"])
        if kind != ClaimKind.ADVANCE and status in FROZEN:
            s["cleared"] += int(r["cleared"])
    for r in paid:
        s = sums[r["project"]]
        s["received"] += int(r["amount"])
        if r["kind"] == ClaimKind.ADVANCE:
            s["advance_received"] += int(r["amount"])
    outstanding = await _outstanding(ids)
    return {
        pid: ClaimTotals(
            claimed=s["claimed"],
            approved=s["approved"],
            received=s["received"],
            outstanding=outstanding.get(pid, 0),
            advance_received=s["advance_received"],
            advance_uncleared=max(s["advance_received"] - s["cleared"], 0),
            drafts=s["drafts"],
        )
        for pid, s in sums.items()
    }


async def _outstanding(project_ids: list[int]) -> dict[int, int]:
    """What approved (not yet fully paid) claims await, per project: those claims computed
    together, a fixed number of queries."""
    claims = await Claim.raw(
        f"SELECT * FROM claim WHERE project IN ({marks(project_ids)}) AND status = {{}}",
        *project_ids,
        ClaimStatus.APPROVED.value,
    )
    result: dict[int, int] = defaultdict(int)
    for row in await _rows(claims):
        result[row.project_id] += row.outstanding or 0
    return dict(result)
