"""What a modification changes, as people read it: each contract field before → after, each
funding line and each source with the money difference, the budget per category and year, the
indicator targets and milestones, the partners. Pure functions over two snapshots (see
`grants.modifications.versions`); figures stay raw (cents, hundredths, ISO dates) for the page
and the API to format."""

from collections import defaultdict
from dataclasses import dataclass

from grants.db import from_row
from grants.finance.budget import budget_by_category, snapshot_lines
from grants.projects.funding_plan import FundingPlan, LineInput, compute_plan, ineligible_cost


@dataclass(frozen=True)
class FieldDiff:
    name: str  # start_date, end_date, total_cost, eligible_cost, ineligible_cost
    before: str | int | None  # an ISO date or cents
    after: str | int | None

    @property
    def difference(self) -> int | None:
        """For money: after − before; None for dates or when either is unknown."""
        if self.name.endswith("_date") or self.before is None or self.after is None:
            return None
        return int(self.after) - int(self.before)


@dataclass(frozen=True)
class LineDiff:
    """A funding line, matched by source, base and partner; None where it did not exist."""

    source: str
    base: str
    partner: str  # the partner's name for a partner-budget line, else ""
    rate_before: int | None
    rate_after: int | None
    amount_before: int | None
    amount_after: int | None

    @property
    def difference(self) -> int:
        return (self.amount_after or 0) - (self.amount_before or 0)


