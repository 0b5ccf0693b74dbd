"""Reading participant and receipt files (CSV, XLSX) and the `grants import` command.

The reading tests need nothing but the file module. Tests marked `needs_register` build the
register's inputs or run the import end to end, so they need `grants.register.participants`.
"""

import importlib.util
import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from grants.core.errors import Problem, Refused
from grants.register.files import (
    MAX_ROWS,
    ROW,
    gender_value,
    in_file_rows,
    read_table,
    row_of,
    split_flags,
)
from tests.helpers import FAMILIES, grants

needs_register = pytest.mark.skipif(
    importlib.util.find_spec("grants.register.participants") is None,
    reason="grants.register.participants (the register domain) is not there yet",
)

HEADER_LV = "Kods;Dzimums;Dzimšanas gads;Iesaistes datums;Izstāšanās datums;Ģimene;Pazīmes"


def csv(text: str, *, bom: bool = False) -> bytes:
    return ("\ufeff" if bom else "").encode() + text.encode()


def xlsx(*rows: list) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refused(data: bytes, filename: str = "file.csv") -> list[Problem]:
    with pytest.raises(Refused) as error:
        read_table(data, filename)
    return error.value.problems


def cells(table: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if k != ROW} for row in table]


# --- CSV ---------------------------------------------------------------------------------


def test_csv_with_commas_keeps_every_cell_as_typed():
    table = read_table(
        csv('code,gender,birth_year,entry_date\n0012,female,1985,15.03.2026\n"A,7",male,1990,x\n'),
        "p.csv",
    )
    assert cells(table) == [
        {"code": "0012", "gender": "female", "birth_year": "1985", "entry_date": "15.03.2026"},
        {"code": "A,7", "gender": "male", "birth_year": "1990", "entry_date": "x"},
    ]
    assert [row[ROW] for row in table] == ["2", "3"]  # as the sheet numbers them: header is 1


def test_csv_with_semicolons_and_latvian_headers_as_excel_saves_it():
    data = csv(
        f"{HEADER_LV}\r\nT-001;Sieviete;1985;15.03.2026;;F-01;disability, unemployed\r\n",
        bom=True,
    )
    (row,) = read_table(data, "dalibnieki.CSV")
    assert row == {
        ROW: "2",
        "code": "T-001",
        "gender": "Sieviete",
        "birth_year": "1985",
        "entry_date": "15.03.2026",
        "exit_date": "",
        "household": "F-01",
        "flags": "disability, unemployed",
    }


def test_header_spelling_does_not_matter_but_a_column_named_twice_is_refused():
    data = csv("DZIMSANAS GADS,  Kods ,Entry_Date,Mājsaimniecība,mērķa grupa\n1985,K1,x,h,g\n")
    assert cells(read_table(data, "p.csv")) == [
        {
            "birth_year": "1985",
            "code": "K1",
            "entry_date": "x",
            "household": "h",
            "target_group": "g",
        }
    ]
    (problem,) = refused(csv("Dzimšanas gads,kods,birth-year\n1985,K1,1985\n", bom=True))
    assert problem.english() == (
        "The columns “Dzimšanas gads” and “birth-year” both give dzimšanas gads / birth year."
    )


def test_receipt_amounts_stay_text():
    data = csv(
        "Dalībnieks;Pakalpojums;Datums;Vienības;Summa (EUR)\n"
        "T-001;Fizioterapeita nodarbība;15.03.2026;1,5;1 234,50\n"
        "T-002;3;2026-03-16;;NA\n"
    )
    assert cells(read_table(data, "r.csv")) == [
        {
            "participant": "T-001",
            "service": "Fizioterapeita nodarbība",
            "date": "15.03.2026",
            "units": "1,5",
            "amount": "1 234,50",
        },
        {"participant": "T-002", "service": "3", "date": "2026-03-16", "units": "", "amount": "NA"},
    ]


def test_excel_separator_hint_line():
    data = csv("sep=;\nkods;summa\nA;1,50\n")
    assert cells(read_table(data, "x.csv")) == [{"code": "A", "amount": "1,50"}]


def test_empty_rows_are_skipped_but_rows_keep_the_files_numbers():
    data = csv("kods;dzimums\nA;s\n\n;;\n  ;\nB;v\n\n")
    table = read_table(data, "p.csv")
    assert [(row[ROW], row["code"]) for row in table] == [("2", "A"), ("6", "B")]


def test_short_rows_are_padded_and_cells_beyond_the_header_refused():
    assert cells(read_table(csv("kods;dzimums\nA\nB;v;\n"), "p.csv")) == [
        {"code": "A", "gender": ""},
        {"code": "B", "gender": "v"},
    ]
    (problem,) = refused(csv("kods;dzimums\nA;s\nB;v\nC;s;extra\n"))
    assert problem.field == "columns"
    assert problem.english() == "Column 3 has values but no header (the first in row 4)."


