"""JSON API v1, read side: fields, money as strings, access and errors."""

from grants.core.vocabulary import Role
from grants.tables.accounts import ApiToken
from tests.builders import project, user
from tests.helpers import FAMILIES, SIF_019, api_headers, sign_in


async def test_no_token_gives_401(client):
    response = await client.get("/api/v1/projects")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    response = await client.get("/api/v1/projects", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


async def test_list_gives_the_fields_with_money_as_decimal_strings(demo, client):
    response = await client.get("/api/v1/projects", headers=await api_headers(Role.ADMIN))
    assert response.status_code == 200
    assert {k: v for k, v in response.json().items() if k != "items"} == {
        "total": 16,
        "page": 1,
        "per_page": 100,
    }
    projects = response.json()["items"]
    assert len(projects) == 16
    tukums = next(p for p in projects if p["code"] == "4.4.1.1./2/004")
    assert tukums == {
        "id": tukums["id"],
        "code": "4.4.1.1./2/004",
        "title": "Intensīvais sociālais darbs ģimenēm ar bērniem",
        "title_en": "Intensive social work with families with children",
        "programme": "LV-KPP-2021-2027",
        "measure": "4.4.1.1",
        "fund": "ESF+",
        "our_role": "implementer",
        "status": "in_progress",
        "amount_kind": "contracted",
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "total_cost": "369214.43",
        "eligible_cost": "296578.43",
        "ineligible_cost": "72636.00",
        "eu_share": "252091.67",
        "counted_as": "own_project",
        "our_share": None,
        "our_eu_share": None,
    }


async def test_code_filter_accepts_either_separator_style(client):
    await project(FAMILIES)
    await project("4.4.1.1./004", total="248 966,63", eligible=None, funding=())  # SIF's
    await user(Role.ADMIN)
    headers = await api_headers(Role.ADMIN)
    for code in ("4.4.1.1./2/004", "4.4.1.1/2/004"):
        found = (
            await client.get("/api/v1/projects", params={"code": code}, headers=headers)
        ).json()["items"]
        assert [p["code"] for p in found] == ["4.4.1.1./2/004"]
    found = (
        await client.get("/api/v1/projects", params={"code": "4.4.1.1./004"}, headers=headers)
    ).json()["items"]
    assert [(p["code"], p["total_cost"]) for p in found] == [("4.4.1.1./004", "248966.63")]
    assert (await client.get("/api/v1/projects", params={"code": "X"}, headers=headers)).json()[
        "items"
    ] == []


async def test_detail_has_funding_partners_and_indicators(demo, client):
    headers = await api_headers(Role.ADMIN)
    [summary] = (
        await client.get("/api/v1/projects", params={"code": "LL-00241"}, headers=headers)
    ).json()["items"]
    detail = (await client.get(f"/api/v1/projects/{summary['id']}", headers=headers)).json()
    assert [
        (f["source"], f["kind"], f["base"], f["rate"], f["amount"]) for f in detail["funding"]
    ] == [
        ("ERAF", "eu_fund", "partner_budget", "80.00", "38684.00"),
        ("Tukuma novada pašvaldība", "municipality", "partner_budget", "20.00", "9671.00"),
    ]
    assert [(p["organisation"], p["country"], p["budget"]) for p in detail["partners"]] == [
        ("Kurzemes plānošanas reģions", "LV", None),
        ("Tukuma novada sociālais dienests", "LV", "48355.00"),
        ("Kretingas atklātais jauniešu centrs", "LT", None),
        ('Sabiedriskā organizācija "Metu rieves"', "LT", None),
    ]
    assert [(i["code"], i["target"]) for i in detail["indicators"]] == [
        ("RCO116", "1"),
        ("P1", None),
    ]
    assert detail["eu_ceiling"] == "291487.41"
    assert detail["checks"] == [
        {
            "name": "base",
            "base": "partner_budget",
            "partner_id": detail["partners"][1]["id"],
            "expected": "48355.00",
            "actual": "48355.00",
            "difference": "0.00",
            "passed": True,
        }
    ]
    assert detail["total_cost"] is None and detail["ineligible_cost"] is None


async def test_unknown_id_gives_404(client):
    await user(Role.ADMIN)
    response = await client.get("/api/v1/projects/999999", headers=await api_headers(Role.ADMIN))
    assert response.status_code == 404
    assert response.json()["detail"] == "Projekts ar ID 999999 nav atrasts."


async def test_messages_follow_accept_language(client):
    await user(Role.ADMIN)
    headers = await api_headers(Role.ADMIN) | {"Accept-Language": "en-GB,en;q=0.8"}
    response = await client.get("/api/v1/projects/999999", headers=headers)
    assert response.json()["detail"] == "No project with id 999999."


async def test_members_see_their_projects_only_and_get_403_elsewhere(small_portfolio, client):
    headers = await api_headers(Role.COORDINATOR)
    codes = [
        p["code"] for p in (await client.get("/api/v1/projects", headers=headers)).json()["items"]
    ]
    assert codes == ["4.2.3.4/1/24/I/001", "4.4.1.1./2/004", "LL-00241"]
    admin = await api_headers(Role.ADMIN)
    [sif] = (await client.get("/api/v1/projects", params={"code": SIF_019}, headers=admin)).json()[
        "items"
    ]
    assert (await client.get(f"/api/v1/projects/{sif['id']}", headers=headers)).status_code == 403


async def test_auditor_reads_everything(small_portfolio, client):
    headers = await api_headers(Role.AUDITOR)
    assert (await client.get("/api/v1/projects", headers=headers)).json()["total"] == 6


async def test_revoked_token_is_refused(client):
    await user(Role.ADMIN)
    headers = await api_headers(Role.ADMIN)
    assert (await client.get("/api/v1/projects", headers=headers)).status_code == 200
    await ApiToken.update({ApiToken.revoked_at: ApiToken.created_at}, force=True)
    assert (await client.get("/api/v1/projects", headers=headers)).status_code == 401


async def test_api_ignores_the_browser_session(client):
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    assert (await client.get("/api/v1/projects")).status_code == 401


async def test_openapi_schema_describes_the_api(client):
    schema = (await client.get("/schema/openapi.json")).json()
    assert {"/api/v1/projects", "/api/v1/projects/{project_id}"} <= set(schema["paths"])
    assert "/login" not in schema["paths"]
    detail = schema["components"]["schemas"]["ProjectDetailOut"]["properties"]
    assert {"funding", "partners", "indicators", "total_cost"} <= set(detail)
