"""The co-financing check: declared costs split over the sources like the plan, on totals."""

from datetime import date
from decimal import Decimal

import pytest

from grants.core.access import AccessDenied
from grants.core.errors import NotFound
from grants.core.money import share_of
from grants.core.vocabulary import FundingBase, FundingKind, Role
from grants.finance.cofinancing import cofinancing, declared_bases, split
from grants.finance.expenditures import (
    ExpenditureInput,
    cancel_expenditure,
    edit_expenditure,
    record_expenditure,
)
from grants.projects.funding_plan import PlanLine
from grants.tables.periods import ReportingPeriod
from grants.tables.projects import Partner
from tests.builders import declare, outsider
from tests.helpers import period_at, principal

ESF, STATE, MUNICIPALITY = "ESF+", "Valsts budžets", "Tukuma novada pašvaldība"
Q1, Q2, Q3, Q4 = (date(2026, month, 1) for month in (1, 4, 7, 10))  # FAMILIES' quarters


def by_source(result, field: str) -> dict:
    return {s.source: getattr(s, field) for s in result.sources}


async def test_200_invoices_of_ten_cents_split_exactly_like_one_of_20_euros(families):
    project = families
    await declare(project, Q1, 10, count=200)
    await declare(project, Q2, 2000)
    finance = await principal(Role.FINANCE)
    first = await cofinancing(finance, project, await period_at(project, Q1))
    second = await cofinancing(finance, project, await period_at(project, Q2))
    assert by_source(first, "this_period") == {ESF: 1700, STATE: 300, MUNICIPALITY: 0}
    assert by_source(second, "this_period") == by_source(first, "this_period")
    assert by_source(second, "to_date") == {ESF: 3400, STATE: 600, MUNICIPALITY: 0}
    assert 200 * share_of(10, 8500) == 1800  # what splitting each invoice would have claimed


@pytest.mark.parametrize(
    ("cents", "esf", "state"),
    [
        (101, 86, 15),  # 0,8585 → 0,86
        (3, 3, 0),  # 0,0255 → 0,03, and the state budget takes what is left
    ],
)
async def test_awkward_amounts_split_85_15_to_the_cent(families, cents, esf, state):
    project = families
    await declare(project, Q1, cents)
    result = await cofinancing(await principal(Role.FINANCE), project)
    assert by_source(result, "to_date") == {ESF: esf, STATE: state, MUNICIPALITY: 0}
    assert by_source(result, "this_period") == by_source(result, "to_date")


def plan_line(id: int, **values) -> PlanLine:
    """A line of a plan whose eligible base is 40 000,00."""
    fields = {"rate_bp": None, "fixed_amount": None, "residual": False} | values
    return PlanLine(
        id=id,
        source=f"line {id}",
        kind=FundingKind.OTHER,
        base=FundingBase.ELIGIBLE,
        partner_id=None,
        base_amount=4_000_000,
        amount=None,
        **fields,
    )


def test_a_fixed_plan_amount_takes_its_planned_share_of_the_declared_base():
    lines = [
        plan_line(1, fixed_amount=1_000_000),
        plan_line(2, rate_bp=5000),
        plan_line(3, residual=True),
    ]
    # 1 000,01 × 10 000,00 / 40 000,00 = 250,0025; × 50 % = 500,005
    assert split(lines, declared_bases([])) == {1: 0, 2: 0, 3: 0}
    assert split(lines, {(FundingBase.ELIGIBLE, None): 100_001}) == {
        1: 25_000,
        2: 50_001,
        3: 25_000,
    }


async def test_the_ineligible_part_and_the_vat_fall_to_the_municipality(families):
    project = families
    await declare(project, date(2026, 2, 1), 12100, 10000, vat=2100)
    result = await cofinancing(await principal(Role.VIEWER), project)
    assert by_source(result, "to_date") == {ESF: 8500, STATE: 1500, MUNICIPALITY: 2100}
    totals = result.to_date
    assert (totals.amount, totals.eligible, totals.ineligible, totals.vat) == (
        12100,
        10000,
        2100,
        2100,
    )
    assert result.this_period == totals and result.period is None
    assert by_source(result, "actual_share") == {
        ESF: Decimal("85.0"),
        STATE: Decimal("15.0"),
        MUNICIPALITY: Decimal("100.0"),
    }


