"""Procurement contracts in the domain: the ceiling every invoice under a contract is held
against (refused with exactly what is left), corrections and cancellations re-counting, another
project's contract refused, the reference unique per project however it is spelled (also when
two writers race), the procurement threshold flag and the audit trail."""

import asyncio
import json

import pytest

from grants.core.access import AccessDenied
from grants.core.errors import NotFound
from grants.core.vocabulary import Role
from grants.db import INTEGRITY_ERRORS, insert_one
from grants.finance.expenditures import (
    cancel_expenditure,
    edit_expenditure,
    list_expenditures,
    record_expenditure,
)
from grants.procurement.contracts import (
    ContractInput,
    create_contract,
    edit_contract,
    get_contract,
    list_contracts,
    set_procurement_threshold,
)
from grants.tables.audit import AuditEvent
from grants.tables.expenditures import Expenditure
from grants.tables.procurement import Contract
from tests import builders
from tests.builders import BUILDER, invoice, outsider
from tests.helpers import SIF_002, eur, principal, refusal

NET = {"eligible_amount": "", "vat": ""}  # all of it eligible, no VAT
IUB = ContractInput(
    reference="IUB TNP 2025/14",
    supplier='SIA "Birojs"',
    amount="10 000,00",
    date="10.02.2026",
    procedure="open",
)


async def contract(project: int, **changes) -> int:
    data = ContractInput(**(IUB.__dict__ | changes))
    return (await create_contract(BUILDER, project, data)).id


async def test_a_contract_shows_what_is_invoiced_and_left(families):
    cid = await contract(families)
    finance = await principal(Role.FINANCE)
    await record_expenditure(finance, families, invoice(amount="1 234,50", contract_id=cid))
    await record_expenditure(
        finance, families, invoice(amount="765,50", **NET, invoice_number="BR-002", contract_id=cid)
    )
    await record_expenditure(
        finance, families, invoice(amount="99,00", **NET, invoice_number="BR-003")
    )
    row = await get_contract(finance, cid)
    assert (row.amount, row.invoiced, row.left, row.used_percent) == (
        1_000_000,
        200_000,
        800_000,
        20,
    )
    assert (row.reference, row.signed_on.isoformat(), row.procedure) == (
        "IUB TNP 2025/14",
        "2026-02-10",
        "open",
    )
    listed = await list_contracts(await principal(Role.VIEWER), families)
    assert [(c.id, c.invoiced) for c in listed.rows] == [(cid, 200_000)]


async def test_an_invoice_past_the_ceiling_is_refused_with_exactly_what_is_left(families):
    cid = await contract(families)
    finance = await principal(Role.FINANCE)
    await record_expenditure(finance, families, invoice(amount="9 000,01", contract_id=cid))
    refused = await refusal(
        record_expenditure(
            finance,
            families,
            invoice(
                amount="1 000,00", eligible_amount="", invoice_number="BR-002", contract_id=cid
            ),
        )
    )
    assert not refused.conflict
    assert [(p.field, p.english()) for p in refused.problems] == [
        (
            "contract_id",
            f"This invoice ({eur('1 000,00')}) would take contract IUB TNP 2025/14 past its"
            f" amount ({eur('10 000,00')}): {eur('999,99')} is left.",
        )
    ]
    assert await Expenditure.count() == 1
    # exactly what is left goes in
    await record_expenditure(
        finance,
        families,
        invoice(amount="999,99", eligible_amount="", invoice_number="BR-002", contract_id=cid),
    )
    assert (await get_contract(finance, cid)).left == 0


async def test_every_problem_is_listed_at_once(families):
    cid = await contract(families)
    refused = await refusal(
        record_expenditure(
            BUILDER, families, invoice(amount="20 000", category="", contract_id=cid)
        )
    )
    assert {p.field for p in refused.problems} == {"category", "contract_id"}


async def test_a_correction_replaces_its_old_version_in_the_count(families):
    cid = await contract(families)
    finance = await principal(Role.FINANCE)
    first = await record_expenditure(finance, families, invoice(amount="6 000", contract_id=cid))
    # the correction counts instead of the version it replaces, not on top of it
    corrected = await edit_expenditure(
        finance, first.id, invoice(amount="9 500", contract_id=cid), "typo"
    )
    assert (await get_contract(finance, cid)).invoiced == 950_000
    refused = await refusal(
        edit_expenditure(finance, corrected.id, invoice(amount="10 000,01", contract_id=cid), "x")
    )
    assert refused.problems[0].params["left"] == eur("10 000,00")
    # taking the contract off the invoice frees the ceiling
    await edit_expenditure(finance, corrected.id, invoice(amount="9 500"), "no contract")
    assert (await get_contract(finance, cid)).invoiced == 0


