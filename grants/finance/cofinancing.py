"""The co-financing check: how the declared costs split over the funding sources, against the plan.

Declared totals are split the way the plan splits its bases (rate lines half-up, the residual
line takes the remainder), on the totals of a period and to date, never per invoice: splitting
each invoice and adding up would drift by a cent per invoice. What the funder deducted on an
approved or paid payment claim is no longer eligible: the declared sums carry it as ineligible
(grants.finance.expenditures), so it moves from the funder's lines to the municipality's.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from grants.core.access import Principal
from grants.core.money import Share, allocate, percentage
from grants.core.vocabulary import FundingBase, FundingKind
from grants.finance.expenditures import DeclaredSum, DeclaredSums, ExpenditureRow, declared_sums
from grants.modifications.versions import in_force
from grants.projects.funding_plan import PlanLine
from grants.projects.periods import PeriodRow
from grants.projects.reading import ProjectDetail, get_project

_BaseKey = tuple[FundingBase, int | None]  # the base, and the partner for a partner budget


@dataclass(frozen=True)
class DeclaredTotals:
    amount: int
    eligible: int
    ineligible: int  # falls to the municipality
    vat: int


@dataclass(frozen=True)
class SourceSplit:
    """One funding line: its planned amount and what it carries of the declared costs."""

    line_id: int
    source: str
    kind: FundingKind
    base: FundingBase
    partner_id: int | None
    rate_bp: int | None  # the plan's rate; None for fixed amounts
    residual: bool
    planned: int | None  # None when the plan's base is not known
    planned_share: Decimal | None  # planned / the plan's base, % to one decimal
    this_period: int
    to_date: int
    actual_share: Decimal | None  # to date / the declared base to date, %
    remaining: int | None  # planned − to date
    absorption: Decimal | None  # to date / planned, %
    by_periods: int | None  # the sum of its splits period by period; None without periods
    over_plan: bool  # more declared to date than planned
    drift: bool  # to date and the sum over periods differ by more than a cent


@dataclass(frozen=True)
class Cofinancing:
    project_id: int
    period: PeriodRow | None  # None: the whole project, so this period = to date
    sources: list[SourceSplit]
    this_period: DeclaredTotals
    to_date: DeclaredTotals


def _key(line: PlanLine) -> _BaseKey:
    return (line.base, line.partner_id if line.base == FundingBase.PARTNER_BUDGET else None)


def declared_bases(rows: Iterable[ExpenditureRow | DeclaredSum]) -> dict[_BaseKey, int]:
    """What each base amounts to in these expenditures (invoices, or their sums): eligible,
    ineligible, and the eligible costs of each partner."""
    bases: dict[_BaseKey, int] = defaultdict(int)
    for row in rows:
        bases[(FundingBase.ELIGIBLE, None)] += row.eligible_amount
        bases[(FundingBase.INELIGIBLE, None)] += row.ineligible_amount
        if row.partner_id is not None:
            bases[(FundingBase.PARTNER_BUDGET, row.partner_id)] += row.eligible_amount
    return bases


def _pro_rata(base: int, part: int, whole: int | None) -> int:
    """A fixed plan amount's share of a declared base: base × part / whole, half-up."""
    if not whole:
        return 0
    quotient, remainder = divmod(base * part, whole)
    return quotient + (2 * remainder >= whole)


def split(lines: Sequence[PlanLine], bases: dict[_BaseKey, int]) -> dict[int, int]:
    """Each line's part of the declared bases, by line id. Fixed plan amounts take the share
    of the base they have in the plan."""
    groups: dict[_BaseKey, list[PlanLine]] = defaultdict(list)
    for line in lines:
        groups[_key(line)].append(line)
    amounts: dict[int, int] = {}
    for key, group in groups.items():
        base = bases.get(key, 0)
        shares = [
            Share(
                rate_bp=None if ln.residual else ln.rate_bp,
                fixed_cents=(
                    _pro_rata(base, ln.fixed_amount, ln.base_amount)
                    if ln.fixed_amount is not None and not ln.residual
                    else None
                ),
                residual=ln.residual,
            )
            for ln in group
        ]
        amounts.update(zip((ln.id for ln in group), allocate(base, shares), strict=True))
    return amounts


