"""API for a period's progress report: the file in each format, and the frozen versions.

A download link on a page adds `download=<token>` to its URL; the file comes back with a cookie
`grants_download=<token>`, which tells the page's script the file has arrived (app.js shows the
link as busy until then)."""

import re
from datetime import date, datetime
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Response, get
from litestar.params import FromPath, FromQuery
from msgspec import Meta, Struct

from grants.controllers.api_schemas import to_output
from grants.core.access import Principal
from grants.core.errors import Refused
from grants.core.i18n import LOCALES, current_locale
from grants.core.translatable import N_
from grants.projects.reports import VersionRow, list_versions, newest_contract
from grants.web import CurrentPrincipal
from reports.claim_document import claim_document_file
from reports.threads import off_loop
from reports.versions import report_file

DOWNLOAD_COOKIE = "grants_download"
_TOKEN = re.compile(r"[A-Za-z0-9]{1,64}")
BAD_TOKEN = N_("The download mark must be 1 to 64 Latin letters or digits.")


class ReportVersionOut(Struct):
    version: int
    created_at: datetime
    created_by: str
    report_date: date
    locale: str
    data_hash: str
    contract_version: Annotated[
        int | None,
        Meta(description="The contract version the report was made under (the one in force at "
             "the period's end); null for a report frozen before versions were recorded."),
    ]  # fmt: skip
    newer_contract_version: Annotated[
        int | None,
        Meta(description="The newest contract version when it is newer than the one the "
             "report was made under (a modification was approved since); else null."),
    ]  # fmt: skip


def version_out(v: VersionRow, newest: int) -> ReportVersionOut:
    newer = newest if v.contract_version is not None and newest > v.contract_version else None
    return to_output(v, ReportVersionOut, newer_contract_version=newer)


def download(data: bytes, media_type: str, name: str, *, inline: bool = False) -> Response[bytes]:
    """The file with its name in Content-Disposition (ASCII, and UTF-8 per RFC 6266): shown in
    the browser when `inline`, else saved. Litestar adds the charset of a text/* type itself
    (UTF-8), so it is taken off `media_type` here to be named once."""
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    kind = "inline" if inline else "attachment"
    disposition = f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    if media_type.startswith("text/"):
        media_type = media_type.split(";")[0].strip()
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


def check_token(token: str | None) -> None:
    """Refused unless the `download` mark is short letters and digits (it goes into a cookie)."""
    if token is not None and not _TOKEN.fullmatch(token):
        raise Refused.one(BAD_TOKEN, field="download")


def mark_arrived(response: Response[bytes], token: str | None) -> Response[bytes]:
    """Set the cookie that tells the page the file has arrived. Readable by scripts (it holds no
    secret, only the page's own random mark) and gone within a minute."""
    if token is not None:
        response.set_cookie(
            DOWNLOAD_COOKIE, token, max_age=60, path="/", samesite="strict", httponly=False
        )
    return response


def report_download(
    data: bytes, media_type: str, name: str, fmt: str, token: str | None = None
) -> Response[bytes]:
    """A period's report: the HTML opens in the browser, the other formats are saved."""
    return mark_arrived(download(data, media_type, name, inline=fmt == "html"), token)


