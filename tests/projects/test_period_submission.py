"""Submitting a period: when it was submitted and how late (Riga days), the checklist shown
first (domain, API, pages), and the narrative editor's saving in place."""

import importlib
import re
from datetime import UTC, date, datetime

import pytest

from grants.core.i18n import RIGA, set_locale
from grants.core.vocabulary import Role
from grants.projects import submission
from grants.projects.periods import (
    approve,
    days_after,
    list_periods,
    return_period,
    riga_today,
    submit,
)
from grants.projects.reports import narrative, save_narrative
from grants.projects.submission import submit_checklist
from grants.results.entries import EntryInput, log_entry
from grants.tables.audit import AuditEvent
from grants.tables.periods import ReportingPeriod
from tests.builders import indicator
from tests.helpers import FAMILIES, api_headers, post, principal, project_id, sign_in

ALL_SECTIONS = ["activities", "results", "problems_risks", "next_steps"]
HTMX = {"HX-Request": "true"}


async def periods() -> list:
    return await list_periods(await principal(Role.ADMIN), await project_id(FAMILIES))


async def stamp(period_id: int, moment: str) -> None:
    """Say the period was submitted at `moment` (ISO, with its offset)."""
    await ReportingPeriod.update(
        {ReportingPeriod.submitted_at: datetime.fromisoformat(moment)}
    ).where(ReportingPeriod.id == period_id)


def today_is(monkeypatch, day: str) -> None:
    monkeypatch.setattr(submission, "riga_today", lambda: date.fromisoformat(day))


async def gender_indicator(project: int, code: str = "R3") -> int:
    return (await indicator(project, code, breakdowns=["gender"])).id


async def log(indicator_id: int, period_id: int, value: str, **gender: str) -> None:
    breakdown = {"gender": gender} if gender else {}
    data = EntryInput(period_id, value=value, breakdown=breakdown)
    await log_entry(await principal(Role.COORDINATOR), indicator_id, data)


# When, and how late ---------------------------------------------------------------------------


async def test_submitting_records_the_moment_and_lateness_counts_riga_days(families):
    admin = await principal(Role.ADMIN)
    p1, p2, *_ = await periods()
    assert p1.deadline == date(2026, 4, 20)
    before = datetime.now(UTC)
    done = await submit(admin, p1.id)
    row = await ReportingPeriod.select().where(ReportingPeriod.id == p1.id).first()
    assert before <= row["submitted_at"] <= datetime.now(UTC)
    assert done.submitted_on == row["submitted_at"].astimezone(RIGA).date()
    cases = [
        ("2026-04-20T20:59:00+00:00", date(2026, 4, 20), 0),  # 23:59 in Riga: on time
        ("2026-04-20T21:01:00+00:00", date(2026, 4, 21), 1),  # 00:01 the next day in Riga
        ("2026-03-02T10:00:00+00:00", date(2026, 3, 2), 0),  # early
        ("2026-05-05T09:00:00+00:00", date(2026, 5, 5), 15),
    ]
    for moment, day, late in cases:
        await stamp(p1.id, moment)
        shown = (await periods())[0]
        assert (shown.submitted_on, shown.days_late) == (day, late), moment
    assert (p2.submitted_on, p2.days_late) == (None, None)  # a draft was never submitted
    await approve(admin, p1.id)
    assert (await periods())[0].days_late == 15  # approval keeps when it was submitted
    await ReportingPeriod.update({ReportingPeriod.status: "submitted"}).where(
        ReportingPeriod.id == p1.id
    )
    await return_period(admin, p1.id, "Jālabo")
    assert ((await periods())[0].submitted_on, (await periods())[0].days_late) == (None, None)
    await submit(admin, p1.id)  # submitted again: a new moment
    assert (await periods())[0].submitted_on == datetime.now(RIGA).date()


async def test_the_migration_takes_the_last_submission_from_the_audit_trail(families):
    admin = await principal(Role.ADMIN)
    p1, p2, p3, *_ = await periods()
    for period in (p1, p2, p3):
        await submit(admin, period.id)
    await approve(admin, p1.id)
    await return_period(admin, p3.id, "Jālabo")
    events = (AuditEvent.entity == "reporting_period") & (AuditEvent.entity_id == p1.id)
    await AuditEvent.update({AuditEvent.at: datetime(2026, 4, 22, 8, 0, tzinfo=UTC)}).where(
        events & (AuditEvent.action == "status")
    )
    await ReportingPeriod.update({ReportingPeriod.submitted_at: None}).where(ReportingPeriod.id > 0)
    module = importlib.import_module("grants.migrations.grants_2026_12_01t10_20_00_000000")
    await ReportingPeriod.raw(module._BACK_FILL, module._SUBMITTED)
    rows = {
        r["id"]: r["submitted_at"]
        for r in await ReportingPeriod.select(ReportingPeriod.id, ReportingPeriod.submitted_at)
    }
    assert rows[p1.id] == datetime(2026, 4, 22, 8, 0, tzinfo=UTC)  # approved: when submitted
    assert rows[p2.id] is not None  # submitted
    assert rows[p3.id] is None  # returned: not standing as submitted
    shown = (await periods())[0]
    assert (shown.submitted_on, shown.days_late) == (date(2026, 4, 22), 2)


