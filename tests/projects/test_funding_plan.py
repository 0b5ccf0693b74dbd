"""Funding-plan amounts and the checks the project page shows."""

from grants.core.vocabulary import FundingBase, FundingKind
from grants.projects.funding_plan import LineInput, compute_plan

ELIGIBLE, INELIGIBLE, PARTNER = (
    FundingBase.ELIGIBLE,
    FundingBase.INELIGIBLE,
    FundingBase.PARTNER_BUDGET,
)


def line(
    id, base, *, rate=None, fixed=None, residual=False, kind=FundingKind.EU_FUND, partner=None
):
    return LineInput(id, f"line {id}", kind, base, rate, fixed, residual, partner)


def test_rate_lines_with_a_residual_add_up_and_pass_every_check():
    plan = compute_plan(
        [
            line(1, ELIGIBLE, rate=8500),
            line(2, ELIGIBLE, rate=1500, residual=True, kind=FundingKind.STATE_BUDGET),
            line(3, INELIGIBLE, rate=10000, residual=True, kind=FundingKind.MUNICIPALITY),
        ],
        total=36921443,
        eligible=29657843,
        partner_budgets={},
    )
    assert [ln.amount for ln in plan.lines] == [25209167, 4448676, 7263600]
    assert [(c.name, c.expected, c.actual, c.passed) for c in plan.checks] == [
        ("base", 29657843, 29657843, True),
        ("base", 7263600, 7263600, True),
        ("total", 36921443, 36921443, True),
    ]
    assert plan.eu_share == 25209167


def test_typed_fixed_amounts_that_do_not_add_up_show_the_difference():
    plan = compute_plan(
        [line(1, ELIGIBLE, fixed=25209167), line(2, ELIGIBLE, fixed=4448600)],
        total=29657843,
        eligible=29657843,
        partner_budgets={},
    )
    base_check, total_check = plan.checks
    assert not base_check.passed and base_check.difference == -76
    assert not total_check.passed and total_check.difference == -76


def test_lines_on_an_unknown_base_have_no_amount_and_no_check():
    plan = compute_plan(
        [line(1, PARTNER, rate=8000, partner=7), line(2, PARTNER, residual=True, partner=7)],
        total=None,
        eligible=None,
        partner_budgets={7: None},
    )
    assert [ln.amount for ln in plan.lines] == [None, None]
    assert plan.checks == []
    assert plan.eu_share is None


def test_each_partner_budget_is_split_on_its_own():
    plan = compute_plan(
        [
            line(1, PARTNER, rate=8000, partner=1),
            line(2, PARTNER, residual=True, partner=1, kind=FundingKind.MUNICIPALITY),
            line(3, PARTNER, rate=8000, partner=2),
            line(4, PARTNER, residual=True, partner=2, kind=FundingKind.PARTNER),
        ],
        total=None,
        eligible=None,
        partner_budgets={1: 4835500, 2: 101},
    )
    assert [ln.amount for ln in plan.lines] == [3868400, 967100, 81, 20]
    assert all(c.passed for c in plan.checks) and len(plan.checks) == 2
    assert plan.eu_share == 3868400 + 81
