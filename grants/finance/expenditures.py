"""The expenditure register: declared invoices, versioned so that nothing is lost.

A row is never changed in place: an edit writes the next version of the same entry and marks
the old one superseded; a cancellation marks the row cancelled. Only current rows count.
Invoices dated in a submitted or approved period are frozen, because that period's report
has been sent with them. Evidence files belong to the entry, so every version shows them
(grants.finance.evidence); they are added and removed while the entry may still change.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from piccolo.engine.sqlite import SQLiteEngine
from piccolo.query.functions.aggregate import Sum

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.errors import NotFound, Problem, Problems, Refused
from grants.core.messages import (
    ATTACHMENT_UNKNOWN,
    CATEGORY_REQUIRED,
    CATEGORY_UNKNOWN,
)
from grants.core.money import cents_to_str
from grants.core.paging import DEFAULT_PER_PAGE, Paged, offset
from grants.core.translatable import N_
from grants.core.vocabulary import ClaimStatus, CostCategory, FundingBase, RecordState
from grants.db import (
    INTEGRITY_ERRORS,
    from_row,
    insert_one,
    marks,
    possible_id,
    row_or_not_found,
    write_transaction,
)
from grants.finance.evidence import (
    EvidenceFile,
    Upload,
    check_uploads,
    entry_files,
    link_files,
    unlink_file,
)
from grants.procurement.contracts import CONTRACT_UNKNOWN, contract_problems
from grants.projects.periods import PeriodRow, for_update, list_periods, locked_problem
from grants.projects.reading import project_dates
from grants.tables.attachments import Attachment
from grants.tables.claims import ClaimItem
from grants.tables.expenditures import Expenditure
from grants.tables.funding import FundingLine
from grants.tables.programmes import MeasureCostCategory
from grants.tables.projects import Partner, Project

_DATE_REQUIRED = N_("Enter the invoice date.")
_ELIGIBLE_ABOVE = N_("The eligible part (%(eligible)s) is more than the amount (%(amount)s).")
_VAT_ABOVE = N_("The VAT (%(vat)s) is more than the amount (%(amount)s).")
_SUPPLIER_REQUIRED = N_("Enter the supplier.")
_INVOICE_REQUIRED = N_("Enter the invoice number.")
_DUPLICATE = N_("Invoice %(invoice)s from %(supplier)s is already recorded as entry %(entry)s.")
_PARTNER_UNKNOWN = N_("This partner does not take part in the project.")
_NOTE_REQUIRED = N_("Give the reason for the change.")
_NOT_CURRENT = N_("This expenditure was changed or cancelled meanwhile; open its current version.")
_CONCURRENT = N_("Someone else changed the expenditures at the same time; please try again.")
_FILE_REQUIRED = N_("Choose a file to attach.")
_IN_CLAIM = N_(
    "This expenditure is in payment claim No. %(number)s, which is “%(status)s”; it can change"
    " only if the claim is returned or rejected."
)
# A claim in these holds its expenditures: the funder has them (grants.claims).
_CLAIM_FROZEN = (ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID)


@dataclass(frozen=True)
class ExpenditureInput:
    """One invoice as typed in the form or sent to the API, every amount and date a string."""

    date: str
    amount: str
    eligible_amount: str | None = None  # empty: all of the amount is eligible
    vat: str | None = None  # empty: no VAT
    category: str = ""
    supplier: str = ""
    invoice_number: str = ""
    payment_date: str | None = None
    description: str = ""
    evidence_ref: str = ""
    partner_id: int | None = None
    attachment_id: int | None = None  # a file the project stored already, to link as well
    contract_id: int | str | None = None  # the procurement contract; the form sends text


@dataclass(frozen=True)
class ExpenditureRow:
    """One version of a register entry; amounts in cents."""

    id: int
    project_id: int
    partner_id: int | None
    entry_no: int
    version: int
    state: RecordState
    spent_on: date  # the invoice date
    amount: int
    eligible_amount: int
    vat: int
    category: str
    supplier: str
    invoice_number: str
    payment_date: date | None
    description: str
    evidence_ref: str
    change_note: str
    created_by: str | None  # email; None when the user was removed
    created_at: datetime
    files: tuple[EvidenceFile, ...] = ()  # the entry's, the same on every version
    contract_id: int | None = None  # the procurement contract it is held against
    procurement_threshold: int | None = None  # the measure's, as read with the row (cents)

    @property
    def ineligible_amount(self) -> int:
        """The part the municipality covers."""
        return self.amount - self.eligible_amount

    @property
    def needs_contract(self) -> bool:
        """Above the measure's procurement threshold (amounts without VAT, as the public
        procurement law counts) and naming no contract: flagged, never refused."""
        threshold = self.procurement_threshold
        return (
            self.contract_id is None
            and threshold is not None
            and self.amount - self.vat > threshold
        )


def invoice_key(text: str) -> str:
    """Supplier and invoice number as the duplicate check compares them."""
    return " ".join(text.split()).casefold()


# Reading


# The rows' reads in raw SQL: every expenditure page and report runs them, and Piccolo's
# building of the joined select took longer than the database's answer.
_SELECT = """
SELECT e.id, e.project, e.partner, e.entry_no, e.version, e.state, e.spent_on, e.amount,
    e.eligible_amount, e.vat, e.category, e.supplier, e.invoice_number, e.payment_date,
    e.description, e.evidence_ref, e.change_note, u.email AS created_by_email, e.created_at,
    e.contract, m.procurement_threshold
