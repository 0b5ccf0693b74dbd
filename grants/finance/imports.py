"""Invoices from a spreadsheet: the expenditure import, its template and the register export.

The accounting system gives a CSV or XLSX file of invoices; `import_expenditures` reads it
with the register import's readers and limits (`grants.register.files`: CSV with `;` or `,`,
UTF-8 with or without BOM, or the first sheet of a workbook, every cell kept as typed text)
and puts each row through the very checks one recorded invoice goes through
(`grants.finance.expenditures`), plus a duplicate check within the file. A preview
(`dry_run`) says of every row whether it would be accepted and why not; the import writes all
rows or none, in one write transaction, each row recorded and audited like a typed invoice.

Rows keep the numbers the spreadsheet shows (the header is row 1, so the first data row is 2);
problems name them in their field, "7.amount", as the register import does.

Column headers may be Latvian or English ("Rēķina datums" or "date", "Summa" or "amount"); a
category is its code or its name in either language, a partner its organisation's name, a
procurement contract its reference. Rows under one contract count together against its
ceiling, as they would once recorded one after the other.

The checks are the register's own (`invoice_context`, `check_invoice`): they read and never
write; the import then records the rows with `record_expenditures`, inside this import's
transaction, which checks each again as recording one invoice does.

`export_table` gives every column of the current register, for the accounting system and the
funder; the web layer renders it as CSV or XLSX.
"""

import asyncio
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from grants.core.access import Action, Principal
from grants.core.errors import NotFound, Problem, Problems, Refused
from grants.core.i18n import LABELS, LOCALES, RIGA, category_names, gettext, translations
from grants.core.text import comparable
from grants.core.translatable import N_
from grants.db import first_or_not_found, possible_id, write_transaction
from grants.finance.expenditures import (
    ExpenditureInput,
    ExpenditureRow,
    check_invoice,
    cost_categories,
    current_rows,
    invoice_context,
    invoice_key,
    lock_entries,
    record_expenditures,
)
from grants.procurement.contracts import contract_problems
from grants.register.files import (
    DUPLICATE_COLUMN,
    FILE_REQUIRED,
    MAX_CSV_BYTES,
    MISSING_COLUMN,
    NO_ROWS,
    TOO_LARGE,
    UNKNOWN_COLUMN,
    UNKNOWN_TYPE,
    UNNAMED_COLUMN,
    cell_text,
    column_key,
    csv_grid,
    empty_row,
    header_file,
    heading,
    read_cell,
    xlsx_grid,
)
from grants.tables.procurement import Contract
from grants.tables.projects import Partner, Project

# Canonical column (the ExpenditureInput field, or "partner") → how people head it: the
# Latvian template heading first, the English one second.
COLUMNS: dict[str, tuple[str, ...]] = {
    "date": ("rēķina datums", "invoice date", "datums", "date"),
    "amount": ("summa", "amount", "kopsumma", "total"),
    "eligible_amount": (
        "attiecināmā daļa",
        "eligible part",
        "attiecināmās izmaksas",
        "attiecināmā summa",
        "eligible",
        "eligible amount",
    ),
    "vat": ("pvn", "vat"),
    "category": ("izmaksu kategorija", "category", "kategorija", "cost category"),
    "supplier": ("piegādātājs", "supplier"),
    "invoice_number": (
        "rēķina numurs",
        "invoice number",
        "rēķina nr",
        "invoice no",
        "invoice",
        "rēķins",
    ),
    "payment_date": ("apmaksas datums", "payment date", "paid on"),
    "description": ("apraksts", "description"),
    "evidence_ref": (
        "pamatojošais dokuments",
        "evidence",
        "pamatojums",
        "evidence reference",
        "evidence document",
    ),
    "partner": ("partneris", "partner"),
    "contract": ("līgums", "contract", "iepirkuma līgums", "procurement contract"),
}
REQUIRED = ("date", "amount", "category", "supplier", "invoice_number")

_HEADERS: dict[str, str] = {
    column_key(name): column for column, names in COLUMNS.items() for name in (column, *names)
}

