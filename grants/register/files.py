"""Participant and service-receipt files for the register import: CSV or XLSX, read as text.

`read_table` turns a file into rows of text keyed by column name, with the column headers
recognised in Latvian or English; `participant_rows` and `receipt_rows` turn those rows into
the register's inputs (`grants.register.participants`), which check the values and import them.

Every cell stays text exactly as typed ("1 234,50", "0012", "15.03.2026"), only trimmed of
surrounding spaces, so the domain parses amounts and dates the one way it always does.
Spreadsheets are the exception that cannot be helped: a numeric cell holds a binary number,
not what was typed. Date cells become "2026-03-15"; numeric cells become their plain decimal
text ("1985", "1234.5") and are refused when they carry more than two decimals, since an
amount or a unit count never has more. Codes with leading zeros and amounts therefore belong
in text cells in a spreadsheet (format the column as Text before typing).

A file is read only up to its limits (`MAX_ROWS` data rows and the others below): a small
workbook that unpacks to millions of rows is refused at the first row past them, and
`import_file` reads in a worker thread, so that other requests go on meanwhile.

Rows keep the numbers the spreadsheet shows: the header is row 1 (or the row it is on, below
empty ones), so the first data row is row 2, and empty rows are skipped without renumbering
the rest. A CSV file's rows are its records (a quoted value may span lines, as a spreadsheet
shows it), an Excel "sep=;" line not counted. Each row says its number under `ROW`; the
register numbers the rows it is given by their place in the list, so `in_file_rows` puts the
file's numbers back into its refusals.

`template` gives an empty file with the header row the importer expects, to fill in.
"""

import asyncio
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, BinaryIO, TypeVar

from grants.core.errors import Problem, Problems, Refused
from grants.core.translatable import N_

if TYPE_CHECKING:
    from grants.core.access import Principal
    from grants.register.participants import ParticipantInput
    from grants.register.services import ReceiptInput

T = TypeVar("T")
ROW = "_row"  # the key holding a row's data-row number in the file, as text

# Limits, checked while reading, so that a file that unpacks to millions of rows is refused
# at the first row past them, not after it has been read whole.
MAX_ROWS = 50_000  # data rows
MAX_SHEET_ROWS = 2 * MAX_ROWS  # rows read, empty ones included
MAX_COLUMNS = 30  # a register file has at most 15 known columns
MAX_CELLS = 1_000_000  # cells with a value
MAX_CELL_CHARS = 1_000  # no register value is longer than 255 characters
MAX_CSV_BYTES = 20_000_000  # a 50 000-row register is about 4 MB
MAX_XLSX_BYTES = 100_000_000  # unpacked; a 50 000-row register is about 20 MB
_CHUNK = 1 << 20

# Canonical column → how people head it (Latvian first: that name is shown in messages).
PARTICIPANT_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("kods", "code", "participant code"),
    "gender": ("dzimums", "gender", "sex"),
    "birth_year": ("dzimšanas gads", "birth year", "year of birth"),
    "entry_date": ("iesaistes datums", "entry date"),
    "exit_date": ("izstāšanās datums", "exit date"),
    "household": ("mājsaimniecība", "ģimene", "household", "family"),
    "target_group": ("mērķa grupa", "target group"),
    "flags": ("pazīmes", "flags"),
    "labour_status": (
        "nodarbinātības statuss",
        "labour status",
        "labour market status",
        "employment status",
    ),
    "education": ("izglītības līmenis", "izglītība", "education", "education level"),
}
PARTICIPANT_REQUIRED = ("code", "gender", "birth_year", "entry_date")

RECEIPT_COLUMNS: dict[str, tuple[str, ...]] = {
    "participant": ("dalībnieks", "participant"),
    "service": ("pakalpojums", "service"),
    "date": ("datums", "date"),
    "units": ("vienības", "daudzums", "units", "quantity"),
    "amount": ("summa", "amount"),
}
RECEIPT_REQUIRED = ("participant", "service", "date")

