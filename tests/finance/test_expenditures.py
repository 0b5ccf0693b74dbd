"""The expenditure register: what is accepted, what is refused (with nothing written), who may
write, and how edits and cancellations keep every version."""

from collections.abc import Awaitable
from dataclasses import replace
from datetime import date

import pytest

from grants.core.access import AccessDenied
from grants.core.errors import Refused
from grants.core.vocabulary import PeriodStatus, RecordState, Role
from grants.finance import expenditures
from grants.finance.expenditures import (
    ExpenditureInput,
    cancel_expenditure,
    edit_expenditure,
    expenditure_history,
    list_expenditures,
    record_expenditure,
)
from grants.tables.audit import AuditEvent
from grants.tables.expenditures import Expenditure
from grants.tables.programmes import MeasureCostCategory
from grants.tables.projects import Partner, Project
from tests.builders import invoice, outsider
from tests.helpers import period_at, principal, refusal


async def written() -> tuple[int, int]:
    """Expenditure rows and audit events, to show a refusal wrote nothing."""
    return await Expenditure.count(), await AuditEvent.count()


async def audit_events(entity_id: int) -> list[dict]:
    return await (
        AuditEvent.select()
        .where((AuditEvent.entity == "expenditure") & (AuditEvent.entity_id == entity_id))
        .order_by(AuditEvent.id)
        .output(load_json=True)
    )


def problems(refusal: Refused) -> list[tuple[str | None, str, dict]]:
    return [(p.field, p.message, p.params) for p in refusal.problems]


async def refused(work: Awaitable) -> Refused:
    """What `work` is refused with; it must write nothing, no row and no audit event."""
    before = await written()
    refused = await refusal(work)
    assert await written() == before
    return refused


# Every field typed wrong: what is typed, and what the refusal says about it, in form order.
MISTAKES = {
    "date": ("31.02.2026", "“31.02.2026” is not a date: write 15.03.2026 or 2026-03-15."),
    "amount": (
        "20 6107",
        "“20 6107” is grouped wrongly: each group after a thousands separator must have "
        "exactly three digits, and the first group at most three.",
    ),
    "eligible_amount": ("-5", "“-5” is negative; a negative amount is not allowed here."),
    "vat": (
        "1,234",
        "“1,234” is ambiguous: the comma or point could separate thousands or decimals. "
        "Write 1234 for a whole amount, or at most two decimals, e.g. 1,23.",
    ),
    "category": ("food", "“food” is not a cost category of this project."),
    "supplier": ("  ", "Enter the supplier."),
    "invoice_number": ("", "Enter the invoice number."),
    "payment_date": ("yesterday", "“yesterday” is not a date: write 15.03.2026 or 2026-03-15."),
    "evidence_ref": ("x" * 256, "Write at most 255 characters."),
    "partner_id": (999_999, "This partner does not take part in the project."),
    "attachment_id": (999_999, "The attached file does not exist."),
}


async def test_finance_records_an_invoice_typed_in_latvian_style(families):
    finance = await principal(Role.FINANCE)
    project = families
    row = await record_expenditure(finance, project, invoice())

    assert (row.spent_on, row.payment_date) == (date(2026, 3, 15), date(2026, 3, 20))
    assert (row.amount, row.eligible_amount, row.vat, row.ineligible_amount) == (
        123450,
        100000,
        21426,
        23450,
    )
    assert (row.entry_no, row.version, row.state) == (1, 1, RecordState.CURRENT)
    assert (row.category, row.supplier, row.invoice_number) == (
        "external_services",
        'SIA "Birojs"',
        "BR-001",
    )
    assert (row.partner_id, row.project_id, row.created_by) == (None, project, finance.email)
    assert row.created_at is not None and row.change_note == ""

    [event] = await audit_events(row.id)
    assert (event["action"], event["actor"], event["project"]) == ("create", finance.email, project)
    assert event["before"] is None
    after = event["after"]
    assert after["amount"] == "1234.50" and after["eligible_amount"] == "1000.00"
    assert after["date"] == "2026-03-15" and after["entry_no"] == 1


