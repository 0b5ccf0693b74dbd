"""Reporting periods: generated from a project's dates and rhythm, and their approval workflow.

A period goes draft → submitted → approved, or submitted → returned (with a reason) → submitted
again; an administrator can reopen an approved period to draft, with a reason. Submitted and
approved periods are locked: their indicator values cannot change. The time of the last
submission is kept, so a report can be shown as sent on time or N days late (in Riga time).
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from piccolo.engine.sqlite import SQLiteEngine
from piccolo.query import Select

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.dates import day_str
from grants.core.errors import NotFound, Problem, Problems, Refused
from grants.core.i18n import RIGA
from grants.core.messages import LOCKED_PERIOD
from grants.core.translatable import N_
from grants.core.vocabulary import LOCKED_PERIOD_STATUSES, PeriodStatus, ReportingRhythm
from grants.db import first_or_not_found, from_row, marks, write_transaction
from grants.tables.audit import AuditEvent
from grants.tables.indicators import IndicatorEntry
from grants.tables.periods import ReportingPeriod
from grants.tables.programmes import Measure
from grants.tables.projects import Project

ENTITY = "reporting_period"
MONTHS = {ReportingRhythm.QUARTERLY: 3, ReportingRhythm.HALF_YEARLY: 6, ReportingRhythm.YEARLY: 12}
_DAY = timedelta(days=1)

REASON_MISSING = N_("Give a reason.")


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, or that month's last day if it is shorter."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def period_bounds(start: date, end: date, rhythm: ReportingRhythm) -> list[tuple[date, date]]:
    """(start, end) of each reporting period, Jems style.

    Period k starts k × 3, 6 or 12 months after the project's start, on the same day of the
    month, or on the month's last day when the month is shorter (31 Jan + 3 months = 30 Apr).
    Every start is counted from the project's start, never from the previous period, so a
    shortened month does not drift (31 Jan, 30 Apr, 31 Jul, 31 Oct). A period ends the day
    before the next one starts; the last one ends with the project and may be shorter. A
    project starting on 1 January therefore gets calendar quarters.
    """
    step = MONTHS[ReportingRhythm(rhythm)]
    bounds: list[tuple[date, date]] = []
    period_start = start
    while period_start <= end:
        next_start = add_months(start, step * (len(bounds) + 1))
        bounds.append((period_start, min(next_start - _DAY, end)))
        period_start = next_start
    return bounds


@dataclass(frozen=True)
class PeriodRow:
    id: int
    project_id: int
    number: int
    start: date
    end: date
    deadline: date
    status: PeriodStatus
    status_note: str
    overdue: bool  # the deadline has passed and the report is still a draft or returned
    locked: bool  # submitted or approved: indicator values cannot change
    submitted_on: date | None  # day (Riga) of the submission that stands; None unless locked
    days_late: int | None  # days after the deadline it was submitted (0: on time); as above


def riga_today() -> date:
    """Today where the deadlines are: a report sent at 00:30 Riga time counts for that day."""
    return datetime.now(RIGA).date()


def days_after(deadline: date, day: date) -> int:
    """How many days `day` is past `deadline`; 0 when on or before it."""
    return max(0, (day - deadline).days)


def _row(row: dict, today: date | None = None) -> PeriodRow:
    status = PeriodStatus(row["status"])
    locked = status in LOCKED_PERIOD_STATUSES
    submitted_at = row.get("submitted_at")
    submitted_on = submitted_at.astimezone(RIGA).date() if locked and submitted_at else None
    return from_row(
        PeriodRow,
        row,
        project_id=row["project"],
        start=row["start_date"],
        end=row["end_date"],
        status=status,
        overdue=row["deadline"] < (today or riga_today())
        and status in (PeriodStatus.DRAFT, PeriodStatus.RETURNED),
        locked=locked,
        submitted_on=submitted_on,
        days_late=None if submitted_on is None else days_after(row["deadline"], submitted_on),
    )


def locked_problem(status: str, start: date, end: date, field: str) -> Problem:
    """Why data of a submitted or approved period cannot change: its report was sent."""
    return Problem(LOCKED_PERIOD[status], field, {"start": day_str(start), "end": day_str(end)})


def for_update(query: Select, *, strength: str = "UPDATE") -> Select:
    """Lock the selected rows on PostgreSQL; on SQLite the IMMEDIATE write transaction already
    keeps every other writer out."""
    if isinstance(query.table._meta.db, SQLiteEngine):
        return query
    return query.lock_rows(strength, of=(query.table,))


def default_period(periods: list[PeriodRow], today: date | None = None) -> PeriodRow | None:
    """The period people are most likely working on: the one running today, else the last
    one that has started, else the first."""
    today = today or date.today()
    started = [p for p in periods if p.start <= today]
    running = [p for p in started if today <= p.end]
    return (running or started[-1:] or periods[:1] or [None])[0]


async def list_periods(
    principal: Principal,
    project_id: int,
    *,
    today: date | None = None,
    project_read: bool = False,
) -> list[PeriodRow]:
    """The project's periods in date order; NotFound when there is no such project, unless
    the caller has just read it (`project_read`, as after `get_project`), which saves a query."""
    if not project_read and not await Project.raw(
        "SELECT 1 FROM project WHERE id = {}", project_id
    ):
        raise NotFound()
    principal.require(Action.READ, project_id)
    # raw SQL: most pages of a project ask, and Piccolo's building of the select took longer
    # than the database's answer
    rows = await ReportingPeriod.raw(
        "SELECT * FROM reporting_period WHERE project = {} ORDER BY start_date", project_id
    )
    return [_row(row, today) for row in rows]


async def get_period(
    principal: Principal, period_id: int, *, today: date | None = None
) -> PeriodRow:
    row = await first_or_not_found(ReportingPeriod.select().where(ReportingPeriod.id == period_id))
    principal.require(Action.READ, row["project"])
    return _row(row, today)


async def period_containing(project_id: int, day: date) -> PeriodRow | None:
    """The project's period that `day` falls in. No access check: for other domain modules."""
    row = await (
        ReportingPeriod.select()
        .where(
            (ReportingPeriod.project == project_id)
            & (ReportingPeriod.start_date <= day)
            & (ReportingPeriod.end_date >= day)
        )
        .first()
    )
    return None if row is None else _row(row)


