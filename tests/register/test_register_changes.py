"""Changing the register after the fact: a participant's exit (and household, target group,
flags) through PATCH with its history, and receipts listed, corrected and cancelled."""

import pytest

from grants.accounts.users import create_token
from grants.core.vocabulary import Role
from grants.register.participants import change_participant
from grants.results.progress import indicator_progress
from grants.tables.audit import AuditEvent
from grants.tables.participants import Participant, ServiceReceipt
from tests.builders import outsider, participant, receipt, service
from tests.helpers import FAMILIES, api_headers, demo_user, principal, project_id, refusal

API = "/api/v1"


async def events() -> int:
    return await AuditEvent.count()


def fields(response) -> list[str | None]:
    return [error["field"] for error in response.json()["errors"]]


async def family_figures(pid: int) -> dict[str, int | None]:
    """To date, in hundredths: R1 families and R2 persons who completed a 3–6 month cycle."""
    lines = await indicator_progress(await principal(Role.ADMIN), pid)
    return {line.code: line.to_date for line in lines if line.code in ("R1", "R2")}


# Participants -----------------------------------------------------------------------------------


async def test_an_exit_recorded_through_patch_counts_the_family_as_completed(demo, client):
    pid = await project_id(FAMILIES)
    assert await family_figures(pid) == {"R1": 200, "R2": 700}  # Ģ-01 and Ģ-02 completed
    member = await (
        Participant.select(Participant.id)
        .where((Participant.project == pid) & (Participant.household == "Ģ-03"))
        .order_by(Participant.code)
        .first()
    )
    headers = await api_headers(Role.COORDINATOR)
    url = f"{API}/participants/{member['id']}"

    too_early = await client.patch(
        url, json={"exit_date": "31.07.2026", "note": "Ģimene beidz"}, headers=headers
    )
    assert too_early.status_code == 400  # services are recorded for August and later
    assert fields(too_early) == ["exit_date"]
    assert await family_figures(pid) == {"R1": 200, "R2": 700}

    done = await client.patch(
        url, json={"exit_date": "20.11.2026", "note": "Cikls pabeigts"}, headers=headers
    )
    assert done.status_code == 200, done.text
    assert done.json()["exit_date"] == "2026-11-20"
    assert await family_figures(pid) == {"R1": 300, "R2": 800}  # Ģ-03 now counts, once


async def test_patch_changes_only_the_fields_given_and_the_history_keeps_each_version(
    families, client
):
    pid = families
    added = await participant(
        pid, "TUK-001", household="Ģ-01", target_group="children", flags=["disability"]
    )
    headers = await api_headers(Role.COORDINATOR)
    url = f"{API}/participants/{added.id}"
    left = await client.patch(
        url, json={"exit_date": "30.06.2026", "note": "Cikls pabeigts"}, headers=headers
    )
    assert left.status_code == 200, left.text
    body = left.json()
    assert (body["exit_date"], body["household"], body["target_group"], body["flags"]) == (
        "2026-06-30",
        "Ģ-01",
        "children",
        ["disability"],
    )
    back = await client.patch(url, json={"exit_date": None, "note": "Atgriezās"}, headers=headers)
    assert back.json()["exit_date"] is None  # a return: the exit is cleared
    moved = await client.patch(
        url, json={"household": "Ģ-07", "flags": ["unemployed"], "note": "Jauna ģimene"},
        headers=headers,
    )  # fmt: skip
    assert (moved.json()["household"], moved.json()["flags"]) == ("Ģ-07", [])
    assert moved.json()["labour_status"] == "unemployed"  # a status among flags is the status
    assert (await client.get(url, headers=headers)).json() == moved.json()

    history = (await client.get(f"{url}/history", headers=headers)).json()
    assert [(v["version"], v["action"], v["note"]) for v in history] == [
        (1, "create", ""),
        (2, "update", "Cikls pabeigts"),
        (3, "update", "Atgriezās"),
        (4, "update", "Jauna ģimene"),
    ]
    assert history[1]["actor"] == demo_user(Role.COORDINATOR).email
    assert (history[1]["before"]["exit_date"], history[1]["after"]["exit_date"]) == (
        None,
        "2026-06-30",
    )
    assert history[2]["after"]["exit_date"] is None
    assert history[3]["after"]["household"] == "Ģ-07"
    assert "disability" not in str(history)  # special-category flags stay out of the trail


