from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from grants.audit import project_audit
from grants.portfolio import SORT_KEYS, build_portfolio
from grants.projects import get_project, list_projects
from grants.web import CurrentPrincipal


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
        portfolio = build_portfolio(
            await list_projects(principal),
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
                "filters": {"programme": programme, "measure": measure, "status": status},
                "sort": sort,
                "dir": dir,
            },
        )

    @get("/projects/{project_id:int}")
    async def project(self, principal: CurrentPrincipal, project_id: FromPath[int]) -> Template:
        project = await get_project(principal, project_id)
        if project is None:
            raise NotFoundException()
        return Template("project.html", context={"principal": principal, "project": project})

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
