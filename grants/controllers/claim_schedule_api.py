"""API for the planned claim schedule: the current version with its split by source, saving a
new version, and the history of versions."""

from datetime import date, datetime

from litestar import Controller, get, put
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import Struct

from grants.claims.schedule import (
    Schedule,
    ScheduleRowInput,
    ScheduleVersion,
    SourceAmount,
    get_schedule,
    save_schedule,
    schedule_versions,
)
from grants.controllers.api_schemas import In, Money, Page, page_out
from grants.core.money import cents_to_str, money_str
from grants.core.paging import DEFAULT_PER_PAGE, check_per_page
from grants.web import CurrentPrincipal


class ScheduleRowIn(In):
    """A planned claim: the date it is to be filed (ISO, or 15.03.2026) and the eligible cost
    it will carry ("74144.61" or "74 144,61")."""

    planned_date: str
    amount: Money


class ScheduleIn(In):
    """The whole schedule, saved as a new version: its rows must add up to the project's
    eligible cost; `note` says why it changed."""

    rows: list[ScheduleRowIn]
    note: str = ""


class SourceAmountOut(Struct):
    source: str
    amount: str


class ScheduleRowOut(Struct):
    planned_date: date
    amount: str
    sources: list[SourceAmountOut]


class ScheduleOut(Struct):
    """`version` is null while the project has no schedule; `difference` = total − eligible."""

    version: int | None
    rows: list[ScheduleRowOut]
    total: str
    eligible: str | None
    difference: str | None
    sources: list[SourceAmountOut]
    note: str
    created_by: str | None
    created_at: datetime | None


class ScheduleVersionOut(Struct):
    version: int
    rows: int
    total: str
    note: str
    created_by: str | None
    created_at: datetime


class ScheduleVersionsOut(Page):
    items: list[ScheduleVersionOut]


def _sources(sources: list[SourceAmount]) -> list[SourceAmountOut]:
    return [SourceAmountOut(s.source, cents_to_str(s.amount)) for s in sources]


def schedule_out(schedule: Schedule) -> ScheduleOut:
    return ScheduleOut(
        version=schedule.version,
        rows=[
            ScheduleRowOut(r.planned_date, cents_to_str(r.amount), _sources(r.sources))
            for r in schedule.rows
        ],
        total=cents_to_str(schedule.total),
        eligible=money_str(schedule.eligible),
        difference=money_str(schedule.difference),
        sources=_sources(schedule.sources),
        note=schedule.note,
        created_by=schedule.created_by,
        created_at=schedule.created_at,
    )


def _version_out(v: ScheduleVersion) -> ScheduleVersionOut:
    return ScheduleVersionOut(
        version=v.version,
        rows=v.rows,
        total=cents_to_str(v.total),
        note=v.note,
        created_by=v.created_by,
        created_at=v.created_at,
    )


class ClaimScheduleApi(Controller):
    path = "/api/v1/projects/{project_id:int}/claim-schedule"
    tags = ("claims",)

    @get()
    async def schedule(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        version: FromQuery[int | None] = None,
    ) -> ScheduleOut:
        """The planned claim schedule: the newest version, or `version`; each row's eligible
        cost split over the funding sources as the plan splits it (half-up, the residual line
        takes the remainder), and the total against the eligible cost."""
        return schedule_out(await get_schedule(principal, project_id, version))

    @put()
    async def save(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ScheduleIn]
    ) -> ScheduleOut:
        """Save the schedule as a new version; the earlier ones stay readable. Refused with
        every problem and nothing written (400) when a row is wrong or the rows do not add up
        to the eligible cost (the message says by how much)."""
        rows = [ScheduleRowInput(r.planned_date, r.amount) for r in data.rows]
        return schedule_out(await save_schedule(principal, project_id, rows, data.note))

    @get("/versions")
    async def versions(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = DEFAULT_PER_PAGE,
    ) -> ScheduleVersionsOut:
        """The saved versions, newest first, a page at a time (`page` from 1, `per_page` up to
        500, 100 if not given; `total`: how many on all pages)."""
        check_per_page(per_page)
        found = await schedule_versions(principal, project_id, page=page, per_page=per_page)
        return page_out(ScheduleVersionsOut, found, _version_out)
