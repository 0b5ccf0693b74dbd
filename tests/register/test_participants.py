"""The participant register: pseudonymous persons, services received, imports and exports."""

import dataclasses
import json
from datetime import date

import pytest

from grants.core.access import AccessDenied
from grants.core.errors import NotFound, Refused
from grants.core.vocabulary import Role
from grants.register.participants import (
    ParticipantInput,
    add_participant,
    age_group,
    export_participants,
    get_participant,
    import_participants,
    list_participants,
    looks_identifying,
    retention_date,
    stayed_months,
    update_participant,
)
from grants.register.services import (
    ReceiptInput,
    ServiceInput,
    add_receipt,
    add_service,
    import_receipts,
    list_receipts,
    list_services,
)
from grants.tables.audit import AuditEvent
from grants.tables.participants import Participant, ServiceReceipt
from tests.builders import person, project
from tests.helpers import SIF_002, count_queries, d, principal


async def last_event_id() -> int:
    row = await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first()
    return row["id"] if row else 0


async def events_since(mark: int) -> list[dict]:
    return await AuditEvent.select().where(AuditEvent.id > mark).order_by(AuditEvent.id)


def fields(excinfo) -> list[str | None]:
    return [problem.field for problem in excinfo.value.problems]


async def coordinator():
    return await principal(Role.COORDINATOR)


# Participants -----------------------------------------------------------------------------------


async def test_a_coordinator_enters_a_pseudonymous_participant(families):
    pid = families
    mark = await last_event_id()
    data = person(
        " TUK-001 ",
        "Female",
        "2009",
        "15.03.2026",
        "2026-06-30",
        household="Ģ-01",
        target_group=" Children ",
        flags=("rural", "disability, unemployed"),
    )
    row = await add_participant(await coordinator(), pid, data)
    assert (row.project_id, row.code, row.gender, row.birth_year) == (
        pid,
        "TUK-001",
        "female",
        2009,
    )
    assert (row.entry_date, row.exit_date) == (d("2026-03-15"), d("2026-06-30"))
    assert (row.household, row.target_group) == ("Ģ-01", "children")
    assert row.flags == ("disability", "rural")  # vocabulary order
    assert row.labour_status == "unemployed"  # a status among the flags is read as the status
    assert (row.age_at_entry, row.age_group) == (17, "under_18")
    assert await get_participant(await principal(Role.AUDITOR), row.id) == dataclasses.replace(
        row, flags=("rural",)
    )
    [event] = await events_since(mark)
    assert (event["action"], event["entity"], event["entity_id"], event["actor"]) == (
        "create",
        "participant",
        row.id,
        "coordinator@tukums.demo",
    )
    after = json.loads(event["after"])
    assert after["code"] == "TUK-001" and after["entry_date"] == "2026-03-15"
    assert after["flags"] == ["rural"]  # the trail is read by finance too


async def test_a_participant_with_every_mistake_is_refused_with_every_problem(families):
    pid = families
    mark = await last_event_id()
    data = person(
        "Anna Bērziņa",  # code
        "woman",  # gender
        "87",  # birth year
        "31.12.2025",  # entry
        "31.02.2026",  # exit
        household="H" * 51,
        flags=("disability", "rich", "famous"),
    )
    with pytest.raises(Refused) as excinfo:
        await add_participant(await coordinator(), pid, data)
    assert not excinfo.value.conflict
    assert fields(excinfo) == [
        "code",
        "gender",
        "birth_year",
        "entry_date",
        "exit_date",
        "household",
        "flags",
    ]
    problems = {p.field: p for p in excinfo.value.problems}
    assert "pseudonymous" in problems["code"].english()
    assert problems["code"].params == {}  # the name is not repeated back
    assert problems["gender"].params == {"value": "woman", "allowed": "female, male, non-binary"}
    assert problems["birth_year"].english() == "“87” is not a year: write four digits, e.g. 2026."
    assert problems["entry_date"].english() == (
        "The date 31.12.2025 is outside the project period 01.01.2026–31.12.2027."
    )
    assert problems["flags"].params["value"] == "rich, famous"  # as typed
    assert await Participant.count().where(Participant.project == pid) == 0
    assert await events_since(mark) == []


