"""The daily-work pages: expenditure register, co-financing, periods and indicator entry."""

from datetime import date

from grants.core.vocabulary import Role
from grants.tables.expenditures import Expenditure, ExpenditureFile
from tests.builders import indicator, invoice_form, project, user
from tests.helpers import CONNECTINGEN, PROTI, csrf_token, eur, post, sign_in

INVOICE = invoice_form(
    date="10.02.2026", vat="214,25", supplier="SIA <Mācības>", invoice_number="MA-17"
)


async def test_finance_records_an_invoice_inline_and_sees_the_split(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    response = await post(
        client, f"/projects/{pid}/expenditures", INVOICE, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(
        '<div id="expenditures">'
    )  # a fragment, not the whole page
    assert eur("850,00") in response.text and eur("150,00") in response.text
    assert "SIA &lt;Mācības&gt;" in response.text


async def test_refused_invoice_keeps_what_was_typed(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    bad = INVOICE | {"amount": "6 492.5.00"}
    response = await post(
        client, f"/projects/{pid}/expenditures", bad, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert 'value="6 492.5.00"' in response.text and 'value="MA-17"' in response.text
    assert "vairāk nekā vienu decimālatdalītāju" in response.text
    assert await Expenditure.count() == 0
    plain = await post(client, f"/projects/{pid}/expenditures", bad)
    assert plain.status_code == 400 and "<html" in plain.text


async def test_correcting_an_invoice_keeps_the_old_version(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    await post(client, f"/projects/{pid}/expenditures", INVOICE)
    row = await Expenditure.select(Expenditure.id).first()
    no_reason = await post(
        client, f"/projects/{pid}/expenditures/{row['id']}", INVOICE | {"amount": "1 300,00"}
    )
    assert no_reason.status_code == 400
    changed = await post(
        client,
        f"/projects/{pid}/expenditures/{row['id']}",
        INVOICE | {"amount": "1 300,00", "note": "typo", "action": "edit"},
    )
    assert changed.status_code == 303
    current = await Expenditure.select().where(Expenditure.state == "current").first()
    page = (await client.get(f"/projects/{pid}/expenditures/{current['id']}")).text
    assert eur("1 234,50") in page and eur("1 300,00") in page and "typo" in page


async def test_cofinancing_page_shows_sources_and_flags(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    await post(client, f"/projects/{pid}/expenditures", INVOICE)
    page = (await client.get(f"/projects/{pid}/cofinancing")).text
    assert eur("252 091,67") in page and eur("850,00") in page and eur("234,50") in page
    assert "Līdzfinansējuma pārbaude" in page


async def test_coordinator_logs_an_indicator_value_inline(families, client):
    pid = families
    solutions = await indicator(pid, "RCO116", target="1", name="Kopīgi izstrādāti risinājumi")
    await sign_in(client, Role.COORDINATOR)
    page = (await client.get(f"/projects/{pid}")).text
    period_id = page.split('name="period_id" value="', 1)[1].split('"', 1)[0]
    response = await post(
        client,
        f"/projects/{pid}/indicators/{solutions.id}/entries",
        {"period_id": period_id, "value": "1", "comment": "metode izstrādāta"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tbody id="indicator-{solutions.id}"')
    assert "100,0" in response.text  # 1 of 1 jointly developed solution
    refused = await post(
        client,
        f"/projects/{pid}/indicators/{solutions.id}/entries",
        {"period_id": period_id, "value": "-1"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422 and 'value="-1"' in refused.text


async def test_viewer_sees_no_entry_forms(families, client):
    pid = families
    await indicator(pid)  # a typed one: its editors get an entry form
    await sign_in(client, Role.COORDINATOR)
    assert "entry-form" in (await client.get(f"/projects/{pid}")).text
    client.cookies.clear()
    await sign_in(client, Role.VIEWER)
    page = (await client.get(f"/projects/{pid}")).text
    assert "entry-form" not in page
    assert (await client.get(f"/projects/{pid}/expenditures")).status_code == 200
    register = (await client.get(f"/projects/{pid}/expenditures")).text
    assert "Reģistrēt rēķinu" not in register


async def test_period_workflow_from_the_page(families, client):
    pid = families
    await indicator(pid)  # a typed one: its entry form goes with the approval
    await sign_in(client, Role.ADMIN)
    page = (await client.get(f"/projects/{pid}")).text
    assert "entry-form" in page
    period_id = page.split('action="/periods/', 1)[1].split("/", 1)[0]
    assert (await post(client, f"/periods/{period_id}/submit", {})).status_code == 303
    assert (await post(client, f"/periods/{period_id}/approve", {})).status_code == 303
    page = (await client.get(f"/projects/{pid}?period={period_id}")).text
    assert "Apstiprināts" in page and "entry-form" not in page
    again = await post(client, f"/periods/{period_id}/approve", {})
    assert again.status_code == 409
    assert (await post(client, f"/periods/{period_id}/explode", {})).status_code == 404


async def test_portfolio_highlights_overdue_reports(client):
    await project(PROTI, start=date(2024, 6, 12))
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    page = (await client.get("/")).text
    # PROTI's first quarter ended on 11.09.2024 and was never submitted
    assert "nokavēts" in page


async def test_evidence_file_is_kept_and_only_project_readers_fetch_it(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    response = await client.post(
        f"/projects/{pid}/expenditures",
        data={"_csrf_token": client.cookies["grants_csrf"], **INVOICE},
        files={"attachment": ("rēķins.pdf", b"%PDF-1.4 evidence", "application/pdf")},
    )
    assert response.status_code == 303
    row = await ExpenditureFile.select(ExpenditureFile.attachment).first()
    download = await client.get(f"/attachments/{row['attachment']}")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 evidence"
    assert "UTF-8''r%C4%93%C4%B7ins.pdf" in download.headers["content-disposition"]
    await client.post("/logout", data={"_csrf_token": client.cookies["grants_csrf"]})
    await project(CONNECTINGEN)
    await user(Role.VIEWER, [CONNECTINGEN], email="other@tukums.lv", password="long-enough-1")
    token = await csrf_token(client)
    await client.post(
        "/login",
        data={"email": "other@tukums.lv", "password": "long-enough-1", "_csrf_token": token},
    )
    assert (await client.get(f"/attachments/{row['attachment']}")).status_code == 403


async def test_coordinator_adds_an_indicator_on_the_project_page(families, client):
    pid = families
    await sign_in(client, Role.COORDINATOR)
    form = {"code": "EECO01", "name": "Dalībnieki", "unit": "personas", "target": "48",
            "target_rule": "at_least", "aggregation": "sum", "kind": "output",
            "breakdowns": ["gender", "age"]}  # fmt: skip
    assert (await post(client, f"/projects/{pid}/indicators", form)).status_code == 303
    page = (await client.get(f"/projects/{pid}")).text
    assert "EECO01" in page and "Dalībnieki" in page and "Sievietes" in page
    again = await post(client, f"/projects/{pid}/indicators", form | {"target": "abc"})
    assert again.status_code in (400, 409)
    assert 'value="abc"' in again.text
    await sign_in(client, Role.FINANCE)
    assert (await post(client, f"/projects/{pid}/indicators", form)).status_code == 403
