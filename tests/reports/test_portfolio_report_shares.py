"""The portfolio report counts as the page does: partner projects at our share, and other
organisations' approvals in a totals row of their own, in the XLSX and the PDF."""

import io
import re
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from pypdf import PdfReader

from grants.core.vocabulary import Role
from grants.projects.portfolio import PortfolioFilter, portfolio_totals
from reports.frames import records
from reports.portfolio_report import build_portfolio_report
from reports.render_portfolio import render_portfolio_pdf, render_portfolio_xlsx
from tests.helpers import CONNECTINGEN, FAMILIES, PROTI, principal

REPORT_DATE = date(2026, 7, 10)


def cell(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


async def test_report_totals_are_the_page_totals(demo):
    admin = await principal(Role.ADMIN)
    page = await portfolio_totals(admin, PortfolioFilter())
    totals = (await build_portfolio_report(admin, report_date=REPORT_DATE)).totals
    for group, shown in (("ours", page.ours), ("others", page.others)):
        t = totals[group]
        assert (t["projects"], t["total_cost"], t["total_cost_known"]) == (
            shown.projects,
            shown.total_cost,
            shown.total_known,
        )
        assert (t["eu_share"] or 0, t["eu_share_known"]) == (shown.eu_share, shown.eu_known)
    assert (page.ours.total_cost, page.others.total_cost) == (50167394, 287951097)
    assert (totals["ours"]["eu_share"], totals["others"]["eu_share"]) == (29077567, None)


async def test_the_xlsx_rows_and_two_totals_rows(demo):
    built = await build_portfolio_report(
        await principal(Role.ADMIN), report_date=REPORT_DATE, locale="lv"
    )
    sheet = load_workbook(io.BytesIO(render_portfolio_xlsx(built))).worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    headings = values[0]
    by_first = {r[0]: dict(zip(headings, r, strict=True)) for r in values[1:]}
    connectingen = by_first[CONNECTINGEN]
    assert connectingen["Uzskaitīts kā"] == "Mūsu daļa"
    assert cell(connectingen["Kopā"]) == Decimal("48355.00")
    assert cell(connectingen["ES daļa"]) == Decimal("38684.00")
    assert connectingen["Viss projekts: kopā"] is None
    assert cell(by_first[PROTI]["Kopā"]) == Decimal("84104.51")
    assert by_first[FAMILIES]["Uzskaitīts kā"] == "Savs projekts"
    ours = by_first["Mūsu projekti · 4 projekti"]
    others = by_first["Citu organizāciju apstiprinātie projekti · 12 projekti"]
    assert values[-2:] == [list(ours.values()), list(others.values())]
    assert cell(ours["Kopā"]) == Decimal("501673.94")
    assert cell(ours["ES daļa"]) == Decimal("290775.67")
    assert ours["Uzskaitīts kā"] == (
        "Kopā: zināmi 3 no 4; Attiecināmās: zināmi 1 no 4; ES daļa: zināmi 2 no 4"
    )
    assert cell(others["Kopā"]) == Decimal("2879510.97") and others["ES daļa"] is None


async def test_the_pdf_marks_our_share_and_totals_apart(demo):
    built = await build_portfolio_report(
        await principal(Role.ADMIN), report_date=REPORT_DATE, locale="lv"
    )
    rows = {r["code"]: r for r in records(built.projects)}
    assert rows[CONNECTINGEN]["counted_as"] == "our_share"
    pdf = PdfReader(io.BytesIO(render_portfolio_pdf(built)))
    text = re.sub(r"\s+", " ", "".join(page.extract_text() for page in pdf.pages))
    assert "mūsu daļa" in text
    assert "Mūsu projekti · 4 projekti" in text
    assert "Citu organizāciju apstiprinātie projekti · 12 projekti" in text
    assert "501 673,94" in text and "2 879 510,97" in text