async def test_empty_eligible_part_means_all_of_it_and_empty_vat_means_none(families):
    finance = await principal(Role.FINANCE)
    project = families
    row = await record_expenditure(
        finance, project, invoice(date="2026-03-15", eligible_amount=" ", vat=None)
    )
    assert (row.amount, row.eligible_amount, row.vat, row.ineligible_amount) == (
        123450,
        123450,
        0,
        0,
    )
    second = await record_expenditure(finance, project, invoice(invoice_number="BR-002"))
    assert second.entry_no == 2


async def test_everything_wrong_is_refused_at_once_and_nothing_is_written(families):
    finance = await principal(Role.FINANCE)
    typed = ExpenditureInput(**{field: value for field, (value, _) in MISTAKES.items()})
    refusal = await refused(record_expenditure(finance, families, typed))
    assert not refusal.conflict
    assert [(p.field, p.english()) for p in refusal.problems] == [
        (field, said) for field, (_, said) in MISTAKES.items()
    ]


async def test_parts_above_the_amount_and_dates_outside_the_project_are_refused(families):
    finance = await principal(Role.FINANCE)
    typed = invoice(date="31.12.2025", amount="100", eligible_amount="100,01", vat="100.50")
    assert problems(await refused(record_expenditure(finance, families, typed))) == [
        (
            "date",
            "The date %(date)s is outside the project period %(start)s–%(end)s.",
            {"date": "31.12.2025", "start": "01.01.2026", "end": "31.12.2027"},
        ),
        (
            "eligible_amount",
            "The eligible part (%(eligible)s) is more than the amount (%(amount)s).",
            {"eligible": "100,01", "amount": "100"},
        ),
        (
            "vat",
            "The VAT (%(vat)s) is more than the amount (%(amount)s).",
            {"vat": "100.50", "amount": "100"},
        ),
    ]
    refusal = await refused(record_expenditure(finance, families, invoice(date="", category="")))
    assert [(f, m) for f, m, _ in problems(refusal)] == [
        ("date", "Enter the invoice date."),
        ("category", "Choose a cost category."),
    ]


async def test_the_measures_own_categories_are_accepted_besides_the_standard_six(
    families, connectingen
):
    finance = await principal(Role.FINANCE)
    project = families
    measure = (await Project.select(Project.measure).where(Project.id == project).first())[
        "measure"
    ]
    await MeasureCostCategory.insert(
        MeasureCostCategory(measure=measure, code="participant_support", name_lv="Atbalsts")
    )
    row = await record_expenditure(finance, project, invoice(category="participant_support"))
    assert row.category == "participant_support"
    other = connectingen  # another measure: not its category
    with pytest.raises(Refused) as excinfo:
        await record_expenditure(
            finance, other, invoice(date="01.06.2025", category="participant_support")
        )
    assert [f for f, _, _ in problems(excinfo.value)] == ["category"]


async def test_an_invoice_in_a_submitted_or_approved_period_is_a_conflict(families):
    finance = await principal(Role.FINANCE)
    project = families
    await period_at(project, date(2026, 1, 1), PeriodStatus.SUBMITTED)
    await period_at(project, date(2026, 4, 1), PeriodStatus.APPROVED)
    await period_at(project, date(2026, 7, 1), PeriodStatus.RETURNED)
    for day, status in (("15.03.2026", "submitted"), ("01.04.2026", "approved")):
        refusal = await refused(record_expenditure(finance, project, invoice(date=day)))
        assert refusal.conflict
        [problem] = refusal.problems
        assert problem.field == "date"
        assert problem.english().endswith(f"is {status} and locked.")
    assert problem.params == {"start": "01.04.2026", "end": "30.06.2026"}
    row = await record_expenditure(finance, project, invoice(date="01.07.2026"))
    assert row.state == RecordState.CURRENT  # a returned period takes corrections


