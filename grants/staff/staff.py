"""Staff costs under CPR (EU) 2021/1060 Art. 55: salaries declared from documented annual costs
and monthly timesheets, or as a fixed share of a monthly gross cost.

How share, cost and hours interact (Art. 55(2)(a) and (3)). `annual_cost` is the latest
documented annual gross employment cost of the job as it is, part time included (what the
employer pays for that person in a year, not a full-time equivalent). The 1 720 hours of a
full-time year are taken pro rata for a part-time job: the hours the rate is computed on are
1 720 × `share`, and they are also the year's cap, as hours declared per person in a year may
not exceed the hours used for the rate. So

    hours_cap   = 1 720 × share                      (0.5 → 860,00 h)
    hourly_rate = annual_cost ÷ hours_cap, half-up to the cent
                                                     (25 800,00 ÷ 1 720 = 15,00;
                                                      12 900,00 ÷ 860 = 15,00)
    a month's line = hours × hourly_rate, half-up to the cent

Each calendar year has its own annual cost, rate and cap; a timesheet counts in the year of
its month. A person on a fixed share of time (Art. 55(5), no time records) is a second kind:
the month's line is `fixed_share` × that month's gross employment cost, half-up.

Every month (a "timesheet", for either kind) produces one staff-cost line in the expenditure
register through its public functions, so the register's checks (project dates, locked
periods, claims sent to the funder, duplicates) and its audit apply; a corrected timesheet is
a new version, and its line is corrected through the register's correction with the same
note, so both histories show it.
"""

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.errors import NotFound, Problem, Problems, Refused
from grants.core.money import cents_to_str, money_str, quantity_str, quotient, share_of
from grants.core.paging import DEFAULT_PER_PAGE, Paged, offset
from grants.core.translatable import N_
from grants.core.vocabulary import CostCategory, RecordState
from grants.db import (
    INTEGRITY_ERRORS,
    first_or_not_found,
    from_row,
    insert_one,
    possible_id,
    write_transaction,
)
from grants.finance.expenditures import ExpenditureInput, edit_expenditure, record_expenditure
from grants.projects.periods import for_update
from grants.projects.reading import project_dates
from grants.tables.expenditures import Expenditure
from grants.tables.projects import Project
from grants.tables.staff import StaffMember, StaffTimesheet, StaffYear

FULL_TIME_HOURS = 1720  # CPR Art. 55(2)(a): a full-time year
FULL_SHARE = 100  # shares are hundredths: 100 = the whole (a full-time job, all of the time)


class StaffKind(StrEnum):
    HOURLY = "hourly"  # hours from monthly timesheets × the year's hourly rate
    FIXED_SHARE = "fixed_share"  # a fixed share of each month's gross employment cost


_NAME_REQUIRED = N_("Enter the name or an internal reference.")
_PERSONAL_CODE = N_(
    "This looks like a personal code; enter the name or an internal reference instead."
)
_ROLE_REQUIRED = N_("Enter the role in the project.")
_SHARE_RANGE = N_("“%(text)s” is not a share between 0 and 1, e.g. 0.5.")
_KIND_CHANGE = N_("The kind of a staff member cannot change; add them again as the other kind.")
_FIXED_SHARE_REQUIRED = N_("Enter the fixed share of time on the project, e.g. 0.3.")
_NOT_FOR_HOURLY = N_("Only for a staff member on a fixed share of time.")
_NOT_FOR_FIXED = N_("Only for a staff member paid by the hour from timesheets.")
_YEAR_REQUIRED = N_("Enter the year of the annual cost.")
_YEAR_WRONG = N_("“%(text)s” is not a year.")
_YEAR_OUTSIDE = N_("%(year)s is outside the project's years (%(first)s–%(last)s).")
_ANNUAL_REQUIRED = N_("Enter the documented annual gross employment costs.")
_ANNUAL_FOR_YEAR = N_("Enter the annual gross employment costs for this year.")
_POSITIVE = N_("Enter an amount above zero.")
_HOURS_POSITIVE = N_("Enter hours above zero.")
_SHARE_FIXED = N_(
    "The employment share cannot change once timesheets are recorded; add the person again"
    " with the new share."
)
_FIXED_FIXED = N_("The fixed share cannot change once months are recorded.")
_YEAR_IN_USE = N_(
    "The annual cost of %(year)s cannot change: timesheets of that year are recorded at its"
    " hourly rate."
)
_MONTH_WRONG = N_("Enter the month as 2026-03.")
_NO_YEAR = N_("There is no annual gross employment cost for %(year)s: add it first.")
_OVER_CAP = N_(
    "%(hours)s hours are more than the hours left in %(year)s: %(remaining)s of the %(cap)s"
    " hours cap remain."
)
_MONTH_RECORDED = N_("%(month)s is already recorded; correct that month instead.")
_NOTE_REQUIRED = N_("Give the reason for the correction.")
_LINE_CANCELLED = N_(
    "The expenditure line of %(month)s was cancelled in the register, so this month can no"
    " longer be corrected here."
)
_CONCURRENT = N_("Someone else changed this staff member at the same time; please try again.")

