"""A payment claim's document: exact figures in the XLSX and the PDF, Latvian and English, the
Jems columns of a partner report, frozen on submission (a resubmission adds version 2), text
cells never formulas, roles and refusals."""

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from grants.claims.claims import ClaimInput, create_claim, get_claim
from grants.claims.workflow import DeductionInput, approve_claim, return_claim
from grants.core.access import AccessDenied
from grants.core.i18n import gettext
from grants.core.vocabulary import ClaimStatus, Role
from grants.projects.editing import ProjectInput, update_project
from grants.projects.reports import save_narrative
from grants.tables.audit import AuditEvent
from grants.tables.claims import ClaimDocument
from grants.tables.projects import Partner
from reports.claim_document import build_claim_document, render_claim, submit_and_freeze_claim
from reports.claim_pdf import render_claim_html
from reports.claim_xlsx import JEMS_COLUMNS, JEMS_SHEET
from reports.frames import in_locale
from tests.builders import BUILDER, expenditure, outsider
from tests.helpers import NBSP, api_headers, period_at, principal, sign_in

Q1 = ("2026-01-01", "2026-03-31")
JEMS_HEADINGS = [
    "Internal reference number",
    "Invoice number",
    "Invoice date",
    "Date of payment",
    "Cost category",
    "Description",
    "Comment",
    "Total value of invoice",
    "VAT",
    "Declared amount",
    "Currency",
    "Conversion rate",
    "Declared amount in EUR",
    "Contract ID",
    "Attachment",
]


async def q1_claim(families: int) -> int:
    """An interim claim of Q1 with two invoices: 1 234,50 (1 000,00 eligible, VAT 214,26) from
    a supplier whose name looks like a formula, and 101,01; eligible 1 101,01 = ESF+ 935,86 +
    state budget 165,15."""
    await expenditure(families, supplier="=SUM(A1)", invoice_number="BR-001")
    await expenditure(
        families,
        date="20.03.2026",
        amount="101,01",
        eligible_amount="101,01",
        vat=None,
        invoice_number="BR-002",
        payment_date="2026-03-25",
    )
    finance = await principal(Role.FINANCE)
    return (await create_claim(finance, families, ClaimInput("interim", *Q1))).id


def lv(msgid: str) -> str:
    """A message in Latvian, as the catalogue has it."""
    return in_locale("lv", gettext, msgid)


def workbook(data: bytes):
    return load_workbook(BytesIO(data))


def money(value) -> Decimal:
    """A money cell read back (openpyxl gives float) as the exact amount it shows."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


def rows(sheet) -> list[list]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def pdf_text(data: bytes) -> str:
    """The PDF's text, spaces normalised (no-break and narrow no-break spaces as spaces)."""
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode()
    else:
        from pypdf import PdfReader

        text = "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    return text.replace(NBSP, " ").replace("\u202f", " ")


async def test_the_xlsx_has_exact_figures_and_text_cells(families):
    claim_id = await q1_claim(families)
    finance = await principal(Role.FINANCE)
    document = await build_claim_document(finance, claim_id, report_date=date(2026, 4, 2))
    book = workbook(render_claim(document, "xlsx"))
    sheets = ["Claim", "Expenditures", "Split by source", "Deductions", "Payments"]
    assert book.sheetnames == [lv(s) for s in [*sheets, "Indicators", "Narrative"]]
    assert book.sheetnames[:3] == ["Pieprasījums", "Izdevumi", "Sadalījums pa avotiem"]
    items = rows(book["Izdevumi"])
    assert items[0][:3] == ["Ieraksta Nr.", "Rēķina numurs", "Piegādātājs"]
    assert [r[0] for r in items[1:]] == [1, 2, "Kopā"]
    assert [money(r[6]) for r in items[1:]] == [
        Decimal("1234.50"),
        Decimal("101.01"),
        Decimal("1335.51"),
    ]
    assert [money(r[7]) for r in items[1:]] == [
        Decimal("1000.00"),
        Decimal("101.01"),
        Decimal("1101.01"),
    ]
    supplier = book["Izdevumi"]["C2"]
    assert (supplier.value, supplier.data_type, supplier.quotePrefix) == ("=SUM(A1)", "s", True)
    assert (items[1][3].date(), items[1][4].date()) == (date(2026, 3, 15), date(2026, 3, 20))
    sources = rows(book["Sadalījums pa avotiem"])
    assert [(r[0], money(r[2])) for r in sources[1:]] == [
        ("ESF+", Decimal("935.86")),
        ("Valsts budžets", Decimal("165.15")),
        ("Kopā", Decimal("1101.01")),
    ]
    assert [r[3] for r in sources[1:]] == [None, None, None]  # approved: not yet
    header = {r[0]: r[1] for r in rows(book["Pieprasījums"])[1:]}
    assert header["Projekta kods"] == "4.4.1.1./2/004"
    assert header["Pieprasījuma numurs"] == 1
    assert money(header["Attiecināmās izmaksas pieprasījumā"]) == Decimal("1101.01")
    assert money(header["Pieprasīts no finansētāja"]) == Decimal("1101.01")
    assert money(header[lv("Advance cleared")]) == Decimal("0.00")
    assert header[lv("Approved")] is None and header[lv("Outstanding")] is None

    english = await build_claim_document(finance, claim_id, locale="en")
    book = workbook(render_claim(english, "xlsx"))
    assert book.sheetnames[:3] == ["Claim", "Expenditures", "Split by source"]
    assert rows(book["Expenditures"])[0][:3] == ["Entry No.", "Invoice number", "Supplier"]
    assert money(rows(book["Expenditures"])[3][7]) == Decimal("1101.01")
    summary = {r[0]: r[1] for r in rows(book["Claim"])[1:]}
    assert money(summary["Advance cleared"]) == Decimal("0.00")
    assert money(summary["Requested from the funder"]) == Decimal("1101.01")