async def test_a_cancelled_invoice_frees_the_ceiling(families):
    cid = await contract(families)
    finance = await principal(Role.FINANCE)
    row = await record_expenditure(finance, families, invoice(amount="10 000", contract_id=cid))
    await refusal(
        record_expenditure(
            finance, families, invoice(amount="1", **NET, invoice_number="BR-002", contract_id=cid)
        )
    )
    await cancel_expenditure(finance, row.id, "wrong supplier")
    assert (await get_contract(finance, cid)).invoiced == 0
    await record_expenditure(
        finance, families, invoice(amount="1", **NET, invoice_number="BR-002", contract_id=cid)
    )
    assert (await get_contract(finance, cid)).left == 999_900


async def test_another_projects_contract_is_refused(families):
    other = await builders.project(
        SIF_002, start=None, end=None, total=None, eligible=None, funding=()
    )
    theirs = await contract(other)
    for unknown in (theirs, 4_294_967_296, "abc"):
        refused = await refusal(record_expenditure(BUILDER, families, invoice(contract_id=unknown)))
        assert [(p.field, p.english()) for p in refused.problems] == [
            ("contract_id", "This contract is not one of the project's.")
        ]
    assert await Expenditure.count() == 0


async def test_the_reference_is_unique_per_project_however_spelled(families):
    await contract(families)
    for spelling in ("iub tnp 2025/14", " IUB  TNP 2025/14 ", "ＩＵＢ TNP 2025/14"):
        refused = await refusal(
            create_contract(
                BUILDER, families, ContractInput(**(IUB.__dict__ | {"reference": spelling}))
            )
        )
        assert refused.conflict and refused.problems[0].field == "reference"
    other = await builders.project(
        SIF_002, start=None, end=None, total=None, eligible=None, funding=()
    )
    await contract(other)  # another project may have the same reference
    second = await contract(families, reference="IUB TNP 2025/15")
    refused = await refusal(
        edit_contract(BUILDER, second, ContractInput(reference="iub tnp 2025/14"))
    )
    assert refused.conflict
    assert await Contract.count() == 3


async def test_the_database_holds_one_reference_per_project(families):
    await contract(families)
    with pytest.raises(INTEGRITY_ERRORS):
        await insert_one(
            Contract,
            project=families,
            reference="iub tnp 2025/14",
            reference_key="iub tnp 2025/14",
            supplier="x",
            amount=1,
            signed_on=(await Contract.select(Contract.signed_on).first())["signed_on"],
            procedure="open",
        )


async def test_concurrent_adds_of_one_reference_enter_it_once(families):
    spellings = ["IUB TNP 2025/14", "iub tnp 2025/14", "IUB  TNP 2025/14", "Iub Tnp 2025/14"]
    results = await asyncio.gather(
        *(
            create_contract(BUILDER, families, ContractInput(**(IUB.__dict__ | {"reference": r})))
            for r in spellings
        ),
        return_exceptions=True,
    )
    made = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(made) == 1
    assert all(getattr(r, "conflict", False) for r in refused), refused
    assert await Contract.count() == 1