async def test_empty_fields_are_asked_for(families):
    pid = families
    with pytest.raises(Refused) as excinfo:
        await add_participant(await coordinator(), pid, ParticipantInput(" ", "", "", ""))
    assert [(p.field, p.message) for p in excinfo.value.problems] == [
        ("code", "Enter the participant's code."),
        ("gender", "Choose the participant's gender."),
        ("birth_year", "Enter the year."),
        ("entry_date", "Enter the entry date."),
    ]


@pytest.mark.parametrize(
    ("text", "identifying"),
    [
        ("010190-12345", True),
        ("01019012345", True),
        ("TUK 321190-10001", True),
        ("Anna Bērziņa", True),
        ("pacients Jānis Ozols", True),
        ("Līga Kalniņa-Ozola", True),
        ("TUK-001", False),
        ("Ģ-04-1", False),
        ("Ģimene 3", False),
        ("A B", False),
        ("12345", False),
    ],
)
def test_names_and_personal_codes_are_recognised(text, identifying):
    assert looks_identifying(text) is identifying


async def test_a_household_code_must_not_name_anyone_either(families):
    pid = families
    with pytest.raises(Refused) as excinfo:
        await add_participant(await coordinator(), pid, person("T1", household="Ozolu Ģimene"))
    assert fields(excinfo) == ["household"]


async def test_a_code_already_in_the_register_is_a_conflict_whatever_its_case(
    families, connectingen
):
    pid = families
    await add_participant(await coordinator(), pid, person("TUK-001"))
    mark = await last_event_id()
    with pytest.raises(Refused) as excinfo:
        await add_participant(await coordinator(), pid, person(" tuk-001", "male"))
    assert excinfo.value.conflict
    [problem] = excinfo.value.problems
    assert (problem.field, problem.params) == ("code", {"code": "tuk-001"})
    assert "a person counts once" in problem.english()
    assert await Participant.count().where(Participant.project == pid) == 1
    assert await events_since(mark) == []
    other = connectingen  # the same code in another project is fine
    row = await add_participant(await coordinator(), other, person("TUK-001", entry="01.05.2025"))
    assert row.project_id == other


async def test_years_of_birth_run_from_1900_to_now(families):
    pid = families
    next_year = str(date.today().year + 1)
    for typed in ("1899", next_year):
        with pytest.raises(Refused) as excinfo:
            await add_participant(await coordinator(), pid, person("T1", birth_year=typed))
        [problem] = excinfo.value.problems
        assert problem.field == "birth_year"
        assert problem.params["year"] == typed
    for typed in ("１９９０", "1990.0", "19900"):
        with pytest.raises(Refused) as excinfo:
            await add_participant(await coordinator(), pid, person("T1", birth_year=typed))
        assert fields(excinfo) == ["birth_year"]
    oldest = await add_participant(await coordinator(), pid, person("T1", birth_year="1900"))
    assert (oldest.age_at_entry, oldest.age_group) == (126, "55_plus")


async def test_the_stay_must_fall_within_the_project_and_end_after_it_starts(families):
    pid = families
    cases = [
        (person("T1", entry="2026-13-01"), ["entry_date"]),
        (person("T1", entry="01.03.2026", exit="28.02.2026"), ["exit_date"]),
        (person("T1", entry="01.03.2026", exit="01.01.2028"), ["exit_date"]),
        (person("T1", entry="01.01.2028"), ["entry_date"]),
    ]
    for data, expected in cases:
        with pytest.raises(Refused) as excinfo:
            await add_participant(await coordinator(), pid, data)
        assert fields(excinfo) == expected
    problem = excinfo.value.problems[0]
    with pytest.raises(Refused) as excinfo:
        await add_participant(
            await coordinator(), pid, person("T1", entry="01.03.2026", exit="28.02.2026")
        )
    assert excinfo.value.problems[0].english() == (
        "The exit date 28.02.2026 is before the entry date 01.03.2026."
    )
    assert problem.params == {"date": "01.01.2028", "start": "01.01.2026", "end": "31.12.2027"}
    same_day = await add_participant(
        await coordinator(), pid, person("T1", entry="01.03.2026", exit="01.03.2026")
    )
    assert same_day.exit_date == same_day.entry_date


