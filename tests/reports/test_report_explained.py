"""Report figures explain themselves: the budget table names each flat rate and its base and
shows how its total follows from the declared eligible costs the split by source is computed on;
figures counted from the participant register say the date they are counted up to. In every
format (HTML, PDF, XLSX, CSV).

The data: `reported` (two quarters of `families`; the report of Q2, 01.04.–30.06.2026) with
50,00 recorded straight on the flat-rate office category in Q2, and the register-counted result
indicators R1 and R2. Declared eligible to date 3 151,00 (this period 2 049,99); office is 15 %
of staff 1 999,99 = 300,00; so the budget table's total is 3 151,00 − 50,00 + 300,00 = 3 401,00
(this period 2 299,99).
"""

import csv
import io
import re
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook
from pypdf import PdfReader

from grants.core.vocabulary import Role
from reports.frames import records
from reports.project_report import ProjectReport, build_project_report, category_totals
from reports.render_csv import render_csv
from reports.render_html import render_html
from reports.render_pdf import render_pdf
from reports.render_xlsx import render_xlsx
from tests.builders import declare, result_indicators
from tests.helpers import principal, sign_in

RECONCILED = [  # (measure, this period, to date) in cents
    ("declared", 204_999, 315_100),
    ("on_flat_rate", -5_000, -5_000),
    ("flat_rate", 30_000, 30_000),
    ("total", 229_999, 340_100),
]


async def report(reported: dict, locale: str = "en") -> ProjectReport:
    await declare(reported["project"], date(2026, 5, 20), 5_000, category="office_admin")
    await result_indicators(reported["project"])
    return await build_project_report(
        await principal(Role.ADMIN),
        reported["period"],
        locale=locale,
        report_date=date(2026, 7, 10),
    )


def text_of(html: bytes) -> str:
    plain = re.sub(r"<[^>]+>", " ", html.decode()).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", plain)


async def test_the_reconciliation_adds_up_to_the_budget_tables_total(reported):
    built = await report(reported)
    rows = records(built.reconciliation)
    assert [(r["measure"], r["this_period"], r["to_date"]) for r in rows] == RECONCILED
    totals = category_totals(built)
    assert (totals["this_period"], totals["to_date"]) == (229_999, 340_100)
    eligible = next(d for d in records(built.declared) if d["measure"] == "eligible")
    assert (eligible["this_period"], eligible["to_date"]) == (204_999, 315_100)
    office = next(c for c in records(built.categories) if c["category"] == "office_admin")
    assert (office["flat_rate_bp"], office["flat_rate_base"], office["to_date"]) == (
        1500, "Staff", 30_000,
    )  # fmt: skip


async def test_without_costs_on_a_flat_rate_category_there_is_no_such_line(reported):
    built = await build_project_report(await principal(Role.ADMIN), reported["period"])
    rows = records(built.reconciliation)
    assert [(r["measure"], r["to_date"]) for r in rows] == [
        ("declared", 310_100),
        ("flat_rate", 30_000),
        ("total", 340_100),
    ]


async def test_the_html_names_the_flat_rate_and_reconciles(reported):
    text = text_of(render_html(await report(reported), charts=False))
    assert "Office and administration flat rate 15.00% of Staff" in text
    assert (
        "Declared eligible costs (the split by source is computed on these) 2,049.99 3,151.00 "
        "Recorded on flat-rate categories (not counted: the flat rate covers them) -50.00 -50.00 "
        "Flat-rate amounts computed from their base 300.00 300.00 "
        "Budget by cost category, total 2,299.99 3,401.00"
    ) in text
    assert "Flat-rate amounts are not declared costs" in text  # under the split by source


async def test_register_figures_say_the_date_they_are_counted_up_to(reported):
    built = await report(reported, "lv")
    counted = {i["code"]: i["counted_until"] for i in records(built.indicators)}
    assert counted == {"EECO01": None, "R1": date(2026, 6, 30), "R2": date(2026, 6, 30)}
    assert built.header["register_until"] == date(2026, 6, 30)
    text = text_of(render_html(built, charts=False))
    assert text.count("30.06.2026") >= 3  # R1, R2 and the service tables


async def test_the_pdf_carries_the_reconciliation_and_the_register_date(reported):
    pdf = PdfReader(io.BytesIO(render_pdf(await report(reported))))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pdf.pages)).replace("\u00a0", " ")
    assert "of Staff" in text
    assert "Budget by cost category, total 2,299.99 3,401.00" in text
    assert "up to 30 Jun 2026" in text


async def test_the_workbook_has_a_reconciliation_sheet_and_the_base(reported):
    workbook = load_workbook(io.BytesIO(render_xlsx(await report(reported))))
    sheet = workbook["Budget reconciliation"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(Decimal(str(v[1])), Decimal(str(v[2]))) for v in values] == [
        (Decimal(this) / 100, Decimal(to_date) / 100) for _, this, to_date in RECONCILED
    ]
    assert values[-1][0] == "Budget by cost category, total"
    categories = workbook["Budget by cost category"]
    header = [c.value for c in categories[1]]
    office = next(r for r in categories.iter_rows(min_row=2) if r[0].value.startswith("Office"))
    assert office[header.index("Flat rate of")].value == "Staff"
    indicators = workbook["Indicators"]
    column = [c.value for c in indicators[1]].index("Counted from the register up to")
    dates = {r[0].value: r[column].value for r in indicators.iter_rows(min_row=2)}
    assert dates["R1"].date() == dates["R2"].date() == date(2026, 6, 30)
    assert dates["EECO01"] is None
    facts = {r[0].value: r[1].value for r in workbook["Report"].iter_rows(min_row=2)}
    assert facts["Register figures counted up to"].date() == date(2026, 6, 30)


async def test_the_csv_has_the_reconciliation_and_says_the_base_and_the_date(reported):
    data = render_csv(await report(reported, "lv")).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    values = {(r[0], r[1], r[3]): r[4] for r in rows[1:]}
    assert [values["reconciliation", key, "to_date"] for key, *_ in RECONCILED] == [
        "3151,00", "-50,00", "300,00", "3401,00",
    ]  # fmt: skip
    assert values["category_totals", "total", "to_date"] == "3401,00"
    labels = {r[1]: r[2] for r in rows[1:] if r[0] in ("categories", "indicators")}
    assert labels["office_admin"] == (
        "Biroja un administratīvās izmaksas (vienotā likme 15,00\u00a0% no: Personāls)"
    )
    assert labels["R1"].endswith("(skaitīts no dalībnieku reģistra līdz 30.06.2026)")
    assert labels["EECO01"] == "Dalībnieki kopā"


async def test_the_cofinancing_page_reconciles_the_same_way(reported, client):
    """The co-financing page shows the split and the budget table side by side, so it carries
    the same reconciliation as the report."""
    await declare(reported["project"], date(2026, 5, 20), 5_000, category="office_admin")
    await sign_in(client, Role.FINANCE)
    page = await client.get(
        f"/projects/{reported['project']}/cofinancing", params={"period": reported["period"]}
    )
    table = page.text[page.text.index("Budžeta saskaņojums") :]
    table = text_of(table[: table.index("</table>")].encode())
    assert "Budžeta saskaņojums" in table
    assert "2 049,99 € 3 151,00 €" in table  # declared eligible: this period, to date
    assert "-50,00 € -50,00 €" in table
    assert "300,00 € 300,00 €" in table
    assert "2 299,99 € 3 401,00 €" in table
