"""The annual participant report of an ESF+ project: the common indicators for the year with
their breakdowns by gender and age group, the participants who entered and left in the year,
and how many answers are missing, as XLSX, CSV or PDF.

Made to be shared: it holds counts only, and every count of 1 to 4 persons is shown as "<5"
(a zero stays 0), so no one can be recognised from a small cell. Only roles that read the
register (`Action.READ_REGISTER`) may take it out, and each download is in the audit trail;
special-category indicators (EECO12, EECO15) stay withheld from roles that may not see them.
"""

import csv
from dataclasses import dataclass
from datetime import date
from io import StringIO
from typing import Any

from grants.core.access import Principal
from grants.core.errors import Problems
from grants.core.i18n import LOCALES, current_locale, gettext, label, localised
from grants.core.translatable import N_
from grants.core.vocabulary import AGE_GROUPS, GENDERS, Breakdown
from grants.results.common import Count, common_values, count_groups, register_for_report
from reports.frames import in_locale
from reports.threads import off_loop

SMALL = 5  # counts of 1 to SMALL − 1 persons are marked, not shown
SMALL_MARK = "<5"
FIRST_YEAR, LAST_YEAR = 2000, 2100
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}
TEMPLATE = "reports/participant_report.html"
CATEGORIES = (*GENDERS, *AGE_GROUPS)

_YEAR_MALFORMED = N_("Give the report's year as a number from %(first)s to %(last)s.")
_FORMAT_UNKNOWN = N_("Unknown format “%(format)s”: choose xlsx, pdf or csv.")


def shown(count: int | None) -> int | str | None:
    """A count as the report shows it: 1–4 persons as "<5", 0 and 5 or more as they are."""
    if count is None:
        return None
    return SMALL_MARK if 0 < count < SMALL else count


@dataclass(frozen=True)
class ReportLine:
    """One line of the report's table: the year's count and the count to the year's end, with
    the year's breakdown; small cells already marked; all None when withheld."""

    key: str  # the indicator code, or entered / left / missing_labour_status / …
    label: str  # msgid
    withheld: bool
    year: int | str | None
    to_date: int | str | None
    categories: dict[str, int | str | None]  # every gender and age group


@dataclass(frozen=True)
class ParticipantReport:
    project_code: str
    title_lv: str
    title_en: str
    year: int
    report_date: date
    locale: str
    indicators: list[ReportLine]
    movements: list[ReportLine]  # entered and left in the year
    missing: list[ReportLine]  # answers not recorded or refused, of those who entered

    @property
    def title(self) -> str:
        return localised(self.title_lv, self.title_en)


def _line(key: str, name: str, year: Count | None, to_date: Count | None) -> ReportLine:
    if year is None:
        return ReportLine(key, name, True, None, None, dict.fromkeys(CATEGORIES))
    categories = {
        **{g: shown(year.breakdown[Breakdown.GENDER][g]) for g in GENDERS},
        **{a: shown(year.breakdown[Breakdown.AGE][a]) for a in AGE_GROUPS},
    }
    return ReportLine(
        key, name, False, shown(year.value), shown(to_date.value if to_date else None), categories
    )


def check_request(year: object, fmt: str) -> int:
    """The year as a number, or Refused naming every problem (year and format)."""
    problems = Problems()
    number = None
    text = str(year).strip() if year is not None else ""
    if text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR:
        number = int(text)
    else:
        problems.add(_YEAR_MALFORMED, "year", first=FIRST_YEAR, last=LAST_YEAR)
    if fmt not in FORMATS:
        problems.add(_FORMAT_UNKNOWN, "format", format=fmt)
    problems.raise_if_any()
    assert number is not None
    return number


