"""The progress report as an XLSX workbook: one sheet per section, real numbers with number
formats (money is the exact Decimal amount, never text or float arithmetic), frozen header
rows, set column widths. Deterministic: document dates are the report date and every file in
the zip carries that date, so the same report gives the same bytes."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from grants.core.i18n import current_locale, gettext
from grants.core.money import from_cents, from_hundredths, rate_fraction
from grants.core.translatable import N_
from reports.frames import in_locale, records
from reports.project_report import (
    NARRATIVE,
    ProjectReport,
    category_totals,
    section_title,
    source_totals,
)

MONEY_FORMAT = '#,##0.00 "€"'
PERCENT_FORMAT = "0.0%"
RATE_FORMAT = "0.00%"
COUNT_FORMAT = "#,##0"
FIGURE_FORMAT = "#,##0.00"
MONTHS_FORMAT = "#,##0.0#"
DATE_FORMATS = {"lv": "dd.mm.yyyy", "en": "d mmm yyyy"}
ROW_KIND = "row"  # a column whose rows say their own kind (the header sheet's values)

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="EEF1F5")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="1D2430"))
_TOTAL_BORDER = Border(top=Side(style="thin", color="1D2430"))
_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})
# How a spreadsheet tells a formula from text when someone edits the cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def xml_text(text: str) -> str:
    """Text without the control characters XML cannot hold (refused on input now, but a
    report must not fail on text stored before)."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def put_text(cell: Any, text: str) -> None:
    """Text as a text cell, never a formula: a title "=HYPERLINK(…)" stays those characters,
    also when someone edits the cell (quote prefix)."""
    cell.value = xml_text(text)
    cell.data_type = "s"
    if cell.value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def _put(cell: Any, value: Any) -> None:
    """A value into a cell: text as text (`put_text`), anything else as it is."""
    if isinstance(value, str):
        put_text(cell, value)
    else:
        cell.value = value


def money_cell(cents: int | None) -> Decimal | None:
    """The exact amount in euros: 25209167 -> Decimal("252091.67")."""
    return None if cents is None else from_cents(cents)


def percent_cell(value: Decimal | None) -> Decimal | None:
    """A percentage (36.3) as the fraction Excel formats as one (0.363), exactly."""
    return None if value is None else value.scaleb(-2)


def rate_cell(rate_bp: int | None) -> Decimal | None:
    return None if rate_bp is None else rate_fraction(rate_bp)


def figure_cell(hundredths: int | None) -> Decimal | None:
    return None if hundredths is None else from_hundredths(hundredths)


@dataclass(frozen=True)
class Column:
    """A sheet column: its heading (msgid), the record key, how a value becomes a cell, the
    number format and the width in characters."""

    title: str
    key: str
    kind: str = "text"
    width: int | None = None


_KINDS: dict[str, tuple[Callable[[Any], Any], str | None]] = {
    "text": (lambda v: "" if v is None else v, None),
    "money": (money_cell, MONEY_FORMAT),
    "percent": (percent_cell, PERCENT_FORMAT),
    "rate": (rate_cell, RATE_FORMAT),
    "figure": (figure_cell, FIGURE_FORMAT),
    "count": (lambda v: v, COUNT_FORMAT),
    "months": (lambda v: v, MONTHS_FORMAT),
    "date": (lambda v: v, None),
}


def _flags(row: dict[str, Any]) -> str:
    flags = [gettext("over plan")] * row["over_plan"] + [gettext("drift")] * row["drift"]
    return ", ".join(flags)


def render_xlsx(report: ProjectReport) -> bytes:
    """The workbook in the report's language, as bytes."""
    return in_locale(report.locale, _workbook_bytes, report)


def _workbook_bytes(report: ProjectReport) -> bytes:
    title = f"{gettext('Progress report')} {report.header['code']}"
    workbook = new_workbook(title, report.report_date)
    for name, columns, rows, totals in _sheets(report):
        _sheet(workbook, name, columns, rows, totals)
    return workbook_bytes(workbook, report.report_date)


