"""Results after leaving (issue 13): the stage rules, corrections with the audit trail, the
follow-up list, the API's refusals and who may do what."""

from datetime import date

from grants.core.access import AccessDenied
from grants.core.vocabulary import Role
from grants.register.results import (
    ResultInput,
    due_date,
    follow_ups,
    participant_results,
    record_result,
)
from grants.tables.audit import AuditEvent
from grants.tables.participants import ParticipantResult
from tests.builders import participant
from tests.helpers import api_headers, post, principal, refusal, sign_in

API = "/api/v1"
TODAY = date(2026, 11, 20)


async def coordinator():
    return await principal(Role.COORDINATOR)


def problems(refused) -> list[tuple[str | None, str]]:
    return [(p.field, p.english()) for p in refused.problems]


def test_due_dates():
    assert due_date("exit", date(2026, 6, 26)) == date(2026, 7, 24)  # 4 weeks
    assert due_date("six_months", date(2026, 8, 31)) == date(2027, 2, 28)  # a shorter month


async def test_an_exit_result_is_recorded_and_corrected_with_before_and_after(families):
    pid = families
    left = await participant(pid, "TUK-1", exit="30.06.2026")
    who = await coordinator()
    row = await record_result(
        who, left.id, "exit", ResultInput("10.07.2026", ["employed", "job_searching"]), today=TODAY
    )
    assert (row.stage, row.recorded_on, row.outcomes, row.due) == (
        "exit",
        date(2026, 7, 10),
        ("job_searching", "employed"),  # vocabulary order
        date(2026, 7, 28),
    )
    corrected = await record_result(
        who, left.id, "exit", ResultInput("2026-07-12", ["qualification"]), today=TODAY
    )
    assert corrected.outcomes == ("qualification",)
    assert await ParticipantResult.count() == 1  # a correction overwrites
    events = await (
        AuditEvent.select(AuditEvent.actor, AuditEvent.before, AuditEvent.after)
        .where((AuditEvent.entity == "participant") & (AuditEvent.entity_id == left.id))
        .order_by(AuditEvent.id)
        .output(load_json=True)
    )
    assert [(e["before"], e["after"]) for e in events[1:]] == [
        (
            {"exit_result": [], "exit_result_date": None},
            {"exit_result": ["job_searching", "employed"], "exit_result_date": "2026-07-10"},
        ),
        (
            {"exit_result": ["job_searching", "employed"], "exit_result_date": "2026-07-10"},
            {"exit_result": ["qualification"], "exit_result_date": "2026-07-12"},
        ),
    ]
    assert events[-1]["actor"] == "coordinator@tukums.demo"


async def test_the_stage_rules_refuse_with_every_problem_and_write_nothing(families):
    pid = families
    who = await coordinator()
    staying = await participant(pid, "TUK-1")
    left = await participant(pid, "TUK-2", exit="30.06.2026")

    refused = await refusal(
        record_result(who, staying.id, "exit", ResultInput("01.07.2026", ["employed"]), today=TODAY)
    )
    assert problems(refused) == [
        (
            "recorded_on",
            "Record the participant's exit date first: results are recorded after leaving.",
        )
    ]
    refused = await refusal(
        record_result(
            who,
            left.id,
            "exit",
            ResultInput("29.06.2026", ["better_situation", "rich"]),
            today=TODAY,
        )
    )
    assert problems(refused) == [
        ("recorded_on", "The result date 29.06.2026 is before the exit on 30.06.2026."),
        ("outcomes", "“rich” is not one of: job_searching, education_training, qualification, "
                     "employed, refused, not_known."),
        ("outcomes", "“better_situation” is not asked at this stage; the results asked are: "
                     "job_searching, education_training, qualification, employed, refused, "
                     "not_known."),
    ]  # fmt: skip
    refused = await refusal(
        record_result(
            who,
            left.id,
            "six_months",
            ResultInput("29.12.2026", ["employed"]),
            today=date(2027, 1, 5),
        )
    )
    assert problems(refused) == [
        (
            "recorded_on",
            "The six-month result is due from 30.12.2026 (6 months after the exit); not before.",
        )
    ]
    refused = await refusal(
        record_result(who, left.id, "exit", ResultInput("", ["refused", "employed"]), today=TODAY)
    )
    assert problems(refused) == [
        ("recorded_on", "Enter the date the result was found out."),
        ("outcomes", "“Refused” and “not known” stand alone: they cannot go with other results."),
    ]
    refused = await refusal(
        record_result(who, left.id, "exit", ResultInput("01.12.2026", []), today=TODAY)
    )
    assert problems(refused) == [
        ("recorded_on", "The result date 01.12.2026 is in the future."),
        ("outcomes", "Choose at least one result, or “refused” or “not known”."),
    ]
    refused = await refusal(
        record_result(who, left.id, "later", ResultInput("01.07.2026", ["employed"]), today=TODAY)
    )
    assert problems(refused) == [("stage", "“later” is not one of: exit, six_months.")]
    assert await ParticipantResult.count() == 0

    six = await record_result(
        who, left.id, "six_months", ResultInput("30.12.2026", ["not_known"]), today=date(2027, 1, 5)
    )
    assert six.outcomes == ("not_known",)


