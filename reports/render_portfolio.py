"""The portfolio report as XLSX (openpyxl) and PDF (WeasyPrint, landscape A4), in the report's
language, with the same helpers and look as the progress report: typed cells with number
formats (money as the exact Decimal), a frozen header row, and a totals row of computed values
(values, not formulas, so every reader sees the same figures). Both are deterministic: the
report date is the documents' date.

As on the portfolio page, a partner project's total and EU share are our share (the whole
project's amounts in columns of their own), and the totals come in two rows never added
together: our projects, and other organisations' approvals."""

from typing import Any

from grants.core.i18n import gettext, ngettext
from grants.core.translatable import N_
from reports.frames import in_locale, records
from reports.portfolio_report import PortfolioReport
from reports.render_html import environment
from reports.render_pdf import print_pdf, print_pdf_in_parts, printers
from reports.render_xlsx import (
    Column,
    _sheet,
    _totals_row,
    new_workbook,
    put_text,
    workbook_bytes,
)

DOCUMENT = "reports/portfolio.html"
PAGE_CHROME = "reports/portfolio_pages.html"
# From this many rows the PDF prints in parts side by side: one pass takes over a second.
PARTS_FROM = 150

PORTFOLIO_COLUMNS = (
    Column(N_("Code"), "code", width=18),
    Column(N_("Project"), "title", width=48),
    Column(N_("Programme"), "programme_code", width=12),
    Column(N_("Measure"), "measure", width=12),
    Column(N_("Status"), "status_label", width=12),
    Column(N_("Counted as"), "counted_label", width=16),
    Column(N_("Project start"), "start", "date", width=12),
    Column(N_("Project end"), "end", "date", width=12),
    Column(N_("Total"), "total_cost", "money"),
    Column(N_("Eligible"), "eligible_cost", "money"),
    Column(N_("EU share"), "eu_share", "money"),
    Column(N_("Whole project: total"), "project_total_cost", "money"),
    Column(N_("Whole project: eligible"), "project_eligible_cost", "money"),
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
    sheet = _sheet(workbook, gettext("Portfolio"), PORTFOLIO_COLUMNS, rows, None)
    number = len(rows) + 2
    for title, group in total_groups(report):
        _totals_row(sheet, PORTFOLIO_COLUMNS, group, number)
        put_text(sheet.cell(row=number, column=1), title)
        put_text(sheet.cell(row=number, column=_column("counted_label")), _known_note(group))
        number += 1
    return workbook_bytes(workbook, report.report_date)


def total_groups(report: PortfolioReport) -> list[tuple[str, dict[str, Any]]]:
    """The totals rows, titled with their project count, in the current language: our
    projects (also when there are none, unless only others are shown), then other
    organisations' approvals when there are any, as the page shows them."""
    ours, others = report.totals["ours"], report.totals["others"]
    groups = []
    if ours["projects"] or not others["projects"]:
        groups.append((N_("Our projects"), ours))
    if others["projects"]:
        groups.append((N_("Other organisations' approvals"), others))
    return [
        (f"{gettext(title)} · {projects_count(group['projects'])}", group)
        for title, group in groups
    ]


def projects_count(count: int) -> str:
    return ngettext("%(num)d project", "%(num)d projects", count)


def _known_note(group: dict[str, Any]) -> str:
    """How many rows had each figure: the spreadsheet's version of the page's captions."""
    parts = [
        f"{gettext(title)}: "
        + gettext("%(known)s of %(all)s known", known=group[f"{key}_known"], all=group["projects"])
        for title, key in (
            (N_("Total"), "total_cost"),
            (N_("Eligible"), "eligible_cost"),
            (N_("EU share"), "eu_share"),
        )
    ]
    return "; ".join(parts)


def _column(key: str) -> int:
    return next(i for i, c in enumerate(PORTFOLIO_COLUMNS, start=1) if c.key == key)


# HTML and PDF ---------------------------------------------------------------------------------


def html_context(report: PortfolioReport) -> dict[str, Any]:
    """The whole document: header, every row, totals and its own page chrome."""
    return {
        "report": report,
        "title": report_title(report),
        "rows": records(report.projects),
        "totals": dict(report.totals),
        "total_groups": total_groups(report),
        "created": report.report_date.isoformat(),
        "first": True,
        "last": True,
        "page_chrome": True,
    }


def render_portfolio_html(report: PortfolioReport) -> bytes:
    """A stand-alone HTML document (the PDF's source), in the report's language."""
    return in_locale(report.locale, lambda: _render(html_context(report))).encode()


def _render(context: dict[str, Any], document: str = DOCUMENT) -> str:
    return environment().get_template(document).render(context)


def render_portfolio_pdf(report: PortfolioReport) -> bytes:
    """Landscape A4 PDF; the same report and date give the same bytes. One table of a row per
    project, each cell a line or two of text (see reports/portfolio.html): WeasyPrint's time
    grows with the lines it lays out, so the template keeps them few.

    A portfolio of PARTS_FROM rows or more prints in as many parts as there are printers
    (cores), each a run of consecutive rows that starts on a new page; so a part's last page
    may be short. On one core it prints in one go."""
    return in_locale(report.locale, _pdf, report)


def _pdf(report: PortfolioReport) -> bytes:
    context = html_context(report)
    rows = context["rows"]
    parts = printers() if len(rows) >= PARTS_FROM else 1
    if parts < 2:
        return print_pdf(_render(context))
    size = -(-len(rows) // parts)
    documents = [
        _render(
            context
            | {
                "rows": rows[start : start + size],
                "first": start == 0,
                "last": start + size >= len(rows),
                "page_chrome": False,
            }
        )
        for start in range(0, len(rows), size)
    ]
    return print_pdf_in_parts(
        documents, lambda pages: _render(context | {"pages": pages}, PAGE_CHROME)
    )
