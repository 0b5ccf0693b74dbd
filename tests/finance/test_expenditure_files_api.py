"""Evidence files through the API: uploaded to an entry, listed on every version, removed."""

from datetime import date

from grants.core.vocabulary import PeriodStatus, Role
from grants.tables.attachments import Attachment
from grants.tables.audit import AuditEvent
from grants.tables.expenditures import ExpenditureFile
from tests.builders import invoice_form
from tests.helpers import api_headers, period_at

PDF = ("rēķins.pdf", b"%PDF-1.4 invoice", "application/pdf")
PNG = ("akts.png", b"\x89PNG\r\n\x1a\n act", "image/png")


async def recorded(client, pid: int, headers: dict) -> dict:
    response = await client.post(
        f"/api/v1/projects/{pid}/expenditures", json=invoice_form(), headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_files_are_uploaded_listed_on_every_version_and_removed(families, client):
    headers = await api_headers(Role.FINANCE)
    entry = await recorded(client, families, headers)
    assert entry["attachments"] == [] and "attachment_id" not in entry

    url = f"/api/v1/expenditures/{entry['id']}/attachments"
    response = await client.post(url, files=[("file", PDF), ("file", PNG)], headers=headers)
    assert response.status_code == 201, response.text
    files = response.json()["attachments"]
    assert [(f["name"], f["size"], f["content_type"]) for f in files] == [
        ("rēķins.pdf", 16, "application/pdf"),
        ("akts.png", 12, "image/png"),
    ]
    assert all(isinstance(f["id"], int) for f in files)
    assert (response.json()["id"], response.json()["version"]) == (entry["id"], 1)

    corrected = await client.patch(
        f"/api/v1/expenditures/{entry['id']}",
        json=invoice_form(amount="1 300,00", note="Amount fixed"),
        headers=headers,
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["attachments"] == files
    history = await client.get(f"/api/v1/expenditures/{entry['id']}/history", headers=headers)
    assert [(v["version"], v["attachments"]) for v in history.json()] == [(1, files), (2, files)]
    listed = await client.get(
        f"/api/v1/projects/{families}/expenditures?history=true", headers=headers
    )
    assert [v["attachments"] for v in listed.json()["items"]] == [files, files]

    new_id = corrected.json()["id"]
    removed = await client.delete(
        f"/api/v1/expenditures/{new_id}/attachments/{files[0]['id']}", headers=headers
    )
    assert removed.status_code == 200, removed.text
    assert [f["name"] for f in removed.json()["attachments"]] == ["akts.png"]
    viewer = await api_headers(Role.VIEWER)
    current = await client.get(f"/api/v1/projects/{families}/expenditures", headers=viewer)
    assert [f["name"] for f in current.json()["items"][0]["attachments"]] == ["akts.png"]


async def test_a_single_file_part_is_taken(families, client):
    headers = await api_headers(Role.FINANCE)
    entry = await recorded(client, families, headers)
    url = f"/api/v1/expenditures/{entry['id']}/attachments"
    response = await client.post(url, files={"file": PDF}, headers=headers)
    assert response.status_code == 201, response.text
    assert [f["name"] for f in response.json()["attachments"]] == ["rēķins.pdf"]


async def test_refused_uploads_list_every_problem_and_store_nothing(families, client):
    headers = await api_headers(Role.FINANCE)
    entry = await recorded(client, families, headers)
    url = f"/api/v1/expenditures/{entry['id']}/attachments"
    before = (await Attachment.count(), await ExpenditureFile.count(), await AuditEvent.count())
    bad = [
        ("file", PDF),
        ("file", ("page.html", b"<html></html>", "text/html")),
        ("file", ("fake.pdf", b"MZ", "application/pdf")),
    ]
    response = await client.post(url, files=bad, headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert body["status_code"] == 400
    assert [e["field"] for e in body["errors"]] == ["attachment", "attachment"]
    assert "page.html" in body["errors"][0]["message"]
    assert "fake.pdf" in body["errors"][1]["message"]
    nothing = await client.post(url, files={"other": PDF}, headers=headers)
    assert nothing.status_code == 400
    assert nothing.json()["errors"][0]["field"] == "attachment"
    after = (await Attachment.count(), await ExpenditureFile.count(), await AuditEvent.count())
    assert after == before


async def test_files_in_a_locked_period_or_of_an_old_version_are_a_conflict(families, client):
    headers = await api_headers(Role.FINANCE)
    entry = await recorded(client, families, headers)
    url = f"/api/v1/expenditures/{entry['id']}/attachments"
    file_id = (await client.post(url, files={"file": PDF}, headers=headers)).json()["attachments"][
        0
    ]["id"]
    await client.patch(
        f"/api/v1/expenditures/{entry['id']}",
        json=invoice_form(amount="1 300,00", note="Amount fixed"),
        headers=headers,
    )
    old = await client.post(url, files={"file": PNG}, headers=headers)
    assert old.status_code == 409
    current = (
        await client.get(f"/api/v1/projects/{families}/expenditures", headers=headers)
    ).json()["items"]
    await period_at(families, date(2026, 3, 15), PeriodStatus.APPROVED)
    locked_url = f"/api/v1/expenditures/{current[0]['id']}/attachments"
    assert (await client.post(locked_url, files={"file": PNG}, headers=headers)).status_code == 409
    removed = await client.delete(f"{locked_url}/{file_id}", headers=headers)
    assert removed.status_code == 409
    assert "apstiprināts un slēgts" in removed.json()["detail"]
    assert await ExpenditureFile.count() == 1 and await Attachment.count() == 1


async def test_only_finance_of_the_project_uploads_or_removes(families, client):
    headers = await api_headers(Role.FINANCE)
    entry = await recorded(client, families, headers)
    url = f"/api/v1/expenditures/{entry['id']}/attachments"
    file_id = (await client.post(url, files={"file": PDF}, headers=headers)).json()["attachments"][
        0
    ]["id"]
    for role in (Role.VIEWER, Role.COORDINATOR, Role.AUDITOR):
        other = await api_headers(role)
        assert (await client.post(url, files={"file": PNG}, headers=other)).status_code == 403
        assert (await client.delete(f"{url}/{file_id}", headers=other)).status_code == 403
    unknown = await client.delete(f"{url}/999999", headers=headers)
    assert unknown.status_code == 404
    assert await ExpenditureFile.count() == 1 and await Attachment.count() == 1