class ReportsApi(Controller):
    path = "/api/v1/periods/{period_id:int}/report"
    tags = ("reports",)

    @get("/", media_type="application/octet-stream")
    async def report(
        self,
        principal: CurrentPrincipal,
        period_id: FromPath[int],
        format: FromQuery[str] = "pdf",
        version: FromQuery[int | None] = None,
        lang: FromQuery[str] = "lv",
        download: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """The period's progress report as html, pdf, xlsx or csv. A submitted or approved
        period returns its latest frozen version byte for byte (`version` picks another);
        a draft or returned one is rendered now, in `lang`. With `download` (1–64 letters or
        digits) the response sets the cookie `grants_download` to it."""
        check_token(download)
        data, media_type, name = await report_file(
            principal, period_id, format, version=version, locale=lang
        )
        return report_download(data, media_type, name, format, download)

    @get("/versions")
    async def versions(
        self, principal: CurrentPrincipal, period_id: FromPath[int]
    ) -> list[ReportVersionOut]:
        """The report versions frozen on each submission, oldest first, each with the contract
        version it was made under and, when one was approved since, the newest."""
        versions = await list_versions(principal, period_id)
        newest = await newest_contract(principal, period_id)
        return [version_out(v, newest) for v in versions]


FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def filename(fmt: str, day: date, *filters: str | None) -> str:
    """portfolio-report[-filter…]-YYYY-MM-DD.ext, with only safe characters."""
    parts = ["portfolio-report", *(f for f in filters if f), day.isoformat()]
    name = "-".join(parts)
    name = "".join(c if c.isalnum() or c in "-_." else "-" for c in name)
    return f"{name}.{fmt}"


_PORTFOLIO_FORMAT = N_("Unknown format “%(format)s”: choose xlsx or pdf.")


async def portfolio_file(
    principal: Principal,
    fmt: str,
    programme: str | None,
    measure: str | None,
    status: str | None,
    lang: str | None,
    token: str | None = None,
) -> Response[bytes]:
    # The renderers pull in WeasyPrint and openpyxl: imported on first use, not at start.
    from reports.portfolio_report import build_portfolio_report
    from reports.render_portfolio import render_portfolio_pdf, render_portfolio_xlsx

    if fmt not in FORMATS:
        raise Refused.one(_PORTFOLIO_FORMAT, field="format", format=fmt)
    check_token(token)
    report = await build_portfolio_report(
        principal,
        programme=programme or None,
        measure=measure or None,
        status=status or None,
        locale=lang if lang in LOCALES else current_locale(),
    )
    render = render_portfolio_pdf if fmt == "pdf" else render_portfolio_xlsx
    name = filename(fmt, report.report_date, programme, measure, status)
    return mark_arrived(download(await off_loop(render, report), FORMATS[fmt], name), token)


class PortfolioReportApi(Controller):
    @get(["/api/v1/reports/portfolio", "/portfolio/report"], media_type="application/octet-stream")
    async def portfolio_report(
        self,
        principal: CurrentPrincipal,
        format: FromQuery[str] = "xlsx",
        programme: FromQuery[str | None] = None,
        measure: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        lang: FromQuery[str | None] = None,
        download: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """The portfolio report of the projects the user may see, as XLSX or PDF. API clients
        use the /api path with a token; the page links to the other with the session. With
        `download` (1–64 letters or digits) the response sets the cookie `grants_download`."""
        return await portfolio_file(principal, format, programme, measure, status, lang, download)


class ClaimDocumentApi(Controller):
    """A payment claim's document (reports.claim_document), frozen once submitted."""

    @get(
        "/api/v1/claims/{claim_id:int}/document",
        media_type="application/octet-stream",
        tags=["claims"],
    )
    async def claim_document(
        self,
        principal: CurrentPrincipal,
        claim_id: FromPath[int],
        format: FromQuery[str] = "pdf",
        version: FromQuery[int | None] = None,
        lang: FromQuery[str] = "lv",
        download: FromQuery[str | None] = None,
        decision: FromQuery[bool] = False,
    ) -> Response[bytes]:
        """The claim's document as pdf or xlsx. A submitted, approved, paid or rejected claim
        returns its latest document frozen on submission, byte for byte (`version` picks an
        older one); a draft or returned claim is rendered now, in `lang`, and with `decision`
        an approved, paid or rejected one too, with the funder's answer. With `download`
        (1–64 letters or digits) the response sets the cookie `grants_download` to it."""
        check_token(download)
        data, media_type, name = await claim_document_file(
            principal, claim_id, format, version=version, locale=lang, decision=decision
        )
        return report_download(data, media_type, name, format, download)

    @get(
        "/api/v1/projects/{project_id:int}/participant-report",
        media_type="application/octet-stream",
        tags=["reports"],
    )
    async def participant_report(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        year: FromQuery[str] = "",
        format: FromQuery[str] = "xlsx",
        lang: FromQuery[str | None] = None,
        download: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """The annual participant report (ESF+) for `year` as xlsx, pdf or csv: the common
        indicators for the year by gender and age group, entries and exits, missing answers;
        counts of 1–4 persons shown as "<5". Only roles that read the register."""
        return await participant_report_download(
            principal, project_id, year, format, lang, download
        )


async def participant_report_download(
    principal: Principal,
    project_id: int,
    year: str,
    fmt: str,
    lang: str | None,
    token: str | None,
) -> Response[bytes]:
    """The participant report as a saved file (the API and the page link)."""
    from reports.participant_report import participant_report_file

    check_token(token)
    locale = lang if lang in LOCALES else current_locale()
    data, media_type, name = await participant_report_file(principal, project_id, year, fmt, locale)
    return mark_arrived(download(data, media_type, name), token)
