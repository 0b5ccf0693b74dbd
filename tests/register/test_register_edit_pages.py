"""The register page after the add: changing a participant, correcting and cancelling receipts,
import templates, and import refusals that name the sheet's rows and quote what was typed."""

import io

import openpyxl

from grants.core.vocabulary import Role
from grants.tables.audit import AuditEvent
from grants.tables.participants import Participant, ServiceReceipt
from tests.builders import participant, receipt, service
from tests.helpers import api_headers, post, sign_in


async def test_a_coordinator_records_an_exit_on_the_register_page(families, client):
    pid = families
    added = await participant(pid, "TUK-001", household="Ģ-01")
    await sign_in(client, Role.COORDINATOR)
    register = (await client.get(f"/projects/{pid}/register")).text
    url = f"/projects/{pid}/register/participants/{added.id}"
    assert (
        f'<a href="{url}" class="edit-participant" aria-label="Labot TUK-001">Labot</a>' in register
    )

    form = (await client.get(url)).text
    assert 'name="note"' in form and 'value="Ģ-01"' in form
    refused = await post(client, url, {"exit_date": "30.06.2026", "household": "Ģ-01"})
    assert refused.status_code == 400
    assert 'value="30.06.2026"' in refused.text  # what was typed stays
    assert "Norādiet, kāpēc" in refused.text
    assert (await Participant.select(Participant.exit_date).first())["exit_date"] is None

    done = await post(
        client, url, {"exit_date": "30.06.2026", "household": "Ģ-01", "note": "Cikls pabeigts"}
    )
    assert done.status_code == 303
    register = (await client.get(f"/projects/{pid}/register")).text
    row = register[register.index(f'id="p-{added.id}"') :].split("</tr>")[0]
    assert "30.06.2026" in row
    history = (await client.get(url)).text
    assert (
        "Cikls pabeigts" in history
        and "<dt>Izstāšanās datums</dt><dd><del>—</del> → <ins>30.06.2026</ins></dd>" in history
    )


async def test_auditors_see_the_history_but_no_edit(families, client):
    pid = families
    added = await participant(pid, "TUK-001")
    await sign_in(client, Role.AUDITOR)
    url = f"/projects/{pid}/register/participants/{added.id}"
    page = await client.get(url)
    assert page.status_code == 200 and 'name="note"' not in page.text
    response = await post(client, url, {"exit_date": "30.06.2026", "note": "x"})
    assert response.status_code == 403
    assert (await client.get(f"/projects/{pid}/register/participants/999999")).status_code == 404


async def test_a_code_already_there_points_to_its_edit(families, client):
    pid = families
    added = await participant(pid, "TUK-001")
    await sign_in(client, Role.COORDINATOR)
    form = {"code": "tuk-001", "gender": "female", "birth_year": "1990",
            "entry_date": "01.10.2026"}  # fmt: skip
    response = await post(client, f"/projects/{pid}/register/participant", form)
    assert response.status_code == 409
    assert f'href="/projects/{pid}/register/participants/{added.id}"' in response.text


async def test_receipts_are_listed_corrected_and_cancelled_on_the_page(families, client):
    pid = families
    consultation = await service(pid, "Konsultācija", "35,00")
    await participant(pid, "TUK-001")
    first = await receipt(pid, "TUK-001", consultation.id, "10.03.2026", "35,00")
    second = await receipt(pid, "TUK-001", consultation.id, "11.03.2026", "35,00")
    await sign_in(client, Role.COORDINATOR)
    register = (await client.get(f"/projects/{pid}/register")).text
    assert f'href="/projects/{pid}/register/receipts/{first.id}"' in register

    url = f"/projects/{pid}/register/receipts/{first.id}"
    page = (await client.get(url)).text
    assert 'class="danger"' in page and "data-confirm=" in page
    refused = await post(client, f"{url}/correct",
                         {"service": str(consultation.id), "date": "10.03.2026", "units": "2",
                          "amount": "", "note": ""})  # fmt: skip
    assert refused.status_code == 400 and 'value="2"' in refused.text
    fixed = await post(client, f"{url}/correct",
                       {"service": str(consultation.id), "date": "10.03.2026", "units": "2",
                        "amount": "", "note": "Divas nodarbības"})  # fmt: skip
    assert fixed.status_code == 303
    assert (await ServiceReceipt.select(ServiceReceipt.amount).where(
        ServiceReceipt.id == first.id).first())["amount"] == 7000  # fmt: skip

    cancel = f"/projects/{pid}/register/receipts/{second.id}/cancel"
    assert (await post(client, cancel, {"note": ""})).status_code == 400
    assert (await post(client, cancel, {"note": "Dubultā"})).status_code == 303
    assert await ServiceReceipt.count() == 1
    assert await AuditEvent.count().where(AuditEvent.action == "cancel") == 1