async def test_the_api_and_the_page_say_when_and_how_late(families, client):
    p1, *_ = await periods()
    await submit(await principal(Role.ADMIN), p1.id)
    await stamp(p1.id, "2026-05-05T09:00:00+00:00")
    listed = await client.get(
        f"/api/v1/projects/{families}/periods", headers=await api_headers(Role.VIEWER)
    )
    first, second = listed.json()[:2]
    assert (first["submitted_on"], first["days_late"]) == ("2026-05-05", 15)
    assert (second["submitted_on"], second["days_late"]) == (None, None)
    await sign_in(client, Role.VIEWER)
    html = (await client.get(f"/projects/{families}?period={p1.id}")).text
    assert "iesniegts 05.05.2026, 15 dienas pēc termiņa" in html
    await stamp(p1.id, "2026-04-21T06:00:00+00:00")
    html = (await client.get(f"/projects/{families}?period={p1.id}")).text
    assert "iesniegts 21.04.2026, 1 dienu pēc termiņa" in html
    await stamp(p1.id, "2026-04-20T06:00:00+00:00")
    html = (await client.get(f"/projects/{families}?period={p1.id}")).text
    assert "iesniegts 20.04.2026, laikus" in html


# The checklist --------------------------------------------------------------------------------


async def test_the_checklist_warns_of_each_gap_and_clears_when_they_are_closed(
    families, monkeypatch
):
    coordinator = await principal(Role.COORDINATOR)
    p1, p2, *_ = await periods()
    r3 = await gender_indicator(families)
    whole = await gender_indicator(families, "R4")
    await log(r3, p2.id, "5", women="3")
    await log(whole, p2.id, "2", women="1", men="1")
    await save_narrative(coordinator, p2.id, {"activities": "Notika 4 nodarbības."})
    today_is(monkeypatch, "2026-07-25")  # Q2 was due on 20.07.2026
    found = await submit_checklist(coordinator, p2.id)
    assert found.empty_sections == ["results", "problems_risks", "next_steps"]
    assert found.incomplete_breakdowns == ["R3"]
    assert [p.number for p in found.earlier_not_reported] == [1]
    assert (found.days_late, found.clear) == (5, False)
    assert found.warnings() == [
        "Nav aizpildītas apraksta sadaļas: Rezultāti, Problēmas un riski, Turpmākie soļi.",
        "Šajā periodā sadalījums nesakrīt ar kopsummu: R3.",
        "Iepriekšējie periodi nav iesniegti vai apstiprināti: 1 (01.01.2026–31.03.2026).",
        "Termiņš 20.07.2026 ir pagājis: pārskats kavējas 5 dienas.",
    ]
    today_is(monkeypatch, "2026-08-10")
    assert (await submit_checklist(coordinator, p2.id)).warnings()[-1] == (
        "Termiņš 20.07.2026 ir pagājis: pārskats kavējas 21 dienu."
    )
    set_locale("en")
    try:
        english = (await submit_checklist(coordinator, p2.id)).warnings()
    finally:
        set_locale("lv")
    assert english[0] == "Narrative sections left empty: Results, Problems and risks, Next steps."
    assert english[-1] == "The deadline 20.07.2026 has passed: the report is 21 days late."
    await log(r3, p2.id, "5", women="3", men="2")
    await save_narrative(coordinator, p2.id, dict.fromkeys(ALL_SECTIONS, "Rakstīts."))
    await submit(coordinator, p1.id)
    today_is(monkeypatch, "2026-07-20")  # the deadline itself is on time
    done = await submit_checklist(coordinator, p2.id)
    assert (done.empty_sections, done.incomplete_breakdowns, done.earlier_not_reported) == (
        [],
        [],
        [],
    )
    assert (done.days_late, done.clear, done.warnings()) == (0, True, [])