PARTNER_UNKNOWN = N_("“%(partner)s” is not a partner in this project.")
CONTRACT_UNKNOWN = N_("“%(contract)s” is not a contract of this project.")
OVER_CEILING_IN_FILE = N_(
    "With the invoices above it in this file (rows %(rows)s), this one would take contract"
    " %(contract)s past its amount."
)
FORMAT_UNKNOWN = N_("Unknown format “%(format)s”: choose csv or xlsx.")
IN_FILE_TWICE = N_("Invoice %(invoice)s from %(supplier)s is also on row %(row)s of this file.")


def _shown(column: str) -> str:
    names = COLUMNS[column]
    return f"{heading(names[0])} / {heading(names[1])}"


def _known() -> str:
    return ", ".join(heading(names[0]) for names in COLUMNS.values())


# Reading the file


@dataclass(frozen=True)
class FileRow:
    """A data row of the file: its number as the spreadsheet shows it, {column: text}, and
    what is wrong with its cells as read (a spreadsheet error, a number too precise)."""

    number: int
    values: dict[str, str]
    problems: tuple[Problem, ...] = ()


def read_table(source: bytes | BinaryIO, filename: str) -> list[FileRow]:
    """The file's data rows, empty ones skipped without renumbering the rest.

    The register import's readers and limits (`grants.register.files`), this import's column
    names. Refused when the file is unreadable, past a limit, has an unknown, doubled or
    nameless column, lacks a required one, or has no data rows."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    if suffix in ("csv", "tsv", "txt"):
        grid = csv_grid(source)
    elif suffix in ("xlsx", "xlsm"):
        grid = xlsx_grid(source)
    else:
        raise Refused.one(UNKNOWN_TYPE, field="file", name=filename)
    return _rows(grid)


def _rows(grid: list[list[object]]) -> list[FileRow]:
    problems = Problems()
    header_at = next((i for i, row in enumerate(grid) if not empty_row(row)), None)
    if header_at is None:
        raise Refused.one(NO_ROWS, field="file")
    body = grid[header_at + 1 :]
    if all(empty_row(row) for row in body):
        raise Refused.one(NO_ROWS, field="file")
    first = header_at + 2  # the sheet's number of the row under the header
    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, name in enumerate(read_cell(value) for value in grid[header_at]):
        if not name:
            used = next((n for n, row in enumerate(body, first) if read_cell(row[index])), None)
            if used:
                problems.add(UNNAMED_COLUMN, "columns", number=index + 1, row=used)
            continue
        column = _HEADERS.get(column_key(name))
        if column is None:
            problems.add(UNKNOWN_COLUMN, "columns", column=name, known=_known())
        elif column in seen:
            problems.add(
                DUPLICATE_COLUMN, "columns", first=seen[column], second=name, column=_shown(column)
            )
        else:
            seen[column] = name
            columns[index] = column
    for column in REQUIRED:
        if column not in seen:
            problems.add(MISSING_COLUMN, "columns", column=_shown(column))
    problems.raise_if_any()
    table: list[FileRow] = []
    for number, raw in enumerate(body, start=first):
        if empty_row(raw):
            continue
        row: dict[str, str] = {}
        cells = Problems()
        for index, column in columns.items():
            value = raw[index] if index < len(raw) else ""
            row[column] = cell_text(value, f"{number}.{column}", cells)
        table.append(FileRow(number, row, tuple(cells.items)))
    return table


def template(suffix: str, *, english: bool = False) -> bytes:
    """An empty import file with the header row the importer reads, in Latvian or English: a
    CSV as Latvian Excel saves it (UTF-8 with BOM, semicolons), or an XLSX whose columns are
    text, so amounts and invoice numbers stay as typed."""
    header = [heading(names[1] if english else names[0]) for names in COLUMNS.values()]
    return header_file(header, suffix, "Invoices" if english else "Rēķini")


# Checking and importing


@dataclass(frozen=True)
class RowResult:
    """One data row of the file: accepted or refused, with every problem (fields "7.amount")."""

    row: int  # as the spreadsheet numbers it
    data: ExpenditureInput
    problems: tuple[Problem, ...] = ()
    conflict: bool = False  # refused only because of the register (a duplicate, a lock)
    entry_no: int | None = None  # once imported

    @property
    def accepted(self) -> bool:
        return not self.problems

    @property
    def status(self) -> str:
        return "accepted" if self.accepted else "refused"


@dataclass(frozen=True)
class ImportResult:
    rows: list[RowResult] = field(default_factory=list)
    written: bool = False  # False: a preview, nothing written

    @property
    def accepted(self) -> int:
        return sum(1 for r in self.rows if r.accepted)

    @property
    def refused(self) -> int:
        return len(self.rows) - self.accepted

    def refusal(self) -> Refused:
        """Every refused row's problems, as the import refuses the file."""
        problems = [p for r in self.rows for p in r.problems]
        conflict = all(r.conflict for r in self.rows if not r.accepted)
        return Refused(problems, conflict=conflict)


