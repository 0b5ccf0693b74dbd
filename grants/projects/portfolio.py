"""The portfolio view: filter, sort and total project summaries (pure, no database).

Rows show and sort by the figures as counted (`ProjectSummary.shown_total` etc.): a partner
project at our share. Totals come in two groups that are never added together: our projects
(own projects at their full amounts, partner projects at our share) and other organisations'
approvals that we follow (SIF's twelve), whose amounts are not ours."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from grants.projects.reading import ProjectSummary

SORT_KEYS: dict[str, Callable[[ProjectSummary], Any]] = {
    "code": lambda p: p.code,
    "title": lambda p: p.title_lv.casefold(),
    "programme": lambda p: (p.programme_code, p.measure_code),
    "period": lambda p: p.start_date,
    "total": lambda p: p.shown_total,
    "eligible": lambda p: p.shown_eligible,
    "eu": lambda p: p.shown_eu_share,
    "status": lambda p: p.status.value,
}


@dataclass(frozen=True)
class GroupTotals:
    """Column sums over one group of the rows shown, as counted; `*_known` counts the rows
    that have the figure."""

    projects: int
    total_cost: int
    total_known: int
    eligible_cost: int
    eligible_known: int
    eu_share: int
    eu_known: int


@dataclass(frozen=True)
class Totals:
    """`ours`: own projects at full amounts and partner projects at our share; `others`:
    other organisations' approvals, totalled apart."""

    projects: int
    ours: GroupTotals
    others: GroupTotals


@dataclass(frozen=True)
class Portfolio:
    rows: list[ProjectSummary]
    totals: Totals
    programmes: list[tuple[str, str, str]]  # (code, name_lv, name_en) of every row before filtering
    measures: list[str]
    statuses: list[str]


def build_portfolio(
    projects: Sequence[ProjectSummary],
    *,
    programme: str | None = None,
    measure: str | None = None,
    status: str | None = None,
    sort: str = "code",
    descending: bool = False,
) -> Portfolio:
    rows = [
        p
        for p in projects
        if (not programme or p.programme_code == programme)
        and (not measure or p.measure_code == measure)
        and (not status or p.status.value == status)
    ]
    key = SORT_KEYS.get(sort, SORT_KEYS["code"])
    known = sorted((p for p in rows if key(p) is not None), key=key, reverse=descending)
    rows = known + [p for p in rows if key(p) is None]  # unknown figures last either way
    return Portfolio(
        rows=rows,
        totals=_totals(rows),
        programmes=sorted(
            {(p.programme_code, p.programme_name_lv, p.programme_name_en) for p in projects}
        ),
        measures=sorted({p.measure_code for p in projects}),
        statuses=sorted({p.status.value for p in projects}),
    )


def _totals(rows: Sequence[ProjectSummary]) -> Totals:
    others = [p for p in rows if p.counted_as == "other_organisation"]
    ours = [p for p in rows if p.counted_as != "other_organisation"]
    return Totals(len(rows), _group_totals(ours), _group_totals(others))


def _group_totals(rows: Sequence[ProjectSummary]) -> GroupTotals:
    def known(values: list[int | None]) -> tuple[int, int]:
        present = [v for v in values if v is not None]
        return sum(present), len(present)

    total, total_n = known([p.shown_total for p in rows])
    eligible, eligible_n = known([p.shown_eligible for p in rows])
    eu, eu_n = known([p.shown_eu_share for p in rows])
    return GroupTotals(len(rows), total, total_n, eligible, eligible_n, eu, eu_n)
