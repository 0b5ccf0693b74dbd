"""Values logged against an indicator per reporting period, with their breakdowns.

A period has at most one current entry per indicator: logging again supersedes it and keeps the
old row as history.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.errors import Problems, Refused
from grants.core.messages import ATTACHMENT_UNKNOWN, PERIOD_UNKNOWN
from grants.core.money import percentage, to_hundredths
from grants.core.translatable import N_
from grants.core.vocabulary import (
    BREAKDOWN_KEYS,
    LOCKED_PERIOD_STATUSES,
    Aggregation,
    RecordState,
)
from grants.db import (
    INTEGRITY_ERRORS,
    first_or_not_found,
    from_row,
    insert_one,
    marks,
    possible_id,
    write_transaction,
)
from grants.projects.periods import for_update, locked_problem
from grants.results.indicators import (
    LOGGED_AGGREGATIONS,
    MAX_DECIMALS,
    breakdown_dimensions,
    check_decimals,
)
from grants.tables.attachments import Attachment
from grants.tables.indicators import Indicator, IndicatorEntry
from grants.tables.periods import ReportingPeriod

_FROM_REGISTER = N_("This indicator is counted from the participant register.")
_DENOMINATOR_ZERO = N_("The denominator cannot be 0.")
_NUMERATOR_ABOVE = N_("The numerator cannot be more than the denominator.")
_NO_SUCH_BREAKDOWN = N_("This indicator has no breakdown by %(dimension)s.")
_NO_SUCH_CATEGORY = N_("“%(category)s” is not a category of the %(dimension)s breakdown.")
_CONCURRENT = N_("Someone else changed this indicator at the same time; please try again.")


# Logging values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryInput:
    """A value for one period as typed. Percentage indicators take a numerator and a
    denominator (the value is computed from them); the others take a value. A breakdown maps a
    dimension to {category: figure}; categories left empty are not stored."""

    period_id: int
    value: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    breakdown: dict[str, dict[str, str]] = field(default_factory=dict)
    comment: str = ""
    evidence_ref: str = ""
    attachment_id: int | None = None


@dataclass(frozen=True)
class EntryRow:
    id: int
    indicator_id: int
    period_id: int
    state: RecordState
    value_hundredths: int | None
    numerator_hundredths: int | None
    denominator_hundredths: int | None
    breakdown: dict[str, dict[str, int]]
    breakdown_complete: bool
    breakdown_differences: dict[str, int]  # per dimension: total − Σ categories, when not 0
    comment: str
    evidence_ref: str
    attachment_id: int | None
    created_by: int | None
    created_by_email: str | None
    created_at: datetime


# Raw SQL: every project page reads its indicators' entries, and Piccolo's building of the
# joined select took longer than the database's answer.
_ENTRIES = """
SELECT e.id, e.indicator, e.period, e.state, e.value_hundredths, e.numerator_hundredths,
    e.denominator_hundredths, e.breakdown, e.comment, e.evidence_ref, e.attachment,
    e.created_by, u.email AS created_by_email, e.created_at
FROM indicator_entry e LEFT JOIN grants_user u ON u.id = e.created_by
"""


async def log_entry(principal: Principal, indicator_id: int, data: EntryInput) -> EntryRow:
    """Record the indicator's value for a period, superseding the period's current entry.

    A breakdown that does not add up to the value is stored and flagged, not refused: partial
    breakdowns are common while data is being collected.
    """
    try:
        async with write_transaction():
            indicator = await _entry_target(indicator_id)
            principal.require(Action.EDIT_INDICATORS, indicator["project"])
            period = None
            if possible_id(data.period_id):
                period = await for_update(
                    ReportingPeriod.select().where(ReportingPeriod.id == data.period_id),
                    strength="SHARE",
                ).first()
            values = await _check_entry(indicator, period, data)
            old = await entry_rows(
                "e.indicator = {} AND e.period = {} AND e.state = {}",
                indicator_id,
                data.period_id,
                RecordState.CURRENT.value,
            )
            if old:
                await IndicatorEntry.update(state=RecordState.SUPERSEDED).where(
                    IndicatorEntry.id == old[0]["id"]
                )
            new_id = await insert_one(
                IndicatorEntry,
                indicator=indicator_id,
                period=data.period_id,
                created_by=principal.user_id,
                **values,
            )
            [new] = await entry_rows("e.id = {}", new_id)
            await audit.record(
                "update" if old else "create",
                "indicator_entry",
                new_id,
                actor=principal,
                project_id=indicator["project"],
                before=_entry_audit(old[0]) if old else None,
                after=_entry_audit(new),
            )
    except INTEGRITY_ERRORS:
        raise Refused.one(_CONCURRENT, conflict=True) from None
    return entry_row(new, indicator)


async def _entry_target(indicator_id: int) -> dict:
    """What logging or reading an indicator's entries needs to know about the indicator."""
    return await first_or_not_found(
        Indicator.select(
            Indicator.id,
            Indicator.project,
            Indicator.aggregation,
            Indicator.breakdowns,
            Indicator.decimals,
        ).where(Indicator.id == indicator_id)
    )


