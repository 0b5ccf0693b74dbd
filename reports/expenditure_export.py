"""The expenditure register as a file for the accounting system and the funder: every column
of the current register (`grants.finance.imports.export_table`), as CSV or XLSX.

CSV: separator `;`, UTF-8 with a byte-order mark, CRLF line ends; amounts without grouping
with the language's decimal mark (lv "1234,50", en "1234.50"), dates ISO. A text that a
spreadsheet would take for a formula begins with an apostrophe (`reports.render_csv.text`).
XLSX: amounts are the exact Decimal in a money format, dates are date cells, text is always a
text cell, never a formula (`reports.render_xlsx.put_text`).
"""

import csv
from datetime import date, datetime
from io import BytesIO, StringIO

from grants.core.i18n import current_locale
from grants.core.money import cents_to_str
from grants.finance.imports import ExportTable
from reports.render_csv import text
from reports.render_xlsx import DATE_FORMATS, MONEY_FORMAT, money_cell, put_text

_WIDTHS = {"count": 8, "date": 12, "datetime": 17, "money": 14, "text": 22}


def render_csv(table: ExportTable) -> bytes:
    """The register as CSV (layout in the module's doc)."""
    comma = current_locale() == "lv"
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([text(h) for h in table.headings()])
    kinds = [c.kind for c in table.columns]
    for values in table.values():
        writer.writerow([_csv_value(v, kind, comma) for v, kind in zip(values, kinds, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value: object, kind: str, comma: bool) -> str:
    if value is None:
        return ""
    if kind == "money":
        figure = cents_to_str(int(value))  # type: ignore[call-overload]
        return figure.replace(".", ",") if comma else figure
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if kind == "count":
        return str(value)
    return text(str(value))


def render_xlsx(table: ExportTable) -> bytes:
    """The register as one sheet: a bold, frozen header row, then a row an entry."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    date_format = DATE_FORMATS.get(current_locale(), "yyyy-mm-dd")
    book = Workbook()
    sheet = book.active
    sheet.title = "Izdevumi" if current_locale() == "lv" else "Expenditures"
    for index, heading in enumerate(table.headings(), start=1):
        cell = sheet.cell(1, index)
        put_text(cell, heading)
        cell.font = Font(bold=True)
        width = max(_WIDTHS[table.columns[index - 1].kind], len(heading) + 2)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for number, values in enumerate(table.values(), start=2):
        for index, (value, column) in enumerate(zip(values, table.columns, strict=True), 1):
            cell = sheet.cell(number, index)
            if value is None or value == "":
                continue
            if column.kind == "money":
                cell.value = money_cell(int(value))  # type: ignore[call-overload]
                cell.number_format = MONEY_FORMAT
            elif column.kind == "date":
                cell.value = value
                cell.number_format = date_format
            elif column.kind == "datetime":
                cell.value = value.replace(tzinfo=None)  # type: ignore[union-attr]
                cell.number_format = date_format + " hh:mm"
            elif column.kind == "count":
                cell.value = value
            else:
                put_text(cell, str(value))
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
