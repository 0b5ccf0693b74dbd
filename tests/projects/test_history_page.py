"""The history page as people read it: fields labelled in their language, amounts, quantities
and dates formatted, names instead of ids, special-category data hidden from those who may not
see it, and the events in pages."""

import html
import re
from dataclasses import replace
from datetime import UTC, date, datetime

from grants.core import audit
from grants.core.i18n import set_locale
from grants.core.vocabulary import ProjectStatus, Role
from grants.finance.evidence import Upload
from grants.finance.expenditures import (
    add_files,
    edit_expenditure,
    record_expenditure,
    remove_file,
)
from grants.projects.editing import ProjectInput, update_project
from grants.projects.history import PAGE_SIZE, project_history
from grants.projects.periods import return_period, submit
from grants.register.participants import ParticipantInput, add_participant, update_participant
from grants.register.services import (
    ReceiptInput,
    ServiceInput,
    add_receipt,
    add_service,
    cancel_receipt,
)
from grants.results.entries import EntryInput, log_entry
from grants.tables.audit import AuditEvent
from grants.tables.projects import Project
from tests import builders
from tests.helpers import (
    FAMILIES,
    api_headers,
    count_queries,
    eur,
    period_at,
    principal,
    sign_in,
)

TUK_7 = ParticipantInput("TUK-7", "female", "1990", "01.02.2026")
TAGS = re.compile(r"<[^>]+>")
EVENT = re.compile(r'<tbody class="event">(.*?)</tbody>', re.S)
HEADING = re.compile(r'<td rowspan="\d+"><a href="[^"]*">(.*?)</a>', re.S)
FIELD = re.compile(
    r'<th scope="row" class="field-name">(.*?)</th>\s*<td class="change">'
    r"(?:<del>(.*?)</del>)?(?: → )?(?:<ins>(.*?)</ins>)?</td>",
    re.S,
)


def _text(fragment: str | None) -> str | None:
    if fragment is None:
        return None
    return html.unescape(TAGS.sub("\n", fragment.replace("<br>", "\n"))).strip()


def events(page: str) -> list[tuple[str, list[tuple[str, str | None, str]]]]:
    """Each event on the page: its heading and its (field, before, after) rows as shown."""
    found = []
    for body in EVENT.findall(page):
        [heading] = HEADING.findall(body)
        rows = [(_text(f), _text(b or None), _text(a or None)) for f, b, a in FIELD.findall(body)]
        found.append((_text(heading), rows))
    return found


async def history(client, pid: int, role: Role, *, english: bool = False, query: str = ""):
    await sign_in(client, role)
    if english:
        await client.get("/lang/en", params={"next": "/"})
    response = await client.get(f"/projects/{pid}/history{query}")
    assert response.status_code == 200
    return response.text


async def test_a_money_change_reads_as_amounts_with_labels_in_either_language(families, client):
    pid = families
    await Project.update({Project.status: ProjectStatus.APPROVED}).where(Project.id == pid)
    finance = await principal(Role.FINANCE)
    await update_project(finance, pid, ProjectInput(total_cost="370 000,00"))

    lv = await history(client, pid, Role.FINANCE)
    heading, rows = events(lv)[0]
    assert heading == f"Mainīts projekts {FAMILIES}"
    assert rows == [("Kopējās izmaksas", eur("369 214,43"), eur("370 000,00"))]
    assert "Finance" in lv and "finance@tukums.demo" in lv  # name, with the email

    en = await history(client, pid, Role.FINANCE, english=True)
    heading, rows = events(en)[0]
    assert heading == f"Project {FAMILIES} changed"
    assert rows == [("Total cost", "€369,214.43", "€370,000.00")]
    assert "total_cost" not in en and "369214.43" not in en


async def test_a_corrected_expenditure_shows_what_changed_and_why(families, client):
    pid = families
    row = await builders.expenditure(pid)
    finance = await principal(Role.FINANCE)
    await edit_expenditure(finance, row.id, builders.invoice(amount="2 000,00"), "Rēķins labots")

    heading, rows = events(await history(client, pid, Role.FINANCE))[0]
    assert heading == "Labots izdevums Nr. 1"
    assert ("Summa", eur("1 234,50"), eur("2 000,00")) in rows
    assert ("Versija", "1", "2") in rows
    page = await history(client, pid, Role.FINANCE, english=True)
    [(heading, rows), (created, first)] = events(page)[:2]
    assert heading == "Expenditure no. 1 corrected" and created == "Expenditure no. 1 recorded"
    assert ("Amount", "€1,234.50", "€2,000.00") in rows
    assert ("Cost category", None, "External expertise and services") in first  # not its code
    assert ("Date", None, "15 Mar 2026") in first