async def test_the_pdf_shows_the_figures_in_either_language(families):
    claim_id = await q1_claim(families)
    q1 = await period_at(families, date(2026, 2, 1))
    await save_narrative(await principal(Role.COORDINATOR), q1, {"activities": "Darbs ar ģimenēm"})
    finance = await principal(Role.FINANCE)
    latvian = pdf_text(render_claim(await build_claim_document(finance, claim_id), "pdf"))
    for text in (
        f"{lv('Interim payment claim')} Nr. 1",
        "MELNRAKSTS",
        "4.4.1.1./2/004",
        "=SUM(A1)",
        "1 335,51",
        "1 101,01",
        "935,86",
        "165,15",
        "Darbs ar ģimenēm",
    ):
        assert text in latvian, text
    english = await build_claim_document(finance, claim_id, locale="en")
    text = pdf_text(render_claim(english, "pdf"))
    for shown in ("Interim payment claim No. 1", "DRAFT", "1,335.51", "1,101.01", "935.86"):
        assert shown in text, shown
    html = render_claim_html(english).decode()
    assert "Reporting period 1" in html and "Activities" in html


async def test_deductions_and_approval_reach_the_document(families):
    claim_id = await q1_claim(families)
    finance = await principal(Role.FINANCE)
    submitted = await submit_and_freeze_claim(finance, claim_id)
    first = submitted.items[0].expenditure_id
    await approve_claim(finance, claim_id, [DeductionInput(first, "0,01", "Noapaļošana")])
    document = await build_claim_document(finance, claim_id, locale="en")
    book = workbook(render_claim(document, "xlsx"))
    deductions = rows(book["Deductions"])
    assert deductions[1][0] == 1
    assert [money(v) for v in deductions[1][3:6]] == [
        Decimal("1000.00"),
        Decimal("0.01"),
        Decimal("999.99"),
    ]
    assert deductions[1][6] == "Noapaļošana"
    sources = rows(book["Split by source"])
    assert [(r[0], money(r[3])) for r in sources[1:]] == [
        ("ESF+", Decimal("935.85")),
        ("Valsts budžets", Decimal("165.15")),
        ("Total", Decimal("1101.00")),
    ]
    summary = {r[0]: r[1] for r in rows(book["Claim"])[1:]}
    assert (money(summary["Approved"]), money(summary["Deducted"])) == (
        Decimal("1101.00"),
        Decimal("0.01"),
    )
    assert money(summary["Outstanding"]) == Decimal("1101.00")