async def test_the_same_invoice_from_the_same_supplier_is_refused_as_a_conflict(
    families, connectingen
):
    finance = await principal(Role.FINANCE)
    project = families
    first = await record_expenditure(
        finance, project, invoice(supplier="SIA  Birojs ", invoice_number="Nr 1")
    )
    twin = invoice(supplier="sia birojs", invoice_number="NR   1", date="16.03.2026")
    refusal = await refused(record_expenditure(finance, project, twin))
    assert refusal.conflict
    assert problems(refusal) == [
        (
            "invoice_number",
            "Invoice %(invoice)s from %(supplier)s is already recorded as entry %(entry)s.",
            {"invoice": "NR   1", "supplier": "sia birojs", "entry": "1"},
        )
    ]

    await record_expenditure(finance, project, invoice(supplier="SIA Cits", invoice_number="Nr 1"))
    other = connectingen
    await record_expenditure(
        finance, other, invoice(date="01.06.2025", supplier="SIA Birojs", invoice_number="Nr 1")
    )
    await cancel_expenditure(finance, first.id, "Recorded twice by mistake")
    again = await record_expenditure(
        finance, project, invoice(supplier="SIA Birojs", invoice_number="Nr 1")
    )
    assert again.entry_no == 3  # entry numbers count per project


async def test_a_unique_index_violation_from_a_concurrent_writer_is_a_conflict(
    families, monkeypatch
):
    finance = await principal(Role.FINANCE)
    project = families
    await record_expenditure(finance, project, invoice())

    async def no_duplicate(*args):
        return None  # as if the other writer committed after our check

    monkeypatch.setattr(expenditures, "_duplicate", no_duplicate)
    refusal = await refused(record_expenditure(finance, project, invoice()))
    assert refusal.conflict
    assert problems(refusal) == [
        (None, "Someone else changed the expenditures at the same time; please try again.", {})
    ]


async def test_partner_budget_projects_default_to_our_own_partner(families, connectingen):
    finance = await principal(Role.FINANCE)
    tukums = (
        await Partner.select(Partner.id)
        .where(
            (Partner.project == connectingen) & (Partner.organisation.is_own == True)  # noqa: E712
        )
        .first()
    )["id"]
    row = await record_expenditure(finance, connectingen, invoice(date="01.06.2025"))
    assert row.partner_id == tukums

    assert (await record_expenditure(finance, families, invoice())).partner_id is None
    with pytest.raises(Refused) as excinfo:
        await record_expenditure(
            finance, families, invoice(invoice_number="BR-002", partner_id=tukums)
        )
    assert problems(excinfo.value) == [
        ("partner_id", "This partner does not take part in the project.", {})
    ]


async def test_only_finance_and_admin_of_the_project_may_record(families):
    project = families
    elsewhere = (await outsider(Role.FINANCE)).principal
    before = await written()
    for role in (Role.VIEWER, Role.COORDINATOR, Role.AUDITOR):
        with pytest.raises(AccessDenied):
            await record_expenditure(await principal(role), project, invoice())
    with pytest.raises(AccessDenied):
        await record_expenditure(elsewhere, project, invoice())
    with pytest.raises(AccessDenied):
        await list_expenditures(elsewhere, project)
    assert await written() == before

    row = await record_expenditure(await principal(Role.ADMIN), project, invoice())
    with pytest.raises(AccessDenied):
        await edit_expenditure(elsewhere, row.id, invoice(amount="1"), "wrong amount")
    with pytest.raises(AccessDenied):
        await cancel_expenditure(await principal(Role.COORDINATOR), row.id, "not ours")
    with pytest.raises(AccessDenied):
        await expenditure_history(elsewhere, row.id)
    for role in (Role.VIEWER, Role.COORDINATOR, Role.AUDITOR):
        assert [r.id for r in (await list_expenditures(await principal(role), project)).rows] == [
            row.id
        ]


