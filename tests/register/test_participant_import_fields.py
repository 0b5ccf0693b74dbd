"""Imports take the ESF+ data at entry (issue 13): the labour-market status and the education
level under Latvian or English headers, in Latvian or English words, all rows or none, with
the refusals naming the spreadsheet's rows."""

import io

import openpyxl

from grants.core.vocabulary import Role
from grants.register.files import participant_rows, read_table
from grants.tables.participants import Participant
from tests.helpers import api_headers, post, sign_in

API = "/api/v1"


def table(text: str) -> list[dict[str, str]]:
    return read_table(text.encode("utf-8-sig"), "d.csv")


async def stored() -> list[tuple[str, str, str, str]]:
    rows = await Participant.select(
        Participant.code, Participant.labour_status, Participant.education, Participant.flags
    ).order_by(Participant.code)
    return [(r["code"], r["labour_status"], r["education"], r["flags"]) for r in rows]


def test_latvian_and_english_headers_and_words():
    latvian = table(
        "Kods;Dzimums;Dzimšanas gads;Iesaistes datums;Nodarbinātības statuss;Izglītības līmenis\n"
        "T-1;s;1990;01.03.2026;Ilgstošs bezdarbnieks;Vidējā vai pēcvidējā (ISCED 3–4)\n"
        "T-2;v;1980;01.03.2026;nodarbināts (arī pašnodarbināts);augstākā\n"
        "T-3;v;1980;01.03.2026;atteicās atbildēt;\n"
    )
    english = table(
        "Code,Gender,Birth year,Entry date,Labour status,Education\n"
        "T-4,female,1990,2026-03-01,inactive,ISCED 0-2\n"
        "T-5,male,1990,2026-03-01,Long-term unemployed,refused\n"
    )
    assert [(p.labour_status, p.education) for p in participant_rows(latvian + english)] == [
        ("long_term_unemployed", "isced_3_4"),
        ("employed", "isced_5_8"),
        ("refused", ""),
        ("inactive", "isced_0_2"),
        ("long_term_unemployed", "refused"),
    ]


async def test_an_import_with_the_new_columns_writes_every_row(families, client):
    pid = families
    csv = (
        "kods;dzimums;dzimšanas gads;iesaistes datums;pazīmes;nodarbinātības statuss;izglītība\n"
        "TUK-1;sieviete;1988;01.09.2026;rural;bezdarbnieks;pamatizglītība\n"
        "TUK-2;vīrietis;1990;01.09.2026;rural;;\n"
    )
    await sign_in(client, Role.COORDINATOR)
    done = await post(
        client,
        f"/projects/{pid}/register/import",
        {"kind": "participants"},
        files={"file": ("dalibnieki.csv", csv.encode(), "text/csv")},
    )
    assert done.status_code == 200, done.text
    assert await stored() == [
        ("TUK-1", "unemployed", "isced_0_2", "rural"),
        ("TUK-2", "", "", "rural"),  # not recorded yet
    ]


async def test_an_xlsx_with_english_headers_through_the_api(families, client):
    pid = families
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(
        ["Code", "Gender", "Birth year", "Entry date", "Flags", "Labour status", "Education"]
    )
    sheet.append(["A-1", "female", 1990, "01.03.2026", "disability", "employed", "isced_5_8"])
    sheet.append(["A-2", "male", 1970, "01.03.2026", "unemployed", None, "ISCED 3–4"])
    data = io.BytesIO()
    book.save(data)
    done = await client.post(
        f"{API}/projects/{pid}/participants/import",
        files={"file": ("participants.xlsx", data.getvalue(), "application/octet-stream")},
        headers=await api_headers(Role.COORDINATOR),
    )
    assert done.status_code == 201, done.text
    assert await stored() == [
        ("A-1", "employed", "isced_5_8", "disability"),
        ("A-2", "unemployed", "isced_3_4", ""),  # an older file's status among the flags
    ]


async def test_one_wrong_row_imports_nothing_and_names_the_sheets_rows(families, client):
    pid = families
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])  # the header on row 2
    sheet.append(["Kods", "Dzimums", "Dzimšanas gads", "Iesaistes datums", "Pazīmes",
                  "Nodarbinātības statuss", "Izglītības līmenis"])  # fmt: skip
    sheet.append(["T-1", "s", "1990", "01.03.2026", None, "bezdarbnieks", "augstākā"])
    sheet.append([])
    sheet.append(["T-2", "s", "1990", "01.03.2026", "employed", "bezdarbnieks", "doktors"])
    sheet.append(["T-3", "v", "1990", "01.03.2026", "inactive, employed", "students", None])
    data = io.BytesIO()
    book.save(data)
    response = await client.post(
        f"{API}/projects/{pid}/participants/import",
        files={"file": ("dalibnieki.xlsx", data.getvalue(), "application/octet-stream")},
        headers=await api_headers(Role.COORDINATOR),
    )
    assert response.status_code == 400
    errors = [(e["field"], e["message"]) for e in response.json()["errors"]]
    assert [field for field, _ in errors] == ["5.labour_status", "5.education", "6.labour_status"]
    assert errors[0][1].startswith(
        "Vairāk nekā viens nodarbinātības statuss (unemployed, employed)"
    )
    assert "„doktors”" in errors[1][1]
    assert "„students”" in errors[2][1]
    assert await Participant.count() == 0  # not even row 3


async def test_the_templates_have_the_new_columns(families, client):
    headers = await api_headers(Role.COORDINATOR)
    latvian = await client.get(f"{API}/register-templates/participants.csv", headers=headers)
    assert (
        latvian.content.decode("utf-8-sig")
        .rstrip()
        .endswith(";Pazīmes;Nodarbinātības statuss;Izglītības līmenis")
    )
    english = await client.get(
        f"{API}/register-templates/participants.csv", headers={**headers, "Accept-Language": "en"}
    )
    assert english.content.decode("utf-8-sig").rstrip().endswith(";Flags;Labour status;Education")