async def test_the_api_gives_the_checklist_and_submitting_stays_one_call(
    families, client, monkeypatch
):
    _, p2, *_ = await periods()
    today_is(monkeypatch, "2026-07-21")
    viewer = await api_headers(Role.VIEWER)
    checked = await client.get(f"/api/v1/periods/{p2.id}/checklist", headers=viewer)
    assert checked.status_code == 200
    assert checked.json() == {
        "period_id": p2.id,
        "clear": False,
        "empty_sections": ALL_SECTIONS,
        "incomplete_breakdowns": [],
        "earlier_not_reported": [1],
        "days_late": 1,
        "warnings": [
            "Nav aizpildītas apraksta sadaļas: Īstenotās darbības, Rezultāti, "
            "Problēmas un riski, Turpmākie soļi.",
            "Iepriekšējie periodi nav iesniegti vai apstiprināti: 1 (01.01.2026–31.03.2026).",
            "Termiņš 20.07.2026 ir pagājis: pārskats kavējas 1 dienu.",
        ],
    }
    missing = await client.get("/api/v1/periods/999999/checklist", headers=viewer)
    assert missing.status_code == 404
    coordinator = await api_headers(Role.COORDINATOR)
    sent = await client.post(f"/api/v1/periods/{p2.id}/submit", headers=coordinator)
    assert sent.status_code == 200  # the warnings do not stop it
    late = days_after(p2.deadline, riga_today())  # submitted now, by the real clock
    assert (sent.json()["status"], sent.json()["days_late"]) == ("submitted", late)
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/periods/{period_id}/checklist" in schema["paths"]
    shape = schema["components"]["schemas"]["ChecklistOut"]["properties"]
    assert "Days past the deadline" in shape["days_late"]["description"]
    period_shape = schema["components"]["schemas"]["PeriodOut"]["properties"]
    assert {"submitted_on", "days_late"} <= set(period_shape)


async def test_the_submit_button_asks_first_with_the_checklist(families, client, monkeypatch):
    p1, *_ = await periods()
    today_is(monkeypatch, "2026-04-25")
    await sign_in(client, Role.COORDINATOR)
    html = (await client.get(f"/projects/{families}?period={p1.id}")).text
    assert f'action="/periods/{p1.id}/checklist"' in html
    assert f'action="/periods/{p1.id}/submit"' not in html  # no longer submits at once
    page = await client.get(f"/periods/{p1.id}/checklist")
    assert page.status_code == 200 and "<html" in page.text
    assert "Iesniegt 1. periodu (01.01.2026–31.03.2026)?" in page.text
    assert "Termiņš 20.04.2026 ir pagājis: pārskats kavējas 5 dienas." in page.text
    assert f'action="/periods/{p1.id}/submit"' in page.text and "_csrf_token" in page.text
    panel = await client.get(f"/periods/{p1.id}/checklist", headers=HTMX)
    assert "<html" not in panel.text and "Iesniegt pārskatu" in panel.text
    assert (await list_periods(await principal(Role.ADMIN), families))[0].status == "draft"
    sent = await post(client, f"/periods/{p1.id}/submit", {})
    assert sent.status_code == 303
    assert (await periods())[0].status == "submitted"


async def test_a_reader_sees_the_checklist_without_the_submit_button(families, client):
    p1, *_ = await periods()
    await sign_in(client, Role.VIEWER)
    page = await client.get(f"/periods/{p1.id}/checklist")
    assert page.status_code == 200 and "Nav aizpildītas apraksta sadaļas" in page.text
    assert f'action="/periods/{p1.id}/submit"' not in page.text


# The narrative editor -------------------------------------------------------------------------


async def test_the_narrative_saves_in_place_and_says_when(families, client):
    p1, *_ = await periods()
    await sign_in(client, Role.COORDINATOR)
    page = (await client.get(f"/projects/{families}?period={p1.id}")).text
    for key in ALL_SECTIONS:
        assert f'<label for="narrative-{key}">' in page
        assert re.search(rf'<textarea id="narrative-{key}" name="{key}"[^>]*data-autogrow', page)
    assert "data-warn-unsaved" in page
    url = f"/periods/{p1.id}/narrative"
    saved = await post(client, url, {"activities": "Notika 4 nodarbības."}, headers=HTMX)
    assert saved.status_code == 200 and "<html" not in saved.text
    assert re.search(r"Saglabāts plkst\. \d{2}:\d{2}", saved.text)
    assert "\nNotika 4 nodarbības.</textarea>" in saved.text and "data-unsaved" not in saved.text
    coordinator = await principal(Role.COORDINATOR)
    assert (await narrative(coordinator, p1.id))["activities"] == "Notika 4 nodarbības."
    refused = await post(client, url, {"activities": "Zvans\x07"}, headers=HTMX)
    assert refused.status_code == 422
    assert "data-unsaved" in refused.text and "Nav saglabāts" in refused.text
    assert (await narrative(coordinator, p1.id))["activities"] == "Notika 4 nodarbības."
    plain = await post(client, url, {"results": "Labi."})
    assert plain.status_code == 303
    page = (await client.get(f"/projects/{families}?period={p1.id}")).text
    assert "Pēdējoreiz saglabāts " in page


async def test_a_locked_narrative_refused_in_place(families, client):
    p1, *_ = await periods()
    await submit(await principal(Role.ADMIN), p1.id)
    await sign_in(client, Role.COORDINATOR)
    refused = await post(
        client, f"/periods/{p1.id}/narrative", {"activities": "Par vēlu."}, headers=HTMX
    )
    assert refused.status_code == 422  # swapped in place, with the reason
    assert "Periods 01.01.2026–31.03.2026 ir iesniegts un slēgts." in refused.text
    assert (await narrative(await principal(Role.COORDINATOR), p1.id))["activities"] == ""


@pytest.fixture(autouse=True)
def _latvian():
    set_locale("lv")
