"""The portfolio report as XLSX (openpyxl) and PDF (WeasyPrint, landscape A4), in the report's
language, with the same helpers and look as the progress report: typed cells with number
formats (money as the exact Decimal), a frozen header row, and a totals row of computed values
(values, not formulas, so every reader sees the same figures). Both are deterministic: the
report date is the documents' date."""

from typing import Any

from weasyprint import HTML

from grants.core.i18n import gettext
from grants.core.translatable import N_
from reports.frames import in_locale, records
from reports.portfolio_report import PortfolioReport
from reports.render_html import environment
from reports.render_xlsx import Column, _sheet, new_workbook, workbook_bytes

DOCUMENT = "reports/portfolio.html"

PORTFOLIO_COLUMNS = (
    Column(N_("Code"), "code", width=18),
    Column(N_("Project"), "title", width=48),
    Column(N_("Programme"), "programme_code", width=12),
    Column(N_("Measure"), "measure", width=12),
    Column(N_("Status"), "status_label", width=12),
    Column(N_("Project start"), "start", "date", width=12),
    Column(N_("Project end"), "end", "date", width=12),
    Column(N_("Total"), "total_cost", "money"),
    Column(N_("Eligible"), "eligible_cost", "money"),
    Column(N_("EU share"), "eu_share", "money"),
    Column(N_("Declared to date"), "declared", "money"),
    Column(N_("Declared eligible to date"), "declared_eligible", "money"),
    Column(N_("Absorption"), "absorption", "percent", width=12),
    Column(N_("Indicators with a target"), "indicators_with_target", "count", width=12),
    Column(N_("Targets reached"), "indicators_reached", "count", width=12),
    Column(N_("Indicator achievement"), "achievement", "percent", width=12),
    Column(N_("Next report due"), "next_deadline", "date", width=14),
)


def report_title(report: PortfolioReport) -> str:
    """The title, with the programme, measure or status when filtered; current language."""
    scope = [report.filters.get(key) for key in ("programme", "measure", "status")]
    scope = [value for value in scope if value]
    title = gettext("Portfolio report")
    return f"{title} · {' · '.join(scope)}" if scope else title


# XLSX -----------------------------------------------------------------------------------------


def render_portfolio_xlsx(report: PortfolioReport) -> bytes:
    """One sheet: a row per project, then the totals; as bytes."""
    return in_locale(report.locale, _workbook_bytes, report)


def _workbook_bytes(report: PortfolioReport) -> bytes:
    workbook = new_workbook(report_title(report), report.report_date)
    rows = records(report.projects)
    _sheet(workbook, gettext("Portfolio"), PORTFOLIO_COLUMNS, rows, dict(report.totals))
    return workbook_bytes(workbook, report.report_date)


# HTML and PDF ---------------------------------------------------------------------------------


def html_context(report: PortfolioReport) -> dict[str, Any]:
    return {
        "report": report,
        "title": report_title(report),
        "rows": records(report.projects),
        "totals": dict(report.totals),
        "created": report.report_date.isoformat(),
    }


def render_portfolio_html(report: PortfolioReport) -> bytes:
    """A stand-alone HTML document (the PDF's source), in the report's language."""
    return in_locale(report.locale, _render, report).encode()


def _render(report: PortfolioReport) -> str:
    return environment().get_template(DOCUMENT).render(html_context(report))


def render_portfolio_pdf(report: PortfolioReport) -> bytes:
    """Landscape A4 PDF; the same report and date give the same bytes."""
    document = HTML(string=render_portfolio_html(report).decode())
    return document.write_pdf(pdf_identifier=False)
