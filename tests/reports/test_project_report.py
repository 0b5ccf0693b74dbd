"""The project progress report: the same numbers as the domain and the API in every format
(HTML, PDF, XLSX, CSV), in Latvian and English, and the same bytes when rendered again."""

import csv
import io
import logging
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from grants.accounts.users import add_user, principal_for_user
from grants.core.access import AccessDenied
from grants.core.i18n import translations
from grants.core.money import format_amount, from_cents
from grants.core.vocabulary import Role
from grants.finance.budget import category_report
from grants.finance.cofinancing import cofinancing
from grants.projects.periods import generate_periods, list_periods, submit
from grants.register.service_tables import service_table
from grants.results.progress import indicator_progress
from reports.charts import indicator_chart, source_chart, spending_chart
from reports.frames import in_locale, records
from reports.project_report import (
    ProjectReport,
    build_project_report,
    section_title,
    source_totals,
)
from reports.render_csv import HEADER, render_csv
from reports.render_html import render_html
from reports.render_pdf import render_pdf
from reports.render_xlsx import MONEY_FORMAT, PERCENT_FORMAT, render_xlsx
from tests.builders import participant, receipt, service
from tests.helpers import api_headers, principal, project_id

REPORT_DATE = date(2026, 7, 10)
NARRATIVE = {
    "activities": "Notika 12 grupu nodarbības <un> 3 izbraukumi.\n\nOtrā rindkopa.",
    "problems_risks": "Kavējas telpu remonts.",
}


async def report(reported: dict, role: Role = Role.ADMIN, locale: str = "lv") -> ProjectReport:
    return await build_project_report(
        await principal(role),
        reported["period"],
        locale=locale,
        narrative=NARRATIVE,
        report_date=REPORT_DATE,
    )


def text_of(data: bytes) -> str:
    """Visible text with every kind of space made one plain space."""
    return re.sub(r"\s+", " ", data.decode().replace("\u00a0", " ").replace("\u202f", " "))


def amounts(cents: list[int], locale: str) -> list[str]:
    return [format_amount(c, locale, currency=False).replace("\u00a0", " ") for c in cents]


# The frames ------------------------------------------------------------------------------------


async def q1_submitted(reported: dict[str, int]) -> None:
    """Q1 sent, so Q2's report has figures "previously reported"."""
    q1 = (await list_periods(await principal(Role.ADMIN), reported["project"]))[0]
    await submit(await principal(Role.ADMIN), q1.id)


async def test_the_frames_hold_the_domain_figures_exactly(reported):
    admin = await principal(Role.ADMIN)
    await q1_submitted(reported)
    built = await report(reported)
    split = await cofinancing(admin, reported["project"], reported["period"])
    fields = ("source", "planned", "this_period", "to_date", "remaining", "absorption")
    assert [tuple(r[f] for f in fields) for r in records(built.sources)] == [
        tuple(getattr(s, f) for f in fields) for s in split.sources
    ]
    # 3 101,00 eligible: ESF+ 85 % = 2 635,85, the state the rest; 234,54 ineligible
    assert [r["to_date"] for r in records(built.sources)] == [263585, 46515, 23454]
    assert {d["measure"]: d["to_date"] for d in records(built.declared)} == {
        "amount": 123450 + 10101 + 200003,
        "eligible": 100000 + 10101 + 199999,
        "ineligible": 23450 + 4,
        "vat": 21426,
    }
    budget = await category_report(admin, reported["project"], reported["period"])
    assert [(c["category"], c["planned"], c["to_date"]) for c in records(built.categories)] == [
        (c.category, c.planned, c.to_date) for c in budget.lines
    ]
    progress = await indicator_progress(admin, reported["project"], reported["period"])
    eeco = next(r for r in records(built.indicators) if r["code"] == "EECO01")
    ours = next(p for p in progress if p.code == "EECO01")
    assert (eeco["previously"], eeco["this_period"], eeco["to_date"]) == (1000, 550, 1550)
    assert eeco["percent_of_target"] == ours.percent_of_target == Decimal("32.3")
    assert eeco["breakdown_complete"] is False  # Q2's 5,5 has no breakdown
    spending = [(s["declared"], s["to_date"]) for s in records(built.spending)]
    assert spending == [(133551, 133551), (200003, 333554)] + [(None, None)] * 6


async def test_money_stays_integer_cents_and_percentages_decimal(reported):
    built = await report(reported)
    for name in ("indicators", "breakdowns", "sources", "declared", "categories", "checks"):
        data = getattr(built, name)
        assert not [c for c, t in data.dtypes.items() if t.kind == "f"], name
    assert str(built.sources["to_date"].dtype) == "int64"
    assert str(built.sources["planned"].dtype) == "Int64"
    assert all(isinstance(v, Decimal) for v in built.sources["absorption"])


