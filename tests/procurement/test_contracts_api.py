"""Procurement contracts through the API: the shape, refusals in the one refusal shape with
nothing written, the ceiling on expenditures, the threshold flag in the expenditure row, roles
and outsiders."""

from grants.accounts.users import create_token
from grants.core.vocabulary import Role
from grants.tables.expenditures import Expenditure
from grants.tables.procurement import Contract
from tests.builders import invoice_form, outsider
from tests.helpers import api_headers

CONTRACT = {
    "reference": "IUB TNP 2025/14",
    "supplier": 'SIA "Birojs"',
    "amount": "10 000,00",
    "date": "2026-02-10",
    "procedure": "small",
}
ENGLISH = {"Accept-Language": "en"}


async def _create(client, project: int, headers: dict, **changes) -> dict:
    response = await client.post(
        f"/api/v1/projects/{project}/contracts", json=CONTRACT | changes, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_contract_and_its_invoices(families, client):
    headers = await api_headers(Role.FINANCE)
    created = await _create(client, families, headers)
    assert created | {"created_at": None} == {
        "id": created["id"],
        "project_id": families,
        "reference": "IUB TNP 2025/14",
        "supplier": 'SIA "Birojs"',
        "amount": "10000.00",
        "date": "2026-02-10",
        "procedure": "small",
        "invoiced": "0.00",
        "left": "10000.00",
        "created_by": "finance@tukums.demo",
        "created_at": None,
    }
    url = f"/api/v1/projects/{families}/expenditures"
    row = await client.post(
        url, json=invoice_form(amount="1 234,50", contract_id=created["id"]), headers=headers
    )
    assert row.status_code == 201, row.text
    assert (row.json()["contract_id"], row.json()["procurement_warning"]) == (created["id"], None)
    one = (await client.get(f"/api/v1/contracts/{created['id']}", headers=headers)).json()
    assert (one["invoiced"], one["left"]) == ("1234.50", "8765.50")
    listed = (await client.get(f"/api/v1/projects/{families}/contracts", headers=headers)).json()
    assert (listed["total"], listed["page"], listed["per_page"]) == (1, 1, 100)
    assert [(c["reference"], c["left"]) for c in listed["items"]] == [
        ("IUB TNP 2025/14", "8765.50")
    ]
    patched = await client.patch(
        f"/api/v1/contracts/{created['id']}", json={"amount": "12 000"}, headers=headers
    )
    assert patched.status_code == 200
    assert (patched.json()["amount"], patched.json()["left"], patched.json()["supplier"]) == (
        "12000.00",
        "10765.50",
        'SIA "Birojs"',
    )


async def test_the_ceiling_refusal_says_what_is_left(families, client):
    headers = await api_headers(Role.FINANCE) | ENGLISH
    cid = (await _create(client, families, headers))["id"]
    url = f"/api/v1/projects/{families}/expenditures"
    first = invoice_form(amount="9 500", eligible_amount="", vat="", contract_id=cid)
    assert (await client.post(url, json=first, headers=headers)).status_code == 201
    again = first | {"invoice_number": "BR-002", "amount": "600"}
    response = await client.post(url, json=again, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "contract_id",
            "message": "This invoice (€600.00) would take contract IUB TNP 2025/14 past its"
            " amount (€10,000.00): €500.00 is left.",
        }
    ]
    latvian = await client.post(url, json=again, headers=await api_headers(Role.FINANCE))
    assert "atlikums" in latvian.json()["errors"][0]["message"]
    assert await Expenditure.count() == 1


async def test_refusals_write_nothing(families, client):
    headers = await api_headers(Role.FINANCE) | ENGLISH
    url = f"/api/v1/projects/{families}/contracts"
    bad = CONTRACT | {"amount": "6 492.5.00", "procedure": "auction", "date": "31.02.2026"}
    response = await client.post(url, json=bad, headers=headers)
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"amount", "procedure", "date"}
    assert (
        await client.post(url, json=CONTRACT | {"amount": 10000}, headers=headers)
    ).status_code == 400
    assert (
        await client.post(url, json=CONTRACT | {"colour": "red"}, headers=headers)
    ).status_code == 400
    assert await Contract.count() == 0
    await _create(client, families, headers)
    duplicate = await client.post(
        url, json=CONTRACT | {"reference": "iub  tnp 2025/14"}, headers=headers
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"][0]["field"] == "reference"
    assert await Contract.count() == 1


async def test_the_threshold_flag_is_in_the_expenditure_row(families, client):
    admin = await api_headers(Role.ADMIN) | ENGLISH
    url = f"/api/v1/projects/{families}/procurement-threshold"
    assert (await client.get(url, headers=admin)).json() == {"procurement_threshold": None}
    finance = await api_headers(Role.FINANCE) | ENGLISH
    denied = await client.put(url, json={"procurement_threshold": "10 000"}, headers=finance)
    assert denied.status_code == 403
    response = await client.put(url, json={"procurement_threshold": "10 000"}, headers=admin)
    assert response.json() == {"procurement_threshold": "10000.00"}
    expenditures = f"/api/v1/projects/{families}/expenditures"
    big = invoice_form(amount="12 100,01", eligible_amount="", vat="2 100")
    row = (await client.post(expenditures, json=big, headers=finance)).json()
    assert row["procurement_warning"] == (
        "Above the procurement threshold (€10,000.00 without VAT) and no contract named."
    )
    listed = (await client.get(expenditures, headers=finance)).json()["items"]
    assert [(r["contract_id"], r["procurement_warning"] is not None) for r in listed] == [
        (None, True)
    ]


async def test_roles_and_outsiders(families, client):
    finance = await api_headers(Role.FINANCE)
    cid = (await _create(client, families, finance))["id"]
    for role in (Role.COORDINATOR, Role.VIEWER, Role.AUDITOR):
        headers = await api_headers(role)
        assert (await client.get(f"/api/v1/contracts/{cid}", headers=headers)).status_code == 200
        created = await client.post(
            f"/api/v1/projects/{families}/contracts",
            json=CONTRACT | {"reference": "X"},
            headers=headers,
        )
        assert created.status_code == 403
        patched = await client.patch(
            f"/api/v1/contracts/{cid}", json={"supplier": "x"}, headers=headers
        )
        assert patched.status_code == 403
    stranger = {"Authorization": f"Bearer {await create_token((await outsider()).email)}"}
    assert (await client.get(f"/api/v1/contracts/{cid}", headers=stranger)).status_code == 404
    listed = await client.get(f"/api/v1/projects/{families}/contracts", headers=stranger)
    assert listed.status_code == 404
    patched = await client.patch(
        f"/api/v1/contracts/{cid}", json={"supplier": "x"}, headers=stranger
    )
    assert patched.status_code == 404
    assert (await client.get("/api/v1/contracts/4294967296", headers=finance)).status_code == 404
    assert (await client.get(f"/api/v1/contracts/{cid}")).status_code == 401
    # an expenditure of the stranger's project cannot name this project's contract
    sif = (await client.get("/api/v1/projects", headers=stranger)).json()["items"][0]["id"]
    response = await client.post(
        f"/api/v1/projects/{sif}/expenditures",
        json=invoice_form(date="2026-03-15", contract_id=cid),
        headers=stranger,
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["contract_id"]