async def entry_history(principal: Principal, indicator_id: int, period_id: int) -> list[EntryRow]:
    """Every entry of the indicator in the period, newest first: the current one and those it
    superseded."""
    indicator = await _entry_target(indicator_id)
    principal.require(Action.READ, indicator["project"])
    rows = await entry_rows(
        "e.indicator = {} AND e.period = {}", indicator_id, period_id, newest_first=True
    )
    return [entry_row(row, indicator) for row in rows]


async def _check_entry(indicator: dict, period: dict | None, data: EntryInput) -> dict:
    """Column values for the entry, or Refused with every problem (409 for a locked period)."""
    problems = Problems()
    if indicator["aggregation"] not in LOGGED_AGGREGATIONS:
        raise Refused.one(_FROM_REGISTER)
    locked = period is not None and period["status"] in LOCKED_PERIOD_STATUSES
    if period is None or period["project"] != indicator["project"]:
        problems.add(PERIOD_UNKNOWN, "period_id")
        locked = False
    elif locked:
        start, end = period["start_date"], period["end_date"]
        problems.extend([locked_problem(period["status"], start, end, "period_id")])
    decimals = indicator.get("decimals", MAX_DECIMALS)
    if indicator["aggregation"] == Aggregation.PERCENTAGE:
        numerator, denominator, value = _check_fraction(problems, data, decimals)
    else:
        numerator = denominator = None
        value = problems.hundredths(data.value, "value")
        check_decimals(problems, value, decimals, "value")
    breakdown = _check_breakdown(
        problems, data.breakdown, breakdown_dimensions(indicator["breakdowns"]), decimals
    )
    evidence_ref = problems.text(
        data.evidence_ref, "evidence_ref", limit=IndicatorEntry.evidence_ref.length
    )
    if data.attachment_id is not None and not (
        possible_id(data.attachment_id)
        and await Attachment.exists().where(
            (Attachment.id == data.attachment_id) & (Attachment.project == indicator["project"])
        )
    ):
        problems.add(ATTACHMENT_UNKNOWN, "attachment_id")
    comment = problems.text(data.comment, "comment", multiline=True)
    problems.raise_if_any(conflict=locked)
    return {
        "value_hundredths": value,
        "numerator_hundredths": numerator,
        "denominator_hundredths": denominator,
        "breakdown": json.dumps(breakdown) if breakdown else None,
        "comment": comment,
        "evidence_ref": evidence_ref,
        "attachment": data.attachment_id,
    }


def _check_fraction(
    problems: Problems, data: EntryInput, decimals: int = MAX_DECIMALS
) -> tuple[int | None, int | None, int | None]:
    """Numerator, denominator and the percentage they make, in hundredths; both take the
    indicator's decimals."""
    numerator = problems.hundredths(data.numerator, "numerator")
    denominator = problems.hundredths(data.denominator, "denominator")
    check_decimals(problems, numerator, decimals, "numerator")
    check_decimals(problems, denominator, decimals, "denominator")
    if denominator == 0:
        problems.add(_DENOMINATOR_ZERO, "denominator")
    elif numerator is not None and denominator is not None and numerator > denominator:
        problems.add(_NUMERATOR_ABOVE, "numerator")
    elif numerator is not None and denominator is not None:
        return numerator, denominator, percent_hundredths(numerator, denominator)
    return None, None, None


