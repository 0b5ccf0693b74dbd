"""The portfolio report: the same figures as the portfolio page and the domain, filters,
access, both formats open, and the download endpoints."""

import io
import re
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from pypdf import PdfReader

from grants.core.money import from_cents, percentage
from grants.core.vocabulary import Role
from grants.projects.periods import next_deadlines
from grants.projects.portfolio import PortfolioFilter, portfolio_totals
from grants.projects.reading import list_projects
from grants.results.progress import indicator_progress
from reports import render_portfolio
from reports.frames import records
from reports.portfolio_report import achievement, build_portfolio_report
from reports.render_portfolio import (
    PORTFOLIO_COLUMNS,
    render_portfolio_html,
    render_portfolio_pdf,
    render_portfolio_xlsx,
)
from reports.render_xlsx import MONEY_FORMAT, PERCENT_FORMAT
from tests.builders import expenditure
from tests.helpers import (
    CONNECTINGEN,
    FAMILIES,
    PROTI,
    SIF_014,
    SIF_019,
    api_headers,
    principal,
    sign_in,
)

REPORT_DATE = date(2026, 7, 10)
# the demo's invoices: 4.4.1.1./2/004 January–November 2026, Tukums in LL-00241 April–September
# 2025 (grants.seed.claims)
DECLARED = {FAMILIES: 10_233_570, CONNECTINGEN: 945_378}
SIF_MEASURE = "4.4.1.1"


async def portfolio_report(role: Role = Role.ADMIN, **filters):
    return await build_portfolio_report(await principal(role), report_date=REPORT_DATE, **filters)


def sheet_rows(
    data: bytes,
) -> tuple[list[str], dict[str, dict[str, object]], list[list[object]]]:
    """Headings, the rows by project code, and the totals rows (titled "Our projects · …",
    "Other organisations' approvals · …"), as openpyxl reads them."""
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    totals = [row for row in values[1:] if " · " in row[0]]
    body = [row for row in values[1:] if " · " not in row[0]]
    return values[0], {row[0]: dict(zip(values[0], row, strict=True)) for row in body}, totals


def exact(value: object) -> Decimal:
    """A number cell as openpyxl reads it back (a float holding the written decimal)."""
    return Decimal(str(value))


def column(key: str) -> int:
    return next(i for i, c in enumerate(PORTFOLIO_COLUMNS) if c.key == key)


async def test_the_rows_and_totals_equal_the_portfolio_page(demo):
    admin = await principal(Role.ADMIN)
    projects = sorted(await list_projects(admin), key=lambda p: p.code)
    built = await portfolio_report()
    rows = records(built.projects)
    assert [r["code"] for r in rows] == [p.code for p in projects]
    for row, summary in zip(rows, projects, strict=True):
        assert (row["total_cost"], row["eligible_cost"], row["eu_share"]) == (
            summary.shown_total,
            summary.shown_eligible,
            summary.shown_eu_share,
        )
    t = built.totals
    assert t["projects"] == 16
    # ours: 369 214,43 + PROTI 84 104,51 + ConnectinGen 48 355,00 at our share = 501 673,94
    assert (t["ours"]["total_cost"], t["ours"]["total_cost_known"]) == (50167394, 3)
    assert (t["others"]["total_cost"], t["others"]["total_cost_known"]) == (287951097, 12)
    page = await portfolio_totals(admin, PortfolioFilter())
    for group, shown in (("ours", page.ours), ("others", page.others)):
        assert (t[group]["projects"], t[group]["eu_share_known"]) == (
            shown.projects,
            shown.eu_known,
        )
        assert t[group]["eligible_cost_known"] == shown.eligible_known
    assert (t["ours"]["eligible_cost"], t["ours"]["eu_share"]) == (
        page.ours.eligible_cost,
        page.ours.eu_share,
    )
    deadlines = await next_deadlines([p.id for p in projects], today=REPORT_DATE)
    for row in rows:
        due = deadlines.get(row["project_id"])
        assert row["next_deadline"] == (due.deadline if due else None)
        # the demo declares invoices only where it claims them (grants.seed.claims); elsewhere
        # absorption is 0,0 % wherever there is an eligible cost
        assert row["declared"] == DECLARED.get(row["code"], 0)
        if row["code"] == FAMILIES:  # 102 335,70 of 296 578,43
            assert row["absorption"] == Decimal("34.5")
        elif not row["declared"]:
            assert row["absorption"] == (Decimal("0.0") if row["eligible_cost"] else None)