async def test_a_receipt_shows_units_as_a_quantity_and_the_service_by_name(families, client):
    pid = families
    coordinator = await principal(Role.COORDINATOR)
    await add_participant(coordinator, pid, TUK_7)
    service = await add_service(coordinator, pid, ServiceInput("Konsultācija", unit_price="25,00"))
    await add_receipt(
        coordinator, pid, ReceiptInput("TUK-7", service.id, "01.03.2026", units="2,5")
    )

    heading, rows = events(await history(client, pid, Role.COORDINATOR))[0]
    assert heading == "Reģistrēts saņemtais pakalpojums: TUK-7 · Konsultācija · 01.03.2026"
    assert rows == [
        ("Dalībnieks", None, "TUK-7"),
        ("Pakalpojums", None, "Konsultācija"),  # the catalogue's name, not its id
        ("Datums", None, "01.03.2026"),
        ("Vienības", None, "2,5"),
        ("Summa", None, eur("62,50")),
    ]
    heading, rows = events(await history(client, pid, Role.COORDINATOR, english=True))[0]
    assert ("Units", None, "2.5") in rows and ("Date", None, "1 Mar 2026") in rows


async def test_an_indicator_value_names_its_period_and_shows_figures(families, client):
    pid = families
    indicator = await builders.indicator(pid)
    coordinator = await principal(Role.COORDINATOR)
    period = await period_at(pid, date(2026, 2, 1))
    await log_entry(coordinator, indicator.id, EntryInput(period, value="5"))
    await log_entry(coordinator, indicator.id, EntryInput(period, value="6,5"))

    heading, rows = events(await history(client, pid, Role.COORDINATOR))[0]
    assert heading == "Labota rādītāja vērtība: EECO01 · Nr. 1 (01.01.2026–31.03.2026)"
    assert rows == [("Vērtība", "5", "6,5")]


async def test_a_date_change_reads_as_a_date(families, client):
    pid = families
    coordinator = await principal(Role.COORDINATOR)
    person = replace(TUK_7, flags=["unemployed"])
    row = await add_participant(coordinator, pid, person)
    await update_participant(coordinator, row.id, replace(person, exit_date="01.06.2026"))

    heading, rows = events(await history(client, pid, Role.COORDINATOR))[0]
    assert heading == "Mainīti dalībnieka TUK-7 dati"
    assert rows == [("Izstāšanās datums", "—", "01.06.2026")]
    heading, rows = events(await history(client, pid, Role.COORDINATOR, english=True))[0]
    assert heading == "Participant TUK-7 changed"
    assert rows == [("Exit date", "—", "1 Jun 2026")]


async def test_special_category_data_is_hidden_from_those_who_may_not_see_it(families, client):
    pid = families
    coordinator = await principal(Role.COORDINATOR)
    flags = ["disability", "rural"]
    await add_participant(coordinator, pid, replace(TUK_7, flags=flags))
    # an event kept before the trail left such flags out, or written by a tool
    await audit.record(
        "update", "participant", None, project_id=pid,
        before={"flags": ["minority", "rural"]}, after={"flags": ["rural"]},
    )  # fmt: skip

    auditor = events(await history(client, pid, Role.AUDITOR, english=True))
    assert ("Flags", None, "Rural area, hidden (special-category data)") in auditor[1][1]
    assert "Disability" not in str(auditor) and "Minority" not in str(auditor)
    assert auditor[0][1] == []  # what the auditor may see of it did not change
    seen = events(await history(client, pid, Role.COORDINATOR, english=True))
    assert ("Flags", None, "Rural area") in seen[1][1]  # the trail never kept disability
    assert seen[0][1] == [("Flags", "Minority (incl. Roma), Rural area", "Rural area")]
    finance = await history(client, pid, Role.FINANCE, english=True)
    assert "TUK-7" not in finance and "Participant" not in finance  # not register readers
    await sign_in(client, Role.VIEWER)
    assert (await client.get(f"/projects/{pid}/history")).status_code == 403

    api = f"/api/v1/projects/{pid}/audit?entity=participant"
    for role, expected in ((Role.AUDITOR, ["rural"]), (Role.COORDINATOR, ["minority", "rural"])):
        [latest, _] = (await client.get(api, headers=await api_headers(role))).json()["items"]
        assert latest["before"] == {"flags": expected}  # raw values, as the reader may see them


async def test_an_auditor_sees_no_change_where_only_hidden_data_changed(families, client):
    pid = families
    await audit.record(
        "update", "participant", None, project_id=pid,
        before={"flags": ["minority", "rural"]}, after={"flags": ["rural"]},
    )  # fmt: skip
    heading, rows = events(await history(client, pid, Role.AUDITOR, english=True))[0]
    assert heading == "Participant: changed" and rows == []


async def test_keys_no_one_labelled_still_read_as_words_and_values(families, client):
    pid = families
    after = {"sent_on_date": "2026-03-31", "parts_hundredths": 250, "extra": {"kind": "eu_fund"}}
    await audit.record("create", "expenditure_file", 5, project_id=pid, after=after)

    page = await history(client, pid, Role.ADMIN)
    heading, rows = events(page)[0]
    assert heading == "Expenditure file #5: izveidots"
    assert rows == [
        ("Sent on date", None, "31.03.2026"),
        ("Parts hundredths", None, "2,5"),
        ("Extra", None, "ES fonds"),
    ]
    assert "{" not in TAGS.sub("", page.split("<tbody", 1)[1])  # never a JSON blob


