"""The progress report of one reporting period, as pandas frames.

Everything comes from the domain functions, read with the caller's rights, so the report shows
exactly what the pages and the API show. Figures stay exact: money is integer cents (int64, or
Int64 where the domain may have no figure), indicator figures are hundredths, percentages are
Decimal (object columns); no float on the way to a figure. Texts (names, labels) are in the
report's language; the renderers (`reports.render_*`) format the numbers for it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any

import pandas as pd

from grants.core.access import Action, Principal
from grants.core.i18n import category_names, format_day, gettext, label, localised, negotiate
from grants.core.money import percentage
from grants.core.translatable import N_
from grants.finance.budget import DIRECT, CategoryReport, category_report
from grants.finance.cofinancing import Cofinancing, cofinancing, declared_bases, split
from grants.finance.expenditures import Declared, cost_categories, declared_expenditures, in_period
from grants.modifications.versions import ContractOn, contracts_on
from grants.projects.periods import PeriodRow, get_period, list_periods
from grants.projects.reading import ProjectDetail, get_project
from grants.projects.reports import NARRATIVE
from grants.register.service_tables import ServiceTable, service_table, target_groups
from grants.results.indicators import REGISTER_AGGREGATIONS
from grants.results.progress import IndicatorProgress, indicator_progress
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
    total,
)

# The report's numbered sections in order: (key, title msgid).
SECTIONS = (
    ("indicators", N_("Indicators")),
    ("sources", N_("Financing by source")),
    ("categories", N_("Budget by cost category")),
    ("checks", N_("Split check")),
    ("services", N_("Services provided")),
    *NARRATIVE.items(),
)


def section_title(key: str) -> str:
    """A section's title in the current language."""
    return gettext(dict(SECTIONS)[key])


ALL_PARTICIPANTS = ""  # the service table of every target group together

_CHECKS = {
    "plan_base": N_("The funding lines add up to their base"),
    "plan_total": N_("Eligible and ineligible costs add up to the total"),
    "within_plan": N_("Declared to date is within the plan"),
    "by_periods": N_("The split to date equals the sum of the period splits"),
}


@dataclass(frozen=True)
class ProjectReport:
    """One period's progress report: a header and a frame per section.

    Units: money columns are cents, indicator figures hundredths, rates basis points,
    percentages Decimal with one decimal (None where nothing to divide by). `services` and
    `service_totals` are None when the reader's role may not see the participant register.
    `reconciliation` says how the declared eligible costs (what the split by source is
    computed on) and the budget table's total relate: the flat-rate amounts.
    Figures counted from the participant register (register indicators, service tables) are
    counted up to the end of the period, `header["register_until"]`.
    """

    locale: str
    header: Mapping[str, Any]
    indicators: pd.DataFrame
    breakdowns: pd.DataFrame
    sources: pd.DataFrame
    declared: pd.DataFrame
    categories: pd.DataFrame
    reconciliation: pd.DataFrame
    checks: pd.DataFrame
    spending: pd.DataFrame
    services: pd.DataFrame | None
    service_totals: pd.DataFrame | None
    narrative: Mapping[str, str]

    @property
    def report_date(self) -> date:
        return self.header["report_date"]


@dataclass(frozen=True)
class _Data:
    """What the domain says about the project as of the period, read once."""

    project: ProjectDetail  # as the contract version in force at the period's end has it
    period: PeriodRow
    contract: ContractOn  # that version
    periods: list[PeriodRow]  # all of the project's, for the time axis
    progress: list[IndicatorProgress]
    split: Cofinancing
    budget: CategoryReport
    category_names: dict[str, tuple[str, str] | None]
    declared: Declared
    services: list[tuple[str, ServiceTable]] | None


async def build_project_report(
    principal: Principal,
    period_id: int,
    *,
    locale: str = "lv",
    narrative: Mapping[str, str] | None = None,
    report_date: date | None = None,
) -> ProjectReport:
    """The progress report of the period, read with the principal's rights.

    `narrative` maps the keys of NARRATIVE (`grants.projects.reports`) to the texts written
    for the period.
    `report_date` is the date printed on the report and stamped into the files' metadata
    (today by default): the same data and date render to the same bytes.
    """
    unknown = set(narrative or {}) - set(NARRATIVE)
    if unknown:
        raise ValueError(f"unknown narrative sections: {sorted(unknown)}")
    data = await _collect(principal, period_id)
    texts = {key: (narrative or {}).get(key, "").strip() for key in NARRATIVE}
    locale = negotiate(locale)
    return in_locale(locale, _assemble, data, locale, texts, report_date or date.today())


