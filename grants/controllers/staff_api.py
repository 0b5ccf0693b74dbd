"""API for staff costs: a project's staff with their yearly rates and caps, and their monthly
timesheets, each of which is a staff-cost line of the expenditure register."""

from datetime import datetime

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import Struct

from grants.controllers.api_schemas import In, Money, Page, Quantity, page_out
from grants.core.money import cents_to_str, money_str, quantity_str
from grants.core.paging import DEFAULT_PER_PAGE, check_per_page
from grants.staff.staff import (
    StaffInput,
    StaffRow,
    TimesheetInput,
    TimesheetRow,
    add_staff,
    correct_timesheet,
    get_staff,
    list_staff,
    list_timesheets,
    month_str,
    record_timesheet,
    update_staff,
)
from grants.web import CurrentPrincipal


class StaffIn(In):
    """A staff member: `name` or an internal reference (never a personal code), `role`,
    `kind` "hourly" (timesheets; the default) or "fixed_share", the employment `share` ("0.5";
    "1" if not given). Hourly staff: `year` and `annual_cost`, the documented annual gross
    employment costs of that year (of the job as it is, part time included). Fixed share:
    `fixed_share`, the share of time on the project ("0.3")."""

    name: str
    role: str
    kind: str = "hourly"
    share: Quantity | None = None
    fixed_share: Quantity | None = None
    year: int | None = None
    annual_cost: Money | None = None


class StaffChangeIn(In):
    """A change: the fields sent replace what is stored, the others stay. `year` with
    `annual_cost` adds that year (or changes it while none of its timesheets is recorded). The
    share is fixed once timesheets use it (409)."""

    name: str | None = None
    role: str | None = None
    share: Quantity | None = None
    fixed_share: Quantity | None = None
    year: int | None = None
    annual_cost: Money | None = None


class TimesheetIn(In):
    """A month ("2026-03") with its `hours` on the project (hourly staff, a decimal string),
    or the month's gross employment cost `monthly_cost` (fixed share)."""

    month: str
    hours: Quantity | None = None
    monthly_cost: Money | None = None


class TimesheetCorrectionIn(In):
    """The month's corrected `hours` (or `monthly_cost`), and the `note` saying why."""

    note: str
    hours: Quantity | None = None
    monthly_cost: Money | None = None


class StaffYearOut(Struct):
    """A year: `hourly_rate` = `annual_cost` ÷ `hours_cap`, half-up to the cent; `hours_cap` =
    1 720 × share; hours declared by current timesheets and what is left."""

    year: int
    annual_cost: str
    hourly_rate: str
    hours_cap: str
    hours_used: str
    hours_remaining: str


class StaffOut(Struct):
    id: int
    project_id: int
    kind: str
    name: str
    role: str
    share: str
    fixed_share: str | None
    years: list[StaffYearOut]
    created_at: datetime


class StaffListOut(Page):
    items: list[StaffOut]


class TimesheetOut(Struct):
    """One version of a month; `expenditure_id` and `entry_no` name its staff-cost line in the
    register (`amount` = `hours` × `hourly_rate`, or `fixed_share` × `monthly_cost`)."""

    id: int
    staff_id: int
    month: str
    version: int
    state: str
    hours: str | None
    monthly_cost: str | None
    hourly_rate: str | None
    amount: str
    expenditure_id: int | None
    entry_no: int
    note: str
    created_by: str | None
    created_at: datetime


class TimesheetsOut(Page):
    items: list[TimesheetOut]


def staff_out(row: StaffRow) -> StaffOut:
    return StaffOut(
        id=row.id,
        project_id=row.project_id,
        kind=str(row.kind),
        name=row.name,
        role=row.role,
        share=quantity_str(row.share) or "",
        fixed_share=quantity_str(row.fixed_share),
        years=[
            StaffYearOut(
                year=y.year,
                annual_cost=cents_to_str(y.annual_cost),
                hourly_rate=cents_to_str(y.hourly_rate),
                hours_cap=quantity_str(y.hours_cap) or "0",
                hours_used=quantity_str(y.hours_used) or "0",
                hours_remaining=quantity_str(y.hours_remaining) or "0",
            )
            for y in row.years
        ],
        created_at=row.created_at,
    )


