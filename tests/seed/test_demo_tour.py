"""The demo carries what the README's short tour shows: budgets by cost category with flat rates
that add up to the documents' totals, a typed indicator with complete gender and age breakdowns,
and receipts the demo coordinator can list and correct. Loading it again changes nothing."""

import pytest

from grants.core.access import AccessDenied, Action
from grants.core.vocabulary import PeriodStatus, Role
from grants.finance.budget import BudgetLineInput, budget_warnings, project_budget, set_budget
from grants.register.services import ReceiptInput, add_receipt, list_receipts
from grants.results.entries import entry_row, entry_rows
from grants.seed.demo import load_demo
from grants.tables.audit import AuditEvent
from grants.tables.funding import BudgetLine
from grants.tables.indicators import Indicator, IndicatorEntry
from grants.tables.participants import ServiceReceipt
from grants.tables.periods import ReportingPeriod
from grants.tables.projects import Project
from tests.helpers import (
    CONNECTINGEN,
    FAMILIES,
    PILOT,
    PROTI,
    d,
    eur,
    principal,
    project_id,
    sign_in,
)


def by_category(budget) -> dict[str, tuple[int | None, tuple[str, ...], dict[int, int], int]]:
    return {
        c.category: (c.flat_rate_bp, c.flat_rate_base, c.by_year, c.total)
        for c in budget.categories
    }


async def test_families_budget_adds_up_to_the_eligible_costs_with_indirect_15_of_staff(demo):
    finance = await principal(Role.FINANCE)
    pid = await project_id(FAMILIES)
    budget = await project_budget(finance, pid)
    # version 2 (the demo's modification) moved 6 000,00 from equipment to external services
    assert by_category(budget) == {
        "staff": (None, (), {2026: 8841237, 2027: 9180355}, 18021592),
        "external_services": (None, (), {2026: 3190000, 2027: 3878012}, 7068012),
        "equipment": (None, (), {2026: 1865000}, 1865000),
        # 15 % of 180 215,92 = 27 032,388 → 27 032,39 half-up; per year 13 261,86 + 13 770,53
        "indirect": (1500, ("staff",), {2026: 1326186, 2027: 1377053}, 2703239),
    }
    assert budget.year_totals == {2026: 15222423, 2027: 14435420}
    assert budget.total == 29657843  # 296 578,43, the eligible costs of seed 000
    eligible = await Project.select(Project.eligible_cost).where(Project.id == pid).first()
    assert budget.total == eligible["eligible_cost"]
    assert await budget_warnings(finance, pid) == []


async def test_connectingen_budget_is_tukums_partner_budget_with_office_truncated(demo):
    finance = await principal(Role.FINANCE)
    pid = await project_id(CONNECTINGEN)
    budget = await project_budget(finance, pid)
    assert budget.rounding == "down"
    assert by_category(budget) == {
        "staff": (None, (), {2025: 928107, 2026: 1237476, 2027: 309369}, 2474952),
        # 15 % of 24 749,52 = 3 712,428: Jems truncates to 3 712,42 (half-up would be ,43)
        "office_admin": (1500, ("staff",), {2025: 139216, 2026: 185621, 2027: 46405}, 371242),
        "travel": (None, (), {2025: 145000, 2026: 290000, 2027: 65000}, 500000),
        "external_services": (None, (), {2025: 320000, 2026: 840000, 2027: 189306}, 1349306),
        "equipment": (None, (), {2025: 140000}, 140000),
    }
    assert budget.year_totals == {2025: 1672323, 2026: 2553097, 2027: 610080}
    assert budget.total == 4835500  # 48 355,00 = 38 684,00 ERDF + 9 671,00 municipality
    assert await budget_warnings(finance, pid) == []


async def test_the_budgets_are_saved_by_the_demo_in_the_audit_trail(demo):
    events = await AuditEvent.select(AuditEvent.entity_id, AuditEvent.actor).where(
        AuditEvent.entity == "budget"
    )
    ids = {await project_id(FAMILIES), await project_id(CONNECTINGEN)}
    assert sorted((e["entity_id"], e["actor"]) for e in events) == sorted(
        (i, "grants demo") for i in ids
    )


async def test_budget_page_shows_the_flat_rates_computed(demo, client):
    await sign_in(client, Role.FINANCE)
    html = (await client.get(f"/projects/{await project_id(FAMILIES)}/budget")).text
    for figure in ("27 032,39", "13 261,86", "88 412,37", "296 578,43"):
        assert eur(figure) in html
    assert "Netiešās izmaksas" in html
    assert "budget-warnings" not in html
    html = (await client.get(f"/projects/{await project_id(CONNECTINGEN)}/budget")).text
    for figure in ("3 712,42", "24 749,52", "48 355,00"):
        assert eur(figure) in html
    assert eur("3 712,43") not in html
    assert "budget-warnings" not in html


async def n1_entries() -> list:
    pid = await project_id(PROTI)
    indicator = (
        await Indicator.select()
        .where((Indicator.project == pid) & (Indicator.code == "N1"))
        .first()
    )
    numbers = {
        r["id"]: r["number"]
        for r in await ReportingPeriod.select(ReportingPeriod.id, ReportingPeriod.number).where(
            ReportingPeriod.project == pid
        )
    }
    rows = await entry_rows("e.indicator = {}", indicator["id"])
    entries = [entry_row(row, indicator) for row in rows]
    return indicator, sorted(((numbers[e.period_id], e) for e in entries), key=lambda x: x[0])


