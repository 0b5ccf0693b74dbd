"""Procurement contracts (iepirkuma līgumi): the ceiling every invoice under a contract is held
against.

A contract of a project has a reference ("IUB TNP 2025/14"), a supplier, an amount, the date it
was signed and the procedure it came from (Publisko iepirkumu likums, PIL). Its amount is the
contract's total as invoiced (with VAT where the supplier charges it), because the register's
amounts are; invoiced to date is the sum of the current expenditures naming it, so corrections
replace their old version and cancelled invoices free the ceiling. An invoice that would take
the total past the amount is refused (grants.finance.expenditures checks it with
`contract_problems`, in the same transaction that writes it, with the contract's row locked).

The procurement threshold is one figure per measure (`Measure.procurement_threshold`, cents,
without VAT as PIL counts contract values; empty: no threshold). PIL has several — 10 000 EUR
for goods and services and 20 000 EUR for works, from which PIL Art. 9 requires a procedure —
and a measure's rules may set lower ones; one figure, the lowest that applies to the project's
purchases, is what a finance officer wants flagged. An invoice whose amount without VAT is above
it and which names no contract is flagged, never refused: a purchase may rightly have none.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from piccolo.query.functions.aggregate import Sum

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.errors import NotFound, Problem, Problems, Refused
from grants.core.i18n import format_money
from grants.core.money import cents_to_str, money_str
from grants.core.paging import DEFAULT_PER_PAGE, Paged, offset
from grants.core.text import comparable
from grants.core.translatable import N_
from grants.core.vocabulary import RecordState
from grants.db import (
    INTEGRITY_ERRORS,
    first_or_not_found,
    from_row,
    insert_one,
    possible_id,
    write_transaction,
)
from grants.projects.periods import for_update
from grants.tables.expenditures import Expenditure
from grants.tables.procurement import Contract
from grants.tables.programmes import Measure
from grants.tables.projects import Project


class Procedure(StrEnum):
    """How the contract was procured: the procedures of PIL Art. 8, the small procurement of
    Art. 9, social and other specific services of Art. 10, a central purchasing body (the EIS
    e-catalogue), and a purchase below the thresholds with no procedure (a price survey)."""

    OPEN = "open"  # atklāts konkurss
    RESTRICTED = "restricted"  # slēgts konkurss
    COMPETITIVE_NEGOTIATION = "competitive_negotiation"  # konkursa procedūra ar sarunām
    COMPETITIVE_DIALOGUE = "competitive_dialogue"  # konkursa dialogs
    NEGOTIATED = "negotiated"  # sarunu procedūra
    SMALL = "small"  # mazais iepirkums (PIL 9. pants)
    SOCIAL_SERVICES = "social_services"  # sociālo un citu īpašu pakalpojumu iepirkums (10. p.)
    CENTRAL = "central"  # centralizēto iepirkumu institūcija, EIS e-katalogs
    BELOW_THRESHOLD = "below_threshold"  # zem iepirkuma sliekšņa: cenu aptauja


PROCEDURE_LABELS: dict[str, str] = {
    Procedure.OPEN: N_("Open competition"),
    Procedure.RESTRICTED: N_("Restricted competition"),
    Procedure.COMPETITIVE_NEGOTIATION: N_("Competitive procedure with negotiation"),
    Procedure.COMPETITIVE_DIALOGUE: N_("Competitive dialogue"),
    Procedure.NEGOTIATED: N_("Negotiated procedure"),
    Procedure.SMALL: N_("Small procurement (PIL Art. 9)"),
    Procedure.SOCIAL_SERVICES: N_("Social and other specific services (PIL Art. 10)"),
    Procedure.CENTRAL: N_("Central purchasing body (EIS e-catalogue)"),
    Procedure.BELOW_THRESHOLD: N_("Below the thresholds (price survey)"),
}

THRESHOLD_WARNING = N_(
    "Above the procurement threshold (%(threshold)s without VAT) and no contract named."
)
_REFERENCE_REQUIRED = N_("Enter the contract's reference.")
_SUPPLIER_REQUIRED = N_("Enter the supplier.")
_DATE_REQUIRED = N_("Enter the date the contract was signed.")
_PROCEDURE_REQUIRED = N_("Choose the procurement procedure.")
_PROCEDURE_UNKNOWN = N_("“%(value)s” is not a procurement procedure.")
_AMOUNT_ZERO = N_("A contract's amount is above zero.")
_DUPLICATE = N_("Contract %(reference)s is already recorded in this project.")
_BELOW_INVOICED = N_(
    "The amount cannot be less than what is invoiced under the contract already (%(invoiced)s)."
)
CONTRACT_UNKNOWN = N_("This contract is not one of the project's.")
_OVER_CEILING = N_(
    "This invoice (%(amount)s) would take contract %(reference)s past its amount"
    " (%(ceiling)s): %(left)s is left."
)
_THRESHOLD_NEGATIVE = N_("The threshold cannot be below zero.")


@dataclass(frozen=True)
class ContractInput:
    """A contract as typed in the form or sent to the API; amounts and dates as strings. On
    a change, None keeps what is stored."""

    reference: str | None = None
    supplier: str | None = None
    amount: str | None = None
    date: str | date | None = None
    procedure: str | None = None


@dataclass(frozen=True)
class ContractRow:
    """A contract and what is invoiced under it to date; amounts in cents."""

    id: int
    project_id: int
    reference: str
    supplier: str
    amount: int
    signed_on: date
    procedure: str
    created_by: str | None  # email; None for the command line or a removed user
    created_at: datetime
    invoiced: int = 0  # Σ amount of the current expenditures naming it

    @property
    def left(self) -> int:
        """What may still be invoiced; below zero only if the amount was lowered by SQL."""
        return self.amount - self.invoiced

    @property
    def used_percent(self) -> int:
        """Invoiced as a whole percentage of the amount, 0–100, for the bar."""
        if self.amount <= 0:
            return 100
        return max(0, min(100, self.invoiced * 100 // self.amount))


@dataclass(frozen=True)
class ContractInvoice:
    """A current expenditure naming a contract, for the contract's list of invoices."""

    id: int
    contract_id: int
    entry_no: int
    spent_on: date
    supplier: str
    invoice_number: str
    amount: int