def test_age_groups_are_taken_at_entry():
    entry = d("2026-01-01")
    assert [age_group(year, entry) for year in (2009, 2008, 1997, 1996, 1972, 1971)] == [
        "under_18",
        "18_29",
        "18_29",
        "30_54",
        "30_54",
        "55_plus",
    ]


def test_a_stay_of_three_months_ends_the_day_before_the_same_date_three_months_on():
    assert stayed_months(d("2026-01-15"), d("2026-04-14"), 3)
    assert not stayed_months(d("2026-01-15"), d("2026-04-13"), 3)
    assert stayed_months(d("2026-01-01"), d("2026-03-31"), 3)
    assert stayed_months(d("2025-11-30"), d("2026-02-27"), 3)  # 30.11 + 3 months = 28.02
    assert not stayed_months(d("2026-01-15"), None, 3)  # still in: not completed yet


async def test_a_person_who_comes_back_keeps_one_record(families):
    pid = families
    first = await add_participant(
        await coordinator(), pid, person("TUK-7", entry="01.02.2026", exit="30.04.2026")
    )
    mark = await last_event_id()
    back = await update_participant(
        await coordinator(), first.id, person("TUK-7", entry="01.02.2026", exit=None)
    )
    assert (back.id, back.exit_date) == (first.id, None)
    assert await Participant.count().where(Participant.project == pid) == 1
    [event] = await events_since(mark)
    assert (event["action"], event["entity_id"]) == ("update", first.id)
    assert json.loads(event["before"])["exit_date"] == "2026-04-30"
    assert json.loads(event["after"])["exit_date"] is None
    other = await add_participant(await coordinator(), pid, person("TUK-8"))
    with pytest.raises(Refused) as excinfo:  # renaming onto a taken code
        await update_participant(await coordinator(), other.id, person("tuk-7"))
    assert excinfo.value.conflict and fields(excinfo) == ["code"]
    renamed = await update_participant(await coordinator(), other.id, person("TUK-9"))
    assert renamed.code == "TUK-9"
    with pytest.raises(NotFound):
        await update_participant(await coordinator(), 999_999, person("X"))


async def test_a_change_cannot_leave_services_outside_the_stay(families):
    pid = families
    row = await add_participant(await coordinator(), pid, person("T1", entry="01.02.2026"))
    await add_service(await coordinator(), pid, ServiceInput("Konsultācija", unit_price="20"))
    await add_receipt(await coordinator(), pid, ReceiptInput("T1", "Konsultācija", "15.03.2026"))
    with pytest.raises(Refused) as excinfo:
        await update_participant(
            await coordinator(), row.id, person("T1", entry="01.04.2026", exit="01.03.2026")
        )
    assert fields(excinfo) == ["exit_date", "entry_date", "exit_date"]
    with pytest.raises(Refused) as excinfo:
        await update_participant(await coordinator(), row.id, person("T1", entry="16.03.2026"))
    [problem] = excinfo.value.problems
    assert (problem.field, problem.params) == ("entry_date", {"date": "15.03.2026"})
    with pytest.raises(Refused) as excinfo:
        await update_participant(
            await coordinator(), row.id, person("T1", entry="01.02.2026", exit="14.03.2026")
        )
    assert fields(excinfo) == ["exit_date"]
    done = await update_participant(
        await coordinator(), row.id, person("T1", entry="01.02.2026", exit="15.03.2026")
    )
    assert done.exit_date == d("2026-03-15")


# Who sees and changes the register --------------------------------------------------------------


async def test_finance_and_viewers_never_see_the_register(families):
    pid = families
    row = await add_participant(await coordinator(), pid, person("T1"))
    for role in (Role.FINANCE, Role.VIEWER):
        nobody = await principal(role)
        for call in (
            list_participants(nobody, pid),
            get_participant(nobody, row.id),
            export_participants(nobody, pid),
            list_services(nobody, pid),
            list_receipts(nobody, pid),
            add_participant(nobody, pid, person("T2")),
            import_participants(nobody, pid, [person("T2")]),
        ):
            with pytest.raises(AccessDenied):
                await call


