"""The budget by cost category: flat rates computed from their bases, never typed, rounded the
measure's way; declared amounts against the plan."""

from datetime import date
from decimal import Decimal

import pytest

from grants.core.access import AccessDenied
from grants.core.vocabulary import Role, Rounding
from grants.finance.budget import PlannedLine, budget_by_category, category_report
from grants.tables.funding import BudgetLine
from tests.builders import declare, outsider
from tests.helpers import period_at, principal

HALF_UP, DOWN = Rounding.HALF_UP, Rounding.DOWN


def real(category: str, cents: int, year: int = 2026) -> PlannedLine:
    return PlannedLine(category, year, cents)


def flat(category: str, rate_bp: int, base: str, year: int = 2026) -> PlannedLine:
    return PlannedLine(category, year, None, rate_bp, base)


def totals(lines, rounding=HALF_UP) -> dict[str, int]:
    return {c.category: c.total for c in budget_by_category(lines, rounding=rounding)}


def test_indirect_costs_7_percent_of_direct_costs():
    lines = [
        real("staff", 1_000_000),
        real("travel", 123_456),
        real("external_services", 500_000),
        flat("office_admin", 700, "direct"),
    ]
    # 16 234,56 × 7 % = 1 136,4192
    assert totals(lines)["office_admin"] == 113_642
    assert totals(lines, DOWN)["office_admin"] == 113_641
    [staff, office, travel, external] = budget_by_category(lines, rounding=HALF_UP)
    assert [c.category for c in (staff, office, travel, external)] == [
        "staff",
        "office_admin",
        "travel",
        "external_services",
    ]  # the standard order
    assert (office.flat_rate_bp, office.flat_rate_base) == (700, ("direct",))
    assert (staff.flat_rate_bp, staff.by_year, staff.total) == (None, {2026: 1_000_000}, 1_000_000)


def test_office_15_percent_of_staff_rounds_half_up_or_down_as_the_measure_says():
    lines = [real("staff", 1_000_005), flat("office_admin", 1500, "staff")]
    # 10 000,05 × 15 % = 1 500,0075
    assert totals(lines, HALF_UP)["office_admin"] == 150_001
    assert totals(lines, DOWN)["office_admin"] == 150_000


def test_staff_20_percent_of_the_other_direct_costs():
    lines = [
        real("travel", 100_000),
        real("external_services", 400_000),
        real("equipment", 250_001),
        flat("staff", 2000, "travel, external_services,equipment"),
    ]
    assert totals(lines)["staff"] == 150_000  # 7 500,01 × 20 % = 1 500,002


def test_travel_15_percent_of_staff_and_40_percent_of_staff_covering_the_rest():
    lines = [
        real("staff", 1_234_567),
        flat("travel", 1500, "staff"),
        flat("other_costs", 4000, "staff"),  # a measure's own category
    ]
    assert totals(lines) == {"staff": 1_234_567, "travel": 185_185, "other_costs": 493_827}
    assert totals(lines, DOWN) == {"staff": 1_234_567, "travel": 185_185, "other_costs": 493_826}


def test_a_flat_rate_is_computed_per_year_and_on_the_total_not_summed():
    lines = [
        real("staff", 50, 2026),
        real("staff", 50, 2027),
        flat("office_admin", 700, "direct", 2026),
        flat("office_admin", 700, "direct", 2027),
    ]
    [_, office] = budget_by_category(lines, rounding=HALF_UP)
    assert office.by_year == {2026: 4, 2027: 4}  # 0,035 → 0,04 each year
    assert office.total == 7  # 1,00 × 7 %, not 0,08


def test_a_flat_rate_covers_only_the_years_it_has_lines_for():
    lines = [
        real("staff", 100_000, 2026),
        real("staff", 200_000, 2027),
        flat("office_admin", 1500, "staff", 2027),
    ]
    [_, office] = budget_by_category(lines, rounding=HALF_UP)
    assert (office.by_year, office.total) == ({2027: 30_000}, 30_000)