async def _collect(principal: Principal, period_id: int) -> _Data:
    period = await get_period(principal, period_id)
    project_id = period.project_id
    project = await get_project(principal, project_id, as_of=period.end)
    readable = principal.can(Action.READ_REGISTER, project_id)
    return _Data(
        project=project,
        period=period,
        contract=(await contracts_on(project_id, [period.end]))[0],
        periods=await list_periods(principal, project_id),
        progress=await indicator_progress(principal, project_id, period_id),
        split=await cofinancing(principal, project_id, period_id),
        budget=await category_report(principal, project_id, period_id),
        category_names=await cost_categories(project_id),
        declared=await declared_expenditures(principal, project_id, period_id),
        services=await _service_tables(principal, project_id, period.end) if readable else None,
    )


async def _service_tables(
    principal: Principal, project_id: int, until: date
) -> list[tuple[str, ServiceTable]]:
    """The table of all participants, then one per target group when there are several."""
    groups = await target_groups(principal, project_id)
    tables = [(ALL_PARTICIPANTS, await service_table(principal, project_id, until=until))]
    if len(groups) > 1:
        for group in groups:
            table = await service_table(principal, project_id, target_group=group, until=until)
            tables.append((group, table))
    return tables


def _assemble(
    data: _Data, locale: str, narrative: dict[str, str], report_date: date
) -> ProjectReport:
    """Every section's frame, in the current (the report's) language."""
    services = None if data.services is None else service_section(data.services)
    return ProjectReport(
        locale=locale,
        header=MappingProxyType(
            header_section(data.project, data.period, report_date, data.contract)
        ),
        indicators=indicator_section(data.progress, data.period.end),
        breakdowns=breakdown_section(data.progress),
        sources=source_section(data.split, data.project),
        declared=declared_section(data.split),
        categories=category_section(data.budget, data.category_names),
        reconciliation=reconciliation_section(data.budget),
        checks=check_section(data.project, data.split),
        spending=spending_section(data.project, data.periods, data.declared),
        services=None if services is None else services[0],
        service_totals=None if services is None else services[1],
        narrative=MappingProxyType(narrative),
    )


# Sections: one function each, from domain records to a frame --------------------------------


def header_section(
    project: ProjectDetail, period: PeriodRow, report_date: date, contract: ContractOn
) -> dict:
    """The header; the project's dates and costs are those of the contract version in force at
    the period's end, which it names."""
    s = project.summary
    return {
        "project_id": s.id,
        "code": s.code,
        "title": localised(s.title_lv, s.title_en),
        "programme_code": s.programme_code,
        "programme": localised(s.programme_name_lv, s.programme_name_en),
        "measure": s.measure_code,
        "fund": s.fund,
        "intermediate_body": project.intermediate_body or "",
        "holder": project.holder or "",
        "our_role": str(s.our_role),
        "our_role_label": label(s.our_role),
        "contract_ref": project.contract_ref,
        "project_start": s.start_date,
        "project_end": s.end_date,
        "total_cost": s.total_cost,
        "eligible_cost": s.eligible_cost,
        "period_id": period.id,
        "period_number": period.number,
        "period_start": period.start,
        "period_end": period.end,
        "period_deadline": period.deadline,
        "period_status": str(period.status),
        "period_status_label": label(period.status),
        "report_date": report_date,
        "register_until": period.end,  # what the register's figures are counted up to
        "contract_version": contract.number,
        "contract_in_force_from": contract.in_force_from,  # None: from the start
        "contract_line": contract_line(contract),
    }


def contract_line(contract: ContractOn) -> str:
    """The version's line ("Contract version 2, in force from 01.07.2026"), in the current
    language."""
    if contract.in_force_from is None:
        return gettext(
            "Contract version %(number)s, in force from the start", number=contract.number
        )
    day = format_day(contract.in_force_from)
    return gettext(
        "Contract version %(number)s, in force from %(day)s", number=contract.number, day=day
    )


