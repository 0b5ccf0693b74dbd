"""Payment claims in the domain: exact splits, no double claiming, advances and their
clearance, deductions reaching the co-financing check, payments, frozen expenditures, roles,
the audit trail and the Interreg partner report."""

import asyncio
from datetime import date

import pytest

from grants.claims.claims import (
    ClaimChanges,
    ClaimInput,
    claim_totals,
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
    pay_claim,
    reject_claim,
    return_claim,
    submit_claim,
)
from grants.core.access import AccessDenied
from grants.core.errors import NotFound, Refused
from grants.core.vocabulary import ClaimStatus, Role
from grants.finance.cofinancing import cofinancing
from grants.finance.expenditures import cancel_expenditure, edit_expenditure
from grants.tables.audit import AuditEvent
from grants.tables.claims import Claim, ClaimItem, ClaimPayment
from grants.tables.projects import Partner
from tests.builders import SOCIAL_SERVICE, expenditure, invoice, outsider
from tests.helpers import principal, refusal

Q1 = ("2026-01-01", "2026-03-31")
Q2 = ("2026-04-01", "2026-06-30")


def interim(period=Q1, **changes) -> ClaimInput:
    return ClaimInput("interim", period[0], period[1], **changes)


async def written() -> tuple[int, int, int, int]:
    """Claims, items, payments and audit events, to show a refusal wrote nothing."""
    return (
        await Claim.count(),
        await ClaimItem.count(),
        await ClaimPayment.count(),
        await AuditEvent.count(),
    )


def fields(refused) -> list[str | None]:
    return [p.field for p in refused.problems]


def sources(row) -> list[tuple[str, int]]:
    return [(s.source, s.requested) for s in row.sources]


async def test_a_claim_of_1_01_splits_into_0_86_esf_and_0_15_state(families):
    finance = await principal(Role.FINANCE)
    await expenditure(families, amount="5,00", eligible_amount="1,01", vat=None)
    claim = await create_claim(finance, families, interim())
    assert (claim.number, claim.status, claim.eligible, claim.requested) == (
        1,
        ClaimStatus.DRAFT,
        101,
        101,
    )
    assert sources(claim) == [("ESF+", 86), ("Valsts budžets", 15)]
    assert [(i.entry_no, i.eligible) for i in claim.items] == [(1, 101)]
    assert (claim.approved, claim.outstanding, claim.advance_cleared) == (None, None, 0)


async def test_no_double_claiming_and_a_rejected_claim_frees_its_items(families):
    finance = await principal(Role.FINANCE)
    await expenditure(families)  # 15.03.2026, 1 000,00 eligible
    await expenditure(families, date="10.05.2026", invoice_number="BR-2")
    first = await create_claim(finance, families, ClaimInput("interim", Q1[0], Q2[1]))
    assert [i.entry_no for i in first.items] == [1, 2]
    before = await written()
    refused = await refusal(create_claim(finance, families, interim(period=Q2)))
    assert refused.conflict and fields(refused) == ["period_start"]
    assert await written() == before
    await submit_claim(finance, first.id)
    await reject_claim(finance, first.id, "Wrong period")
    second = await create_claim(finance, families, interim(period=Q2))
    assert (second.number, [i.entry_no for i in second.items]) == (2, [2])
    # an expenditure without an eligible part is never taken
    await expenditure(families, date="01.02.2026", invoice_number="BR-3", eligible_amount="0")
    third = await create_claim(finance, families, interim())
    assert [i.entry_no for i in third.items] == [1]
    assert [c.number for c in (await list_claims(finance, families)).rows] == [1, 2, 3]


async def test_the_claim_is_checked_all_at_once_and_nothing_is_written(families):
    finance = await principal(Role.FINANCE)
    before = await written()
    refused = await refusal(
        create_claim(finance, families, ClaimInput("advance", "2026-03-31", "2026-01-01"))
    )
    assert fields(refused) == ["period_end", "amount"]
    refused = await refusal(
        create_claim(finance, families, ClaimInput("partner_report", "2026-01-01", "2026-03-31"))
    )
    assert fields(refused) == ["partner_id"]
    refused = await refusal(
        create_claim(finance, families, ClaimInput("loan", "", "2026-03-31", amount="5"))
    )
    assert fields(refused) == ["kind", "period_start"]
    assert await written() == before


