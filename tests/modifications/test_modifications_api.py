"""The modifications API: a draft proposed, changed, submitted and approved in the API's shapes;
refusals in the one shape, in the request's language, with nothing written; versions listed and
returned whole."""

import pytest

from grants.accounts.users import create_token
from grants.core.vocabulary import Role
from grants.finance.budget import set_budget
from grants.tables.audit import AuditEvent
from grants.tables.modifications import ContractVersion, Modification
from tests import builders
from tests.helpers import api_headers
from tests.modifications.test_modifications import BUDGET

EN = {"Accept-Language": "en"}


def _budget(moved: str = "36 900,00", equipment: str = "19 650,00") -> list[dict]:
    return [
        {"category": "staff", "year": 2026, "amount": "88412.37"},
        {"category": "staff", "year": 2027, "amount": "91803.55"},
        {"category": "external_services", "year": 2026, "amount": moved},
        {"category": "external_services", "year": 2027, "amount": "32780.12"},
        {"category": "equipment", "year": 2026, "amount": equipment},
        {"category": "office_admin", "year": 2026, "flat_rate": "15", "flat_rate_base": ["staff"]},
        {"category": "office_admin", "year": 2027, "flat_rate": "15", "flat_rate_base": ["staff"]},
    ]


@pytest.fixture
async def contracted(families: int) -> int:
    await set_budget(builders.BUILDER, families, BUDGET)
    await builders.indicator(families, "EECO01", target="48")
    return families


async def test_propose_submit_approve_and_read_the_versions(client, contracted: int) -> None:
    finance = await api_headers(Role.FINANCE)
    url = f"/api/v1/projects/{contracted}/modifications"
    # the whole budget is sent; only what differs is kept, figures as the API writes them
    created = await client.post(
        url, json={"reason": "Vairāk konsultāciju", "budget": _budget()}, headers=finance
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["number"], body["status"], body["version"]) == (1, "draft", None)
    amounts = {(ln["category"], ln["year"]): ln["amount"] for ln in body["changes"]["budget"]}
    assert amounts[("external_services", 2026)] == "36900.00"
    assert amounts[("equipment", 2026)] == "19650.00"
    assert amounts[("office_admin", 2026)] is None
    assert list(body["changes"]) == ["budget"]
    assert body["diff"]["budget"] == [
        {"category": "external_services", "year": 2026, "before": "31900.00",
         "after": "36900.00", "difference": "5000.00"},
        {"category": "equipment", "year": 2026, "before": "24650.00", "after": "19650.00",
         "difference": "-5000.00"},
        {"category": "", "year": None, "before": "296578.43", "after": "296578.43",
         "difference": "0.00"},
    ]  # fmt: skip
    assert [s["after"] for s in body["diff"]["sources"]] == ["252091.67", "44486.76", "72636.00"]
    mid = body["id"]

    changed = await client.patch(
        f"/api/v1/modifications/{mid}",
        json={"indicators": [{"code": "EECO01", "target": "52"}]},
        headers=finance,
    )
    assert changed.status_code == 200, changed.text
    assert sorted(changed.json()["changes"]) == ["budget", "indicators"]
    assert changed.json()["diff"]["indicators"][0]["target_after"] == "52"

    submitted = await client.post(f"/api/v1/modifications/{mid}/submit", headers=finance)
    assert submitted.json()["status"] == "submitted"
    frozen = await client.patch(
        f"/api/v1/modifications/{mid}", json={"reason": "cits"}, headers=finance
    )
    assert frozen.status_code == 409

    approved = await client.post(
        f"/api/v1/modifications/{mid}/approve",
        json={"decision_date": "2026-06-15", "reference": "CFLA Nr. 2.1-14/123"},
        headers=finance,
    )
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["version"]) == ("approved", 2)
    assert approved.json()["in_force_from"] == "2026-06-15"

    listed = await client.get(f"/api/v1/projects/{contracted}/versions", headers=finance)
    assert listed.json() == [
        {"number": 1, "in_force_from": None, "modification_id": None, "current": False},
        {"number": 2, "in_force_from": "2026-06-15", "modification_id": mid, "current": True},
    ]
    first = (await client.get(f"/api/v1/projects/{contracted}/versions/1", headers=finance)).json()
    second = (await client.get(f"/api/v1/projects/{contracted}/versions/2", headers=finance)).json()
    assert [b["amount"] for b in first["budget"] if b["category"] == "equipment"] == ["24650.00"]
    assert [b["amount"] for b in second["budget"] if b["category"] == "equipment"] == ["19650.00"]
    assert [b["amount"] for b in second["budget"] if b["category"] == "office_admin"] == [
        "13261.86",
        "13770.53",
    ]
    assert [i["target"] for i in first["indicators"]] == ["48"]
    assert [i["target"] for i in second["indicators"]] == ["52"]
    assert [f["amount"] for f in second["funding"]] == ["252091.67", "44486.76", "72636.00"]
    missing = await client.get(f"/api/v1/projects/{contracted}/versions/3", headers=finance)
    assert missing.status_code == 404
    listing = await client.get(url, headers=finance)
    assert [(m["number"], m["status"], m["version"]) for m in listing.json()["items"]] == [
        (1, "approved", 2)
    ]
    assert (listing.json()["total"], listing.json()["page"]) == (1, 1)


