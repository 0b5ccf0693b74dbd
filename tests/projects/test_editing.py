"""Creating and changing projects through the API: computed amounts, refusals, roles, audit."""

from grants.core.vocabulary import ProjectStatus, Role
from grants.tables.audit import AuditEvent
from grants.tables.funding import FundingLine
from grants.tables.projects import Project
from tests.builders import measure, project, user
from tests.helpers import FAMILIES, SIF_002, api_headers

NEW = {
    "code": "4.4.1.1./2/099",
    "title": "Jauns projekts",
    "measure": "4.4.1.1",
    "start_date": "2026-02-01",
    "end_date": "2027-01-31",
    "total_cost": "1 000,00",
    "eligible_cost": "1.01",
    "reporting": "quarterly",
    "funding": [
        {"source": "ESF+", "rate": "85.00"},
        {"source": "State budget", "rate": "15.00", "residual": True},
        {"source": "Municipality", "rate": "100", "base": "ineligible", "residual": True},
    ],
}


async def approved_only(pid: int) -> None:
    """No contract yet, so its costs and funding plan change directly."""
    await Project.update({Project.status: ProjectStatus.APPROVED}).where(Project.id == pid)


async def test_create_computes_the_amounts(client):
    await measure("4.4.1.1")
    await user(Role.ADMIN)
    response = await client.post(
        "/api/v1/projects", json=NEW, headers=await api_headers(Role.ADMIN)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["total_cost"], body["eligible_cost"], body["ineligible_cost"]) == (
        "1000.00",
        "1.01",
        "998.99",
    )
    assert [(f["source"], f["kind"], f["amount"]) for f in body["funding"]] == [
        ("ESF+", "eu_fund", "0.86"),
        ("State budget", "state_budget", "0.15"),
        ("Municipality", "municipality", "998.99"),
    ]
    assert all(c["passed"] for c in body["checks"])
    event = (
        await AuditEvent.select()
        .where(AuditEvent.entity == "project")
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )
    assert (event["action"], event["actor"]) == ("create", "admin@tukums.demo")


async def test_rates_that_do_not_add_up_to_100_are_refused_and_nothing_is_written(client):
    await project(FAMILIES)  # something there to stay as it is
    await user(Role.ADMIN)
    body = NEW | {"funding": [{"source": "ESF+", "rate": "85"}, {"source": "State", "rate": "10"}]}
    headers = await api_headers(Role.ADMIN)
    before = await Project.count(), await FundingLine.count(), await AuditEvent.count()
    response = await client.post("/api/v1/projects", json=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "funding",
            "message": "Likmes bāzei „Attiecināmās izmaksas” kopā ir 95,00\u00a0%, "
            "nevis 100\u00a0%.",
        }
    ]
    assert (await Project.count(), await FundingLine.count(), await AuditEvent.count()) == before


async def test_every_problem_is_reported_at_once(client):
    await user(Role.ADMIN)
    body = NEW | {
        "code": " ",
        "total_cost": "20 6107",
        "eligible_cost": "1,234.567",
        "end_date": "31.13.2027",
        "measure": "9.9.9",
        "reporting": "monthly",
    }
    headers = await api_headers(Role.ADMIN) | {"Accept-Language": "en"}
    response = await client.post("/api/v1/projects", json=body, headers=headers)
    assert response.status_code == 400
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["code", "measure", "reporting", "end_date", "total_cost", "eligible_cost"]
    assert "grouped wrongly" in response.json()["detail"]