async def build_participant_report(
    principal: Principal, project_id: int, year: int, fmt: str, locale: str | None = None
) -> ParticipantReport:
    """The report's figures for the year, counted from the register in three grouped queries;
    the download recorded in the audit trail. AccessDenied unless the reader reads the
    register; NotFound for an unknown project."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    found = await register_for_report(principal, project_id, f"participant report {year} ({fmt})")
    facts = found.facts
    values = common_values(principal, project_id, facts, start, end)
    indicators = [_line(v.code, v.name, v.period, v.to_date) for v in values]
    movements = [
        _line(
            "entered",
            N_("Participants who entered in the year"),
            count_groups(facts.entered, "total", start, end),
            count_groups(facts.entered, "total", None, end),
        ),
        _line(
            "left",
            N_("Participants who left in the year"),
            count_groups(facts.left, "total", start, end),
            count_groups(facts.left, "total", None, end),
        ),
    ]
    missing = [
        _line(
            key,
            name,
            count_groups(facts.entered, column, start, end),
            count_groups(facts.entered, column, None, end),
        )
        for key, name, column in (
            ("missing_labour_status", N_("Labour-market status not recorded"), "labour_missing"),
            ("refused_labour_status", N_("Labour-market status refused"), "labour_refused"),
            ("missing_education", N_("Education not recorded"), "education_missing"),
            ("refused_education", N_("Education refused"), "education_refused"),
        )
    ]
    return ParticipantReport(
        project_code=found.code,
        title_lv=found.title_lv,
        title_en=found.title_en,
        year=year,
        report_date=date.today(),
        locale=locale if locale in LOCALES else current_locale(),
        indicators=indicators,
        movements=movements,
        missing=missing,
    )


# Rendering ---------------------------------------------------------------------------------------


def _sections(report: ParticipantReport) -> list[tuple[str, list[ReportLine]]]:
    return [
        (gettext("ESF+ common indicators"), report.indicators),
        (gettext("Participants entered and left"), report.movements),
        (gettext("Missing data (of those who entered)"), report.missing),
    ]


def _headings(report: ParticipantReport) -> list[str]:
    return [
        gettext("Code"),
        gettext("Indicator"),
        gettext("In %(year)s", year=report.year),
        gettext("To the end of %(year)s", year=report.year),
        *(label(category) for category in CATEGORIES),
    ]


def _cells(line: ReportLine) -> list[Any]:
    return [line.year, line.to_date, *(line.categories[c] for c in CATEGORIES)]


def render_participant_xlsx(report: ParticipantReport) -> bytes:
    """One sheet per section; counts are numbers, "<5" and the withheld mark text cells."""
    return in_locale(report.locale, _xlsx, report)


def _xlsx(report: ParticipantReport) -> bytes:
    from openpyxl.styles import Alignment, Font

    from reports.render_xlsx import COUNT_FORMAT, new_workbook, put_text, workbook_bytes

    title = f"{gettext('Annual participant report')} {report.project_code} {report.year}"
    workbook = new_workbook(title, report.report_date)
    headings = _headings(report)
    for name, lines in _sections(report):
        sheet = workbook.create_sheet(name[:31].translate(str.maketrans("[]:*?/\\", "       ")))
        for column, heading in enumerate(headings, start=1):
            cell = sheet.cell(row=1, column=column)
            put_text(cell, heading)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for number, line in enumerate(lines, start=2):
            put_text(sheet.cell(row=number, column=1), line.key)
            put_text(sheet.cell(row=number, column=2), gettext(line.label))
            for column, value in enumerate(_cells(line), start=3):
                cell = sheet.cell(row=number, column=column)
                if line.withheld:
                    put_text(cell, gettext("withheld"))
                elif isinstance(value, int):
                    cell.value, cell.number_format = value, COUNT_FORMAT
                elif value is not None:
                    put_text(cell, value)
        sheet.column_dimensions["B"].width = 60
        sheet.freeze_panes = "C2"
    return workbook_bytes(workbook, report.report_date)


CSV_HEADER = ("section", "key", "label", "measure", "value")


def render_participant_csv(report: ParticipantReport) -> bytes:
    """One count a row: section;key;label;measure;value, measure `year`, `to_date` or a
    category (women, men, non_binary, under_18, 18_29, 30_54, 55_plus); value a whole number,
    "<5", or "withheld". UTF-8 with a byte-order mark, `;`, CRLF."""
    return in_locale(report.locale, _csv, report)


def _csv(report: ParticipantReport) -> bytes:
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for section, lines in (
        ("indicators", report.indicators),
        ("movements", report.movements),
        ("missing", report.missing),
    ):
        for line in lines:
            measures = {"year": line.year, "to_date": line.to_date, **line.categories}
            for measure, value in measures.items():
                text = "withheld" if line.withheld else ("" if value is None else str(value))
                writer.writerow((section, line.key, gettext(line.label), measure, text))
    return ("\ufeff" + buffer.getvalue()).encode()


def render_participant_html(report: ParticipantReport) -> str:
    return in_locale(report.locale, _html, report)


def _html(report: ParticipantReport) -> str:
    from reports.render_html import environment

    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            {
                "report": report,
                "created": report.report_date.isoformat(),
                "sections": _sections(report),
                "headings": _headings(report),
                "categories": CATEGORIES,
            }
        )
    )


def render_participant_pdf(report: ParticipantReport) -> bytes:
    """A4 PDF in the report's language (WeasyPrint, imported on first use)."""
    from reports.render_pdf import print_pdf

    return print_pdf(render_participant_html(report))


RENDERERS = {
    "xlsx": render_participant_xlsx,
    "csv": render_participant_csv,
    "pdf": render_participant_pdf,
}


def file_name(report: ParticipantReport, fmt: str) -> str:
    code = "".join(c if c.isalnum() or c in "-_." else "-" for c in report.project_code)
    return f"participant-report-{code}-{report.year}.{fmt}"


async def participant_report_file(
    principal: Principal,
    project_id: int,
    year: object,
    fmt: str,
    locale: str | None = None,
) -> tuple[bytes, str, str]:
    """(data, media type, file name) of the year's report; rendered off the event loop."""
    number = check_request(year, fmt)
    report = await build_participant_report(principal, project_id, number, fmt, locale)
    data = await off_loop(RENDERERS[fmt], report)
    return data, FORMATS[fmt], file_name(report, fmt)