INDICATOR_COLUMNS = {
    "code": TEXT,
    "name": TEXT,
    "unit": TEXT,
    "kind": TEXT,
    "kind_label": TEXT,
    "aggregation": TEXT,
    "target_rule": TEXT,
    "target": WHOLE_OR_NONE,
    "baseline": WHOLE_OR_NONE,
    "previously": WHOLE_OR_NONE,
    "this_period": WHOLE_OR_NONE,
    "to_date": WHOLE_OR_NONE,
    "percent_of_target": DECIMAL,
    "breakdown_complete": FLAG,
    "comment": TEXT,
    "counted_until": DAY,
}


def indicator_section(progress: list[IndicatorProgress], until: date) -> pd.DataFrame:
    """target · previously reported · this period · to date · % of target, in hundredths;
    `counted_until` (the end of the period) for an indicator counted from the register."""
    return frame(
        (
            {
                "code": p.code,
                "name": localised(p.name_lv, p.name_en),
                "unit": localised(p.unit_lv, p.unit_en),
                "kind": p.kind,
                "kind_label": label(p.kind),
                "aggregation": p.aggregation,
                "target_rule": p.target_rule,
                "target": p.target_hundredths,
                "baseline": p.baseline_hundredths,
                "previously": p.previously,
                "this_period": p.this_period,
                "to_date": p.to_date,
                "percent_of_target": p.percent_of_target,
                "breakdown_complete": all(b.complete for b in p.breakdown),
                "comment": p.entry.comment if p.entry else "",
                "counted_until": until if p.aggregation in REGISTER_AGGREGATIONS else None,
            }
            for p in progress
        ),
        INDICATOR_COLUMNS,
    )


BREAKDOWN_COLUMNS = {
    "code": TEXT,
    "dimension": TEXT,
    "dimension_label": TEXT,
    "category": TEXT,
    "category_label": TEXT,
    "value": WHOLE,
    "total": WHOLE_OR_NONE,
    "difference": WHOLE,
    "complete": FLAG,
}


def breakdown_section(progress: list[IndicatorProgress]) -> pd.DataFrame:
    """Each indicator's breakdown to date, one row per category; the dimension's total and
    what is missing repeat on its rows."""
    return frame(
        (
            {
                "code": p.code,
                "dimension": b.dimension,
                "dimension_label": label(b.dimension),
                "category": category,
                "category_label": label(category),
                "value": value,
                "total": b.total,
                "difference": b.difference,
                "complete": b.complete,
            }
            for p in progress
            for b in p.breakdown
            for category, value in b.categories.items()
        ),
        BREAKDOWN_COLUMNS,
    )


SOURCE_COLUMNS = {
    "source": TEXT,
    "kind": TEXT,
    "kind_label": TEXT,
    "base": TEXT,
    "base_label": TEXT,
    "rate_bp": WHOLE_OR_NONE,
    "residual": FLAG,
    "planned": CENTS_OR_NONE,
    "planned_share": DECIMAL,
    "this_period": CENTS,
    "to_date": CENTS,
    "actual_share": DECIMAL,
    "remaining": CENTS_OR_NONE,
    "absorption": DECIMAL,
    "by_periods": CENTS_OR_NONE,
    "over_plan": FLAG,
    "drift": FLAG,
}


def _base_label(project: ProjectDetail, base: str, partner_id: int | None) -> str:
    partner = project.partner_name(partner_id) if partner_id else ""
    return f"{label(base)}: {partner}" if partner else label(base)


def source_section(split: Cofinancing, project: ProjectDetail) -> pd.DataFrame:
    """Per funding line: plan, this period, to date, remaining, absorption and the flags."""
    return frame(
        (
            {
                "source": s.source,
                "kind": str(s.kind),
                "kind_label": label(s.kind),
                "base": str(s.base),
                "base_label": _base_label(project, s.base, s.partner_id),
                "rate_bp": s.rate_bp,
                "residual": s.residual,
                "planned": s.planned,
                "planned_share": s.planned_share,
                "this_period": s.this_period,
                "to_date": s.to_date,
                "actual_share": s.actual_share,
                "remaining": s.remaining,
                "absorption": s.absorption,
                "by_periods": s.by_periods,
                "over_plan": s.over_plan,
                "drift": s.drift,
            }
            for s in split.sources
        ),
        SOURCE_COLUMNS,
    )


