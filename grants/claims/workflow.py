"""A claim's way through the funder: draft → submitted → approved → paid; a submitted claim
may be returned for correction (and submitted again) or rejected.

Finance (or an administrator) submits and records the funder's answer. Submission fixes each
item's expenditure version and eligible amount, and the claim's eligible total; from then on
the expenditures are frozen until the claim is returned or rejected. Approval takes deductions
(approved = eligible − deducted); a deduction either stays (it falls to the municipality in the
co-financing check) or parks the item, which leaves this claim whole and may be taken into a
later one. Payments add up to what is due; the claim is paid when nothing is outstanding.
Every step is refused with all its problems and nothing written, and recorded in the audit
trail.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from grants.claims.claims import (
    ALREADY_CLAIMED,
    EDITABLE,
    ENTITY,
    ClaimRow,
    advance_position,
    claim_record,
    held_entries,
    load_claim,
    lock_project,
    not_editable,
    require_project_access,
    snapshot,
    weighted_split,
)
from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.errors import Problem, Problems, Refused, blank
from grants.core.money import cents_to_str
from grants.core.translatable import N_
from grants.core.vocabulary import ClaimKind, ClaimStatus, RecordState
from grants.db import insert_one, write_transaction
from grants.modifications.versions import contracts_on
from grants.tables.claims import Claim, ClaimItem, ClaimPayment
from grants.tables.expenditures import Expenditure

_REASON_REQUIRED = N_("Give a reason.")
_NOT_A_DRAFT = N_(
    "Claim No. %(number)s is “%(status)s”; only a draft never sent to the funder can be discarded."
)
_NOT_SUBMITTED = N_(
    "Claim No. %(number)s is “%(status)s”; only a submitted claim can be approved, returned"
    " or rejected."
)
_NOT_PAYABLE = N_("Claim No. %(number)s is “%(status)s”; only an approved claim can be paid.")
_NOTHING_LEFT = N_(
    "None of the claim's expenditures can still be claimed (changed, cancelled or moved out of"
    " its period); update the claim."
)
_FINAL_UNCLEARED = N_(
    "A final claim cannot be submitted while %(uncleared)s of advance is not cleared; clear"
    " it on this claim."
)
_CLEARED_ABOVE_RECEIVED = N_(
    "The claims clear %(cleared)s of advance, more than the %(received)s received; lower"
    " the advance this claim clears."
)
_NO_DEDUCTIONS_ON_ADVANCE = N_("An advance has no expenditures to deduct from.")
_NOT_AN_ITEM = N_("Expenditure %(id)s is not in this claim.")
_DEDUCTED_TWICE = N_("Expenditure %(id)s is given twice; give one deduction per expenditure.")
_DEDUCTION_NEGATIVE = N_("A deduction cannot be negative.")
_DEDUCTION_ABOVE = N_(
    "The deduction (%(amount)s) is more than the expenditure's eligible amount (%(eligible)s)."
)
_DEDUCTION_REASON = N_("Give the reason for the deduction.")
_DATE_REQUIRED = N_("Enter the payment date.")
_PAY_AMOUNT_REQUIRED = N_("Enter the amount paid, in total or per source.")
_PAY_BOTH = N_("Give the amount paid in total or per source, not both.")
_PAY_POSITIVE = N_("The amount paid must be more than zero.")
_PAY_ABOVE = N_("The payment (%(amount)s) is more than what is outstanding (%(outstanding)s).")
_PAY_SOURCE_UNKNOWN = N_("“%(source)s” is not a source the funder pays on this claim.")
_PAY_SOURCE_TWICE = N_("“%(source)s” is given twice.")


def _status_problem(message: str, record: dict) -> Refused:
    return Refused.one(
        message, field="status", conflict=True, number=record["number"], status=record["status"]
    )


async def _open(principal: Principal, claim_id: int, action: Action) -> dict:
    """The claim, checked for access and locked with its project for the change."""
    record = await claim_record(claim_id)
    require_project_access(principal, action, record["project"])
    await lock_project(record["project"])
    return await claim_record(claim_id)


async def _record_status(
    principal: Principal, before: ClaimRow, after: ClaimRow, action: str, note: str = ""
) -> None:
    await audit.record(
        action,
        ENTITY,
        after.id,
        actor=principal,
        project_id=after.project_id,
        before=snapshot(before),
        after=snapshot(after),
        note=note,
    )


# Each kept item takes its entry's current version and eligible amount, in one statement
# whatever the number of items (every kept entry has exactly one current version).
_FIX_ITEMS = """
UPDATE claim_item SET
    expenditure = (SELECT e.id FROM expenditure e WHERE e.project = claim_item.project
        AND e.entry_no = claim_item.entry_no AND e.state = {}),
    eligible = (SELECT e.eligible_amount FROM expenditure e WHERE e.project = claim_item.project
        AND e.entry_no = claim_item.entry_no AND e.state = {0})
