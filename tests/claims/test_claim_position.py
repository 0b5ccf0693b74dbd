"""Where a project stands with its claims (`grants.claims.position`): the next planned claim of
the current schedule, planned claims missed, reviews gone late, the totals to the cent, and a
fixed number of statements whatever the number of projects."""

from datetime import UTC, date, datetime

from grants.claims.claims import ClaimInput, ClaimTotals, claim_totals, create_claim
from grants.claims.position import (
    ClaimPosition,
    add_working_days,
    claim_position,
    claim_positions,
    review_due,
)
from grants.claims.schedule import ScheduleRowInput, save_schedule
from grants.claims.workflow import (
    DeductionInput,
    PaymentInput,
    approve_claim,
    pay_claim,
    return_claim,
    submit_claim,
)
from grants.core.vocabulary import ClaimKind
from grants.tables.claims import Claim
from tests import builders
from tests.builders import BUILDER, declare, expenditure
from tests.helpers import count_queries

# 296 578,43 in four planned claims
PLAN = [
    ("2026-07-31", "60 000,00"),
    ("2027-01-29", "90 000,00"),
    ("2027-07-30", "80 000,00"),
    ("2028-02-29", "66 578,43"),
]
H1 = ("2026-01-01", "2026-06-30")
H2 = ("2026-07-01", "2026-12-31")


async def plan(project: int, rows=PLAN) -> None:
    await save_schedule(BUILDER, project, [ScheduleRowInput(d, a) for d, a in rows])


async def sent(project: int, period=H1, kind: str = "interim") -> int:
    """A claim of the period, submitted; its id."""
    claim = await create_claim(BUILDER, project, ClaimInput(kind, *period))
    await submit_claim(BUILDER, claim.id)
    return claim.id


async def submitted_on(claim_id: int, day: date) -> None:
    await Claim.update(
        {Claim.submitted_at: datetime(day.year, day.month, day.day, 10, tzinfo=UTC)}
    ).where(Claim.id == claim_id)


def next_of(position: ClaimPosition) -> tuple[int, date, int, int, bool] | None:
    n = position.next_planned
    return None if n is None else (n.position, n.planned_date, n.amount, n.cumulative, n.overdue)


async def test_without_schedule_or_claims_there_is_nothing_to_show(families):
    position = await claim_position(families, today=date(2026, 12, 2))
    assert position == ClaimPosition()
    assert (position.any, position.overdue, position.next_planned) == (False, False, None)


async def test_the_first_planned_claim_is_next_and_overdue_once_its_date_passed(families):
    await plan(families)
    on_time = await claim_position(families, today=date(2026, 7, 31))
    assert next_of(on_time) == (1, date(2026, 7, 31), 6_000_000, 6_000_000, False)
    assert (on_time.any, on_time.missed, on_time.overdue) == (True, 0, False)
    late = await claim_position(families, today=date(2027, 2, 1))
    assert next_of(late) == (1, date(2026, 7, 31), 6_000_000, 6_000_000, True)
    assert (late.missed, late.overdue) == (2, True)  # July 2026 and January 2027


async def test_a_claim_sent_covers_one_planned_claim_whatever_its_amount(families):
    await plan(families)
    await expenditure(families)  # 1 000,00 eligible, far below the 60 000,00 planned
    draft = await create_claim(BUILDER, families, ClaimInput("interim", *H1))
    # a draft covers nothing yet
    assert next_of(await claim_position(families, today=date(2026, 8, 1)))[0] == 1
    await submit_claim(BUILDER, draft.id)
    position = await claim_position(families, today=date(2026, 8, 1))
    assert next_of(position) == (2, date(2027, 1, 29), 9_000_000, 15_000_000, False)
    assert (position.missed, position.overdue, position.claimed) == (0, False, 100_000)
    # returned for correction, it covers nothing again
    await return_claim(BUILDER, draft.id, "Pievienojiet pavadzīmes")
    assert next_of(await claim_position(families, today=date(2026, 8, 1)))[0] == 1


async def test_a_claim_carrying_two_plans_costs_covers_both(families):
    await plan(families)
    await declare(families, date(2026, 3, 10), 15_000_000)  # 150 000,00 = rows 1 and 2
    await sent(families)
    position = await claim_position(families, today=date(2027, 2, 1))
    assert next_of(position) == (3, date(2027, 7, 30), 8_000_000, 23_000_000, False)
    assert position.missed == 0


async def test_an_advance_covers_no_planned_claim(families):
    await plan(families)
    advance = await create_claim(
        BUILDER, families, ClaimInput("advance", "2026-01-01", "2027-12-31", amount="50 000,00")
    )
    await submit_claim(BUILDER, advance.id)
    position = await claim_position(families, today=date(2026, 8, 3))
    assert next_of(position)[0] == 1 and position.missed == 1


async def test_the_newest_schedule_version_is_the_plan(families):
    await plan(families)
    await plan(families, [("2026-12-31", "296 578,43")])
    position = await claim_position(families, today=date(2026, 8, 3))
    assert next_of(position) == (1, date(2026, 12, 31), 29_657_843, 29_657_843, False)


