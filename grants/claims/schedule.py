"""The planned claim schedule (plānoto maksājuma pieprasījumu iesniegšanas grafiks) and the
project's cash flow: planned claims against what was claimed and what the funder paid.

A schedule is a list of planned claims (a date and the eligible cost it will carry) that must
add up to the project's eligible cost, the identity the state system keeps. Every save adds a
version, so earlier plans stay readable. Each row is split over the funding sources the way
the plan splits its base (rate lines half-up, the residual line takes the remainder), on the
row's amount, so a row's sources add up to it exactly.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from piccolo.query.functions.aggregate import Count, Sum

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.dates import riga_day, stored_date
from grants.core.errors import NotFound, Problems, blank
from grants.core.i18n import format_day, format_money
from grants.core.money import money_str
from grants.core.paging import Paged, offset
from grants.core.translatable import N_
from grants.core.vocabulary import ClaimKind, ClaimStatus, FundingBase
from grants.db import first_or_not_found, insert_one, possible_id, write_transaction
from grants.finance.cofinancing import split
from grants.projects.funding_plan import PlanLine
from grants.projects.periods import for_update
from grants.projects.reading import ProjectDetail, get_project
from grants.tables.claims import Claim, ClaimPayment, ClaimSchedule, ClaimScheduleRow
from grants.tables.projects import Project

MAX_ROWS = 200  # far more claims than any project files
NOTE_LIMIT = 2000
# A final claim is filed after the project ends (ESF+ within months of the end); a date later
# than this after the end is a typo, not a plan.
AFTER_END = timedelta(days=183)

_NO_ROWS = N_("Plan at least one claim: add a row with a date and an amount.")
_TOO_MANY = N_("A schedule has at most %(max)s rows.")
_DATE_REQUIRED = N_("Row %(row)s: enter the planned date.")
_AMOUNT_REQUIRED = N_("Row %(row)s: enter the amount of eligible cost the claim will carry.")
_AMOUNT_ZERO = N_("Row %(row)s: a planned claim carries an amount above zero.")
_BEFORE_START = N_(
    "Row %(row)s: the planned date %(date)s is before the project starts (%(start)s)."
)
_AFTER_END = N_(
    "Row %(row)s: the planned date %(date)s is more than half a year after the project ends "
    "(%(end)s)."
)
_NO_ELIGIBLE = N_("The project has no eligible cost recorded: enter it before planning claims.")
_MISSING = N_(
    "The schedule adds up to %(total)s; the eligible cost is %(eligible)s: "
    "%(difference)s is missing."
)
_EXCESS = N_(
    "The schedule adds up to %(total)s; the eligible cost is %(eligible)s: %(difference)s too much."
)

# Claims whose amounts count as claimed in the cash flow: sent to the funder, not withdrawn.
CLAIMED_STATUSES = (ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID)


@dataclass(frozen=True)
class ScheduleRowInput:
    """A planned claim as typed: a date (15.03.2026 or 2026-03-15) and an amount ("1 234,50")."""

    planned_date: str | date | None
    amount: str | None


@dataclass(frozen=True)
class SourceAmount:
    source: str
    amount: int


@dataclass(frozen=True)
class ScheduleRow:
    position: int
    planned_date: date
    amount: int
    sources: list[SourceAmount]


@dataclass(frozen=True)
class Schedule:
    """A version of the schedule (the newest, unless asked for another); `version` is None
    while the project has none, and then `rows` is empty."""

    project_id: int
    version: int | None
    rows: list[ScheduleRow]
    total: int
    eligible: int | None  # what the schedule must add up to
    sources: list[SourceAmount]  # the total split over the sources
    note: str
    created_by: str | None  # email of who saved it; None for the command line or a removed user
    created_at: datetime | None

    @property
    def difference(self) -> int | None:
        """total − eligible: 0 when the schedule adds up."""
        return None if self.eligible is None else self.total - self.eligible


@dataclass(frozen=True)
class ScheduleVersion:
    """One saved version in the history, newest first."""

    version: int
    rows: int
    total: int
    note: str
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class CashFlowPoint:
    """The cumulative amounts on one day when something was planned, claimed or received."""

    day: date
    planned: int
    claimed: int
    received: int

    @property
    def gap(self) -> int:
        """Planned but not received to date."""
        return self.planned - self.received


@dataclass(frozen=True)
class CashFlow:
    project_id: int
    eligible: int | None
    points: list[CashFlowPoint]  # by date, cumulative

    @property
    def planned(self) -> int:
        return self.points[-1].planned if self.points else 0

    @property
    def claimed(self) -> int:
        return self.points[-1].claimed if self.points else 0

    @property
    def received(self) -> int:
        return self.points[-1].received if self.points else 0

    @property
    def gap(self) -> int:
        return self.planned - self.received


def _on_our_share(project: ProjectDetail) -> bool:
    """Whether our part is our partner budget(s): we are a partner, or the project is known
    only by our budget in it (ConnectinGen)."""
    summary = project.summary
    return summary.counted_as == "our_share" or (
        summary.eligible_cost is None and summary.our_share is not None
    )


def schedule_target(project: ProjectDetail) -> int | None:
    """What the schedule must add up to: the project's eligible cost, or our partner budget(s)
    where ours is a part of someone else's project (ConnectinGen)."""
    summary = project.summary
    return summary.our_share if _on_our_share(project) else summary.eligible_cost