async def test_the_sif_measure_makes_a_programme_view(demo):
    built = await portfolio_report(measure=SIF_MEASURE)
    rows = records(built.projects)
    assert len(rows) == 13  # SIF's twelve and Tukums' families project
    assert {r["measure"] for r in rows} == {SIF_MEASURE}
    assert built.totals["ours"]["total_cost"] == 36921443
    assert built.totals["others"]["total_cost"] == 287951097
    _, by_code, (ours, others) = sheet_rows(render_portfolio_xlsx(built))
    assert len(by_code) == 13
    assert exact(ours[column("total_cost")]) == Decimal("369214.43")
    assert exact(others[column("total_cost")]) == Decimal("2879510.97")
    programme = rows[0]["programme_code"]
    assert len(records((await portfolio_report(programme=programme)).projects)) >= 13
    assert records((await portfolio_report(measure="no-such")).projects) == []


async def test_declared_and_absorption_after_an_expenditure_are_exact_in_the_xlsx(reported):
    # besides the three invoices and the logged indicator of `reported`, one more invoice
    await expenditure(
        reported["project"],
        date="12.06.2026",
        amount="1 000,01",
        eligible_amount="999,99",
        vat=None,
        invoice_number="BR-009",
    )
    built = await portfolio_report()
    row = next(r for r in records(built.projects) if r["code"] == FAMILIES)
    amount = 123450 + 10101 + 200003 + 100001
    eligible = 100000 + 10101 + 199999 + 99999
    assert (row["declared"], row["declared_eligible"]) == (amount, eligible)
    assert row["absorption"] == percentage(eligible, row["eligible_cost"])
    assert row["absorption"] == Decimal("1.4")  # 4 100,99 of 296 578,43
    # the indicator achievement as the project page computes it
    progress = await indicator_progress(await principal(Role.ADMIN), reported["project"])
    assert (row["indicators_with_target"], row["indicators_reached"], row["achievement"]) == (
        achievement(progress)
    )
    eeco = next(p for p in progress if p.code == "EECO01")
    assert eeco.percent_of_target == Decimal("32.3")  # 15,5 of 48

    data = render_portfolio_xlsx(built)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    number = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == FAMILIES)
    declared = sheet.cell(number, column("declared") + 1)
    absorption = sheet.cell(number, column("absorption") + 1)
    assert exact(declared.value) == from_cents(amount) == Decimal("4335.55")
    assert declared.number_format == MONEY_FORMAT
    assert (
        exact(absorption.value) == Decimal("0.014") and absorption.number_format == PERCENT_FORMAT
    )
    assert sheet.freeze_panes == "A2"
    _, _, (totals,) = sheet_rows(data)
    assert exact(totals[column("declared")]) == from_cents(amount)
    assert built.totals["ours"]["declared"] == amount


async def test_both_formats_open_and_show_the_figures(demo):
    built = await portfolio_report(measure=SIF_MEASURE, locale="en")
    pdf = PdfReader(io.BytesIO(render_portfolio_pdf(built)))
    text = re.sub(r"\s+", " ", "".join(page.extract_text() for page in pdf.pages))
    assert FAMILIES in text and "4.4.1.1./019" in text
    assert "Portfolio report" in text
    figures = text.replace("\u00a0", ",").replace(" ", ",")
    assert "369,214.43" in figures and "2,879,510.97" in figures  # ours, and SIF's apart
    box = pdf.pages[0].mediabox
    assert box.width > box.height  # landscape
    html = render_portfolio_html(built).decode()
    assert html.count('<td class="code">') == 13
    headings, _, _ = sheet_rows(render_portfolio_xlsx(built))
    assert headings[0] == "Code" and "Declared to date" in headings
    assert render_portfolio_xlsx(built) == render_portfolio_xlsx(built)  # deterministic