async def test_auditors_read_the_register_without_special_category_flags(families):
    pid = families
    await add_participant(
        await coordinator(), pid, person("T1", flags=("disability", "minority", "rural"))
    )
    [seen] = await list_participants(await principal(Role.AUDITOR), pid)
    assert seen.flags == ("rural",)
    [full] = await list_participants(await principal(Role.ADMIN), pid)
    assert full.flags == ("disability", "minority", "rural")
    with pytest.raises(AccessDenied):
        await add_participant(await principal(Role.AUDITOR), pid, person("T2"))
    with pytest.raises(AccessDenied):
        await update_participant(await principal(Role.AUDITOR), seen.id, person("T1"))


async def test_a_coordinator_of_another_project_is_denied(families):
    other = await project(SIF_002)
    for call in (
        list_participants(await coordinator(), other),
        add_participant(await coordinator(), other, person("T1")),
        add_service(await coordinator(), other, ServiceInput("Konsultācija")),
        add_receipt(await coordinator(), other, ReceiptInput("T1", "Konsultācija", "01.03.2026")),
        import_receipts(await coordinator(), other, []),
        export_participants(await coordinator(), other),
    ):
        with pytest.raises(AccessDenied):
            await call
    pid = families
    row = await add_participant(await coordinator(), pid, person("T1"))
    outsider = dataclasses.replace(await coordinator(), project_ids=frozenset({other}))
    with pytest.raises(AccessDenied):
        await get_participant(outsider, row.id)
    with pytest.raises(AccessDenied):
        await update_participant(outsider, row.id, person("T1"))


async def test_listing_filters_by_target_group_in_code_order(families):
    pid = families
    for code, group in (("C-2", "children"), ("G-1", "GRT"), ("C-1", "Children")):
        await add_participant(await coordinator(), pid, person(code, target_group=group))
    everyone = await list_participants(await coordinator(), pid)
    assert [p.code for p in everyone] == ["C-1", "C-2", "G-1"]
    children = await list_participants(await coordinator(), pid, target_group="CHILDREN")
    assert [p.code for p in children] == ["C-1", "C-2"]


async def test_an_export_is_recorded_in_the_audit_trail(families):
    pid = families
    for code in ("T1", "T2", "T3"):
        await add_participant(await coordinator(), pid, person(code))
    mark = await last_event_id()
    found = await export_participants(await principal(Role.AUDITOR), pid)
    assert [row.code for row in found.rows] == ["T1", "T2", "T3"]
    [event] = await events_since(mark)
    assert (event["action"], event["entity"], event["entity_id"]) == ("export", "participant", None)
    assert (event["actor"], event["project"], event["note"]) == (
        "auditor@tukums.demo",
        pid,
        "3 participants (page 1, 3 in all)",
    )


def test_documents_are_kept_five_years_from_the_end_of_the_last_payments_year():
    assert retention_date(d("2027-12-31")) == d("2032-12-31")
    assert retention_date(d("2027-12-31"), d("2028-03-15")) == d("2033-12-31")
    assert retention_date(d("2027-01-01"), None) == d("2032-12-31")
    assert retention_date(None) is None


# Services and receipts --------------------------------------------------------------------------


async def test_services_form_a_catalogue_without_twins(families):
    pid = families
    mark = await last_event_id()
    first = await add_service(
        await coordinator(),
        pid,
        ServiceInput(
            " Psihologa  konsultācija ",
            "Psychologist consultation",
            "konsultācija",
            "consultation",
            "35,00",
        ),
    )
    assert (first.name_lv, first.unit_price, first.position) == ("Psihologa konsultācija", 3500, 0)
    second = await add_service(await coordinator(), pid, ServiceInput("Transporta pakalpojums"))
    assert (second.unit_price, second.position) == (None, 1)
    assert await list_services(await principal(Role.AUDITOR), pid) == [first, second]
    with pytest.raises(Refused) as excinfo:
        await add_service(await coordinator(), pid, ServiceInput("psihologa konsultācija"))
    assert excinfo.value.conflict and fields(excinfo) == ["name"]
    with pytest.raises(Refused) as excinfo:
        await add_service(await coordinator(), pid, ServiceInput(" ", unit_price="6 492.5.00"))
    assert not excinfo.value.conflict and fields(excinfo) == ["name", "unit_price"]
    events = await events_since(mark)
    assert [(e["action"], e["entity"]) for e in events] == [("create", "service")] * 2
    assert json.loads(events[0]["after"])["unit_price"] == "35.00"


