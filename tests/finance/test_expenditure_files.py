"""Evidence files of expenditures: several per entry, kept by every correction and shown on
every version; added and removed (audited) while the entry may change; a refusal stores none."""

import importlib
from datetime import date

import pytest

from grants.core.access import AccessDenied
from grants.core.errors import NotFound
from grants.core.vocabulary import PeriodStatus, RecordState, Role
from grants.finance.evidence import Upload
from grants.finance.expenditures import (
    add_files,
    cancel_expenditure,
    edit_expenditure,
    expenditure_history,
    list_expenditures,
    record_expenditure,
    remove_file,
)
from grants.projects.attachments import MAX_BYTES
from grants.tables.attachments import Attachment
from grants.tables.audit import AuditEvent
from grants.tables.expenditures import Expenditure, ExpenditureFile
from tests.builders import invoice, outsider
from tests.helpers import period_at, principal, refusal

INVOICE_PDF = Upload("rēķins.pdf", b"%PDF-1.4 invoice")
ACT_PNG = Upload("akts.png", b"\x89PNG\r\n\x1a\n act")


def names(row) -> list[str]:
    return [f.name for f in row.files]


async def stored() -> tuple[int, int, int, int]:
    """Attachments, their links, expenditure rows and audit events: a refusal adds none."""
    return (
        await Attachment.count(),
        await ExpenditureFile.count(),
        await Expenditure.count(),
        await AuditEvent.count(),
    )


async def test_an_invoice_is_recorded_with_several_files(families):
    finance = await principal(Role.FINANCE)
    row = await record_expenditure(finance, families, invoice(), [INVOICE_PDF, ACT_PNG])
    assert names(row) == ["rēķins.pdf", "akts.png"]
    assert [(f.size, f.content_type) for f in row.files] == [
        (16, "application/pdf"),
        (12, "image/png"),
    ]
    [listed] = (await list_expenditures(await principal(Role.VIEWER), families)).rows
    assert listed.files == row.files
    # the creation is audited with its files
    event = await (
        AuditEvent.select(AuditEvent.after)
        .where((AuditEvent.entity == "expenditure") & (AuditEvent.action == "create"))
        .output(load_json=True)
        .first()
    )
    assert [f["name"] for f in event["after"]["attachments"]] == ["rēķins.pdf", "akts.png"]


async def test_a_correction_without_uploading_keeps_the_files_on_every_version(families):
    finance = await principal(Role.FINANCE)
    first = await record_expenditure(finance, families, invoice(), [INVOICE_PDF])
    second = await edit_expenditure(finance, first.id, invoice(amount="1 300,00"), "Amount fixed")
    assert names(second) == ["rēķins.pdf"]
    third = await edit_expenditure(
        finance, second.id, invoice(amount="1 310,00"), "Delivery added", [ACT_PNG]
    )
    history = await expenditure_history(finance, third.id)
    assert [(r.version, r.amount, names(r)) for r in history] == [
        (1, 123450, ["rēķins.pdf", "akts.png"]),
        (2, 130000, ["rēķins.pdf", "akts.png"]),
        (3, 131000, ["rēķins.pdf", "akts.png"]),
    ]
    everything = (await list_expenditures(finance, families, include_history=True)).rows
    assert all(names(r) == ["rēķins.pdf", "akts.png"] for r in everything)
    cancelled = await cancel_expenditure(finance, third.id, "Recorded in error")
    assert names(cancelled) == ["rēķins.pdf", "akts.png"]  # a cancelled entry keeps them too
    assert await Attachment.count() == 2  # no copy made by any version


async def test_a_refused_invoice_stores_no_file_and_lists_every_problem(families):
    finance = await principal(Role.FINANCE)
    before = await stored()
    bad_file = Upload("page.html", b"<html></html>")
    typed = invoice(amount="abc")
    problems = (
        await refusal(record_expenditure(finance, families, typed, [INVOICE_PDF, bad_file]))
    ).problems
    assert [p.field for p in problems] == ["amount", "attachment"]
    assert "page.html" in problems[1].english()
    assert await stored() == before
    # fields right, one file wrong: still nothing, not even the good file
    await refusal(record_expenditure(finance, families, invoice(), [INVOICE_PDF, bad_file]))
    assert await stored() == before
    # a refused correction stores none either, and the entry keeps its files
    row = await record_expenditure(finance, families, invoice(), [INVOICE_PDF])
    before = await stored()
    await refusal(edit_expenditure(finance, row.id, invoice(amount="1"), "", [ACT_PNG]))
    assert await stored() == before
    [current] = (await list_expenditures(finance, families)).rows
    assert (current.id, names(current)) == (row.id, ["rēķins.pdf"])


async def test_empty_and_too_large_files_are_refused_by_name(families):
    finance = await principal(Role.FINANCE)
    too_large = Upload("skenējums.pdf", b"%PDF-" + b"0" * MAX_BYTES)
    empty = Upload("tukšs.pdf", b"")
    problems = (
        await refusal(record_expenditure(finance, families, invoice(), [too_large, empty]))
    ).problems
    assert [p.english() for p in problems] == [
        "“skenējums.pdf” is larger than 10 MB.",
        "“tukšs.pdf” is empty.",
    ]
    assert await Attachment.count() == 0