async def next_deadlines(
    project_ids: Iterable[int], *, today: date | None = None
) -> dict[int, PeriodRow]:
    """Per project its first period not yet approved, for the portfolio; one query in all."""
    ids = list(project_ids)
    if not ids:
        return {}
    rows = await ReportingPeriod.raw(
        f"SELECT * FROM reporting_period WHERE project IN ({marks(ids)})"
        " AND status <> {} ORDER BY project, start_date",
        *ids,
        PeriodStatus.APPROVED.value,
    )
    first: dict[int, PeriodRow] = {}
    for row in rows:
        if row["project"] not in first:
            first[row["project"]] = _row(row, today)
    return first


# Generating -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    number: int
    start: date
    end: date
    deadline: date


async def generate_periods(project_id: int, *, actor: Principal | None = None) -> int:
    """Create the project's periods from its dates and rhythm; returns how many were created.

    Safe to run again. A period stays as it is once it is more than a fresh draft: submitted,
    approved or returned, with indicator entries, or with any status change in its history.
    Fresh drafts are replaced when the dates, rhythm or the measure's report deadline changed.
    New periods fill the time around the ones that stay, so periods never overlap.
    """
    async with write_transaction():
        project = await first_or_not_found(
            for_update(
                Project.select(
                    Project.id,
                    Project.start_date,
                    Project.end_date,
                    Project.reporting,
                    Project.measure,
                ).where(Project.id == project_id)
            )
        )
        existing = await for_update(
            ReportingPeriod.select().where(ReportingPeriod.project == project_id)
        )
        kept_ids = await _ids_to_keep(existing)
        due_days = await _report_due_days(project["measure"])
        wanted = _plan(project, [p for p in existing if p["id"] in kept_ids], due_days)
        fresh = [p for p in existing if p["id"] not in kept_ids]
        present, wanted_set = {_as_planned(p) for p in fresh}, set(wanted)
        to_delete = [p for p in fresh if _as_planned(p) not in wanted_set]
        to_create = [p for p in wanted if p not in present]
        if to_delete:
            await ReportingPeriod.delete().where(
                ReportingPeriod.id.is_in([p["id"] for p in to_delete])
            )
        if to_create:
            await ReportingPeriod.insert(
                *(
                    ReportingPeriod(
                        project=project_id,
                        number=p.number,
                        start_date=p.start,
                        end_date=p.end,
                        deadline=p.deadline,
                        status=PeriodStatus.DRAFT,
                    )
                    for p in to_create
                )
            )
        if to_delete or to_create:
            await audit.record(
                "generate",
                ENTITY,
                None,
                actor=actor,
                project_id=project_id,
                before={"periods": [_brief(_as_planned(p)) for p in to_delete]},
                after={"periods": [_brief(p) for p in to_create]},
            )
    return len(to_create)


async def _ids_to_keep(existing: list[dict]) -> set[int]:
    """Periods that are more than a fresh draft: never replaced."""
    ids = [p["id"] for p in existing]
    if not ids:
        return set()
    with_entries = await (
        IndicatorEntry.select(IndicatorEntry.period)
        .where(IndicatorEntry.period.is_in(ids))
        .distinct()
    )
    with_history = await AuditEvent.select(AuditEvent.entity_id).where(
        (AuditEvent.entity == ENTITY)
        & (AuditEvent.action == "status")
        & AuditEvent.entity_id.is_in(ids)
    )
    return (
        {p["id"] for p in existing if p["status"] != PeriodStatus.DRAFT}
        | {row["period"] for row in with_entries}
        | {row["entity_id"] for row in with_history}
    )


async def _report_due_days(measure_id: int) -> int:
    row = await Measure.select(Measure.report_due_days).where(Measure.id == measure_id).first()
    return row["report_due_days"]


