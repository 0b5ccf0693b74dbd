"""Input that used to end in a server error gets a 4xx with a message: unknown and impossible
ids, a multipart body without its file, a filter outside Latin-1 in a download's name, an
over-long project code, a control character in a parameter, and two creations of one code."""

import asyncio
from urllib.parse import quote

import pytest

from grants.core.errors import Refused
from grants.core.vocabulary import Role
from grants.projects.editing import ProjectInput, create_project
from grants.tables.audit import AuditEvent
from grants.tables.projects import Project
from tests.builders import BUILDER, project, team
from tests.helpers import FAMILIES, api_headers, period_at

BEYOND = 2**31  # one more than PostgreSQL's largest id


async def test_an_unknown_projects_register_is_not_found(families, client):
    headers = await api_headers(Role.ADMIN)
    response = await client.get("/api/v1/projects/999999/participants", headers=headers)
    assert response.status_code == 404, response.text
    assert not await AuditEvent.exists().where(AuditEvent.action == "export")


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/projects/{BEYOND}",
        f"/api/v1/projects/{BEYOND}/participants",
        f"/api/v1/projects/{BEYOND}/expenditures",
        f"/api/v1/projects/{BEYOND}/periods",
        f"/api/v1/periods/{BEYOND}/report",
        f"/api/v1/expenditures/{BEYOND}/history",
        f"/api/v1/projects/{10**20}",
    ],
)
async def test_ids_beyond_any_id_are_not_found(families, client, url):
    response = await client.get(url, headers=await api_headers(Role.ADMIN))
    assert response.status_code == 404, response.text


async def test_id_query_parameters_beyond_any_id_are_not_found(families, client):
    headers = await api_headers(Role.ADMIN)
    period = await period_at(families, __import__("datetime").date(2026, 2, 1))
    for url, params in (
        (f"/api/v1/projects/{families}/cofinancing", {"period_id": str(BEYOND)}),
        (f"/api/v1/projects/{families}/audit", {"entity_id": str(BEYOND)}),
        (f"/api/v1/periods/{period}/report", {"format": "csv", "version": str(BEYOND)}),
    ):
        response = await client.get(url, params=params, headers=headers)
        assert response.status_code == 404, (url, response.text)


async def test_an_attachment_id_beyond_any_id_is_refused(families, client):
    response = await client.post(
        f"/api/v1/projects/{families}/expenditures",
        json={
            "date": "2026-02-15",
            "amount": "10.00",
            "category": "external_services",
            "supplier": "SIA Birojs",
            "invoice_number": "X-1",
            "attachment_id": BEYOND,
        },
        headers=await api_headers(Role.FINANCE),
    )
    assert response.status_code == 400, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["attachment_id"]


@pytest.mark.parametrize("kind", ["participants", "service-receipts"])
async def test_an_import_without_a_file_part_names_the_field(families, client, kind):
    response = await client.post(
        f"/api/v1/projects/{families}/{kind}/import",
        files={"other": ("x.txt", b"hello", "text/plain")},
        headers=await api_headers(Role.COORDINATOR),
    )
    assert response.status_code == 400, response.text
    assert "file" in [e["field"] for e in response.json()["errors"]]


async def test_a_filter_outside_latin1_names_the_download(families, client):
    response = await client.get(
        "/api/v1/reports/portfolio",
        params={"format": "xlsx", "programme": "Ātrā ķēde €"},
        headers=await api_headers(Role.ADMIN),
    )
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert f"filename*=UTF-8''portfolio-report-{quote('Ātrā-ķēde')}" in disposition
    disposition.encode("latin-1")


async def test_a_project_code_over_100_characters_is_refused(families, client):
    response = await client.post(
        "/api/v1/projects",
        json={"code": "X" * 101, "title": "Garš kods", "measure": "4.4.1.1"},
        headers=await api_headers(Role.ADMIN),
    )
    assert response.status_code == 400, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["code"]


async def test_a_control_character_in_a_parameter_is_refused(families, client):
    headers = await api_headers(Role.ADMIN)
    for url, params in (
        (f"/api/v1/projects/{families}/audit", {"entity": "project\x00"}),
        (f"/api/v1/projects/{families}/services", {"target_group": "\x00"}),
        ("/api/v1/projects", {"code": "LL\x00"}),
    ):
        response = await client.get(url, params=params, headers=headers)
        assert response.status_code == 400, (url, response.text)
        [error] = response.json()["errors"]
        assert error["field"] == next(iter(params))


async def test_creating_one_code_twice_at_once_creates_it_once(database):
    """Two writers with the same code (as compared: "ll 00241" is "LL-00241"): one project,
    and the other is told the code is taken, also when both passed the check first."""
    await project(FAMILIES)
    await team(FAMILIES)

    async def create(code: str) -> int | Refused:
        try:
            return await create_project(
                BUILDER, ProjectInput(code=code, title="ConnectinGen", measure="4.4.1.1")
            )
        except Refused as refused:
            return refused

    results = await asyncio.gather(*(create(code) for code in ["LL-00241", "ll 00241"] * 3))
    created = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert len(created) == 1 and len(refused) == 5
    assert all(r.conflict and r.problems[0].field == "code" for r in refused)
    assert await Project.count().where(Project.code_key == "LL00241") == 1


async def test_the_unique_index_refusal_is_a_conflict(database, monkeypatch):
    """A writer that passed the check after another committed the same code gets 409 from
    the unique index, not a server error."""
    from grants.projects import editing

    await project(FAMILIES)

    async def passes(values: dict) -> None:
        return None

    monkeypatch.setattr(editing, "_refuse_taken_code", passes)
    with pytest.raises(Refused) as refused:
        await create_project(
            BUILDER, ProjectInput(code="4.4.1.1/2/004", title="Dubults", measure="4.4.1.1")
        )
    assert refused.value.conflict
    assert refused.value.problems[0].english() == (
        "A project with code 4.4.1.1/2/004 already exists."
    )