async def register_with_services(pid: int) -> None:
    c = await coordinator()
    await add_participant(c, pid, person("T1", entry="01.02.2026", exit="30.06.2026"))
    await add_participant(c, pid, person("T2", "male", "1980", "01.03.2026"))
    await add_service(c, pid, ServiceInput("Konsultācija", unit="stunda", unit_price="33,33"))
    await add_service(c, pid, ServiceInput("Transports"))


async def test_a_receipt_costs_units_times_the_unit_price_unless_an_amount_is_given(families):
    pid = families
    await register_with_services(pid)
    c = await coordinator()
    [consultation, transport] = await list_services(c, pid)
    mark = await last_event_id()
    computed = await add_receipt(c, pid, ReceiptInput("t1", "Konsultācija", "15.03.2026", "1,5"))
    assert (computed.participant_code, computed.service, computed.received_on) == (
        "T1",
        "Konsultācija",
        d("2026-03-15"),
    )
    assert (computed.units_hundredths, computed.amount) == (150, 5000)  # 49,995 → 50,00
    typed = await add_receipt(
        c, pid, ReceiptInput("T2", str(transport.id), "2026-03-01", amount="12,40", note="Taxi")
    )
    assert (typed.service_id, typed.units_hundredths, typed.amount, typed.note) == (
        transport.id,
        100,
        1240,
        "Taxi",
    )
    by_id = await add_receipt(c, pid, ReceiptInput("T2", consultation.id, "01.04.2026", units=""))
    assert by_id.amount == 3333
    everything = await list_receipts(await principal(Role.AUDITOR), pid)
    assert [r.id for r in everything] == [typed.id, computed.id, by_id.id]  # by date
    assert [r.id for r in await list_receipts(c, pid, "t2")] == [typed.id, by_id.id]
    assert await list_receipts(c, pid, "NOBODY") == []
    events = await events_since(mark)
    assert [(e["action"], e["entity"]) for e in events] == [("create", "service_receipt")] * 3
    assert json.loads(events[0]["after"]) == {
        "participant": "T1",
        "service": consultation.id,
        "date": "2026-03-15",
        "units_hundredths": 150,
        "amount": "50.00",
        "note": "",
    }


async def test_a_receipt_with_every_mistake_is_refused_and_nothing_is_written(families):
    pid = families
    await register_with_services(pid)
    c = await coordinator()
    mark = await last_event_id()
    cases = [
        (ReceiptInput("NOBODY", "Konsultācija", "15.03.2026"), ["participant"]),
        (ReceiptInput("T1", "Psihologs", "15.03.2026"), ["service"]),
        (ReceiptInput("T1", "999999", "15.03.2026"), ["service"]),
        (ReceiptInput("T1", "Konsultācija", "31.01.2026"), ["date"]),
        (ReceiptInput("T1", "Konsultācija", "01.07.2026"), ["date"]),
        (ReceiptInput("T2", "Konsultācija", "01.01.2028"), ["date"]),
        (ReceiptInput("T1", "Konsultācija", "15.03.2026", "-1"), ["units"]),
        (ReceiptInput("T1", "Konsultācija", "15.03.2026", amount="-5"), ["amount"]),
        (ReceiptInput("T1", "Konsultācija", "15.03.2026", amount="1,234"), ["amount"]),
        (ReceiptInput("T1", "Transports", "15.03.2026"), ["amount"]),
        (ReceiptInput("", "", "", "x"), ["participant", "service", "date", "units"]),
    ]
    for data, expected in cases:
        with pytest.raises(Refused) as excinfo:
            await add_receipt(c, pid, data)
        assert fields(excinfo) == expected, data
    with pytest.raises(Refused) as excinfo:
        await add_receipt(c, pid, ReceiptInput("T1", "Konsultācija", "01.07.2026"))
    assert excinfo.value.problems[0].english() == (
        "01.07.2026 is after the participant's exit on 30.06.2026."
    )
    with pytest.raises(Refused) as excinfo:
        await add_receipt(c, pid, ReceiptInput("T1", "Konsultācija", "31.01.2026"))
    assert excinfo.value.problems[0].english() == (
        "31.01.2026 is before the participant's entry on 01.02.2026."
    )
    assert await ServiceReceipt.count().where(ServiceReceipt.project == pid) == 0
    assert await events_since(mark) == []