async def test_concurrent_invoices_cannot_both_take_the_last_of_a_ceiling(families):
    cid = await contract(families, amount="1 000,00")
    finance = await principal(Role.FINANCE)
    results = await asyncio.gather(
        *(
            record_expenditure(
                finance,
                families,
                invoice(amount="600", eligible_amount="", invoice_number=f"C-{n}", contract_id=cid),
            )
            for n in range(3)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert (await get_contract(finance, cid)).invoiced == 60_000


async def test_a_contract_is_refused_with_every_problem(families):
    refused = await refusal(
        create_contract(
            BUILDER,
            families,
            ContractInput(
                reference=" ", supplier="", amount="0", date="31.02.2026", procedure="bid"
            ),
        )
    )
    assert [p.field for p in refused.problems] == [
        "reference",
        "supplier",
        "amount",
        "date",
        "procedure",
    ]
    assert await Contract.count() == 0


async def test_the_amount_cannot_go_below_what_is_invoiced(families):
    cid = await contract(families)
    await record_expenditure(BUILDER, families, invoice(amount="4 000", contract_id=cid))
    refused = await refusal(edit_contract(BUILDER, cid, ContractInput(amount="3 999,99")))
    assert refused.problems[0].english() == (
        "The amount cannot be less than what is invoiced under the contract already"
        f" ({eur('4 000,00')})."
    )
    row = await edit_contract(BUILDER, cid, ContractInput(amount="4 000"))
    assert (row.amount, row.left, row.supplier) == (400_000, 0, 'SIA "Birojs"')


async def test_invoices_above_the_threshold_without_a_contract_are_flagged(families):
    cid = await contract(families, amount="20 000")
    finance = await principal(Role.FINANCE)
    # no threshold yet: nothing is flagged
    await record_expenditure(
        finance, families, invoice(amount="12 100", vat="2 100", invoice_number="A")
    )
    assert [r.needs_contract for r in (await list_expenditures(finance, families)).rows] == [False]
    assert await set_procurement_threshold(BUILDER, families, "10 000,00") == 1_000_000
    await record_expenditure(
        finance, families, invoice(amount="12 100,01", vat="2 100", invoice_number="B")
    )
    await record_expenditure(
        finance,
        families,
        invoice(amount="12 100,01", vat="2 100", invoice_number="C", contract_id=cid),
    )
    rows = (await list_expenditures(finance, families)).rows
    # without VAT: exactly at the threshold is not above it
    assert {r.invoice_number: r.needs_contract for r in rows} == {"A": False, "B": True, "C": False}
    assert rows[0].procurement_threshold == 1_000_000


async def test_only_administrators_set_the_threshold(families):
    refused_roles = (Role.FINANCE, Role.COORDINATOR, Role.VIEWER, Role.AUDITOR)
    for role in refused_roles:
        with pytest.raises(AccessDenied):
            await set_procurement_threshold(await principal(role), families, "10 000")
    admin = await principal(Role.ADMIN)
    assert await set_procurement_threshold(admin, families, "") is None
    assert await refusal(set_procurement_threshold(admin, families, "-1"))


async def test_roles_and_outsiders(families):
    cid = await contract(families)
    for role in (Role.COORDINATOR, Role.VIEWER, Role.AUDITOR):
        who = await principal(role)
        assert (await get_contract(who, cid)).id == cid
        with pytest.raises(AccessDenied):
            await create_contract(who, families, IUB)
        with pytest.raises(AccessDenied):
            await edit_contract(who, cid, ContractInput(supplier="x"))
    stranger = (await outsider(Role.FINANCE)).principal
    for work in (
        get_contract(stranger, cid),
        list_contracts(stranger, families),
        create_contract(stranger, families, IUB),
        edit_contract(stranger, cid, ContractInput(supplier="x")),
    ):
        with pytest.raises(NotFound):
            await work
    with pytest.raises(NotFound):
        await get_contract(BUILDER, 2**31)


async def test_every_change_is_in_the_audit_trail(families):
    cid = await contract(families)
    await edit_contract(BUILDER, cid, ContractInput(amount="12 000", supplier="SIA Jauns"))
    await edit_contract(BUILDER, cid, ContractInput(amount="12 000,00"))  # nothing changes
    events = await (
        AuditEvent.select(AuditEvent.action, AuditEvent.before, AuditEvent.after)
        .where(AuditEvent.entity == "contract")
        .order_by(AuditEvent.id)
    )
    assert [e["action"] for e in events] == ["create", "update"]
    before, after = json.loads(events[1]["before"]), json.loads(events[1]["after"])
    assert (before["amount"], after["amount"]) == ("10000.00", "12000.00")
    assert (before["supplier"], after["supplier"]) == ('SIA "Birojs"', "SIA Jauns")
    await record_expenditure(BUILDER, families, invoice(contract_id=cid))
    created = await (
        AuditEvent.select(AuditEvent.after).where(AuditEvent.entity == "expenditure").first()
    )
    assert json.loads(created["after"])["contract_id"] == cid
    await set_procurement_threshold(BUILDER, families, "10 000")
    threshold = (
        await AuditEvent.select(AuditEvent.after).where(AuditEvent.entity == "measure").first()
    )
    assert json.loads(threshold["after"]) == {"procurement_threshold": "10000.00"}