async def test_planned_remaining_and_absorption_per_source(families):
    project = families
    await declare(project, date(2026, 2, 1), 10_000_000)  # 100 000,00 eligible
    result = await cofinancing(await principal(Role.FINANCE), project)
    assert by_source(result, "planned") == {ESF: 25209167, STATE: 4448676, MUNICIPALITY: 7263600}
    assert by_source(result, "rate_bp") == {ESF: 8500, STATE: 1500, MUNICIPALITY: 10000}
    assert by_source(result, "planned_share") == {
        ESF: Decimal("85.0"),
        STATE: Decimal("15.0"),
        MUNICIPALITY: Decimal("100.0"),
    }
    assert by_source(result, "to_date") == {ESF: 8_500_000, STATE: 1_500_000, MUNICIPALITY: 0}
    assert by_source(result, "remaining") == {
        ESF: 25209167 - 8_500_000,
        STATE: 4448676 - 1_500_000,
        MUNICIPALITY: 7263600,
    }
    assert by_source(result, "absorption") == {  # 33,718 %, 33,718 %, 0 %
        ESF: Decimal("33.7"),
        STATE: Decimal("33.7"),
        MUNICIPALITY: Decimal("0.0"),
    }
    assert by_source(result, "actual_share")[MUNICIPALITY] is None  # nothing ineligible yet
    assert not any(s.over_plan or s.drift for s in result.sources)
    assert by_source(result, "by_periods") == by_source(result, "to_date")

    await ReportingPeriod.delete().where(ReportingPeriod.project == project)
    result = await cofinancing(await principal(Role.FINANCE), project)
    assert by_source(result, "by_periods") == {ESF: None, STATE: None, MUNICIPALITY: None}
    assert not any(s.drift for s in result.sources)  # nothing to compare with


async def test_this_period_and_to_date_stop_at_the_periods_end(families):
    project = families
    first, second = await period_at(project, Q1), await period_at(project, Q2)
    await declare(project, date(2026, 3, 31), 100_000)
    await declare(project, date(2026, 4, 1), 50_000, 40_000)
    await declare(project, date(2026, 7, 1), 20_000)  # after the period: not to date
    finance = await principal(Role.FINANCE)

    result = await cofinancing(finance, project, second)
    assert (result.period.id, result.period.start) == (second, date(2026, 4, 1))
    assert by_source(result, "this_period") == {ESF: 34_000, STATE: 6_000, MUNICIPALITY: 10_000}
    assert by_source(result, "to_date") == {ESF: 119_000, STATE: 21_000, MUNICIPALITY: 10_000}
    assert (result.this_period.amount, result.to_date.amount) == (50_000, 150_000)
    assert (result.this_period.ineligible, result.to_date.eligible) == (10_000, 140_000)

    result = await cofinancing(finance, project, first)
    assert by_source(result, "this_period") == by_source(result, "to_date")
    assert by_source(result, "to_date") == {ESF: 85_000, STATE: 15_000, MUNICIPALITY: 0}
    everything = await cofinancing(finance, project)
    assert everything.to_date.amount == everything.this_period.amount == 170_000


async def test_connectingen_splits_80_20_on_tukums_partner_budget(connectingen):
    finance = await principal(Role.FINANCE)
    project = connectingen
    planning_region = (
        await Partner.select(Partner.id)
        .where((Partner.project == project) & (Partner.organisation.is_own == False))  # noqa: E712
        .first()
    )["id"]
    typed = {"category": "staff", "supplier": "TNSD", "date": "30.06.2025"}
    await record_expenditure(
        finance, project, ExpenditureInput(amount="1 000,01", invoice_number="A-1", **typed)
    )
    await record_expenditure(
        finance,
        project,
        ExpenditureInput(amount="500", invoice_number="A-2", partner_id=planning_region, **typed),
    )  # another partner's cost is not on Tukums' budget
    result = await cofinancing(finance, project)
    assert by_source(result, "planned") == {"ERAF": 3868400, MUNICIPALITY: 967100}
    assert by_source(result, "planned_share") == {
        "ERAF": Decimal("80.0"),
        MUNICIPALITY: Decimal("20.0"),
    }
    assert by_source(result, "to_date") == {"ERAF": 80001, MUNICIPALITY: 20000}
    assert by_source(result, "actual_share") == {
        "ERAF": Decimal("80.0"),
        MUNICIPALITY: Decimal("20.0"),
    }
    assert by_source(result, "absorption") == {"ERAF": Decimal("2.1"), MUNICIPALITY: Decimal("2.1")}
    assert result.to_date.eligible == 150001


