"""The register's export: every column of the current register as CSV or XLSX, text never a
formula, amounts exact, headings in the request's language, for readers of the project only."""

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from grants.accounts.users import create_token
from grants.core.vocabulary import Role
from grants.finance.expenditures import cancel_expenditure, edit_expenditure
from grants.procurement.contracts import ContractInput, create_contract
from tests.builders import BUILDER, expenditure, invoice, outsider, partner
from tests.helpers import api_headers

LV_HEADINGS = [
    "Ieraksta Nr.",
    "Versija",
    "Rēķina datums",
    "Piegādātājs",
    "Rēķina numurs",
    "Summa",
    "Attiecināmā daļa",
    "Neattiecināmā daļa",
    "PVN",
    "Kategorijas kods",
    "Kategorija",
    "Apmaksas datums",
    "Apraksts",
    "Pamatojums",
    "Partneris",
    "Līgums",
    "Pamatojuma faili",
    "Izmaiņu pamatojums",
    "Ierakstīja",
    "Ierakstīts",
]


async def register(pid: int) -> None:
    """Three entries: one corrected (version 2), one with formula-looking text, one cancelled."""
    own = await partner(pid, "Biedrība Ģimenes")
    first = await expenditure(pid, supplier="SIA Mācības", invoice_number="MA-17", partner_id=own)
    contract = ContractInput("IUB 2026/1", "SIA Mācības", "2 000 000,00", "10.02.2026", "open")
    cid = (await create_contract(BUILDER, pid, contract)).id
    await edit_expenditure(
        BUILDER, first.id, invoice(supplier="SIA Mācības", invoice_number="MA-17",
                                   amount="1 000 000,01", eligible_amount="999 999,99",
                                   partner_id=own, contract_id=cid), "typo",
    )  # fmt: skip
    await expenditure(
        pid,
        date="16.03.2026",
        supplier='=HYPERLINK("http://x")',
        invoice_number="+1-2",
        description="-5 @ref",
        amount="0,01",
        eligible_amount="0,01",
        vat="",
        payment_date="",
        evidence_ref="",
    )
    gone = await expenditure(pid, invoice_number="GONE-1")
    await cancel_expenditure(BUILDER, gone.id, "wrong project")


async def test_csv_has_every_column_exact_amounts_and_no_formulas(families, client):
    pid = families
    await register(pid)
    response = await client.get(
        f"/api/v1/projects/{pid}/expenditures/export",
        params={"format": "csv"},
        headers=await api_headers(Role.VIEWER),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == LV_HEADINGS
    assert len(rows) == 3  # the cancelled entry is not in the current register
    first, second = (dict(zip(rows[0], row, strict=True)) for row in rows[1:])
    assert [first[h] for h in LV_HEADINGS[:12]] == [
        "1", "2", "2026-03-15", "SIA Mācības", "MA-17", "1000000,01", "999999,99", "0,02",
        "214,26", "external_services", "Ārējie pakalpojumi un ekspertīze", "2026-03-20",
    ]  # fmt: skip
    assert (first["Partneris"], first["Līgums"], second["Līgums"]) == (
        "Biedrība Ģimenes",
        "IUB 2026/1",
        "",
    )
    assert (first["Partneris"], first["Izmaiņu pamatojums"], first["Ierakstīja"]) == (
        "Biedrība Ģimenes",
        "typo",
        "",  # the builders write as no user
    )
    assert (second["Piegādātājs"], second["Rēķina numurs"], second["Apraksts"]) == (
        '\'=HYPERLINK("http://x")',
        "'+1-2",
        "'-5 @ref",
    )
    assert (second["Summa"], second["PVN"], second["Apmaksas datums"]) == ("0,01", "0,00", "")


async def test_xlsx_keeps_text_as_text_and_amounts_as_exact_numbers(families, client):
    pid = families
    await register(pid)
    response = await client.get(
        f"/api/v1/projects/{pid}/expenditures/export",
        params={"format": "xlsx"},
        headers=await api_headers(Role.FINANCE) | {"Accept-Language": "en"},
    )
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]][:6] == [
        "Entry No.",
        "Version",
        "Invoice date",
        "Supplier",
        "Invoice number",
        "Amount",
    ]
    assert len(rows) == 3
    first = rows[1]
    assert (first[0].value, first[2].value.date(), first[5].value, first[7].value) == (
        1,
        date(2026, 3, 15),
        1000000.01,
        0.02,
    )
    assert Decimal(str(first[5].value)) == Decimal("1000000.01")
    assert first[10].value == "External expertise and services"
    supplier, number, description = rows[2][3], rows[2][4], rows[2][12]
    for cell, typed in (
        (supplier, '=HYPERLINK("http://x")'),
        (number, "+1-2"),
        (description, "-5 @ref"),
    ):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (typed, "s", True)


async def test_who_may_export(families, client):
    pid = families
    url = f"/api/v1/projects/{pid}/expenditures/export"
    for role in (Role.ADMIN, Role.FINANCE, Role.COORDINATOR, Role.VIEWER, Role.AUDITOR):
        response = await client.get(url, headers=await api_headers(role))
        assert response.status_code == 200, role
        assert response.content.decode("utf-8-sig").splitlines() == [";".join(LV_HEADINGS)]
    other = {"Authorization": f"Bearer {await create_token((await outsider()).email)}"}
    assert (await client.get(url, headers=other)).status_code == 404
    headers = await api_headers(Role.ADMIN)
    missing = await client.get("/api/v1/projects/999999/expenditures/export", headers=headers)
    assert missing.status_code == 404
    wrong = await client.get(url, params={"format": "pdf"}, headers=headers)
    assert wrong.status_code == 400
    assert [e["field"] for e in wrong.json()["errors"]] == ["format"]