async def test_a_partner_report_has_the_jems_columns_in_order(connectingen):
    own = (
        await Partner.select(Partner.id)
        .where((Partner.project == connectingen) & (Partner.budget.is_not_null()))
        .first()
    )["id"]
    await expenditure(
        connectingen,
        date="15.05.2025",
        amount="1 210,00",
        eligible_amount="1 000,01",
        vat="210,00",
        invoice_number="ST-7",
        payment_date="2025-05-20",
        description="Seminārs senioriem",
        evidence_ref="Līgums Nr. 3",
    )
    finance = await principal(Role.FINANCE)
    report = await create_claim(
        finance,
        connectingen,
        ClaimInput("partner_report", "2025-04-01", "2025-09-30", partner_id=own),
    )
    document = await build_claim_document(finance, report.id)
    book = workbook(render_claim(document, "xlsx"))
    assert [c.title for c in JEMS_COLUMNS] == JEMS_HEADINGS
    assert book.sheetnames[1] == JEMS_SHEET
    sheet = rows(book[JEMS_SHEET])
    assert sheet[0] == JEMS_HEADINGS
    line = sheet[1]
    assert line[:2] == ["1", "ST-7"] and line[2].date() == date(2025, 5, 15)
    assert line[3].date() == date(2025, 5, 20)
    assert line[4] == "External expertise and services"  # Jems' cost category, in English
    assert line[5:7] == ["Seminārs senioriem", "Līgums Nr. 3"]
    assert [money(v) for v in (line[7], line[8], line[9])] == [
        Decimal("1210.00"),
        Decimal("210.00"),
        Decimal("1000.01"),
    ]
    assert (line[10], line[11], money(line[12])) == ("EUR", 1, Decimal("1000.01"))
    assert sheet[2][0] == "Total" and money(sheet[2][12]) == Decimal("1000.01")
    header = {r[0]: r[1] for r in rows(book["Pieprasījums"])[1:]}
    assert header[lv("Partner")] == "Tukuma novada sociālais dienests"
    sources = rows(book["Sadalījums pa avotiem"])
    assert [(r[0], money(r[2])) for r in sources[1:3]] == [
        ("ERAF", Decimal("800.01")),
        ("Tukuma novada pašvaldība", Decimal("200.00")),
    ]


async def test_submission_freezes_the_document_and_a_resubmission_adds_version_2(families, client):
    claim_id = await q1_claim(families)
    headers = await api_headers(Role.FINANCE)
    submitted = await client.post(f"/api/v1/claims/{claim_id}/submit", headers=headers)
    assert submitted.status_code == 200, submitted.text
    stored = await ClaimDocument.select(ClaimDocument.version, ClaimDocument.data_hash).where(
        ClaimDocument.claim == claim_id
    )
    assert [r["version"] for r in stored] == [1] and len(stored[0]["data_hash"]) == 64
    url = f"/api/v1/claims/{claim_id}/document"
    files = {}
    for fmt in ("pdf", "xlsx"):
        response = await client.get(url, params={"format": fmt}, headers=headers)
        assert response.status_code == 200, response.text
        assert f"-claim-1-v1.{fmt}" in response.headers["content-disposition"]
        files[fmt] = response.content
    assert files["pdf"].startswith(b"%PDF")
    # the project changes after submission: the claim's document does not
    await update_project(BUILDER, families, ProjectInput(title="Cits nosaukums"))
    for fmt in ("pdf", "xlsx"):
        again = await client.get(url, params={"format": fmt, "lang": "en"}, headers=headers)
        assert again.content == files[fmt]
    assert "Cits nosaukums" not in pdf_text(files["pdf"])

    finance = await principal(Role.FINANCE)
    await return_claim(finance, claim_id, "Pievienojiet rēķinu kopijas")
    live = await client.get(url, params={"format": "pdf"}, headers=headers)
    assert "Cits nosaukums" in pdf_text(live.content)
    assert "-claim-1-draft.pdf" in live.headers["content-disposition"]
    resubmitted = await client.post(f"/api/v1/claims/{claim_id}/submit", headers=headers)
    assert resubmitted.status_code == 200
    versions = await ClaimDocument.select(ClaimDocument.version).where(
        ClaimDocument.claim == claim_id
    )
    assert sorted(r["version"] for r in versions) == [1, 2]
    latest = await client.get(url, params={"format": "pdf"}, headers=headers)
    assert "-claim-1-v2.pdf" in latest.headers["content-disposition"]
    assert "Cits nosaukums" in pdf_text(latest.content)
    old = await client.get(url, params={"format": "pdf", "version": 1}, headers=headers)
    assert old.content == files["pdf"]
    missing = await client.get(url, params={"format": "pdf", "version": 3}, headers=headers)
    assert missing.status_code == 400
    assert [e["field"] for e in missing.json()["errors"]] == ["version"]
    for version in (0, 2**31):  # no version can have it: never looked up
        answer = await client.get(
            url, params={"format": "pdf", "version": version}, headers=headers
        )
        assert answer.status_code == 404


