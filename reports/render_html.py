"""The progress report as HTML, through the same Jinja2 templates the pages use.

`html_context` is what the report partials need; an on-screen page passes it to
"reports/partials/project_report.html" inside the app's own layout, and `render_html` wraps the
same partials in a stand-alone document (the HTML download and the PDF's source).
"""

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from grants.core import i18n
from grants.core.vocabulary import LOCKED_PERIOD_STATUSES
from reports.charts import CHARTS, chart_uris
from reports.frames import in_locale, records
from reports.project_report import (
    NARRATIVE,
    SECTIONS,
    ProjectReport,
    category_totals,
    section_title,
    source_totals,
)

TEMPLATES = Path(i18n.__file__).parent.parent / "templates"
DOCUMENT = "reports/project_report.html"

# The names the app's templates know (grants.app), so the partials render the same in both.


@cache
def environment() -> Environment:
    """A Jinja2 environment on the app's template folder, autoescaped like the app's."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )
    env.globals.update(i18n.template_globals())
    return env


def created_stamp(report: ProjectReport) -> str:
    """The report date as the document's creation date (W3C form), never the clock's."""
    return report.report_date.isoformat()


def html_context(report: ProjectReport, *, charts: bool = True) -> dict[str, Any]:
    """What the report templates need, in plain Python values. Call it in the report's
    language (labels and chart texts are translated here)."""
    return {
        "report": report,
        "h": report.header,
        "sections": _sections(),
        "indicators": records(report.indicators),
        "breakdowns": _breakdowns(report),
        "sources": records(report.sources),
        "source_totals": source_totals(report),
        "declared": records(report.declared),
        "categories": records(report.categories),
        "category_totals": category_totals(report),
        "reconciliation": records(report.reconciliation),
        "checks": records(report.checks),
        "services": _services(report),
        "narrative": dict(report.narrative),
        "charts": chart_uris(report) if charts else dict.fromkeys(CHARTS),
        "created": created_stamp(report),
        "draft": is_draft(report),
    }


def is_draft(report: ProjectReport) -> bool:
    """A report of a period not yet submitted (or returned): it carries a DRAFT mark. A frozen
    version is rendered after the period is submitted, so it never does."""
    return report.header["period_status"] not in LOCKED_PERIOD_STATUSES


def render_html(report: ProjectReport, *, charts: bool = True) -> bytes:
    """The report as a stand-alone UTF-8 HTML document in the report's language."""
    return in_locale(report.locale, _render, report, charts).encode()


def _render(report: ProjectReport, charts: bool) -> str:
    template = environment().get_template(DOCUMENT)
    return template.render(html_context(report, charts=charts))


def _sections() -> list[dict[str, Any]]:
    return [
        {
            "number": number,
            "key": key,
            "title": section_title(key),
            "partial": f"reports/partials/{'narrative' if key in NARRATIVE else key}.html",
        }
        for number, (key, _title) in enumerate(SECTIONS, start=1)
    ]


def _breakdowns(report: ProjectReport) -> list[dict[str, Any]]:
    """One row per indicator and dimension, its categories in order."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for r in records(report.breakdowns):
        row = rows.setdefault(
            (r["code"], r["dimension"]),
            {key: r[key] for key in ("code", "dimension_label", "total", "difference", "complete")}
            | {"categories": []},
        )
        row["categories"].append(r)
    return list(rows.values())


def _services(report: ProjectReport) -> list[dict[str, Any]] | None:
    """Per target group its service lines and totals; None when the register is not readable."""
    if report.services is None or report.service_totals is None:
        return None
    lines = records(report.services)
    return [
        {
            "label": totals["group_label"],
            "lines": [line for line in lines if line["group"] == totals["group"]],
            "totals": totals,
        }
        for totals in records(report.service_totals)
    ]