FROM expenditure e LEFT JOIN grants_user u ON u.id = e.created_by
LEFT JOIN project p ON p.id = e.project LEFT JOIN measure m ON m.id = p.measure
"""


def _to_row(r: dict) -> ExpenditureRow:
    return from_row(
        ExpenditureRow,
        r,
        project_id=r["project"],
        partner_id=r["partner"],
        state=RecordState(r["state"]),
        created_by=r["created_by_email"],
        contract_id=r["contract"],
    )


async def _with_files(project_id: int, rows: list[dict]) -> list[ExpenditureRow]:
    """The project's rows with their entries' evidence files, read in one query."""
    files = await entry_files(project_id, [r["entry_no"] for r in rows])
    return [replace(_to_row(r), files=files.get(r["entry_no"], ())) for r in rows]


async def _row(expenditure_id: int) -> ExpenditureRow:
    row = row_or_not_found(await Expenditure.raw(_SELECT + "WHERE e.id = {}", expenditure_id))
    return (await _with_files(row["project"], [row]))[0]


async def current_rows(project_id: int, *, until: date | None = None) -> list[ExpenditureRow]:
    """The project's current expenditures dated up to `until`, by date. Callers check access."""
    where, args = "WHERE e.project = {} AND e.state = {}", [project_id, RecordState.CURRENT.value]
    if until is not None:
        where, args = where + " AND e.spent_on <= {}", [*args, until]
    rows = await Expenditure.raw(_SELECT + where + " ORDER BY e.spent_on, e.entry_no", *args)
    return await _with_files(project_id, rows)