def test_flat_rates_on_flat_rates():
    lines = [
        real("external_services", 1_000_000),
        flat("staff", 2000, "external_services"),
        flat("office_admin", 1500, "staff"),
    ]
    assert totals(lines) == {
        "staff": 200_000,
        "office_admin": 30_000,
        "external_services": 1_000_000,
    }


def test_a_flat_rate_that_refers_to_itself_or_changes_between_years_is_an_error():
    with pytest.raises(ValueError, match="through"):
        budget_by_category(
            [flat("staff", 2000, "office_admin"), flat("office_admin", 1500, "staff")],
            rounding=HALF_UP,
        )
    with pytest.raises(ValueError, match="differs"):
        budget_by_category(
            [flat("office_admin", 1500, "staff", 2026), flat("office_admin", 700, "staff", 2027)],
            rounding=HALF_UP,
        )


async def add_budget(project: int, *lines: PlannedLine) -> None:
    await BudgetLine.insert(
        *(
            BudgetLine(
                project=project,
                category=ln.category,
                year=ln.year,
                amount=ln.amount,
                flat_rate_bp=ln.flat_rate_bp,
                flat_rate_base=ln.flat_rate_base,
            )
            for ln in lines
        )
    )


def by_category(report) -> dict[str, tuple]:
    return {
        ln.category: (ln.planned, ln.this_period, ln.to_date, ln.remaining, ln.absorption)
        for ln in report.lines
    }


async def test_category_report_declared_against_planned(families):
    project = families
    await add_budget(
        project,
        real("staff", 2_000_000, 2026),
        real("staff", 2_000_000, 2027),
        real("external_services", 500_000, 2026),
        flat("office_admin", 1500, "staff", 2026),
        flat("office_admin", 1500, "staff", 2027),
    )
    await declare(project, date(2026, 3, 2), 1_000_005, category="staff")
    await declare(project, date(2026, 4, 2), 500_000, category="staff")
    await declare(project, date(2026, 4, 3), 120_000, 100_000, category="external_services")
    await declare(project, date(2026, 4, 4), 70_000, category="equipment")  # not budgeted
    await declare(project, date(2026, 4, 5), 99_999, category="office_admin")  # flat: ignored
    await declare(project, date(2026, 7, 1), 10_000, category="staff")  # after Q2
    q2 = await period_at(project, date(2026, 4, 1))

    report = await category_report(await principal(Role.COORDINATOR), project, q2)
    assert report.rounding == HALF_UP and report.period.id == q2
    assert by_category(report) == {
        "staff": (4_000_000, 500_000, 1_500_005, 2_499_995, Decimal("37.5")),
        # 15 % of 5 000,00 this period; of 15 000,05 = 2 250,0075 to date
        "office_admin": (600_000, 75_000, 225_001, 374_999, Decimal("37.5")),
        "external_services": (500_000, 100_000, 100_000, 400_000, Decimal("20.0")),
        "equipment": (0, 70_000, 70_000, -70_000, None),
    }
    everything = await category_report(await principal(Role.FINANCE), project)
    assert by_category(everything)["staff"][1:3] == (1_510_005, 1_510_005)


async def test_category_report_truncates_where_the_measure_does(connectingen):
    project = connectingen  # Interreg priority III: Jems truncates
    await add_budget(
        project, real("staff", 1_000_005, 2025), flat("office_admin", 1500, "staff", 2025)
    )
    await declare(project, date(2025, 6, 30), 1_000_005, category="staff")
    report = await category_report(await principal(Role.FINANCE), project)
    assert report.rounding == DOWN
    assert by_category(report)["office_admin"] == (150_000, 150_000, 150_000, 0, Decimal("100.0"))


async def test_category_report_is_for_readers_of_the_project(families):
    project = families
    assert (await category_report(await principal(Role.VIEWER), project)).lines == []
    elsewhere = (await outsider(Role.FINANCE)).principal
    with pytest.raises(AccessDenied):
        await category_report(elsewhere, project)