# What a person may write in the gender column, besides the stored values themselves.
GENDER_WORDS = {
    "sieviete": "female",
    "s": "female",
    "female": "female",
    "f": "female",
    "vīrietis": "male",
    "v": "male",
    "male": "male",
    "m": "male",
    "nebinārs": "non-binary",
    "nebināra": "non-binary",
    "non-binary": "non-binary",
    "nonbinary": "non-binary",
    "non binary": "non-binary",
}

# What a person may write for the ESF+ data at entry, besides the stored values themselves
# (compared as headers are: case, diacritics and a note in brackets do not matter).
LABOUR_STATUS_WORDS = {
    "bezdarbnieks": "unemployed",
    "bezdarbniece": "unemployed",
    "unemployed": "unemployed",
    "ilgstošs bezdarbnieks": "long_term_unemployed",
    "ilgstoša bezdarbniece": "long_term_unemployed",
    "long-term unemployed": "long_term_unemployed",
    "ekonomiski neaktīvs": "inactive",
    "ekonomiski neaktīva": "inactive",
    "neaktīvs": "inactive",
    "inactive": "inactive",
    "nodarbināts": "employed",
    "nodarbināta": "employed",
    "pašnodarbināts": "employed",
    "employed": "employed",
    "self-employed": "employed",
    "atteicās atbildēt": "refused",
    "atteicās": "refused",
    "refused": "refused",
}
EDUCATION_WORDS = {
    "isced 0-2": "isced_0_2",
    "isced 3-4": "isced_3_4",
    "isced 5-8": "isced_5_8",
    "pamatizglītība vai zemāka": "isced_0_2",
    "pamatizglītība": "isced_0_2",
    "vidējā vai pēcvidējā": "isced_3_4",
    "vidējā": "isced_3_4",
    "augstākā": "isced_5_8",
    "atteicās atbildēt": "refused",
    "atteicās": "refused",
    "refused": "refused",
}

UNREADABLE = N_("The file could not be read as %(kind)s: %(reason)s")
NOT_UTF8 = N_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
UNKNOWN_TYPE = N_("“%(name)s” is neither a CSV nor an XLSX file.")
NO_ROWS = N_("The file has no data rows under its header.")
TOO_MANY_ROWS = N_("The file has more than %(max)s rows; at most %(max)s can be imported at once.")
TOO_MANY_SHEET_ROWS = N_(
    "The sheet has more than %(max)s rows, empty ones included; delete the rows below the data."
)
TOO_MANY_COLUMNS = N_("The file has more than %(max)s columns.")
TOO_MANY_CELLS = N_("The file has more than %(max)s filled cells.")
CELL_TOO_LONG = N_("Row %(row)s has a cell of more than %(max)s characters.")
TOO_LARGE = N_("The file is larger than %(max)s MB.")
TOO_LARGE_UNPACKED = N_("The workbook unpacks to more than %(max)s MB.")
FILE_REQUIRED = N_("Choose a CSV or XLSX file.")
UNKNOWN_COLUMN = N_("Unknown column “%(column)s”. The columns are: %(known)s.")
MISSING_COLUMN = N_("The column “%(column)s” is missing.")
DUPLICATE_COLUMN = N_("The columns “%(first)s” and “%(second)s” both give %(column)s.")
UNNAMED_COLUMN = N_("Column %(number)s has values but no header (the first in row %(row)s).")
TOO_PRECISE = N_(
    "The number %(value)s has more than two decimals; type it as text in the spreadsheet."
)
CELL_ERROR = N_("The cell holds a spreadsheet error; type the value instead.")

_SYNONYMS = {**PARTICIPANT_COLUMNS, **RECEIPT_COLUMNS}


@lru_cache(maxsize=4096)
def column_key(header: str) -> str:
    """A header as compared: case, diacritics, spaces, underscores and a unit in brackets
    ("Summa (EUR)") do not matter."""
    text = unicodedata.normalize("NFKD", header.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"\([^)]*\)", " ", text)
    return re.sub(r"[\s_\-–—]+", " ", text).strip(" *:.")