async def test_history_comes_in_pages_of_events(families, client):
    pid = families
    before = await AuditEvent.count().where(AuditEvent.project == pid)
    for n in range(PAGE_SIZE + 5 - before):
        await audit.record("update", "budget", pid, project_id=pid, after=[{"year": 2026 + n}])

    first = await history(client, pid, Role.ADMIN)
    assert len(events(first)) == PAGE_SIZE
    assert "1. lapa no 2" in first and 'href="?page=2" rel="next"' in first
    second = await history(client, pid, Role.ADMIN, query="?page=2")
    assert len(events(second)) == 5 and "2. lapa no 2" in second
    assert events(second)[-1][0] == "Sadalīti pārskata periodi"  # the oldest event last
    beyond = await history(client, pid, Role.ADMIN, query="?page=9")
    assert events(beyond) == events(second)


async def test_names_are_looked_up_once_a_page_not_once_an_event(families, monkeypatch):
    pid = families
    coordinator = await principal(Role.COORDINATOR)
    await add_participant(coordinator, pid, TUK_7)

    async def queries_for(services: range) -> int:
        for n in services:
            service = await add_service(
                coordinator, pid, ServiceInput(f"Pakalpojums {n}", unit_price="1,00")
            )
            await add_receipt(coordinator, pid, ReceiptInput("TUK-7", service.id, "01.03.2026"))
        set_locale("lv")
        queries = count_queries(monkeypatch)
        page = await project_history(coordinator, pid, FAMILIES)
        monkeypatch.undo()
        assert {f"Pakalpojums {n}" for n in services} <= {
            c.after[0] for e in page.entries for c in e.changes
        }
        return len(queries)

    assert await queries_for(range(1)) == await queries_for(range(1, 11))


async def test_a_period_returned_for_correction_is_named_with_its_dates_and_reason(
    families, client
):
    pid = families
    period = await period_at(pid, date(2026, 5, 1))
    await submit(await principal(Role.COORDINATOR), period)
    await return_period(await principal(Role.ADMIN), period, "Trūkst sadalījuma")

    page = await history(client, pid, Role.AUDITOR)
    [(returned, rows), (submitted, _)] = events(page)[:2]
    assert returned == "Pārskata periods Nr. 2 (01.04.2026–30.06.2026) atgriezts labošanai"
    assert rows == [("Statuss", "Iesniegts", "Atgriezts labošanai")]
    assert "Trūkst sadalījuma" in page  # the reason, under the heading
    assert submitted == "Iesniegts pārskata periods Nr. 2 (01.04.2026–30.06.2026)"


async def test_a_cancelled_receipt_shows_what_it_was_and_who_entered_it(families, client):
    pid = families
    coordinator = await principal(Role.COORDINATOR)
    await add_participant(coordinator, pid, TUK_7)
    service = await add_service(coordinator, pid, ServiceInput("Konsultācija", unit_price="25,00"))
    receipt = await add_receipt(coordinator, pid, ReceiptInput("TUK-7", service.id, "01.03.2026"))
    await cancel_receipt(coordinator, receipt.id, "Ievadīts kļūdaini")

    heading, rows = events(await history(client, pid, Role.COORDINATOR, english=True))[0]
    assert heading == "Service received cancelled: TUK-7 · Konsultācija · 1 Mar 2026"
    assert ("Amount", "€25.00", None) in rows and ("Units", "1", None) in rows
    assert ("Entered by", "Coordinator", None) in rows  # the user's name, not their id


async def test_times_are_riga_times(families, client):
    pid = families
    await AuditEvent.insert(
        AuditEvent(
            at=datetime(2026, 3, 31, 21, 30, tzinfo=UTC),
            actor="finance@tukums.demo",
            action="update",
            entity="budget",
            entity_id=pid,
            project=pid,
        )
    )
    page = await history(client, pid, Role.FINANCE)
    assert '<td class="nowrap" rowspan="1">01.04.2026 00:30</td>' in page  # summer time, +3


async def test_evidence_files_added_and_removed_are_named(families, client):
    finance = await principal(Role.FINANCE)
    invoice_pdf, act_png = (
        Upload("rēķins.pdf", b"%PDF-1.4 x"),
        Upload("akts.png", b"\x89PNG\r\n\x1a\n act"),
    )
    row = await record_expenditure(finance, families, builders.invoice(), [invoice_pdf])
    added = await add_files(finance, row.id, [act_png])
    await remove_file(finance, row.id, added.files[0].id)

    [(removed, gone), (linked, came)] = events(await history(client, families, Role.FINANCE))[:2]
    assert removed == linked == "Mainīti izdevuma Nr. 1 pamatojuma faili"
    assert came == [("Pamatojuma faili", "—", "akts.png")]
    assert gone == [("Pamatojuma faili", "rēķins.pdf", "—")]