def percent_hundredths(numerator: int, denominator: int) -> int:
    """numerator / denominator as a percentage in hundredths, half-up: 109/300 -> 3633."""
    return to_hundredths(percentage(numerator, denominator, places=2))


def _check_breakdown(
    problems: Problems,
    breakdown: dict[str, dict[str, str]],
    dimensions: tuple[str, ...],
    decimals: int = MAX_DECIMALS,
) -> dict[str, dict[str, int]]:
    """Known dimensions and categories with figures that parse; empty categories are left out."""
    checked: dict[str, dict[str, int]] = {}
    for dimension, categories in (breakdown or {}).items():
        if dimension not in dimensions:
            problems.add(_NO_SUCH_BREAKDOWN, f"breakdown.{dimension}", dimension=dimension)
            continue
        for category, text in categories.items():
            where = f"breakdown.{dimension}.{category}"
            if category not in BREAKDOWN_KEYS[dimension]:
                problems.add(_NO_SUCH_CATEGORY, where, category=category, dimension=dimension)
                continue
            figure = problems.hundredths(text, where, required=False)
            check_decimals(problems, figure, decimals, where)
            if figure is not None:
                checked.setdefault(dimension, {})[category] = figure
    return checked


async def entry_rows(where: str, *args: object, newest_first: bool = False) -> list[dict]:
    """The entries matching `where` (raw SQL on `indicator_entry e`, `{}` for each of `args`),
    with their author's address and the breakdown loaded."""
    order = " ORDER BY e.id DESC" if newest_first else ""
    rows = await IndicatorEntry.raw(f"{_ENTRIES} WHERE {where}{order}", *args)
    return [row | {"breakdown": _loaded(row["breakdown"])} for row in rows]


async def current_entries(indicator_ids: list[int]) -> list[dict]:
    """The current entries of these indicators: every project page asks."""
    if not indicator_ids:
        return []
    where = f"e.state = {{}} AND e.indicator IN ({marks(indicator_ids)})"
    return await entry_rows(where, RecordState.CURRENT.value, *indicator_ids)


def _loaded(breakdown: object) -> dict[str, dict[str, int]]:
    """The stored breakdown; drivers return JSON as text."""
    if isinstance(breakdown, str):
        return json.loads(breakdown)
    return breakdown or {}


def entry_row(row: dict, indicator: dict) -> EntryRow:
    total = _breakdown_total(indicator["aggregation"], row)
    differences = _differences(
        row["breakdown"], breakdown_dimensions(indicator["breakdowns"]), total
    )
    return from_row(
        EntryRow,
        row,
        indicator_id=row["indicator"],
        period_id=row["period"],
        state=RecordState(row["state"]),
        breakdown_complete=not differences,
        breakdown_differences=differences,
        attachment_id=row["attachment"],
    )


def _breakdown_total(aggregation: str, figures: dict) -> int | None:
    """What a breakdown must add up to: the persons counted, i.e. the numerator of a
    percentage, otherwise the value."""
    if aggregation == Aggregation.PERCENTAGE:
        return figures["numerator_hundredths"]
    return figures["value_hundredths"]


def _differences(
    breakdown: dict[str, dict[str, int]], dimensions: tuple[str, ...], total: int | None
) -> dict[str, int]:
    """Per dimension that does not add up: total − Σ categories (a missing dimension counts)."""
    if total is None:
        return {}
    sums = {dimension: sum(breakdown.get(dimension, {}).values()) for dimension in dimensions}
    return {dimension: total - given for dimension, given in sums.items() if given != total}


def _entry_audit(row: dict) -> dict:
    return {
        "period": row["period"],
        "value_hundredths": row["value_hundredths"],
        "numerator_hundredths": row["numerator_hundredths"],
        "denominator_hundredths": row["denominator_hundredths"],
        "breakdown": row["breakdown"],
        "comment": row["comment"],
        "evidence_ref": row["evidence_ref"],
        "attachment": row["attachment"],
    }