async def test_a_long_portfolio_prints_in_parts_as_one_document(demo, monkeypatch):
    """From PARTS_FROM rows the PDF prints in parts side by side (here three parts of the 16
    demo projects): joined in order, every row once, the header first and the totals last,
    and every page numbered and headed as if printed in one go."""
    built = await portfolio_report(locale="en")
    codes = [row["code"] for row in records(built.projects)]
    monkeypatch.setattr(render_portfolio, "PARTS_FROM", 4)
    monkeypatch.setattr(render_portfolio, "printers", lambda: 3)
    data = render_portfolio_pdf(built)
    assert data == render_portfolio_pdf(built)  # deterministic
    pdf = PdfReader(io.BytesIO(data))
    pages = [re.sub(r"\s+", " ", page.extract_text()) for page in pdf.pages]
    assert len(pages) >= 3  # each part starts on a page of its own
    for number, text in enumerate(pages, start=1):
        assert text.endswith(f"{number} / {len(pages)}"), text[-40:]
    assert all("Portfolio report" in text and "Report date" in text for text in pages[1:])
    assert all(page.mediabox.width > page.mediabox.height for page in pdf.pages)
    assert pdf.metadata.title == "Portfolio report"
    text = " ".join(pages)
    assert [text.count(code) for code in codes] == [1] * len(codes)
    assert [text.index(code) for code in codes] == sorted(text.index(code) for code in codes)
    assert text.count("Amounts in euros") == 1 and "Amounts in euros" in pages[0]
    assert text.count("Our projects ·") == 1 and "Our projects · 4 projects" in pages[-1]
    assert "2,879,510.97" in pages[-1].replace("\u00a0", ",").replace(" ", ",")


async def test_a_viewer_sees_only_their_projects(small_portfolio):
    viewer = await portfolio_report(Role.VIEWER)
    codes = {r["code"] for r in records(viewer.projects)}
    visible = {p.code for p in await list_projects(await principal(Role.VIEWER))}
    assert codes == visible == {PROTI, FAMILIES, CONNECTINGEN}
    _, by_code, _ = sheet_rows(render_portfolio_xlsx(viewer))
    assert set(by_code) == visible
    assert SIF_019 not in codes


async def test_the_endpoints_return_files_with_filters(small_portfolio, client):
    headers = await api_headers(Role.ADMIN)
    response = await client.get(
        "/api/v1/reports/portfolio",
        params={"format": "xlsx", "measure": SIF_MEASURE, "lang": "en"},
        headers=headers,
    )
    assert response.status_code == 200
    assert "attachment; filename=" in response.headers["content-disposition"]
    assert ".xlsx" in response.headers["content-disposition"]
    headings, by_code, _ = sheet_rows(response.content)
    assert set(by_code) == {SIF_014, SIF_019, FAMILIES} and headings[0] == "Code"
    response = await client.get(
        "/api/v1/reports/portfolio", params={"format": "pdf"}, headers=headers
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["content-type"] == "application/pdf"
    bad = await client.get("/api/v1/reports/portfolio", params={"format": "doc"}, headers=headers)
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {"field": "format", "message": "Nezināms formāts „doc”: izvēlieties xlsx vai pdf."}
    ]
    viewer = await client.get("/api/v1/reports/portfolio", headers=await api_headers(Role.VIEWER))
    assert set(sheet_rows(viewer.content)[1]) == {PROTI, FAMILIES, CONNECTINGEN}
    assert (await client.get("/api/v1/reports/portfolio")).status_code == 401


async def test_the_portfolio_page_links_the_downloads_with_its_filters(small_portfolio, client):
    await sign_in(client, Role.ADMIN)
    html = (await client.get("/", params={"measure": SIF_MEASURE})).text
    links = re.findall(r'href="(/portfolio/report\?[^"]+)"', html)
    assert len(links) == 2
    assert all("measure=4.4.1.1" in link.replace("&amp;", "&") for link in links)
    response = await client.get(links[0].replace("&amp;", "&"))
    assert response.status_code == 200
    assert set(sheet_rows(response.content)[1]) == {SIF_014, SIF_019, FAMILIES}
    pdf = await client.get(links[1].replace("&amp;", "&"))
    assert pdf.content.startswith(b"%PDF")