# A Latvian personal code: six digits of the birth date (or 32 for the new codes), five more.
_PERSONAL_CODE_RE = re.compile(r"\b\d{6}\s*-?\s*\d{5}\b")
_MONTH_RE = re.compile(r"\s*(\d{4})-(\d{1,2})\s*")


# Arithmetic


def hours_cap(share: int) -> int:
    """The hours a year's rate is computed on, and the most that year may declare, in
    hundredths of an hour: 1 720 × share (50 → 86 000, i.e. 860,00 h)."""
    return FULL_TIME_HOURS * share


def hourly_rate(annual_cost: int, share: int) -> int:
    """annual cost ÷ (1 720 × share), half-up to the cent: 2 580 000 cents, share 100 → 1 500."""
    rate = quotient(annual_cost * 100, hours_cap(share), 0)
    assert rate is not None  # shares are above zero
    return int(rate)


def line_amount(hours: int, rate: int) -> int:
    """hours (hundredths) × hourly rate (cents), half-up to the cent."""
    amount = quotient(hours * rate, 100, 0)
    assert amount is not None
    return int(amount)


def fixed_amount(monthly_cost: int, fixed_share: int) -> int:
    """The fixed share (hundredths) of a month's gross cost (cents), half-up to the cent."""
    return share_of(monthly_cost, fixed_share * 100)


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_str(month: date) -> str:
    """The API's and the evidence reference's month: "2026-03"."""
    return f"{month.year:04d}-{month.month:02d}"


# Records


@dataclass(frozen=True)
class StaffYearRow:
    """One year of a person: its annual cost, rate and cap, and the hours declared so far (all
    zero hours for a fixed-share person, who has no rate); amounts cents, hours hundredths."""

    year: int
    annual_cost: int
    hourly_rate: int
    hours_cap: int
    hours_used: int = 0

    @property
    def hours_remaining(self) -> int:
        return self.hours_cap - self.hours_used


@dataclass(frozen=True)
class StaffRow:
    id: int
    project_id: int
    kind: StaffKind
    name: str
    role: str
    share: int  # hundredths of a full-time job
    fixed_share: int | None  # hundredths of time on the project (fixed-share kind)
    created_at: datetime
    years: tuple[StaffYearRow, ...] = ()


@dataclass(frozen=True)
class TimesheetRow:
    """One version of a month; `expenditure_id` is the register line this version made."""

    id: int
    staff_id: int
    project_id: int
    month: date  # its first day
    version: int
    state: RecordState
    hours: int | None
    monthly_cost: int | None
    rate: int | None
    amount: int
    expenditure_id: int | None
    entry_no: int
    note: str
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class StaffInput:
    """A staff member as typed or sent. `year` and `annual_cost` add that year's documented
    cost, or change it while no timesheet of the year is recorded. On a change, a field left
    None keeps what is stored."""

    name: str | None = None
    role: str | None = None
    kind: str | None = None
    share: str | None = None
    fixed_share: str | None = None
    year: str | int | None = None
    annual_cost: str | None = None


