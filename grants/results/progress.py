"""Progress of indicators: target · previously reported · this period · to date · % of target.

Everything "to date" is computed from current entries by the indicator's aggregation rule, or
counted from the participant register, never typed. "Previously reported" is what the funder has
been sent: the same rule over the earlier periods that were submitted or approved only (a draft
or returned period has not been reported).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from grants.core.access import Action, Principal
from grants.core.errors import NotFound
from grants.core.money import percentage
from grants.core.vocabulary import (
    BREAKDOWN_KEYS,
    LOCKED_PERIOD_STATUSES,
    Aggregation,
    RecordState,
)
from grants.db import from_row, marks
from grants.modifications.versions import in_force
from grants.projects.periods import PeriodRow
from grants.projects.reading import project_dates
from grants.results.common import RegisterFacts, count_common, register_facts
from grants.results.counting import (
    ToDate,
    count_units,
    counts_to,
    register_people,
    register_units,
)
from grants.results.entries import (
    EntryRow,
    current_entries,
    entry_row,
    entry_rows,
    percent_hundredths,
)
from grants.results.indicators import (
    LOGGED_AGGREGATIONS,
    ONE,
    REGISTER_AGGREGATIONS,
    STAY_AGGREGATIONS,
    MilestoneRow,
    breakdown_dimensions,
    milestones_of,
)
from grants.tables.indicators import Indicator
from grants.tables.periods import ReportingPeriod

# Progress -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownTotal:
    dimension: str
    categories: dict[str, int]  # every category of the dimension, in hundredths
    total: int | None  # what the categories should add up to
    difference: int  # total − Σ categories; 0 when complete
    complete: bool


@dataclass(frozen=True)
class IndicatorProgress:
    """One report line: target · previously reported · this period · to date · % of target.
    Figures in hundredths; None where nothing is logged (or, for register-counted indicators,
    not yet computed)."""

    indicator_id: int
    code: str
    name_lv: str
    name_en: str
    unit_lv: str
    unit_en: str
    kind: str
    aggregation: str
    target_rule: str
    target_hundredths: int | None
    baseline_hundredths: int | None
    entry: EntryRow | None  # this period's current entry
    this_period: int | None
    previously: int | None  # over the earlier periods submitted or approved
    to_date: int | None
    numerator_to_date: int | None  # percentage indicators only
    denominator_to_date: int | None
    percent_of_target: Decimal | None  # one decimal, half-up
    breakdown: list[BreakdownTotal]
    milestone: MilestoneRow | None  # the latest one due by the end of the period
    series: list[tuple[date, int | None]]  # (period end, to date) up to the period
    decimals: int = 2  # how many decimals the indicator's figures take
    source: str = ""  # "common": the ESF+ common indicator's code


async def indicator_progress(
    principal: Principal,
    project_id: int,
    period_id: int | None = None,
    *,
    periods: list[PeriodRow] | None = None,
    newest: bool = False,
) -> list[IndicatorProgress]:
    """Each indicator of the project as of the period (or over every period, without one).

    sum: the periods' values added up; cumulative: the value of the latest period that has one
    (by period, not by when it was typed, so a back-dated entry does not win); percentage:
    Σ numerators / Σ denominators × 100, never an average of percentages. Register counts
    (participants, households, completed) come from the participant register, read once for
    all of them; see `register_units`. "common" takes an ESF+ common indicator's count
    (`grants.results.common`, two grouped queries when the project has such indicators).

    A caller that has the project's `periods` already (from `list_periods`, which found the
    project) passes them, so neither the project nor its periods are read again.

    With a period, baselines, targets and milestones are those of the contract version in
    force at its end (`grants.modifications.versions.in_force`, one query more); a caller that
    knows it is the newest (`grants.modifications.versions.contracts_on`) says so with `newest`.
    """
    if periods is None:
        await project_dates(project_id)
        principal.require(Action.READ, project_id)
        rows = await (
            ReportingPeriod.select(
                ReportingPeriod.id,
                ReportingPeriod.start_date,
                ReportingPeriod.end_date,
                ReportingPeriod.status,
            )
            .where(ReportingPeriod.project == project_id)
            .order_by(ReportingPeriod.start_date)
        )
    else:
        principal.require(Action.READ, project_id)
        rows = [
            {"id": p.id, "start_date": p.start, "end_date": p.end, "status": p.status}
            for p in periods
        ]
    index = _period_index(rows, period_id)
    shown = rows if index is None else rows[: index + 1]
    indicators = await Indicator.raw(
        "SELECT * FROM indicator WHERE project = {} ORDER BY position, id", project_id
    )
    ids = [row["id"] for row in indicators]
    milestones = await milestones_of(ids)
    entries = {(row["indicator"], row["period"]): row for row in await current_entries(ids)}
    until = shown[-1]["end_date"] if shown else None
    if index is not None and ids and not newest:
        snapshot = (await in_force(project_id, until)).snapshot
        if snapshot is not None:
            indicators, milestones = _in_version(snapshot, indicators, milestones)
    counted = any(row["aggregation"] in _UNIT_AGGREGATIONS for row in indicators)
    people = (await register_people([project_id]))[project_id] if counted else []
    common = any(row["aggregation"] == Aggregation.COMMON for row in indicators)
    facts = (await register_facts([project_id]))[project_id] if common else None
    return [
        _progress(
            row,
            shown,
            index is not None,
            entries,
            milestones.get(row["id"], []),
            until,
            people,
            facts,
        )
        for row in indicators
    ]


def _in_version(
    snapshot: dict, indicators: list[dict], milestones: dict[int, list[MilestoneRow]]
) -> tuple[list[dict], dict[int, list[MilestoneRow]]]:
    """Baselines, targets and milestones as an older contract version (a
    `grants.modifications.versions` snapshot) has them, for a period it was in force at the
    end of; an indicator it does not have keeps its own."""
    then = {i["id"]: i for i in snapshot["indicators"]}
    shown = [
        row | {k: then[row["id"]][k] for k in ("baseline_hundredths", "target_hundredths")}
        if row["id"] in then
        else row
        for row in indicators
    ]
    milestones = milestones | {
        id_: [
            MilestoneRow(date.fromisoformat(m["due_date"]), m["value_hundredths"])
            for m in i["milestones"]
        ]
        for id_, i in then.items()
    }
    return shown, milestones


# Counted from the participants read one by one; "common" from the register grouped in SQL.
_UNIT_AGGREGATIONS = tuple(a for a in REGISTER_AGGREGATIONS if a != Aggregation.COMMON)


class _Common:
    """A common indicator's counts in the shape `register_units` / `count_units` give."""

    def __init__(self, facts: RegisterFacts | None, code: str) -> None:
        self.facts, self.code = facts or RegisterFacts(), code

    def count(self, start: date | None, end: date | None) -> ToDate:
        return count_common(self.facts, self.code, start, end).hundredths()


