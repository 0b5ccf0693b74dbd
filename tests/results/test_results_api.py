"""Periods, their workflow and indicator values through the API."""

from grants.core.vocabulary import Role
from tests.helpers import api_headers


async def periods(client, pid, headers):
    return (await client.get(f"/api/v1/projects/{pid}/periods", headers=headers)).json()


async def test_periods_are_generated_with_deadlines(families, client):
    pid = families
    found = await periods(client, pid, await api_headers(Role.VIEWER))
    assert [(p["number"], p["start"], p["end"], p["deadline"]) for p in found[:2]] == [
        (1, "2026-01-01", "2026-03-31", "2026-04-20"),
        (2, "2026-04-01", "2026-06-30", "2026-07-20"),
    ]
    assert len(found) == 8 and {p["status"] for p in found} == {"draft"}


async def test_coordinator_logs_a_value_with_a_breakdown_and_sees_progress(families, client):
    pid = families
    admin = await api_headers(Role.ADMIN)
    created = await client.post(
        f"/api/v1/projects/{pid}/indicators",
        json={"code": "P1", "name": "Personas", "unit": "personas", "target": "48",
              "breakdowns": ["gender"]},
        headers=admin,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    indicator = created.json()["id"]
    coordinator = await api_headers(Role.COORDINATOR)
    first = (await periods(client, pid, coordinator))[0]["id"]
    entry = await client.post(
        f"/api/v1/indicators/{indicator}/entries",
        json={"period_id": first, "value": "5",
              "breakdown": {"gender": {"women": "3", "men": "1", "non_binary": "0"}}},
        headers=coordinator,
    )  # fmt: skip
    assert entry.status_code == 201, entry.text
    assert entry.json()["breakdown_complete"] is False  # 3 + 1 + 0 is not 5: kept, flagged
    progress = (await client.get(f"/api/v1/projects/{pid}/indicators", headers=coordinator)).json()
    p1 = next(p for p in progress if p["code"] == "P1")
    assert (p1["to_date"], p1["target"], p1["percent_of_target"]) == ("5", "48", "10.4")
    assert p1["breakdown"][0]["difference"] == "1"


async def test_approved_period_is_locked_and_only_admin_reopens(families, client):
    pid = families
    coordinator = await api_headers(Role.COORDINATOR)
    admin = await api_headers(Role.ADMIN)
    first = (await periods(client, pid, coordinator))[0]["id"]
    submitted = await client.post(f"/api/v1/periods/{first}/submit", headers=coordinator)
    assert submitted.json()["status"] == "submitted"
    assert (
        await client.post(f"/api/v1/periods/{first}/approve", headers=coordinator)
    ).status_code == 403
    approved = await client.post(f"/api/v1/periods/{first}/approve", headers=admin)
    assert (approved.json()["status"], approved.json()["locked"]) == ("approved", True)
    invoice = {"date": "2026-02-10", "amount": "10,00", "category": "travel",
               "supplier": "Autobuss", "invoice_number": "A1"}  # fmt: skip
    late = await client.post(
        f"/api/v1/projects/{pid}/expenditures",
        json=invoice,
        headers=await api_headers(Role.FINANCE),
    )
    assert late.status_code == 409
    no_reason = await client.post(
        f"/api/v1/periods/{first}/reopen", json={"reason": ""}, headers=admin
    )
    assert no_reason.status_code == 400
    reopened = await client.post(
        f"/api/v1/periods/{first}/reopen", json={"reason": "late invoice"}, headers=admin
    )
    assert reopened.json()["status"] == "draft"


async def test_return_needs_a_reason_and_wrong_transitions_are_conflicts(families, client):
    pid = families
    admin = await api_headers(Role.ADMIN)
    first = (await periods(client, pid, admin))[0]["id"]
    assert (await client.post(f"/api/v1/periods/{first}/approve", headers=admin)).status_code == 409
    await client.post(f"/api/v1/periods/{first}/submit", headers=admin)
    returned = await client.post(
        f"/api/v1/periods/{first}/return", json={"reason": "trūkst pielikuma"}, headers=admin
    )
    assert (returned.json()["status"], returned.json()["status_note"]) == (
        "returned",
        "trūkst pielikuma",
    )