@dataclass(frozen=True)
class SourceDiff:
    source: str
    before: int
    after: int

    @property
    def difference(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class BudgetDiff:
    category: str  # "" for the whole budget
    year: int | None  # None for the whole budget
    before: int
    after: int

    @property
    def difference(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class IndicatorDiff:
    code: str
    target_before: int | None
    target_after: int | None
    baseline_before: int | None
    baseline_after: int | None
    milestones_before: tuple[tuple[str, int], ...]  # (ISO date, hundredths)
    milestones_after: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PartnerDiff:
    name: str
    role_before: str | None  # None: joins
    role_after: str | None  # None: leaves
    budget_before: int | None
    budget_after: int | None

    @property
    def difference(self) -> int:
        return (self.budget_after or 0) - (self.budget_before or 0)


@dataclass(frozen=True)
class ContractDiff:
    fields: list[FieldDiff]
    funding: list[LineDiff]  # the lines that changed
    sources: list[SourceDiff]  # every source, so an unchanged split shows as such
    budget: list[BudgetDiff]  # the category-years that changed, then the whole budget
    indicators: list[IndicatorDiff]
    partners: list[PartnerDiff]

    @property
    def empty(self) -> bool:
        return not (self.fields or self.funding or self.indicators or self.partners) and all(
            b.difference == 0 for b in self.budget
        )


def plan_of(snapshot: dict) -> FundingPlan:
    """The funding plan a snapshot's lines, costs and partner budgets compute."""
    return compute_plan(
        [
            from_row(LineInput, {**line, "id": i}, partner_id=line["partner"])
            for i, line in enumerate(snapshot["funding"])
        ],
        total=snapshot["total_cost"],
        eligible=snapshot["eligible_cost"],
        partner_budgets={p["id"]: p["budget"] for p in snapshot["partners"] if p["id"]},
    )


def compare(before: dict, after: dict, rounding: str) -> ContractDiff:
    return ContractDiff(
        fields=_fields(before, after),
        funding=_funding(before, after),
        sources=_sources(before, after),
        budget=_budget(before, after, rounding),
        indicators=_indicators(before, after),
        partners=_partners(before, after),
    )


def _fields(before: dict, after: dict) -> list[FieldDiff]:
    found = [
        FieldDiff(name, before[name], after[name])
        for name in ("start_date", "end_date", "total_cost", "eligible_cost")
        if before[name] != after[name]
    ]
    ineligible = (
        ineligible_cost(before["total_cost"], before["eligible_cost"]),
        ineligible_cost(after["total_cost"], after["eligible_cost"]),
    )
    if ineligible[0] != ineligible[1]:
        found.append(FieldDiff("ineligible_cost", *ineligible))
    return found


def _partner_names(*snapshots: dict) -> dict[int, str]:
    return {p["id"]: p["name"] for s in snapshots for p in s["partners"] if p["id"]}


def _funding(before: dict, after: dict) -> list[LineDiff]:
    names = _partner_names(before, after)

    def keyed(snapshot: dict) -> dict[tuple, tuple[dict, int | None]]:
        plan = plan_of(snapshot)
        return {
            (ln["source"], ln["base"], ln["partner"]): (ln, computed.amount)
            for ln, computed in zip(snapshot["funding"], plan.lines, strict=True)
        }

    old, new = keyed(before), keyed(after)
    diffs = []
    for key in [*old, *(k for k in new if k not in old)]:
        was, now = old.get(key, ({}, None)), new.get(key, ({}, None))
        line = LineDiff(
            source=key[0],
            base=key[1],
            partner=names.get(key[2], "") if key[2] else "",
            rate_before=was[0].get("rate_bp"),
            rate_after=now[0].get("rate_bp"),
            amount_before=was[1],
            amount_after=now[1],
        )
        if (line.rate_before, line.amount_before) != (line.rate_after, line.amount_after):
            diffs.append(line)
    return diffs


def _sources(before: dict, after: dict) -> list[SourceDiff]:
    def summed(snapshot: dict) -> dict[str, int]:
        sums: dict[str, int] = defaultdict(int)
        for line in plan_of(snapshot).lines:
            sums[line.source] += line.amount or 0
        return sums

    old, new = summed(before), summed(after)
    return [
        SourceDiff(source, old.get(source, 0), new.get(source, 0))
        for source in [*old, *(s for s in new if s not in old)]
    ]


def _budget(before: dict, after: dict, rounding: str) -> list[BudgetDiff]:
    def amounts(snapshot: dict) -> dict[tuple[str, int], int]:
        lines = snapshot_lines(snapshot)
        return {
            (category.category, year): amount
            for category in budget_by_category(lines, rounding=rounding)
            for year, amount in category.by_year.items()
        }

    old, new = amounts(before), amounts(after)
    if not old and not new:
        return []
    changed = [
        BudgetDiff(category, year, old.get((category, year), 0), new.get((category, year), 0))
        for category, year in [*old, *(k for k in new if k not in old)]
        if old.get((category, year), 0) != new.get((category, year), 0)
    ]
    return [*changed, BudgetDiff("", None, sum(old.values()), sum(new.values()))]


def _milestones(indicator: dict) -> tuple[tuple[str, int], ...]:
    return tuple((m["due_date"], m["value_hundredths"]) for m in indicator["milestones"])


def _indicators(before: dict, after: dict) -> list[IndicatorDiff]:
    old = {i["id"]: i for i in before["indicators"]}
    diffs = []
    for now in after["indicators"]:
        was = old.get(now["id"])
        if was is None or was == now:
            continue
        diffs.append(
            IndicatorDiff(
                code=now["code"],
                target_before=was["target_hundredths"],
                target_after=now["target_hundredths"],
                baseline_before=was["baseline_hundredths"],
                baseline_after=now["baseline_hundredths"],
                milestones_before=_milestones(was),
                milestones_after=_milestones(now),
            )
        )
    return diffs


def _partners(before: dict, after: dict) -> list[PartnerDiff]:
    old = {p["id"]: p for p in before["partners"]}
    staying = {p["id"] for p in after["partners"] if p["id"]}
    diffs = [
        PartnerDiff(p["name"], p["role"], None, p["budget"], None)
        for p in before["partners"]
        if p["id"] not in staying
    ]
    for now in after["partners"]:
        was = old.get(now["id"]) if now["id"] else None
        if was is None:
            diffs.append(PartnerDiff(now["name"], None, now["role"], None, now["budget"]))
        elif (was["role"], was["budget"]) != (now["role"], now["budget"]):
            diffs.append(
                PartnerDiff(now["name"], was["role"], now["role"], was["budget"], now["budget"])
            )
    return diffs
