"""Payment claims through the API: the shapes, the workflow, roles, refusals and paging."""

from grants.core.vocabulary import Role
from grants.tables.audit import AuditEvent
from grants.tables.claims import Claim, ClaimItem, ClaimPayment
from tests.builders import expenditure, outsider
from tests.helpers import api_headers

INTERIM = {"kind": "interim", "period_start": "2026-01-01", "period_end": "2026-03-31"}


async def written() -> tuple[int, int, int, int]:
    return (
        await Claim.count(),
        await ClaimItem.count(),
        await ClaimPayment.count(),
        await AuditEvent.count(),
    )


async def test_a_claim_goes_from_draft_to_paid(families, client):
    await expenditure(families, amount="5,00", eligible_amount="1,01", vat=None)
    headers = await api_headers(Role.FINANCE)
    created = await client.post(
        f"/api/v1/projects/{families}/claims", json=INTERIM, headers=headers
    )
    assert created.status_code == 201, created.text
    claim = created.json()
    assert (claim["number"], claim["kind"], claim["status"], claim["eligible"]) == (
        1,
        "interim",
        "draft",
        "1.01",
    )
    assert [(s["source"], s["requested"]) for s in claim["sources"]] == [
        ("ESF+", "0.86"),
        ("Valsts budžets", "0.15"),
    ]
    assert [(i["entry_no"], i["eligible"]) for i in claim["items"]] == [(1, "1.01")]
    assert (claim["approved"], claim["outstanding"], claim["advance_cleared"]) == (
        None,
        None,
        "0.00",
    )
    url = f"/api/v1/claims/{claim['id']}"
    assert (await client.post(f"{url}/submit", headers=headers)).json()["status"] == "submitted"
    item = claim["items"][0]["expenditure_id"]
    approve = {"deductions": [{"expenditure_id": item, "amount": "0.01", "reason": "Rounding"}]}
    approved = (await client.post(f"{url}/approve", json=approve, headers=headers)).json()
    assert (approved["approved"], approved["deducted"], approved["outstanding"]) == (
        "1.00",
        "0.01",
        "1.00",
    )
    paid = await client.post(
        f"{url}/pay", json={"date": "2026-05-01", "amount": "1.00"}, headers=headers
    )
    assert paid.status_code == 200, paid.text
    assert (paid.json()["status"], paid.json()["paid"], paid.json()["outstanding"]) == (
        "paid",
        "1.00",
        "0.00",
    )
    assert [(p["date"], p["source"], p["amount"]) for p in paid.json()["payments"]] == [
        ("2026-05-01", "ESF+", "0.85"),
        ("2026-05-01", "Valsts budžets", "0.15"),
    ]
    listed = (await client.get(f"/api/v1/projects/{families}/claims", headers=headers)).json()
    assert (listed["total"], listed["page"], listed["per_page"]) == (1, 1, 100)
    assert listed["items"][0]["status"] == "paid"


async def test_refusals_have_the_api_shape_and_write_nothing(families, client):
    headers = await api_headers(Role.FINANCE)
    url = f"/api/v1/projects/{families}/claims"
    before = await written()
    bad = INTERIM | {"period_end": "2025-12-31", "amount": "10"}
    response = await client.post(url, json=bad, headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert body["status_code"] == 400 and body["detail"]
    assert [e["field"] for e in body["errors"]] == ["period_end", "period_end", "amount"]
    nothing = await client.post(url, json=INTERIM, headers=headers)  # no expenditure yet
    assert nothing.status_code == 409
    latvian = await client.post(url, json=INTERIM, headers=headers | {"Accept-Language": "lv"})
    assert latvian.json()["errors"][0]["message"].startswith("Nav")
    unknown = await client.post(url, json=INTERIM | {"colour": "red"}, headers=headers)
    assert unknown.status_code == 400
    assert await written() == before


async def test_roles(families, client):
    await expenditure(families)
    url = f"/api/v1/projects/{families}/claims"
    for role in (Role.VIEWER, Role.COORDINATOR):
        response = await client.post(url, json=INTERIM, headers=await api_headers(role))
        assert response.status_code == 403
    finance = await api_headers(Role.FINANCE)
    claim = (await client.post(url, json=INTERIM, headers=finance)).json()
    await client.post(f"/api/v1/claims/{claim['id']}/submit", headers=finance)
    coordinator = await api_headers(Role.COORDINATOR)
    approve = await client.post(
        f"/api/v1/claims/{claim['id']}/approve", json={}, headers=coordinator
    )
    assert approve.status_code == 403
    read = await client.get(f"/api/v1/claims/{claim['id']}", headers=coordinator)
    assert read.status_code == 200
    await outsider(Role.FINANCE)
    stranger = {"Authorization": (await _token("finance@sif.demo"))}
    assert (await client.get(f"/api/v1/claims/{claim['id']}", headers=stranger)).status_code == 404
    assert (await client.get(url, headers=stranger)).status_code == 404
    assert (await client.get("/api/v1/claims/4294967296", headers=finance)).status_code == 404


async def _token(email: str) -> str:
    from grants.accounts.users import create_token

    return f"Bearer {await create_token(email)}"


async def test_return_then_edit_then_resubmit(families, client):
    row = await expenditure(families)
    headers = await api_headers(Role.FINANCE)
    claim = (
        await client.post(f"/api/v1/projects/{families}/claims", json=INTERIM, headers=headers)
    ).json()
    url = f"/api/v1/claims/{claim['id']}"
    await client.post(f"{url}/submit", headers=headers)
    frozen = await client.post(
        f"/api/v1/expenditures/{row.id}/cancel", json={"note": "x"}, headers=headers
    )
    assert frozen.status_code == 409
    patch = await client.patch(url, json={"period_end": "2026-02-28"}, headers=headers)
    assert patch.status_code == 409
    returned = await client.post(f"{url}/return", json={"reason": "Annex"}, headers=headers)
    assert (returned.json()["status"], returned.json()["reason"]) == ("returned", "Annex")
    patched = await client.patch(url, json={"period_end": "2026-03-30"}, headers=headers)
    assert patched.status_code == 200 and patched.json()["period_end"] == "2026-03-30"
    rejected = await client.post(f"{url}/reject", json={"reason": "Late"}, headers=headers)
    assert rejected.status_code == 409  # only a submitted claim is rejected
    await client.post(f"{url}/submit", headers=headers)
    rejected = await client.post(f"{url}/reject", json={"reason": "Late"}, headers=headers)
    assert rejected.json()["status"] == "rejected"
