"""A signed contract's fields change only through a modification: a direct edit of a project with
a contract is refused for its dates, costs, funding plan, budget and indicator targets, writing
nothing; what is still empty may be filled in; an administrator may correct a typo with a reason,
which the audit trail keeps and the stored contract version follows."""

import json
from dataclasses import replace

import pytest

from grants.core.access import AccessDenied
from grants.core.vocabulary import ProjectStatus, Role
from grants.finance.budget import BudgetLineInput, set_budget
from grants.modifications.lock import PART_OF_CONTRACT
from grants.modifications.versions import capture
from grants.projects.editing import FundingLineInput, ProjectInput, update_project
from grants.results.indicators import IndicatorInput, get_indicator, update_indicator
from grants.tables.audit import AuditEvent
from grants.tables.funding import BudgetLine, FundingLine
from grants.tables.indicators import Milestone
from grants.tables.modifications import ContractVersion
from grants.tables.projects import Project
from tests import builders
from tests.helpers import FAMILIES, NBSP, api_headers, post, principal, refusal, sign_in

REASON = "Drukas kļūda līgumā: 296 578,44"
PLAN = [FundingLineInput("ESF+", rate="80"), FundingLineInput("Valsts budžets", rate="20")]
LATVIAN = "Tā ir līguma daļa: lai to mainītu, ierosiniet grozījumus."


def staff(amount: str, year: str = "2026") -> BudgetLineInput:
    return BudgetLineInput("staff", year, amount=amount)


async def written(pid: int) -> tuple:
    """Everything a refused edit must leave as it was."""
    project = await Project.select().where(Project.id == pid).first()
    funding = await FundingLine.select().where(FundingLine.project == pid).order_by(FundingLine.id)
    budget = await BudgetLine.select().where(BudgetLine.project == pid).order_by(BudgetLine.id)
    milestones = await Milestone.select().order_by(Milestone.id)
    return project, funding, budget, milestones, await AuditEvent.count()


async def store_version(pid: int) -> None:
    """Version 1 stored, as the first approved modification stores it."""
    await ContractVersion.insert(
        ContractVersion(project=pid, number=1, snapshot=await capture(pid))
    )


async def stored_version(pid: int) -> dict:
    row = (
        await ContractVersion.select(ContractVersion.snapshot)
        .where(ContractVersion.project == pid)
        .first()
    )
    snapshot = row["snapshot"]
    return json.loads(snapshot) if isinstance(snapshot, str) else snapshot


async def last_event(entity: str) -> dict:
    return (
        await AuditEvent.select()
        .where(AuditEvent.entity == entity)
        .order_by(AuditEvent.id, ascending=False)
        .first()
    )


def fields(refused) -> list[str | None]:
    return [p.field for p in refused.problems]


# The domain


async def test_a_contract_field_changed_directly_is_refused_and_nothing_is_written(families):
    pid, finance = families, await principal(Role.FINANCE)
    await set_budget(finance, pid, [staff("1 000,00")])  # an empty budget is filled in
    before = await written(pid)
    change = ProjectInput(
        title="Cits nosaukums",
        start_date="02.01.2026",
        eligible_cost="296 578,44",
        funding=PLAN,
    )
    refused = await refusal(update_project(finance, pid, change))
    assert refused.conflict
    assert fields(refused) == ["start_date", "eligible_cost", "funding"]
    assert {p.message for p in refused.problems} == {PART_OF_CONTRACT}
    refused = await refusal(set_budget(finance, pid, [staff("2 000,00")]))
    assert refused.conflict and fields(refused) == ["lines"]
    assert await written(pid) == before  # the title neither: all or nothing


async def test_what_is_not_in_the_contract_stays_directly_editable(families):
    pid, finance = families, await principal(Role.FINANCE)
    same_plan = ProjectInput(
        title="Jauns nosaukums",
        note="Piezīme",
        amount_kind="maximum",
        eligible_cost="296 578,43",  # the same figure typed again is no change
    )
    await update_project(finance, pid, same_plan)
    row = await Project.select().where(Project.id == pid).first()
    assert (row["title_lv"], row["note_lv"], row["amount_kind"]) == (
        "Jauns nosaukums",
        "Piezīme",
        "maximum",
    )
    assert (await last_event("project"))["note"] == ""


async def test_a_project_without_a_contract_changes_directly(families):
    pid, finance = families, await principal(Role.FINANCE)
    await Project.update({Project.status: ProjectStatus.APPROVED}).where(Project.id == pid)
    await update_project(finance, pid, ProjectInput(eligible_cost="300 000,00", funding=PLAN))
    row = await Project.select(Project.eligible_cost).where(Project.id == pid).first()
    assert row["eligible_cost"] == 30_000_000


