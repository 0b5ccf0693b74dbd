"""Where each project stands with its claims, for the portfolio and project pages: the totals
(`claims.claim_totals`), the next planned claim of the current schedule, and what is overdue.

The next planned claim. The current schedule's rows, in date order, are the claims planned. A
row is covered once enough has been sent to the funder: as many claims as the rows up to it
(each claim sent covers one planned claim), or as much eligible cost as the plan up to it (a
claim that carried two planned claims' costs covers both). A claim is sent when it is
submitted, approved or paid; an advance covers no row (it carries no eligible cost), and a
draft, returned or rejected claim covers nothing yet. The next planned claim is the first row
not covered; it is overdue once its date has passed (before today).

A sent claim is overdue for review while it is still "submitted" after the funder's review
time: 20 working days for an interim claim (and an advance or a partner report), 60 for a
final claim (CFLA's published guidance), counted from the day it was submitted (Riga time).
Working days are Monday to Friday; Latvian public holidays are not counted out, so the
deadline can fall a day or two early around holidays.

Everything is read in a fixed number of statements whatever the number of projects: those of
`claim_totals`, one for the current schedules' rows and one for the sent claims.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from grants.claims.claims import ClaimRow, ClaimTotals, claim_totals
from grants.core.dates import riga_day, stored_date
from grants.core.vocabulary import ClaimKind, ClaimStatus
from grants.db import marks
from grants.projects.periods import riga_today
from grants.tables.claims import Claim, ClaimScheduleRow

REVIEW_WORKING_DAYS = {ClaimKind.FINAL: 60}
DEFAULT_REVIEW_WORKING_DAYS = 20
SENT = (ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID)


@dataclass(frozen=True)
class PlannedClaim:
    """A row of the current schedule: its place (1, 2, … by date), date, amount of eligible
    cost and the plan's cumulative amount up to it, in cents."""

    position: int
    planned_date: date
    amount: int
    cumulative: int
    overdue: bool  # the planned date has passed and no claim covers it


@dataclass(frozen=True)
class LateReview:
    """A claim still awaiting the funder's answer after its review time."""

    claim_id: int
    number: int
    kind: ClaimKind
    submitted_on: date
    review_due: date


@dataclass(frozen=True)
class ClaimPosition:
    """A project's claims at a glance, amounts in cents (see `ClaimTotals`)."""

    totals: ClaimTotals = field(default_factory=ClaimTotals)
    next_planned: PlannedClaim | None = None
    missed: int = 0  # planned claims whose date passed without a claim covering them
    late_reviews: list[LateReview] = field(default_factory=list)
    has_schedule: bool = False

    @property
    def claimed(self) -> int:
        return self.totals.claimed

    @property
    def approved(self) -> int:
        return self.totals.approved

    @property
    def received(self) -> int:
        return self.totals.received

    @property
    def outstanding(self) -> int:
        return self.totals.outstanding

    @property
    def advance_uncleared(self) -> int:
        return self.totals.advance_uncleared

    @property
    def overdue(self) -> bool:
        """A planned claim not made in time, or a claim whose review is late."""
        return bool(self.missed or self.late_reviews)

    @property
    def any(self) -> bool:
        """Whether there is anything to show: a claim or a schedule."""
        return self.has_schedule or self.totals != ClaimTotals()


def add_working_days(start: date, days: int) -> date:
    """The day `days` working days (Monday to Friday) after `start`."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def review_due(kind: ClaimKind, submitted_on: date) -> date:
    """The last day of the funder's review of a claim submitted that day."""
    return add_working_days(
        submitted_on, REVIEW_WORKING_DAYS.get(kind, DEFAULT_REVIEW_WORKING_DAYS)
    )


def answer_due(claim: ClaimRow) -> date | None:
    """When the funder's answer to a submitted claim is due; None for any other status."""
    if claim.status != ClaimStatus.SUBMITTED or claim.submitted_at is None:
        return None
    return review_due(claim.kind, riga_day(claim.submitted_at))


async def _schedule_rows(ids: list[int]) -> dict[int, list[tuple[date, int]]]:
    """Each project's current (newest) schedule rows as (date, amount), by date: one statement."""
    rows = await ClaimScheduleRow.raw(
        "SELECT s.project AS project, r.position AS position, r.planned_date AS planned_date,"
        " r.amount AS amount FROM claim_schedule_row r"
        " JOIN claim_schedule s ON s.id = r.schedule"
        f" WHERE s.project IN ({marks(ids)}) AND s.version = (SELECT MAX(v.version)"
        " FROM claim_schedule v WHERE v.project = s.project)",
        *ids,
    )
    found: dict[int, list[tuple[date, int, int]]] = defaultdict(list)
    for r in rows:
        found[r["project"]].append(
            (stored_date(r["planned_date"]), int(r["position"]), int(r["amount"]))
        )
    return {pid: [(d, a) for d, _, a in sorted(rs)] for pid, rs in found.items()}


def _next_planned(
    rows: Sequence[tuple[date, int]], sent: int, claimed: int, today: date
) -> tuple[PlannedClaim | None, int]:
    """The first planned claim not covered and how many uncovered ones are past their date."""
    cumulative = 0
    first: PlannedClaim | None = None
    missed = 0
    for position, (day, amount) in enumerate(rows, start=1):
        cumulative += amount
        if sent >= position or claimed >= cumulative:
            continue
        late = day < today
        missed += late
        if first is None:
            first = PlannedClaim(position, day, amount, cumulative, late)
    return first, missed


async def claim_positions(
    project_ids: Sequence[int], *, today: date | None = None
) -> dict[int, ClaimPosition]:
    """Per project (every one asked for, those without claims or schedule too) its claim
    totals, next planned claim and overdue flags. Callers check access."""
    ids = sorted(set(project_ids))
    if not ids:
        return {}
    today = today or riga_today()
    totals = await claim_totals(ids)
    schedules = await _schedule_rows(ids)
    sent_claims = await Claim.raw(
        "SELECT id, project, number, kind, status, submitted_at FROM claim"
        f" WHERE project IN ({marks(ids)}) AND status IN ({marks(SENT)})",
        *ids,
        *(status.value for status in SENT),
    )
    sent: dict[int, int] = defaultdict(int)
    late: dict[int, list[LateReview]] = defaultdict(list)
    for c in sent_claims:
        if c["kind"] != ClaimKind.ADVANCE:
            sent[c["project"]] += 1
        if c["status"] == ClaimStatus.SUBMITTED and c["submitted_at"] is not None:
            kind = ClaimKind(c["kind"])
            submitted_on = riga_day(c["submitted_at"])
            due = review_due(kind, submitted_on)
            if due < today:
                late[c["project"]].append(LateReview(c["id"], c["number"], kind, submitted_on, due))
    positions = {}
    for pid in ids:
        project_totals = totals.get(pid, ClaimTotals())
        rows = schedules.get(pid, [])
        upcoming, missed = _next_planned(rows, sent[pid], project_totals.claimed, today)
        positions[pid] = ClaimPosition(
            totals=project_totals,
            next_planned=upcoming,
            missed=missed,
            late_reviews=sorted(late[pid], key=lambda x: x.number),
            has_schedule=bool(rows),
        )
    return positions


async def claim_position(project_id: int, *, today: date | None = None) -> ClaimPosition:
    """One project's position (see `claim_positions`); callers check access."""
    return (await claim_positions([project_id], today=today))[project_id]