def _period_index(periods: list[dict], period_id: int | None) -> int | None:
    if period_id is None:
        return None
    for position, period in enumerate(periods):
        if period["id"] == period_id:
            return position
    raise NotFound()


def _progress(
    indicator: dict,
    periods: list[dict],
    for_period: bool,
    entries: dict[tuple[int, int], dict],
    milestones: list[MilestoneRow],
    until: date | None,
    people: list[dict],
    facts: RegisterFacts | None = None,
) -> IndicatorProgress:
    aggregation = indicator["aggregation"]
    in_order = [entries.get((indicator["id"], period["id"])) for period in periods]
    logged = aggregation in LOGGED_AGGREGATIONS
    entry = in_order[-1] if for_period and in_order and logged else None
    reported = [
        position
        for position, period in enumerate(periods[:-1] if for_period else [])
        if period["status"] in LOCKED_PERIOD_STATUSES
    ]
    previously = None
    if logged:
        running = _running(aggregation, in_order)
        to_date = running[-1] if running else ToDate()
        values = [r.value for r in running]
        this_period = entry["value_hundredths"] if entry else None
        if reported:
            previously = _running(aggregation, [in_order[i] for i in reported])[-1].value
    else:
        ends = [period["end_date"] for period in periods]
        if aggregation == Aggregation.COMMON:
            count = _Common(facts, indicator["source"]).count
            values = [count(None, end).value for end in ends]
        else:
            units = register_units(indicator, people)
            values = counts_to(units, ends)

            def count(start: date | None, end: date | None) -> ToDate:
                return count_units(units, start, end)

        to_date = count(None, ends[-1] if ends else None)
        this_period = (
            count(periods[-1]["start_date"], periods[-1]["end_date"]).value
            if for_period and periods
            else None
        )
        if reported:
            previously = values[reported[-1]]  # unique persons to the last one reported
    target = indicator["target_hundredths"]
    return from_row(
        IndicatorProgress,
        indicator,
        indicator_id=indicator["id"],
        entry=entry_row(entry, indicator) if entry else None,
        this_period=this_period,
        previously=previously,
        to_date=to_date.value,
        numerator_to_date=to_date.numerator,
        denominator_to_date=to_date.denominator,
        percent_of_target=_of_target(to_date, target),
        breakdown=_breakdown_totals(indicator, to_date),
        milestone=next((m for m in reversed(milestones) if until and m.due_date <= until), None),
        series=[(p["end_date"], value) for p, value in zip(periods, values, strict=True)],
    )