async def test_the_checks_pass_for_a_plan_that_adds_up(reported):
    checks = records((await report(reported)).checks)
    assert {c["check"] for c in checks} == {"plan_base", "plan_total", "within_plan", "by_periods"}
    assert all(c["passed"] for c in checks)
    total = next(c for c in checks if c["check"] == "plan_total")
    assert (total["expected"], total["actual"], total["difference"]) == (36921443, 36921443, 0)


async def test_a_reader_sees_the_report_with_their_own_rights(reported):
    outsider = await add_user("outsider@example.lv", "pw-outsider-2026", Role.VIEWER)
    with pytest.raises(AccessDenied):
        await build_project_report(await principal_for_user(outsider), reported["period"])
    finance = await report(reported, Role.FINANCE)  # the register is not a finance matter
    assert finance.services is None and finance.service_totals is None
    html = render_html(finance, charts=False).decode()
    assert 'id="report-services"' in html and "report-table services" not in html
    sheets = load_workbook(io.BytesIO(render_xlsx(finance))).sheetnames
    assert in_locale("lv", section_title, "services") not in sheets
    assert in_locale("lv", section_title, "checks") in sheets


async def test_service_tables_come_from_the_register(reported):
    pid = reported["project"]
    assistant = await service(pid, "Ģimenes asistenta pakalpojums")
    psychologist = await service(pid, "Psihologa konsultācija")
    for code in ("Ģ-01-1", "Ģ-01-2"):
        await participant(pid, code, entry="01.02.2026")
    await receipt(pid, "Ģ-01-1", assistant.id, "10.02.2026", "35,00")
    await receipt(pid, "Ģ-01-2", assistant.id, "15.05.2026", "40,00")
    await receipt(pid, "Ģ-01-1", psychologist.id, "01.07.2026", "50,00")  # after Q2
    coordinator = await principal(Role.COORDINATOR)
    built = await report(reported, Role.COORDINATOR)
    table = await service_table(coordinator, pid, until=date(2026, 6, 30))
    totals = records(built.service_totals)[0]
    assert (totals["unique_persons"], totals["total_amount"]) == (
        table.unique_persons,
        table.total_amount,
    )
    assert (table.unique_persons, table.total_amount) == (2, 7500)  # 35,00 + 40,00
    assert [r["amount"] for r in records(built.services) if r["group"] == ""] == [
        line.amount for line in table.lines
    ]
    assert [line.amount for line in table.lines] == [7500, 0]


async def test_the_pilots_service_tables_per_target_group_match_seed_002(demo):
    """IB-2020's register reproduces seed 002: 34 854,41 EUR for children over 12 months on
    average, 84 009,02 EUR for persons with GRT over 15 months."""
    pilot = await project_id("IB-2020")
    await generate_periods(pilot)
    admin = await principal(Role.ADMIN)
    last = (await list_periods(admin, pilot))[-1]
    built = await build_project_report(admin, last.id, report_date=REPORT_DATE)
    totals = {r["group"]: r for r in records(built.service_totals)}
    assert [g for g in totals] == ["", "children", "grt"]
    assert totals["children"]["total_amount"] == 3485441
    assert totals["grt"]["total_amount"] == 8400902
    assert totals[""]["total_amount"] == 3485441 + 8400902
    assert (totals["children"]["average_months"], totals["grt"]["average_months"]) == (
        Decimal("12.0"),
        Decimal("15.0"),
    )
    text = text_of(render_html(built, charts=False))
    assert "34 854,41" in text and "84 009,02" in text and "118 863,43" in text


# HTML ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["lv", "en"])
async def test_the_html_shows_the_domain_numbers_in_the_locales_format(reported, locale):
    built = await report(reported, locale=locale)
    html = render_html(built, charts=False)
    text = text_of(html)
    sources = records(built.sources)
    for figure in amounts(
        [s["planned"] for s in sources] + [s["to_date"] for s in sources], locale
    ):
        assert figure in text
    assert amounts([source_totals(built)["to_date"]], locale)[0] in text
    assert "252 091,67" in text if locale == "lv" else "252,091.67" in text
    assert ("32,3 %" if locale == "lv" else "32.3%") in text
    assert ("5,5" if locale == "lv" else "5.5") in text
    assert "4.4.1.1./2/004" in text
    title = "Intensīvais sociālais darbs" if locale == "lv" else "Intensive social work"
    assert title in text
    assert "&lt;un&gt;" in html.decode()  # narrative text is escaped, never markup
    assert f'<html lang="{locale}">' in html.decode()


async def test_the_html_embeds_the_charts_as_svg(reported):
    html = render_html(await report(reported)).decode()
    assert html.count('src="data:image/svg+xml;base64,') == 3