async def test_an_edit_writes_the_next_version_and_keeps_the_old_one(families):
    finance = await principal(Role.FINANCE)
    project = families
    first = await record_expenditure(finance, project, invoice())
    other = await record_expenditure(
        finance, project, invoice(date="01.02.2026", invoice_number="BR-000")
    )
    edited = await edit_expenditure(
        finance, first.id, invoice(amount="1 300,00"), "  The invoice was corrected  "
    )

    assert (edited.entry_no, edited.version, edited.state) == (first.entry_no, 2, "current")
    assert (edited.amount, edited.change_note) == (130000, "The invoice was corrected")
    history = await expenditure_history(await principal(Role.VIEWER), edited.id)
    assert [(r.id, r.version, r.state, r.amount) for r in history] == [
        (first.id, 1, RecordState.SUPERSEDED, 123450),
        (edited.id, 2, RecordState.CURRENT, 130000),
    ]
    assert await expenditure_history(finance, first.id) == history
    current = (await list_expenditures(finance, project)).rows
    assert [r.id for r in current] == [other.id, edited.id]  # by date
    everything = (await list_expenditures(finance, project, include_history=True)).rows
    assert [(r.entry_no, r.version) for r in everything] == [(1, 1), (1, 2), (2, 1)]

    [event] = await audit_events(edited.id)
    assert (event["action"], event["note"]) == ("update", "The invoice was corrected")
    assert (event["before"]["amount"], event["after"]["amount"]) == ("1234.50", "1300.00")
    assert (event["before"]["id"], event["before"]["version"]) == (first.id, 1)
    assert event["after"]["version"] == 2


async def test_an_edit_needs_a_reason_a_current_row_and_a_free_invoice_number(families):
    finance = await principal(Role.FINANCE)
    project = families
    first = await record_expenditure(finance, project, invoice())
    await record_expenditure(finance, project, invoice(invoice_number="BR-002"))
    refusal = await refused(
        edit_expenditure(finance, first.id, invoice(invoice_number="br-002"), " ")
    )
    assert refusal.conflict
    assert [(p.field, p.english()) for p in refusal.problems] == [
        ("note", "Give the reason for the change."),
        ("invoice_number", 'Invoice br-002 from SIA "Birojs" is already recorded as entry 2.'),
    ]

    await edit_expenditure(finance, first.id, invoice(vat="0"), "VAT is recoverable")
    refusal = await refused(
        edit_expenditure(finance, first.id, invoice(vat="1"), "again on the old version")
    )
    assert refusal.conflict
    assert problems(refusal) == [
        (None, "This expenditure was changed or cancelled meanwhile; open its current version.", {})
    ]


async def test_a_row_in_a_locked_period_can_be_neither_edited_nor_moved_nor_cancelled(families):
    finance = await principal(Role.FINANCE)
    project = families
    row = await record_expenditure(finance, project, invoice())
    await period_at(project, row.spent_on, PeriodStatus.SUBMITTED)
    refusal = await refused(
        edit_expenditure(finance, row.id, invoice(date="01.05.2026"), "moved to Q2")
    )
    assert refusal.conflict
    assert problems(refusal) == [
        (
            "date",
            "The period %(start)s–%(end)s is submitted and locked.",
            {"start": "01.01.2026", "end": "31.03.2026"},
        )
    ]
    refusal = await refused(cancel_expenditure(finance, row.id, ""))
    assert refusal.conflict
    assert [f for f, _, _ in problems(refusal)] == ["note", "date"]


async def test_a_cancellation_keeps_the_row_out_of_the_list_but_in_the_history(families):
    finance = await principal(Role.FINANCE)
    project = families
    row = await record_expenditure(finance, project, invoice())
    refusal = await refused(cancel_expenditure(finance, row.id, "  "))
    assert problems(refusal) == [("note", "Give the reason for the change.", {})]

    cancelled = await cancel_expenditure(finance, row.id, "Paid from another budget")
    assert replace(cancelled, state=row.state, change_note="") == row
    assert (cancelled.state, cancelled.change_note) == ("cancelled", "Paid from another budget")
    assert (await list_expenditures(finance, project)).rows == []
    assert await expenditure_history(finance, row.id) == [cancelled]
    [_, event] = await audit_events(row.id)
    assert (event["action"], event["note"]) == ("cancel", "Paid from another budget")
    assert (event["before"]["state"], event["after"]["state"]) == ("current", "cancelled")
    assert (await refused(cancel_expenditure(finance, row.id, "twice"))).conflict