def _split_lines(project: ProjectDetail) -> list[PlanLine]:
    """The plan's lines that carry the schedule's eligible cost: those on the eligible cost, or
    on our own partner budgets for a partner project."""
    if _on_our_share(project):
        own = {p.id for p in project.partners if p.is_own}
        return [
            ln
            for ln in project.plan.lines
            if ln.base == FundingBase.PARTNER_BUDGET and ln.partner_id in own
        ]
    return [ln for ln in project.plan.lines if ln.base == FundingBase.ELIGIBLE]


def split_amount(project: ProjectDetail, amount: int) -> list[SourceAmount]:
    """An amount of eligible cost over the sources, as the plan splits its base: computed on
    the amount itself, half-up, the residual line taking the remainder. Over several own
    partner budgets, the amount is first shared pro rata to the budgets."""
    lines = _split_lines(project)
    bases: dict[tuple[FundingBase, int | None], int] = {(FundingBase.ELIGIBLE, None): amount}
    if _on_our_share(project):
        budgets = {p.id: p.budget or 0 for p in project.partners if p.is_own}
        bases = _pro_rata_budgets(amount, budgets)
    amounts = split(lines, bases)
    return [SourceAmount(ln.source, amounts[ln.id]) for ln in lines]


def _pro_rata_budgets(
    amount: int, budgets: dict[int, int]
) -> dict[tuple[FundingBase, int | None], int]:
    """The amount shared over partner budgets in proportion, half-up, the last taking the
    remainder (all on the last when no budget is known)."""
    ids = list(budgets)
    whole = sum(budgets.values())
    shares: dict[tuple[FundingBase, int | None], int] = {}
    rest = amount
    for partner_id in ids[:-1]:
        part = 0 if not whole else (2 * amount * budgets[partner_id] + whole) // (2 * whole)
        shares[(FundingBase.PARTNER_BUDGET, partner_id)] = part
        rest -= part
    if ids:
        shares[(FundingBase.PARTNER_BUDGET, ids[-1])] = rest
    return shares


_SCHEDULE_COLUMNS = (
    ClaimSchedule.id,
    ClaimSchedule.version,
    ClaimSchedule.note,
    ClaimSchedule.created_by.email.as_alias("created_by"),
    ClaimSchedule.created_at,
)


async def get_schedule(
    principal: Principal,
    project_id: int,
    version: int | None = None,
    *,
    project: ProjectDetail | None = None,
) -> Schedule:
    """The newest version of the project's schedule (or `version`), each row split over the
    sources. Without any version, an empty schedule; NotFound for a version that does not
    exist. A page that has read the project passes it."""
    if version is not None and not possible_id(version):
        raise NotFound()
    if project is None:
        project = await get_project(principal, project_id, indicators=False)
    else:
        principal.require(Action.READ, project_id)
    query = ClaimSchedule.select(*_SCHEDULE_COLUMNS).where(ClaimSchedule.project == project_id)
    if version is not None:
        head = await first_or_not_found(query.where(ClaimSchedule.version == version))
    else:
        head = await query.order_by(ClaimSchedule.version, ascending=False).first()
    eligible = schedule_target(project)
    template = split_amount(project, 0)
    if head is None:
        return Schedule(project_id, None, [], 0, eligible, template, "", None, None)
    stored = await (
        ClaimScheduleRow.select(
            ClaimScheduleRow.position, ClaimScheduleRow.planned_date, ClaimScheduleRow.amount
        )
        .where(ClaimScheduleRow.schedule == head["id"])
        .order_by(ClaimScheduleRow.position)
    )
    rows = [
        ScheduleRow(
            r["position"],
            stored_date(r["planned_date"]),
            r["amount"],
            split_amount(project, r["amount"]),
        )
        for r in stored
    ]
    total = sum(r.amount for r in rows)
    return Schedule(
        project_id=project_id,
        version=head["version"],
        rows=rows,
        total=total,
        eligible=eligible,
        sources=split_amount(project, total),
        note=head["note"],
        created_by=head["created_by"],
        created_at=head["created_at"],
    )