def _of_target(to_date: ToDate, target: int | None) -> Decimal | None:
    """% of target, one decimal, half-up; a percentage's straight from Σnum / Σden, so the
    to-date percentage is not rounded twice."""
    if not target or to_date.value is None:
        return None
    if to_date.numerator is not None:
        return percentage(to_date.numerator * 10_000, to_date.denominator * target)
    return percentage(to_date.value, target)


def _running(aggregation: str, entries: list[dict | None]) -> list[ToDate]:
    """The to-date figures at the end of each period, in date order."""
    running, now = [], ToDate()
    for entry in entries:
        if entry is not None:
            now = _add(aggregation, now, entry)
        running.append(now)
    return running


def _add(aggregation: str, before: ToDate, entry: dict) -> ToDate:
    if aggregation == Aggregation.CUMULATIVE:
        return ToDate(value=entry["value_hundredths"], breakdown=entry["breakdown"])
    breakdown = _merged(before.breakdown, entry["breakdown"])
    if aggregation == Aggregation.PERCENTAGE:
        numerator = (before.numerator or 0) + entry["numerator_hundredths"]
        denominator = (before.denominator or 0) + entry["denominator_hundredths"]
        value = percent_hundredths(numerator, denominator)
        return ToDate(value, numerator, denominator, breakdown)
    return ToDate((before.value or 0) + entry["value_hundredths"], breakdown=breakdown)


