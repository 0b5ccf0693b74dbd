"""The simplified cost options page (issue 13, item 5): admin and finance allow unit costs and
lump sums for the project and set each service's option in the browser; the co-financing page
then shows what the period may claim."""

from grants.core.vocabulary import Role
from grants.tables.audit import AuditEvent
from grants.tables.participants import Service
from grants.tables.projects import Project
from tests.builders import outsider, participant, receipt, service
from tests.helpers import CSRF_COOKIE, csrf_token, d, period_at, post, sign_in


async def _option(service_id: int) -> dict:
    return (
        await Service.select(Service.sco_kind, Service.sco_rate, Service.sco_category)
        .where(Service.id == service_id)
        .first()
    )


async def _allowed(pid: int) -> bool:
    row = await Project.select(Project.simplified_costs).where(Project.id == pid).first()
    return bool(row["simplified_costs"])


async def test_allow_set_a_unit_cost_and_the_cofinancing_page_claims_it(families, client):
    pid = families
    hour = await service(pid, "Konsultācija", "30,00")
    await participant(pid, "P-1")
    await sign_in(client, Role.FINANCE)
    before = (await client.get(f"/projects/{pid}/cofinancing")).text
    assert f'href="/projects/{pid}/simplified-costs"' in before  # found where the section is
    allowed = await post(client, f"/projects/{pid}/simplified-costs/allowed", {"allowed": "1"})
    assert allowed.status_code == 303
    assert allowed.headers["location"] == f"/projects/{pid}/simplified-costs"
    assert await _allowed(pid)
    saved = await post(
        client,
        f"/projects/{pid}/simplified-costs/services/{hour.id}",
        {"kind": "unit_cost", "rate": "42,50", "category": "", "deliverable_done": ""},
    )
    assert saved.status_code == 303
    assert await _option(hour.id) == {
        "sco_kind": "unit_cost",
        "sco_rate": 4250,
        "sco_category": "external_services",
    }
    page = (await client.get(f"/projects/{pid}/simplified-costs")).text
    assert 'value="42,50"' in page
    await receipt(pid, "P-1", hour.id, "10.02.2026", "30", units="1,25")
    await receipt(pid, "P-1", hour.id, "11.02.2026", "30", units="2")
    q1 = await period_at(pid, d("2026-02-15"))
    check = (await client.get(f"/projects/{pid}/cofinancing?period={q1}")).text
    assert 'id="simplified-costs"' in check
    assert "138,13" in check  # 3,25 × 42,50 = 138,125, half-up once


async def test_stopping_asks_for_confirmation_and_keeps_nothing_typed_lost(families, client):
    pid = families
    await sign_in(client, Role.ADMIN)
    await post(client, f"/projects/{pid}/simplified-costs/allowed", {"allowed": "1"})
    unconfirmed = await post(client, f"/projects/{pid}/simplified-costs/allowed", {"allowed": "0"})
    assert unconfirmed.status_code == 400
    assert 'aria-describedby="confirm-error"' in unconfirmed.text
    assert await _allowed(pid)
    stopped = await post(
        client, f"/projects/{pid}/simplified-costs/allowed", {"allowed": "0", "confirm": "1"}
    )
    assert stopped.status_code == 303
    assert not await _allowed(pid)


async def test_a_refused_option_keeps_what_was_typed_and_writes_nothing(families, client):
    pid = families
    hour = await service(pid, "Konsultācija")
    await sign_in(client, Role.FINANCE)
    await post(client, f"/projects/{pid}/simplified-costs/allowed", {"allowed": "1"})
    events = await AuditEvent.count()
    typed = {"kind": "unit_cost", "rate": "-3", "category": "", "deliverable_done": "01.03.2026"}
    refused = await post(client, f"/projects/{pid}/simplified-costs/services/{hour.id}", typed)
    assert refused.status_code == 400
    assert 'value="-3"' in refused.text and 'value="01.03.2026"' in refused.text
    assert f'aria-describedby="{hour.id}-rate-error"' in refused.text
    assert f'aria-describedby="{hour.id}-done-error"' in refused.text
    assert await _option(hour.id) == {"sco_kind": "", "sco_rate": None, "sco_category": ""}
    assert await AuditEvent.count() == events


async def test_a_unit_cost_without_the_option_is_refused_at_the_kind(families, client):
    pid = families
    hour = await service(pid, "Konsultācija")
    await sign_in(client, Role.FINANCE)
    typed = {"kind": "unit_cost", "rate": "42,50", "category": "", "deliverable_done": ""}
    refused = await post(client, f"/projects/{pid}/simplified-costs/services/{hour.id}", typed)
    assert refused.status_code == 400
    assert f'aria-describedby="{hour.id}-kind-error"' in refused.text
    assert await _option(hour.id) == {"sco_kind": "", "sco_rate": None, "sco_category": ""}


async def test_every_form_needs_the_csrf_token(families, client):
    pid = families
    hour = await service(pid, "Konsultācija")
    await sign_in(client, Role.FINANCE)
    allow = await client.post(f"/projects/{pid}/simplified-costs/allowed", data={"allowed": "1"})
    assert allow.status_code == 403
    assert client.cookies[CSRF_COOKIE]
    assert not await _allowed(pid)
    option = await client.post(
        f"/projects/{pid}/simplified-costs/services/{hour.id}",
        data={"kind": "", "rate": ""},
    )
    assert option.status_code == 403


async def test_other_roles_get_403_and_see_no_link(families, client):
    pid = families
    hour = await service(pid, "Konsultācija")
    for role in (Role.VIEWER, Role.COORDINATOR, Role.AUDITOR):
        client.cookies.clear()
        await sign_in(client, role)
        check = (await client.get(f"/projects/{pid}/cofinancing")).text
        assert '/simplified-costs"' not in check
        assert (await client.get(f"/projects/{pid}/simplified-costs")).status_code == 403
        allow = await post(client, f"/projects/{pid}/simplified-costs/allowed", {"allowed": "1"})
        assert allow.status_code == 403
        option = await post(
            client,
            f"/projects/{pid}/simplified-costs/services/{hour.id}",
            {"kind": "unit_cost", "rate": "42,50"},
        )
        assert option.status_code == 403
    assert not await _allowed(pid)


async def test_a_service_of_another_project_or_a_huge_id_is_404(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    for sid in (999_999, 2**31):
        missing = await post(
            client, f"/projects/{pid}/simplified-costs/services/{sid}", {"kind": ""}
        )
        assert missing.status_code == 404


async def test_finance_of_another_project_gets_404(families, client):
    pid = families
    hour = await service(pid, "Konsultācija")
    other = await outsider(Role.FINANCE)
    token = await csrf_token(client)
    login = {"email": other.email, "password": other.password, "_csrf_token": token}
    assert (await client.post("/login", data=login)).status_code == 303
    assert (await client.get(f"/projects/{pid}/simplified-costs")).status_code == 404
    allow = await post(client, f"/projects/{pid}/simplified-costs/allowed", {"allowed": "1"})
    assert allow.status_code == 404
    option = await post(
        client, f"/projects/{pid}/simplified-costs/services/{hour.id}", {"kind": ""}
    )
    assert option.status_code == 404
    assert not await _allowed(pid)