def new_workbook(title: str, day: date) -> Workbook:
    """An empty workbook whose document dates are `day`, not the clock's."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    moment = datetime.combine(day, datetime.min.time())
    workbook.properties.creator = "grants"
    workbook.properties.title = xml_text(title)
    workbook.properties.created = moment
    workbook.properties.modified = moment
    workbook.properties.lastModifiedBy = "grants"
    return workbook


def workbook_bytes(workbook: Workbook, day: date) -> bytes:
    """The workbook as XLSX with every file in the zip dated `day`."""
    buffer = BytesIO()
    with ZipFile(buffer, "w", ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()  # save_workbook would stamp now()
    return _restamped(buffer.getvalue(), day)


def _restamped(data: bytes, day: date) -> bytes:
    """The same zip with every member dated `day`, so the bytes do not depend on the clock."""
    stamp = (max(day.year, 1980), day.month, day.day, 0, 0, 0)
    out = BytesIO()
    with ZipFile(BytesIO(data)) as source, ZipFile(out, "w", ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = ZipInfo(info.filename, date_time=stamp)
            member.compress_type = ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            target.writestr(member, source.read(info))
    return out.getvalue()


Sheet = tuple[str, Sequence[Column], list[dict[str, Any]], dict[str, Any] | None]


def _sheets(report: ProjectReport) -> list[Sheet]:
    """Every sheet: name, columns, rows and an optional totals row."""
    sources = [row | {"flags": _flags(row)} for row in records(report.sources)]
    checks = [
        row | {"result": gettext("passed") if row["passed"] else gettext("failed")}
        for row in records(report.checks)
    ]
    sheets: list[Sheet] = [
        (gettext("Report"), _HEADER_COLUMNS, _header_rows(report), None),
        (section_title("indicators"), _INDICATOR_COLUMNS, records(report.indicators), None),
        (gettext("Breakdowns"), _BREAKDOWN_COLUMNS, records(report.breakdowns), None),
        (section_title("sources"), _SOURCE_COLUMNS, sources, source_totals(report)),
        (gettext("Declared costs"), _DECLARED_COLUMNS, records(report.declared), None),
        (
            section_title("categories"),
            _CATEGORY_COLUMNS,
            records(report.categories),
            category_totals(report),
        ),
        (
            gettext("Budget reconciliation"),
            _RECONCILIATION_COLUMNS,
            records(report.reconciliation),
            None,
        ),
        (section_title("checks"), _CHECK_COLUMNS, checks, None),
    ]
    if report.services is not None and report.service_totals is not None:
        groups = {r["group"]: r["group_label"] for r in records(report.service_totals)}
        lines = [r | {"group_label": groups[r["group"]]} for r in records(report.services)]
        sheets.append((section_title("services"), _SERVICE_COLUMNS, lines, None))
        sheets.append(
            (
                gettext("Service totals"),
                _SERVICE_TOTAL_COLUMNS,
                records(report.service_totals),
                None,
            )
        )
    narrative = [
        {"section": gettext(title), "text": report.narrative.get(key, "")}
        for key, title in NARRATIVE.items()
    ]
    sheets.append((gettext("Narrative"), _NARRATIVE_COLUMNS, narrative, None))
    return sheets


def _header_rows(report: ProjectReport) -> list[dict[str, Any]]:
    h = report.header
    rows = [
        (N_("Project code"), h["code"], "text"),
        (N_("Title"), h["title"], "text"),
        (N_("Programme"), f"{h['programme']} ({h['programme_code']})", "text"),
        (N_("Measure"), f"{h['measure']} ({h['fund']})", "text"),
        (N_("Intermediate body"), h["intermediate_body"], "text"),
        (N_("Beneficiary"), h["holder"], "text"),
        (N_("Our role"), h["our_role_label"], "text"),
        (N_("Contract"), h["contract_ref"], "text"),
        (N_("Contract version"), h["contract_line"], "text"),
        (N_("Project start"), h["project_start"], "date"),
        (N_("Project end"), h["project_end"], "date"),
        (N_("Reporting period"), h["period_number"], "count"),
        (N_("Period start"), h["period_start"], "date"),
        (N_("Period end"), h["period_end"], "date"),
        (N_("Status"), h["period_status_label"], "text"),
        (N_("Deadline"), h["period_deadline"], "date"),
        (N_("Report date"), h["report_date"], "date"),
        (N_("Register figures counted up to"), h["register_until"], "date"),
        (N_("Total costs"), h["total_cost"], "money"),
        (N_("Eligible costs"), h["eligible_cost"], "money"),
    ]
    return [{"field": gettext(title), "value": value, "kind": kind} for title, value, kind in rows]


_HEADER_COLUMNS = (
    Column(N_("Field"), "field", width=24),
    Column(N_("Value"), "value", ROW_KIND, width=70),
)
_INDICATOR_COLUMNS = (
    Column(N_("Code"), "code", width=10),
    Column(N_("Indicator"), "name", width=50),
    Column(N_("Unit"), "unit", width=12),
    Column(N_("Kind"), "kind_label", width=12),
    Column(N_("Target"), "target", "figure"),
    Column(N_("Previously reported"), "previously", "figure"),
    Column(N_("This period"), "this_period", "figure"),
    Column(N_("To date"), "to_date", "figure"),
    Column(N_("% of target"), "percent_of_target", "percent"),
    Column(N_("Comment"), "comment", width=40),
    Column(N_("Counted from the register up to"), "counted_until", "date", width=14),
)
_BREAKDOWN_COLUMNS = (
    Column(N_("Code"), "code", width=10),
    Column(N_("Breakdown"), "dimension_label", width=20),
    Column(N_("Category"), "category_label", width=16),
    Column(N_("Value"), "value", "figure"),
    Column(N_("Total"), "total", "figure"),
    Column(N_("Difference"), "difference", "figure"),
)
_SOURCE_COLUMNS = (
    Column(N_("Source"), "source", width=28),
    Column(N_("Kind"), "kind_label", width=16),
    Column(N_("Base"), "base_label", width=24),
    Column(N_("Rate"), "rate_bp", "rate"),
    Column(N_("Plan"), "planned", "money"),
    Column(N_("Planned share"), "planned_share", "percent"),
    Column(N_("This period"), "this_period", "money"),
    Column(N_("To date"), "to_date", "money"),
    Column(N_("Actual share"), "actual_share", "percent"),
    Column(N_("Remaining"), "remaining", "money"),
    Column(N_("Absorption"), "absorption", "percent"),
    Column(N_("Flags"), "flags", width=16),
)
_DECLARED_COLUMNS = (
    Column(N_("Declared costs"), "label", width=30),
    Column(N_("This period"), "this_period", "money"),
    Column(N_("To date"), "to_date", "money"),
)
_CATEGORY_COLUMNS = (
    Column(N_("Category"), "name", width=34),
    Column(N_("Flat rate"), "flat_rate_bp", "rate"),
    Column(N_("Plan"), "planned", "money"),
    Column(N_("This period"), "this_period", "money"),
    Column(N_("To date"), "to_date", "money"),
    Column(N_("Remaining"), "remaining", "money"),
    Column(N_("Absorption"), "absorption", "percent"),
    Column(N_("Flat rate of"), "flat_rate_base", width=28),
)
_RECONCILIATION_COLUMNS = (  # declared eligible costs + flat-rate amounts = the budget table
    Column(N_("From the declared costs to the budget table"), "label", width=60),
    Column(N_("This period"), "this_period", "money"),
    Column(N_("To date"), "to_date", "money"),
)
_CHECK_COLUMNS = (
    Column(N_("Check"), "label", width=50),
    Column(N_("Subject"), "subject", width=28),
    Column(N_("Expected"), "expected", "money"),
    Column(N_("Actual"), "actual", "money"),
    Column(N_("Difference"), "difference", "money"),
    Column(N_("Check result"), "result", width=12),
)
_SERVICE_COLUMNS = (
    Column(N_("Target group"), "group_label", width=18),
    Column(N_("Service"), "service", width=50),
    Column(N_("Persons"), "persons", "count"),
    Column(N_("Receipts"), "receipts", "count"),
    Column(N_("Amount"), "amount", "money"),
)
_SERVICE_TOTAL_COLUMNS = (
    Column(N_("Target group"), "group_label", width=18),
    Column(N_("Unique persons"), "unique_persons", "count"),
    Column(N_("Receipts"), "receipts", "count"),
    Column(N_("Amount"), "total_amount", "money"),
    Column(N_("Person-months"), "person_months", "months"),
    Column(N_("Per person per month"), "eur_per_person_month", "money"),
    Column(N_("Average months of service"), "average_months", "months"),
)
_NARRATIVE_COLUMNS = (
    Column(N_("Section"), "section", width=24),
    Column(N_("Text"), "text", width=100),
)


def _sheet_name(name: str, taken: Iterable[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique."""
    base = name.translate(_SHEET_NAME_FORBIDDEN).strip()[:31]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base[: 31 - len(str(n)) - 1]} {n}", n + 1
    return candidate