async def test_advance_is_received_then_cleared_never_above_what_was_received(families):
    finance = await principal(Role.FINANCE)
    advance = await create_claim(
        finance, families, ClaimInput("advance", "2026-01-01", "2026-01-31", amount="500,00")
    )
    assert (advance.requested, sources(advance)) == (
        50_000,
        [("ESF+", 42_500), ("Valsts budžets", 7_500)],
    )
    await submit_claim(finance, advance.id)
    await approve_claim(finance, advance.id)
    paid = await pay_claim(finance, advance.id, PaymentInput("2026-02-01", "300,00"))
    assert (paid.status, paid.paid, paid.outstanding) == (ClaimStatus.APPROVED, 30_000, 20_000)
    await expenditure(families)  # 1 000,00 eligible
    before = await written()
    refused = await refusal(create_claim(finance, families, interim(advance_clear="300,01")))
    assert refused.conflict and fields(refused) == ["advance_clear"]
    assert await written() == before
    claim = await create_claim(finance, families, interim())  # clears what was received
    assert (claim.advance_cleared, claim.requested) == (30_000, 100_000)
    await submit_claim(finance, claim.id)
    approved = await approve_claim(finance, claim.id)
    assert (approved.approved, approved.due, approved.outstanding) == (100_000, 70_000, 70_000)
    totals = (await claim_totals([families]))[families]
    assert (totals.advance_received, totals.advance_uncleared, totals.received) == (
        30_000,
        0,
        30_000,
    )
    assert (totals.claimed, totals.approved, totals.outstanding) == (100_000, 100_000, 90_000)
    # the advance's remaining 200,00 arrive; a final claim must clear them before submission
    await pay_claim(finance, advance.id, PaymentInput("2026-03-01", "200,00"))
    await expenditure(families, date="10.05.2026", invoice_number="BR-2", eligible_amount="50")
    final = await create_claim(
        finance, families, ClaimInput("final", Q2[0], Q2[1], advance_clear="0")
    )
    before = await written()
    refused = await refusal(submit_claim(finance, final.id))
    assert refused.conflict and fields(refused) == ["advance_clear"]
    assert await written() == before
    final = await update_claim(finance, final.id, ClaimChanges())  # the default: all that is left
    assert final.advance_cleared == 20_000
    submitted = await submit_claim(finance, final.id)
    assert submitted.status == ClaimStatus.SUBMITTED


async def test_deduction_lowers_the_approved_amount_and_falls_to_the_municipality(families):
    finance = await principal(Role.FINANCE)
    row = await expenditure(families)  # 1 234,50 of which 1 000,00 eligible
    claim = await create_claim(finance, families, interim())
    await submit_claim(finance, claim.id)
    before = await written()
    for deduction in (
        DeductionInput(row.id, "1 000,01", "Too much"),
        DeductionInput(row.id + 99, "1", "Not ours"),
        DeductionInput(row.id, "10", ""),
    ):
        await refusal(approve_claim(finance, claim.id, [deduction]))
    assert await written() == before
    approved = await approve_claim(
        finance, claim.id, [DeductionInput(row.id, "100,00", "No evidence", "missing_evidence")]
    )
    assert (approved.status, approved.eligible, approved.deducted, approved.approved) == (
        ClaimStatus.APPROVED,
        100_000,
        10_000,
        90_000,
    )
    assert [(s.source, s.approved) for s in approved.sources] == [
        ("ESF+", 76_500),
        ("Valsts budžets", 13_500),
    ]
    assert approved.items[0].error_type == "missing_evidence"
    split = await cofinancing(finance, families)
    assert [(s.source, s.to_date) for s in split.sources] == [
        ("ESF+", 76_500),
        ("Valsts budžets", 13_500),
        ("Tukuma novada pašvaldība", 23_450 + 10_000),
    ]
    assert (split.to_date.eligible, split.to_date.ineligible) == (90_000, 33_450)