# Reading


_COLUMNS = (
    Contract.id,
    Contract.project,
    Contract.reference,
    Contract.supplier,
    Contract.amount,
    Contract.signed_on,
    Contract.procedure,
    Contract.created_by.email.as_alias("created_by_email"),
    Contract.created_at,
)


async def invoiced_sums(contract_ids: list[int], *, except_entry: int | None = None) -> dict:
    """Per contract, Σ amount of the current expenditures naming it, in cents, added up in
    SQL; `except_entry`: leave out that entry (the one being corrected)."""
    if not contract_ids:
        return {}
    query = (
        Expenditure.select(Expenditure.contract, Sum(Expenditure.amount, alias="invoiced"))
        .where(
            Expenditure.contract.is_in(contract_ids) & (Expenditure.state == RecordState.CURRENT)
        )
        .group_by(Expenditure.contract)
    )
    if except_entry is not None:
        query = query.where(Expenditure.entry_no != except_entry)
    # PostgreSQL sums bigint as numeric (Decimal), SQLite as integer: both exact.
    return {r["contract"]: int(r["invoiced"]) for r in await query}


async def _rows(records: list[dict]) -> list[ContractRow]:
    sums = await invoiced_sums([r["id"] for r in records])
    return [
        from_row(
            ContractRow,
            r,
            project_id=r["project"],
            created_by=r["created_by_email"],
            invoiced=sums.get(r["id"], 0),
        )
        for r in records
    ]


def _readable(principal: Principal, project_id: int) -> None:
    """Other projects' contracts are not found, like missing ones."""
    if not principal.can_read_project(project_id):
        raise NotFound()
    principal.require(Action.READ, project_id)


async def _record(contract_id: int) -> dict:
    if not possible_id(contract_id):
        raise NotFound()
    return await first_or_not_found(Contract.select(*_COLUMNS).where(Contract.id == contract_id))


async def get_contract(principal: Principal, contract_id: int) -> ContractRow:
    """One contract with what is invoiced under it; NotFound for an unknown id or another
    project's contract."""
    record = await _record(contract_id)
    _readable(principal, record["project"])
    return (await _rows([record]))[0]


