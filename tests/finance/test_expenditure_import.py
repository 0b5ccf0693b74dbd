"""The expenditure import through the API: a preview, then all rows or none, with row numbers
as the spreadsheet shows them (the header is row 1), Latvian or English headers, `;` or `,`
CSV and XLSX, duplicates in the file and against the register, and who may import."""

import csv
import io
from datetime import date

from openpyxl import Workbook, load_workbook

from grants.accounts.users import create_token
from grants.core.vocabulary import Role
from grants.procurement.contracts import ContractInput, create_contract
from grants.tables.audit import AuditEvent
from grants.tables.expenditures import Expenditure
from tests.builders import BUILDER, expenditure, outsider, partner
from tests.helpers import api_headers, period_at

LV = ["Rēķina datums", "Summa", "Attiecināmā daļa", "PVN", "Izmaksu kategorija",
      "Piegādātājs", "Rēķina numurs", "Apmaksas datums", "Apraksts"]  # fmt: skip
EN = ["date", "amount", "eligible", "vat", "category", "supplier", "invoice number",
      "payment date", "description"]  # fmt: skip


def csv_file(header: list[str], rows: list[list[str]], sep: str = ";", bom: bool = True) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows([header, *rows])
    return ("\ufeff" if bom else "").encode() + buffer.getvalue().encode()


def xlsx_file(header: list[str], rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def send(client, pid, content: bytes, name: str, *, dry_run: bool, role=Role.FINANCE):
    return await client.post(
        f"/api/v1/projects/{pid}/expenditures/import?dry_run={str(dry_run).lower()}",
        files={"file": (name, content)},
        headers=await api_headers(role),
    )


GOOD = ["15.03.2026", "1 234,50", "1 000,00", "214,26", "external_services", "SIA Mācības",
        "MA-17", "20.03.2026", "Apmācības"]  # fmt: skip
SECOND = ["2026-04-02", "99,99", "", "", "Personāls", "SIA Birojs", "B-2", "", ""]


def statuses(body: dict) -> list[tuple]:
    return [(r["row"], r["status"], [p["field"] for p in r["problems"]]) for r in body["rows"]]


async def test_preview_numbers_rows_as_the_spreadsheet_and_writes_nothing(families, client):
    pid = families
    bad = ["31.02.2026", "12,3,4", "", "", "catering", "SIA X", "X-1", "", ""]
    rows = [GOOD, bad, [""] * 9, SECOND]  # row 4 is empty: skipped, row 5 keeps its number
    response = await send(client, pid, csv_file(LV, rows), "rekini.csv", dry_run=True)
    assert response.status_code == 200, response.text
    body = response.json()
    assert statuses(body) == [
        (2, "accepted", []),
        (3, "refused", ["3.date", "3.amount", "3.category"]),
        (5, "accepted", []),
    ]
    assert (body["accepted"], body["refused"], body["dry_run"]) == (2, 1, True)
    assert body["rows"][0]["entry_no"] is None
    assert await Expenditure.count() == 0


async def test_import_writes_every_row_exactly_each_audited(families, client):
    pid = families
    content = csv_file(EN, [GOOD, SECOND], sep=",", bom=False)
    response = await send(client, pid, content, "invoices.csv", dry_run=False)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(r["row"], r["status"], r["entry_no"]) for r in body["rows"]] == [
        (2, "accepted", 1),
        (3, "accepted", 2),
    ]
    assert (body["accepted"], body["refused"], body["dry_run"]) == (2, 0, False)
    stored = await Expenditure.select(
        Expenditure.entry_no,
        Expenditure.amount,
        Expenditure.eligible_amount,
        Expenditure.vat,
        Expenditure.category,
        Expenditure.spent_on,
        Expenditure.payment_date,
    ).order_by(Expenditure.entry_no)
    assert [tuple(r.values()) for r in stored] == [
        (1, 123450, 100000, 21426, "external_services", date(2026, 3, 15), date(2026, 3, 20)),
        (2, 9999, 9999, 0, "staff", date(2026, 4, 2), None),
    ]
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.entity).where(
        AuditEvent.project == pid
    )
    assert [(e["action"], e["entity"]) for e in events if e["entity"] == "expenditure"] == [
        ("create", "expenditure"),
        ("create", "expenditure"),
    ]