async def test_patch_refusals_list_every_problem_and_change_nothing(families, client):
    pid = families
    consultation = await service(pid, "Konsultācija", "35,00")
    added = await participant(pid, "TUK-001")
    await receipt(pid, "TUK-001", consultation.id, "10.05.2026", "35,00")
    headers = await api_headers(Role.COORDINATOR)
    url = f"{API}/participants/{added.id}"
    before, count = await Participant.select().where(Participant.id == added.id), await events()

    unknown = await client.patch(url, json={"code": "TUK-9", "note": "x"}, headers=headers)
    assert unknown.status_code == 400
    assert fields(unknown) == ["code"]
    no_note = await client.patch(url, json={"exit_date": "30.06.2026"}, headers=headers)
    assert no_note.status_code == 400 and fields(no_note) == ["note"]
    assert set(no_note.json()) == {"status_code", "detail", "errors"}
    nothing = await client.patch(url, json={"note": "Tāpat vien"}, headers=headers)
    assert nothing.status_code == 400 and fields(nothing) == [None]
    wrong = await client.patch(
        url,
        json={"exit_date": "30.04.2026", "flags": ["rich"], "household": "Anna Bērziņa",
              "note": "x"},
        headers=headers,
    )  # fmt: skip
    assert wrong.status_code == 400
    assert sorted(fields(wrong)) == ["exit_date", "flags", "household"]
    assert "10.05.2026" in wrong.text  # the receipt outside the new stay
    assert await Participant.select().where(Participant.id == added.id) == before
    assert await events() == count


async def test_only_the_registers_editors_change_it(families, client):
    pid = families
    added = await participant(pid, "TUK-001")
    url = f"{API}/participants/{added.id}"
    change = {"exit_date": "30.06.2026", "note": "Cikls pabeigts"}
    auditor = await api_headers(Role.AUDITOR)
    assert (await client.patch(url, json=change, headers=auditor)).status_code == 403
    assert (await client.get(f"{url}/history", headers=auditor)).status_code == 200
    for role in (Role.FINANCE, Role.VIEWER):
        headers = await api_headers(role)
        assert (await client.patch(url, json=change, headers=headers)).status_code == 403
        assert (await client.get(url, headers=headers)).status_code == 403
    stranger = await outsider(Role.COORDINATOR)
    headers = {"Authorization": f"Bearer {await create_token(stranger.email)}"}
    assert (await client.patch(url, json=change, headers=headers)).status_code == 403
    coordinator = await api_headers(Role.COORDINATOR)
    missing = await client.patch(f"{API}/participants/999999", json=change, headers=coordinator)
    assert missing.status_code == 404
    assert (await Participant.select(Participant.exit_date).first())["exit_date"] is None


async def test_change_participant_needs_a_reason(families):
    added = await participant(families, "TUK-001")
    refused = await refusal(
        change_participant(await principal(Role.COORDINATOR), added.id, {"exit_date": None}, " ")
    )
    assert [(p.field, p.message) for p in refused.problems] == [
        ("note", "Say why the participant's record is changed.")
    ]


# Receipts ---------------------------------------------------------------------------------------


@pytest.fixture
async def receipts(families) -> dict[str, int]:
    """TUK-001 and TUK-002 (entered 01.02.2026), a 35,00 consultation and a priceless support
    service, and three receipts."""
    pid = families
    consultation = await service(pid, "Konsultācija", "35,00")
    support = await service(pid, "Atbalsts")
    await participant(pid, "TUK-001")
    await participant(pid, "TUK-002", exit="30.06.2026")
    first = await receipt(pid, "TUK-001", consultation.id, "10.03.2026", "35,00")
    second = await receipt(pid, "TUK-002", consultation.id, "12.03.2026", "35,00")
    third = await receipt(pid, "TUK-002", support.id, "01.04.2026", "120,00")
    return {
        "project": pid,
        "consultation": consultation.id,
        "support": support.id,
        "first": first.id,
        "second": second.id,
        "third": third.id,
    }


async def test_receipts_are_listed_a_page_at_a_time_and_filtered(receipts, client):
    url = f"{API}/projects/{receipts['project']}/service-receipts"
    headers = await api_headers(Role.AUDITOR)
    page = (await client.get(url, params={"per_page": 2}, headers=headers)).json()
    assert (page["total"], page["page"], page["per_page"]) == (3, 1, 2)
    assert [(r["participant"], r["date"], r["amount"]) for r in page["items"]] == [
        ("TUK-001", "2026-03-10", "35.00"),
        ("TUK-002", "2026-03-12", "35.00"),
    ]
    rest = (await client.get(url, params={"per_page": 2, "page": 2}, headers=headers)).json()
    assert [(r["service"], r["units"]) for r in rest["items"]] == [("Atbalsts", "1")]
    own = (await client.get(url, params={"participant": "tuk-002"}, headers=headers)).json()
    assert (own["total"], [r["id"] for r in own["items"]]) == (
        2,
        [receipts["second"], receipts["third"]],
    )
    one = (
        await client.get(url, params={"service_id": receipts["support"]}, headers=headers)
    ).json()
    assert [r["id"] for r in one["items"]] == [receipts["third"]]
    too_many = await client.get(url, params={"per_page": 501}, headers=headers)
    assert too_many.status_code == 400 and fields(too_many) == ["per_page"]
    assert (await client.get(url, params={"page": 0}, headers=headers)).status_code == 404
    finance = await client.get(url, headers=await api_headers(Role.FINANCE))
    assert finance.status_code == 403