async def test_payments_add_up_and_never_pass_what_is_outstanding(families):
    finance = await principal(Role.FINANCE)
    await expenditure(families, amount="5,00", eligible_amount="1,01", vat=None)
    claim = await create_claim(finance, families, interim())
    await submit_claim(finance, claim.id)
    await approve_claim(finance, claim.id)
    first = await pay_claim(finance, claim.id, PaymentInput("2026-05-01", "0,50"))
    assert (first.paid, first.outstanding) == (50, 51)
    before = await written()
    refused = await refusal(pay_claim(finance, claim.id, PaymentInput("2026-05-02", "0,52")))
    assert refused.conflict and fields(refused) == ["amount"]
    refused = await refusal(pay_claim(finance, claim.id, PaymentInput("", None)))
    assert fields(refused) == ["date", "amount"]
    refused = await refusal(
        pay_claim(finance, claim.id, PaymentInput("2026-05-02", sources=[SourceAmount("X", "1")]))
    )
    assert fields(refused) == ["sources[0].source"]
    assert await written() == before
    paid = await pay_claim(finance, claim.id, PaymentInput("2026-05-03", "0,51"))
    assert (paid.status, paid.paid, paid.outstanding) == (ClaimStatus.PAID, 101, 0)
    # split on the running total: the sources end at their approved parts exactly
    assert [(s.source, s.paid) for s in paid.sources] == [("ESF+", 86), ("Valsts budžets", 15)]
    refused = await refusal(pay_claim(finance, claim.id, PaymentInput("2026-05-04", "0,01")))
    assert refused.conflict


async def test_payment_per_source(families):
    finance = await principal(Role.FINANCE)
    await expenditure(families)
    claim = await create_claim(finance, families, interim())
    await submit_claim(finance, claim.id)
    await approve_claim(finance, claim.id)
    parts = [SourceAmount("ESF+", "850,00"), SourceAmount("Valsts budžets", "100,00")]
    paid = await pay_claim(finance, claim.id, PaymentInput("2026-05-01", sources=parts))
    assert [(s.source, s.paid) for s in paid.sources] == [
        ("ESF+", 85_000),
        ("Valsts budžets", 10_000),
    ]
    assert paid.outstanding == 5_000


async def test_expenditures_of_a_submitted_claim_are_frozen_until_it_is_returned(families):
    finance = await principal(Role.FINANCE)
    row = await expenditure(families)
    claim = await create_claim(finance, families, interim())
    await submit_claim(finance, claim.id)
    for work in (
        edit_expenditure(finance, row.id, invoice(amount="1 300,00"), "typo"),
        cancel_expenditure(finance, row.id, "duplicate"),
    ):
        refused = await refusal(work)
        assert refused.conflict and "claim" in fields(refused)
        assert "No. 1" in refused.problems[-1].english()
    refused = await refusal(update_claim(finance, claim.id, ClaimChanges(period_end="2026-02-28")))
    assert refused.conflict and fields(refused) == ["status"]
    await return_claim(finance, claim.id, "Add the contract")
    edited = await edit_expenditure(finance, row.id, invoice(eligible_amount="900"), "fixed")
    again = await submit_claim(finance, claim.id)
    assert [(i.expenditure_id, i.eligible) for i in again.items] == [(edited.id, 90_000)]
    assert (again.eligible, again.reason) == (90_000, "")


async def test_roles_and_readers_of_other_projects(families):
    finance = await principal(Role.FINANCE)
    await expenditure(families)
    for role in (Role.VIEWER, Role.COORDINATOR, Role.AUDITOR):
        with pytest.raises(AccessDenied):
            await create_claim(await principal(role), families, interim())
    claim = await create_claim(finance, families, interim())
    await submit_claim(finance, claim.id)
    with pytest.raises(AccessDenied):
        await approve_claim(await principal(Role.COORDINATOR), claim.id)
    assert (await get_claim(await principal(Role.VIEWER), claim.id)).number == 1
    elsewhere = (await outsider(Role.FINANCE)).principal
    for work in (
        get_claim(elsewhere, claim.id),
        list_claims(elsewhere, families),
        approve_claim(elsewhere, claim.id),
    ):
        with pytest.raises(NotFound):
            await work
    admin = await principal(Role.ADMIN)
    assert (await approve_claim(admin, claim.id)).status == ClaimStatus.APPROVED