async def require_on_project(principal: Principal, project_id: int, action: Action) -> None:
    """NotFound for a missing project or one the user does not work on (as for a missing
    row); AccessDenied when the role may not do this."""
    if not possible_id(project_id) or not principal.can_read_project(project_id):
        raise NotFound()
    await first_or_not_found(Project.select(Project.id).where(Project.id == project_id))
    principal.require(action, project_id)


async def _category_codes(project_id: int) -> dict[str, str]:
    """Every way a person may name one of the project's categories, made `comparable`, to its
    code: the code and its name in each language. A name two categories share names neither."""
    found: dict[str, set[str]] = {}
    for code, own in (await cost_categories(project_id)).items():
        names = own or tuple(translations(lc).gettext(LABELS.get(code, code)) for lc in LOCALES)
        for name in (code, *names):
            found.setdefault(comparable(name), set()).add(code)
    return {name: codes.pop() for name, codes in found.items() if len(codes) == 1}


async def _partner_ids(project_id: int) -> dict[str, int]:
    rows = await Partner.select(
        Partner.id,
        Partner.organisation.name.as_alias("name"),
        Partner.organisation.short_name.as_alias("short_name"),
    ).where(Partner.project == project_id)
    names = {comparable(r["short_name"]): r["id"] for r in rows if r["short_name"]}
    return names | {comparable(r["name"]): r["id"] for r in rows}


async def _contract_ids(project_id: int) -> dict[str, int]:
    """The project's procurement contracts by reference, as compared."""
    rows = await Contract.select(Contract.id, Contract.reference).where(
        Contract.project == project_id
    )
    return {comparable(r["reference"]): r["id"] for r in rows}


@dataclass(frozen=True)
class _Names:
    """How the file's words become the register's ids: categories, partners, contracts."""

    categories: dict[str, str]
    partners: dict[str, int]
    contracts: dict[str, int]


def _input(line: FileRow, names: _Names, problems: Problems) -> ExpenditureInput:
    """The row as the register takes one invoice; a partner or contract not in the project is
    a problem here, an unknown category is left for the register to refuse."""
    row = line.values
    typed_category = row.get("category", "")
    partner, contract = row.get("partner", ""), row.get("contract", "")
    partner_id = contract_id = None
    if partner:
        partner_id = names.partners.get(comparable(partner))
        if partner_id is None:
            problems.add(PARTNER_UNKNOWN, f"{line.number}.partner", partner=partner)
    if contract:
        contract_id = names.contracts.get(comparable(contract))
        if contract_id is None:
            problems.add(CONTRACT_UNKNOWN, f"{line.number}.contract", contract=contract)
    return ExpenditureInput(
        date=row.get("date", ""),
        amount=row.get("amount", ""),
        eligible_amount=row.get("eligible_amount") or None,
        vat=row.get("vat") or None,
        category=names.categories.get(comparable(typed_category), typed_category),
        supplier=row.get("supplier", ""),
        invoice_number=row.get("invoice_number", ""),
        payment_date=row.get("payment_date") or None,
        description=row.get("description", ""),
        evidence_ref=row.get("evidence_ref", ""),
        partner_id=partner_id,
        contract_id=contract_id,
    )