async def test_the_same_numbers_as_the_api(reported, client):
    built = await report(reported, locale="en")
    response = await client.get(
        f"/api/v1/projects/{reported['project']}/cofinancing",
        params={"period_id": reported["period"]},
        headers=await api_headers(Role.FINANCE),
    )
    assert response.status_code == 200
    api = {s["source"]: s for s in response.json()["sources"]}
    text = text_of(render_html(built, charts=False))
    sheet = load_workbook(io.BytesIO(render_xlsx(built)))["Financing by source"]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2) if row[0].value != "Total"}
    for source, line in api.items():
        for field, column in (("planned", 4), ("this_period", 6), ("to_date", 7)):
            exact = Decimal(line[field])
            assert f"{exact:,.2f}" in text
            assert Decimal(str(cells[source][column].value)) == exact


# XLSX ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["lv", "en"])
async def test_the_workbook_has_real_numbers_with_formats(reported, locale):
    await q1_submitted(reported)
    built = await report(reported, locale=locale)
    data = render_xlsx(built)
    assert data == render_xlsx(built)
    workbook = load_workbook(io.BytesIO(data))
    assert len(workbook.sheetnames) >= 9
    for sheet in workbook:
        assert sheet.freeze_panes == "A2", sheet.title
    sources = workbook.worksheets[3]
    header = [c.value for c in sources[1]]
    assert header[4] == translations(locale).gettext("Plan")
    for row, line in zip(sources.iter_rows(min_row=2), records(built.sources), strict=False):
        planned, to_date, absorption = row[4], row[7], row[10]
        assert Decimal(str(planned.value)) == from_cents(line["planned"])
        assert Decimal(str(to_date.value)) == from_cents(line["to_date"])
        assert planned.number_format == to_date.number_format == MONEY_FORMAT
        assert Decimal(str(absorption.value)) == line["absorption"] / 100
        assert absorption.number_format == PERCENT_FORMAT
    total = next(sources.iter_rows(min_row=sources.max_row))
    assert Decimal(str(total[7].value)) == from_cents(source_totals(built)["to_date"])
    indicators = workbook.worksheets[1]
    eeco = next(r for r in indicators.iter_rows(min_row=2) if r[0].value == "EECO01")
    assert [eeco[i].value for i in (4, 5, 6, 7)] == [48, 10, 5.5, 15.5]
    assert Decimal(str(eeco[8].value)) == Decimal("0.323")
    assert workbook.properties.created.date() == REPORT_DATE


# PDF -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["lv", "en"])
async def test_the_pdf_carries_the_same_numbers(reported, locale):
    built = await report(reported, locale=locale)
    data = render_pdf(built)
    assert data.startswith(b"%PDF-") and data == render_pdf(built)
    pdf = PdfReader(io.BytesIO(data))
    assert pdf.metadata.creation_date.date() == REPORT_DATE
    assert pdf.pages[0].mediabox.width == pytest.approx(595.3, abs=0.5)  # A4
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    text = text.replace("\u00a0", " ")
    sources = records(built.sources)
    for figure in amounts(
        [s["planned"] for s in sources] + [s["to_date"] for s in sources], locale
    ):
        assert figure in text
    assert amounts([source_totals(built)["planned"]], locale)[0] in text
    assert "4.4.1.1./2/004" in text
    assert "Kavējas telpu remonts." in text


async def test_printing_writes_no_progress_lines_to_the_log(reported, caplog):
    """The server's log gets WeasyPrint's warnings, not a line for every step and page."""
    built = await report(reported)
    with caplog.at_level(logging.INFO):
        render_pdf(built)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


# CSV -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("locale", "mark"), [("lv", ","), ("en", ".")])
async def test_the_csv_has_one_figure_a_row(reported, locale, mark):
    built = await report(reported, locale=locale)
    data = render_csv(built)
    assert data == render_csv(built) and data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert tuple(rows[0]) == HEADER
    values = {(r[0], r[1], r[3]): r[4] for r in rows[1:]}
    for line in records(built.sources):
        expected = f"{from_cents(line['to_date']):f}".replace(".", mark)
        assert values["sources", line["source"], "to_date"] == expected
    assert values["sources", "ESF+", "planned"] == f"252091{mark}67"
    assert values["indicators", "EECO01", "this_period"] == f"5{mark}5"
    assert values["indicators", "EECO01", "percent_of_target"] == f"32{mark}3"
    assert values["declared", "ineligible", "to_date"] == f"234{mark}54"


# Charts ----------------------------------------------------------------------------------------


async def test_the_charts_are_deterministic_svg(reported):
    built = await report(reported)
    for chart in (indicator_chart, spending_chart, source_chart):
        svg = chart(built)
        assert svg is not None and b"<svg" in svg
        assert svg == chart(built)
        assert b"<dc:date>" not in svg