def _merged(
    one: dict[str, dict[str, int]], other: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    """Two breakdowns added up category by category."""
    return {
        dimension: {
            category: one.get(dimension, {}).get(category, 0)
            + other.get(dimension, {}).get(category, 0)
            for category in {*one.get(dimension, {}), *other.get(dimension, {})}
        }
        for dimension in {*one, *other}
    }


def _breakdown_totals(indicator: dict, to_date: ToDate) -> list[BreakdownTotal]:
    total = (
        to_date.numerator if indicator["aggregation"] == Aggregation.PERCENTAGE else to_date.value
    )
    totals = []
    for dimension in breakdown_dimensions(indicator["breakdowns"]):
        given = to_date.breakdown.get(dimension, {})
        categories = {category: given.get(category, 0) for category in BREAKDOWN_KEYS[dimension]}
        difference = 0 if total is None else total - sum(categories.values())
        totals.append(BreakdownTotal(dimension, categories, total, difference, difference == 0))
    return totals


async def projects_progress(project_ids: Iterable[int]) -> dict[int, list[IndicatorProgress]]:
    """Every indicator of many projects to date (as `indicator_progress` without a period), in
    at most five queries whatever the number of projects (seven with ESF+ common indicators).
    No access check: the caller passes only projects the reader may see (the portfolio report
    reads `list_projects` first)."""
    ids = list(project_ids)
    if not ids:
        return {}
    periods: dict[int, list[dict]] = {pid: [] for pid in ids}
    for row in await (
        ReportingPeriod.select(
            ReportingPeriod.id,
            ReportingPeriod.project,
            ReportingPeriod.start_date,
            ReportingPeriod.end_date,
        )
        .where(ReportingPeriod.project.is_in(ids))
        .order_by(ReportingPeriod.start_date)
    ):
        periods[row["project"]].append(row)
    indicators = await (
        Indicator.select()
        .where(Indicator.project.is_in(ids))
        .order_by(Indicator.position)
        .order_by(Indicator.id)
    )
    milestones = await milestones_of([row["id"] for row in indicators])
    entries: dict[tuple[int, int], dict] = {}
    for row in await entry_rows(
        "e.state = {} AND e.indicator IN"
        f" (SELECT id FROM indicator WHERE project IN ({marks(ids)}))",
        RecordState.CURRENT.value,
        *ids,
    ):
        entries[row["indicator"], row["period"]] = row
    counted = sorted(
        {row["project"] for row in indicators if row["aggregation"] in _UNIT_AGGREGATIONS}
    )
    people = await register_people(counted)
    facts = await register_facts(
        {row["project"] for row in indicators if row["aggregation"] == Aggregation.COMMON}
    )
    progress: dict[int, list[IndicatorProgress]] = {pid: [] for pid in ids}
    for row in indicators:
        pid, shown = row["project"], periods[row["project"]]
        until = shown[-1]["end_date"] if shown else None
        progress[pid].append(
            _progress(
                row,
                shown,
                False,
                entries,
                milestones.get(row["id"], []),
                until,
                people.get(pid, []),
                facts.get(pid),
            )
        )
    return progress


# To date only (the portfolio report) -----------------------------------------------------------


@dataclass(frozen=True)
class IndicatorToDate:
    """An indicator's figure to date, as `IndicatorProgress` has it, without the period's
    entry, breakdown, milestone or series: what a portfolio row needs. Hundredths."""

    indicator_id: int
    target_rule: str
    target_hundredths: int | None
    to_date: int | None
    numerator_to_date: int | None
    denominator_to_date: int | None
    percent_of_target: Decimal | None


_ENTRY_SUMS = """
    SELECT e.indicator AS indicator,
           SUM(e.value_hundredths) AS value,
           SUM(e.numerator_hundredths) AS numerator,
           SUM(e.denominator_hundredths) AS denominator
    FROM indicator_entry e
    JOIN indicator i ON i.id = e.indicator
    JOIN reporting_period r ON r.id = e.period AND r.project = i.project
    WHERE e.state = {} AND i.aggregation IN ({}, {}) AND i.project IN (%s)
    GROUP BY e.indicator
"""
_CUMULATIVE = """
    SELECT e.indicator AS indicator, e.value_hundredths AS value
    FROM indicator_entry e
    JOIN indicator i ON i.id = e.indicator
    JOIN reporting_period r ON r.id = e.period AND r.project = i.project
    WHERE e.state = {} AND i.aggregation = {} AND i.project IN (%s)
    ORDER BY r.start_date
"""
_LAST_PERIOD_END = """
    SELECT r.project AS project, r.end_date AS end_date
    FROM reporting_period r
    WHERE r.project IN (%s) AND r.start_date = (
        SELECT MAX(q.start_date) FROM reporting_period q WHERE q.project = r.project
    )
"""


# Participants counted in SQL up to each project's last period end, by target group (which an
# indicator matches case-insensitively, as `register_units` does, in Python over these groups).
_PARTICIPANT_COUNTS = """
    SELECT p.project AS project, p.target_group AS target_group, COUNT(*) AS people
    FROM participant p LEFT JOIN (
        SELECT r.project AS project, MAX(r.end_date) AS until FROM reporting_period r
        WHERE r.start_date = (
            SELECT MAX(q.start_date) FROM reporting_period q WHERE q.project = r.project
        ) GROUP BY r.project
    ) u ON u.project = p.project
    WHERE p.project IN (%s) AND (u.until IS NULL OR p.entry_date <= u.until)
    GROUP BY p.project, p.target_group
"""


async def projects_to_date(project_ids: Iterable[int]) -> dict[int, list[IndicatorToDate]]:
    """Every indicator of many projects to date: the same figures as `projects_progress`, but
    summed in SQL (sum and percentage), the latest value read (cumulative), participants counted
    in SQL and the other register counts (completed stays, households) counted once up to the
    last period's end, instead of a series over every period built in Python. Six queries
    whatever the number of projects (two more, grouped, when some indicator is counted as an
    ESF+ common indicator); no access check (as `projects_progress`)."""
    ids = list(project_ids)
    if not ids:
        return {}
    indicators = await Indicator.select(
        Indicator.id,
        Indicator.project,
        Indicator.aggregation,
        Indicator.target_rule,
        Indicator.target_hundredths,
        Indicator.target_group,
        Indicator.min_stay_months,
        Indicator.source,
    ).where(Indicator.project.is_in(ids))
    marks = ", ".join(["{}"] * len(ids))
    current = RecordState.CURRENT.value
    sums = {
        row["indicator"]: row
        for row in await Indicator.raw(
            _ENTRY_SUMS % marks, current, Aggregation.SUM.value, Aggregation.PERCENTAGE.value, *ids
        )
    }
    latest = {  # in period order, so the latest period's entry is the one kept
        row["indicator"]: row["value"]
        for row in await Indicator.raw(
            _CUMULATIVE % marks, current, Aggregation.CUMULATIVE.value, *ids
        )
    }
    until: dict[int, date] = {}
    for row in await ReportingPeriod.raw(_LAST_PERIOD_END % marks, *ids):
        until[row["project"]] = max(row["end_date"], until.get(row["project"], row["end_date"]))
    participants: dict[int, dict[str, int]] = {pid: {} for pid in ids}
    for row in await Indicator.raw(_PARTICIPANT_COUNTS % marks, *ids):
        participants[row["project"]][row["target_group"]] = row["people"]
    stays = {row["project"] for row in indicators if row["aggregation"] in STAY_AGGREGATIONS}
    people = await register_people(sorted(stays))
    facts = await register_facts(
        {row["project"] for row in indicators if row["aggregation"] == Aggregation.COMMON}
    )
    progress: dict[int, list[IndicatorToDate]] = {pid: [] for pid in ids}
    for row in indicators:
        pid = row["project"]
        if row["aggregation"] == Aggregation.PARTICIPANTS:
            to_date = ToDate(_participants(row, participants[pid]) * ONE)
        elif row["aggregation"] == Aggregation.COMMON:
            to_date = _Common(facts.get(pid), row["source"]).count(None, until.get(pid))
        else:
            to_date = _to_date(row, sums, latest, until.get(pid), people.get(pid, []))
        progress[pid].append(
            IndicatorToDate(
                indicator_id=row["id"],
                target_rule=row["target_rule"],
                target_hundredths=row["target_hundredths"],
                to_date=to_date.value,
                numerator_to_date=to_date.numerator,
                denominator_to_date=to_date.denominator,
                percent_of_target=_of_target(to_date, row["target_hundredths"]),
            )
        )
    return progress


def _participants(indicator: dict, groups: dict[str, int]) -> int:
    """Participants to date in the indicator's target group (all when it names none)."""
    group = indicator["target_group"].casefold()
    return sum(n for name, n in groups.items() if not group or name.casefold() == group)


def _to_date(
    indicator: dict, sums: dict[int, dict], latest: dict, until: date | None, people: list[dict]
) -> ToDate:
    """The figure to date by the indicator's rule, as `_running` and `count_units` give it."""
    aggregation, found = indicator["aggregation"], sums.get(indicator["id"])
    if aggregation == Aggregation.CUMULATIVE:
        return ToDate(latest[indicator["id"]]) if indicator["id"] in latest else ToDate()
    if aggregation in REGISTER_AGGREGATIONS:
        units = register_units(indicator, people)
        return ToDate(sum(1 for u in units if until is None or u.day <= until) * ONE)
    if found is None:
        return ToDate()
    if aggregation == Aggregation.PERCENTAGE:
        numerator, denominator = int(found["numerator"]), int(found["denominator"])
        return ToDate(percent_hundredths(numerator, denominator), numerator, denominator)
    return ToDate(int(found["value"]))