async def test_a_file_with_one_refused_row_writes_nothing(families, client):
    pid = families
    bad = [*GOOD[:6], "", *GOOD[7:]]  # no invoice number
    content = csv_file(LV, [SECOND, bad])
    response = await send(client, pid, content, "rekini.csv", dry_run=False)
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["3.invoice_number"]
    assert await Expenditure.count() == 0
    assert await AuditEvent.count().where(AuditEvent.entity == "expenditure") == 0


async def test_duplicates_against_the_register_and_within_the_file_are_named(families, client):
    pid = families
    await expenditure(pid, supplier="SIA Mācības", invoice_number="MA-17")
    again = [*GOOD[:5], "sia  mācības", "ma-17", "", ""]
    other = [*SECOND[:6], "B-9", "", ""]
    twice = [*SECOND[:5], "SIA BIROJS", "b-9", "", ""]
    content = csv_file(LV, [again, other, twice])
    preview = (await send(client, pid, content, "rekini.csv", dry_run=True)).json()
    assert statuses(preview) == [
        (2, "refused", ["2.invoice_number"]),
        (3, "accepted", []),
        (4, "refused", ["4.invoice_number"]),
    ]
    english = await client.post(
        f"/api/v1/projects/{pid}/expenditures/import?dry_run=true",
        files={"file": ("rekini.csv", content)},
        headers=await api_headers(Role.FINANCE) | {"Accept-Language": "en"},
    )
    problems = [r["problems"] for r in english.json()["rows"]]
    assert problems[0][0]["message"] == (
        "Invoice ma-17 from sia  mācības is already recorded as entry 1."
    )
    assert problems[2][0]["message"] == "Invoice b-9 from SIA BIROJS is also on row 3 of this file."
    response = await send(client, pid, content, "rekini.csv", dry_run=False)
    assert response.status_code == 400
    assert await Expenditure.count() == 1


async def test_only_register_conflicts_make_a_409(families, client):
    pid = families
    await period_at(pid, date(2026, 3, 15), "submitted")
    response = await send(client, pid, csv_file(LV, [GOOD]), "rekini.csv", dry_run=False)
    assert response.status_code == 409, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["2.date"]
    assert await Expenditure.count() == 0


async def test_xlsx_with_latvian_headers_typed_cells_and_names(families, client):
    pid = families
    rows = [
        [date(2026, 3, 15), 1234.5, "1 000,00", None, "Ārējie pakalpojumi un ekspertīze",
         "SIA Mācības", "MA-17", None, "Apmācības"],
        [date(2026, 3, 16), 10, None, None, "STAFF", "SIA Mācības", "MA-18", None, None],
        [None] * 9,
        [date(2026, 3, 17), 1.005, None, None, "staff", "SIA Mācības", "MA-19", None, None],
    ]  # fmt: skip
    content = xlsx_file(LV, rows)
    preview = (await send(client, pid, content, "rekini.xlsx", dry_run=True)).json()
    assert statuses(preview) == [
        (2, "accepted", []),
        (3, "accepted", []),
        (5, "refused", ["5.amount"]),
    ]
    del rows[3]
    response = await send(client, pid, xlsx_file(LV, rows), "rekini.xlsx", dry_run=False)
    assert response.status_code == 200, response.text
    stored = await Expenditure.select(
        Expenditure.amount, Expenditure.category, Expenditure.description
    ).order_by(Expenditure.entry_no)
    assert [tuple(r.values()) for r in stored] == [
        (123450, "external_services", "Apmācības"),
        (1000, "staff", ""),
    ]


async def test_a_partner_is_named_by_its_organisation(families, client):
    pid = families
    await partner(pid, "Biedrība Ģimenes", budget=100_000)
    header = [*EN, "partner"]
    rows = [[*GOOD, "biedriba gimenes"], [*SECOND, "SIA Nav"]]
    preview = (await send(client, pid, csv_file(header, rows), "p.csv", dry_run=True)).json()
    assert statuses(preview) == [(2, "accepted", []), (3, "refused", ["3.partner"])]