def test_working_days_skip_weekends():
    friday = date(2026, 7, 24)
    assert add_working_days(friday, 1) == date(2026, 7, 27)
    assert add_working_days(friday, 5) == date(2026, 7, 31)
    assert review_due(ClaimKind.INTERIM, friday) == date(2026, 8, 21)  # 4 weeks
    assert review_due(ClaimKind.FINAL, friday) == date(2026, 10, 16)  # 12 weeks
    assert review_due(ClaimKind.PARTNER_REPORT, friday) == date(2026, 8, 21)


async def test_a_submitted_claim_is_late_after_20_working_days(families):
    await expenditure(families)
    claim_id = await sent(families)
    await submitted_on(claim_id, date(2026, 7, 24))
    due = await claim_position(families, today=date(2026, 8, 21))
    assert (due.late_reviews, due.overdue) == ([], False)
    late = await claim_position(families, today=date(2026, 8, 22))
    assert late.overdue
    (review,) = late.late_reviews
    assert (review.claim_id, review.number, review.kind) == (claim_id, 1, ClaimKind.INTERIM)
    assert (review.submitted_on, review.review_due) == (date(2026, 7, 24), date(2026, 8, 21))
    # answered, it is no longer late
    await approve_claim(BUILDER, claim_id)
    assert (await claim_position(families, today=date(2026, 9, 30))).late_reviews == []


async def test_a_final_claim_has_60_working_days(families):
    await expenditure(families)
    claim_id = await sent(families, kind="final")
    await submitted_on(claim_id, date(2026, 7, 24))
    assert not (await claim_position(families, today=date(2026, 10, 16))).overdue
    assert (await claim_position(families, today=date(2026, 10, 17))).overdue


async def test_totals_per_project_to_the_cent(families):
    other = await builders.project("4.4.1.1./2/101")
    quiet = await builders.project("4.4.1.1./2/102")
    # families: an advance of 20 000,00 received; 3 × 1 000,01 claimed, 0,03 deducted,
    # 1 000,00 of the advance cleared, 1 000,00 paid
    advance = await create_claim(
        BUILDER, families, ClaimInput("advance", "2026-01-01", "2027-12-31", amount="20 000,00")
    )
    await submit_claim(BUILDER, advance.id)
    await approve_claim(BUILDER, advance.id)
    await pay_claim(BUILDER, advance.id, PaymentInput("2026-02-01", "20 000,00"))
    await declare(families, date(2026, 3, 10), 100_001, count=3)
    claim = await create_claim(
        BUILDER, families, ClaimInput("interim", *H1, advance_clear="1 000,00")
    )
    claim = await submit_claim(BUILDER, claim.id)
    claim = await approve_claim(
        BUILDER, claim.id, [DeductionInput(claim.items[0].expenditure_id, "0,03", "Rounding")]
    )
    await pay_claim(BUILDER, claim.id, PaymentInput("2026-08-01", "1 000,00"))
    # other: one claim of 1,01 approved, nothing paid
    await declare(other, date(2026, 9, 1), 101)
    await approve_claim(BUILDER, await sent(other, H2))
    positions = await claim_positions([families, other, quiet], today=date(2026, 12, 2))
    assert positions[families].totals == ClaimTotals(
        claimed=300_003,
        approved=300_000,
        received=2_100_000,  # 20 000,00 advance + 1 000,00
        outstanding=300_000 - 100_000 - 100_000,  # approved − cleared − paid
        advance_received=2_000_000,
        advance_uncleared=1_900_000,
        drafts=0,
    )
    assert positions[other].totals == ClaimTotals(
        claimed=101, approved=101, received=0, outstanding=101
    )
    assert positions[quiet] == ClaimPosition()
    assert {pid: p.totals for pid, p in positions.items() if p.any} == await claim_totals(
        [families, other, quiet]
    )


async def busy(number: int) -> int:
    """A project with a schedule, an approved claim and a submitted one."""
    pid = await builders.project(f"4.4.1.1./2/{200 + number:03d}")
    await plan(pid)
    await declare(pid, date(2026, 2, 10), 12_345, count=2)
    await declare(pid, date(2026, 9, 10), 54_321)
    await approve_claim(BUILDER, await sent(pid, H1))
    await sent(pid, H2)
    return pid


async def test_the_statements_do_not_grow_with_the_projects(families, monkeypatch):
    few = [await busy(n) for n in range(2)]
    queries = count_queries(monkeypatch)
    small = await claim_positions(few, today=date(2030, 1, 1))
    counted = len(queries)
    monkeypatch.undo()
    many = few + [await busy(n) for n in range(2, 10)]
    queries = count_queries(monkeypatch)
    large = await claim_positions(many, today=date(2030, 1, 1))
    assert len(queries) == counted
    monkeypatch.undo()
    assert len(large) == 10 and all(p.late_reviews for p in large.values())
    assert all(next_of(p)[0] == 3 for p in large.values()) and small.keys() <= large.keys()