def timesheet_out(row: TimesheetRow) -> TimesheetOut:
    return TimesheetOut(
        id=row.id,
        staff_id=row.staff_id,
        month=month_str(row.month),
        version=row.version,
        state=str(row.state),
        hours=quantity_str(row.hours),
        monthly_cost=money_str(row.monthly_cost),
        hourly_rate=money_str(row.rate),
        amount=cents_to_str(row.amount),
        expenditure_id=row.expenditure_id,
        entry_no=row.entry_no,
        note=row.note,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _year(year: int | None) -> str | None:
    return None if year is None else str(year)


class StaffApi(Controller):
    path = "/api/v1"
    tags = ("staff",)

    @get("/projects/{project_id:int}/staff")
    async def staff(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = DEFAULT_PER_PAGE,
    ) -> StaffListOut:
        """The project's staff by name with their years' rates, caps and hours used, a page
        at a time (`page` from 1, `per_page` up to 500)."""
        check_per_page(per_page)
        found = await list_staff(principal, project_id, page=page, per_page=per_page)
        return page_out(StaffListOut, found, staff_out)

    @post("/projects/{project_id:int}/staff")
    async def add(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[StaffIn]
    ) -> StaffOut:
        """Add a person; refused with every problem and nothing written (400)."""
        row = await add_staff(
            principal,
            project_id,
            StaffInput(
                name=data.name,
                role=data.role,
                kind=data.kind,
                share=data.share,
                fixed_share=data.fixed_share,
                year=_year(data.year),
                annual_cost=data.annual_cost,
            ),
        )
        return staff_out(row)

    @get("/staff/{staff_id:int}")
    async def person(self, principal: CurrentPrincipal, staff_id: FromPath[int]) -> StaffOut:
        return staff_out(await get_staff(principal, staff_id))

    @put("/staff/{staff_id:int}")
    async def change(
        self, principal: CurrentPrincipal, staff_id: FromPath[int], data: JSONBody[StaffChangeIn]
    ) -> StaffOut:
        """Change a person or add a year's annual cost; 409 when timesheets already use what
        would change."""
        row = await update_staff(
            principal,
            staff_id,
            StaffInput(
                name=data.name,
                role=data.role,
                share=data.share,
                fixed_share=data.fixed_share,
                year=_year(data.year),
                annual_cost=data.annual_cost,
            ),
        )
        return staff_out(row)

    @get("/staff/{staff_id:int}/timesheets")
    async def timesheets(
        self,
        principal: CurrentPrincipal,
        staff_id: FromPath[int],
        history: FromQuery[bool] = False,
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = DEFAULT_PER_PAGE,
    ) -> TimesheetsOut:
        """The person's months, current ones by month, or every version with `history=true`."""
        check_per_page(per_page)
        found = await list_timesheets(
            principal, staff_id, include_history=history, page=page, per_page=per_page
        )
        return page_out(TimesheetsOut, found, timesheet_out)

    @post("/staff/{staff_id:int}/timesheets")
    async def record(
        self, principal: CurrentPrincipal, staff_id: FromPath[int], data: JSONBody[TimesheetIn]
    ) -> TimesheetOut:
        """Record a month and its staff-cost line. 400 with every problem (hours over the
        year's cap say how many remain); 409 for a month already recorded or in a locked
        period."""
        data_in = TimesheetInput(data.month, data.hours, data.monthly_cost)
        return timesheet_out(await record_timesheet(principal, staff_id, data_in))

    @put("/staff/{staff_id:int}/timesheets/{month:str}")
    async def correct(
        self,
        principal: CurrentPrincipal,
        staff_id: FromPath[int],
        month: FromPath[str],
        data: JSONBody[TimesheetCorrectionIn],
    ) -> TimesheetOut:
        """Correct a month ("2026-03"): its next version, and the next version of its line in
        the register, with the `note`. 404 for a month not recorded; 409 when its period is
        locked or a claim sent to the funder holds its line."""
        data_in = TimesheetInput(month, data.hours, data.monthly_cost)
        return timesheet_out(await correct_timesheet(principal, staff_id, data_in, data.note))