_FILE_COLUMN = {"partner_id": "partner", "contract_id": "contract"}


def fields(problems: list[Problem]) -> set[str]:
    return {p.field or "" for p in problems}


def _in_row(number: int, problem: Problem) -> Problem:
    """The register's problem about one invoice as a problem of the file's row."""
    name = _FILE_COLUMN.get(problem.field or "", problem.field or "row")
    return Problem(problem.message, f"{number}.{name}", problem.params)


async def _check(principal: Principal, project_id: int, table: list[FileRow]) -> list[RowResult]:
    """Every row through the register's own checks for one invoice (`check_invoice`: nothing is
    written), and against the rows above it in the file."""
    ctx = await invoice_context(principal, project_id)
    names = _Names(
        await _category_codes(project_id),
        await _partner_ids(project_id),
        await _contract_ids(project_id),
    )
    above: dict[tuple[str, str], int] = {}
    under_contract: dict[int, list[tuple[int, int]]] = {}  # contract → (row, cents) above
    results = []
    for row in table:
        number = row.number
        own = Problems()
        own.extend(list(row.problems))
        data = _input(row, names, own)
        register: list[Problem] = []
        conflict = False
        try:
            await check_invoice(ctx, data)
        except Refused as refused:
            unread = {p.field for p in row.problems}  # a cell not read is not also "missing"
            register = [
                p for p in (_in_row(number, p) for p in refused.problems) if p.field not in unread
            ]
            conflict = refused.conflict
        key = (invoice_key(data.supplier), invoice_key(data.invoice_number))
        if all(key):
            if key in above:
                own.add(
                    IN_FILE_TWICE,
                    f"{number}.invoice_number",
                    invoice=data.invoice_number.strip(),
                    supplier=data.supplier.strip(),
                    row=above[key],
                )
            else:
                above[key] = number
        if data.contract_id is not None and f"{number}.contract" not in fields(register):
            await _over_ceiling_in_file(project_id, row, data, under_contract, own)
        problems = tuple(register + own.items)
        results.append(RowResult(number, data, problems, conflict=conflict and not own.items))
    return results


async def _over_ceiling_in_file(
    project_id: int,
    row: FileRow,
    data: ExpenditureInput,
    under_contract: dict[int, list[tuple[int, int]]],
    problems: Problems,
) -> None:
    """Each row is checked against the contract's ceiling with the register's invoices; the
    rows above it in the file under the same contract count too. Remembers this row's."""
    amount = Problems().cents(data.amount, "amount")
    contract_id = int(data.contract_id)  # type: ignore[arg-type]
    if amount is None:
        return
    earlier = under_contract.setdefault(contract_id, [])
    if earlier:
        total = amount + sum(cents for _, cents in earlier)
        if await contract_problems(project_id, contract_id, total, None):
            problems.add(
                OVER_CEILING_IN_FILE,
                f"{row.number}.contract",
                rows=", ".join(str(number) for number, _ in earlier),
                contract=row.values.get("contract", ""),
            )
            return
    earlier.append((row.number, amount))


MAX_UPLOAD_BYTES = MAX_CSV_BYTES  # as the register import reads a CSV file; an XLSX is smaller


