"""Staff costs through the API: the shapes, refusals, who may read and change, and ids that
cannot exist."""

from grants.core.vocabulary import Role
from grants.tables.expenditures import Expenditure
from grants.tables.staff import StaffMember, StaffTimesheet
from tests.builders import outsider
from tests.helpers import api_headers

PERSON = {
    "name": "Ref. SD-01",
    "role": "social worker",
    "share": "0.5",
    "year": 2026,
    "annual_cost": "12 900,00",
}


async def _person(client, pid: int, headers: dict, **changes) -> dict:
    response = await client.post(
        f"/api/v1/projects/{pid}/staff", json=PERSON | changes, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_staff_and_timesheets_round_trip(families, client):
    pid = families
    finance = await api_headers(Role.FINANCE)
    created = await _person(client, pid, finance)
    assert {k: created[k] for k in ("name", "role", "kind", "share", "fixed_share")} == {
        "name": "Ref. SD-01",
        "role": "social worker",
        "kind": "hourly",
        "share": "0.5",
        "fixed_share": None,
    }
    assert created["years"] == [
        {
            "year": 2026,
            "annual_cost": "12900.00",
            "hourly_rate": "15.00",
            "hours_cap": "860",
            "hours_used": "0",
            "hours_remaining": "860",
        }
    ]
    sid = created["id"]
    sheet = await client.post(
        f"/api/v1/staff/{sid}/timesheets",
        json={"month": "2026-03", "hours": "37.5"},
        headers=finance,
    )
    assert sheet.status_code == 201, sheet.text
    body = sheet.json()
    assert {
        k: body[k] for k in ("month", "version", "state", "hours", "hourly_rate", "amount")
    } == {
        "month": "2026-03",
        "version": 1,
        "state": "current",
        "hours": "37.5",
        "hourly_rate": "15.00",
        "amount": "562.50",
    }
    line = await client.get(
        f"/api/v1/expenditures/{body['expenditure_id']}/history", headers=finance
    )
    assert [(x["amount"], x["category"], x["date"]) for x in line.json()] == [
        ("562.50", "staff", "2026-03-31")
    ]
    corrected = await client.put(
        f"/api/v1/staff/{sid}/timesheets/2026-03",
        json={"hours": "40", "note": "signed sheet"},
        headers=finance,
    )
    assert corrected.status_code == 200, corrected.text
    assert (corrected.json()["version"], corrected.json()["amount"]) == (2, "600.00")
    listed = await client.get(f"/api/v1/staff/{sid}/timesheets?history=true", headers=finance)
    assert [(t["version"], t["state"]) for t in listed.json()["items"]] == [
        (1, "superseded"),
        (2, "current"),
    ]
    later = await client.put(
        f"/api/v1/staff/{sid}", json={"year": 2027, "annual_cost": "13 760.00"}, headers=finance
    )
    assert later.status_code == 200, later.text
    assert [(y["year"], y["hourly_rate"], y["hours_used"]) for y in later.json()["years"]] == [
        (2026, "15.00", "40"),
        (2027, "16.00", "0"),
    ]
    staff = await client.get(f"/api/v1/projects/{pid}/staff", headers=finance)
    assert (staff.json()["total"], staff.json()["items"][0]["id"]) == (1, sid)
    assert (await client.get(f"/api/v1/staff/{sid}", headers=finance)).json()[
        "name"
    ] == "Ref. SD-01"


async def test_refusals_list_every_problem_in_the_usual_shape(families, client):
    pid = families
    finance = await api_headers(Role.FINANCE)
    url = f"/api/v1/projects/{pid}/staff"
    bad = await client.post(
        url, json=PERSON | {"name": "", "share": "2", "annual_cost": "-5"}, headers=finance
    )
    assert bad.status_code == 400
    assert [e["field"] for e in bad.json()["errors"]] == ["name", "share", "annual_cost"]
    assert bad.json()["status_code"] == 400
    number = await client.post(url, json=PERSON | {"annual_cost": 12900}, headers=finance)
    unknown = await client.post(url, json=PERSON | {"salary": "1"}, headers=finance)
    assert (number.status_code, unknown.status_code) == (400, 400)
    assert await StaffMember.count() == 0
    sid = (await _person(client, pid, finance))["id"]
    sheets = f"/api/v1/staff/{sid}/timesheets"
    await client.post(sheets, json={"month": "2026-03", "hours": "800"}, headers=finance)
    over = await client.post(sheets, json={"month": "2026-04", "hours": "70"}, headers=finance)
    assert over.status_code == 400
    (error,) = over.json()["errors"]
    assert error["field"] == "hours" and "60" in error["message"] and "860" in error["message"]
    twice = await client.post(sheets, json={"month": "2026-03", "hours": "1"}, headers=finance)
    assert twice.status_code == 409
    missing = await client.put(
        f"{sheets}/2026-05", json={"hours": "1", "note": "x"}, headers=finance
    )
    assert missing.status_code == 404
    assert (await StaffTimesheet.count(), await Expenditure.count()) == (1, 1)


async def test_members_read_finance_and_admins_change(families, client):
    pid = families
    finance = await api_headers(Role.FINANCE)
    sid = (await _person(client, pid, finance))["id"]
    for role in (Role.VIEWER, Role.COORDINATOR, Role.AUDITOR):
        headers = await api_headers(role)
        add = await client.post(f"/api/v1/projects/{pid}/staff", json=PERSON, headers=headers)
        sheet = await client.post(
            f"/api/v1/staff/{sid}/timesheets",
            json={"month": "2026-03", "hours": "1"},
            headers=headers,
        )
        change = await client.put(f"/api/v1/staff/{sid}", json={"role": "x"}, headers=headers)
        assert (add.status_code, sheet.status_code, change.status_code) == (403, 403, 403), role
        assert (await client.get(f"/api/v1/staff/{sid}", headers=headers)).status_code == 200
    admin = await api_headers(Role.ADMIN)
    made = await client.post(
        f"/api/v1/staff/{sid}/timesheets", json={"month": "2026-03", "hours": "1"}, headers=admin
    )
    assert made.status_code == 201


async def test_outsiders_and_impossible_ids_find_nothing(families, client):
    pid = families
    finance = await api_headers(Role.FINANCE)
    sid = (await _person(client, pid, finance))["id"]
    await outsider(Role.FINANCE)
    from grants.accounts.users import create_token

    stranger = {"Authorization": f"Bearer {await create_token('finance@sif.demo')}"}
    for url in (
        f"/api/v1/staff/{sid}",
        f"/api/v1/staff/{sid}/timesheets",
        f"/api/v1/projects/{pid}/staff",
    ):
        assert (await client.get(url, headers=stranger)).status_code == 404, url
    sheet = await client.post(
        f"/api/v1/staff/{sid}/timesheets",
        json={"month": "2026-03", "hours": "1"},
        headers=stranger,
    )
    assert sheet.status_code == 404
    for url in (
        "/api/v1/staff/2147483648",
        "/api/v1/staff/4294967296/timesheets",
        "/api/v1/projects/2147483648/staff",
        "/api/v1/staff/99999",
    ):
        assert (await client.get(url, headers=finance)).status_code == 404, url