# Imports ----------------------------------------------------------------------------------------


async def test_an_import_adds_every_row_with_one_audit_event(families):
    pid = families
    mark = await last_event_id()
    rows = [person(f"T{n}", household=f"Ģ-{n // 2}") for n in range(1, 6)]
    assert await import_participants(await coordinator(), pid, rows) == 5
    assert [p.code for p in await list_participants(await coordinator(), pid)] == [
        "T1",
        "T2",
        "T3",
        "T4",
        "T5",
    ]
    [event] = await events_since(mark)
    assert (event["action"], event["entity"], event["entity_id"], event["project"]) == (
        "import",
        "participant",
        None,
        pid,
    )
    assert json.loads(event["after"]) == {"rows": 5}
    assert await import_participants(await coordinator(), pid, []) == 0


async def test_an_import_with_a_bad_row_writes_nothing_and_names_the_rows(families):
    pid = families
    await add_participant(await coordinator(), pid, person("OLD-1"))
    mark = await last_event_id()
    rows = [
        person("T1"),
        person("T2", "x"),
        person("t1"),  # twice in the file
        person("old-1"),  # already in the register
        person("Jānis Ozols", birth_year="19x0", entry=""),
        person("T6"),
    ]
    with pytest.raises(Refused) as excinfo:
        await import_participants(await coordinator(), pid, rows)
    assert excinfo.value.conflict
    assert fields(excinfo) == [
        "2.gender",
        "3.code",
        "4.code",
        "5.code",
        "5.birth_year",
        "5.entry_date",
    ]
    problems = excinfo.value.problems
    assert problems[1].english() == "Code t1 is also on row 1 of this file: a person counts once."
    assert problems[2].params == {"code": "old-1"}
    assert await Participant.count().where(Participant.project == pid) == 1
    assert await events_since(mark) == []


async def test_a_receipts_import_is_all_or_nothing_too(families):
    pid = families
    await register_with_services(pid)
    c = await coordinator()
    good = [
        ReceiptInput("T1", "Konsultācija", "15.03.2026"),
        ReceiptInput("T2", "Transports", "15.03.2026", amount="7"),
        ReceiptInput("T2", "Konsultācija", "16.03.2026", "2"),
    ]
    bad = [*good, ReceiptInput("T1", "Konsultācija", "01.07.2026"), ReceiptInput("T9", "X", "1")]
    mark = await last_event_id()
    with pytest.raises(Refused) as excinfo:
        await import_receipts(c, pid, bad)
    assert not excinfo.value.conflict
    assert fields(excinfo) == ["4.date", "5.participant", "5.service", "5.date"]
    assert await ServiceReceipt.count().where(ServiceReceipt.project == pid) == 0
    assert await events_since(mark) == []
    assert await import_receipts(c, pid, good) == 3
    assert [r.amount for r in await list_receipts(c, pid)] == [3333, 700, 6666]
    [event] = await events_since(mark)
    assert (event["action"], event["entity"], json.loads(event["after"])) == (
        "import",
        "service_receipt",
        {"rows": 3},
    )


async def test_an_import_runs_a_few_queries_however_many_rows(families, monkeypatch):
    pid = families
    c = await coordinator()
    rows = [person(f"P{n:05}", entry="01.03.2026") for n in range(2500)]
    queries = count_queries(monkeypatch)
    assert await import_participants(c, pid, rows) == 2500
    assert len(queries) == 6  # project, codes, three INSERTs of up to 1000 rows, audit
    await add_service(c, pid, ServiceInput("Konsultācija", unit_price="10"))
    receipts = [ReceiptInput(f"P{n:05}", "Konsultācija", "02.03.2026") for n in range(2500)]
    queries.clear()
    assert await import_receipts(c, pid, receipts) == 2500
    assert len(queries) == 7  # project, participants, services, three INSERTs, audit