async def schedule_versions(
    principal: Principal, project_id: int, *, page: int = 1, per_page: int = 50
) -> Paged[ScheduleVersion]:
    """The saved versions, newest first, a page at a time, each with its total and rows."""
    await first_or_not_found(Project.select(Project.id).where(Project.id == project_id))
    principal.require(Action.READ, project_id)
    where = ClaimSchedule.project == project_id
    count = await ClaimSchedule.count().where(where)
    heads = await (
        ClaimSchedule.select(*_SCHEDULE_COLUMNS)
        .where(where)
        .order_by(ClaimSchedule.version, ascending=False)
        .limit(per_page)
        .offset(offset(page, per_page))
    )
    sums: dict[int, tuple[int, int]] = {}
    if heads:
        totals = await (
            ClaimScheduleRow.select(
                ClaimScheduleRow.schedule,
                Sum(ClaimScheduleRow.amount, alias="total"),
                Count(ClaimScheduleRow.id, alias="rows"),
            )
            .where(ClaimScheduleRow.schedule.is_in([h["id"] for h in heads]))
            .group_by(ClaimScheduleRow.schedule)
        )
        sums = {t["schedule"]: (int(t["total"] or 0), t["rows"]) for t in totals}
    versions = [
        ScheduleVersion(
            version=h["version"],
            rows=sums.get(h["id"], (0, 0))[1],
            total=sums.get(h["id"], (0, 0))[0],
            note=h["note"],
            created_by=h["created_by"],
            created_at=h["created_at"],
        )
        for h in heads
    ]
    return Paged(versions, count, page, per_page)


def _checked_rows(
    rows: Sequence[ScheduleRowInput],
    start: date | None,
    end: date | None,
    eligible: int | None,
    problems: Problems,
) -> list[tuple[date, int]]:
    """The rows as dates and cents, with every problem added: each row's own (numbered from 1,
    as the user sees them), then the identity with the eligible cost."""
    if not rows:
        problems.add(_NO_ROWS, "rows")
        return []
    if len(rows) > MAX_ROWS:
        problems.add(_TOO_MANY, "rows", max=MAX_ROWS)
        return []
    checked: list[tuple[date, int]] = []
    for i, row in enumerate(rows):
        where, number = f"rows[{i}]", i + 1
        day = None
        if blank(row.planned_date):
            problems.add(_DATE_REQUIRED, f"{where}.planned_date", row=number)
        else:
            day = problems.date(row.planned_date, f"{where}.planned_date")
        amount = None
        if blank(row.amount):
            problems.add(_AMOUNT_REQUIRED, f"{where}.amount", row=number)
        else:
            amount = problems.cents(row.amount, f"{where}.amount")
            if amount == 0:
                problems.add(_AMOUNT_ZERO, f"{where}.amount", row=number)
                amount = None
        if day is not None and start is not None and day < start:
            problems.add(
                _BEFORE_START,
                f"{where}.planned_date",
                row=number,
                date=format_day(day),
                start=format_day(start),
            )
            day = None
        elif day is not None and end is not None and day > end + AFTER_END:
            problems.add(
                _AFTER_END,
                f"{where}.planned_date",
                row=number,
                date=format_day(day),
                end=format_day(end),
            )
            day = None
        if day is not None and amount is not None:
            checked.append((day, amount))
    if eligible is None:
        problems.add(_NO_ELIGIBLE, "rows")
    elif len(checked) == len(rows):
        total = sum(amount for _, amount in checked)
        if total != eligible:
            message = _MISSING if total < eligible else _EXCESS
            problems.add(
                message,
                "rows",
                total=_money(total),
                eligible=_money(eligible),
                difference=_money(abs(total - eligible)),
            )
    return checked


def _money(cents: int) -> str:
    """An amount in a message, in the language of the request that caused it."""
    return format_money(cents, currency=False)


def _snapshot(version: int, rows: list[tuple[date, int]], note: str) -> dict:
    """A version for the audit trail: dates ISO, amounts as decimal strings."""
    return {
        "version": version,
        "rows": [{"planned_date": d.isoformat(), "amount": money_str(a)} for d, a in rows],
        "total": money_str(sum(a for _, a in rows)),
        "note": note,
    }