async def test_who_is_due_for_a_follow_up_and_who_is_overdue(families):
    pid = families
    who = await coordinator()
    early = await participant(pid, "TUK-1", exit="29.05.2026")
    await participant(pid, "TUK-2", exit="20.10.2026")
    await participant(pid, "TUK-3")  # still in: nothing due
    await record_result(who, early.id, "exit", ResultInput("05.06.2026", ["refused"]), today=TODAY)

    due = await follow_ups(who, pid, today=TODAY)
    assert [(f.code, f.stage, f.due, f.overdue) for f in due] == [
        ("TUK-2", "exit", date(2026, 11, 17), True),  # 4 weeks after leaving have passed
        ("TUK-1", "six_months", date(2026, 11, 29), False),
        ("TUK-2", "six_months", date(2027, 4, 20), False),
    ]
    later = await follow_ups(who, pid, today=date(2026, 12, 28))
    assert [(f.code, f.stage, f.overdue) for f in later][:2] == [
        ("TUK-2", "exit", True),
        ("TUK-1", "six_months", True),  # 4 weeks after its due date
    ]
    assert [r.stage for r in await participant_results(who, early.id)] == ["exit"]


async def test_roles_may_record_read_or_neither(families, client):
    pid = families
    left = await participant(pid, "TUK-1", exit="30.06.2026")
    body = ResultInput("10.07.2026", ["employed"])
    for role in (Role.AUDITOR, Role.FINANCE, Role.VIEWER):
        await refusal_or_denied(
            record_result(await principal(role), left.id, "exit", body, today=TODAY)
        )
    await record_result(await principal(Role.ADMIN), left.id, "exit", body, today=TODAY)
    auditor = await participant_results(await principal(Role.AUDITOR), left.id)
    assert [r.outcomes for r in auditor] == [("employed",)]
    for role in (Role.FINANCE, Role.VIEWER):
        url = f"{API}/participants/{left.id}/results"
        response = await client.get(url, headers=await api_headers(role))
        assert response.status_code in (403, 404)
        response = await client.get(
            f"{API}/projects/{pid}/follow-ups", headers=await api_headers(role)
        )
        assert response.status_code in (403, 404)


async def refusal_or_denied(work) -> None:
    try:
        await work
    except AccessDenied:
        return
    raise AssertionError("recorded by a role that may not")


async def test_the_api_records_lists_and_refuses_in_the_usual_shape(families, client):
    pid = families
    left = await participant(pid, "TUK-1", exit="02.02.2026")
    headers = await api_headers(Role.COORDINATOR)
    url = f"{API}/participants/{left.id}/results"
    put = await client.put(
        f"{url}/exit", json={"recorded_on": "2026-02-20", "outcomes": ["education_training"]},
        headers=headers,
    )  # fmt: skip
    assert put.status_code == 200, put.text
    assert put.json() == {
        "participant_id": left.id,
        "stage": "exit",
        "recorded_on": "2026-02-20",
        "outcomes": ["education_training"],
        "due": "2026-03-02",
    }
    early = await client.put(
        f"{url}/six_months", json={"recorded_on": "2026-08-01", "outcomes": ["employed"]},
        headers=headers,
    )  # fmt: skip
    assert early.status_code == 400
    assert early.json()["errors"] == [
        {
            "field": "recorded_on",
            "message": "Rezultātu pēc 6 mēnešiem ieraksta no 02.08.2026 (6 mēnešus pēc "
            "izstāšanās), ne agrāk.",
        }
    ]
    unknown = await client.put(
        f"{url}/exit", json={"recorded_on": "2026-02-20", "outcomes": ["x"], "extra": 1},
        headers=headers,
    )  # fmt: skip
    assert unknown.status_code == 400
    exports = await AuditEvent.count().where(AuditEvent.action == "export")
    listed = await client.get(url, headers=headers)
    assert [r["stage"] for r in listed.json()] == ["exit"]
    follow = await client.get(f"{API}/projects/{pid}/follow-ups?per_page=1", headers=headers)
    assert follow.json() == {
        "total": 1,
        "page": 1,
        "per_page": 1,
        "items": [
            {
                "participant_id": left.id,
                "code": "TUK-1",
                "exit_date": "2026-02-02",
                "stage": "six_months",
                "due": "2026-08-02",
                "overdue": follow.json()["items"][0]["overdue"],
            }
        ],
    }
    assert await AuditEvent.count().where(AuditEvent.action == "export") == exports + 2
    too_big = await client.put(
        f"{API}/participants/{2**31}/results/exit", json={"recorded_on": "2026-02-20",
        "outcomes": ["employed"]}, headers=headers,
    )  # fmt: skip
    assert too_big.status_code == 404


async def test_the_pages_show_the_follow_ups_and_record_a_result(families, client):
    pid = families
    left = await participant(pid, "TUK-1", exit="02.02.2026")
    await sign_in(client, Role.COORDINATOR)
    register = (await client.get(f"/projects/{pid}/register")).text
    assert "Turpmākā uzraudzība" in register and "nokavēts" in register
    assert f"/register/participants/{left.id}#result-exit" in register
    page_url = f"/projects/{pid}/register/participants/{left.id}"
    refused = await post(
        client, f"{page_url}/results/exit", {"recorded_on": "01.01.2026", "outcomes": "employed"}
    )
    assert refused.status_code == 400 and "pirms izstāšanās" in refused.text
    done = await post(
        client, f"{page_url}/results/exit", {"recorded_on": "10.02.2026", "outcomes": "employed"}
    )
    assert done.status_code == 303
    page = (await client.get(page_url)).text
    assert "Ierakstīts 10.02.2026" in page and "Nodarbināts (arī pašnodarbināts)" in page
    await sign_in(client, Role.AUDITOR)
    page = (await client.get(page_url)).text
    assert "Ierakstīts 10.02.2026" in page and "result-form" not in page