def test_unreadable_files_are_refused():
    (problem,) = refused("kods;dzimums\nBērziņš;v\n".encode("cp1257"))
    assert "not UTF-8" in problem.english()
    (problem,) = refused(b"", "p.csv")
    assert problem.english() == "The file has no data rows under its header."
    (problem,) = refused(csv("kods;dzimums\n\n;\n"))
    assert problem.english() == "The file has no data rows under its header."
    (problem,) = refused(b"kods", "p.ods")
    assert problem.english() == "“p.ods” is neither a CSV nor an XLSX file."
    (problem,) = refused(b"not a zip at all", "p.xlsx")
    assert problem.english().startswith("The file could not be read as XLSX")


def test_unknown_doubled_and_nameless_columns_are_refused():
    problems = refused(csv("kods;vārds;dzimums;Sex;;\nA;Jānis;v;v;x;\n"))
    assert [p.english() for p in problems] == [
        "Unknown column “vārds”. The columns are: kods, dzimums, dzimšanas gads, "
        "iesaistes datums, izstāšanās datums, mājsaimniecība, mērķa grupa, pazīmes, "
        "nodarbinātības statuss, izglītības līmenis, "
        "dalībnieks, pakalpojums, datums, vienības, summa.",
        "The columns “dzimums” and “Sex” both give dzimums / gender.",
        "Column 5 has values but no header (the first in row 2).",
    ]
    assert {p.field for p in problems} == {"columns"}
    # an empty column without a header is no problem
    assert cells(read_table(csv("kods;;dzimums\nA;;v\n"), "p.csv")) == [
        {"code": "A", "gender": "v"}
    ]


def test_too_many_rows_are_refused():
    rows = b"A\n" * MAX_ROWS
    assert len(read_table(b"kods\n" + rows, "p.csv")) == MAX_ROWS
    (problem,) = refused(b"kods\n" + rows + b"B\n")
    assert problem.english() == (
        "The file has more than 50000 rows; at most 50000 can be imported at once."
    )


# --- XLSX --------------------------------------------------------------------------------


def test_xlsx_text_date_and_number_cells():
    data = xlsx(
        ["Kods", "Dzimums", "Dzimšanas gads", "Iesaistes datums", "Izstāšanās datums", "Summa"],
        ["0012", "Vīrietis", 1985, date(2026, 3, 15), datetime(2026, 6, 30, 0, 0), "1 234,50"],
        [],
        [None, None, None, None, None, None],
        ["0013", "nebinārs", 1990.0, "15.03.2026", datetime(2026, 7, 1, 9, 30), 1234.5],
        ["0014", "S", 2001, "2026-03-15", None, 100.25],
    )
    table = read_table(data, "p.xlsx")
    assert [row[ROW] for row in table] == ["2", "5", "6"]
    assert cells(table) == [
        {
            "code": "0012",
            "gender": "Vīrietis",
            "birth_year": "1985",
            "entry_date": "2026-03-15",
            "exit_date": "2026-06-30",
            "amount": "1 234,50",
        },
        {
            "code": "0013",
            "gender": "nebinārs",
            "birth_year": "1990",
            "entry_date": "15.03.2026",
            "exit_date": "2026-07-01 09:30",
            "amount": "1234.5",
        },
        {
            "code": "0014",
            "gender": "S",
            "birth_year": "2001",
            "entry_date": "2026-03-15",
            "exit_date": "",
            "amount": "100.25",
        },
    ]


def test_xlsx_numbers_with_more_than_two_decimals_are_refused():
    data = xlsx(["kods", "summa"], ["A", 10.5], ["B", 1234.567], ["C", 2.005], ["D", 1e-7])
    problems = refused(data, "r.xlsx")
    assert [(p.field, p.english()) for p in problems] == [
        (
            "3.amount",
            "The number 1234.567 has more than two decimals; type it as text in the spreadsheet.",
        ),
        (
            "4.amount",
            "The number 2.005 has more than two decimals; type it as text in the spreadsheet.",
        ),
        (
            "5.amount",
            "The number 0.0000001 has more than two decimals; type it as text in the spreadsheet.",
        ),
    ]


def test_xlsx_error_cells_are_refused():
    data = xlsx(["kods", "summa"], ["A", "#DIV/0!"], ["B", 10])
    problems = refused(data, "r.xlsx")
    assert [(p.field, p.english()) for p in problems] == [
        ("2.amount", "The cell holds a spreadsheet error; type the value instead.")
    ]