WHERE claim = {}
"""


async def submit_claim(principal: Principal, claim_id: int) -> ClaimRow:
    """Send a draft or returned claim to the funder: each item takes its entry's current
    version and eligible amount (entries cancelled, without an eligible part or moved out of
    the period leave the claim); a final claim needs every received advance cleared. The
    claim records the contract version in force at the end of its period, whose plan splits
    it (`claims.claim_plans`)."""
    async with write_transaction():
        record = await _open(principal, claim_id, Action.PREPARE_CLAIM)
        if record["status"] not in EDITABLE:
            raise not_editable(record)
        before = await load_claim(claim_id)
        kind, project_id = ClaimKind(record["kind"]), record["project"]
        problems: list[Problem] = []
        kept: list[tuple[int, dict]] = []
        if kind != ClaimKind.ADVANCE:
            kept, problems = await _current_items(record, before)
        received, cleared = await advance_position(project_id)
        if cleared > received:
            problems.append(
                Problem(
                    _CLEARED_ABOVE_RECEIVED,
                    "advance_clear",
                    {"cleared": cents_to_str(cleared), "received": cents_to_str(received)},
                )
            )
        elif kind == ClaimKind.FINAL and received > cleared:
            problems.append(
                Problem(
                    _FINAL_UNCLEARED,
                    "advance_clear",
                    {"uncleared": cents_to_str(received - cleared)},
                )
            )
        if problems:
            raise Refused(problems, conflict=True)
        if kind != ClaimKind.ADVANCE:
            kept_ids = [item_id for item_id, _ in kept]
            await ClaimItem.delete().where(
                (ClaimItem.claim == claim_id) & ClaimItem.id.not_in(kept_ids or [0])
            )
            current = RecordState.CURRENT.value
            await ClaimItem.raw(_FIX_ITEMS, current, current, claim_id)
        await Claim.update(
            {
                Claim.status: ClaimStatus.SUBMITTED,
                Claim.eligible: sum(row["eligible_amount"] for _, row in kept),
                Claim.reason: "",
                Claim.submitted_at: datetime.now().astimezone(),
                Claim.contract_version: (await contracts_on(project_id, [record["period_end"]]))[
                    0
                ].number,
            }
        ).where(Claim.id == claim_id)
        after = await load_claim(claim_id)
        await _record_status(principal, before, after, "submit")
    return after


async def _current_items(
    record: dict, claim: ClaimRow
) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """Each item with its entry's current row, if that still belongs in the claim, and the
    problems: entries another claim holds, or none left."""
    project_id = record["project"]
    entries = [i.entry_no for i in claim.items]
    where = (
        (Expenditure.project == project_id)
        & (Expenditure.state == RecordState.CURRENT)
        & Expenditure.entry_no.is_in(entries or [0])
    )
    current = {
        r["entry_no"]: r
        for r in await Expenditure.select(
            Expenditure.id,
            Expenditure.entry_no,
            Expenditure.eligible_amount,
            Expenditure.spent_on,
            Expenditure.partner,
        ).where(where)
    }
    held = {
        r["entry_no"]
        for r in await held_entries(project_id, claim.id).where(
            ClaimItem.entry_no.is_in(entries or [0])
        )
    }
    kept = []
    for item in claim.items:
        row = current.get(item.entry_no)
        if (
            row is None
            or row["eligible_amount"] <= 0
            or not record["period_start"] <= row["spent_on"] <= record["period_end"]
            or (
                ClaimKind(record["kind"]) == ClaimKind.PARTNER_REPORT
                and row["partner"] != record["partner"]
            )
        ):
            continue
        kept.append((item.id, row))
    problems = []
    if held:
        problems.append(
            Problem(ALREADY_CLAIMED, "items", {"entries": ", ".join(map(str, sorted(held)))})
        )
    elif not kept:
        problems.append(Problem(_NOTHING_LEFT, "items"))
    return kept, problems


async def _decide(
    principal: Principal, claim_id: int, target: ClaimStatus, reason: str, action: str
) -> ClaimRow:
    """Return or reject a submitted claim, with the funder's reason."""
    reason = (reason or "").strip()
    async with write_transaction():
        record = await _open(principal, claim_id, Action.DECIDE_CLAIM)
        problems = Problems()
        if not reason:
            problems.add(_REASON_REQUIRED, "reason")
        problems.plain(reason, "reason", multiline=True)
        if record["status"] != ClaimStatus.SUBMITTED:
            raise _status_problem(_NOT_SUBMITTED, record)
        problems.raise_if_any()
        before = await load_claim(claim_id)
        changes: dict = {Claim.status: target, Claim.reason: reason}
        if target == ClaimStatus.REJECTED:
            changes[Claim.decided_at] = datetime.now().astimezone()
        await Claim.update(changes).where(Claim.id == claim_id)
        after = await load_claim(claim_id)
        await _record_status(principal, before, after, action, reason)
    return after


