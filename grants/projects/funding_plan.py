"""A project's funding plan: line amounts computed from their bases, and the checks on them.

Pure functions over plain records, so the project page, the API and reports share one result.
"""

from collections.abc import Sequence
from dataclasses import dataclass, fields

from grants.core.money import Share, allocate
from grants.core.vocabulary import FundingBase, FundingKind


@dataclass(frozen=True)
class LineInput:
    id: int
    source: str
    kind: FundingKind
    base: FundingBase
    rate_bp: int | None
    fixed_amount: int | None
    residual: bool
    partner_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class PlanLine(LineInput):
    """A line with what the plan computes for it."""

    base_amount: int | None
    amount: int | None  # None when the base is not known


@dataclass(frozen=True)
class Check:
    """One arithmetic check: `parts` should add up to `expected`."""

    name: str  # "base" for a base's lines, "total" for eligible + ineligible = total
    base: FundingBase | None
    partner_id: int | None
    expected: int
    actual: int

    @property
    def difference(self) -> int:
        return self.actual - self.expected

    @property
    def passed(self) -> bool:
        return self.difference == 0


@dataclass(frozen=True)
class FundingPlan:
    lines: list[PlanLine]
    checks: list[Check]

    @property
    def eu_share(self) -> int | None:
        amounts = [ln.amount for ln in self.lines if ln.kind == FundingKind.EU_FUND]
        if not amounts or any(a is None for a in amounts):
            return None
        return sum(amounts)

    def total_for(self, base: FundingBase) -> int:
        return sum(ln.amount or 0 for ln in self.lines if ln.base == base)


def ineligible_cost(total: int | None, eligible: int | None) -> int | None:
    if total is None or eligible is None:
        return None
    return total - eligible


def compute_plan(
    lines: Sequence[LineInput],
    *,
    total: int | None,
    eligible: int | None,
    partner_budgets: dict[int, int | None],
) -> FundingPlan:
    """Allocate each base over its lines (residual takes the remainder) and check the sums."""
    groups: dict[tuple[FundingBase, int | None], list[LineInput]] = {}
    for line in lines:
        partner = line.partner_id if line.base == FundingBase.PARTNER_BUDGET else None
        groups.setdefault((FundingBase(line.base), partner), []).append(line)

    amounts: dict[int, tuple[int | None, int | None]] = {}
    checks: list[Check] = []
    for (base, partner), group in groups.items():
        base_amount = _base_amount(base, partner, total, eligible, partner_budgets)
        if base_amount is None:
            for line in group:
                amounts[line.id] = (None, line.fixed_amount)
            continue
        shares = [Share(ln.rate_bp, ln.fixed_amount, ln.residual) for ln in group]
        for line, amount in zip(group, allocate(base_amount, shares), strict=True):
            amounts[line.id] = (base_amount, amount)
        checks.append(
            Check("base", base, partner, base_amount, sum(amounts[ln.id][1] for ln in group))
        )

    has_project_lines = any(base != FundingBase.PARTNER_BUDGET for base, _ in groups)
    if total is not None and has_project_lines:
        funded = sum(
            amounts[ln.id][1] or 0 for ln in lines if ln.base != FundingBase.PARTNER_BUDGET
        )
        checks.append(Check("total", None, None, total, funded))

    plan_lines = [
        PlanLine(
            **(_fields(ln) | {"kind": FundingKind(ln.kind), "base": FundingBase(ln.base)}),
            base_amount=amounts[ln.id][0],
            amount=amounts[ln.id][1],
        )
        for ln in lines
    ]
    return FundingPlan(plan_lines, checks)


def _fields(line: LineInput) -> dict:
    """A line's fields, all plain values: `asdict` would deep-copy each (a third of the
    portfolio's time at 500 projects)."""
    return {f.name: getattr(line, f.name) for f in fields(LineInput)}


def _base_amount(
    base: FundingBase,
    partner: int | None,
    total: int | None,
    eligible: int | None,
    partner_budgets: dict[int, int | None],
) -> int | None:
    if base == FundingBase.ELIGIBLE:
        return eligible
    if base == FundingBase.INELIGIBLE:
        return ineligible_cost(total, eligible)
    return partner_budgets.get(partner) if partner is not None else None
