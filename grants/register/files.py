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

Rows keep the file's numbering: data row 1 is the first row after the header, and empty rows
are skipped without renumbering the rest. Each row says its number under `ROW`; the register
numbers the rows it is given by their place in the list, so `in_file_rows` puts the file's
numbers back into its refusals.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from grants.core.errors import Problem, Problems, Refused
from grants.core.translatable import N_

if TYPE_CHECKING:
    from grants.core.access import Principal
    from grants.register.participants import ParticipantInput
    from grants.register.services import ReceiptInput

T = TypeVar("T")
MAX_ROWS = 50_000
ROW = "_row"  # the key holding a row's data-row number in the file, as text

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

UNREADABLE = N_("The file could not be read as %(kind)s: %(reason)s")
NOT_UTF8 = N_("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
UNKNOWN_TYPE = N_("“%(name)s” is neither a CSV nor an XLSX file.")
NO_ROWS = N_("The file has no data rows under its header.")
TOO_MANY_ROWS = N_("The file has %(count)s rows; at most %(max)s can be imported at once.")
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
def _key(header: str) -> str:
    """A header as compared: case, diacritics, spaces, underscores and a unit in brackets
    ("Summa (EUR)") do not matter."""
    text = unicodedata.normalize("NFKD", header.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"\([^)]*\)", " ", text)
    return re.sub(r"[\s_\-]+", " ", text).strip(" *:.")


_HEADERS: dict[str, str] = {
    _key(name): column for column, names in _SYNONYMS.items() for name in (column, *names)
}


_GENDERS = {_key(word): value for word, value in GENDER_WORDS.items()}


def _known(columns: dict[str, tuple[str, ...]]) -> str:
    return ", ".join(names[0] for names in columns.values())


def _shown(column: str) -> str:
    """A column as messages name it: its Latvian header and its English one."""
    return f"{_SYNONYMS[column][0]} / {column.replace('_', ' ')}"


def read_table(data: bytes, filename: str) -> list[dict[str, str]]:
    """The file's data rows as {column: text}, every column present in every row, plus `ROW`.

    CSV: UTF-8 with or without BOM, separated by commas, semicolons (Latvian Excel) or tabs,
    found from the header line (an Excel "sep=;" first line is honoured). XLSX: the first
    sheet. Headers map to canonical column names (see `PARTICIPANT_COLUMNS`,
    `RECEIPT_COLUMNS`); empty rows are skipped, keeping the file's row numbers.
    Raises Refused when the file is unreadable, a column is unknown, doubled or nameless,
    there are no rows, or more than `MAX_ROWS`.
    """
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in ("csv", "tsv", "txt"):
        grid = _csv_grid(data)
    elif suffix in ("xlsx", "xlsm"):
        grid = _xlsx_grid(data)
    else:
        raise Refused.one(UNKNOWN_TYPE, field="file", name=filename)
    return _rows(grid)


def _csv_grid(data: bytes) -> list[list[object]]:
    import pandas as pd

    try:
        text = data.decode("utf-8-sig")
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
        rows = csv.reader(io.StringIO(text), delimiter=separator)
        width = max((len(row) for row in rows), default=0)
        if not width:
            raise Refused.one(NO_ROWS, field="file")
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            header=None,
            names=range(width),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
        )
    except pd.errors.EmptyDataError:
        raise Refused.one(NO_ROWS, field="file") from None
    except (ValueError, csv.Error) as error:  # pandas' ParserError is a ValueError
        raise Refused.one(UNREADABLE, field="file", kind="CSV", reason=str(error)) from None
    return frame.to_numpy(dtype=object).tolist()


def _separator(header_line: str) -> str:
    """Comma, semicolon or tab: whichever the header line has most of outside quotes."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {sep: outside.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _xlsx_grid(data: bytes) -> list[list[object]]:
    import pandas as pd

    try:
        frame = pd.read_excel(
            io.BytesIO(data),
            sheet_name=0,
            header=None,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            engine="openpyxl",
        )
    except Exception as error:  # a broken zip, not a workbook, an encrypted file, …
        reason = str(error) or type(error).__name__
        raise Refused.one(UNREADABLE, field="file", kind="XLSX", reason=reason) from None
    return frame.to_numpy(dtype=object).tolist()


def _rows(grid: list[list[object]]) -> list[dict[str, str]]:
    problems = Problems()
    header_at = next((i for i, row in enumerate(grid) if not _empty_row(row)), None)
    if header_at is None:
        raise Refused.one(NO_ROWS, field="file")
    header = [_cell(value) for value in grid[header_at]]
    body = grid[header_at + 1 :]
    count = sum(1 for row in body if not _empty_row(row))
    if count > MAX_ROWS:
        raise Refused.one(TOO_MANY_ROWS, field="file", count=count, max=MAX_ROWS)
    if not count:
        raise Refused.one(NO_ROWS, field="file")

    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    for index, name in enumerate(header):
        if not name:
            used = next((n for n, row in enumerate(body, 1) if _cell(row[index])), None)
            if used:
                problems.add(UNNAMED_COLUMN, "columns", number=index + 1, row=used)
            continue
        column = _HEADERS.get(_key(name))
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
    for number, raw in enumerate(body, start=1):
        if not _empty_row(raw):
            row = {ROW: str(number)}
            for index, column in columns.items():
                value = raw[index] if index < len(raw) else ""
                row[column] = _cell_text(value, f"{number}.{column}", problems)
            table.append(row)
    problems.raise_if_any()
    return table


def _empty_row(row: list[object]) -> bool:
    return all(not _cell(value) for value in row)


def _cell(value: object) -> str:
    """Any cell as quick text, only to tell empty from not (and to read headers)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _cell_text(value: object, field: str, problems: Problems) -> str:
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
    if isinstance(value, float):
        if value != value:  # NaN: pandas' stand-in for a cell holding #DIV/0!, #REF!, …
            problems.add(CELL_ERROR, field)
            return ""
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
    without the required columns or with columns of a receipts file. Latvian gender words
    become the stored values; flags are split on commas or semicolons."""
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
    return _GENDERS.get(_key(text), text)


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


async def import_file(
    principal: "Principal", project_id: int, data: bytes, filename: str, kind: str
) -> int:
    """Read an uploaded file and import its participants or receipts, all or nothing; refusals
    name the file's own row numbers."""
    from grants.register.participants import import_participants
    from grants.register.services import import_receipts

    table = read_table(data, filename)
    try:
        if kind == "receipts":
            return await import_receipts(principal, project_id, receipt_rows(table))
        return await import_participants(principal, project_id, participant_rows(table))
    except Refused as refused:
        raise in_file_rows(refused, table) from None