def test_xlsx_reads_the_first_sheet_and_skips_leading_empty_rows():
    book = openpyxl.Workbook()
    first = book.active
    first.append([])
    first.append(["Dalībnieks", "Pakalpojums", "Datums"])
    first.append(["T-1", "Konsultācija", date(2026, 1, 5)])
    book.create_sheet("Other").append(["nonsense"])
    buffer = io.BytesIO()
    book.save(buffer)
    assert cells(read_table(buffer.getvalue(), "r.xlsx")) == [
        {"participant": "T-1", "service": "Konsultācija", "date": "2026-01-05"}
    ]


# --- Values and row numbers --------------------------------------------------------------


def test_latvian_gender_words():
    assert [gender_value(w) for w in ("sieviete", "Sieviete ", "S", "vīrietis", "VIRIETIS")] == [
        "female",
        "female",
        "female",
        "male",
        "male",  # typed without the long ī
    ]
    assert [gender_value(w) for w in ("V", "nebinārs", "Nebināra", "Male", "x")] == [
        "male",
        "non-binary",
        "non-binary",
        "male",
        "x",
    ]


def test_flags_split_on_commas_or_semicolons():
    assert split_flags("disability, unemployed;rural ;;") == ["disability", "unemployed", "rural"]
    assert split_flags("") == []


def test_refusals_get_the_files_row_numbers_back():
    table = read_table(csv("kods;dzimums\nA;s\n\n\nB;x\n"), "p.csv")
    error = Refused(
        [
            Problem("Bad gender %(value)s.", "2.gender", {"value": "x"}),
            Problem("Something about the file.", None),
            Problem("Code %(code)s is also on row %(row)s.", "2.code", {"code": "B", "row": "1"}),
        ],
        conflict=True,
    )
    mapped = in_file_rows(error, table)
    assert [p.field for p in mapped.problems] == ["5.gender", None, "5.code"]
    assert mapped.problems[2].params == {"code": "B", "row": "2"}
    table = read_table(csv("kods;dzimums\n\nA;s\n\nB;x\n"), "p.csv")
    assert in_file_rows(error, table).problems[2].params["row"] == "3"
    assert mapped.conflict
    assert row_of(mapped.problems[0]) == (5, "gender")
    assert row_of(mapped.problems[1]) == (None, "")


# --- Building the register's inputs (needs grants.register.participants) --------------------------


@needs_register
def test_participant_rows():
    from grants.register.files import participant_rows

    data = csv(f"{HEADER_LV}\nT-1;Sieviete;1985;15.03.2026;;F-1;disability, rural\nT-2;V;1990;x\n")
    first, second = participant_rows(read_table(data, "p.csv"))
    assert (first.code, first.gender, first.birth_year, first.entry_date) == (
        "T-1",
        "female",
        "1985",
        "15.03.2026",
    )
    assert first.exit_date is None and first.household == "F-1"
    assert first.flags == ["disability", "rural"]
    assert (second.gender, second.flags, second.target_group) == ("male", [], "")


@needs_register
def test_participant_rows_refuse_missing_and_receipt_columns():
    from grants.register.files import participant_rows

    with pytest.raises(Refused) as error:
        participant_rows(read_table(csv("kods;summa\nA;1\n"), "p.csv"))
    assert [p.english() for p in error.value.problems] == [
        "Unknown column “summa”. The columns are: kods, dzimums, dzimšanas gads, "
        "iesaistes datums, izstāšanās datums, mājsaimniecība, mērķa grupa, pazīmes, "
        "nodarbinātības statuss, izglītības līmenis.",
        "The column “dzimums / gender” is missing.",
        "The column “dzimšanas gads / birth year” is missing.",
        "The column “iesaistes datums / entry date” is missing.",
    ]


@needs_register
def test_receipt_rows():
    from grants.register.files import receipt_rows

    data = csv("dalībnieks;pakalpojums;datums;vienības;summa\nT-1;Vizīte;1.2.2026;;1 234,50\n")
    (row,) = receipt_rows(read_table(data, "r.csv"))
    assert (row.participant, row.service, row.date, row.units, row.amount) == (
        "T-1",
        "Vizīte",
        "1.2.2026",
        "1",
        "1 234,50",
    )
    (row,) = receipt_rows(read_table(csv("dalībnieks;pakalpojums;datums\nT;S;D\n"), "r.csv"))
    assert (row.units, row.amount) == ("1", None)
    with pytest.raises(Refused) as error:
        receipt_rows(read_table(csv("kods;pakalpojums;datums\nT;S;D\n"), "r.csv"))
    assert [p.message for p in error.value.problems] == [
        "Unknown column “%(column)s”. The columns are: %(known)s.",
        "The column “%(column)s” is missing.",
    ]


# --- The command (needs grants.register.participants) ---------------------------------------------

SUPPORT = "Individuāls atbalsts pakalpojuma sniegšanas vietā"  # 35,00 a week in the demo