async def test_the_columns_are_checked_before_any_row(families, client):
    pid = families
    header = ["Summa", "Summa (EUR)", "Kaut kas", "Piegādātājs"]
    response = await send(
        client, pid, csv_file(header, [["1", "2", "3", "X"]]), "r.csv", dry_run=True
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"columns"}
    messages = " ".join(e["message"] for e in response.json()["errors"])
    assert "Kaut kas" in messages and "Rēķina datums" in messages
    wrong = await send(client, pid, b"x", "r.pdf", dry_run=True)
    assert [e["field"] for e in wrong.json()["errors"]] == ["file"]
    empty = await send(client, pid, csv_file(LV, []), "r.csv", dry_run=True)
    assert empty.status_code == 400


async def test_only_admin_and_finance_import_and_outsiders_see_nothing(families, client):
    pid = families
    content = csv_file(LV, [GOOD])
    for role in (Role.COORDINATOR, Role.VIEWER, Role.AUDITOR):
        for dry_run in (True, False):
            response = await send(client, pid, content, "r.csv", dry_run=dry_run, role=role)
            assert response.status_code == 403, role
    other = await outsider(Role.FINANCE)
    headers = {"Authorization": f"Bearer {await create_token(other.email)}"}
    response = await client.post(
        f"/api/v1/projects/{pid}/expenditures/import?dry_run=true",
        files={"file": ("r.csv", content)},
        headers=headers,
    )
    assert response.status_code == 404
    missing = await send(client, 2_147_483_648, content, "r.csv", dry_run=True)
    assert missing.status_code == 404
    assert await Expenditure.count() == 0
    response = await send(client, pid, content, "r.csv", dry_run=False, role=Role.ADMIN)
    assert response.status_code == 200
    assert await Expenditure.count() == 1


async def test_the_template_has_the_headers_in_the_request_language(families, client):
    pid = families
    url = f"/api/v1/projects/{pid}/expenditures/import-template"
    headers = await api_headers(Role.FINANCE)
    lv = await client.get(url, params={"format": "csv"}, headers=headers)
    assert lv.status_code == 200
    assert lv.content.decode("utf-8-sig").splitlines()[0].split(";")[:3] == [
        "Rēķina datums",
        "Summa",
        "Attiecināmā daļa",
    ]
    en = await client.get(
        url, params={"format": "xlsx"}, headers=headers | {"Accept-Language": "en"}
    )
    sheet = load_workbook(io.BytesIO(en.content)).active
    assert [c.value for c in sheet[1]][:3] == ["Invoice date", "Amount", "Eligible part"]
    unknown = await client.get(url, params={"format": "pdf"}, headers=headers)
    assert unknown.status_code == 400


async def test_a_contract_is_named_by_its_reference_and_its_ceiling_counts_the_file(
    families, client
):
    pid = families
    data = ContractInput("IUB TNP 2025/14", "SIA Birojs", "1 000,00", "10.02.2026", "open")
    await create_contract(BUILDER, pid, data)
    header = ["date", "amount", "vat", "category", "supplier", "invoice number", "contract"]
    rows = [
        ["15.03.2026", "600,00", "", "staff", "SIA Birojs", "C-1", "iub tnp 2025/14"],
        ["16.03.2026", "400,01", "", "staff", "SIA Birojs", "C-2", "IUB TNP 2025/14"],
        ["17.03.2026", "400,00", "", "staff", "SIA Birojs", "C-3", "IUB TNP 2025/14"],
        ["18.03.2026", "1,00", "", "staff", "SIA Birojs", "C-4", "IUB 1"],
    ]
    content = csv_file(header, rows)
    preview = (await send(client, pid, content, "c.csv", dry_run=True)).json()
    assert statuses(preview) == [
        (2, "accepted", []),
        (3, "refused", ["3.contract"]),
        (4, "accepted", []),
        (5, "refused", ["5.contract"]),
    ]
    english = await client.post(
        f"/api/v1/projects/{pid}/expenditures/import?dry_run=true",
        files={"file": ("c.csv", content)},
        headers=await api_headers(Role.FINANCE) | {"Accept-Language": "en"},
    )
    assert [r["problems"] for r in english.json()["rows"]][1][0]["message"] == (
        "With the invoices above it in this file (rows 2), this one would take contract"
        " IUB TNP 2025/14 past its amount."
    )
    response = await send(client, pid, csv_file(header, rows[:1] + rows[2:3]), "c.csv",
                          dry_run=False)  # fmt: skip
    assert response.status_code == 200, response.text
    contracts = await Expenditure.select(Expenditure.contract).order_by(Expenditure.entry_no)
    assert [r["contract"] for r in contracts] == [1, 1]