async def return_claim(principal: Principal, claim_id: int, reason: str) -> ClaimRow:
    """The funder sends the claim back for correction: it may be changed and submitted again,
    and its expenditures may be corrected meanwhile."""
    return await _decide(principal, claim_id, ClaimStatus.RETURNED, reason, "return")


async def reject_claim(principal: Principal, claim_id: int, reason: str) -> ClaimRow:
    """The funder refuses the claim: its expenditures are free for another claim, and the
    advance it cleared is uncleared again."""
    return await _decide(principal, claim_id, ClaimStatus.REJECTED, reason, "reject")


async def discard_claim(principal: Principal, claim_id: int, reason: str) -> None:
    """Remove a draft prepared by mistake, so the expenditures it held are free for another
    claim. Only a draft never submitted: the funder never saw its number. The audit trail
    keeps the whole claim and the reason."""
    reason = (reason or "").strip()
    async with write_transaction():
        record = await _open(principal, claim_id, Action.PREPARE_CLAIM)
        problems = Problems()
        if not reason:
            problems.add(_REASON_REQUIRED, "reason")
        problems.plain(reason, "reason", multiline=True)
        if record["status"] != ClaimStatus.DRAFT or record["submitted_at"] is not None:
            raise _status_problem(_NOT_A_DRAFT, record)
        problems.raise_if_any()
        before = await load_claim(claim_id)
        await Claim.delete().where(Claim.id == claim_id)  # its items go with it
        await audit.record(
            "discard",
            ENTITY,
            claim_id,
            actor=principal,
            project_id=before.project_id,
            before=snapshot(before),
            note=reason,
        )


@dataclass(frozen=True)
class DeductionInput:
    """What the funder (or controller) did not accept of one item: `amount` as a decimal
    string, why, and the error type (Jems' typology). A parked item leaves this claim whole
    (`amount` may be empty) and can be taken into a later claim."""

    expenditure_id: int
    amount: str | None
    reason: str = ""
    error_type: str = ""
    parked: bool = False