async def declared_totals(project_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per project (Σ amount, Σ eligible amount) of its current expenditures, in cents; projects
    without any are left out. One grouped query for them all; callers check access."""
    if not project_ids:
        return {}
    rows = await (
        Expenditure.select(
            Expenditure.project,
            Sum(Expenditure.amount, alias="amount"),
            Sum(Expenditure.eligible_amount, alias="eligible"),
        )
        .where(Expenditure.project.is_in(project_ids) & (Expenditure.state == RecordState.CURRENT))
        .group_by(Expenditure.project)
    )
    # PostgreSQL sums bigint as numeric (Decimal), SQLite as integer: both exact.
    return {row["project"]: (int(row["amount"]), int(row["eligible"])) for row in rows}


async def list_expenditures(
    principal: Principal,
    project_id: int,
    *,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    include_history: bool = False,
) -> Paged[ExpenditureRow]:
    """A page of the current expenditures by date; with history, of every version, grouped by
    entry, oldest first. A page beyond the last is empty."""
    principal.require(Action.READ, project_id)
    if include_history:
        where, args, order = "WHERE e.project = {}", [project_id], "e.entry_no, e.version"
    else:
        where = "WHERE e.project = {} AND e.state = {}"
        args, order = [project_id, RecordState.CURRENT.value], "e.spent_on, e.entry_no"
    [counted] = await Expenditure.raw(f"SELECT COUNT(*) AS n FROM expenditure e {where}", *args)
    rows = await Expenditure.raw(
        f"{_SELECT} {where} ORDER BY {order} LIMIT {{}} OFFSET {{}}",
        *args,
        per_page,
        offset(page, per_page),
    )
    total = counted["n"]
    return Paged(await _with_files(project_id, rows), total, page, per_page)


async def expenditure_history(principal: Principal, expenditure_id: int) -> list[ExpenditureRow]:
    """Every version of the entry this row belongs to, oldest first."""
    row = await _row(expenditure_id)
    principal.require(Action.READ, row.project_id)
    rows = await Expenditure.raw(
        _SELECT + "WHERE e.project = {} AND e.entry_no = {} ORDER BY e.version",
        row.project_id,
        row.entry_no,
    )
    return await _with_files(row.project_id, rows)


@dataclass(frozen=True)
class Declared:
    """The current expenditures a report counts: a period's and everything up to its end."""

    period: PeriodRow | None  # None: the whole project
    periods: list[PeriodRow]  # the project's periods up to the chosen one, by date
    this_period: list[ExpenditureRow]
    to_date: list[ExpenditureRow]


def in_period(period: PeriodRow, day: date) -> bool:
    return period.start <= day <= period.end


async def declared_expenditures(
    principal: Principal, project_id: int, period_id: int | None = None
) -> Declared:
    """A period's current expenditures and those to date; without a period, all of them in
    both. NotFound for a period of another project."""
    periods = await list_periods(principal, project_id)
    if period_id is None:
        rows = await current_rows(project_id)
        return Declared(None, periods, rows, rows)
    period = next((p for p in periods if p.id == period_id), None)
    if period is None:
        raise NotFound()
    rows = await current_rows(project_id, until=period.end)
    return Declared(
        period,
        [p for p in periods if p.end <= period.end],
        [r for r in rows if in_period(period, r.spent_on)],
        rows,
    )


# Writing


@dataclass(frozen=True)
class InvoiceContext:
    """What the checks need to know about the project, read once per write."""

    project_id: int
    start_date: date | None
    end_date: date | None
    categories: frozenset[str]
    partner_ids: frozenset[int]
    default_partner_id: int | None
    periods: list[PeriodRow]


async def cost_categories(project_id: int) -> dict[str, tuple[str, str] | None]:
    """The six standard categories (None: named by the catalogue) and the measure's own ones
    with their Latvian and English names. One statement: the project's measure is a sub-select."""
    extra = await MeasureCostCategory.raw(
        "SELECT c.code, c.name_lv, c.name_en FROM measure_cost_category c"
        " JOIN project p ON p.measure = c.measure WHERE p.id = {}",
        project_id,
    )
    return {c.value: None for c in CostCategory} | {
        r["code"]: (r["name_lv"], r["name_en"]) for r in extra
    }


async def invoice_context(principal: Principal, project_id: int) -> InvoiceContext:
    """What checking an invoice of the project needs, read once (an import checks many)."""
    start, end = await project_dates(project_id)
    partners = await (
        Partner.select(Partner.id, Partner.organisation.is_own.as_alias("is_own"))
        .where(Partner.project == project_id)
        .order_by(Partner.position)
        .order_by(Partner.id)
    )
    bases = {
        r["base"]
        for r in await FundingLine.select(FundingLine.base).where(FundingLine.project == project_id)
    }
    own = next((p["id"] for p in partners if p["is_own"]), None)
    return InvoiceContext(
        project_id=project_id,
        start_date=start,
        end_date=end,
        categories=frozenset(await cost_categories(project_id)),
        partner_ids=frozenset(p["id"] for p in partners),
        # a plan on partner budgets only is split by partner, so the invoice must have one
        default_partner_id=own if bases == {FundingBase.PARTNER_BUDGET} else None,
        periods=await list_periods(principal, project_id),
    )


def _locked(periods: list[PeriodRow], day: date) -> Problem | None:
    """A submitted or approved period's report was sent with the invoices dated in it."""
    period = next((p for p in periods if p.locked and in_period(p, day)), None)
    if period is None:
        return None
    return locked_problem(period.status, period.start, period.end, "date")


async def _held_by_claim(project_id: int, entry_nos: list[int]) -> list[dict]:
    """The items of submitted, approved or paid claims (not parked) among these entries: entry
    number, claim number and status. Raw SQL: the expenditures page asks every time."""
    if not entry_nos:
        return []
    return await ClaimItem.raw(
        "SELECT i.entry_no, c.number, c.status FROM claim_item i JOIN claim c ON c.id = i.claim"
        f" WHERE i.project = {{}} AND i.entry_no IN ({marks(entry_nos)}) AND i.parked = {{}}"
        f" AND c.status IN ({marks(_CLAIM_FROZEN)})",
        project_id,
        *entry_nos,
        False,
        *(status.value for status in _CLAIM_FROZEN),
    )


async def _claimed(row: ExpenditureRow) -> Problem | None:
    """Why an entry cannot change: a claim sent to the funder holds it. None when none does."""
    found = await _held_by_claim(row.project_id, [row.entry_no])
    if not found:
        return None
    held = found[0]
    return Problem(_IN_CLAIM, "claim", {"number": str(held["number"]), "status": held["status"]})


def _spent_on(ctx: InvoiceContext, text: str | None, problems: Problems) -> date | None:
    """The invoice date, which must fall within the project's period."""
    day = problems.date(text, "date", required=_DATE_REQUIRED)
    if day is not None:
        problems.within_project(day, ctx.start_date, ctx.end_date, "date")
    return day


def _amounts(data: ExpenditureInput, problems: Problems) -> tuple[int | None, ...]:
    """Amount, eligible part and VAT in cents; the parts cannot exceed the amount."""
    amount = problems.cents(data.amount, "amount")
    eligible = problems.cents(data.eligible_amount, "eligible_amount", required=False, empty=amount)
    vat = problems.cents(data.vat, "vat", required=False, empty=0)
    if amount is not None and eligible is not None and eligible > amount:
        problems.add(
            _ELIGIBLE_ABOVE,
            "eligible_amount",
            eligible=(data.eligible_amount or "").strip(),
            amount=data.amount.strip(),
        )
    if amount is not None and vat is not None and vat > amount:
        problems.add(_VAT_ABOVE, "vat", vat=(data.vat or "").strip(), amount=data.amount.strip())
    return amount, eligible, vat


def _category(ctx: InvoiceContext, text: str | None, problems: Problems) -> str:
    category = (text or "").strip()
    if not category:
        problems.add(CATEGORY_REQUIRED, "category")
    elif category not in ctx.categories:
        problems.add(CATEGORY_UNKNOWN, "category", category=category)
    return category


def _column_text(
    data: ExpenditureInput, name: str, problems: Problems, required: str | None = None
) -> str:
    """A typed text that fits its column, also casefolded as the duplicate check keeps it."""
    limit = getattr(Expenditure, name).length
    return problems.text(getattr(data, name), name, limit=limit, required=required, key=invoice_key)


def _parse(ctx: InvoiceContext, data: ExpenditureInput, problems: Problems) -> dict:
    """The column values from the input, adding a problem for every field that is wrong, in
    the order of the form."""
    spent_on = _spent_on(ctx, data.date, problems)
    amount, eligible, vat = _amounts(data, problems)
    category = _category(ctx, data.category, problems)
    supplier = _column_text(data, "supplier", problems, _SUPPLIER_REQUIRED)
    invoice_number = _column_text(data, "invoice_number", problems, _INVOICE_REQUIRED)
    payment_date = problems.date(data.payment_date, "payment_date")
    evidence_ref = _column_text(data, "evidence_ref", problems)
    partner_id = data.partner_id if data.partner_id is not None else ctx.default_partner_id
    if partner_id is not None and partner_id not in ctx.partner_ids:
        problems.add(_PARTNER_UNKNOWN, "partner_id")
    return {
        "contract": _contract_id(data.contract_id, problems),
        "partner": partner_id,
        "spent_on": spent_on,
        "amount": amount,
        "eligible_amount": eligible,
        "vat": vat,
        "category": category,
        "supplier": supplier,
        "supplier_key": invoice_key(supplier),
        "invoice_number": invoice_number,
        "invoice_key": invoice_key(invoice_number),
        "payment_date": payment_date,
        "description": problems.text(data.description, "description", multiline=True),
        "evidence_ref": evidence_ref,
    }


def _contract_id(value: int | str | None, problems: Problems) -> int | None:
    """The contract's id as the API sends it or the form's select chose it; empty: none."""
    if isinstance(value, int) or value is None:
        return value
    text = value.strip()
    if text.isascii() and text.isdigit():
        return int(text)
    if text:
        problems.add(CONTRACT_UNKNOWN, "contract_id")
    return None


async def check_invoice(
    ctx: InvoiceContext,
    data: ExpenditureInput,
    *,
    uploads: Sequence[Upload] = (),
    editing: ExpenditureRow | None = None,
    note: str = "",
) -> dict:
    """The values to write, or Refused with every problem (a conflict if a period is locked or
    the invoice is already recorded). Uploads are checked here too, and stored only after.
    Reads only: the import previews every row of a file with it."""
    problems, conflicts = Problems(), Problems()
    if editing is not None and not note:
        problems.add(_NOTE_REQUIRED, "note")
    problems.plain(note, "note", multiline=True)
    values = _parse(ctx, data, problems)
    if data.attachment_id is not None and not (
        possible_id(data.attachment_id)
        and await Attachment.exists().where(
            (Attachment.id == data.attachment_id) & (Attachment.project == ctx.project_id)
        )
    ):
        problems.add(ATTACHMENT_UNKNOWN, "attachment_id")
    check_uploads(uploads, problems)
    if values["contract"] is not None:
        entry_no = editing.entry_no if editing else None
        contract = values["contract"]
        problems.extend(
            await contract_problems(ctx.project_id, contract, values["amount"], entry_no)
        )
    days = [editing.spent_on] if editing else []
    if values["spent_on"] is not None:
        days.append(values["spent_on"])
    for problem in (_locked(ctx.periods, day) for day in days):
        if problem and problem not in conflicts.items:  # both days may be in one period
            conflicts.extend([problem])
    claimed = await _claimed(editing) if editing is not None else None
    if claimed is not None:
        conflicts.extend([claimed])
    if values["supplier"] and values["invoice_number"]:
        entry = await _duplicate(ctx.project_id, values, editing.entry_no if editing else None)
        if entry is not None:
            conflicts.add(
                _DUPLICATE,
                "invoice_number",
                invoice=values["invoice_number"],
                supplier=values["supplier"],
                entry=entry,
            )
    if problems or conflicts:
        raise Refused(problems.items + conflicts.items, conflict=bool(conflicts))
    return values


async def _duplicate(project_id: int, values: dict, entry_no: int | None) -> int | None:
    """The entry number of a current expenditure with the same supplier and invoice number."""
    query = Expenditure.select(Expenditure.entry_no).where(
        (Expenditure.project == project_id)
        & (Expenditure.state == RecordState.CURRENT)
        & (Expenditure.supplier_key == values["supplier_key"])
        & (Expenditure.invoice_key == values["invoice_key"])
    )
    if entry_no is not None:
        query = query.where(Expenditure.entry_no != entry_no)
    found = await query.first()
    return None if found is None else found["entry_no"]


async def _insert(values: dict) -> ExpenditureRow:
    """Insert one version; a unique index that fires means another writer got there first."""
    try:
        new_id = await insert_one(Expenditure, **values)
    except INTEGRITY_ERRORS as error:
        raise Refused.one(_CONCURRENT, conflict=True) from error
    return await _row(new_id)


async def _retire(row: ExpenditureRow, state: RecordState, note: str | None = None) -> None:
    """Mark a current row superseded or cancelled; refuse if another writer already did."""
    changes: dict = {Expenditure.state: state}
    if note is not None:
        changes[Expenditure.change_note] = note
    done = (
        await Expenditure.update(changes)
        .where((Expenditure.id == row.id) & (Expenditure.state == RecordState.CURRENT))
        .returning(Expenditure.id)
    )
    if not done:
        raise Refused.one(_NOT_CURRENT, conflict=True)


def _snapshot(row: ExpenditureRow) -> dict:
    """The row for the audit trail: JSON-able, amounts as decimal strings, dates ISO."""
    return {
        "id": row.id,
        "entry_no": row.entry_no,
        "version": row.version,
        "state": str(row.state),
        "date": row.spent_on.isoformat(),
        "amount": cents_to_str(row.amount),
        "eligible_amount": cents_to_str(row.eligible_amount),
        "vat": cents_to_str(row.vat),
        "category": row.category,
        "supplier": row.supplier,
        "invoice_number": row.invoice_number,
        "payment_date": row.payment_date.isoformat() if row.payment_date else None,
        "description": row.description,
        "evidence_ref": row.evidence_ref,
        "partner_id": row.partner_id,
        "contract_id": row.contract_id,
        "attachments": [{"id": f.id, "name": f.name} for f in row.files],
        "change_note": row.change_note,
    }


async def _current_for_change(principal: Principal, expenditure_id: int) -> ExpenditureRow:
    row = await _row(expenditure_id)
    principal.require(Action.RECORD_EXPENDITURE, row.project_id)
    if row.state != RecordState.CURRENT:
        raise Refused.one(_NOT_CURRENT, conflict=True)
    return row


def _stored_ids(data: ExpenditureInput) -> list[int]:
    return [] if data.attachment_id is None else [data.attachment_id]


async def record_expenditure(
    principal: Principal, project_id: int, data: ExpenditureInput, uploads: Sequence[Upload] = ()
) -> ExpenditureRow:
    """Add an invoice to the register as entry n+1, version 1, with its evidence files."""
    principal.require(Action.RECORD_EXPENDITURE, project_id)
    async with write_transaction():
        await lock_entries(project_id)
        ctx = await invoice_context(principal, project_id)
        values = await check_invoice(ctx, data, uploads=uploads)
        entry_no = await _last_entry(project_id) + 1
        await link_files(principal, project_id, entry_no, uploads, _stored_ids(data))
        return await _create(principal, project_id, entry_no, values)


async def record_expenditures(
    principal: Principal, project_id: int, invoices: Sequence[ExpenditureInput]
) -> list[ExpenditureRow]:
    """Add many invoices (an import) as entries n+1, n+2, … in one transaction: all or none,
    each checked as `record_expenditure` checks one (against the rows before it too), with the
    project read and locked once rather than per invoice. Refused with the first refused
    invoice's problems."""
    principal.require(Action.RECORD_EXPENDITURE, project_id)
    async with write_transaction():
        await lock_entries(project_id)
        ctx = await invoice_context(principal, project_id)
        entry_no = await _last_entry(project_id)
        rows = []
        for data in invoices:
            values = await check_invoice(ctx, data)
            entry_no += 1
            await link_files(principal, project_id, entry_no, (), _stored_ids(data))
            rows.append(await _create(principal, project_id, entry_no, values))
        return rows


async def _last_entry(project_id: int) -> int:
    last = await (
        Expenditure.select(Expenditure.entry_no)
        .where(Expenditure.project == project_id)
        .order_by(Expenditure.entry_no, ascending=False)
        .first()
    )
    return last["entry_no"] if last else 0


async def _create(principal: Principal, project_id: int, entry_no: int, values: dict):
    """Version 1 of a new entry, audited."""
    row = await _insert(
        {
            **values,
            "project": project_id,
            "entry_no": entry_no,
            "version": 1,
            "state": RecordState.CURRENT,
            "created_by": principal.user_id,
        }
    )
    await audit.record(
        "create",
        "expenditure",
        row.id,
        actor=principal,
        project_id=project_id,
        after=_snapshot(row),
    )
    return row


async def lock_entries(project_id: int) -> None:
    """Hold the project's row until the transaction ends, so that concurrent new invoices
    take their entry numbers (the last + 1) one after the other instead of colliding. A lock
    that lets rows referring to the project be written meanwhile (PostgreSQL; SQLite's write
    transaction already keeps other writers out)."""
    await for_update(
        Project.select(Project.id).where(Project.id == project_id), strength="NO KEY UPDATE"
    )


async def edit_expenditure(
    principal: Principal,
    expenditure_id: int,
    data: ExpenditureInput,
    note: str,
    uploads: Sequence[Upload] = (),
) -> ExpenditureRow:
    """Replace a current row by its next version; the old one stays, superseded. The entry
    keeps its evidence files; uploads are added to them."""
    note = (note or "").strip()
    async with write_transaction():
        old = await _current_for_change(principal, expenditure_id)
        ctx = await invoice_context(principal, old.project_id)
        values = await check_invoice(ctx, data, uploads=uploads, editing=old, note=note)
        await link_files(principal, old.project_id, old.entry_no, uploads, _stored_ids(data))
        await _retire(old, RecordState.SUPERSEDED)
        row = await _insert(
            {
                **values,
                "project": old.project_id,
                "entry_no": old.entry_no,
                "version": old.version + 1,
                "state": RecordState.CURRENT,
                "change_note": note,
                "created_by": principal.user_id,
            }
        )
        await _record_change("update", principal, old, row, note)
    return row


async def _record_change(
    action: str, principal: Principal, old: ExpenditureRow, row: ExpenditureRow, note: str
) -> None:
    await audit.record(
        action,
        "expenditure",
        row.id,
        actor=principal,
        project_id=old.project_id,
        before=_snapshot(old),
        after=_snapshot(row),
        note=note,
    )


async def cancel_expenditure(
    principal: Principal, expenditure_id: int, note: str
) -> ExpenditureRow:
    """Take a current row out of the declared costs; it stays in the register, cancelled."""
    note = (note or "").strip()
    async with write_transaction():
        old = await _current_for_change(principal, expenditure_id)
        problems = Problems()
        if not note:
            problems.add(_NOTE_REQUIRED, "note")
        problems.plain(note, "note", multiline=True)
        locked = await change_blocked(principal, old)
        if problems or locked:
            raise Refused(problems.items + ([locked] if locked else []), conflict=bool(locked))
        await _retire(old, RecordState.CANCELLED, note)
        row = await _row(old.id)
        await _record_change("cancel", principal, old, row, note)
    return row


async def change_blocked(principal: Principal, row: ExpenditureRow) -> Problem | None:
    """Why a current entry cannot be corrected, cancelled or given files now: the locked
    period its invoice date falls in, or a claim sent to the funder that holds it. None when
    it can."""
    return _locked(await list_periods(principal, row.project_id), row.spent_on) or await _claimed(
        row
    )


async def add_files(
    principal: Principal, expenditure_id: int, uploads: Sequence[Upload]
) -> ExpenditureRow:
    """Attach more evidence files to a current entry; no new version, as the figures stay."""
    async with write_transaction():
        old = await _current_for_change(principal, expenditure_id)
        problems = Problems()
        if not uploads:
            problems.add(_FILE_REQUIRED, "attachment")
        check_uploads(uploads, problems)
        locked = await change_blocked(principal, old)
        if problems.items or locked:
            raise Refused(problems.items + ([locked] if locked else []), conflict=bool(locked))
        await link_files(principal, old.project_id, old.entry_no, uploads)
        row = await _row(old.id)
        await _record_change("update", principal, old, row, "")
    return row


async def remove_file(
    principal: Principal, expenditure_id: int, attachment_id: int
) -> ExpenditureRow:
    """Take an evidence file off a current entry (every version); the stored file stays and
    the audit trail names it. NotFound for a file the entry does not have."""
    async with write_transaction():
        old = await _current_for_change(principal, expenditure_id)
        if attachment_id not in {f.id for f in old.files}:
            raise NotFound()
        locked = await change_blocked(principal, old)
        if locked:
            raise Refused([locked], conflict=True)
        await unlink_file(old.project_id, old.entry_no, attachment_id)
        row = await _row(old.id)
        await _record_change("update", principal, old, row, "")
    return row


async def frozen_ids(
    principal: Principal,
    project_id: int,
    rows: list[ExpenditureRow],
    *,
    periods: list[PeriodRow] | None = None,
) -> set[int]:
    """The rows dated in a submitted or approved period, or held by a claim sent to the funder:
    they can no longer change. `periods`: the project's, when the caller has read them
    already."""
    if periods is None:
        periods = await list_periods(principal, project_id)
    locked = [p for p in periods if p.locked]
    held = set()
    if rows:
        held = {
            r["entry_no"]
            for r in await _held_by_claim(project_id, sorted({r.entry_no for r in rows}))
        }
    return {
        r.id for r in rows if r.entry_no in held or any(in_period(p, r.spent_on) for p in locked)
    }


# Reading sums: what the co-financing split and the budget by category need, added up in SQL


@dataclass(frozen=True)
class DeclaredSum:
    """Current expenditures added up by the period they are dated in (None: in none), cost
    category, partner and calendar year; amounts in cents."""

    period_id: int | None
    category: str
    partner_id: int | None
    year: int
    amount: int
    eligible_amount: int
    vat: int

    @property
    def ineligible_amount(self) -> int:
        """The part the municipality covers."""
        return self.amount - self.eligible_amount


@dataclass(frozen=True)
class DeclaredSums:
    """`Declared`, added up: a period's sums and those to date, never the invoices."""

    period: PeriodRow | None  # None: the whole project
    periods: list[PeriodRow]  # the project's periods up to the chosen one, by date
    this_period: list[DeclaredSum]
    to_date: list[DeclaredSum]


# The current expenditures, and what approved or paid claims deducted of them (not parked): a
# deduction is no longer eligible, so it moves from the eligible part to the ineligible one,
# which the municipality covers (grants.claims). Arguments: project, state, project, statuses.
_DECLARED_SQL = (
    "SELECT spent_on, category, partner, amount, eligible_amount, vat FROM expenditure"
    " WHERE project = {} AND state = {}"
    " UNION ALL SELECT e.spent_on, e.category, e.partner, 0, -i.deducted, 0"
    " FROM claim_item i JOIN claim c ON c.id = i.claim JOIN expenditure e ON e.id = i.expenditure"
    " WHERE i.project = {} AND c.status IN ({}, {}) AND i.deducted > 0 AND NOT i.parked"
)


def _sums_sql(periods: Sequence[PeriodRow], until: date | None) -> tuple[str, list]:
    """One grouped query; each invoice counts in the first period its date falls in (periods
    do not overlap). Period ids are integers read from the database, so they are inlined."""
    args: list = []
    branches = []
    for period in periods:
        branches.append(f"WHEN spent_on BETWEEN {{}} AND {{}} THEN {int(period.id)}")
        args += [period.start, period.end]
    bucket = f"CASE {' '.join(branches)} END" if branches else "NULL"
    sqlite = isinstance(Expenditure._meta.db, SQLiteEngine)
    year = "CAST(strftime('%Y', spent_on) AS INTEGER)" if sqlite else "EXTRACT(YEAR FROM spent_on)"
    sql = (
        f"SELECT {bucket} AS period, category, partner, {year} AS year, SUM(amount) AS amount,"
        " SUM(eligible_amount) AS eligible_amount, SUM(vat) AS vat"
        f" FROM ({_DECLARED_SQL}) AS declared"
    )
    if until is not None:
        sql += " WHERE spent_on <= {}"
    return sql + " GROUP BY 1, 2, 3, 4", args


async def _sums(
    project_id: int, periods: Sequence[PeriodRow], until: date | None
) -> list[DeclaredSum]:
    sql, args = _sums_sql(periods, until)
    args += [project_id, RecordState.CURRENT.value, project_id]
    args += [ClaimStatus.APPROVED.value, ClaimStatus.PAID.value]
    args += [until] if until is not None else []
    # PostgreSQL sums bigint as numeric and extracts the year as numeric (Decimal), SQLite as
    # integers: both exact.
    return [
        DeclaredSum(
            period_id=r["period"],
            category=r["category"],
            partner_id=r["partner"],
            year=int(r["year"]),
            amount=int(r["amount"]),
            eligible_amount=int(r["eligible_amount"]),
            vat=int(r["vat"]),
        )
        for r in await Expenditure.raw(sql, *args)
    ]


async def declared_sums(
    principal: Principal,
    project_id: int,
    period_id: int | None = None,
    *,
    periods: list[PeriodRow] | None = None,
) -> DeclaredSums:
    """What `declared_expenditures` counts, added up in one query whatever the number of
    invoices. `periods`: the project's periods when the caller has read them already (with
    `list_periods`, which checks access). NotFound for a period of another project."""
    if periods is None:
        periods = await list_periods(principal, project_id)
    principal.require(Action.READ, project_id)
    if period_id is None:
        sums = await _sums(project_id, periods, None)
        return DeclaredSums(None, periods, sums, sums)
    period = next((p for p in periods if p.id == period_id), None)
    if period is None:
        raise NotFound()
    earlier = [p for p in periods if p.end <= period.end]
    sums = await _sums(project_id, earlier, period.end)
    return DeclaredSums(period, earlier, [s for s in sums if s.period_id == period.id], sums)