async def test_filling_in_what_is_empty_records_the_contract_as_signed(database):
    pid = await builders.project(
        start=None, end=None, total=None, eligible=None, funding=[], status="contracted"
    )
    await builders.team(FAMILIES)
    finance, coordinator = await principal(Role.FINANCE), await principal(Role.COORDINATOR)
    signed = ProjectInput(
        start_date="01.01.2026",
        end_date="31.12.2027",
        total_cost="1 000,00",
        eligible_cost="800,00",
        funding=PLAN,
    )
    await update_project(finance, pid, signed)
    row = await Project.select().where(Project.id == pid).first()
    assert (row["total_cost"], row["eligible_cost"]) == (100_000, 80_000)
    assert await FundingLine.count().where(FundingLine.project == pid) == 2
    await set_budget(finance, pid, [staff("800,00")])

    indicator = await builders.indicator(pid, "R1", target=None)
    typed = IndicatorInput("R1", "Dalībnieki kopā", unit="personas", target="48", baseline="0")
    await update_indicator(coordinator, indicator.id, typed)
    with_milestone = replace(typed, milestones=[("31.12.2026", "20")])
    detail = await update_indicator(coordinator, indicator.id, with_milestone)
    assert (detail.target_hundredths, detail.baseline_hundredths) == (4800, 0)
    assert len(detail.milestones) == 1

    # once there, each is the contract's
    refused = await refusal(update_project(finance, pid, ProjectInput(end_date="30.12.2027")))
    assert fields(refused) == ["end_date"]
    refused = await refusal(set_budget(finance, pid, [staff("801,00")]))
    assert fields(refused) == ["lines"]
    changed = replace(with_milestone, target="50", baseline="1", milestones=[])
    refused = await refusal(update_indicator(coordinator, indicator.id, changed))
    assert refused.conflict and fields(refused) == ["baseline", "target", "milestones"]
    renamed = replace(with_milestone, name="Dalībnieki")
    assert (await update_indicator(coordinator, indicator.id, renamed)).name_lv == "Dalībnieki"


async def test_an_admin_corrects_a_typo_with_a_reason_recorded_and_the_version_follows(families):
    pid, admin = families, await principal(Role.ADMIN)
    await set_budget(admin, pid, [staff("1 000,00")])
    await store_version(pid)
    await update_project(
        admin, pid, ProjectInput(eligible_cost="296 578,44"), correction_reason=f"  {REASON} "
    )
    event = await last_event("project")
    assert event["note"] == REASON
    assert json.loads(event["after"]) == {"eligible_cost": "296578.44"}
    snapshot = await stored_version(pid)
    assert snapshot["eligible_cost"] == 29_657_844
    assert [
        line["amount"]
        for line in await FundingLine.select()
        .where(FundingLine.project == pid)
        .order_by(FundingLine.position)
    ] == [25_209_167, 4_448_677, 7_263_599]

    await set_budget(admin, pid, [staff("1 100,00")], correction_reason="Summa pārrakstīta")
    assert (await last_event("budget"))["note"] == "Summa pārrakstīta"
    assert [line["amount"] for line in (await stored_version(pid))["budget"]] == [110_000]
    assert await ContractVersion.count() == 1  # corrected in place, not a new version


async def test_someone_who_may_not_correct_is_refused_and_nothing_is_written(families):
    pid, finance = families, await principal(Role.FINANCE)
    before = await written(pid)
    with pytest.raises(AccessDenied):
        await update_project(
            finance, pid, ProjectInput(eligible_cost="296 578,44"), correction_reason=REASON
        )
    refused = await refusal(  # a reason of spaces is no reason
        update_project(finance, pid, ProjectInput(total_cost="369 214,44"), correction_reason="   ")
    )
    assert fields(refused) == ["total_cost"]
    assert await written(pid) == before