def _sheet(
    workbook: Workbook,
    name: str,
    columns: Sequence[Column],
    rows: list[dict[str, Any]],
    totals: dict[str, Any] | None,
) -> Worksheet:
    sheet = workbook.create_sheet(_sheet_name(name, workbook.sheetnames))
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        put_text(cell, gettext(column.title))
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _HEADER_BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = column.width or 16
    for number, row in enumerate(rows, start=2):
        for index, column in enumerate(columns, start=1):
            _write(sheet.cell(row=number, column=index), column, row)
    if totals is not None:
        _totals_row(sheet, columns, totals, len(rows) + 2)
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    return sheet


def _write(cell: Any, column: Column, row: dict[str, Any]) -> None:
    """A value as a typed cell with its number format; whole figures without decimals."""
    kind = row["kind"] if column.kind == ROW_KIND else column.kind
    convert, number_format = _KINDS[kind]
    _put(cell, convert(row[column.key]))
    if kind == "date":
        number_format = DATE_FORMATS[current_locale()]
    elif kind == "figure" and cell.value is not None and cell.value == cell.value.to_integral():
        number_format = COUNT_FORMAT
    if number_format:
        cell.number_format = number_format
    if kind == "text":
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _totals_row(
    sheet: Worksheet, columns: Sequence[Column], totals: dict[str, Any], number: int
) -> None:
    """The computed totals under the rows, bold, with the same formats."""
    first = sheet.cell(row=number, column=1)
    put_text(first, gettext("Total"))
    first.font, first.border = _HEADER_FONT, _TOTAL_BORDER
    for index, column in enumerate(columns[1:], start=2):
        cell = sheet.cell(row=number, column=index)
        cell.font, cell.border = _HEADER_FONT, _TOTAL_BORDER
        if column.key in totals:
            convert, number_format = _KINDS[column.kind]
            _put(cell, convert(totals[column.key]))
            cell.number_format = number_format or "General"