def _totals(sums: Sequence[DeclaredSum]) -> DeclaredTotals:
    amount = sum(s.amount for s in sums)
    eligible = sum(s.eligible_amount for s in sums)
    return DeclaredTotals(amount, eligible, amount - eligible, sum(s.vat for s in sums))


def _summed_by_period(
    lines: Sequence[PlanLine], sums: Sequence[DeclaredSum], periods: Iterable[PeriodRow]
) -> dict[int, int]:
    """Each line's splits of the periods' totals, added up: what the period reports claimed."""
    summed: dict[int, int] = defaultdict(int)
    for period in periods:
        part = split(lines, declared_bases(s for s in sums if s.period_id == period.id))
        for line_id, amount in part.items():
            summed[line_id] += amount
    return summed


def _source(
    line: PlanLine, this_period: int, to_date: int, declared_base: int, by_periods: int | None
) -> SourceSplit:
    planned = line.amount
    return SourceSplit(
        line_id=line.id,
        source=line.source,
        kind=line.kind,
        base=line.base,
        partner_id=line.partner_id,
        rate_bp=line.rate_bp,
        residual=line.residual,
        planned=planned,
        planned_share=(
            None
            if planned is None or line.base_amount is None
            else percentage(planned, line.base_amount)
        ),
        this_period=this_period,
        to_date=to_date,
        actual_share=percentage(to_date, declared_base),
        remaining=None if planned is None else planned - to_date,
        absorption=None if planned is None else percentage(to_date, planned),
        by_periods=by_periods,
        over_plan=planned is not None and to_date > planned,
        drift=by_periods is not None and abs(to_date - by_periods) > 1,
    )


async def cofinancing(
    principal: Principal,
    project_id: int,
    period_id: int | None = None,
    *,
    project: ProjectDetail | None = None,
    declared: DeclaredSums | None = None,
    newest: bool = False,
) -> Cofinancing:
    """The split of a period's and the to-date declared costs, per funding line of the plan.

    To date means every current expenditure dated up to the period's end; without a period,
    everything (and "this period" is everything as well). The drift check compares the to-date
    split with the sum of the splits of the project's periods up to then; a project without
    periods has nothing to compare. A page that shows more of the project passes the `project`
    and the `declared` sums (of the same period) it has read already.

    A period is split by the plan of the contract version in force at its end (an older
    version's plan when the contract was modified after it): a `project` read without
    `as_of` is read again as of then, which only an older version needs. A page that knows the
    newest version is in force then (`grants.modifications.versions.contracts_on`) says so with
    `newest`, and none is looked up.
    """
    if declared is None:
        declared = await declared_sums(principal, project_id, period_id)
    as_of = declared.period.end if declared.period else None
    if project is None or (
        as_of is not None
        and project.contract_version is None
        and not newest
        and not (await in_force(project_id, as_of)).current
    ):
        project = await get_project(principal, project_id, indicators=False, as_of=as_of)
    lines = project.plan.lines
    bases = declared_bases(declared.to_date)
    this_period = split(lines, declared_bases(declared.this_period))
    to_date = split(lines, bases)
    by_periods = _summed_by_period(lines, declared.to_date, declared.periods)
    sources = [
        _source(
            ln,
            this_period[ln.id],
            to_date[ln.id],
            bases.get(_key(ln), 0),
            by_periods.get(ln.id, 0) if declared.periods else None,
        )
        for ln in lines
    ]
    return Cofinancing(
        project_id,
        declared.period,
        sources,
        _totals(declared.this_period),
        _totals(declared.to_date),
    )