async def test_an_indicator_target_is_corrected_by_an_admin_only(families):
    pid = families
    r1, _ = await builders.result_indicators(pid)
    coordinator, admin = await principal(Role.COORDINATOR), await principal(Role.ADMIN)
    await store_version(pid)
    typed = IndicatorInput(
        "R1",
        r1.name_lv,
        unit="ģimenes",
        target="13",
        target_rule="exactly",
        aggregation="households",
        kind="result",
        min_stay_months="3",
    )
    before = await written(pid)
    refused = await refusal(update_indicator(coordinator, r1.id, typed))
    assert refused.conflict and fields(refused) == ["target"]
    with pytest.raises(AccessDenied):
        await update_indicator(coordinator, r1.id, typed, correction_reason=REASON)
    assert await written(pid) == before
    await update_indicator(admin, r1.id, typed, correction_reason=REASON)
    assert (await get_indicator(admin, r1.id)).target_hundredths == 1300
    assert (await last_event("indicator"))["note"] == REASON
    indicators = (await stored_version(pid))["indicators"]
    assert [i["target_hundredths"] for i in indicators] == [1300, 4800]


# The API


async def test_the_api_refuses_with_409_and_corrects_for_an_admin(families, client):
    pid = families
    url = f"/api/v1/projects/{pid}"
    finance, admin = await api_headers(Role.FINANCE), await api_headers(Role.ADMIN)
    response = await client.patch(url, json={"end_date": "2027-12-30"}, headers=finance)
    assert response.status_code == 409
    assert response.json()["errors"] == [{"field": "end_date", "message": LATVIAN}]
    refused = await client.patch(
        url, json={"end_date": "2027-12-30", "correction_reason": REASON}, headers=finance
    )
    assert refused.status_code == 403
    response = await client.patch(
        url, json={"end_date": "2027-12-30", "correction_reason": REASON}, headers=admin
    )
    assert response.status_code == 200, response.text
    assert response.json()["end_date"] == "2027-12-30"
    assert (await last_event("project"))["note"] == REASON


async def test_the_budget_put_takes_a_correction_reason(families, client):
    pid = families
    url = f"/api/v1/projects/{pid}/budget"
    finance, admin = await api_headers(Role.FINANCE), await api_headers(Role.ADMIN)
    first = [{"category": "staff", "year": 2026, "amount": "1000.00"}]
    assert (await client.put(url, json=first, headers=finance)).status_code == 200
    second = [{"category": "staff", "year": 2026, "amount": "1100.00"}]
    response = await client.put(url, json=second, headers=finance)
    assert response.status_code == 409
    assert response.json()["errors"] == [{"field": "lines", "message": LATVIAN}]
    body = {"lines": second, "correction_reason": REASON}
    assert (await client.put(url, json=body, headers=finance)).status_code == 403
    unknown = {"lines": second, "reason": REASON}
    assert (await client.put(url, json=unknown, headers=admin)).status_code == 400
    response = await client.put(url, json=body, headers=admin)
    assert response.status_code == 200, response.text
    assert [(c["category"], c["planned"]) for c in response.json()] == [("staff", "1100.00")]
    assert (await last_event("budget"))["note"] == REASON


