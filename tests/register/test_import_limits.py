"""Import files are read within limits, refused at the first one passed, and read off the event
loop: a small workbook that unpacks to millions of rows never holds the server, and a
legitimate 50 000-row import goes through while other requests keep being answered."""

import asyncio
import io
import re
import threading
import zipfile

import openpyxl
import pytest

from grants.core.errors import Problem, Refused
from grants.core.vocabulary import Role
from grants.register import files
from grants.register.files import MAX_CELL_CHARS, MAX_COLUMNS, MAX_SHEET_ROWS, read_table
from grants.tables.participants import Participant
from tests.helpers import api_headers, principal


def refused(source, filename: str) -> Problem:
    with pytest.raises(Refused) as error:
        read_table(source, filename)
    [problem] = error.value.problems
    assert problem.field == "file"
    return problem


def workbook(*rows: list) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet(data: bytes, change) -> bytes:
    """The workbook with its first sheet's XML changed by `change`."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content.decode()).encode()
            target.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


HEADER = ["kods", "dzimums", "dzimšanas gads", "iesaistes datums"]


def test_a_row_numbered_in_the_millions_is_refused_without_reading_the_gap():
    """The shape of the 238 KB file that unpacked to 3 million rows: openpyxl makes up every
    missing row, so the count of rows read stops it."""
    far = '<row r="3000000"><c r="A3000000" t="inlineStr"><is><t>Z</t></is></c></row>'
    data = with_sheet(
        workbook(HEADER, ["T-1", "s", 1990, "01.02.2026"]),
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml).replace(
            "</sheetData>", far + "</sheetData>"
        ),
    )
    problem = refused(data, "p.xlsx")
    assert problem.english() == (
        f"The sheet has more than {MAX_SHEET_ROWS} rows, empty ones included; "
        "delete the rows below the data."
    )


def test_a_sheet_that_says_it_is_huge_is_refused_before_reading():
    data = with_sheet(
        workbook(HEADER, ["T-1", "s", 1990, "01.02.2026"]),
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:D3000000"/>', xml),
    )
    assert "empty ones included" in refused(data, "p.xlsx").english()


def test_reading_stops_at_the_first_row_past_the_limit(monkeypatch):
    monkeypatch.setattr(files, "MAX_ROWS", 100)
    read = []
    original = files._xlsx_value
    monkeypatch.setattr(files, "_xlsx_value", lambda cell: read.append(1) or original(cell))
    data = workbook(HEADER, *[[f"T-{n}", "s", 1990, "01.02.2026"] for n in range(1000)])
    problem = refused(data, "p.xlsx")
    assert problem.english() == (
        "The file has more than 100 rows; at most 100 can be imported at once."
    )
    assert len(read) <= (100 + 2) * (MAX_COLUMNS + 1)


def test_a_workbook_that_unpacks_to_too_much_is_refused_from_its_declared_sizes(monkeypatch):
    data = workbook(HEADER, *[[f"T-{n}", "s", 1990, "01.02.2026"] for n in range(2000)])
    monkeypatch.setattr(files, "MAX_XLSX_BYTES", 100_000)
    monkeypatch.setattr(
        openpyxl, "load_workbook", lambda *a, **k: pytest.fail("the workbook was opened")
    )
    assert refused(data, "p.xlsx").english() == "The workbook unpacks to more than 0 MB."


def test_a_csv_past_its_byte_cap_is_refused_after_reading_no_more_than_the_cap(monkeypatch):
    monkeypatch.setattr(files, "MAX_CSV_BYTES", 3_000_000)

    class Endless(io.RawIOBase):
        """A file that never ends, counting what was read of it."""

        given = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            buffer[:] = b"A\n" * (len(buffer) // 2) + b"A" * (len(buffer) % 2)
            self.given += len(buffer)
            return len(buffer)

    source = Endless()
    assert refused(source, "p.csv").english() == "The file is larger than 3 MB."
    assert source.given <= 3_000_000 + files._CHUNK


def test_too_wide_rows_and_too_long_cells_are_refused():
    wide = ";".join(["kods", *["x"] * MAX_COLUMNS]) + "\nA\n"
    assert refused(wide.encode(), "p.csv").english() == (
        f"The file has more than {MAX_COLUMNS} columns."
    )
    long = f"kods;dzimums\nA;s\nB;{'x' * (MAX_CELL_CHARS + 1)}\n"
    assert refused(long.encode(), "p.csv").english() == (
        f"Row 3 has a cell of more than {MAX_CELL_CHARS} characters."
    )
    data = workbook(HEADER, ["T-1", "x" * (MAX_CELL_CHARS + 1)])
    assert "more than 1000 characters" in refused(data, "p.xlsx").english()


def test_too_many_filled_cells_are_refused(monkeypatch):
    monkeypatch.setattr(files, "MAX_CELLS", 50)
    rows = "".join(f"T-{n};s;1990;01.02.2026\n" for n in range(20))
    data = f"kods;dzimums;dzimšanas gads;iesaistes datums\n{rows}".encode()
    assert refused(data, "p.csv").english() == "The file has more than 50 filled cells."


async def test_the_refusal_is_in_the_users_language(families, client):
    data = with_sheet(
        workbook(HEADER, ["T-1", "s", 1990, "01.02.2026"]),
        lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:D3000000"/>', xml),
    )
    response = await client.post(
        f"/api/v1/projects/{families}/participants/import",
        files={"file": ("dalibnieki.xlsx", data, "application/octet-stream")},
        headers=await api_headers(Role.COORDINATOR),
    )
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["field"] == "file" and "tukšās" in error["message"]


async def test_a_workbook_is_read_in_a_worker_thread(families, monkeypatch):
    readers = []
    original = files.read_table

    def reading(source, filename):
        readers.append(threading.get_ident())
        return original(source, filename)

    monkeypatch.setattr(files, "read_table", reading)
    data = workbook(HEADER, ["T-1", "s", 1990, "01.02.2026"])
    coordinator = await principal(Role.COORDINATOR)
    assert await files.import_file(coordinator, families, data, "p.xlsx", "participants") == 1
    assert readers and readers[0] != threading.get_ident()


async def test_a_50000_row_import_works_and_others_get_their_turns_meanwhile(families):
    """The import gives the event loop back at least every 250 rows, so a request that runs
    meanwhile gets a turn that often; how long each stretch takes is measured by
    `benchmarks/imports.py`, not here."""
    rows = "".join(
        f"TUK-{n:05d};{'sieviete' if n % 2 else 'vīrietis'};{1950 + n % 50};01.02.2026\n"
        for n in range(files.MAX_ROWS)
    )
    data = f"Kods;Dzimums;Dzimšanas gads;Iesaistes datums\n{rows}".encode()
    coordinator = await principal(Role.COORDINATOR)
    turns = 0
    done = asyncio.Event()

    async def other_requests() -> None:
        nonlocal turns
        while not done.is_set():
            await asyncio.sleep(0)
            turns += 1

    ticking = asyncio.create_task(other_requests())
    try:
        count = await files.import_file(coordinator, families, data, "p.csv", "participants")
    finally:
        done.set()
        await ticking
    assert count == files.MAX_ROWS
    assert await Participant.count().where(Participant.project == families) == files.MAX_ROWS
    assert turns >= files.MAX_ROWS // 250