async def test_the_site_route_downloads_with_the_session_and_the_cookie(families, client):
    claim_id = await q1_claim(families)
    await sign_in(client, Role.VIEWER)
    response = await client.get(
        f"/claims/{claim_id}/document", params={"format": "xlsx", "download": "abc123"}
    )
    assert response.status_code == 200
    assert response.cookies.get("grants_download") == "abc123"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "claim-1-draft.xlsx" in disposition
    assert workbook(response.content).sheetnames[0] == "Pieprasījums"
    english = await client.get(f"/claims/{claim_id}/document", params={"lang": "en"})
    assert "Interim payment claim" in pdf_text(english.content)


async def test_roles_and_refusals(families, client):
    claim_id = await q1_claim(families)
    url = f"/api/v1/claims/{claim_id}/document"
    viewer = await client.get(
        url, params={"format": "xlsx"}, headers=await api_headers(Role.VIEWER)
    )
    assert viewer.status_code == 200
    stranger = await outsider(Role.FINANCE)
    from grants.accounts.users import create_token

    headers = {"Authorization": f"Bearer {await create_token(stranger.email)}"}
    assert (await client.get(url, headers=headers)).status_code == 404
    assert (await client.get("/api/v1/claims/99999/document", headers=headers)).status_code == 404
    too_big = await client.get(f"/api/v1/claims/{2**31}/document", headers=headers)
    assert too_big.status_code == 404
    finance = await api_headers(Role.FINANCE)
    bad = await client.get(url, params={"format": "docx"}, headers=finance)
    assert bad.status_code == 400
    body = bad.json()
    assert set(body) == {"status_code", "detail", "errors"}
    assert body["errors"] == [
        {"field": "format", "message": "Izvēlieties vienu no formātiem: pdf, xlsx."}
    ]
    english = await client.get(
        url, params={"format": "docx"}, headers=finance | {"Accept-Language": "en"}
    )
    assert english.json()["errors"][0]["message"] == "Choose one of the formats pdf, xlsx."
    assert await ClaimDocument.count() == 0


async def test_submission_and_freezing_are_one_step(families, monkeypatch):
    claim_id = await q1_claim(families)
    finance = await principal(Role.FINANCE)

    def broken(document):
        raise RuntimeError("the renderer failed")

    monkeypatch.setattr("reports.claim_document._render_both", broken)
    with pytest.raises(RuntimeError):
        await submit_and_freeze_claim(finance, claim_id)
    assert (await get_claim(finance, claim_id)).status == ClaimStatus.DRAFT
    assert await ClaimDocument.count() == 0
    monkeypatch.undo()
    submitted = await submit_and_freeze_claim(finance, claim_id)
    assert submitted.status == ClaimStatus.SUBMITTED
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.after).where(
        (AuditEvent.entity == "claim") & (AuditEvent.entity_id == claim_id)
    )
    frozen = [e for e in events if e["action"] == "freeze"]
    assert len(frozen) == 1 and "document_version" in str(frozen[0]["after"])
    viewer = await principal(Role.VIEWER)
    with pytest.raises(AccessDenied):
        await submit_and_freeze_claim(viewer, claim_id)


async def test_an_answered_claim_downloads_as_submitted_and_with_the_answer(families, client):
    claim_id = await q1_claim(families)
    finance = await principal(Role.FINANCE)
    submitted = await submit_and_freeze_claim(finance, claim_id)
    first = submitted.items[0].expenditure_id
    url = f"/api/v1/claims/{claim_id}/document"
    headers = await api_headers(Role.FINANCE)
    sent = (await client.get(url, params={"format": "xlsx"}, headers=headers)).content
    await approve_claim(finance, claim_id, [DeductionInput(first, "0,01", "Noapaļošana")])
    frozen = await client.get(url, params={"format": "xlsx"}, headers=headers)
    assert frozen.content == sent
    answered = await client.get(
        url, params={"format": "xlsx", "decision": "true", "lang": "en"}, headers=headers
    )
    assert answered.status_code == 200
    summary = {r[0]: r[1] for r in rows(workbook(answered.content)["Claim"])[1:]}
    assert (money(summary["Approved"]), money(summary["Deducted"])) == (
        Decimal("1101.00"),
        Decimal("0.01"),
    )
    await sign_in(client, Role.VIEWER)
    page = (await client.get(f"/claims/{claim_id}")).text
    assert "document?format=pdf&amp;decision=true" in page