async def test_the_indicator_put_takes_a_correction_reason(families, client):
    pid = families
    r1, _ = await builders.result_indicators(pid)
    url = f"/api/v1/indicators/{r1.id}"
    body = {
        "code": "R1", "name": r1.name_lv, "unit": "ģimenes", "target": "13",
        "target_rule": "exactly", "aggregation": "households", "kind": "result",
        "min_stay_months": 3,
    }  # fmt: skip
    coordinator, admin = await api_headers(Role.COORDINATOR), await api_headers(Role.ADMIN)
    response = await client.put(url, json=body, headers=coordinator)
    assert response.status_code == 409
    assert response.json()["errors"] == [{"field": "target", "message": LATVIAN}]
    renamed = await client.put(url, json=body | {"target": "12", "name": "R"}, headers=coordinator)
    assert renamed.status_code == 200 and renamed.json()["name"] == "R"
    correction = body | {"correction_reason": REASON}
    assert (await client.put(url, json=correction, headers=coordinator)).status_code == 403
    response = await client.put(url, json=correction, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["target"] == "13"
    assert (await last_event("indicator"))["note"] == REASON


# The pages


def edit_form(**changes: str) -> dict:
    """The project form as the page sends it for families: read-only fields are not sent."""
    return {
        "code": "4.4.1.1./2/004", "measure": "4.4.1.1", "title": "Ģimenes",
        "title_en": "Families", "our_role": "implementer", "status": "in_progress",
        "reporting": "quarterly", "amount_kind": "contracted", "note": "",
        "funding_rows": "6",
    } | changes  # fmt: skip


async def test_the_form_shows_contract_fields_read_only_and_saves_the_rest(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    page = (await client.get(f"/projects/{pid}/edit")).text
    assert f'value="296{NBSP}578,43" inputmode="decimal" disabled' in page
    assert 'name="start_date" value="01.01.2026" disabled' in page
    assert '<input disabled name="funding-0-source" value="ESF+"' in page
    assert f'href="/projects/{pid}/modifications/new">Ierosināt grozījumus</a>' in page
    assert 'name="correction_reason"' not in page

    saved = await post(client, f"/projects/{pid}/edit", edit_form())
    assert saved.status_code == 303
    row = await Project.select().where(Project.id == pid).first()
    assert (row["title_lv"], row["eligible_cost"]) == ("Ģimenes", 29_657_843)
    assert await FundingLine.count().where(FundingLine.project == pid) == 3

    before = await written(pid)
    refused = await post(
        client, f"/projects/{pid}/edit", edit_form(title="Cits", eligible_cost="1,00")
    )
    assert refused.status_code == 409
    assert LATVIAN in refused.text
    assert f'value="296{NBSP}578,43" inputmode="decimal" disabled' in refused.text
    assert await written(pid) == before


async def test_an_admin_corrects_on_the_form_with_a_reason(families, client):
    pid = families
    await sign_in(client, Role.ADMIN)
    page = (await client.get(f"/projects/{pid}/edit")).text
    assert 'name="correction_reason"' in page and "Labojuma iemesls" in page
    assert 'inputmode="decimal" disabled' not in page  # open to correct
    await store_version(pid)
    plan = {
        "funding-0-source": "ESF+", "funding-0-base": "eligible", "funding-0-rate": "85,00",
        "funding-1-source": "Valsts budžets", "funding-1-base": "eligible",
        "funding-1-rate": "15,00", "funding-1-residual": "on",
        "funding-2-source": "Tukuma novada pašvaldība", "funding-2-base": "ineligible",
        "funding-2-rate": "100", "funding-2-residual": "on",
    }  # fmt: skip
    typed = edit_form(
        start_date="01.01.2026", end_date="31.12.2027", total_cost="369 214,43",
        eligible_cost="296 578,44", **plan,
    )  # fmt: skip
    refused = await post(client, f"/projects/{pid}/edit", typed)
    said = "Tā ir līguma daļa: ierosiniet grozījumus vai norādiet labojuma iemeslu."
    assert refused.status_code == 409 and said in refused.text
    saved = await post(client, f"/projects/{pid}/edit", typed | {"correction_reason": REASON})
    assert saved.status_code == 303
    assert (await last_event("project"))["note"] == REASON
    assert (await stored_version(pid))["eligible_cost"] == 29_657_844


async def test_the_budget_page_is_read_only_but_to_an_admin(families, client):
    pid = families
    await set_budget(await principal(Role.FINANCE), pid, [staff("1 000,00")])
    await sign_in(client, Role.FINANCE)
    page = (await client.get(f"/projects/{pid}/budget")).text
    assert f'href="/projects/{pid}/modifications/new"' in page
    assert 'name="lines-0-category"' not in page  # no form to change it
    typed = {"lines-0-category": "staff", "lines-0-year": "2026", "lines-0-amount": "2 000,00"}
    refused = await post(client, f"/projects/{pid}/budget", typed)
    assert refused.status_code == 409

    await sign_in(client, Role.ADMIN)
    page = (await client.get(f"/projects/{pid}/budget")).text
    assert 'name="lines-0-category"' in page and 'name="correction_reason"' in page
    saved = await post(client, f"/projects/{pid}/budget", typed | {"correction_reason": REASON})
    assert saved.status_code == 303
    assert await BudgetLine.select(BudgetLine.amount).where(BudgetLine.project == pid) == [
        {"amount": 200_000}
    ]
    assert (await last_event("budget"))["note"] == REASON


async def test_setting_the_status_back_before_the_contract_is_a_correction(families: int):
    """Otherwise "approved" would unlock the figures for a direct edit."""
    finance, admin = await principal(Role.FINANCE), await principal(Role.ADMIN)
    before = await written(families)
    back = ProjectInput(status=ProjectStatus.APPROVED)
    refused = await refusal(update_project(finance, families, back))
    assert [p.field for p in refused.problems] == ["status"]
    assert await written(families) == before
    assert (await refusal(update_project(admin, families, back))).conflict
    await update_project(admin, families, back, correction_reason=REASON)
    assert await Project.select(Project.status).first() == {"status": "approved"}
    await update_project(finance, families, ProjectInput(status=ProjectStatus.CLOSED))
    assert await Project.select(Project.status).first() == {"status": "closed"}