DECLARED_COLUMNS = {"measure": TEXT, "label": TEXT, "this_period": CENTS, "to_date": CENTS}
_DECLARED = {
    "amount": N_("Declared amount"),
    "eligible": N_("Eligible"),
    "ineligible": N_("Ineligible (municipality)"),
    "vat": N_("VAT"),
}


def declared_section(split: Cofinancing) -> pd.DataFrame:
    """The declared costs of the period and to date: amount, eligible, ineligible, VAT."""
    return frame(
        (
            {
                "measure": key,
                "label": gettext(msgid),
                "this_period": getattr(split.this_period, key),
                "to_date": getattr(split.to_date, key),
            }
            for key, msgid in _DECLARED.items()
        ),
        DECLARED_COLUMNS,
    )


CATEGORY_COLUMNS = {
    "category": TEXT,
    "name": TEXT,
    "flat_rate_bp": WHOLE_OR_NONE,
    "flat_rate_base": TEXT,  # the base's names, "" for a category with real amounts
    "planned": CENTS,
    "this_period": CENTS,
    "to_date": CENTS,
    "remaining": CENTS,
    "absorption": DECIMAL,
}


def category_section(
    budget: CategoryReport, own_names: dict[str, tuple[str, str] | None]
) -> pd.DataFrame:
    """Per cost category: plan, this period, to date, remaining, absorption; a flat-rate
    category's amounts are computed from its base, which the line names."""
    names = category_names(own_names) | {DIRECT: gettext("direct costs")}
    return frame(
        (
            {
                "category": c.category,
                "name": names.get(c.category) or label(c.category),
                "flat_rate_bp": c.flat_rate_bp,
                "flat_rate_base": ", ".join(names.get(p) or label(p) for p in c.flat_rate_base),
                "planned": c.planned,
                "this_period": c.this_period,
                "to_date": c.to_date,
                "remaining": c.remaining,
                "absorption": c.absorption,
            }
            for c in budget.lines
        ),
        CATEGORY_COLUMNS,
    )


RECONCILIATION_COLUMNS = {"measure": TEXT, "label": TEXT, "this_period": CENTS, "to_date": CENTS}
_RECONCILIATION = {
    "declared": N_("Declared eligible costs (the split by source is computed on these)"),
    "on_flat_rate": N_("Recorded on flat-rate categories (not counted: the flat rate covers them)"),
    "flat_rate": N_("Flat-rate amounts computed from their base"),
    "total": N_("Budget by cost category, total"),
}


def reconciliation_section(budget: CategoryReport) -> pd.DataFrame:
    """From the declared eligible costs to the budget table's total, signed so the first three
    lines add up to the last; the line of costs recorded on flat-rate categories only when
    there are any."""
    rows = []
    for key, msgid in _RECONCILIATION.items():
        this_period, to_date = (getattr(r, key) for r in (budget.this_period, budget.to_date))
        if key == "on_flat_rate":
            if not to_date and not this_period:
                continue
            this_period, to_date = -this_period, -to_date
        rows.append(
            {
                "measure": key,
                "label": gettext(msgid),
                "this_period": this_period,
                "to_date": to_date,
            }
        )
    return frame(rows, RECONCILIATION_COLUMNS)


CHECK_COLUMNS = {
    "check": TEXT,
    "label": TEXT,
    "subject": TEXT,
    "expected": CENTS_OR_NONE,
    "actual": CENTS,
    "difference": CENTS_OR_NONE,
    "passed": FLAG,
}