@pytest.fixture
def project_url(upgraded_url) -> str:
    """A database the command line finds upgraded, with a project like FAMILIES whose catalogue
    has the demo's weekly individual support."""
    from tests.builders import build_at, project, service  # they need the register domain

    async def families_with_support() -> None:
        await service(await project(FAMILIES), SUPPORT, "35,00")

    build_at(upgraded_url, families_with_support)
    return upgraded_url


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(csv(text, bom=True))
    return path


GOOD = (
    f"{HEADER_LV}\n"
    "CLI-001;Sieviete;1985;15.03.2026;;CLI-F1;\n"
    "\n"
    "CLI-002;vīrietis;1979;16.03.2026;;CLI-F1;\n"
)


@needs_register
def test_import_participants_from_the_command_line(project_url, tmp_path):
    result = grants(
        project_url, "import", "participants", FAMILIES, str(write(tmp_path, "p.csv", GOOD))
    )
    assert result.exit_code == 0, result.output
    assert "Imported 2 participants." in result.output


@needs_register
def test_import_refused_lists_rows_and_writes_nothing(project_url, tmp_path):
    bad = GOOD + "CLI-003;x;1990;15.03.2026;;;\nCLI-004;s;1990;someday;;;\n"
    result = grants(
        project_url, "import", "participants", FAMILIES, str(write(tmp_path, "p.csv", bad))
    )
    assert result.exit_code == 1, result.output
    assert "Nothing was imported from p.csv" in result.output
    assert "Row 5, gender:" in result.output  # the sheet's row numbers, empty row 4 included
    assert "Row 6, entry_date:" in result.output
    duplicate = GOOD + "CLI-001;s;1990;15.03.2026;;;\n"
    result = grants(
        project_url, "import", "participants", FAMILIES, str(write(tmp_path, "d.csv", duplicate))
    )
    assert "Row 5, code: Code CLI-001 is also on row 2 of this file" in result.output
    duplicate = GOOD + "CLI-002;s;1990;15.03.2026;;;\n"
    result = grants(
        project_url, "import", "participants", FAMILIES, str(write(tmp_path, "d.csv", duplicate))
    )
    assert "Row 5, code: Code CLI-002 is also on row 4 of this file" in result.output
    again = grants(
        project_url, "import", "participants", FAMILIES, str(write(tmp_path, "q.csv", GOOD))
    )
    assert "Imported 2 participants." in again.output  # the refused import left nothing behind


@needs_register
def test_import_lists_at_most_fifty_problems(project_url, tmp_path):
    lines = "".join(f"CLI-{n:03};x;1990;15.03.2026;;;\n" for n in range(60))
    result = grants(
        project_url,
        "import",
        "participants",
        FAMILIES,
        str(write(tmp_path, "p.csv", HEADER_LV + "\n" + lines)),
    )
    assert result.exit_code == 1
    shown = [line for line in result.output.splitlines() if line.startswith("  Row ")]
    assert len(shown) == 50
    assert "… and 10 more" in result.output


def test_import_refuses_an_unknown_project_and_a_bad_file(project_url, tmp_path):
    path = write(tmp_path, "p.csv", GOOD)
    result = grants(project_url, "import", "participants", "9.9.9/NOPE", str(path))
    assert result.exit_code == 1
    assert "There is no project “9.9.9/NOPE”." in result.output
    bad = write(tmp_path, "p.csv", "kods;vārds\nA;Jānis\n")
    result = grants(project_url, "import", "participants", FAMILIES, str(bad))
    assert result.exit_code == 1
    assert "Unknown column “vārds”" in result.output


@needs_register
def test_import_receipts_from_an_xlsx_file(project_url, tmp_path):
    grants(project_url, "import", "participants", FAMILIES, str(write(tmp_path, "p.csv", GOOD)))
    path = tmp_path / "r.xlsx"
    path.write_bytes(
        xlsx(
            ["Dalībnieks", "Pakalpojums", "Datums", "Vienības", "Summa"],
            ["CLI-001", SUPPORT, date(2026, 3, 20)],
            [],
            [
                "CLI-002",
                SUPPORT,
                "23.03.2026",
                2,
                "70,00",
            ],
        )
    )
    result = grants(project_url, "import", "receipts", FAMILIES, str(path))
    assert result.exit_code == 0, result.output
    assert "Imported 2 service receipts." in result.output
    path.write_bytes(
        xlsx(
            ["Dalībnieks", "Pakalpojums", "Datums"],
            ["CLI-001", "Nav tāda pakalpojuma", date(2026, 3, 20)],
            [],
            ["NOBODY", SUPPORT, date(2026, 3, 20)],
        )
    )
    result = grants(project_url, "import", "receipts", FAMILIES, str(path))
    assert result.exit_code == 1
    assert "Row 2, service:" in result.output and "Row 4, participant:" in result.output
