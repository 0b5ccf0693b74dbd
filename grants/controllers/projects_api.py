"""API for projects (list, detail, create, change, audit trail) and their reporting periods
with the workflow."""

from datetime import date

from litestar import Controller, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import Struct

from grants.controllers.api_schemas import (
    AuditOut,
    In,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    audit_out,
    project_detail_out,
    project_input,
    project_out,
    to_output,
)
from grants.core.access import Principal
from grants.core.audit import project_audit
from grants.core.errors import NotFound
from grants.core.i18n import gettext
from grants.projects.editing import create_project, update_project
from grants.projects.periods import PeriodRow, approve, list_periods, reopen, return_period
from grants.projects.reading import get_project, list_projects
from grants.web import CurrentPrincipal
from reports.versions import submit_and_freeze


class PeriodOut(Struct):
    id: int
    number: int
    start: date
    end: date
    deadline: date
    status: str
    status_note: str
    overdue: bool
    locked: bool


class ReasonIn(In):
    reason: str


def period_out(p: PeriodRow) -> PeriodOut:
    return to_output(p, PeriodOut)


class ProjectsApi(Controller):
    path = "/api/v1/projects"
    tags = ("projects",)

    @get("/")
    async def index(
        self, principal: CurrentPrincipal, code: FromQuery[str | None] = None
    ) -> list[ProjectOut]:
        """Projects the token's user may read; `code` matches regardless of separator style."""
        return [project_out(p) for p in await list_projects(principal, code=code)]

    @get("/{project_id:int}")
    async def detail(
        self, principal: CurrentPrincipal, project_id: FromPath[int]
    ) -> ProjectDetailOut:
        """One project with its funding plan (amounts computed), checks, partners, indicators."""
        return await _detail(principal, project_id)

    @post("/")
    async def create(
        self, principal: CurrentPrincipal, data: JSONBody[ProjectIn]
    ) -> ProjectDetailOut:
        """Create a project with its funding plan; amounts are computed and returned."""
        return await _detail(principal, await create_project(principal, project_input(data)))

    @patch("/{project_id:int}")
    async def change(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ProjectIn]
    ) -> ProjectDetailOut:
        """Change the fields given; `funding`, when given, replaces the whole plan."""
        await update_project(principal, project_id, project_input(data))
        return await _detail(principal, project_id)

    @get("/{project_id:int}/audit")
    async def audit(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        entity: FromQuery[str | None] = None,
        entity_id: FromQuery[int | None] = None,
    ) -> list[AuditOut]:
        """Who changed what and when in this project, newest first, with before/after values."""
        await _detail(principal, project_id)  # 404 before 403 for unknown projects
        rows = await project_audit(principal, project_id, entity=entity, entity_id=entity_id)
        return [audit_out(r) for r in rows]


async def _detail(principal: Principal, project_id: int) -> ProjectDetailOut:
    try:
        project = await get_project(principal, project_id)
    except NotFound:
        raise NotFoundException(gettext("No project with id %(id)s.", id=project_id)) from None
    return project_detail_out(project)


class PeriodsApi(Controller):
    path = "/api/v1"
    tags = ("periods",)

    @get("/projects/{project_id:int}/periods")
    async def periods(
        self, principal: CurrentPrincipal, project_id: FromPath[int]
    ) -> list[PeriodOut]:
        """Reporting periods from the project's dates and rhythm, with deadlines and status."""
        return [period_out(p) for p in await list_periods(principal, project_id)]

    @post("/periods/{period_id:int}/submit", status_code=200)
    async def submit(self, principal: CurrentPrincipal, period_id: FromPath[int]) -> PeriodOut:
        """Submit the period for approval; its report is frozen as a new version."""
        return period_out(await submit_and_freeze(principal, period_id))

    @post("/periods/{period_id:int}/approve", status_code=200)
    async def approve(self, principal: CurrentPrincipal, period_id: FromPath[int]) -> PeriodOut:
        """Approve a submitted period; it is then locked against every change."""
        return period_out(await approve(principal, period_id))

    @post("/periods/{period_id:int}/return", status_code=200)
    async def return_(
        self, principal: CurrentPrincipal, period_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> PeriodOut:
        """Return a submitted period for correction, with a reason."""
        return period_out(await return_period(principal, period_id, data.reason))

    @post("/periods/{period_id:int}/reopen", status_code=200)
    async def reopen(
        self, principal: CurrentPrincipal, period_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> PeriodOut:
        """Reopen an approved period (admin only), with a reason that is recorded."""
        return period_out(await reopen(principal, period_id, data.reason))
