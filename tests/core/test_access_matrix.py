"""Role × action: who may do what, on member projects and on others. Also CSRF on forms."""

import pytest

from grants.core.vocabulary import Role
from grants.tables.indicators import Indicator
from grants.tables.periods import ReportingPeriod
from tests.builders import project, team, user
from tests.helpers import SIF_002, api_headers, csrf_token, sign_in

# The `families` project has finance, coordinator and viewer members; SIF_002 has none.
ALL = list(Role)


def allowed_only(*roles: Role) -> dict[Role, bool]:
    return {role: role in roles for role in ALL}


async def status_by_role(client, method: str, url: str, json_for=None) -> dict[Role, int]:
    statuses = {}
    for role in ALL:
        kwargs = {"headers": await api_headers(role)}
        if json_for is not None:
            kwargs["json"] = json_for(role)
        statuses[role] = (await client.request(method, url, **kwargs)).status_code
    return statuses


def check(statuses: dict[Role, int], expected: dict[Role, bool], ok: int) -> None:
    assert {r: s for r, s in statuses.items()} == {
        r: ok if allowed else 403 for r, allowed in expected.items()
    }


async def test_reading_member_and_other_projects(families, client):
    pid, sif = families, await project(SIF_002)
    check(await status_by_role(client, "GET", f"/api/v1/projects/{pid}"), allowed_only(*ALL), 200)
    check(
        await status_by_role(client, "GET", f"/api/v1/projects/{sif}"),
        allowed_only(Role.ADMIN, Role.AUDITOR),
        200,
    )


async def test_creating_projects(families, client):
    def body(role):
        return {"code": f"T/{role}", "title": "T", "measure": "4.4.1.1"}

    check(
        await status_by_role(client, "POST", "/api/v1/projects", body),
        allowed_only(Role.ADMIN),
        201,
    )


async def test_editing_a_project(families, client):
    statuses = await status_by_role(
        client, "PATCH", f"/api/v1/projects/{families}", lambda role: {"title_en": str(role)}
    )
    check(statuses, allowed_only(Role.ADMIN, Role.FINANCE), 200)


async def test_recording_expenditure(families, client):
    pid = families

    def invoice(role):
        return {"date": "2026-11-02", "amount": "1,00", "category": "travel",
                "supplier": "Bus", "invoice_number": str(role)}  # fmt: skip

    statuses = await status_by_role(client, "POST", f"/api/v1/projects/{pid}/expenditures", invoice)
    check(statuses, allowed_only(Role.ADMIN, Role.FINANCE), 201)


async def test_defining_indicators_and_logging_values(families, client):
    pid = families
    statuses = await status_by_role(
        client,
        "POST",
        f"/api/v1/projects/{pid}/indicators",
        lambda role: {"code": f"X-{role}", "name": "X", "target": "1"},
    )
    check(statuses, allowed_only(Role.ADMIN, Role.COORDINATOR), 201)
    indicator = (await Indicator.select(Indicator.id).where(Indicator.code == "X-admin").first())[
        "id"
    ]  # the admin's
    period = (
        await ReportingPeriod.select(ReportingPeriod.id)
        .where(ReportingPeriod.project == pid)
        .order_by(ReportingPeriod.start_date, ascending=False)
        .first()
    )["id"]
    statuses = await status_by_role(
        client,
        "POST",
        f"/api/v1/indicators/{indicator}/entries",
        lambda role: {"period_id": period, "value": "1"},
    )
    check(statuses, allowed_only(Role.ADMIN, Role.COORDINATOR), 201)


async def test_period_workflow_rights(families, client):
    pid = families
    periods = (
        await ReportingPeriod.select(ReportingPeriod.id)
        .where(ReportingPeriod.project == pid)
        .order_by(ReportingPeriod.start_date)
    )
    ids = [p["id"] for p in periods]
    submit = {}
    for role, period in zip(ALL, ids, strict=False):  # a fresh draft period for each role
        response = await client.post(
            f"/api/v1/periods/{period}/submit", headers=await api_headers(role)
        )
        submit[role] = response.status_code
    check(submit, allowed_only(Role.ADMIN, Role.FINANCE, Role.COORDINATOR), 200)
    submitted = ids[0]  # the admin submitted the first one
    approve = {}
    for role in [r for r in ALL if r != Role.ADMIN] + [Role.ADMIN]:
        response = await client.post(
            f"/api/v1/periods/{submitted}/approve", headers=await api_headers(role)
        )
        approve[role] = response.status_code
    check(approve, allowed_only(Role.ADMIN), 200)
    reopen = {}
    for role in [r for r in ALL if r != Role.ADMIN] + [Role.ADMIN]:
        response = await client.post(
            f"/api/v1/periods/{submitted}/reopen",
            json={"reason": "fix"},
            headers=await api_headers(role),
        )
        reopen[role] = response.status_code
    check(reopen, allowed_only(Role.ADMIN), 200)


async def test_reading_the_audit_trail(families, client):
    check(
        await status_by_role(client, "GET", f"/api/v1/projects/{families}/audit"),
        allowed_only(Role.ADMIN, Role.AUDITOR, Role.FINANCE, Role.COORDINATOR),
        200,
    )


@pytest.mark.parametrize("role", ALL)
async def test_managing_users(client, role):
    await team()
    await sign_in(client, role)
    expected = 200 if role == Role.ADMIN else 403
    assert (await client.get("/admin/users")).status_code == expected


FORMS = [
    "/login",
    "/logout",
    "/projects/new",
    "/admin/users",
    "/profile/tokens",
    "/profile/password",
    "/projects/1/expenditures",
    "/periods/1/submit",
    "/projects/1/indicators/1/entries",
]


@pytest.mark.parametrize("url", FORMS)
async def test_every_form_needs_its_csrf_token(client, url):
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    assert (await client.post(url, data={"x": "1"})).status_code == 403
    assert (
        await client.post(url, data={"x": "1"}, headers={"x-csrftoken": "forged"})
    ).status_code == 403


async def test_htmx_requests_send_the_token_in_a_header(families, client):
    await sign_in(client, Role.FINANCE)
    token = await csrf_token(client)
    response = await client.post(
        f"/projects/{families}/expenditures",
        data={"date": "02.11.2026", "amount": "1,00", "category": "travel", "supplier": "Bus",
              "invoice_number": "H-1"},
        headers={"HX-Request": "true", "x-csrftoken": token},
    )  # fmt: skip
    assert response.status_code == 200