def check_section(project: ProjectDetail, split: Cofinancing) -> pd.DataFrame:
    """The split check: the plan's own sums, then per source the declared split against the
    plan and against the sum of the period splits (the drift a cent per period can cause)."""
    rows = []
    for check in project.plan.checks:
        key = "plan_base" if check.name == "base" else "plan_total"
        subject = (
            _base_label(project, check.base, check.partner_id) if check.base else gettext("Total")
        )
        rows.append(_check_row(key, subject, check.expected, check.actual, check.passed))
    for s in split.sources:
        rows.append(_check_row("within_plan", s.source, s.planned, s.to_date, not s.over_plan))
        if s.by_periods is not None:
            rows.append(_check_row("by_periods", s.source, s.by_periods, s.to_date, not s.drift))
    return frame(rows, CHECK_COLUMNS)


def _check_row(key: str, subject: str, expected: int | None, actual: int, passed: bool) -> dict:
    return {
        "check": key,
        "label": gettext(_CHECKS[key]),
        "subject": subject,
        "expected": expected,
        "actual": actual,
        "difference": None if expected is None else actual - expected,
        "passed": passed,
    }


SPENDING_COLUMNS = {
    "period_number": WHOLE,
    "start": DAY,
    "end": DAY,
    "declared": CENTS_OR_NONE,
    "to_date": CENTS_OR_NONE,
}


def spending_section(
    project: ProjectDetail, periods: list[PeriodRow], declared: Declared
) -> pd.DataFrame:
    """Every period of the project: what the funding lines carry of its declared costs and the
    running total, split on each period's totals like the co-financing check; None for the
    periods after this one."""
    lines, running, rows = project.plan.lines, 0, []
    reported = {p.id for p in declared.periods}
    for period in periods:
        amount = None
        if period.id in reported:
            bases = declared_bases(r for r in declared.to_date if in_period(period, r.spent_on))
            amount = sum(split(lines, bases).values())
            running += amount
        rows.append(
            {
                "period_number": period.number,
                "start": period.start,
                "end": period.end,
                "declared": amount,
                "to_date": None if amount is None else running,
            }
        )
    return frame(rows, SPENDING_COLUMNS)


SERVICE_COLUMNS = {
    "group": TEXT,
    "service": TEXT,
    "persons": WHOLE,
    "receipts": WHOLE,
    "amount": CENTS,
}
SERVICE_TOTAL_COLUMNS = {
    "group": TEXT,
    "group_label": TEXT,
    "unique_persons": WHOLE,
    "receipts": WHOLE,
    "total_amount": CENTS,
    "person_months": DECIMAL,
    "eur_per_person_month": CENTS_OR_NONE,
    "average_months": DECIMAL,
}


def service_section(tables: list[tuple[str, ServiceTable]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The service tables: per group and service, persons, receipts and amount; and per group
    the totals (unique persons counted apart from the services)."""
    lines = frame(
        (
            {
                "group": group,
                "service": localised(line.service, line.name_en),
                "persons": line.persons,
                "receipts": line.receipts,
                "amount": line.amount,
            }
            for group, table in tables
            for line in table.lines
        ),
        SERVICE_COLUMNS,
    )
    totals = frame(
        (
            {
                "group": group,
                "group_label": group or gettext("All participants"),
                "unique_persons": table.unique_persons,
                "receipts": table.receipts,
                "total_amount": table.total_amount,
                "person_months": table.person_months,
                "eur_per_person_month": table.eur_per_person_month,
                "average_months": table.average_months,
            }
            for group, table in tables
        ),
        SERVICE_TOTAL_COLUMNS,
    )
    return lines, totals


# Totals the renderers share, so every format prints the same ones -----------------------------


def source_totals(report: ProjectReport) -> dict[str, Any]:
    """Σ over the funding lines; plan and remaining only when every line's plan is known,
    absorption of the sums (never an average of percentages)."""
    sums = {c: total(report.sources, c) for c in ("planned", "this_period", "to_date", "remaining")}
    planned = sums["planned"]
    return sums | {"absorption": percentage(sums["to_date"], planned) if planned else None}


def category_totals(report: ProjectReport) -> dict[str, Any]:
    """Σ over the cost categories, absorption of the sums (never an average of percentages)."""
    sums = {c: total(report.categories, c) for c in ("planned", "this_period", "to_date")}
    planned = sums["planned"]
    return sums | {
        "remaining": total(report.categories, "remaining"),
        "absorption": percentage(sums["to_date"], planned) if planned else None,
    }