def _deductions(
    claim: ClaimRow, deductions: Sequence[DeductionInput], problems: Problems
) -> dict[int, tuple[int, DeductionInput]]:
    """Each item's deduction in cents by item id, adding a problem for every wrong one."""
    if claim.kind == ClaimKind.ADVANCE and deductions:
        problems.add(_NO_DEDUCTIONS_ON_ADVANCE, "deductions")
        return {}
    items = {i.expenditure_id: i for i in claim.items if i.expenditure_id is not None}
    found: dict[int, tuple[int, DeductionInput]] = {}
    seen: set[int] = set()
    for n, deduction in enumerate(deductions):
        field = f"deductions[{n}]"
        item = items.get(deduction.expenditure_id)
        if item is None:
            problems.add(_NOT_AN_ITEM, f"{field}.expenditure_id", id=deduction.expenditure_id)
            continue
        if deduction.expenditure_id in seen:
            problems.add(_DEDUCTED_TWICE, f"{field}.expenditure_id", id=deduction.expenditure_id)
            continue
        seen.add(deduction.expenditure_id)
        reason = problems.text(
            deduction.reason, f"{field}.reason", required=_DEDUCTION_REASON, multiline=True
        )
        error_type = problems.text(
            deduction.error_type, f"{field}.error_type", limit=ClaimItem.error_type.length
        )
        if deduction.parked and blank(deduction.amount):
            amount: int | None = item.eligible
        else:
            amount = problems.cents(deduction.amount, f"{field}.amount")
        if amount is None:
            continue
        if amount < 0:
            problems.add(_DEDUCTION_NEGATIVE, f"{field}.amount")
        elif amount > item.eligible:
            problems.add(
                _DEDUCTION_ABOVE,
                f"{field}.amount",
                amount=cents_to_str(amount),
                eligible=cents_to_str(item.eligible),
            )
        cleaned = DeductionInput(item.id, None, reason, error_type, deduction.parked)
        found[item.id] = (amount, cleaned)
    return found


async def approve_claim(
    principal: Principal, claim_id: int, deductions: Sequence[DeductionInput] = ()
) -> ClaimRow:
    """Record the funder's approval: approved = eligible − deductions (an advance: its
    amount). The advance cleared is lowered to the funder's part of the approved amount if
    deductions left less; a claim with nothing due (all cleared by the advance) is settled."""
    async with write_transaction():
        record = await _open(principal, claim_id, Action.DECIDE_CLAIM)
        if record["status"] != ClaimStatus.SUBMITTED:
            raise _status_problem(_NOT_SUBMITTED, record)
        before = await load_claim(claim_id)
        problems = Problems()
        found = _deductions(before, deductions, problems)
        problems.raise_if_any()
        for item_id, (amount, deduction) in found.items():
            await ClaimItem.update(
                {
                    ClaimItem.deducted: amount,
                    ClaimItem.reason: deduction.reason,
                    ClaimItem.error_type: deduction.error_type,
                    ClaimItem.parked: deduction.parked,
                }
            ).where(ClaimItem.id == item_id)
        if before.kind == ClaimKind.ADVANCE:
            approved = before.requested
        else:
            approved = before.eligible - sum(amount for amount, _ in found.values())
        await Claim.update(
            {
                Claim.status: ClaimStatus.APPROVED,
                Claim.approved: approved,
                Claim.reason: "",
                Claim.decided_at: datetime.now().astimezone(),
            }
        ).where(Claim.id == claim_id)
        after = await load_claim(claim_id)
        if after.kind != ClaimKind.ADVANCE:
            funder_approved = sum(s.approved or 0 for s in after.sources if s.funder)
            if after.advance_cleared > funder_approved:
                await Claim.update({Claim.advance_clear: funder_approved}).where(
                    Claim.id == claim_id
                )
                after = await load_claim(claim_id)
        if after.outstanding == 0:
            await Claim.update({Claim.status: ClaimStatus.PAID}).where(Claim.id == claim_id)
            after = await load_claim(claim_id)
        await _record_status(principal, before, after, "approve")
    return after


