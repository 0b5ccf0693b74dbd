"""The budget by cost category: planned per year and in total, declared, remaining, absorbed.

A flat-rate category (a simplified cost option: indirect costs 7 % of direct costs, office
15 % of staff, staff 20 % of other direct costs, …) is computed from its base categories,
never typed, rounded the way the measure says (Jems truncates). The same rule computes its
declared amount from the declared base costs. Totals are computed on total bases, so a total
can differ by a cent from the sum of its years.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from grants.access import Principal
from grants.expenditures import ExpenditureRow, declared_expenditures
from grants.money import percentage, share_of
from grants.periods import PeriodRow
from grants.tables.funding import BudgetLine
from grants.tables.projects import Project
from grants.vocabulary import CostCategory, Rounding

DIRECT = "direct"  # in a flat-rate base: every category with a real amount

Amounts = dict[str, dict[int, int]]  # category → year → cents


class BudgetLineLike(Protocol):
    category: str
    year: int
    amount: int | None
    flat_rate_bp: int | None
    flat_rate_base: str


@dataclass(frozen=True)
class PlannedLine:
    """A BudgetLine as read from the table."""

    category: str
    year: int
    amount: int | None = None
    flat_rate_bp: int | None = None
    flat_rate_base: str = ""


@dataclass(frozen=True)
class FlatRate:
    rate_bp: int
    base: tuple[str, ...]  # base categories, or DIRECT
    years: frozenset[int]  # the years it has lines for


@dataclass(frozen=True)
class CategoryBudget:
    category: str
    flat_rate_bp: int | None  # None for a category with real amounts
    flat_rate_base: tuple[str, ...]
    by_year: dict[int, int]
    total: int


@dataclass(frozen=True)
class CategoryLine:
    category: str
    flat_rate_bp: int | None
    planned: int  # all years
    this_period: int
    to_date: int
    remaining: int  # planned − to date
    absorption: Decimal | None  # to date / planned, %; None when nothing is planned


@dataclass(frozen=True)
class CategoryReport:
    project_id: int
    period: PeriodRow | None  # None: the whole project, so this period = to date
    rounding: Rounding
    lines: list[CategoryLine]


def flat_rates(lines: Iterable[BudgetLineLike]) -> dict[str, FlatRate]:
    """The flat-rate rule of each flat-rate category; one rate and base per category."""
    rates: dict[str, FlatRate] = {}
    for line in lines:
        if line.flat_rate_bp is None:
            continue
        base = tuple(part.strip() for part in line.flat_rate_base.split(",") if part.strip())
        known = rates.get(line.category)
        if known is not None and (known.rate_bp, known.base) != (line.flat_rate_bp, base):
            raise ValueError(f"flat rate of {line.category!r} differs between its lines")
        years = known.years if known else frozenset()
        rates[line.category] = FlatRate(line.flat_rate_bp, base, years | {line.year})
    return rates


def computed(
    category: str,
    years: Iterable[int],
    real: Amounts,
    rates: dict[str, FlatRate],
    rounding: Rounding | str,
    _path: frozenset[str] = frozenset(),
) -> int:
    """A category's amount over `years`: real amounts added up; a flat rate of its base's
    amount over the years it covers (a base may itself be flat-rate)."""
    rate = rates.get(category)
    if rate is None:
        return sum(real.get(category, {}).get(year, 0) for year in years)
    if category in _path:
        raise ValueError(f"flat rates refer to each other through {category!r}")
    covered = rate.years.intersection(years)
    base = sum(
        computed(part, covered, real, rates, rounding, _path | {category})
        for part in _expand(rate.base, real, rates)
    )
    return share_of(base, rate.rate_bp, rounding=Rounding(rounding).value)


def _expand(base: tuple[str, ...], real: Amounts, rates: dict[str, FlatRate]) -> list[str]:
    direct = [category for category in real if category not in rates]
    parts = [p for token in base for p in (direct if token == DIRECT else [token])]
    return list(dict.fromkeys(parts))


def _ordered(categories: Iterable[str]) -> list[str]:
    """The six standard categories in their order, then a measure's own alphabetically."""
    standard = list(CostCategory)
    return sorted(
        set(categories), key=lambda c: (standard.index(c) if c in standard else len(standard), c)
    )


def budget_by_category(
    lines: Sequence[BudgetLineLike], *, rounding: Rounding | str
) -> list[CategoryBudget]:
    """Each category's planned amount per year and in total, flat rates computed."""
    rates = flat_rates(lines)
    real: Amounts = defaultdict(lambda: defaultdict(int))
    for line in lines:
        if line.category not in rates:
            real[line.category][line.year] += line.amount or 0
    all_years = {line.year for line in lines}
    result = []
    for category in _ordered(line.category for line in lines):
        rate = rates.get(category)
        years = sorted(rate.years if rate else real[category])
        result.append(
            CategoryBudget(
                category=category,
                flat_rate_bp=rate.rate_bp if rate else None,
                flat_rate_base=rate.base if rate else (),
                by_year={y: computed(category, [y], real, rates, rounding) for y in years},
                total=computed(category, all_years, real, rates, rounding),
            )
        )
    return result


def _declared(rows: Iterable[ExpenditureRow]) -> Amounts:
    """Eligible amounts by category and year of the invoice."""
    amounts: Amounts = defaultdict(lambda: defaultdict(int))
    for row in rows:
        amounts[row.category][row.spent_on.year] += row.eligible_amount
    return amounts


async def category_report(
    principal: Principal, project_id: int, period_id: int | None = None
) -> CategoryReport:
    """Planned, declared this period and to date, remaining and absorption per category.

    Declared amounts are the eligible parts of current expenditures; a flat-rate category's
    declared amount is computed from the declared base, so one recorded on it directly does
    not count.
    """
    declared = await declared_expenditures(principal, project_id, period_id)
    project = await (
        Project.select(Project.measure.rounding.as_alias("rounding"))
        .where(Project.id == project_id)
        .first()
    )
    rounding = Rounding(project["rounding"])
    lines = [
        PlannedLine(**row)
        for row in await BudgetLine.select(
            BudgetLine.category,
            BudgetLine.year,
            BudgetLine.amount,
            BudgetLine.flat_rate_bp,
            BudgetLine.flat_rate_base,
        ).where(BudgetLine.project == project_id)
    ]
    planned = {c.category: c for c in budget_by_category(lines, rounding=rounding)}
    rates = flat_rates(lines)
    this_period, to_date = _declared(declared.this_period), _declared(declared.to_date)
    years = {line.year for line in lines} | {r.spent_on.year for r in declared.to_date}
    report = []
    for category in _ordered([*planned, *to_date]):
        budget = planned.get(category)
        total = budget.total if budget else 0
        spent = computed(category, years, to_date, rates, rounding)
        report.append(
            CategoryLine(
                category=category,
                flat_rate_bp=budget.flat_rate_bp if budget else None,
                planned=total,
                this_period=computed(category, years, this_period, rates, rounding),
                to_date=spent,
                remaining=total - spent,
                absorption=percentage(spent, total),
            )
        )
    return CategoryReport(project_id, declared.period, rounding, report)