async def save_schedule(
    principal: Principal,
    project_id: int,
    rows: Sequence[ScheduleRowInput],
    note: str = "",
) -> Schedule:
    """Save the schedule as a new version (the previous ones stay readable), recorded in the
    audit trail. Refused with every problem, nothing written, when a row is incomplete or
    wrong, a date falls before the project starts or long after it ends, or the rows do not
    add up to the eligible cost (the message says by how much)."""
    principal.require(Action.EDIT_PROJECT, project_id)
    async with write_transaction():
        # The project row locked: two saves at once number their versions in turn.
        dates = await first_or_not_found(
            for_update(
                Project.select(Project.start_date, Project.end_date).where(Project.id == project_id)
            )
        )
        project = await get_project(principal, project_id, indicators=False)
        problems = Problems()
        text = problems.text(note, "note", limit=NOTE_LIMIT, multiline=True)
        checked = _checked_rows(
            rows,
            _maybe_day(dates["start_date"]),
            _maybe_day(dates["end_date"]),
            schedule_target(project),
            problems,
        )
        problems.raise_if_any()
        last = await (
            ClaimSchedule.select(ClaimSchedule.id, ClaimSchedule.version, ClaimSchedule.note)
            .where(ClaimSchedule.project == project_id)
            .order_by(ClaimSchedule.version, ascending=False)
            .first()
        )
        before = None
        if last is not None:
            stored = await (
                ClaimScheduleRow.select(ClaimScheduleRow.planned_date, ClaimScheduleRow.amount)
                .where(ClaimScheduleRow.schedule == last["id"])
                .order_by(ClaimScheduleRow.position)
            )
            before = _snapshot(
                last["version"],
                [(stored_date(r["planned_date"]), r["amount"]) for r in stored],
                last["note"],
            )
        version = (last["version"] if last else 0) + 1
        schedule_id = await insert_one(
            ClaimSchedule,
            project=project_id,
            version=version,
            note=text,
            created_by=principal.user_id,
        )
        await ClaimScheduleRow.insert(
            *(
                ClaimScheduleRow(
                    schedule=schedule_id, position=i + 1, planned_date=day, amount=amount
                )
                for i, (day, amount) in enumerate(checked)
            )
        )
        await audit.record(
            "update" if before else "create",
            "claim_schedule",
            schedule_id,
            actor=principal,
            project_id=project_id,
            before=before,
            after=_snapshot(version, checked, text),
            note=text,
        )
    return await get_schedule(principal, project_id, version, project=project)


def _maybe_day(value: date | str | None) -> date | None:
    return None if value is None else stored_date(value)


async def cash_flow(
    principal: Principal, project_id: int, *, schedule: Schedule | None = None
) -> CashFlow:
    """Planned (the current schedule's rows), claimed (claims sent to the funder: their
    eligible total on the day they were submitted; an advance is no cost and counts only when
    received) and received (payments on the day paid, advances included), each cumulative by
    date; the gap is planned − received.
    Two statements besides the schedule's, whatever the number of claims; a page that has
    read the current schedule passes it."""
    if schedule is None or schedule.project_id != project_id:
        schedule = await get_schedule(principal, project_id)
    else:
        principal.require(Action.READ, project_id)
    claims = await Claim.select(
        Claim.kind, Claim.requested, Claim.eligible, Claim.submitted_at
    ).where((Claim.project == project_id) & Claim.status.is_in(list(CLAIMED_STATUSES)))
    payments = await (
        ClaimPayment.select(ClaimPayment.paid_on, Sum(ClaimPayment.amount, alias="amount"))
        .where(ClaimPayment.claim.project == project_id)
        .group_by(ClaimPayment.paid_on)
    )
    planned: dict[date, int] = defaultdict(int)
    claimed: dict[date, int] = defaultdict(int)
    received: dict[date, int] = defaultdict(int)
    for row in schedule.rows:
        planned[row.planned_date] += row.amount
    for claim in claims:
        if claim["submitted_at"] is None or claim["kind"] == ClaimKind.ADVANCE:
            continue
        claimed[riga_day(claim["submitted_at"])] += claim["eligible"] or 0
    for payment in payments:
        received[stored_date(payment["paid_on"])] += int(payment["amount"] or 0)
    points: list[CashFlowPoint] = []
    totals = [0, 0, 0]
    for day in sorted({*planned, *claimed, *received}):
        totals = [totals[0] + planned[day], totals[1] + claimed[day], totals[2] + received[day]]
        points.append(CashFlowPoint(day, *totals))
    return CashFlow(project_id, schedule.eligible, points)
