from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from grants.access import Principal
from grants.audit import project_audit
from grants.charts import sparkline
from grants.indicator_values import indicator_progress
from grants.participants import retention_date
from grants.periods import default_period, list_periods, next_deadlines
from grants.portfolio import SORT_KEYS, build_portfolio
from grants.projects import get_project, list_projects
from grants.report_versions import report_panel
from grants.web import CurrentPrincipal


async def render_project(
    principal: Principal,
    project_id: int,
    period_id: int | None = None,
    *,
    entry_errors: dict[int, dict] | None = None,
    entry_values: dict[int, dict] | None = None,
    period_error: str = "",
    indicator_form: dict | None = None,
    narrative_form: dict | None = None,
    status_code: int = 200,
) -> Template:
    """The project page for a period: plan and checks, periods and their workflow, indicators."""
    project = await get_project(principal, project_id)
    if project is None:
        raise NotFoundException()
    periods = await list_periods(principal, project_id)
    chosen = next((p for p in periods if p.id == period_id), None) or default_period(periods)
    progress = await indicator_progress(principal, project_id, chosen.id if chosen else None)
    report = await report_panel(principal, chosen, narrative_form) if chosen else None
    return Template(
        "project.html",
        context={
            "principal": principal,
            "project": project,
            "periods": periods,
            "period": chosen,
            "progress": progress,
            "retention": retention_date(project.summary.end_date),
            "charts": {
                p.indicator_id: sparkline([v for _, v in p.series], p.target_hundredths)
                for p in progress
            },
            "entry_errors": entry_errors or {},
            "entry_values": entry_values or {},
            "period_error": period_error,
            "indicator_form": indicator_form or {"values": {}, "errors": {}},
            "report": report,
        },
        status_code=status_code,
    )


class PageController(Controller):
    include_in_schema = False

    @get("/")
    async def portfolio(
        self,
        principal: CurrentPrincipal,
        programme: FromQuery[str | None] = None,
        measure: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        sort: FromQuery[str] = "code",
        dir: FromQuery[str] = "asc",
    ) -> Template:
        projects = await list_projects(principal)
        portfolio = build_portfolio(
            projects,
            programme=programme or None,
            measure=measure or None,
            status=status or None,
            sort=sort if sort in SORT_KEYS else "code",
            descending=dir == "desc",
        )
        return Template(
            "portfolio.html",
            context={
                "principal": principal,
                "portfolio": portfolio,
                "deadlines": await next_deadlines([p.id for p in projects]),
                "filters": {"programme": programme, "measure": measure, "status": status},
                "sort": sort,
                "dir": dir,
            },
        )

    @get("/projects/{project_id:int}")
    async def project(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        period: FromQuery[int | None] = None,
    ) -> Template:
        return await render_project(principal, project_id, period)

    @get("/projects/{project_id:int}/history")
    async def history(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        entity: FromQuery[str | None] = None,
        id: FromQuery[int | None] = None,
    ) -> Template:
        project = await get_project(principal, project_id)
        if project is None:
            raise NotFoundException()
        events = await project_audit(principal, project_id, entity=entity or None, entity_id=id)
        return Template(
            "history.html",
            context={
                "principal": principal,
                "project": project,
                "events": events,
                "entity": entity,
                "entity_id": id,
            },
        )
