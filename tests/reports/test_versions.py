"""A period's report: the narrative, the versions frozen on submission (byte-identical after
later edits, a new version after reopening), the endpoints, the page and the CLI."""

import csv
import hashlib
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from grants.core.access import AccessDenied
from grants.core.errors import Refused
from grants.core.vocabulary import Role
from grants.projects.periods import approve, reopen
from grants.projects.reports import FORMATS, list_versions, narrative, save_narrative
from grants.tables.expenditures import Expenditure
from grants.tables.projects import Project
from reports.versions import report_file, submit_and_freeze
from tests.builders import build_at, project
from tests.helpers import FAMILIES, api_headers, csrf_token, grants, principal, sign_in

TEXTS = {"activities": "Notika 12 grupu nodarbības.", "next_steps": "Turpināsim ģimeņu darbu."}


async def files(
    period_id: int, version: int | None = None, role: Role = Role.ADMIN
) -> dict[str, bytes]:
    reader = await principal(role)
    return {fmt: (await report_file(reader, period_id, fmt, version=version))[0] for fmt in FORMATS}


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_the_narrative_is_saved_and_shown_in_the_report(reported):
    coordinator = await principal(Role.COORDINATOR)
    await save_narrative(coordinator, reported["period"], TEXTS)
    assert await narrative(coordinator, reported["period"]) == {
        "activities": TEXTS["activities"],
        "results": "",
        "problems_risks": "",
        "next_steps": TEXTS["next_steps"],
    }
    await save_narrative(coordinator, reported["period"], {"results": "Labi."})  # others stay
    assert (await narrative(coordinator, reported["period"]))["activities"] == TEXTS["activities"]
    html, *_ = await report_file(coordinator, reported["period"], "html")
    assert TEXTS["activities"] in html.decode() and "Labi." in html.decode()
    with pytest.raises(Refused):
        await save_narrative(coordinator, reported["period"], {"summary": "?"})


async def test_submitting_freezes_version_1_and_later_edits_never_change_it(reported):
    coordinator = await principal(Role.COORDINATOR)
    period = reported["period"]
    await save_narrative(coordinator, period, TEXTS)
    await submit_and_freeze(coordinator, period)
    [v1] = await list_versions(coordinator, period)
    assert v1.version == 1 and v1.locale == "lv"
    stored = await files(period)
    assert v1.data_hash == hashlib.sha256(stored["csv"]).hexdigest()
    assert TEXTS["next_steps"] in pdf_text(stored["pdf"])

    # edits behind the workflow's back: the title, an invoice in the submitted period
    await Project.update({Project.title_lv: "Pavisam cits nosaukums"}).where(
        Project.id == reported["project"]
    )
    await Expenditure.update({Expenditure.amount: Expenditure.amount + 100_000}).where(
        Expenditure.project == reported["project"]
    )
    assert await files(period) == stored
    assert await files(period, version=1) == stored
    live, *_ = await report_file(await principal(Role.ADMIN), period, "csv", version=None)
    assert live == stored["csv"]  # still the stored one, never re-rendered


async def test_a_reopened_period_gets_version_2_and_keeps_version_1(reported):
    coordinator, admin = await principal(Role.COORDINATOR), await principal(Role.ADMIN)
    period = reported["period"]
    await submit_and_freeze(coordinator, period)
    first = await files(period)
    await approve(admin, period)
    await reopen(admin, period, "Labojums")
    await Project.update({Project.title_lv: "Jauns nosaukums"}).where(
        Project.id == reported["project"]
    )
    draft = await files(period)  # a draft again: rendered live
    assert "Jauns nosaukums" in draft["html"].decode()
    assert await files(period, version=1) == first
    await submit_and_freeze(coordinator, period)
    assert [v.version for v in await list_versions(admin, period)] == [1, 2]
    second = await files(period)
    assert await files(period, version=2) == second
    assert "Jauns nosaukums" in second["html"].decode()
    assert await files(period, version=1) == first
    with pytest.raises(Refused):
        await report_file(admin, period, "pdf", version=3)


