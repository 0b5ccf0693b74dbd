"""The register page and API: who sees it, what it counts, imports and exports."""

from grants.core.vocabulary import Role
from grants.tables.audit import AuditEvent
from grants.tables.participants import Participant
from tests.builders import participant
from tests.helpers import FAMILIES, PILOT, api_headers, eur, post, project_id, sign_in


async def test_coordinator_sees_the_register_with_its_service_table(demo, client):
    pid = await project_id(FAMILIES)
    await sign_in(client, Role.COORDINATOR)
    page = await client.get(f"/projects/{pid}/register")
    assert page.status_code == 200
    assert page.text.count('<td class="code">') == 19
    assert eur("55 535,00") in page.text
    assert "31.12.2032" in page.text  # 5 years from the end of 2027


async def test_finance_and_viewers_do_not_see_the_register(families, client):
    pid = families
    for role in (Role.FINANCE, Role.VIEWER):
        await sign_in(client, role)
        assert (await client.get(f"/projects/{pid}/register")).status_code == 403
        api = await client.get(
            f"/api/v1/projects/{pid}/participants", headers=await api_headers(role)
        )
        assert api.status_code == 403


async def test_special_category_flags_are_hidden_from_auditors(families, client):
    pid = families
    await sign_in(client, Role.COORDINATOR)
    form = {
        "code": "TUK-101",
        "gender": "female",
        "birth_year": "1990",
        "entry_date": "01.10.2026",
        "household": "Ģ-09",
        "flags": ["disability", "unemployed"],
    }
    assert (await post(client, f"/projects/{pid}/register/participant", form)).status_code == 303
    assert "Invaliditāte" in (await client.get(f"/projects/{pid}/register")).text
    await sign_in(client, Role.AUDITOR)
    page = (await client.get(f"/projects/{pid}/register")).text
    assert "TUK-101" in page and "Bezdarbnieks" in page and "Invaliditāte" not in page


async def test_a_name_is_refused_and_nothing_is_written(families, client):
    pid = families
    await participant(pid, "TUK-001")  # one there already, to stay the only one
    await sign_in(client, Role.COORDINATOR)
    count = await Participant.count()
    form = {"code": "Anna Bērziņa", "gender": "female", "birth_year": "1990",
            "entry_date": "01.10.2026"}  # fmt: skip
    response = await post(client, f"/projects/{pid}/register/participant", form)
    assert response.status_code == 400
    assert "pseidonimizēts" in response.text
    assert await Participant.count() == count


async def test_import_is_all_or_nothing_with_errors_by_row(families, client):
    pid = families
    await participant(pid, "TUK-001")
    await sign_in(client, Role.COORDINATOR)
    csv = ("kods;dzimums;dzimšanas gads;iesaistes datums\n"
           "TUK-201;sieviete;1988;01.09.2026\n"
           "TUK-202;vīrietis;2030;01.09.2026\n").encode()  # fmt: skip
    count = await Participant.count()
    refused = await post(
        client,
        f"/projects/{pid}/register/import",
        {"kind": "participants"},
        files={"file": ("dalibnieki.csv", csv, "text/csv")},
    )
    assert refused.status_code == 400
    assert "Rinda 3" in refused.text and "2030" in refused.text  # the sheet's row number
    assert await Participant.count() == count
    fixed = csv.replace(b"2030", b"2010")
    done = await post(
        client,
        f"/projects/{pid}/register/import",
        {"kind": "participants"},
        files={"file": ("dalibnieki.csv", fixed, "text/csv")},
    )
    assert done.status_code == 200 and "Importētas 2 rindas" in done.text
    assert await Participant.count() == count + 2


async def test_api_reproduces_the_pilot_tables(demo, client):
    pid = await project_id(PILOT)
    headers = await api_headers(Role.ADMIN)
    children = (
        await client.get(f"/api/v1/projects/{pid}/services", params={"target_group": "children"},
                         headers=headers)
    ).json()  # fmt: skip
    assert (children["total_amount"], children["unique_persons"]) == ("34854.41", 10)
    assert len([s for s in children["services"] if s["receipts"]]) == 20
    grt = (
        await client.get(f"/api/v1/projects/{pid}/services", params={"target_group": "grt"},
                         headers=headers)
    ).json()  # fmt: skip
    support = next(
        s
        for s in grt["services"]
        if s["service"] == "Atbalsta personas lēmumu pieņemšanā pakalpojums"
    )
    assert (support["persons"], support["amount"]) == (8, "31513.12")
    assert grt["total_amount"] == "84009.02"
    assert (children["average_months"], grt["average_months"]) == ("12.0", "15.0")


async def test_reading_participants_through_the_api_is_recorded_as_an_export(families, client):
    pid = families
    for code in ("TUK-001", "TUK-002"):
        await participant(pid, code)
    headers = await api_headers(Role.COORDINATOR)
    listed = await client.get(f"/api/v1/projects/{pid}/participants", headers=headers)
    rows = listed.json()["items"]
    assert [row["code"] for row in rows] == ["TUK-001", "TUK-002"]
    assert not {"name", "personal_code"} & set(rows[0])
    event = await AuditEvent.select().where(AuditEvent.action == "export").first()
    assert (event["actor"], event["entity"]) == ("coordinator@tukums.demo", "participant")


async def test_indicators_are_counted_from_the_register(demo, client):
    pid = await project_id(FAMILIES)
    headers = await api_headers(Role.COORDINATOR)
    progress = (await client.get(f"/api/v1/projects/{pid}/indicators", headers=headers)).json()
    actual = {p["code"]: p["actual"] for p in progress}
    assert (actual["R1"], actual["R2"]) == ("2", "7")  # 2 families, 7 persons completed


async def test_register_history_is_hidden_from_finance(families, client):
    pid = families
    await participant(pid, "TUK-001")
    finance = (
        await client.get(f"/api/v1/projects/{pid}/audit", headers=await api_headers(Role.FINANCE))
    ).json()
    assert all(e["entity"] != "participant" for e in finance["items"])
    coordinator = (
        await client.get(
            f"/api/v1/projects/{pid}/audit", headers=await api_headers(Role.COORDINATOR)
        )
    ).json()
    assert any(e["entity"] == "participant" for e in coordinator["items"])


async def test_an_indicator_can_take_its_values_from_the_register(families, client):
    pid = families
    for code, gender in (("TUK-001", "female"), ("TUK-002", "male"), ("TUK-003", "female")):
        await participant(pid, code, gender)
    headers = await api_headers(Role.COORDINATOR)
    created = await client.post(
        f"/api/v1/projects/{pid}/indicators",
        json={"code": "EECO01", "name": "Dalībnieki", "source": "participants", "target": "48"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    assert created.json()["aggregation"] == "participants"
    progress = (await client.get(f"/api/v1/projects/{pid}/indicators", headers=headers)).json()
    eeco = next(p for p in progress if p["code"] == "EECO01")
    assert eeco["actual"] == "3"
    genders = next(b for b in eeco["breakdown"] if b["dimension"] == "gender")
    assert genders["complete"] is True


async def test_project_page_shows_the_retention_date(families, client):
    await sign_in(client, Role.VIEWER)
    page = (await client.get(f"/projects/{families}")).text
    assert "Dokumenti jāglabā līdz" in page and "31.12.2032" in page
