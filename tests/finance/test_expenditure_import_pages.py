"""The import page: upload, a preview table with the spreadsheet's row numbers, "Import N rows"
that asks first, a refused file that writes nothing, CSRF, and who sees the page."""

import base64
import re

from grants.core.vocabulary import Role
from grants.tables.expenditures import Expenditure
from tests.builders import expenditure, outsider
from tests.helpers import CSRF_COOKIE, csrf_token, post, sign_in

HEADER = "Rēķina datums;Summa;Izmaksu kategorija;Piegādātājs;Rēķina numurs;Apraksts"
GOOD = "15.03.2026;1 234,50;external_services;SIA Mācības;MA-17;<b>kursi</b>"
SECOND = "16.03.2026;10,01;Personāls;<i>SIA Birojs</i>;B-2;"
BAD = "16.03.2026;abc;staff;SIA Birojs;B-3;"


def csv_file(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join([HEADER, *lines]) + "\r\n").encode()


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, name
    return found[1]


async def preview(client, pid: int, content: bytes):
    return await post(
        client,
        f"/projects/{pid}/expenditures/import",
        {"action": "preview"},
        files={"file": ("rekini.csv", content, "text/csv")},
    )


async def test_preview_then_import_all_rows(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    register = (await client.get(f"/projects/{pid}/expenditures")).text
    assert f'href="/projects/{pid}/expenditures/import"' in register
    assert f"/projects/{pid}/expenditures/export?format=xlsx" in register
    page = await client.get(f"/projects/{pid}/expenditures/import")
    assert page.status_code == 200
    assert f"/projects/{pid}/expenditures/import-template?format=csv" in page.text
    template = await client.get(f"/projects/{pid}/expenditures/import-template")
    assert template.content.decode("utf-8-sig").startswith("Rēķina datums;Summa;")

    shown = await preview(client, pid, csv_file(GOOD, "", SECOND))
    assert shown.status_code == 200
    text = shown.text
    assert "Pieņemtas: 2 · noraidītas: 0" in text
    assert '<td class="num">2</td>' in text and '<td class="num">4</td>' in text
    assert "&lt;i&gt;SIA Birojs&lt;/i&gt;" in text and "<i>SIA" not in text
    assert 'data-confirm="Importēt 2 rindas reģistrā?"' in text
    assert "Importēt 2 rindas</button>" in text
    assert await Expenditure.count() == 0

    content, filename = hidden(text, "content"), hidden(text, "filename")
    assert base64.b64decode(content) == csv_file(GOOD, "", SECOND)
    done = await post(
        client,
        f"/projects/{pid}/expenditures/import",
        {"action": "import", "content": content, "filename": filename},
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/projects/{pid}/expenditures/import?imported=2"
    assert "Importētas 2 rindas." in (await client.get(done.headers["location"])).text
    stored = await Expenditure.select(Expenditure.entry_no, Expenditure.amount).order_by(
        Expenditure.entry_no
    )
    assert [(r["entry_no"], r["amount"]) for r in stored] == [(1, 123450), (2, 1001)]
    export = await client.get(f"/projects/{pid}/expenditures/export", params={"format": "csv"})
    assert export.content.decode("utf-8-sig").splitlines()[2].startswith("2;1;2026-03-16;")


async def test_refused_rows_are_listed_and_nothing_is_written(families, client):
    pid = families
    await expenditure(pid, supplier="SIA Mācības", invoice_number="MA-17")
    await sign_in(client, Role.FINANCE)
    shown = await preview(client, pid, csv_file(GOOD, BAD, SECOND))
    text = shown.text
    assert "Pieņemtas: 1 · noraidītas: 2" in text
    assert "Rēķins MA-17 no SIA Mācības jau ir reģistrēts kā ieraksts 1." in text
    assert "Fails ar noraidītām rindām netiek importēts nemaz" in text
    assert 'name="content"' not in text  # no "Import" button
    # a tampered or stale confirmation is checked again, and writes nothing
    forced = await post(
        client,
        f"/projects/{pid}/expenditures/import",
        {
            "action": "import",
            "content": base64.b64encode(csv_file(GOOD, BAD, SECOND)).decode(),
            "filename": "rekini.csv",
        },
    )
    assert forced.status_code == 409 or forced.status_code == 400
    assert "Nekas netika importēts" in forced.text
    assert "Rinda 3:" in forced.text
    assert await Expenditure.count() == 1


async def test_a_broken_file_says_why(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    response = await post(
        client,
        f"/projects/{pid}/expenditures/import",
        {"action": "preview"},
        files={"file": ("rekini.xlsx", b"not a workbook", "application/octet-stream")},
    )
    assert response.status_code == 400
    assert "XLSX" in response.text
    nothing = await post(client, f"/projects/{pid}/expenditures/import", {"action": "preview"})
    assert nothing.status_code == 400
    assert await Expenditure.count() == 0


async def test_importing_needs_the_csrf_token(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    response = await client.post(
        f"/projects/{pid}/expenditures/import",
        data={"action": "import", "content": base64.b64encode(csv_file(GOOD)).decode(),
              "filename": "rekini.csv"},
    )  # fmt: skip
    assert response.status_code == 403
    assert client.cookies[CSRF_COOKIE]
    assert await Expenditure.count() == 0


async def test_readers_have_no_import(families, client):
    pid = families
    for role in (Role.VIEWER, Role.COORDINATOR, Role.AUDITOR):
        client.cookies.clear()
        await sign_in(client, role)
        register = (await client.get(f"/projects/{pid}/expenditures")).text
        assert "/expenditures/import" not in register
        assert f"/projects/{pid}/expenditures/export?format=csv" in register
        assert (await client.get(f"/projects/{pid}/expenditures/import")).status_code == 403
        assert (await preview(client, pid, csv_file(GOOD))).status_code == 403
    other = await outsider(Role.FINANCE)
    client.cookies.clear()
    token = await csrf_token(client)
    login = {"email": other.email, "password": other.password, "_csrf_token": token}
    assert (await client.post("/login", data=login)).status_code == 303
    for url in ("import", "export", "import-template"):
        assert (await client.get(f"/projects/{pid}/expenditures/{url}")).status_code == 404
    assert (await preview(client, pid, csv_file(GOOD))).status_code == 404
    assert await Expenditure.count() == 0