async def test_only_current_versions_count(families):
    finance = await principal(Role.FINANCE)
    project = families
    typed = {"date": "01.02.2026", "category": "staff", "supplier": "SIA A"}
    first = await record_expenditure(
        finance, project, ExpenditureInput(amount="100", invoice_number="1", **typed)
    )
    await edit_expenditure(
        finance, first.id, ExpenditureInput(amount="200", invoice_number="1", **typed), "fixed"
    )
    second = await record_expenditure(
        finance, project, ExpenditureInput(amount="50", invoice_number="2", **typed)
    )
    await cancel_expenditure(finance, second.id, "not ours")
    result = await cofinancing(finance, project)
    assert by_source(result, "to_date") == {ESF: 17000, STATE: 3000, MUNICIPALITY: 0}


async def test_over_plan_when_more_is_declared_than_planned(families):
    project = families
    await declare(project, date(2026, 2, 1), 30_000_000)  # 300 000,00 eligible
    await declare(project, date(2026, 2, 2), 8_000_000, 0)  # 80 000,00 all ineligible
    result = await cofinancing(await principal(Role.FINANCE), project)
    assert by_source(result, "over_plan") == {ESF: True, STATE: True, MUNICIPALITY: True}
    assert by_source(result, "remaining") == {
        ESF: 25209167 - 25_500_000,
        STATE: 4448676 - 4_500_000,
        MUNICIPALITY: 7263600 - 8_000_000,
    }
    assert by_source(result, "absorption")[ESF] == Decimal("101.2")


async def test_drift_when_the_periods_splits_add_up_to_more_than_a_cent_off(families):
    project = families
    periods = [await period_at(project, start) for start in (Q1, Q2, Q3, Q4)]
    for start in (Q1, Q2, Q3, Q4):
        await declare(project, start, 3)  # each period: 0,03 ESF+, 0,00 state
    finance = await principal(Role.FINANCE)

    three = await cofinancing(finance, project, periods[2])  # 0,09: 0,08 + 0,01 to date
    assert by_source(three, "by_periods") == {ESF: 9, STATE: 0, MUNICIPALITY: 0}
    assert by_source(three, "to_date") == {ESF: 8, STATE: 1, MUNICIPALITY: 0}
    assert not any(s.drift for s in three.sources)  # one cent is rounding

    four = await cofinancing(finance, project, periods[3])  # 0,12: 0,10 + 0,02 to date
    assert by_source(four, "by_periods") == {ESF: 12, STATE: 0, MUNICIPALITY: 0}
    assert by_source(four, "to_date") == {ESF: 10, STATE: 2, MUNICIPALITY: 0}
    assert by_source(four, "drift") == {ESF: True, STATE: True, MUNICIPALITY: False}
    assert not any(s.over_plan for s in four.sources)


async def test_readers_of_the_project_only(families, connectingen):
    project = families
    for role in (Role.VIEWER, Role.COORDINATOR, Role.AUDITOR):
        assert len((await cofinancing(await principal(role), project)).sources) == 3
    elsewhere = (await outsider(Role.FINANCE)).principal
    with pytest.raises(AccessDenied):
        await cofinancing(elsewhere, project)
    other_period = await period_at(connectingen, date(2025, 4, 1))
    with pytest.raises(NotFound):
        await cofinancing(await principal(Role.ADMIN), project, other_period)
