"""The expenditure register and the co-financing check through the API."""

from grants.core.vocabulary import Role
from grants.tables.expenditures import Expenditure
from tests.builders import invoice_form
from tests.helpers import api_headers

INVOICE = invoice_form(vat="214,25", supplier="SIA Mācības", invoice_number="MA-17")


async def test_finance_records_an_invoice_in_latvian_format_and_sees_the_split(families, client):
    pid = families
    headers = await api_headers(Role.FINANCE)
    response = await client.post(
        f"/api/v1/projects/{pid}/expenditures", json=INVOICE, headers=headers
    )
    assert response.status_code == 201, response.text
    assert (response.json()["amount"], response.json()["ineligible_amount"]) == (
        "1234.50",
        "234.50",
    )
    split = (await client.get(f"/api/v1/projects/{pid}/cofinancing", headers=headers)).json()
    assert [(s["source"], s["to_date"]) for s in split["sources"]] == [
        ("ESF+", "850.00"),
        ("Valsts budžets", "150.00"),
        ("Tukuma novada pašvaldība", "234.50"),
    ]
    assert split["to_date"] == {
        "amount": "1234.50",
        "eligible": "1000.00",
        "ineligible": "234.50",
        "vat": "214.25",
    }
    esf = split["sources"][0]
    assert (esf["planned"], esf["remaining"], esf["absorption"]) == (
        "252091.67",
        "251241.67",
        "0.3",
    )


async def test_refusals_come_with_every_problem_and_write_nothing(families, client):
    pid = families
    headers = await api_headers(Role.FINANCE)
    bad = INVOICE | {"amount": "6 492.5.00", "category": "catering", "date": "01.01.2030"}
    response = await client.post(f"/api/v1/projects/{pid}/expenditures", json=bad, headers=headers)
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} >= {"amount", "category", "date"}
    assert await Expenditure.count() == 0


async def test_duplicate_invoice_is_a_conflict(families, client):
    pid = families
    headers = await api_headers(Role.FINANCE)
    url = f"/api/v1/projects/{pid}/expenditures"
    assert (await client.post(url, json=INVOICE, headers=headers)).status_code == 201
    again = INVOICE | {"supplier": "sia  mācības", "invoice_number": "MA-17"}
    assert (await client.post(url, json=again, headers=headers)).status_code == 409


async def test_edit_keeps_the_old_version_and_cancel_stops_it_counting(families, client):
    pid = families
    headers = await api_headers(Role.FINANCE)
    created = (
        await client.post(f"/api/v1/projects/{pid}/expenditures", json=INVOICE, headers=headers)
    ).json()
    edited = await client.patch(
        f"/api/v1/expenditures/{created['id']}",
        json=INVOICE | {"amount": "1 300,00", "note": "typo"},
        headers=headers,
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    history = (
        await client.get(f"/api/v1/expenditures/{edited.json()['id']}/history", headers=headers)
    ).json()
    assert [(h["version"], h["state"], h["amount"]) for h in history] == [
        (1, "superseded", "1234.50"),
        (2, "current", "1300.00"),
    ]
    cancelled = await client.post(
        f"/api/v1/expenditures/{edited.json()['id']}/cancel",
        json={"note": "wrong project"},
        headers=headers,
    )
    assert cancelled.json()["state"] == "cancelled"
    listed = await client.get(f"/api/v1/projects/{pid}/expenditures", headers=headers)
    assert (listed.json()["items"], listed.json()["total"]) == ([], 0)
    split = (await client.get(f"/api/v1/projects/{pid}/cofinancing", headers=headers)).json()
    assert split["to_date"]["amount"] == "0.00"


async def test_coordinators_and_viewers_cannot_record(families, client):
    pid = families
    for role in (Role.COORDINATOR, Role.VIEWER, Role.AUDITOR):
        response = await client.post(
            f"/api/v1/projects/{pid}/expenditures", json=INVOICE, headers=await api_headers(role)
        )
        assert response.status_code == 403, role