@dataclass(frozen=True)
class TimesheetInput:
    """A month as typed or sent: `hours` for hourly staff, `monthly_cost` for a fixed share."""

    month: str
    hours: str | None = None
    monthly_cost: str | None = None


# Reading


def _readable(principal: Principal, project_id: int) -> None:
    """Other projects' staff are not found, like missing ones."""
    if not principal.can_read_project(project_id):
        raise NotFound()
    principal.require(Action.READ, project_id)


def _writable(principal: Principal, project_id: int) -> None:
    _readable(principal, project_id)
    principal.require(Action.RECORD_EXPENDITURE, project_id)


async def _project_exists(project_id: int) -> None:
    if not possible_id(project_id) or not await Project.exists().where(Project.id == project_id):
        raise NotFound()


async def _years(staff_rows: list[dict]) -> dict[int, tuple[StaffYearRow, ...]]:
    """Each person's years with the hours their current timesheets declare, in two queries."""
    ids = [r["id"] for r in staff_rows]
    if not ids:
        return {}
    shares = {r["id"]: r["share"] for r in staff_rows}
    used: dict[tuple[int, int], int] = {}
    for t in await StaffTimesheet.select(
        StaffTimesheet.staff, StaffTimesheet.month, StaffTimesheet.hours
    ).where(StaffTimesheet.staff.is_in(ids) & (StaffTimesheet.state == RecordState.CURRENT)):
        key = (t["staff"], t["month"].year)
        used[key] = used.get(key, 0) + (t["hours"] or 0)
    years: dict[int, list[StaffYearRow]] = {i: [] for i in ids}
    rows = await StaffYear.select().where(StaffYear.staff.is_in(ids)).order_by(StaffYear.year)
    for y in rows:
        share = shares[y["staff"]]
        years[y["staff"]].append(
            StaffYearRow(
                year=y["year"],
                annual_cost=y["annual_cost"],
                hourly_rate=hourly_rate(y["annual_cost"], share),
                hours_cap=hours_cap(share),
                hours_used=used.get((y["staff"], y["year"]), 0),
            )
        )
    return {i: tuple(v) for i, v in years.items()}


def _staff_row(r: dict, years: tuple[StaffYearRow, ...]) -> StaffRow:
    return StaffRow(
        id=r["id"],
        project_id=r["project"],
        kind=StaffKind(r["kind"]),
        name=r["name"],
        role=r["role"],
        share=r["share"],
        fixed_share=r["fixed_share"],
        created_at=r["created_at"],
        years=years,
    )


async def _load_staff(staff_id: int) -> StaffRow:
    """The stored person with their years; NotFound for an unknown id. No access check."""
    if not possible_id(staff_id):
        raise NotFound()
    r = await first_or_not_found(StaffMember.select().where(StaffMember.id == staff_id))
    return _staff_row(r, (await _years([r]))[r["id"]])


async def get_staff(principal: Principal, staff_id: int) -> StaffRow:
    """One staff member with their years; NotFound for an unknown id or another project's."""
    row = await _load_staff(staff_id)
    _readable(principal, row.project_id)
    return row