async def list_contracts(
    principal: Principal, project_id: int, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> Paged[ContractRow]:
    """A page of the project's contracts by date signed, each with what is invoiced and left;
    NotFound for a project the reader does not have (or no such project)."""
    await _project_exists(project_id)
    _readable(principal, project_id)
    where = Contract.project == project_id
    total = await Contract.count().where(where)
    records = await (
        Contract.select(*_COLUMNS)
        .where(where)
        .order_by(Contract.signed_on)
        .order_by(Contract.id)
        .limit(per_page)
        .offset(offset(page, per_page))
    )
    return Paged(await _rows(records), total, page, per_page)


async def contract_choices(project_id: int) -> list[tuple[str, str]]:
    """The project's contracts for the expenditure form's select: (id, "reference · supplier"),
    by reference. Callers check access."""
    rows = await Contract.raw(
        "SELECT id, reference, supplier FROM contract WHERE project = {} ORDER BY reference_key",
        project_id,
    )
    return [(str(r["id"]), f"{r['reference']} · {r['supplier']}") for r in rows]


async def contract_invoices(
    project_id: int, contract_ids: list[int]
) -> dict[int, list[ContractInvoice]]:
    """The current expenditures naming each of these contracts of the project, by date, in one
    query. Callers check access."""
    if not contract_ids:
        return {}
    rows = await (
        Expenditure.select(
            Expenditure.id,
            Expenditure.contract,
            Expenditure.entry_no,
            Expenditure.spent_on,
            Expenditure.supplier,
            Expenditure.invoice_number,
            Expenditure.amount,
        )
        .where(
            (Expenditure.project == project_id)
            & Expenditure.contract.is_in(contract_ids)
            & (Expenditure.state == RecordState.CURRENT)
        )
        .order_by(Expenditure.spent_on)
        .order_by(Expenditure.entry_no)
    )
    found: dict[int, list[ContractInvoice]] = {}
    for r in rows:
        found.setdefault(r["contract"], []).append(
            from_row(ContractInvoice, r, contract_id=r["contract"])
        )
    return found


async def procurement_threshold(principal: Principal, project_id: int) -> int | None:
    """The threshold of the project's measure in cents without VAT; None: none is set.
    NotFound for a project the reader does not have."""
    await _project_exists(project_id)
    _readable(principal, project_id)
    row = await (
        Project.select(Project.measure.procurement_threshold.as_alias("threshold"))
        .where(Project.id == project_id)
        .first()
    )
    return None if row is None else row["threshold"]


# Writing


async def _project_exists(project_id: int) -> None:
    if not possible_id(project_id) or not await Project.exists().where(Project.id == project_id):
        raise NotFound()


def _parse(data: ContractInput, old: ContractRow | None, problems: Problems) -> dict:
    """The column values from the input (None: keep `old`'s), a problem for every field that is
    wrong, in the order of the form."""
    values: dict = {}
    if data.reference is not None or old is None:
        limit = Contract.reference.length
        reference = problems.text(
            data.reference, "reference", limit=limit, required=_REFERENCE_REQUIRED, key=comparable
        )
        values |= {"reference": reference, "reference_key": comparable(reference)}
    if data.supplier is not None or old is None:
        values["supplier"] = problems.text(
            data.supplier, "supplier", limit=Contract.supplier.length, required=_SUPPLIER_REQUIRED
        )
    if data.amount is not None or old is None:
        amount = problems.cents(data.amount, "amount")
        if amount is not None and amount <= 0:
            problems.add(_AMOUNT_ZERO, "amount")
        values["amount"] = amount
    if data.date is not None or old is None:
        values["signed_on"] = problems.date(data.date, "date", required=_DATE_REQUIRED)
    if data.procedure is not None or old is None:
        procedure = (data.procedure or "").strip()
        if not procedure:
            problems.add(_PROCEDURE_REQUIRED, "procedure")
        elif procedure not in {p.value for p in Procedure}:
            problems.add(_PROCEDURE_UNKNOWN, "procedure", value=procedure)
        values["procedure"] = procedure
    return values


async def _duplicate(project_id: int, key: str, contract_id: int | None) -> bool:
    query = Contract.exists().where(
        (Contract.project == project_id) & (Contract.reference_key == key)
    )
    if contract_id is not None:
        query = query.where(Contract.id != contract_id)
    return await query


def _snapshot(row: ContractRow) -> dict:
    """The contract for the audit trail: JSON-able, the amount as a decimal string."""
    return {
        "id": row.id,
        "reference": row.reference,
        "supplier": row.supplier,
        "amount": cents_to_str(row.amount),
        "date": row.signed_on.isoformat(),
        "procedure": row.procedure,
    }


def _duplicate_refusal(reference: str) -> Refused:
    return Refused.one(_DUPLICATE, field="reference", conflict=True, reference=reference)


async def create_contract(
    principal: Principal, project_id: int, data: ContractInput
) -> ContractRow:
    """Add a contract to the project; Refused with every problem and nothing written (a
    conflict when the reference is the project's already, also when two writers race)."""
    await _project_exists(project_id)
    if not principal.can_read_project(project_id):
        raise NotFound()
    principal.require(Action.RECORD_EXPENDITURE, project_id)
    async with write_transaction():
        problems = Problems()
        values = _parse(data, None, problems)
        problems.raise_if_any()
        if await _duplicate(project_id, values["reference_key"], None):
            raise _duplicate_refusal(values["reference"])
        try:
            new_id = await insert_one(
                Contract, project=project_id, created_by=principal.user_id, **values
            )
        except INTEGRITY_ERRORS as error:
            raise _duplicate_refusal(values["reference"]) from error
        row = (await _rows([await _record(new_id)]))[0]
        await audit.record(
            "create", "contract", row.id, actor=principal, project_id=project_id,
            after=_snapshot(row),
        )  # fmt: skip
    return row


async def edit_contract(principal: Principal, contract_id: int, data: ContractInput) -> ContractRow:
    """Change a contract's fields that `data` gives; the amount cannot go below what is
    invoiced under it already. Recorded with before and after."""
    record = await _record(contract_id)
    _readable(principal, record["project"])
    principal.require(Action.RECORD_EXPENDITURE, record["project"])
    async with write_transaction():
        await for_update(Contract.select(Contract.id).where(Contract.id == contract_id))
        old = (await _rows([await _record(contract_id)]))[0]
        problems = Problems()
        values = _parse(data, old, problems)
        amount = values.get("amount")
        if amount is not None and amount > 0 and amount < old.invoiced:
            problems.add(_BELOW_INVOICED, "amount", invoiced=format_money(old.invoiced))
        problems.raise_if_any()
        key = values.get("reference_key")
        if key is not None and await _duplicate(old.project_id, key, old.id):
            raise _duplicate_refusal(values["reference"])
        if values:
            try:
                await Contract.update({getattr(Contract, k): v for k, v in values.items()}).where(
                    Contract.id == contract_id
                )
            except INTEGRITY_ERRORS as error:
                raise _duplicate_refusal(values["reference"]) from error
        row = (await _rows([await _record(contract_id)]))[0]
        if _snapshot(row) != _snapshot(old):
            await audit.record(
                "update", "contract", row.id, actor=principal, project_id=row.project_id,
                before=_snapshot(old), after=_snapshot(row),
            )  # fmt: skip
    return row


async def contract_problems(
    project_id: int, contract_id: int | None, amount: int | None, entry_no: int | None
) -> list[Problem]:
    """Why an invoice of `amount` cents may not name this contract: another project's (or no
    such) contract, or the invoices under it would add up to more than its amount (the message
    says how much is left). `entry_no`: the entry being corrected, whose current version the
    correction replaces. Locks the contract's row on PostgreSQL, so two invoices cannot both
    take the last of a ceiling; call it inside the write transaction."""
    if contract_id is None:
        return []
    found = None
    if possible_id(contract_id):
        found = await for_update(
            Contract.select(Contract.id, Contract.reference, Contract.amount).where(
                (Contract.id == contract_id) & (Contract.project == project_id)
            )
        ).first()
    if found is None:
        return [Problem(CONTRACT_UNKNOWN, "contract_id")]
    if amount is None:
        return []
    invoiced = (await invoiced_sums([contract_id], except_entry=entry_no)).get(contract_id, 0)
    left = found["amount"] - invoiced
    if amount <= left:
        return []
    params = {
        "amount": format_money(amount),
        "reference": found["reference"],
        "ceiling": format_money(found["amount"]),
        "left": format_money(max(left, 0)),
    }
    return [Problem(_OVER_CEILING, "contract_id", params)]


async def set_procurement_threshold(
    principal: Principal, project_id: int, threshold: str | None
) -> int | None:
    """Set the procurement threshold of the project's measure (every project under it shares
    it), in euros without VAT; empty removes it. Administrators only: it is the measure's
    rule, not the project's. Its new value in cents."""
    await _project_exists(project_id)
    if not principal.can_read_project(project_id):
        raise NotFound()
    principal.require(Action.CREATE_PROJECT)  # administrators set up programmes and measures
    problems = Problems()
    cents = problems.cents(threshold, "procurement_threshold", required=False, empty=None)
    if cents is not None and cents < 0:
        problems.add(_THRESHOLD_NEGATIVE, "procurement_threshold")
    problems.raise_if_any()
    async with write_transaction():
        row = await first_or_not_found(
            Project.select(
                Project.measure, Project.measure.procurement_threshold.as_alias("threshold")
            ).where(Project.id == project_id)
        )
        await Measure.update({Measure.procurement_threshold: cents}).where(
            Measure.id == row["measure"]
        )
        if row["threshold"] != cents:
            await audit.record(
                "update", "measure", row["measure"], actor=principal, project_id=project_id,
                before={"procurement_threshold": money_str(row["threshold"])},
                after={"procurement_threshold": money_str(cents)},
            )  # fmt: skip
    return cents
