from litestar import Controller, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from grants.controllers.api_schemas import (
    ProjectDetailOut,
    ProjectOut,
    project_detail_out,
    project_out,
)
from grants.i18n import gettext
from grants.projects import get_project, list_projects
from grants.web import CurrentPrincipal


class ProjectApi(Controller):
    path = "/api/v1/projects"
    tags = ("projects",)

    @get("/")
    async def list(
        self, principal: CurrentPrincipal, code: FromQuery[str | None] = None
    ) -> list[ProjectOut]:
        """Projects the token's user may read; `code` matches regardless of separator style."""
        return [project_out(p) for p in await list_projects(principal, code=code)]

    @get("/{project_id:int}")
    async def detail(
        self, principal: CurrentPrincipal, project_id: FromPath[int]
    ) -> ProjectDetailOut:
        """One project with its funding plan (amounts computed), checks, partners, indicators."""
        project = await get_project(principal, project_id)
        if project is None:
            raise NotFoundException(gettext("No project with id %(id)s.", id=project_id))
        return project_detail_out(project)