def _plan(project: dict, kept: list[dict], due_days: int) -> list[_Planned]:
    """The fresh periods wanted: the rhythm's periods minus the time the kept ones cover,
    numbered on in date order; kept periods keep their numbers."""
    start, end = project["start_date"], project["end_date"]
    bounds = [] if start is None or end is None else period_bounds(start, end, project["reporting"])
    blocked = [(p["start_date"], p["end_date"]) for p in kept]
    pieces = [piece for bound in bounds for piece in _subtract(bound, blocked)]
    timeline = sorted(
        [(p["start_date"], p["number"]) for p in kept] + [(s, None) for s, _ in pieces],
        key=lambda item: item[0],
    )
    taken = {p["number"] for p in kept}
    ends = dict(pieces)
    planned, number = [], 1
    for piece_start, kept_number in timeline:
        if kept_number is not None:
            number = max(number, kept_number + 1)
            continue
        while number in taken:
            number += 1
        piece_end = ends[piece_start]
        planned.append(
            _Planned(number, piece_start, piece_end, piece_end + timedelta(days=due_days))
        )
        number += 1
    return planned


def _subtract(
    bound: tuple[date, date], blocked: list[tuple[date, date]]
) -> list[tuple[date, date]]:
    """What is left of `bound` outside the blocked intervals (all inclusive)."""
    pieces = [bound]
    for block_start, block_end in blocked:
        left = []
        for start, end in pieces:
            if block_end < start or block_start > end:
                left.append((start, end))
                continue
            if start < block_start:
                left.append((start, block_start - _DAY))
            if block_end < end:
                left.append((block_end + _DAY, end))
        pieces = left
    return pieces


def _as_planned(row: dict) -> _Planned:
    return _Planned(row["number"], row["start_date"], row["end_date"], row["deadline"])


def _brief(period: _Planned) -> dict:
    return {
        "number": period.number,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "deadline": period.deadline.isoformat(),
    }


# Workflow -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Transition:
    action: Action
    sources: frozenset[PeriodStatus]
    target: PeriodStatus
    refusal: str  # names the current status
    needs_reason: bool = False


_SUBMIT = _Transition(
    Action.SUBMIT_PERIOD,
    frozenset({PeriodStatus.DRAFT, PeriodStatus.RETURNED}),
    PeriodStatus.SUBMITTED,
    N_("The period is “%(status)s”; only a draft or returned period can be submitted."),
)
_APPROVE = _Transition(
    Action.APPROVE_PERIOD,
    frozenset({PeriodStatus.SUBMITTED}),
    PeriodStatus.APPROVED,
    N_("The period is “%(status)s”; only a submitted period can be approved."),
)
_RETURN = _Transition(
    Action.APPROVE_PERIOD,
    frozenset({PeriodStatus.SUBMITTED}),
    PeriodStatus.RETURNED,
    N_("The period is “%(status)s”; only a submitted period can be returned."),
    needs_reason=True,
)
_REOPEN = _Transition(
    Action.REOPEN_PERIOD,
    frozenset({PeriodStatus.APPROVED}),
    PeriodStatus.DRAFT,
    N_("The period is “%(status)s”; only an approved period can be reopened."),
    needs_reason=True,
)


async def submit(principal: Principal, period_id: int) -> PeriodRow:
    """Send the period's report for approval; its values are locked from now on."""
    return await _move(principal, period_id, _SUBMIT, "")


async def approve(principal: Principal, period_id: int) -> PeriodRow:
    return await _move(principal, period_id, _APPROVE, "")


async def return_period(principal: Principal, period_id: int, reason: str) -> PeriodRow:
    """Send a submitted report back for correction; the reason is kept in status_note."""
    return await _move(principal, period_id, _RETURN, reason)


async def reopen(principal: Principal, period_id: int, reason: str) -> PeriodRow:
    """Unlock an approved period (administrators only); the reason is kept and audited."""
    return await _move(principal, period_id, _REOPEN, reason)


async def _move(
    principal: Principal, period_id: int, transition: _Transition, reason: str
) -> PeriodRow:
    """Change the status if the transition allows it; the note is the reason, or cleared."""
    reason = reason.strip()
    async with write_transaction():
        row = await first_or_not_found(
            for_update(ReportingPeriod.select().where(ReportingPeriod.id == period_id))
        )
        principal.require(transition.action, row["project"])
        problems = []
        if row["status"] not in transition.sources:
            problems.append(Problem(transition.refusal, "status", {"status": row["status"]}))
        if transition.needs_reason and not reason:
            problems.append(Problem(REASON_MISSING, "reason"))
        typed = Problems()
        typed.plain(reason, "reason", multiline=True)
        problems += typed.items
        if problems:
            raise Refused(problems, conflict=row["status"] not in transition.sources)
        changes = {"status": transition.target, "status_note": reason}
        if transition.target == PeriodStatus.SUBMITTED:
            changes["submitted_at"] = datetime.now().astimezone()
        await ReportingPeriod.update(
            {getattr(ReportingPeriod, column): value for column, value in changes.items()}
        ).where(ReportingPeriod.id == period_id)
        await audit.record(
            "status",
            ENTITY,
            period_id,
            actor=principal,
            project_id=row["project"],
            before={"status": row["status"]},
            after={"status": str(transition.target)},
            note=reason,
        )
    return _row(row | changes)