async def test_refusals_list_every_problem_in_the_request_language(client, contracted) -> None:
    finance = await api_headers(Role.FINANCE)
    url = f"/api/v1/projects/{contracted}/modifications"
    refused = await client.post(
        url,
        json={"reason": " ", "budget": _budget(equipment="20 650,00"), "end_date": "2025-01-01"},
        headers=finance | EN,
    )
    assert refused.status_code == 400
    body = refused.json()
    assert set(body) == {"status_code", "detail", "errors"}
    assert [e["field"] for e in body["errors"]] == ["reason", "end_date", "budget[0].year",
                                                    "budget[1].year", "budget[2].year",
                                                    "budget[3].year", "budget[4].year",
                                                    "budget[5].year", "budget[6].year"]  # fmt: skip
    budget_only = await client.post(
        url, json={"reason": "x", "budget": _budget(equipment="20 650,00")}, headers=finance | EN
    )
    assert budget_only.json()["errors"] == [
        {
            "field": "budget",
            "message": "The budget adds up to €297,578.43, not €296,578.43 (difference €1,000.00).",
        }
    ]
    unknown = await client.post(url, json={"reason": "x", "colour": "red"}, headers=finance)
    assert unknown.status_code == 400
    assert [e["field"] for e in unknown.json()["errors"]] == ["colour"]
    as_number = await client.post(url, json={"reason": "x", "total_cost": 5}, headers=finance)
    assert as_number.status_code == 400
    latvian = await client.post(url, json={"reason": "x"}, headers=finance)
    assert latvian.json()["errors"][0]["message"] == "Grozījumi līgumā neko nemaina."
    assert await Modification.count() == 0
    assert await AuditEvent.count().where(AuditEvent.entity == "modification") == 0


async def test_who_may_do_what(client, contracted: int) -> None:
    viewer, coordinator = await api_headers(Role.VIEWER), await api_headers(Role.COORDINATOR)
    url = f"/api/v1/projects/{contracted}/modifications"
    data = {"reason": "Mērķis", "indicators": [{"code": "EECO01", "target": "52"}]}
    assert (await client.post(url, json=data, headers=viewer)).status_code == 403
    created = await client.post(url, json=data, headers=coordinator)
    assert created.status_code == 201
    mid = created.json()["id"]
    await client.post(f"/api/v1/modifications/{mid}/submit", headers=coordinator)
    decision = {"decision_date": "2026-06-15", "reference": "1"}
    denied = await client.post(
        f"/api/v1/modifications/{mid}/approve", json=decision, headers=coordinator
    )
    assert denied.status_code == 403
    outsider = await builders.outsider(Role.FINANCE)
    elsewhere = {"Authorization": f"Bearer {await create_token(outsider.email)}"}
    assert (await client.get(f"/api/v1/modifications/{mid}", headers=elsewhere)).status_code == 403
    assert (await client.post(url, json=data, headers=elsewhere)).status_code == 403
    huge = await client.get(f"/api/v1/modifications/{2**31}", headers=viewer)
    assert huge.status_code == 404
    assert (await client.get(f"/api/v1/modifications/{mid}", headers=viewer)).status_code == 200
    assert await ContractVersion.count() == 0


async def test_the_list_comes_a_page_at_a_time(client, contracted: int) -> None:
    coordinator = await api_headers(Role.COORDINATOR)
    url = f"/api/v1/projects/{contracted}/modifications"
    for target in ("50", "52"):
        data = {"reason": "Mērķis", "indicators": [{"code": "EECO01", "target": target}]}
        assert (await client.post(url, json=data, headers=coordinator)).status_code == 201
    first = (await client.get(url, params={"per_page": 1}, headers=coordinator)).json()
    assert (first["total"], [m["number"] for m in first["items"]]) == (2, [2])
    second = await client.get(url, params={"per_page": 1, "page": 2}, headers=coordinator)
    assert [m["number"] for m in second.json()["items"]] == [1]
    too_many = await client.get(url, params={"per_page": 501}, headers=coordinator)
    assert too_many.status_code == 400