async def test_every_format_opens_and_the_numbers_equal_the_api(reported, client):
    coordinator = await principal(Role.COORDINATOR)
    period = reported["period"]
    await submit_and_freeze(coordinator, period)
    headers = await api_headers(Role.VIEWER)
    got = {}
    for fmt in FORMATS:
        response = await client.get(
            f"/api/v1/periods/{period}/report", params={"format": fmt}, headers=headers
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(FORMATS[fmt].split(";")[0])
        disposition = response.headers["content-disposition"]
        assert f"filename*=UTF-8''4.4.1.1._2_004-periods-2-v1.{fmt}" in disposition
        got[fmt] = response.content
    assert got == await files(period, role=Role.VIEWER)
    assert got["pdf"].startswith(b"%PDF") and PdfReader(io.BytesIO(got["pdf"])).pages
    assert "<html" in got["html"].decode()
    assert list(csv.reader(io.StringIO(got["csv"].decode("utf-8-sig")), delimiter=";"))
    workbook = load_workbook(io.BytesIO(got["xlsx"]))
    api = await client.get(
        f"/api/v1/projects/{reported['project']}/cofinancing",
        params={"period_id": period},
        headers=headers,
    )
    esf = api.json()["sources"][0]  # ESF+
    sheet = workbook.worksheets[3]
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert Decimal(esf["to_date"]) == Decimal("2635.85")
    assert Decimal(str(cells[esf["source"]][7].value)) == Decimal(esf["to_date"])
    assert Decimal(str(cells[esf["source"]][4].value)) == Decimal(esf["planned"])

    versions = await client.get(f"/api/v1/periods/{period}/report/versions", headers=headers)
    assert versions.status_code == 200
    [v1] = versions.json()
    assert v1["version"] == 1 and len(v1["data_hash"]) == 64


async def test_a_draft_is_rendered_live_in_either_language(reported, client):
    headers = await api_headers(Role.FINANCE)
    url = f"/api/v1/periods/{reported['period']}/report"
    lv = await client.get(url, params={"format": "csv"}, headers=headers)
    en = await client.get(url, params={"format": "csv", "lang": "en"}, headers=headers)
    assert lv.status_code == en.status_code == 200
    assert "-draft.csv" in lv.headers["content-disposition"]
    assert lv.content != en.content
    bad = await client.get(url, params={"format": "docx"}, headers=headers)
    assert bad.status_code == 400
    assert (await client.get(url, params={"format": "pdf"})).status_code == 401


async def test_role_rules_for_the_narrative(reported):
    period = reported["period"]
    with pytest.raises(AccessDenied):
        await save_narrative(await principal(Role.FINANCE), period, TEXTS)
    with pytest.raises(AccessDenied):
        await save_narrative(await principal(Role.VIEWER), period, TEXTS)
    viewer = await principal(Role.VIEWER)
    data, media, _ = await report_file(viewer, period, "pdf")
    assert data.startswith(b"%PDF") and media == "application/pdf"
    await submit_and_freeze(await principal(Role.COORDINATOR), period)
    for role in (Role.COORDINATOR, Role.ADMIN):
        with pytest.raises(Refused) as refused:
            await save_narrative(await principal(role), period, {"results": "vēlāk"})
        assert refused.value.conflict


async def test_the_project_page_offers_downloads_and_the_narrative_form(reported, client):
    await sign_in(client, Role.COORDINATOR)
    page = f"/projects/{reported['project']}?period={reported['period']}"
    html = (await client.get(page)).text
    assert f"/periods/{reported['period']}/report?format=pdf" in html
    assert 'name="problems_risks"' in html
    token = await csrf_token(client)
    saved = await client.post(
        f"/periods/{reported['period']}/narrative",
        data={"activities": "No lapas.", "_csrf_token": token},
    )
    assert saved.status_code == 303
    assert "No lapas." in (await client.get(page)).text
    submitted = await client.post(
        f"/periods/{reported['period']}/submit", data={"_csrf_token": token}
    )
    assert submitted.status_code == 303
    html = (await client.get(page)).text
    assert "version=1" in html and 'name="problems_risks"' not in html
    download = await client.get(
        f"/periods/{reported['period']}/report", params={"format": "xlsx", "version": 1}
    )
    assert download.status_code == 200
    load_workbook(io.BytesIO(download.content))
    refused = await client.post(
        f"/periods/{reported['period']}/narrative",
        data={"activities": "Par vēlu.", "_csrf_token": token},
    )
    assert refused.status_code == 409


def test_the_cli_writes_a_report(upgraded_url, tmp_path):
    url = upgraded_url
    build_at(url, project)  # like FAMILIES, with its quarters
    out = tmp_path / "report.pdf"
    result = grants(
        url, "report", FAMILIES, "--period", "1", "--format", "pdf", "--output", str(out)
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    out = tmp_path / "report.xlsx"
    result = grants(
        url,
        "report",
        FAMILIES,
        "--period",
        "1",
        "--format",
        "xlsx",
        "--output",
        str(out),
        "--lang",
        "en",
    )
    assert result.exit_code == 0, result.output
    load_workbook(out)
    unknown = grants(url, "report", "NAV-1", "--period", "1", "--output", str(out))
    assert unknown.exit_code == 1 and "There is no project" in unknown.output
    no_period = grants(url, "report", FAMILIES, "--period", "99", "--output", str(out))
    assert no_period.exit_code == 1 and "has no period 99" in no_period.output
