"""The expenditure pages: evidence files on every version, a refused form that stores no file,
the cancel form apart and asking first, no forms in a locked period, old versions marked."""

import re
from datetime import date

from grants.core.vocabulary import PeriodStatus, Role
from grants.tables.attachments import Attachment
from grants.tables.expenditures import Expenditure, ExpenditureFile
from tests.builders import invoice_form
from tests.helpers import period_at, post, sign_in

PDF = ("rēķins.pdf", b"%PDF-1.4 invoice", "application/pdf")
PNG = ("akts.png", b"\x89PNG\r\n\x1a\n act", "image/png")


async def current_id() -> int:
    row = await Expenditure.select(Expenditure.id).where(Expenditure.state == "current").first()
    return row["id"]


async def file_ids() -> list[int]:
    rows = await ExpenditureFile.select(ExpenditureFile.attachment).order_by(ExpenditureFile.id)
    return [r["attachment"] for r in rows]


async def test_files_recorded_with_an_invoice_stay_on_every_version(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    files = [("attachment", PDF), ("attachment", PNG)]
    response = await post(client, f"/projects/{pid}/expenditures", invoice_form(), files=files)
    assert response.status_code == 303
    first = await current_id()
    pdf, png = await file_ids()

    register = (await client.get(f"/projects/{pid}/expenditures")).text
    assert "📎" not in register
    assert (
        'aria-label="Pamatojuma faili"' in register and '<span class="count">2</span>' in register
    )

    corrected = await post(
        client,
        f"/projects/{pid}/expenditures/{first}",
        invoice_form(amount="1 300,00", note="Summa labota", action="edit"),
    )
    assert corrected.status_code == 303
    second = await current_id()
    for version in (first, second):
        page = (await client.get(f"/projects/{pid}/expenditures/{version}")).text
        assert f'href="/attachments/{pdf}">rēķins.pdf</a>' in page
        assert f'href="/attachments/{png}">akts.png</a>' in page
    download = await client.get(f"/attachments/{pdf}")
    assert download.content == PDF[1]
    assert download.headers["content-disposition"].startswith("attachment;")


async def test_an_old_version_says_so_and_links_to_the_current_one(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    await post(client, f"/projects/{pid}/expenditures", invoice_form())
    first = await current_id()
    await post(
        client,
        f"/projects/{pid}/expenditures/{first}",
        invoice_form(amount="1 300,00", note="Summa labota", action="edit"),
    )
    second = await current_id()
    old = (await client.get(f"/projects/{pid}/expenditures/{first}")).text
    assert "Šī ir 1. versija — šo izdevumu vecā versija" in old
    assert f'href="/projects/{pid}/expenditures/{second}">Atvērt pašreizējo versiju (2)' in old
    assert 'name="note"' not in old  # no forms on an old version
    current = (await client.get(f"/projects/{pid}/expenditures/{second}")).text
    assert "vecā versija" not in current and 'name="note"' in current

    await post(
        client,
        f"/projects/{pid}/expenditures/{second}",
        {"note": "Ierakstīts kļūdaini", "action": "cancel"},
    )
    cancelled = (await client.get(f"/projects/{pid}/expenditures/{second}")).text
    assert "Šie izdevumi ir atcelti" in cancelled and 'name="note"' not in cancelled
    first_page = (await client.get(f"/projects/{pid}/expenditures/{first}")).text
    assert "vēlāk izdevumi tika atcelti" in first_page


async def test_cancelling_is_a_form_of_its_own_that_asks_first(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    await post(client, f"/projects/{pid}/expenditures", invoice_form())
    page = (await client.get(f"/projects/{pid}/expenditures/{await current_id()}")).text
    forms = re.findall(r"<form\b[^>]*>.*?</form>", page, re.S)
    [cancel] = [f for f in forms if 'value="cancel"' in f]
    assert 'data-confirm="Atcelt izdevumus Nr. 1? Tie vairs netiks ieskaitīti."' in cancel
    assert 'class="danger"' in cancel and 'value="edit"' not in cancel
    [edit] = [f for f in forms if 'value="edit"' in f]
    assert "data-confirm" not in edit and 'type="file" name="attachment" multiple' in edit

    no_reason = await post(
        client, f"/projects/{pid}/expenditures/{await current_id()}", {"action": "cancel"}
    )
    assert no_reason.status_code == 400
    danger = no_reason.text.split('<section class="danger-zone">')[1]
    assert "Norādiet izmaiņu iemeslu" in danger  # the error beside the form it belongs to
    assert 'value="BR-001"' in no_reason.text  # the correction form keeps the entry's values


async def test_a_refused_form_stores_no_file(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    url = f"/projects/{pid}/expenditures"
    bad = invoice_form(amount="abc")
    for headers in ({}, {"HX-Request": "true"}):
        refused = await post(client, url, bad, files={"attachment": PDF}, headers=headers)
        assert refused.status_code in (400, 422)
    assert await Attachment.count() == 0 and await Expenditure.count() == 0

    await post(client, url, invoice_form(), files={"attachment": PDF})
    entry = await current_id()
    no_reason = await post(
        client, f"{url}/{entry}", invoice_form(action="edit"), files={"attachment": PNG}
    )
    assert no_reason.status_code == 400
    assert "Nekas netika saglabāts" in no_reason.text
    assert await Attachment.count() == 1 and await file_ids() != []


async def test_files_are_added_and_removed_on_the_page(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    await post(client, f"/projects/{pid}/expenditures", invoice_form())
    entry = await current_id()
    url = f"/projects/{pid}/expenditures/{entry}"
    added = await post(client, f"{url}/files", {}, files=[("attachment", PDF), ("attachment", PNG)])
    assert (added.status_code, added.headers["location"]) == (303, url)
    pdf, png = await file_ids()
    page = (await client.get(url)).text
    assert f'action="{url}/files/{pdf}/remove"' in page
    assert 'data-confirm="Noņemt „rēķins.pdf” no šiem izdevumiem?"' in page

    wrong = await post(client, f"{url}/files", {}, files={"attachment": ("x.exe", b"MZ", "x")})
    assert wrong.status_code == 400 and "x.exe" in wrong.text
    removed = await post(client, f"{url}/files/{pdf}/remove", {})
    assert removed.status_code == 303
    assert await file_ids() == [png]
    assert await current_id() == entry  # no new version for a file


async def test_no_forms_for_an_expenditure_in_a_locked_period(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    await post(client, f"/projects/{pid}/expenditures", invoice_form(), files={"attachment": PDF})
    entry = await current_id()
    await period_at(pid, date(2026, 3, 15), PeriodStatus.SUBMITTED)
    page = (await client.get(f"/projects/{pid}/expenditures/{entry}")).text
    assert "Šos izdevumus vairs nevar labot vai atcelt" in page
    assert "01.01.2026–31.03.2026" in page
    assert 'name="note"' not in page and "/remove" not in page and "Pievienot failus" not in page
    assert "rēķins.pdf" in page  # the files are still shown
    register = (await client.get(f"/projects/{pid}/expenditures")).text
    assert "labot / atcelt" not in register and ">versijas</a>" in register
    assert 'aria-label="Iesniegtā vai apstiprinātā periodā: to vairs nevar mainīt"' in register


async def test_a_viewer_sees_the_files_but_no_forms(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    await post(client, f"/projects/{pid}/expenditures", invoice_form(), files={"attachment": PDF})
    entry = await current_id()
    await client.post("/logout", data={"_csrf_token": client.cookies["grants_csrf"]})
    await sign_in(client, Role.VIEWER)
    page = (await client.get(f"/projects/{pid}/expenditures/{entry}")).text
    assert "rēķins.pdf" in page
    assert 'name="note"' not in page and "/remove" not in page and "Pievienot failus" not in page
