"""ESF+ data at entry (issue 13): exactly one labour-market status, the education level, each
with its own "refused" value; special-category flags by role; labour statuses moved out of
the flags by the data migration."""

import importlib
import json
from dataclasses import replace

from grants.core.vocabulary import Role
from grants.register.participants import add_participant, change_participant, get_participant
from grants.tables.audit import AuditEvent
from grants.tables.participants import Participant
from tests.builders import person
from tests.helpers import api_headers, post, principal, refusal, sign_in

MIGRATION = importlib.import_module("grants.migrations.grants_2026_12_02t02_05_00_000000")
API = "/api/v1"


async def coordinator():
    return await principal(Role.COORDINATOR)


async def test_a_participant_has_exactly_one_labour_status(families):
    pid = families
    who = await coordinator()
    added = await add_participant(
        who, pid, replace(person("TUK-1"), labour_status="unemployed", education="isced_3_4")
    )
    assert (added.labour_status, added.education, added.flags) == ("unemployed", "isced_3_4", ())

    count = await Participant.count()
    several = replace(person("TUK-2", flags=["rural"]), labour_status="employed")
    several = replace(several, flags=["rural", "unemployed", "inactive"])
    refused = await refusal(add_participant(who, pid, several))
    assert [(p.field, p.english()) for p in refused.problems] == [
        (
            "labour_status",
            "More than one labour-market status (employed, unemployed, inactive): a participant "
            "has exactly one at entry. Choose one, or “refused” when the person did not answer.",
        )
    ]
    unknown = replace(person("TUK-2"), labour_status="student", education="phd")
    refused = await refusal(add_participant(who, pid, unknown))
    assert [p.field for p in refused.problems] == ["labour_status", "education"]
    assert refused.problems[0].english() == (
        "“student” is not one of: unemployed, long_term_unemployed, inactive, employed, refused."
    )
    assert await Participant.count() == count  # nothing written

    # an older client's one status among the flags is read as the status, never kept a flag
    legacy = await add_participant(
        who, pid, person("TUK-3", flags=["rural", "Long_term_unemployed"])
    )
    assert (legacy.labour_status, legacy.flags) == ("long_term_unemployed", ("rural",))
    # the same status twice is one status
    same = replace(person("TUK-4", flags=["employed"]), labour_status="employed")
    assert (await add_participant(who, pid, same)).labour_status == "employed"


async def test_refused_is_its_own_value_not_a_missing_answer(families):
    pid = families
    who = await coordinator()
    refused = await add_participant(
        who, pid, replace(person("TUK-1"), labour_status="Refused", education="refused")
    )
    silent = await add_participant(who, pid, person("TUK-2"))
    assert (refused.labour_status, refused.education) == ("refused", "refused")
    assert (silent.labour_status, silent.education) == ("", "")  # not recorded
    rows = await Participant.select(Participant.code, Participant.labour_status).order_by(
        Participant.code
    )
    assert rows == [
        {"code": "TUK-1", "labour_status": "refused"},
        {"code": "TUK-2", "labour_status": ""},
    ]


async def test_the_data_at_entry_is_corrected_with_a_reason_and_kept_in_the_history(families):
    pid = families
    who = await coordinator()
    row = await add_participant(who, pid, replace(person("TUK-1"), labour_status="inactive"))
    changed = await change_participant(
        who, row.id, {"labour_status": "employed", "education": "isced_5_8"}, "Typo"
    )
    assert (changed.labour_status, changed.education) == ("employed", "isced_5_8")
    event = await (
        AuditEvent.select(AuditEvent.before, AuditEvent.after, AuditEvent.note)
        .where(AuditEvent.entity_id == row.id)
        .order_by(AuditEvent.id, ascending=False)
        .first()
        .output(load_json=True)
    )
    assert (event["before"]["labour_status"], event["after"]["labour_status"]) == (
        "inactive",
        "employed",
    )
    assert (event["after"]["education"], event["note"]) == ("isced_5_8", "Typo")
    refused = await refusal(change_participant(who, row.id, {"flags": ["unemployed"]}, "Several"))
    assert [p.field for p in refused.problems] == ["labour_status"]


