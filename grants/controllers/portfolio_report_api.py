"""The portfolio report as a file: `GET /api/v1/reports/portfolio` for API clients (bearer
token) and `GET /portfolio/report` for the portfolio page's download links (session), both
with `format=xlsx|pdf`, `programme`, `measure`, `status` and `lang`."""

from datetime import date

from litestar import Controller, Response, get
from litestar.exceptions import HTTPException
from litestar.params import FromQuery

from grants.access import Principal
from grants.i18n import LOCALES, current_locale, gettext
from grants.web import CurrentPrincipal

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


async def portfolio_file(
    principal: Principal,
    fmt: str,
    programme: str | None,
    measure: str | None,
    status: str | None,
    lang: str | None,
) -> Response[bytes]:
    # The renderers pull in WeasyPrint and openpyxl: imported on first use, not at start.
    from reports.portfolio_report import build_portfolio_report
    from reports.render_portfolio import render_portfolio_pdf, render_portfolio_xlsx

    if fmt not in FORMATS:
        raise HTTPException(
            status_code=400,
            detail=gettext("Unknown format “%(format)s”: choose xlsx or pdf.", format=fmt),
        )
    report = await build_portfolio_report(
        principal,
        programme=programme or None,
        measure=measure or None,
        status=status or None,
        locale=lang if lang in LOCALES else current_locale(),
    )
    render = render_portfolio_pdf if fmt == "pdf" else render_portfolio_xlsx
    name = filename(fmt, report.report_date, programme, measure, status)
    return Response(
        content=render(report),
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


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
    ) -> Response[bytes]:
        """The portfolio report of the projects the user may see, as XLSX or PDF. API clients
        use the /api path with a token; the page links to the other with the session."""
        return await portfolio_file(principal, format, programme, measure, status, lang)