async def test_receipts_on_the_page_come_fifty_at_a_time(families, client):
    pid = families
    consultation = await service(pid, "Konsultācija", "35,00")
    await participant(pid, "TUK-001")
    for day in range(1, 28):
        for month in ("03", "04"):
            await receipt(pid, "TUK-001", consultation.id, f"{day:02}.{month}.2026", "35,00")
    await sign_in(client, Role.COORDINATOR)
    first = (await client.get(f"/projects/{pid}/register")).text
    assert first.count('class="edit-receipt"') == 50 and "?receipts=2" in first
    second = (await client.get(f"/projects/{pid}/register", params={"receipts": 2})).text
    assert second.count('class="edit-receipt"') == 4


# Import templates and refusals ------------------------------------------------------------------


async def test_import_templates_have_the_header_row_the_importer_reads(families, client):
    pid = families
    headers = await api_headers(Role.COORDINATOR)
    csv = await client.get("/api/v1/register-templates/participants.csv", headers=headers)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.content.decode("utf-8-sig") == (
        "Kods;Dzimums;Dzimšanas gads;Iesaistes datums;Izstāšanās datums;Mājsaimniecība;"
        "Mērķa grupa;Pazīmes;Nodarbinātības statuss;Izglītības līmenis\r\n"
    )
    english = await client.get(
        "/api/v1/register-templates/receipts.csv", headers={**headers, "Accept-Language": "en"}
    )
    assert english.content.decode("utf-8-sig") == "Participant;Service;Date;Units;Amount\r\n"
    xlsx = await client.get("/api/v1/register-templates/receipts.xlsx", headers=headers)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]] == [
        "Dalībnieks", "Pakalpojums", "Datums", "Vienības", "Summa"
    ]  # fmt: skip
    missing = await client.get("/api/v1/register-templates/other.csv", headers=headers)
    assert missing.status_code == 404

    await sign_in(client, Role.COORDINATOR)
    assert (
        'href="/register/templates/participants.xlsx"'
        in (await client.get(f"/projects/{pid}/register")).text
    )
    page = await client.get("/register/templates/participants.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(page.content))
    sheet = book.active
    sheet.append(["0012", "sieviete", "1990", "01.03.2026", None, "Ģ-01", "children", None])
    filled = io.BytesIO()
    book.save(filled)
    done = await client.post(
        f"/api/v1/projects/{pid}/participants/import",
        files={"file": ("dalibnieki.xlsx", filled.getvalue(), "application/octet-stream")},
        headers=headers,
    )
    assert done.status_code == 201, done.text
    assert done.json() == {"imported": 1}
    assert (await Participant.select(Participant.code).first())["code"] == "0012"


async def test_import_refusals_name_the_sheets_rows_and_quote_what_was_typed(families, client):
    pid = families
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([])  # the header on row 2, under an empty row
    sheet.append(["Kods", "Dzimums", "Dzimšanas gads", "Iesaistes datums", "Pazīmes"])
    sheet.append(["T-1", "sievete", "1990", "01.03.2026", "Invaliditāte"])
    sheet.append([])
    sheet.append(["T-2", "S", "199O", "01.03.2026", None])
    data = io.BytesIO()
    book.save(data)
    response = await client.post(
        f"/api/v1/projects/{pid}/participants/import",
        files={"file": ("dalibnieki.xlsx", data.getvalue(), "application/octet-stream")},
        headers=await api_headers(Role.COORDINATOR),
    )
    assert response.status_code == 400
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert set(errors) == {"3.gender", "3.flags", "5.birth_year"}
    assert "„sievete”" in errors["3.gender"]  # as typed, not "sieviete" or "female"
    assert "„Invaliditāte”" in errors["3.flags"]
    assert "„199O”" in errors["5.birth_year"]
    assert await Participant.count() == 0

    await sign_in(client, Role.COORDINATOR)
    csv = "kods;dzimums;dzimšanas gads;iesaistes datums\n\nT-3;vīrietis;1990;someday\n"
    page = await post(client, f"/projects/{pid}/register/import", {"kind": "participants"},
                      files={"file": ("d.csv", csv.encode(), "text/csv")})  # fmt: skip
    assert "Rinda 3" in page.text and "someday" in page.text