@dataclass(frozen=True)
class SourceAmount:
    source: str
    amount: str


@dataclass(frozen=True)
class PaymentInput:
    """Money received on an approved claim: its date, and either `amount` (split over the
    sources the funder pays, in the proportion of what each has due) or the amount per
    source."""

    date: str | None
    amount: str | None = None
    sources: Sequence[SourceAmount] = ()


def _split_payment(claim: ClaimRow, amount: int) -> list[tuple[str, int]]:
    """A payment over the funder's sources in proportion to their approved parts, computed on
    the running total (what was paid before plus this), so partial payments add up exactly;
    the plan's residual line (else the last) takes the remainder."""
    funders = [s for s in claim.sources if s.funder]
    if not funders:
        return []
    weights = [s.approved or 0 for s in funders]
    residual = len(funders) - 1
    before = weighted_split(claim.paid, weights, residual)
    after = weighted_split(claim.paid + amount, weights, residual)
    return [(s.source, a - b) for s, a, b in zip(funders, after, before, strict=True)]


async def pay_claim(principal: Principal, claim_id: int, data: PaymentInput) -> ClaimRow:
    """Record a payment on an approved claim; the claim is paid when nothing is outstanding.
    Refused above what is outstanding."""
    async with write_transaction():
        record = await _open(principal, claim_id, Action.DECIDE_CLAIM)
        claim = await load_claim(claim_id)
        problems = Problems()
        day = problems.date(data.date, "date", required=_DATE_REQUIRED)
        funders = {s.source for s in claim.sources if s.funder}
        parts: list[tuple[str, int]] = []
        if not blank(data.amount) and data.sources:
            problems.add(_PAY_BOTH, "amount")
        elif not blank(data.amount):
            amount = problems.cents(data.amount, "amount")
            if amount is not None and amount <= 0:
                problems.add(_PAY_POSITIVE, "amount")
            elif amount is not None:
                parts = _split_payment(claim, amount) or []
        elif data.sources:
            seen: set[str] = set()
            for n, part in enumerate(data.sources):
                field = f"sources[{n}]"
                if part.source not in funders:
                    problems.add(_PAY_SOURCE_UNKNOWN, f"{field}.source", source=part.source)
                elif part.source in seen:
                    problems.add(_PAY_SOURCE_TWICE, f"{field}.source", source=part.source)
                seen.add(part.source)
                cents = problems.cents(part.amount, f"{field}.amount")
                if cents is not None and cents < 0:
                    problems.add(_PAY_POSITIVE, f"{field}.amount")
                elif cents is not None:
                    parts.append((part.source, cents))
            if not problems and sum(c for _, c in parts) <= 0:
                problems.add(_PAY_POSITIVE, "sources")
        else:
            problems.add(_PAY_AMOUNT_REQUIRED, "amount")
        if problems:
            raise Refused(problems.items)
        if record["status"] != ClaimStatus.APPROVED:
            raise _status_problem(_NOT_PAYABLE, record)
        total = sum(c for _, c in parts)
        outstanding = claim.outstanding or 0
        if total > outstanding:
            raise Refused.one(
                _PAY_ABOVE,
                field="amount",
                conflict=True,
                amount=cents_to_str(total),
                outstanding=cents_to_str(outstanding),
            )
        if not parts:  # a claim whose plan has no funder line: the payment stays whole
            parts = [("", total)]
        for source, cents in parts:
            if cents:
                await insert_one(
                    ClaimPayment,
                    claim=claim_id,
                    paid_on=day,
                    source=source,
                    amount=cents,
                    created_by=principal.user_id,
                )
        if total == outstanding:
            await Claim.update({Claim.status: ClaimStatus.PAID}).where(Claim.id == claim_id)
        after = await load_claim(claim_id)
        await audit.record(
            "pay",
            ENTITY,
            claim_id,
            actor=principal,
            project_id=claim.project_id,
            before=snapshot(claim),
            after=snapshot(after) | {"payment": {s: cents_to_str(c) for s, c in parts}},
        )
    return after