async def test_files_are_added_and_removed_without_a_new_version_and_audited(families):
    finance = await principal(Role.FINANCE)
    row = await record_expenditure(finance, families, invoice(), [INVOICE_PDF])
    added = await add_files(finance, row.id, [ACT_PNG])
    assert (added.id, added.version, names(added)) == (row.id, 1, ["rēķins.pdf", "akts.png"])
    pdf = added.files[0].id
    kept = await remove_file(finance, row.id, pdf)
    assert names(kept) == ["akts.png"]
    assert await Attachment.count() == 2  # the removed file stays stored, named in the trail
    events = await (
        AuditEvent.select()
        .where((AuditEvent.entity == "expenditure") & (AuditEvent.action == "update"))
        .order_by(AuditEvent.id)
        .output(load_json=True)
    )
    assert [
        (
            [f["name"] for f in e["before"]["attachments"]],
            [f["name"] for f in e["after"]["attachments"]],
        )
        for e in events
    ] == [
        (["rēķins.pdf"], ["rēķins.pdf", "akts.png"]),
        (["rēķins.pdf", "akts.png"], ["akts.png"]),
    ]
    assert all(e["actor"] == finance.email for e in events)


async def test_adding_nothing_or_a_bad_file_is_refused_and_stores_nothing(families):
    finance = await principal(Role.FINANCE)
    row = await record_expenditure(finance, families, invoice())
    before = await stored()
    nothing = await refusal(add_files(finance, row.id, []))
    assert [(p.field, p.english()) for p in nothing.problems] == [
        ("attachment", "Choose a file to attach.")
    ]
    await refusal(add_files(finance, row.id, [INVOICE_PDF, Upload("x.exe", b"MZ")]))
    assert await stored() == before
    with pytest.raises(NotFound):
        await remove_file(finance, row.id, 999_999)


async def test_files_of_an_old_version_or_in_a_locked_period_cannot_change(families):
    finance = await principal(Role.FINANCE)
    first = await record_expenditure(finance, families, invoice(), [INVOICE_PDF])
    second = await edit_expenditure(finance, first.id, invoice(amount="1 300,00"), "Amount fixed")
    old = await refusal(add_files(finance, first.id, [ACT_PNG]))
    assert old.conflict
    await period_at(families, date(2026, 3, 15), PeriodStatus.SUBMITTED)
    before = await stored()
    locked = await refusal(add_files(finance, second.id, [ACT_PNG]))
    assert locked.conflict and locked.problems[0].english().endswith("is submitted and locked.")
    locked = await refusal(remove_file(finance, second.id, second.files[0].id))
    assert locked.conflict
    assert await stored() == before
    [current] = (await list_expenditures(finance, families)).rows
    assert (current.state, names(current)) == (RecordState.CURRENT, ["rēķins.pdf"])


async def test_only_those_who_record_expenditures_of_the_project_change_files(families):
    finance = await principal(Role.FINANCE)
    row = await record_expenditure(finance, families, invoice(), [INVOICE_PDF])
    elsewhere = (await outsider(Role.FINANCE)).principal
    before = await stored()
    for who in (await principal(Role.VIEWER), await principal(Role.COORDINATOR), elsewhere):
        with pytest.raises(AccessDenied):
            await add_files(who, row.id, [ACT_PNG])
        with pytest.raises(AccessDenied):
            await remove_file(who, row.id, row.files[0].id)
    assert await stored() == before


async def test_an_existing_file_of_the_project_is_linked_once(families):
    finance = await principal(Role.FINANCE)
    first = await record_expenditure(finance, families, invoice(), [INVOICE_PDF])
    shared = first.files[0].id
    other = await record_expenditure(
        finance, families, invoice(invoice_number="BR-002", attachment_id=shared)
    )
    assert [f.id for f in other.files] == [shared]
    again = await edit_expenditure(
        finance, other.id, invoice(invoice_number="BR-002", attachment_id=shared), "Same file"
    )
    assert [f.id for f in again.files] == [shared]
    assert await Attachment.count() == 1


async def test_the_migration_links_each_legacy_file_to_its_entry(families):
    """Versions written before the link table had one file each, in `expenditure.attachment`:
    the migration links each to its entry once, so the files show on every version."""
    finance = await principal(Role.FINANCE)
    first = await record_expenditure(finance, families, invoice(), [INVOICE_PDF])
    second = await edit_expenditure(finance, first.id, invoice(amount="1 300,00"), "Fixed")
    other = await record_expenditure(finance, families, invoice(invoice_number="BR-002"), [ACT_PNG])
    pdf, png = first.files[0].id, other.files[0].id
    # as the old code left them: the file on both versions of entry 1, none in the link table
    await Expenditure.update({Expenditure.attachment: pdf}).where(Expenditure.entry_no == 1)
    await Expenditure.update({Expenditure.attachment: png}).where(Expenditure.entry_no == 2)
    await ExpenditureFile.delete(force=True)

    migration = importlib.import_module("grants.migrations.grants_2026_12_01t10_10_00_000000")
    manager = await migration.forwards()
    for step in manager.raw:
        await step()

    links = await ExpenditureFile.select(
        ExpenditureFile.entry_no, ExpenditureFile.attachment, ExpenditureFile.created_by.email
    ).order_by(ExpenditureFile.entry_no)
    assert [(r["entry_no"], r["attachment"]) for r in links] == [(1, pdf), (2, png)]
    assert {r["created_by.email"] for r in links} == {finance.email}
    history = await expenditure_history(finance, second.id)
    assert [names(r) for r in history] == [["rēķins.pdf"], ["rēķins.pdf"]]
