"""Page routes for a period's progress report: downloads with the session, and the narrative."""

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grants.controllers.projects_pages import refused_in_period
from grants.controllers.reports_api import report_download
from grants.core.errors import Refused
from grants.core.i18n import current_locale
from grants.projects.periods import get_period
from grants.projects.reports import NARRATIVE, save_narrative
from grants.web import CurrentPrincipal, form_errors
from reports.versions import report_file


class ReportsPages(Controller):
    include_in_schema = False

    @get("/periods/{period_id:int}/report")
    async def report(
        self,
        principal: CurrentPrincipal,
        period_id: FromPath[int],
        format: FromQuery[str] = "pdf",
        version: FromQuery[int | None] = None,
        lang: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        locale = lang if lang in ("lv", "en") else current_locale()
        data, media_type, name = await report_file(
            principal, period_id, format, version=version, locale=locale
        )
        return report_download(data, media_type, name, format)

    @post("/periods/{period_id:int}/narrative")
    async def narrative(
        self, principal: CurrentPrincipal, period_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        period = await get_period(principal, period_id)
        form = await request.form()
        texts = {key: form.get(key, "") for key in NARRATIVE if key in form}
        try:
            await save_narrative(principal, period_id, texts)
        except Refused as refused:
            narrative = {"values": texts, "errors": form_errors(refused)}
            return await refused_in_period(principal, period, refused, narrative_form=narrative)
        return Redirect(f"/projects/{period.project_id}?period={period_id}#report", status_code=303)
