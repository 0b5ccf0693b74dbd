"""The portfolio report: every project the reader may see, with its money and progress to date.

One row per project: code, title, programme, measure, period, total, eligible, EU share (the
same rows and figures as the portfolio page, `grants.projects.portfolio.portfolio_rows`, so a
partner project at our share, with the whole project's amounts apart), declared to date,
absorption, indicator achievement and the next report due; then computed totals in two groups,
as on the page: our projects (own ones at full amounts, partner ones at our share) and other
organisations' approvals, never added together.

- declared to date: Σ of the current expenditure versions' amounts (and eligible amounts), read
  for all projects in one grouped query (`grants.finance.expenditures.declared_totals`);
- absorption: declared eligible to date / eligible cost × 100, one decimal, half-up
  (`grants.core.money.percentage`); none without an eligible cost;
- indicator achievement, over the indicators that have a target (rule "at least" or "exactly"
  and a target above 0): how many have reached it to date (at least: ≥ 100 % of target;
  exactly: = 100 %), and the mean of min(100, % of target) with nothing logged counting as 0,
  one decimal, half-up. Computed from `grants.results.progress.projects_to_date` (the same
  to-date figures as the project page, aggregated in SQL) in a fixed number of queries;
- next deadline: the first period not yet approved (`grants.projects.periods.next_deadlines`).

Money is integer cents, percentages Decimal; totals are exact integer sums over the rows that
have the figure, with the number of such rows, and the absorption of the sums.

A group's figures are None when no row of the group has them, not a misleading 0.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import pandas as pd

from grants.core.access import Principal
from grants.core.i18n import gettext, label, localised, negotiate
from grants.core.money import percentage, quotient
from grants.core.translatable import N_
from grants.core.vocabulary import TargetRule
from grants.finance.expenditures import declared_totals
from grants.projects.periods import PeriodRow, next_deadlines
from grants.projects.portfolio import PortfolioFilter, portfolio_rows
from grants.projects.reading import ProjectSummary
from grants.results.progress import IndicatorToDate, projects_to_date
from reports.frames import (
    CENTS,
    CENTS_OR_NONE,
    DAY,
    DECIMAL,
    FLAG,
    TEXT,
    WHOLE,
    WHOLE_OR_NONE,
    frame,
    in_locale,
)

HUNDRED = Decimal(100)

COUNTED_AS = {
    "own_project": N_("Own project"),
    "our_share": N_("Our share"),
    "other_organisation": N_("Other organisation"),
}
GROUPS = ("ours", "others")

PROJECT_COLUMNS = {
    "project_id": WHOLE,
    "code": TEXT,
    "title": TEXT,
    "programme_code": TEXT,
    "programme": TEXT,
    "measure": TEXT,
    "fund": TEXT,
    "status": TEXT,
    "status_label": TEXT,
    "counted_as": TEXT,
    "counted_label": TEXT,
    "start": DAY,
    "end": DAY,
    "total_cost": CENTS_OR_NONE,
    "eligible_cost": CENTS_OR_NONE,
    "eu_share": CENTS_OR_NONE,
    "project_total_cost": CENTS_OR_NONE,
    "project_eligible_cost": CENTS_OR_NONE,
    "declared": CENTS,
    "declared_eligible": CENTS,
    "absorption": DECIMAL,
    "indicators_with_target": WHOLE,
    "indicators_reached": WHOLE,
    "achievement": DECIMAL,
    "next_period": WHOLE_OR_NONE,
    "next_deadline": DAY,
    "overdue": FLAG,
}


@dataclass(frozen=True)
class PortfolioReport:
    """The rows (`projects`, columns as PROJECT_COLUMNS; total, eligible and EU share as the
    page counts them) and their `totals` (see `portfolio_totals`), in the report's language;
    `filters` are the programme and measure asked for (empty: all)."""

    locale: str
    report_date: date
    filters: Mapping[str, str]
    projects: pd.DataFrame
    totals: Mapping[str, Any] = field(default_factory=dict)


async def build_portfolio_report(
    principal: Principal,
    *,
    programme: str | None = None,
    measure: str | None = None,
    status: str | None = None,
    locale: str = "lv",
    report_date: date | None = None,
) -> PortfolioReport:
    """The portfolio report of the projects the principal may see, filtered like the page."""
    report_date = report_date or date.today()
    rows = await portfolio_rows(
        principal,
        PortfolioFilter(
            programme=programme or None, measure=measure or None, status=status or None
        ),
    )
    ids = [p.id for p in rows]
    declared = await declared_totals(ids)
    progress = await projects_to_date(ids)
    deadlines = await next_deadlines(ids, today=report_date)
    locale = negotiate(locale)
    projects = in_locale(locale, _frame, rows, declared, progress, deadlines)
    return PortfolioReport(
        locale=locale,
        report_date=report_date,
        filters=MappingProxyType(
            {"programme": programme or "", "measure": measure or "", "status": status or ""}
        ),
        projects=projects,
        totals=MappingProxyType(portfolio_totals(projects)),
    )


def achievement(progress: list[IndicatorToDate]) -> tuple[int, int, Decimal | None]:
    """(indicators with a target, how many reached it, mean of min(100, % of target))."""
    targeted = [
        p
        for p in progress
        if p.target_rule in (TargetRule.AT_LEAST, TargetRule.EXACTLY) and p.target_hundredths
    ]
    shares = [p.percent_of_target or Decimal(0) for p in targeted]
    reached = sum(
        1
        for p, share in zip(targeted, shares, strict=True)
        if (share == HUNDRED if p.target_rule == TargetRule.EXACTLY else share >= HUNDRED)
    )
    capped = sum((min(HUNDRED, share) for share in shares), Decimal(0))
    mean = quotient(capped, len(shares)) if shares else None
    return len(targeted), reached, mean


def _frame(
    rows: list[ProjectSummary],
    declared: dict[int, tuple[int, int]],
    progress: dict[int, list[IndicatorToDate]],
    deadlines: dict[int, PeriodRow],
) -> pd.DataFrame:
    records = []
    for p in rows:
        amount, eligible = declared.get(p.id, (0, 0))
        targeted, reached, mean = achievement(progress.get(p.id, []))
        next_period = deadlines.get(p.id)
        share = p.counted_as == "our_share"
        records.append(
            {
                "project_id": p.id,
                "code": p.code,
                "title": localised(p.title_lv, p.title_en),
                "programme_code": p.programme_code,
                "programme": localised(p.programme_name_lv, p.programme_name_en),
                "measure": p.measure_code,
                "fund": p.fund,
                "status": str(p.status),
                "status_label": label(p.status),
                "counted_as": p.counted_as,
                "counted_label": gettext(COUNTED_AS[p.counted_as]),
                "start": p.start_date,
                "end": p.end_date,
                "total_cost": p.shown_total,
                "eligible_cost": p.shown_eligible,
                "eu_share": p.shown_eu_share,
                "project_total_cost": p.total_cost if share else None,
                "project_eligible_cost": p.eligible_cost if share else None,
                "declared": amount,
                "declared_eligible": eligible,
                "absorption": percentage(eligible, p.shown_eligible) if p.shown_eligible else None,
                "indicators_with_target": targeted,
                "indicators_reached": reached,
                "achievement": mean,
                "next_period": next_period.number if next_period else None,
                "next_deadline": next_period.deadline if next_period else None,
                "overdue": bool(next_period and next_period.overdue),
            }
        )
    return frame(records, PROJECT_COLUMNS)


def portfolio_totals(projects: pd.DataFrame) -> dict[str, Any]:
    """{"projects": rows, "ours": …, "others": …}: our projects (own and at our share) and
    other organisations' approvals, each totalled by `group_totals`, as the page does."""
    others = projects["counted_as"] == "other_organisation"
    return {
        "projects": len(projects),
        "ours": group_totals(projects[~others]),
        "others": group_totals(projects[others]),
    }


def group_totals(projects: pd.DataFrame) -> dict[str, Any]:
    """Exact sums over the rows; for a figure some rows lack, the sum of the known ones and
    `<column>_known` how many rows had it (None when none had it). Absorption of the sums over
    the projects with an eligible cost, never an average of percentages."""
    totals: dict[str, Any] = {"projects": len(projects)}
    for column in ("total_cost", "eligible_cost", "eu_share", "declared", "declared_eligible"):
        known = [int(v) for v in projects[column] if v is not None and v is not pd.NA]
        totals[column] = sum(known) if known else None
        totals[f"{column}_known"] = len(known)
    with_eligible = [
        (int(eligible), int(declared))
        for eligible, declared in zip(
            projects["eligible_cost"], projects["declared_eligible"], strict=True
        )
        if eligible is not pd.NA and eligible is not None and eligible
    ]
    base = sum(e for e, _ in with_eligible)
    totals["absorption"] = percentage(sum(d for _, d in with_eligible), base) if base else None
    totals["indicators_with_target"] = int(projects["indicators_with_target"].sum())
    totals["indicators_reached"] = int(projects["indicators_reached"].sum())
    return totals