async def test_every_step_is_in_the_audit_trail(families):
    finance = await principal(Role.FINANCE)
    await expenditure(families)
    claim = await create_claim(finance, families, interim())
    await submit_claim(finance, claim.id)
    await return_claim(finance, claim.id, "Missing annex")
    await update_claim(finance, claim.id, ClaimChanges(period_end="2026-03-30"))
    await submit_claim(finance, claim.id)
    await approve_claim(finance, claim.id)
    await pay_claim(finance, claim.id, PaymentInput("2026-06-01", "1 000,00"))
    events = await (
        AuditEvent.select(AuditEvent.action, AuditEvent.note, AuditEvent.actor)
        .where((AuditEvent.entity == "claim") & (AuditEvent.entity_id == claim.id))
        .order_by(AuditEvent.id)
    )
    assert [(e["action"], e["note"]) for e in events] == [
        ("create", ""),
        ("submit", ""),
        ("return", "Missing annex"),
        ("update", ""),
        ("submit", ""),
        ("approve", ""),
        ("pay", ""),
    ]
    assert {e["actor"] for e in events} == {finance.email}


async def test_partner_report_is_split_at_the_partners_rate(connectingen):
    finance = await principal(Role.FINANCE)
    own = (
        await Partner.select(Partner.id)
        .where((Partner.project == connectingen) & (Partner.budget.is_not_null()))
        .first()
    )["id"]
    assert own
    await expenditure(connectingen, date="15.05.2025", eligible_amount="1 000,01")
    report = await create_claim(
        finance,
        connectingen,
        ClaimInput("partner_report", "2025-04-01", "2025-09-30", partner_id=own),
    )
    assert (report.partner_id, report.eligible, report.requested) == (own, 100_001, 80_001)
    assert sources(report) == [("ERAF", 80_001), ("Tukuma novada pašvaldība", 20_000)]
    await submit_claim(finance, report.id)
    certified = await approve_claim(
        finance,
        report.id,
        [DeductionInput(report.items[0].expenditure_id, "0,01", "Rounding", "calculation")],
    )
    assert (certified.approved, certified.due) == (100_000, 80_000)
    paid = await pay_claim(finance, report.id, PaymentInput("2025-12-01", "800,00"))
    assert (paid.status, [(s.source, s.paid) for s in paid.sources]) == (
        ClaimStatus.PAID,
        [("ERAF", 80_000), ("Tukuma novada pašvaldība", 0)],
    )
    refused = await refusal(
        create_claim(
            finance,
            connectingen,
            ClaimInput("partner_report", "2025-04-01", "2025-09-30", partner_id=own + 1000),
        )
    )
    assert fields(refused) == ["partner_id"]
    assert SOCIAL_SERVICE  # Tukums' social service is the partner reporting
    too_long = await refusal(
        create_claim(
            finance,
            connectingen,
            ClaimInput("partner_report", "2025-04-01", "2025-10-01", partner_id=own),
        )
    )
    assert [(p.field, p.english()) for p in too_long.problems] == [
        (
            "period_end",
            "A partner report covers at most 6 months: from 01.04.2025 it can run to 30.09.2025.",
        )
    ]


async def test_parked_item_leaves_the_claim_and_can_be_claimed_again(families):
    finance = await principal(Role.FINANCE)
    row = await expenditure(families)
    await expenditure(families, date="16.03.2026", invoice_number="BR-2", eligible_amount="10")
    claim = await create_claim(finance, families, interim())
    await submit_claim(finance, claim.id)
    approved = await approve_claim(
        finance, claim.id, [DeductionInput(row.id, None, "Sampled later", parked=True)]
    )
    assert (approved.approved, approved.deducted) == (1_000, 100_000)
    later = await create_claim(finance, families, ClaimInput("interim", "2026-01-01", "2026-06-30"))
    assert [i.entry_no for i in later.items] == [1]
    # a parked deduction is not a loss: the co-financing check keeps it eligible
    assert (await cofinancing(finance, families)).to_date.eligible == 101_000
    assert date(2026, 3, 15) == later.items[0].spent_on


async def test_two_claims_at_once_cannot_take_the_same_entry(families):
    """Both writers lock the project first, so the second sees what the first took."""
    finance = await principal(Role.FINANCE)
    await expenditure(families)
    results = await asyncio.gather(
        *(create_claim(finance, families, interim()) for _ in range(4)), return_exceptions=True
    )
    made = [r for r in results if not isinstance(r, Exception)]
    assert len(made) == 1 and [i.entry_no for i in made[0].items] == [1]
    assert all(isinstance(r, Refused) and r.conflict for r in results if r not in made)
    assert await ClaimItem.count() == 1
