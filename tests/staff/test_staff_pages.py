"""The staff-costs page: people with their rates and caps, months with their expenditure
lines, forms with CSRF that keep what was typed when refused, and readers without forms."""

from grants.core.vocabulary import Role
from grants.tables.staff import StaffMember, StaffTimesheet
from tests.builders import outsider
from tests.helpers import post, sign_in

PERSON = {
    "name": "Ref. SD-01",
    "role": "sociālā darbiniece",
    "kind": "hourly",
    "share": "0,5",
    "year": "2026",
    "annual_cost": "12 900,00",
    "fixed_share": "",
}


async def _staff_id() -> int:
    return (await StaffMember.select(StaffMember.id).first())["id"]


async def test_finance_adds_a_person_and_records_a_month(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    page = await client.get(f"/projects/{pid}/staff")
    assert page.status_code == 200
    assert f'href="/projects/{pid}/staff" aria-current="page"' in page.text
    assert "Pievienot darbinieku" in page.text
    added = await post(client, f"/projects/{pid}/staff", PERSON)
    assert added.status_code == 303
    sid = await _staff_id()
    recorded = await post(
        client, f"/projects/{pid}/staff/{sid}/timesheets", {"month": "2026-03", "hours": "37,5"}
    )
    assert recorded.status_code == 303
    text = (await client.get(f"/projects/{pid}/staff")).text
    assert "Ref. SD-01" in text and "Stundas likme" in text
    assert "15,00\u00a0€" in text and "562,50\u00a0€" in text  # 37,5 h × 15,00
    assert "822,5" in text  # hours remaining of 860
    sheet = await StaffTimesheet.select().first()
    assert f'href="/projects/{pid}/expenditures/{sheet["expenditure"]}"' in text
    corrected = await post(
        client,
        f"/projects/{pid}/staff/{sid}/timesheets",
        {"month": "2026-03", "hours": "40", "note": "parakstīta tabele", "action": "correct"},
    )
    assert corrected.status_code == 303
    assert await StaffTimesheet.count() == 2
    year = await post(
        client, f"/projects/{pid}/staff/{sid}", {"year": "2027", "annual_cost": "13 760"}
    )
    assert year.status_code == 303
    assert "16,00\u00a0€" in (await client.get(f"/projects/{pid}/staff")).text
    history = await client.get(f"/projects/{pid}/history")
    assert history.status_code == 200 and "parakstīta tabele" in history.text


async def test_a_refused_form_keeps_what_was_typed(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    refused = await post(
        client, f"/projects/{pid}/staff", PERSON | {"name": "<b>Anna</b>", "share": "5"}
    )
    assert refused.status_code == 400
    assert "&lt;b&gt;Anna&lt;/b&gt;" in refused.text and "<b>Anna</b>" not in refused.text
    assert "nav daļa no 0 līdz 1" in refused.text
    assert await StaffMember.count() == 0
    await post(client, f"/projects/{pid}/staff", PERSON)
    sid = await _staff_id()
    over = await post(
        client, f"/projects/{pid}/staff/{sid}/timesheets", {"month": "2026-03", "hours": "900"}
    )
    assert over.status_code == 400
    assert 'value="900"' in over.text and "atlikušas 860 stundas" in over.text
    no_csrf = await client.post(f"/projects/{pid}/staff", data=PERSON)
    assert no_csrf.status_code == 403


async def test_readers_see_no_forms_and_outsiders_nothing(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    await post(client, f"/projects/{pid}/staff", PERSON)
    await sign_in(client, Role.VIEWER)
    page = await client.get(f"/projects/{pid}/staff")
    assert page.status_code == 200 and "Ref. SD-01" in page.text
    assert "Pievienot darbinieku" not in page.text and "Reģistrēt mēnesi" not in page.text
    forbidden = await post(client, f"/projects/{pid}/staff", PERSON | {"name": "B"})
    assert forbidden.status_code == 403
    await outsider(Role.FINANCE)
    client.cookies.clear()
    from tests.helpers import csrf_token

    token = await csrf_token(client)
    await client.post(
        "/login",
        data={"email": "finance@sif.demo", "password": "sif-finance-2026", "_csrf_token": token},
    )
    assert (await client.get(f"/projects/{pid}/staff")).status_code == 404