def within_limit(content: bytes) -> bytes:
    """The uploaded file's bytes (read up to one past the limit), Refused when too large."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise Refused.one(TOO_LARGE, field="file", max=MAX_UPLOAD_BYTES // 1_000_000)
    return content


def require_file(filename: str | None) -> None:
    """Refused when no file was chosen (a form sends an empty part)."""
    if not filename:
        raise Refused.one(FILE_REQUIRED, field="file")


def read_upload(source: bytes | BinaryIO, filename: str) -> list[FileRow]:
    """`read_table`, named for the worker thread it runs in."""
    return read_table(source, filename)


async def import_expenditures(
    principal: Principal,
    project_id: int,
    source: bytes | BinaryIO,
    filename: str,
    *,
    dry_run: bool,
) -> ImportResult:
    """Preview (`dry_run`) or import the invoices of an uploaded CSV or XLSX file.

    The preview says of every row whether it is accepted, with every problem; the import
    records all rows or none (Refused with every refused row's problems, fields "7.amount"),
    in one write transaction, as entries n+1, n+2, … in the file's order, each audited. The
    file is read in a worker thread: a large workbook takes seconds, and other requests go
    on meanwhile."""
    await require_on_project(principal, project_id, Action.RECORD_EXPENDITURE)
    table = await asyncio.to_thread(read_upload, source, filename)
    if dry_run:
        return ImportResult(await _check(principal, project_id, table))
    async with write_transaction():
        await lock_entries(project_id)
        checked = ImportResult(await _check(principal, project_id, table))
        if checked.refused:
            raise checked.refusal()
        rows = await record_expenditures(principal, project_id, [r.data for r in checked.rows])
        done = [
            RowResult(result.row, result.data, entry_no=row.entry_no)
            for result, row in zip(checked.rows, rows, strict=True)
        ]
    return ImportResult(done, written=True)


# The export


@dataclass(frozen=True)
class ExportColumn:
    """A column of the export: its heading (msgid), the value of a row and its kind
    ("text", "money" in cents, "date", "datetime", "count")."""

    title: str
    value: Callable[[ExpenditureRow], object]
    kind: str = "text"


@dataclass(frozen=True)
class ExportTable:
    columns: list[ExportColumn]
    rows: list[ExpenditureRow]

    def headings(self) -> list[str]:
        return [gettext(c.title) for c in self.columns]

    def values(self) -> list[list[object]]:
        return [[c.value(r) for c in self.columns] for r in self.rows]


async def export_table(principal: Principal, project_id: int) -> ExportTable:
    """Every column of the project's current register, by date, headings and names in the
    current language."""
    await require_on_project(principal, project_id, Action.READ)
    rows = await current_rows(project_id)
    names = category_names(await cost_categories(project_id))
    partner_rows = await Partner.select(
        Partner.id, Partner.organisation.name.as_alias("name")
    ).where(Partner.project == project_id)
    partners = {r["id"]: r["name"] for r in partner_rows}
    contract_rows = await Contract.select(Contract.id, Contract.reference).where(
        Contract.project == project_id
    )
    contracts = {r["id"]: r["reference"] for r in contract_rows}
    columns = [
        ExportColumn(N_("Entry No."), lambda r: r.entry_no, "count"),
        ExportColumn(N_("Version"), lambda r: r.version, "count"),
        ExportColumn(N_("Invoice date"), lambda r: r.spent_on, "date"),
        ExportColumn(N_("Supplier"), lambda r: r.supplier),
        ExportColumn(N_("Invoice number"), lambda r: r.invoice_number),
        ExportColumn(N_("Amount"), lambda r: r.amount, "money"),
        ExportColumn(N_("Eligible part"), lambda r: r.eligible_amount, "money"),
        ExportColumn(N_("Ineligible part"), lambda r: r.ineligible_amount, "money"),
        ExportColumn(N_("VAT"), lambda r: r.vat, "money"),
        ExportColumn(N_("Category code"), lambda r: r.category),
        ExportColumn(N_("Category"), lambda r: names.get(r.category, r.category)),
        ExportColumn(N_("Payment date"), lambda r: r.payment_date, "date"),
        ExportColumn(N_("Description"), lambda r: r.description),
        ExportColumn(N_("Evidence"), lambda r: r.evidence_ref),
        ExportColumn(N_("Partner"), lambda r: partners.get(r.partner_id, "")),
        ExportColumn(N_("Contract"), lambda r: contracts.get(r.contract_id, "")),
        ExportColumn(N_("Evidence files"), lambda r: ", ".join(f.name for f in r.files)),
        ExportColumn(N_("Change note"), lambda r: r.change_note),
        ExportColumn(N_("Recorded by"), lambda r: r.created_by or ""),
        ExportColumn(N_("Recorded at"), lambda r: _in_riga(r.created_at), "datetime"),
    ]
    return ExportTable(columns, rows)


def _in_riga(moment: datetime) -> datetime:
    """A stored moment in Riga time, as people there read it (a naive one is UTC)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(RIGA)