async def test_proti_n1_is_typed_with_complete_gender_and_age_breakdowns(demo):
    indicator, entries = await n1_entries()
    assert (indicator["aggregation"], indicator["breakdowns"]) == ("sum", "gender,age")
    assert [number for number, _ in entries] == list(range(1, 10))  # period 10 is left to log
    values = [e.value_hundredths // 100 for _, e in entries]
    assert values == [0, 0, 2, 4, 3, 5, 3, 4, 2]
    assert sum(values) == 23  # of 39
    assert all(e.breakdown_complete and e.breakdown_differences == {} for _, e in entries)
    assert all(e.state == "current" for _, e in entries)
    _, fourth = entries[3]
    assert fourth.breakdown == {
        "gender": {"women": 200, "men": 200, "non_binary": 0},
        "age": {"under_18": 100, "18_29": 300, "30_54": 0, "55_plus": 0},
    }

    def total(dimension: str, category: str) -> int:
        return sum(e.breakdown[dimension][category] for _, e in entries) // 100

    assert (total("gender", "women"), total("gender", "men")) == (11, 12)
    assert (total("age", "under_18"), total("age", "18_29")) == (6, 17)


async def test_the_coordinator_lists_and_adds_receipts_of_the_families_project(demo):
    coordinator = await principal(Role.COORDINATOR)
    pid = await project_id(FAMILIES)
    assert coordinator.can(Action.EDIT_REGISTER, pid)
    receipts = await list_receipts(coordinator, pid)
    assert len(receipts) == await ServiceReceipt.count().where(ServiceReceipt.project == pid)
    assert len(receipts) > 10
    assert {r.participant_code[:4] for r in receipts} == {"Ģ-01", "Ģ-02", "Ģ-03", "Ģ-04", "Ģ-05"}
    one = await list_receipts(coordinator, pid, participant_code="Ģ-02-1")
    # weeks begun in February (2.–28.), March, April and May (to 29.), × 35,00
    assert [r.amount for r in one] == [14000, 17500, 17500, 17500]
    added = await add_receipt(
        coordinator,
        pid,
        ReceiptInput(
            participant="Ģ-03-1",
            service="Individuāls atbalsts pakalpojuma sniegšanas vietā",
            date="16.11.2026",
        ),
    )
    assert added.amount == 3500


async def test_the_pilot_register_is_not_the_coordinators(demo):
    coordinator = await principal(Role.COORDINATOR)
    pilot = await project_id(PILOT)
    assert not coordinator.can(Action.READ_REGISTER, pilot)
    with pytest.raises(AccessDenied):
        await list_receipts(coordinator, pilot)


async def tour_counts() -> list[int]:
    return [
        await BudgetLine.count(),
        await IndicatorEntry.count(),
        await ServiceReceipt.count(),
        await AuditEvent.count(),
    ]


async def test_loading_the_demo_again_changes_no_budget_value_or_receipt(demo):
    before = await tour_counts()
    await load_demo()
    assert await tour_counts() == before


async def test_a_budget_changed_after_the_demo_stays_when_it_is_loaded_again(demo):
    finance = await principal(Role.FINANCE)
    pid = await project_id(CONNECTINGEN)
    staff = [BudgetLineInput("staff", "2026", amount="1 000,00")]
    # the demo project has a contract: its budget changes as an admin's correction
    await set_budget(await principal(Role.ADMIN), pid, staff, correction_reason="Labojums")
    await load_demo()
    assert (await project_budget(finance, pid)).total == 100000


async def test_a_project_without_a_budget_gets_it_when_the_demo_is_loaded_again(demo):
    finance = await principal(Role.FINANCE)
    families, connectingen = await project_id(FAMILIES), await project_id(CONNECTINGEN)
    await BudgetLine.delete().where(BudgetLine.project == families)
    await BudgetLine.delete().where(BudgetLine.project == connectingen)
    await Project.update({Project.end_date: d("2026-12-31")}).where(Project.id == connectingen)
    await load_demo()
    assert (await project_budget(finance, families)).total == 29657843
    # ConnectinGen's budget runs into 2027, which its changed dates no longer reach
    assert not await BudgetLine.exists().where(BudgetLine.project == connectingen)


async def test_an_older_demos_n1_without_breakdowns_gets_no_values(demo):
    indicator, _ = await n1_entries()
    await IndicatorEntry.delete().where(IndicatorEntry.indicator == indicator["id"])
    await Indicator.update({Indicator.breakdowns: ""}).where(Indicator.id == indicator["id"])
    await load_demo()
    assert await IndicatorEntry.count().where(IndicatorEntry.indicator == indicator["id"]) == 0


async def test_n1_gets_no_values_when_one_of_their_periods_is_locked(demo):
    indicator, entries = await n1_entries()
    third = entries[2][1].period_id
    await IndicatorEntry.delete().where(IndicatorEntry.indicator == indicator["id"])
    await ReportingPeriod.update({ReportingPeriod.status: PeriodStatus.APPROVED}).where(
        ReportingPeriod.id == third
    )
    await load_demo()
    assert await IndicatorEntry.count().where(IndicatorEntry.indicator == indicator["id"]) == 0