async def test_eligible_above_total_is_refused(client):
    await measure("4.4.1.1")
    await user(Role.ADMIN)
    body = NEW | {"eligible_cost": "1000.01"}
    response = await client.post(
        "/api/v1/projects", json=body, headers=await api_headers(Role.ADMIN)
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "eligible_cost"


async def test_duplicate_code_is_a_conflict(client):
    await project(FAMILIES)
    await user(Role.ADMIN)
    body = NEW | {"code": "4.4.1.1/2/004"}  # the same project as 4.4.1.1./2/004
    response = await client.post(
        "/api/v1/projects", json=body, headers=await api_headers(Role.ADMIN)
    )
    assert response.status_code == 409


async def test_money_must_be_a_string_not_a_float(client):
    await measure("4.4.1.1")
    await user(Role.ADMIN)
    body = NEW | {"total_cost": 1000.0}
    response = await client.post(
        "/api/v1/projects", json=body, headers=await api_headers(Role.ADMIN)
    )
    assert response.status_code == 400


async def test_patch_changes_only_what_is_given_and_recomputes(families, client):
    pid = families
    await approved_only(pid)
    headers = await api_headers(Role.FINANCE)
    response = await client.patch(
        f"/api/v1/projects/{pid}", json={"eligible_cost": "296 578,44"}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "Intensīvais sociālais darbs ģimenēm ar bērniem"
    # 296 578,44 × 85 % = 252 091,674 → 252 091,67; the state budget takes 44 486,77
    assert [f["amount"] for f in body["funding"]] == ["252091.67", "44486.77", "72635.99"]
    event = (
        await AuditEvent.select()
        .where((AuditEvent.entity == "project") & (AuditEvent.action == "update"))
        .first()
    )
    assert event["before"] == '{"eligible_cost": "296578.43"}' or event["before"] == {
        "eligible_cost": "296578.43"
    }


async def test_patch_replaces_the_funding_plan(families, client):
    pid = families
    await approved_only(pid)
    plan = [{"source": "ESF+", "rate": "80"}, {"source": "Valsts budžets", "rate": "20"}]
    response = await client.patch(
        f"/api/v1/projects/{pid}", json={"funding": plan}, headers=await api_headers(Role.ADMIN)
    )
    funding = response.json()["funding"]
    assert [(f["amount"], f["residual"]) for f in funding] == [
        ("237262.74", False),
        ("59315.69", True),  # the last line of a full 100 % takes the remainder
    ]


async def test_roles_decide_who_creates_and_who_edits(families, client):
    pid, sif = families, await project(SIF_002)
    finance = await api_headers(Role.FINANCE)
    assert (await client.post("/api/v1/projects", json=NEW, headers=finance)).status_code == 403
    change = {"title_en": "x"}
    assert (
        await client.patch(f"/api/v1/projects/{sif}", json=change, headers=finance)
    ).status_code == 403
    coordinator = await api_headers(Role.COORDINATOR)
    assert (
        await client.patch(f"/api/v1/projects/{pid}", json=change, headers=coordinator)
    ).status_code == 403
    auditor = await api_headers(Role.AUDITOR)
    assert (
        await client.patch(f"/api/v1/projects/{pid}", json=change, headers=auditor)
    ).status_code == 403
    assert (
        await client.patch(f"/api/v1/projects/{pid}", json=change, headers=finance)
    ).status_code == 200


async def test_patch_of_unknown_project_is_404(client):
    await user(Role.ADMIN)
    response = await client.patch(
        "/api/v1/projects/999999", json={"title": "x"}, headers=await api_headers(Role.ADMIN)
    )
    assert response.status_code == 404


async def test_audit_trail_shows_who_changed_what(families, client):
    pid = families
    await client.patch(
        f"/api/v1/projects/{pid}",
        json={"title_en": "Intensive family support"},
        headers=await api_headers(Role.FINANCE),
    )
    response = await client.get(
        f"/api/v1/projects/{pid}/audit", headers=await api_headers(Role.AUDITOR)
    )
    assert response.status_code == 200
    latest = response.json()["items"][0]
    assert (latest["actor"], latest["action"], latest["entity"], latest["entity_id"]) == (
        "finance@tukums.demo",
        "update",
        "project",
        pid,
    )
    assert latest["before"] == {"title_en": "Intensive social work with families with children"}
    assert latest["after"] == {"title_en": "Intensive family support"}
    # before it, create_project made the project after generating its periods
    assert [e["action"] for e in response.json()["items"]] == ["update", "create", "generate"]


async def test_viewers_do_not_read_the_audit_trail(families, client):
    response = await client.get(
        f"/api/v1/projects/{families}/audit", headers=await api_headers(Role.VIEWER)
    )
    assert response.status_code == 403


async def test_periods_follow_the_project_dates_and_rhythm(client):
    await measure("4.4.1.1")  # quarterly, reports due 20 days after a period
    await user(Role.ADMIN)
    headers = await api_headers(Role.ADMIN)
    created = (await client.post("/api/v1/projects", json=NEW, headers=headers)).json()
    periods = (
        await client.get(f"/api/v1/projects/{created['id']}/periods", headers=headers)
    ).json()
    assert [(p["start"], p["end"], p["deadline"]) for p in periods] == [
        ("2026-02-01", "2026-04-30", "2026-05-20"),
        ("2026-05-01", "2026-07-31", "2026-08-20"),
        ("2026-08-01", "2026-10-31", "2026-11-20"),
        ("2026-11-01", "2027-01-31", "2027-02-20"),
    ]
    await client.patch(
        f"/api/v1/projects/{created['id']}", json={"reporting": "half-yearly"}, headers=headers
    )
    periods = (
        await client.get(f"/api/v1/projects/{created['id']}/periods", headers=headers)
    ).json()
    assert [(p["start"], p["end"]) for p in periods] == [
        ("2026-02-01", "2026-07-31"),
        ("2026-08-01", "2027-01-31"),
    ]