_HEADERS: dict[str, str] = {
    column_key(name): column for column, names in _SYNONYMS.items() for name in (column, *names)
}


_GENDERS = {column_key(word): value for word, value in GENDER_WORDS.items()}
_LABOUR_STATUSES = {column_key(word): value for word, value in LABOUR_STATUS_WORDS.items()}
_EDUCATIONS = {column_key(word): value for word, value in EDUCATION_WORDS.items()}


def _known(columns: dict[str, tuple[str, ...]]) -> str:
    return ", ".join(names[0] for names in columns.values())


def _shown(column: str) -> str:
    """A column as messages name it: its Latvian header and its English one."""
    return f"{_SYNONYMS[column][0]} / {column.replace('_', ' ')}"


def read_table(source: bytes | BinaryIO, filename: str) -> list[dict[str, str]]:
    """The file's data rows as {column: text}, every column present in every row, plus `ROW`.

    `source` is the file's bytes or a binary file open at its start. CSV: UTF-8 with or
    without BOM, separated by commas, semicolons (Latvian Excel) or tabs, found from the
    header line (an Excel "sep=;" first line is honoured). XLSX: the first sheet. Headers map
    to canonical column names (see `PARTICIPANT_COLUMNS`, `RECEIPT_COLUMNS`); empty rows are
    skipped, keeping the file's row numbers.
    Raises Refused when the file is unreadable, past a limit (`MAX_ROWS` and the others above,
    found while reading), a column is unknown, doubled or nameless, or there are no rows.
    """
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


def _limited(rows: Iterable[list[object]]) -> list[list[object]]:
    """The rows, read only until one of the limits is passed (then Refused)."""
    grid: list[list[object]] = []
    filled_rows = cells = 0
    for number, row in enumerate(rows, start=1):
        if number > MAX_SHEET_ROWS:
            raise Refused.one(TOO_MANY_SHEET_ROWS, field="file", max=MAX_SHEET_ROWS)
        if len(row) > MAX_COLUMNS and any(read_cell(value) for value in row[MAX_COLUMNS:]):
            raise Refused.one(TOO_MANY_COLUMNS, field="file", max=MAX_COLUMNS)
        row = list(row[:MAX_COLUMNS])
        filled = [value for value in row if read_cell(value)]
        if filled:
            filled_rows += 1
            cells += len(filled)
        if filled_rows > MAX_ROWS + 1:  # the header, then the data rows
            raise Refused.one(TOO_MANY_ROWS, field="file", max=MAX_ROWS)
        if cells > MAX_CELLS:
            raise Refused.one(TOO_MANY_CELLS, field="file", max=MAX_CELLS)
        if any(isinstance(value, str) and len(value) > MAX_CELL_CHARS for value in filled):
            raise Refused.one(CELL_TOO_LONG, field="file", row=number, max=MAX_CELL_CHARS)
        grid.append(row)
    width = max((len(row) for row in grid), default=0)
    return [row + [""] * (width - len(row)) for row in grid]