async def test_a_receipt_is_corrected_with_the_checks_of_an_add(receipts, client):
    headers = await api_headers(Role.COORDINATOR)
    url = f"{API}/service-receipts/{receipts['second']}"
    count = await events()
    after_exit = await client.patch(
        url, json={"date": "01.07.2026", "units": "x", "note": "Labojums"}, headers=headers
    )
    assert after_exit.status_code == 400
    assert fields(after_exit) == ["date", "units"]
    assert "30.06.2026" in after_exit.text
    no_reason = await client.patch(url, json={"units": "2"}, headers=headers)
    assert no_reason.status_code == 400 and fields(no_reason) == ["note"]
    assert await events() == count

    doubled = await client.patch(url, json={"units": "2", "note": "Divas stundas"}, headers=headers)
    assert doubled.status_code == 200, doubled.text
    assert (doubled.json()["units"], doubled.json()["amount"]) == ("2", "70.00")  # priced anew
    moved = await client.patch(url, json={"date": "2026-03-13", "note": "Datums"}, headers=headers)
    assert (moved.json()["date"], moved.json()["amount"]) == ("2026-03-13", "70.00")
    typed = await client.patch(url, json={"amount": "65,50", "note": "Atlaide"}, headers=headers)
    assert typed.json()["amount"] == "65.50"
    priceless = await client.patch(
        url, json={"service": receipts["support"], "note": "Cits"}, headers=headers
    )
    assert priceless.status_code == 400 and fields(priceless) == ["amount"]

    event = await AuditEvent.select().where(AuditEvent.action == "update").order_by(
        AuditEvent.id
    ).output(load_json=True).first()  # fmt: skip
    assert (event["entity"], event["entity_id"], event["note"]) == (
        "service_receipt",
        receipts["second"],
        "Divas stundas",
    )
    assert (event["before"]["amount"], event["after"]["amount"]) == ("35.00", "70.00")
    auditor = await client.patch(
        url, json={"units": "3", "note": "x"}, headers=await api_headers(Role.AUDITOR)
    )
    assert auditor.status_code == 403


async def test_a_cancelled_receipt_stops_counting_and_stays_in_the_trail(receipts, client):
    pid = receipts["project"]
    headers = await api_headers(Role.COORDINATOR)
    url = f"{API}/service-receipts/{receipts['third']}/cancel"
    table = (await client.get(f"{API}/projects/{pid}/services", headers=headers)).json()
    assert (table["total_amount"], table["unique_persons"]) == ("190.00", 2)

    no_reason = await client.post(url, json={"note": "  "}, headers=headers)
    assert no_reason.status_code == 400 and fields(no_reason) == ["note"]
    auditor = await client.post(url, json={"note": "x"}, headers=await api_headers(Role.AUDITOR))
    assert auditor.status_code == 403
    assert await ServiceReceipt.count() == 3

    done = await client.post(url, json={"note": "Ievadīts kļūdaini"}, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["amount"] == "120.00"
    table = (await client.get(f"{API}/projects/{pid}/services", headers=headers)).json()
    assert table["total_amount"] == "70.00"
    listed = (await client.get(f"{API}/projects/{pid}/service-receipts", headers=headers)).json()
    assert [r["id"] for r in listed["items"]] == [receipts["first"], receipts["second"]]
    event = await AuditEvent.select().where(AuditEvent.action == "cancel").output(
        load_json=True
    ).first()  # fmt: skip
    assert event["note"] == "Ievadīts kļūdaini"
    assert event["before"] | {"created_at": None} == {
        "id": receipts["third"],
        "participant": "TUK-002",
        "service": receipts["support"],
        "service_name": "Atbalsts",
        "date": "2026-04-01",
        "units_hundredths": 100,
        "amount": "120.00",
        "note": "",
        "created_by": None,
        "created_at": None,
    }
    again = await client.post(url, json={"note": "Vēlreiz"}, headers=headers)
    assert again.status_code == 404