async def test_the_api_takes_and_gives_the_data_at_entry(families, client):
    pid = families
    headers = await api_headers(Role.COORDINATOR)
    body = {"code": "TUK-1", "gender": "male", "birth_year": 1980, "entry_date": "2026-03-01",
            "labour_status": "long_term_unemployed", "education": "isced_0_2",
            "flags": ["third_country_national", "homeless"]}  # fmt: skip
    added = await client.post(f"{API}/projects/{pid}/participants", json=body, headers=headers)
    assert added.status_code == 201, added.text
    out = added.json()
    assert (out["labour_status"], out["education"], out["flags"]) == (
        "long_term_unemployed",
        "isced_0_2",
        ["homeless", "third_country_national"],
    )
    url = f"{API}/participants/{out['id']}"
    several = await client.patch(
        url, json={"flags": ["employed"], "note": "Started work"}, headers=headers
    )
    assert several.status_code == 400
    assert several.json()["errors"] == [
        {
            "field": "labour_status",
            "message": "Vairāk nekā viens nodarbinātības statuss (long_term_unemployed, employed):"
            " dalībniekam iesaistoties ir tieši viens. Izvēlieties vienu vai “atteicās atbildēt”,"
            " ja persona neatbildēja.",
        }
    ]
    fixed = await client.patch(
        url, json={"labour_status": "employed", "note": "Typo at entry"}, headers=headers
    )
    assert fixed.json()["labour_status"] == "employed"


async def test_special_category_answers_are_shown_only_to_roles_that_need_them(families, client):
    pid = families
    who = await coordinator()
    flags = ["disability", "minority", "rural", "foreign_background"]
    row = await add_participant(
        who, pid, replace(person("TUK-1", flags=flags), labour_status="inactive")
    )
    assert row.flags == ("disability", "foreign_background", "minority", "rural")
    for role, seen in (
        (Role.COORDINATOR, ["disability", "foreign_background", "minority", "rural"]),
        (Role.ADMIN, ["disability", "foreign_background", "minority", "rural"]),
        (Role.AUDITOR, ["foreign_background", "rural"]),
    ):
        assert list((await get_participant(await principal(role), row.id)).flags) == seen
        api = await client.get(f"{API}/participants/{row.id}", headers=await api_headers(role))
        assert api.json()["flags"] == seen
    for role in (Role.FINANCE, Role.VIEWER):  # not register readers at all
        api = await client.get(f"{API}/participants/{row.id}", headers=await api_headers(role))
        assert api.status_code in (403, 404)
    # the trail, read by auditors too, never holds them
    [created] = (
        await AuditEvent.select(AuditEvent.after)
        .where((AuditEvent.entity == "participant") & (AuditEvent.entity_id == row.id))
        .output(load_json=True)
    )
    assert created["after"]["flags"] == ["foreign_background", "rural"]
    # an auditor's page does not show them; the coordinator's does
    await sign_in(client, Role.AUDITOR)
    page = (await client.get(f"/projects/{pid}/register/participants/{row.id}")).text
    assert "Invaliditāte" not in page and "Mazākumtautība" not in page and "Lauku" in page
    await sign_in(client, Role.COORDINATOR)
    page = (await client.get(f"/projects/{pid}/register/participants/{row.id}")).text
    assert "Invaliditāte" in page


async def test_api_reads_of_the_register_stay_in_the_audit_trail(families, client):
    pid = families
    await add_participant(await coordinator(), pid, person("TUK-1"))
    before = await AuditEvent.count().where(AuditEvent.action == "export")
    headers = await api_headers(Role.AUDITOR)
    assert (
        await client.get(f"{API}/projects/{pid}/participants", headers=headers)
    ).status_code == 200
    assert (
        await client.get(f"{API}/projects/{pid}/follow-ups", headers=headers)
    ).status_code == 200
    assert await AuditEvent.count().where(AuditEvent.action == "export") == before + 2