def _read_bytes(source: BinaryIO, limit: int) -> bytes:
    """At most `limit` bytes of `source`, read a chunk at a time; Refused when there are more."""
    chunks, size = [], 0
    while chunk := source.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise Refused.one(TOO_LARGE, field="file", max=limit // 1_000_000)
        chunks.append(chunk)
    return b"".join(chunks)


def csv_grid(source: BinaryIO) -> list[list[object]]:
    try:
        text = _read_bytes(source, MAX_CSV_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused.one(NOT_UTF8, field="file") from None
    first_line, _, rest = text.lstrip("\r\n").partition("\n")
    hint = re.fullmatch(r"sep=(.)\r?", first_line)
    if hint:
        text = rest
        separator = hint[1]
    else:
        separator = _separator(first_line)
    # Rows may have more cells than the header (a trailing separator, a stray value): read
    # them all as wide as the widest, and let the header check judge the extra columns.
    try:
        return _limited(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    except csv.Error as error:
        raise Refused.one(UNREADABLE, field="file", kind="CSV", reason=str(error)) from None


def _separator(header_line: str) -> str:
    """Comma, semicolon or tab: whichever the header line has most of outside quotes."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {sep: outside.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def xlsx_grid(source: BinaryIO) -> list[list[object]]:
    """The first sheet's cells, streamed (openpyxl's read-only mode) and refused at the first
    limit passed; before that, a workbook that would unpack to too much is refused from the
    sizes its zip declares (which zipfile holds each member to)."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
        if unpacked > MAX_XLSX_BYTES:
            raise Refused.one(TOO_LARGE_UNPACKED, field="file", max=MAX_XLSX_BYTES // 1_000_000)
        source.seek(0)
        workbook = load_workbook(source, read_only=True, data_only=True, keep_links=False)
    except Refused:
        raise
    except Exception as error:  # a broken zip, not a workbook, an encrypted file, …
        raise _unreadable_xlsx(error) from None
    try:
        sheet = workbook.worksheets[0]
        if (sheet.max_row or 0) > MAX_SHEET_ROWS:  # the size the sheet says it has
            raise Refused.one(TOO_MANY_SHEET_ROWS, field="file", max=MAX_SHEET_ROWS)
        rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1)
        return _limited([_xlsx_value(cell) for cell in row] for row in rows)
    except Refused:
        raise
    except Exception as error:  # broken XML inside the zip
        raise _unreadable_xlsx(error) from None
    finally:
        workbook.close()


def _unreadable_xlsx(error: Exception) -> Refused:
    reason = str(error) or type(error).__name__
    return Refused.one(UNREADABLE, field="file", kind="XLSX", reason=reason)


class _ErrorCell:
    """A cell holding #DIV/0!, #REF!, …: refused with `CELL_ERROR` where a value is read."""


ERROR_CELL = _ErrorCell()


def _xlsx_value(cell) -> object:
    """A cell's value: a whole number as int, a cell holding an error as `ERROR_CELL`."""
    if cell.value is None:
        return None
    if cell.data_type == "e":
        return ERROR_CELL
    if cell.data_type == "n" and isinstance(cell.value, float) and cell.value.is_integer():
        return int(cell.value)
    return cell.value


def _rows(grid: list[list[object]]) -> list[dict[str, str]]:
    problems = Problems()
    header_at = next((i for i, row in enumerate(grid) if not empty_row(row)), None)
    if header_at is None:
        raise Refused.one(NO_ROWS, field="file")
    header = [read_cell(value) for value in grid[header_at]]
    body = grid[header_at + 1 :]
    if all(empty_row(row) for row in body):
        raise Refused.one(NO_ROWS, field="file")

    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    first = header_at + 2  # the sheet's number of the row under the header
    for index, name in enumerate(header):
        if not name:
            used = next((n for n, row in enumerate(body, first) if read_cell(row[index])), None)
            if used:
                problems.add(UNNAMED_COLUMN, "columns", number=index + 1, row=used)
            continue
        column = _HEADERS.get(column_key(name))
        if column is None:
            problems.add(UNKNOWN_COLUMN, "columns", column=name, known=_known(_SYNONYMS))
        elif column in seen:
            problems.add(
                DUPLICATE_COLUMN, "columns", first=seen[column], second=name, column=_shown(column)
            )
        else:
            seen[column] = name
            columns[index] = column
    problems.raise_if_any()

    table: list[dict[str, str]] = []
    for number, raw in enumerate(body, start=first):
        if not empty_row(raw):
            row = {ROW: str(number)}
            for index, column in columns.items():
                value = raw[index] if index < len(raw) else ""
                row[column] = cell_text(value, f"{number}.{column}", problems)
            table.append(row)
    problems.raise_if_any()
    return table


def template(kind: str, suffix: str, *, english: bool = False) -> bytes:
    """An empty participants or receipts file ("receipts" for `kind`) with the header row the
    importer reads, in Latvian or English: a CSV as Latvian Excel saves it (UTF-8 with BOM,
    semicolons), or an XLSX whose columns are text, so codes like 0012 keep their zeros."""
    columns = RECEIPT_COLUMNS if kind == "receipts" else PARTICIPANT_COLUMNS
    header = [
        heading(column.replace("_", " ") if english else names[0])
        for column, names in columns.items()
    ]
    return header_file(header, suffix, "Dalībnieki" if kind != "receipts" else "Pakalpojumi")


def header_file(header: list[str], suffix: str, sheet_title: str) -> bytes:
    """An import template: only the header row, as a CSV the way Latvian Excel saves it (UTF-8
    with BOM, semicolons) or an XLSX whose columns are text, so what is typed stays as typed."""
    if suffix == "csv":
        return ("\ufeff" + ";".join(header) + "\r\n").encode()
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    sheet.append(header)
    for index, name in enumerate(header, start=1):
        sheet.cell(1, index).font = Font(bold=True)
        column = sheet.column_dimensions[get_column_letter(index)]
        column.number_format = "@"
        column.width = max(len(name) + 4, 14)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def heading(name: str) -> str:
    """A column name as a header row shows it: capitalised."""
    return name[:1].upper() + name[1:]


def empty_row(row: list[object]) -> bool:
    return all(not read_cell(value) for value in row)


def read_cell(value: object) -> str:
    """Any cell as quick text, only to tell empty from not (and to read headers)."""
    if value is None or value is ERROR_CELL:
        return ""
    return str(value).strip()


def cell_text(value: object, field: str, problems: Problems) -> str:
    """A cell as the text a person typed (or, for a spreadsheet's typed cells, the nearest)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):  # before date: a datetime is a date too
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if value is ERROR_CELL:
        problems.add(CELL_ERROR, field)
        return ""
    if isinstance(value, float):
        return _number(value, field, problems)
    return str(value).strip()


def _number(value: float, field: str, problems: Problems) -> str:
    """A numeric cell's plain decimal text, from the shortest text that gives the same float
    (which is what was typed, for any number typed with up to 15 digits)."""
    try:
        number = Decimal(repr(value)).normalize()
        text = format(number, "f")
    except (InvalidOperation, ValueError):  # inf, or too large to matter
        problems.add(CELL_ERROR, field)
        return ""
    if "." in text and len(text.rsplit(".", 1)[1]) > 2:
        problems.add(TOO_PRECISE, field, value=text)
    return text


def participant_rows(
    table: list[dict[str, str]], *, progress: Callable[[int], None] | None = None
) -> "list[ParticipantInput]":
    """The register's inputs from a participants table, in the table's order. Refuses a table
    without the required columns or with columns of a receipts file. Latvian gender, labour
    status and education words become the stored values; flags are split on commas or
    semicolons (a labour status among them is read as the status, as older files have it)."""
    from grants.register.participants import ParticipantInput

    def participant(row: dict[str, str]) -> ParticipantInput:
        return ParticipantInput(
            code=row["code"],
            gender=gender_value(row["gender"]),
            birth_year=row["birth_year"],
            entry_date=row["entry_date"],
            exit_date=row.get("exit_date") or None,
            household=row.get("household", ""),
            target_group=row.get("target_group", ""),
            flags=split_flags(row.get("flags", "")),
            labour_status=word_value(_LABOUR_STATUSES, row.get("labour_status", "")),
            education=word_value(_EDUCATIONS, row.get("education", "")),
        )

    return _inputs(table, PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED, participant, progress)


def receipt_rows(
    table: list[dict[str, str]], *, progress: Callable[[int], None] | None = None
) -> "list[ReceiptInput]":
    """The register's inputs from a service-receipts table, in the table's order. Empty units
    count as one; an empty amount is left to the register (the service's unit price)."""
    from grants.register.services import ReceiptInput

    def receipt(row: dict[str, str]) -> ReceiptInput:
        return ReceiptInput(
            participant=row["participant"],
            service=row["service"],
            date=row["date"],
            units=row.get("units") or "1",
            amount=row.get("amount") or None,
        )

    return _inputs(table, RECEIPT_COLUMNS, RECEIPT_REQUIRED, receipt, progress)


def _inputs(
    table: list[dict[str, str]],
    columns: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    make: Callable[[dict[str, str]], T],
    progress: Callable[[int], None] | None,
) -> list[T]:
    """`make` of each row in the table's order, once the columns are right, telling `progress`
    about every thousand rows and about the last few."""
    _check_columns(table, columns, required)
    inputs = []
    for done, row in enumerate(table, start=1):
        inputs.append(make(row))
        if progress and (done % 1000 == 0 or done == len(table)):
            progress(done % 1000 or 1000)
    return inputs


def _check_columns(
    table: list[dict[str, str]], columns: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> None:
    present = [c for c in table[0] if c != ROW] if table else []
    problems = Problems()
    for column in present:
        if column not in columns:
            problems.add(
                UNKNOWN_COLUMN, "columns", column=_SYNONYMS[column][0], known=_known(columns)
            )
    for column in required:
        if table and column not in present:
            problems.add(MISSING_COLUMN, "columns", column=_shown(column))
    problems.raise_if_any()


def gender_value(text: str) -> str:
    """ "sieviete" → "female", "V" → "male", "nebinārs" → "non-binary", in any case, with or
    without diacritics; anything else as typed, for the register to refuse."""
    return _GENDERS.get(column_key(text), text)


def word_value(words: dict[str, str], text: str) -> str:
    """A word of `words` (keys as `column_key` makes them) as its stored value, e.g. "Bezdarbnieks"
    → "unemployed", "ISCED 3–4" → "isced_3_4"; anything else as typed, for the register to
    refuse."""
    return words.get(column_key(text), text) if text else ""


def split_flags(text: str) -> list[str]:
    """ "disability, unemployed" or "disability; unemployed" → ["disability", "unemployed"]."""
    return [flag.strip() for flag in re.split(r"[,;]", text) if flag.strip()]


def in_file_rows(error: Refused, table: list[dict[str, str]]) -> Refused:
    """The register's refusal with its row numbers turned into the file's data-row numbers,
    which differ once empty rows were skipped: in fields ("3.gender": the third row it was
    given) and in a `row` value naming another row ("… also on row %(row)s")."""

    def in_file(number: str) -> str:
        if number.isdigit() and 1 <= int(number) <= len(table):
            return table[int(number) - 1][ROW]
        return number

    problems = []
    for problem in error.problems:
        field = problem.field or ""
        head, dot, rest = field.partition(".")
        if head.isdigit():
            field = f"{in_file(head)}{dot}{rest}"
        params = dict(problem.params)
        if "row" in params:
            params["row"] = in_file(params["row"])
        problems.append(Problem(problem.message, field or None, params))
    return Refused(problems, conflict=error.conflict)


def row_of(problem: Problem) -> tuple[int | None, str]:
    """A problem's row number and column, from a field like "12.gender" (None: not a row's)."""
    head, _, rest = (problem.field or "").partition(".")
    if head.isdigit():
        return int(head), rest
    return None, problem.field or ""


def read_inputs(
    source: bytes | BinaryIO, filename: str, kind: str
) -> "tuple[list[dict[str, str]], list[ParticipantInput] | list[ReceiptInput]]":
    """The file's table and the register's inputs from it: participants, or receipts when
    `kind` is "receipts"."""
    table = read_table(source, filename)
    return table, receipt_rows(table) if kind == "receipts" else participant_rows(table)


async def import_file(
    principal: "Principal", project_id: int, source: bytes | BinaryIO, filename: str, kind: str
) -> int:
    """Read an uploaded file and import its participants or receipts, all or nothing; refusals
    name the file's own row numbers. The file is read in a worker thread: reading a large
    workbook takes seconds, and other requests go on meanwhile."""
    from grants.register.participants import import_participants
    from grants.register.services import import_receipts

    table, inputs = await asyncio.to_thread(read_inputs, source, filename, kind)
    try:
        if kind == "receipts":
            return await import_receipts(principal, project_id, inputs)
        return await import_participants(principal, project_id, inputs)
    except Refused as refused:
        raise in_file_rows(refused, table) from None
