"""The annual participant report: exact counts, small cells marked, who may take it out."""

import csv
from datetime import date
from io import BytesIO, StringIO

import pytest
from openpyxl import load_workbook

from grants.core.vocabulary import Role
from grants.tables.audit import AuditEvent
from grants.tables.participants import Participant
from reports.participant_report import shown
from tests.helpers import api_headers, sign_in
from tests.results.test_common_indicators import fill_register


@pytest.fixture
async def register(families: int) -> int:
    await fill_register(families)
    return families


def url(pid: int) -> str:
    return f"/api/v1/projects/{pid}/participant-report"


def csv_cells(data: bytes) -> dict[tuple[str, str, str], str]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["section", "key", "label", "measure", "value"]
    return {(section, key, measure): value for section, key, _, measure, value in rows[1:]}


def test_small_cells_are_marked_and_zero_stays():
    assert [shown(n) for n in (0, 1, 4, 5, 12, None)] == [0, "<5", "<5", 5, 12, None]


async def test_csv_counts_the_year_with_small_cells_marked(register, client):
    response = await client.get(
        url(register), params={"year": 2026, "format": "csv"},
        headers=await api_headers(Role.COORDINATOR),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "participant-report-" in response.headers["content-disposition"]
    cells = csv_cells(response.content)
    assert cells["indicators", "EECO01", "year"] == "6"
    assert cells["indicators", "EECO01", "to_date"] == "6"
    assert cells["indicators", "EECO01", "women"] == "<5"
    assert cells["indicators", "EECO02", "year"] == "<5"
    assert cells["indicators", "EECO02", "men"] == "0"
    assert cells["indicators", "EECO12", "year"] == "<5"  # the coordinator sees it
    assert cells["movements", "entered", "year"] == "6"
    assert cells["movements", "left", "year"] == "<5"
    for key in ("missing_labour_status", "refused_labour_status", "missing_education"):
        assert cells["missing", key, "year"] == "<5"
    assert not any(value in ("1", "2", "3", "4") for value in cells.values())


async def test_a_year_counts_only_its_own_entries(register, client):
    headers = await api_headers(Role.COORDINATOR)
    later = csv_cells(
        (
            await client.get(url(register), params={"year": 2027, "format": "csv"}, headers=headers)
        ).content
    )
    assert (later["indicators", "EECO01", "year"], later["indicators", "EECO01", "to_date"]) == (
        "0",
        "6",
    )
    earlier = csv_cells(
        (
            await client.get(url(register), params={"year": 2025, "format": "csv"}, headers=headers)
        ).content
    )
    assert earlier["indicators", "EECO01", "to_date"] == "0"


async def test_counts_of_five_and_more_are_shown(register, client):
    for n in range(5):  # five more women aged 36 at entry, every one unemployed
        await Participant.insert(
            Participant(
                project=register, code=f"W{n}", code_key=f"w{n}", gender="female",
                birth_year=1990, entry_date=date(2026, 6, 1), labour_status="unemployed",
            )
        )  # fmt: skip
    response = await client.get(
        url(register), params={"year": 2026, "format": "xlsx"},
        headers=await api_headers(Role.ADMIN),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    women, men, ages = 4, 5, 9  # code, name, year, to date, women, men, non-binary, 4 ages
    total = rows["EECO01"]
    assert (total[2], total[3], total[women], total[ages]) == (11, 11, 8, 7)
    assert rows["EECO02"][2] == 7 and rows["EECO02"][men] == 0
    assert rows["EECO03"][2] == "<5"
    assert sheet.cell(row=2, column=3).data_type == "n"
    marked = next(c for c in sheet["C"] if c.value == "<5")
    assert marked.data_type == "s"  # text, never a formula
    assert len(workbook.worksheets) == 3


async def test_pdf_is_a_pdf(register, client):
    response = await client.get(
        url(register), params={"year": 2026, "format": "pdf", "lang": "en"},
        headers=await api_headers(Role.COORDINATOR),
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FINANCE])
async def test_only_register_readers_take_it_out(register, client, role):
    response = await client.get(
        url(register), params={"year": 2026, "format": "csv"}, headers=await api_headers(role)
    )
    assert response.status_code == 403


async def test_an_auditor_gets_it_without_special_categories(register, client):
    response = await client.get(
        url(register), params={"year": 2026, "format": "csv"},
        headers=await api_headers(Role.AUDITOR),
    )  # fmt: skip
    assert response.status_code == 200
    cells = csv_cells(response.content)
    assert cells["indicators", "EECO12", "year"] == "withheld"
    assert cells["indicators", "EECO15", "women"] == "withheld"
    assert cells["indicators", "EECO13", "year"] == "<5"


async def test_each_download_is_in_the_audit_trail(register, client):
    await client.get(
        url(register), params={"year": 2026, "format": "csv"},
        headers=await api_headers(Role.COORDINATOR),
    )  # fmt: skip
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.note).where(
        (AuditEvent.entity == "participant") & (AuditEvent.action == "export")
    )
    assert [e["note"] for e in events] == ["participant report 2026 (csv)"]


async def test_a_bad_year_and_format_are_refused_together(register, client):
    response = await client.get(
        url(register), params={"year": "twenty", "format": "docx"},
        headers=await api_headers(Role.COORDINATOR),
    )  # fmt: skip
    assert response.status_code == 400
    body = response.json()
    assert {"status_code", "detail", "errors"} <= set(body)
    assert [e["field"] for e in body["errors"]] == ["year", "format"]
    missing = await client.get(
        url(register), params={"format": "csv"}, headers=await api_headers(Role.COORDINATOR)
    )
    assert missing.status_code == 400
    assert [e["field"] for e in missing.json()["errors"]] == ["year"]
    far = await client.get(
        url(register), params={"year": 1999}, headers=await api_headers(Role.COORDINATOR)
    )
    assert far.status_code == 400
    events = await AuditEvent.count().where(AuditEvent.action == "export")
    assert events == 0  # nothing recorded for a refused request


async def test_unknown_project_is_not_found(register, client):
    response = await client.get(
        url(999999), params={"year": 2026}, headers=await api_headers(Role.ADMIN)
    )
    assert response.status_code == 404


async def test_the_page_link_downloads_with_the_session(register, client):
    await sign_in(client, Role.COORDINATOR)
    response = await client.get(
        f"/projects/{register}/participant-report", params={"year": 2026, "format": "csv"}
    )
    assert response.status_code == 200
    assert csv_cells(response.content)["indicators", "EECO01", "year"] == "6"
