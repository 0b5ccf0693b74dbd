"""Page routes for a period's progress report: downloads with the session, the narrative, and
the checklist shown before a period is submitted."""

from datetime import datetime

from babel.dates import format_time
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grants.controllers.projects_pages import refused_in_period
from grants.controllers.reports_api import (
    check_token,
    participant_report_download,
    report_download,
)
from grants.core.access import Principal
from grants.core.errors import Refused
from grants.core.i18n import RIGA, current_locale
from grants.projects.periods import PeriodRow, get_period
from grants.projects.reading import get_project
from grants.projects.reports import NARRATIVE, report_panel, save_narrative
from grants.projects.submission import submit_checklist
from grants.web import CurrentPrincipal, form_errors, is_htmx
from reports.claim_document import claim_document_file
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
        download: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """The report file; `download` is the page's mark for "the file has arrived" (app.js)."""
        check_token(download)
        locale = lang if lang in ("lv", "en") else current_locale()
        data, media_type, name = await report_file(
            principal, period_id, format, version=version, locale=locale
        )
        return report_download(data, media_type, name, format, download)

    @get("/claims/{claim_id:int}/document")
    async def claim_document(
        self,
        principal: CurrentPrincipal,
        claim_id: FromPath[int],
        format: FromQuery[str] = "pdf",
        version: FromQuery[int | None] = None,
        lang: FromQuery[str | None] = None,
        download: FromQuery[str | None] = None,
        decision: FromQuery[bool] = False,
    ) -> Response[bytes]:
        """The claim's document (pdf or xlsx): a draft or returned claim rendered now, one sent
        to the funder as frozen (with `decision`, an answered one rendered now with the
        answer); `download` is the page's mark for "the file has arrived"."""
        check_token(download)
        locale = lang if lang in ("lv", "en") else current_locale()
        data, media_type, name = await claim_document_file(
            principal, claim_id, format, version=version, locale=locale, decision=decision
        )
        return report_download(data, media_type, name, format, download)

    @get("/projects/{project_id:int}/participant-report")
    async def participant_report(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        year: FromQuery[str] = "",
        format: FromQuery[str] = "xlsx",
        lang: FromQuery[str | None] = None,
        download: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """The annual participant report (xlsx, pdf or csv) with the session."""
        return await participant_report_download(
            principal, project_id, year, format, lang, download
        )

    @post("/periods/{period_id:int}/narrative")
    async def narrative(
        self, principal: CurrentPrincipal, period_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """Save the narrative: with HTMX the editor comes back in place saying when it was
        saved; without, the project page at the report."""
        period = await get_period(principal, period_id)
        form = await request.form()
        texts = {key: form.get(key, "") for key in NARRATIVE if key in form}
        htmx = is_htmx(request)
        try:
            await save_narrative(principal, period_id, texts)
        except Refused as refused:
            narrative = {"values": texts, "errors": form_errors(refused)}
            if htmx:
                return await _narrative_editor(principal, period, narrative, status_code=422)
            return await refused_in_period(principal, period, refused, narrative_form=narrative)
        if htmx:
            saved_at = format_time(datetime.now(RIGA), "short", locale=current_locale())
            return await _narrative_editor(principal, period, {"saved_at": saved_at})
        return Redirect(f"/projects/{period.project_id}?period={period_id}#report", status_code=303)

    @get("/periods/{period_id:int}/checklist")
    async def checklist(
        self, principal: CurrentPrincipal, period_id: FromPath[int], request: Request
    ) -> Template:
        """What to look at before submitting, with the final "Submit the report": a panel on
        the project page with HTMX, a page of its own without."""
        checklist = await submit_checklist(principal, period_id)
        context = {"principal": principal, "checklist": checklist, "period": checklist.period}
        if is_htmx(request):
            return Template("projects/submit_check.html", context=context)
        project = await get_project(principal, checklist.period.project_id)
        return Template("projects/submit_period.html", context=context | {"project": project})


async def _narrative_editor(
    principal: Principal, period: PeriodRow, form: dict, status_code: int = 200
) -> Template:
    return Template(
        "projects/narrative.html",
        context={
            "principal": principal,
            "period": period,
            "report": await report_panel(principal, period, form),
        },
        status_code=status_code,
    )