async def test_the_add_form_takes_the_labour_status_and_education(families, client):
    pid = families
    await sign_in(client, Role.COORDINATOR)
    form = {"code": "TUK-9", "gender": "female", "birth_year": "1990", "entry_date": "01.10.2026",
            "labour_status": "refused", "education": "isced_5_8", "flags": ["rural"]}  # fmt: skip
    assert (await post(client, f"/projects/{pid}/register/participant", form)).status_code == 303
    row = await Participant.select(Participant.labour_status, Participant.education).first()
    assert row == {"labour_status": "refused", "education": "isced_5_8"}
    page = (await client.get(f"/projects/{pid}/register")).text
    assert "Atteicās atbildēt" in page and 'name="labour_status"' in page
    assert 'name="education"' in page and 'value="unemployed"' not in page.split("Pazīmes")[-1]


# The data migration ------------------------------------------------------------------------------


def test_which_statuses_the_migration_moves():
    assert MIGRATION.moved("disability,unemployed,rural") == ("unemployed", "disability,rural")
    assert MIGRATION.moved("unemployed,long_term_unemployed") == ("long_term_unemployed", "")
    assert MIGRATION.moved("employed,neet") == ("employed", "neet")  # NEET stays a flag
    assert MIGRATION.moved("employed,unemployed") is None  # cannot be told apart
    assert MIGRATION.moved("neet,rural") is None


async def test_the_migration_moves_old_flags_on_the_database(families):
    pid = families

    async def stored(code: str, flags: str) -> int:
        [row] = await Participant.insert(
            Participant(project=pid, code=code, code_key=code.lower(), gender="female",
                        birth_year=1990, entry_date=__import__("datetime").date(2026, 2, 1),
                        flags=flags)
        )  # fmt: skip
        return row["id"]

    old = await stored("OLD-1", "disability,long_term_unemployed,minority,rural")
    pair = await stored("OLD-2", "unemployed,long_term_unemployed,neet")
    clash = await stored("OLD-3", "unemployed,employed")
    none = await stored("OLD-4", "neet")
    assert await MIGRATION.move_labour_flags() == 2
    rows = {
        r["id"]: (r["labour_status"], r["flags"])
        for r in await Participant.select(
            Participant.id, Participant.labour_status, Participant.flags
        )
    }
    assert rows == {
        old: ("long_term_unemployed", "disability,minority,rural"),
        pair: ("long_term_unemployed", "neet"),
        clash: ("", "unemployed,employed"),  # kept for the coordinator to choose
        none: ("", "neet"),
    }
    events = await (
        AuditEvent.select(
            AuditEvent.entity_id, AuditEvent.actor, AuditEvent.before, AuditEvent.after
        )
        .where(AuditEvent.note == MIGRATION.NOTE)
        .order_by(AuditEvent.entity_id)
    )
    assert [(e["entity_id"], e["actor"]) for e in events] == [(old, "system"), (pair, "system")]
    assert json.loads(events[0]["before"]) == {
        "flags": ["long_term_unemployed", "rural"],
        "labour_status": "",
    }  # special-category flags stay out of the trail
    assert json.loads(events[0]["after"]) == {
        "flags": ["rural"],
        "labour_status": "long_term_unemployed",
    }
    assert await MIGRATION.move_labour_flags() == 0  # once moved, nothing more to move
    # the first change of the clashing record drops the old flags, with the status chosen
    changed = await change_participant(
        await coordinator(), clash, {"labour_status": "employed"}, "Chosen with the person"
    )
    assert (changed.labour_status, changed.flags) == ("employed", ())