async def list_staff(
    principal: Principal, project_id: int, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> Paged[StaffRow]:
    """A page of the project's staff by name; NotFound for a project the reader does not have."""
    await _project_exists(project_id)
    _readable(principal, project_id)
    where = StaffMember.project == project_id
    total = await StaffMember.count().where(where)
    rows = await (
        StaffMember.select()
        .where(where)
        .order_by(StaffMember.name)
        .order_by(StaffMember.id)
        .limit(per_page)
        .offset(offset(page, per_page))
    )
    years = await _years(rows)
    return Paged([_staff_row(r, years[r["id"]]) for r in rows], total, page, per_page)


_TIMESHEET_COLUMNS = (
    StaffTimesheet.id,
    StaffTimesheet.staff,
    StaffTimesheet.project,
    StaffTimesheet.month,
    StaffTimesheet.version,
    StaffTimesheet.state,
    StaffTimesheet.hours,
    StaffTimesheet.monthly_cost,
    StaffTimesheet.rate,
    StaffTimesheet.amount,
    StaffTimesheet.expenditure,
    StaffTimesheet.entry_no,
    StaffTimesheet.note,
    StaffTimesheet.created_by.email.as_alias("created_by_email"),
    StaffTimesheet.created_at,
)


def _timesheet_row(r: dict) -> TimesheetRow:
    return from_row(
        TimesheetRow,
        r,
        staff_id=r["staff"],
        project_id=r["project"],
        state=RecordState(r["state"]),
        expenditure_id=r["expenditure"],
        created_by=r["created_by_email"],
    )


async def project_timesheets(principal: Principal, project_id: int) -> list[TimesheetRow]:
    """The project's current timesheets by person and month (for its staff page)."""
    _readable(principal, project_id)
    rows = await (
        StaffTimesheet.select(*_TIMESHEET_COLUMNS)
        .where(
            (StaffTimesheet.project == project_id) & (StaffTimesheet.state == RecordState.CURRENT)
        )
        .order_by(StaffTimesheet.staff)
        .order_by(StaffTimesheet.month)
    )
    return [_timesheet_row(r) for r in rows]


async def list_timesheets(
    principal: Principal,
    staff_id: int,
    *,
    include_history: bool = False,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
) -> Paged[TimesheetRow]:
    """A page of a person's months, the current ones by month; with history every version."""
    staff = await get_staff(principal, staff_id)
    where = StaffTimesheet.staff == staff.id
    if not include_history:
        where &= StaffTimesheet.state == RecordState.CURRENT
    total = await StaffTimesheet.count().where(where)
    rows = await (
        StaffTimesheet.select(*_TIMESHEET_COLUMNS)
        .where(where)
        .order_by(StaffTimesheet.month)
        .order_by(StaffTimesheet.version)
        .limit(per_page)
        .offset(offset(page, per_page))
    )
    return Paged([_timesheet_row(r) for r in rows], total, page, per_page)


# Checking


def _share(problems: Problems, text: object, field: str) -> int | None:
    """A share typed as a fraction ("0.5", "0,75"), in hundredths: above 0, at most 1."""
    value = problems.hundredths(text, field)
    if value is not None and not 0 < value <= FULL_SHARE:
        problems.add(_SHARE_RANGE, field, text=str(text).strip())
        return None
    return value


def _plausible(year: int) -> bool:
    """A year a grant's staff could work in; anything else is a typo."""
    return 2000 <= year <= 2099


def _year(problems: Problems, text: object, years: tuple[date | None, date | None]) -> int | None:
    typed = str(text).strip()
    if not re.fullmatch(r"\d{4}", typed) or not _plausible(int(typed)):
        problems.add(_YEAR_WRONG, "year", text=typed)
        return None
    year = int(typed)
    first, last = (d.year if d else None for d in years)
    if (first and year < first) or (last and year > last):
        problems.add(_YEAR_OUTSIDE, "year", year=year, first=first or "…", last=last or "…")
        return None
    return year


def _positive_cents(problems: Problems, text: object, field: str) -> int | None:
    cents = problems.cents(text, field)
    if cents is not None and cents <= 0:
        problems.add(_POSITIVE, field)
        return None
    return cents


async def _checked_staff(
    project_id: int, data: StaffInput, old: StaffRow | None
) -> tuple[dict, tuple[int, int] | None]:
    """The person's columns and the (year, annual cost) to store, or Refused with every
    problem; a share or a year's cost that timesheets already use is a conflict."""
    problems, conflicts = Problems(), Problems()
    if old is not None:
        data = _keeping(data, old)
    name = problems.text(data.name, "name", limit=200, required=_NAME_REQUIRED)
    if _PERSONAL_CODE_RE.search(name):
        problems.add(_PERSONAL_CODE, "name")
    role = problems.text(data.role, "role", limit=200, required=_ROLE_REQUIRED)
    kind = problems.choice(str(data.kind or StaffKind.HOURLY), list(StaffKind), "kind")
    if old is not None and kind is not None and kind != old.kind:
        problems.add(_KIND_CHANGE, "kind")
    share = _share(problems, data.share if data.share not in (None, "") else "1", "share")
    fixed = None
    if kind == StaffKind.FIXED_SHARE:
        if data.fixed_share in (None, "") or not str(data.fixed_share).strip():
            problems.add(_FIXED_SHARE_REQUIRED, "fixed_share")
        else:
            fixed = _share(problems, data.fixed_share, "fixed_share")
        if data.year not in (None, "") or data.annual_cost not in (None, ""):
            problems.add(_NOT_FOR_FIXED, "annual_cost")
    elif data.fixed_share not in (None, ""):
        problems.add(_NOT_FOR_HOURLY, "fixed_share")
    year_cost = None
    if kind == StaffKind.HOURLY:
        year_cost = _year_cost(problems, data, await project_dates(project_id), old is None)
    if old is not None:
        recorded = await StaffTimesheet.select(StaffTimesheet.month).where(
            (StaffTimesheet.staff == old.id) & (StaffTimesheet.state == RecordState.CURRENT)
        )
        recorded_years = {r["month"].year for r in recorded}
        if recorded and share is not None and share != old.share:
            conflicts.add(_SHARE_FIXED, "share")
        if recorded and fixed is not None and fixed != old.fixed_share:
            conflicts.add(_FIXED_FIXED, "fixed_share")
        if year_cost is not None and year_cost[0] in recorded_years:
            before = next((y for y in old.years if y.year == year_cost[0]), None)
            if before is None or before.annual_cost != year_cost[1]:
                conflicts.add(_YEAR_IN_USE, "annual_cost", year=year_cost[0])
    if problems or conflicts:
        raise Refused(problems.items + conflicts.items, conflict=bool(conflicts) and not problems)
    values = {"name": name, "role": role, "kind": kind, "share": share, "fixed_share": fixed}
    return values, year_cost


def _keeping(data: StaffInput, old: StaffRow) -> StaffInput:
    """A change with the fields it leaves out (None) as they are stored."""
    kept = {
        "name": old.name,
        "role": old.role,
        "kind": str(old.kind),
        "share": quantity_str(old.share),
        "fixed_share": quantity_str(old.fixed_share),
    }
    return replace(data, **{k: v for k, v in kept.items() if getattr(data, k) is None})


def _year_cost(
    problems: Problems,
    data: StaffInput,
    dates: tuple[date | None, date | None],
    required: bool,
) -> tuple[int, int] | None:
    """The year and its annual cost: both required for a new hourly person, both or neither
    on a change."""
    has_year = data.year not in (None, "") and str(data.year).strip() != ""
    has_cost = data.annual_cost not in (None, "") and str(data.annual_cost).strip() != ""
    if not (has_year or has_cost or required):
        return None
    year = _year(problems, data.year, dates) if has_year else None
    if not has_year:
        problems.add(_YEAR_REQUIRED, "year")
    cost = None
    if has_cost:
        cost = _positive_cents(problems, data.annual_cost, "annual_cost")
    else:
        problems.add(_ANNUAL_REQUIRED if required else _ANNUAL_FOR_YEAR, "annual_cost")
    return None if year is None or cost is None else (year, cost)


def _snapshot(row: StaffRow) -> dict:
    """The person for the audit trail: amounts and shares as decimal strings."""
    return {
        "id": row.id,
        "kind": str(row.kind),
        "person": row.name,
        "role": row.role,
        "share": quantity_str(row.share),
        "fixed_share": quantity_str(row.fixed_share),
        "years": [
            {
                "year": y.year,
                "annual_cost": cents_to_str(y.annual_cost),
                "hourly_rate": cents_to_str(y.hourly_rate),
                "hours_cap": quantity_str(y.hours_cap),
            }
            for y in row.years
        ],
    }


async def _store_year(staff_id: int, year_cost: tuple[int, int] | None) -> None:
    if year_cost is None:
        return
    year, cost = year_cost
    found = (
        await StaffYear.select(StaffYear.id)
        .where((StaffYear.staff == staff_id) & (StaffYear.year == year))
        .first()
    )
    if found is None:
        await insert_one(StaffYear, staff=staff_id, year=year, annual_cost=cost)
    else:
        await StaffYear.update({StaffYear.annual_cost: cost}).where(StaffYear.id == found["id"])


async def add_staff(principal: Principal, project_id: int, data: StaffInput) -> StaffRow:
    """Add a person to the project, with their first year's documented annual cost (hourly
    staff) or their fixed share of time. Refused with every problem, nothing written."""
    await _project_exists(project_id)
    _writable(principal, project_id)
    async with write_transaction():
        values, year_cost = await _checked_staff(project_id, data, None)
        staff_id = await insert_one(
            StaffMember, project=project_id, created_by=principal.user_id, **values
        )
        await _store_year(staff_id, year_cost)
        row = await _load_staff(staff_id)
        await audit.record(
            "create",
            "staff_member",
            staff_id,
            actor=principal,
            project_id=project_id,
            after=_snapshot(row),
        )
    return row


async def update_staff(principal: Principal, staff_id: int, data: StaffInput) -> StaffRow:
    """Change a person's name, role or share, and add a year's annual cost (or change one no
    timesheet uses yet). The share and a used year's cost are fixed once timesheets use them
    (409), as the lines already declared were computed from them."""
    old = await get_staff(principal, staff_id)
    _writable(principal, old.project_id)
    async with write_transaction():
        await _lock_staff(staff_id)
        old = await _load_staff(staff_id)
        values, year_cost = await _checked_staff(old.project_id, data, old)
        await StaffMember.update({getattr(StaffMember, k): v for k, v in values.items()}).where(
            StaffMember.id == staff_id
        )
        await _store_year(staff_id, year_cost)
        row = await _load_staff(staff_id)
        await audit.record(
            "update",
            "staff_member",
            staff_id,
            actor=principal,
            project_id=old.project_id,
            before=_snapshot(old),
            after=_snapshot(row),
        )
    return row


async def _lock_staff(staff_id: int) -> None:
    """Hold the person's row until the transaction ends, so that two months cannot both take
    the last hours of a year (PostgreSQL; SQLite's write transaction keeps writers out)."""
    await for_update(StaffMember.select(StaffMember.id).where(StaffMember.id == staff_id))


# Timesheets


def _month(problems: Problems, text: object) -> date | None:
    match = _MONTH_RE.fullmatch(str(text or ""))
    if match is None or not 1 <= int(match[2]) <= 12 or not _plausible(int(match[1])):
        problems.add(_MONTH_WRONG, "month")
        return None
    return date(int(match[1]), int(match[2]), 1)


@dataclass(frozen=True)
class _Figures:
    month: date
    hours: int | None
    monthly_cost: int | None
    rate: int | None
    amount: int


async def _figures(
    staff: StaffRow, data: TimesheetInput, month: date | None, problems: Problems, *, editing: bool
) -> _Figures | None:
    """The month's hours or cost, the rate and the line's amount; problems for what is wrong,
    the year's cap included (its message says how many hours remain)."""
    if staff.kind == StaffKind.FIXED_SHARE:
        if data.hours not in (None, ""):
            problems.add(_NOT_FOR_FIXED, "hours")
        cost = _positive_cents(problems, data.monthly_cost, "monthly_cost")
        if month is None or cost is None or staff.fixed_share is None:
            return None
        return _Figures(month, None, cost, None, fixed_amount(cost, staff.fixed_share))
    if data.monthly_cost not in (None, ""):
        problems.add(_NOT_FOR_HOURLY, "monthly_cost")
    hours = problems.hundredths(data.hours, "hours")
    if hours is not None and hours <= 0:
        problems.add(_HOURS_POSITIVE, "hours")
        hours = None
    if month is None:
        return None
    year = next((y for y in staff.years if y.year == month.year), None)
    if year is None:
        problems.add(_NO_YEAR, "month", year=month.year)
        return None
    if hours is None:
        return None
    used = year.hours_used
    if editing:
        old = await _current(staff.id, month)
        used -= (old["hours"] or 0) if old else 0
    remaining = year.hours_cap - used
    if hours > remaining:
        problems.add(
            _OVER_CAP,
            "hours",
            hours=quantity_str(hours),
            year=month.year,
            remaining=quantity_str(max(remaining, 0)),
            cap=quantity_str(year.hours_cap),
        )
        return None
    rate = year.hourly_rate
    return _Figures(month, hours, None, rate, line_amount(hours, rate))


async def _current(staff_id: int, month: date) -> dict | None:
    return (
        await StaffTimesheet.select(*_TIMESHEET_COLUMNS)
        .where(
            (StaffTimesheet.staff == staff_id)
            & (StaffTimesheet.month == month)
            & (StaffTimesheet.state == RecordState.CURRENT)
        )
        .first()
    )


def _line(staff: StaffRow, figures: _Figures, version: int) -> ExpenditureInput:
    """The staff-cost line of a month: dated its last day, all of it eligible, the timesheet
    named as its evidence. The invoice number stays across versions, so the register's
    duplicate check keeps one line per person and month."""
    month = month_str(figures.month)
    if figures.rate is not None and figures.hours is not None:
        how = f"{quantity_str(figures.hours)} h × {cents_to_str(figures.rate)}"
    else:
        how = f"{quantity_str(staff.fixed_share)} × {money_str(figures.monthly_cost)}"
    return ExpenditureInput(
        date=last_day(figures.month).isoformat(),
        amount=cents_to_str(figures.amount),
        category=CostCategory.STAFF,
        supplier=staff.name,
        invoice_number=f"TS-{staff.id}-{month}",
        description=f"{staff.role}: {how} ({month})",
        evidence_ref=f"timesheet {staff.id}/{month} v{version}",
    )


def _passed_through(refused: Refused) -> Refused:
    """The register's refusal in this form's terms: its invoice date is the month here."""
    problems = [replace(p, field="month") if p.field == "date" else p for p in refused.problems]
    return Refused(problems, conflict=refused.conflict)


def timesheet_snapshot(row: TimesheetRow) -> dict:
    return {
        "id": row.id,
        "staff_id": row.staff_id,
        "month": month_str(row.month),
        "version": row.version,
        "state": str(row.state),
        "hours": quantity_str(row.hours),
        "monthly_cost": money_str(row.monthly_cost),
        "hourly_rate": money_str(row.rate),
        "amount": cents_to_str(row.amount),
        "expenditure_id": row.expenditure_id,
        "entry_no": row.entry_no,
        "note": row.note,
    }


async def _timesheet(timesheet_id: int) -> TimesheetRow:
    query = StaffTimesheet.select(*_TIMESHEET_COLUMNS).where(StaffTimesheet.id == timesheet_id)
    return _timesheet_row(await first_or_not_found(query))


async def _insert_timesheet(values: dict) -> TimesheetRow:
    try:
        new_id = await insert_one(StaffTimesheet, **values)
    except INTEGRITY_ERRORS as error:
        raise Refused.one(_CONCURRENT, conflict=True) from error
    return await _timesheet(new_id)


async def record_timesheet(
    principal: Principal, staff_id: int, data: TimesheetInput
) -> TimesheetRow:
    """Record a month and its staff-cost line in the register. Refused with every problem of
    the month (hours over the year's cap say how many remain); the register's own refusals (a
    locked period, a date outside the project) come through as they are, nothing written."""
    staff = await get_staff(principal, staff_id)
    _writable(principal, staff.project_id)
    async with write_transaction():
        await _lock_staff(staff_id)
        staff = await _load_staff(staff_id)
        problems = Problems()
        month = _month(problems, data.month)
        figures = await _figures(staff, data, month, problems, editing=False)
        if month is not None and await _current(staff_id, month) is not None:
            problems.items.insert(0, Problem(_MONTH_RECORDED, "month", {"month": month_str(month)}))
            raise Refused(problems.items, conflict=True)
        if problems or figures is None:
            raise Refused(problems.items)
        try:
            line = await record_expenditure(principal, staff.project_id, _line(staff, figures, 1))
        except Refused as refused:
            raise _passed_through(refused) from None
        row = await _insert_timesheet(
            {
                "staff": staff_id,
                "project": staff.project_id,
                "month": figures.month,
                "version": 1,
                "state": RecordState.CURRENT,
                "hours": figures.hours,
                "monthly_cost": figures.monthly_cost,
                "rate": figures.rate,
                "amount": figures.amount,
                "expenditure": line.id,
                "entry_no": line.entry_no,
                "created_by": principal.user_id,
            }
        )
        await audit.record(
            "create",
            "timesheet",
            row.id,
            actor=principal,
            project_id=staff.project_id,
            after=timesheet_snapshot(row),
        )
    return row


async def correct_timesheet(
    principal: Principal, staff_id: int, data: TimesheetInput, note: str
) -> TimesheetRow:
    """Correct a recorded month: its next version, the old one kept, superseded; the month's
    staff-cost line is corrected in the register with the same note (a new version of that
    entry). A locked period or a claim sent to the funder refuses it (409), nothing written."""
    note = (note or "").strip()
    staff = await get_staff(principal, staff_id)
    _writable(principal, staff.project_id)
    async with write_transaction():
        await _lock_staff(staff_id)
        staff = await _load_staff(staff_id)
        problems = Problems()
        if not note:
            problems.add(_NOTE_REQUIRED, "note")
        problems.plain(note, "note", multiline=True)
        month = _month(problems, data.month)
        old = await _current(staff_id, month) if month is not None else None
        if month is not None and old is None:
            raise NotFound()
        figures = await _figures(staff, data, month, problems, editing=True)
        if problems or figures is None or old is None:
            raise Refused(problems.items)
        line = (
            await Expenditure.select(Expenditure.id)
            .where(
                (Expenditure.project == staff.project_id)
                & (Expenditure.entry_no == old["entry_no"])
                & (Expenditure.state == RecordState.CURRENT)
            )
            .first()
        )
        if line is None:
            raise Refused.one(
                _LINE_CANCELLED, field="month", conflict=True, month=month_str(figures.month)
            )
        version = old["version"] + 1
        try:
            edited = await edit_expenditure(
                principal, line["id"], _line(staff, figures, version), note
            )
        except Refused as refused:
            raise _passed_through(refused) from None
        before = _timesheet_row(old)
        await StaffTimesheet.update({StaffTimesheet.state: RecordState.SUPERSEDED}).where(
            StaffTimesheet.id == before.id
        )
        row = await _insert_timesheet(
            {
                "staff": staff_id,
                "project": staff.project_id,
                "month": figures.month,
                "version": version,
                "state": RecordState.CURRENT,
                "hours": figures.hours,
                "monthly_cost": figures.monthly_cost,
                "rate": figures.rate,
                "amount": figures.amount,
                "expenditure": edited.id,
                "entry_no": edited.entry_no,
                "note": note,
                "created_by": principal.user_id,
            }
        )
        await audit.record(
            "update",
            "timesheet",
            row.id,
            actor=principal,
            project_id=staff.project_id,
            before=timesheet_snapshot(replace(before, state=RecordState.SUPERSEDED)),
            after=timesheet_snapshot(row),
            note=note,
        )
    return row
