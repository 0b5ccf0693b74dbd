"""Indicators, and the values logged against them per reporting period.

Figures are hundredths (12 persons = 1200), so percentages and half persons stay exact. A period
has at most one current entry per indicator: logging again supersedes it and keeps the old row
as history. Everything "to date" is computed from current entries by the indicator's
aggregation rule, never typed.

Person counts (participants, households, completed stays) are not logged at all: they are
counted from the participant register (`grants.register.participants`) whenever progress is shown.
"""

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.dates import parse_date
from grants.core.errors import NotFound, Problem, Problems, Refused
from grants.core.messages import ATTACHMENT_UNKNOWN, LOCKED_PERIOD, OUTSIDE_PROJECT, TOO_LONG
from grants.core.money import AmountError, parse_quantity, percentage
from grants.core.translatable import N_
from grants.core.vocabulary import (
    BREAKDOWN_KEYS,
    GENDER_BREAKDOWN,
    LOCKED_PERIOD_STATUSES,
    Aggregation,
    Breakdown,
    IndicatorKind,
    IndicatorVocabulary,
    RecordState,
    TargetRule,
)
from grants.db import INTEGRITY_ERRORS, write_transaction
from grants.projects.periods import for_update
from grants.projects.reading import IndicatorRow
from grants.register.participants import age_group, stayed_months
from grants.tables.attachments import Attachment
from grants.tables.indicators import Indicator, IndicatorEntry, Milestone
from grants.tables.participants import Participant
from grants.tables.periods import ReportingPeriod
from grants.tables.projects import Project

# Values people log per period; the others are counted from the participant register.
LOGGED_AGGREGATIONS = (Aggregation.SUM, Aggregation.CUMULATIVE, Aggregation.PERCENTAGE)
REGISTER_AGGREGATIONS = (Aggregation.PARTICIPANTS, Aggregation.HOUSEHOLDS, Aggregation.COMPLETED)
PERSON_AGGREGATIONS = (Aggregation.PARTICIPANTS, Aggregation.COMPLETED)  # broken down by person
STAY_AGGREGATIONS = (Aggregation.COMPLETED, Aggregation.HOUSEHOLDS)  # take a minimum stay
DEFAULT_MIN_STAY_MONTHS = 3  # a completed service cycle, e.g. "a full 3–6 month cycle"
HUNDRED_PERCENT = 10_000  # in hundredths
ONE = 100  # one person or household, in hundredths

_LIMITS = {"code": 30, "unit": 50, "unit_en": 50, "evidence_ref": 255, "target_group": 50}

_NOT_ONE_OF = N_("“%(value)s” is not one of: %(allowed)s.")
_CODE_REQUIRED = N_("Enter the indicator code.")
_NAME_REQUIRED = N_("Enter the indicator name.")
_DUPLICATE_CODE = N_("This project already has an indicator with code %(code)s.")
_TARGET_WITHOUT_RULE = N_("An indicator without a target cannot have a target value.")
_PERCENT_ABOVE_100 = N_("A percentage cannot be more than 100.")
_MILESTONE_DATE_REQUIRED = N_("Enter the milestone date.")
_AGGREGATION_FIXED = N_("Values are already logged, so how they combine cannot change.")
_FROM_REGISTER = N_("This indicator is counted from the participant register.")
_PERIOD_UNKNOWN = N_("Choose a reporting period of this project.")
_DENOMINATOR_ZERO = N_("The denominator cannot be 0.")
_NUMERATOR_ABOVE = N_("The numerator cannot be more than the denominator.")
_NO_SUCH_BREAKDOWN = N_("This indicator has no breakdown by %(dimension)s.")
_NO_SUCH_CATEGORY = N_("“%(category)s” is not a category of the %(dimension)s breakdown.")
_CONCURRENT = N_("Someone else changed this indicator at the same time; please try again.")
_MIN_STAY_MALFORMED = N_("“%(text)s” is not a number of months: write a whole number such as 3.")
_MIN_STAY_NOT_HERE = N_("Only completed stays and households take a minimum stay.")
_TARGET_GROUP_NOT_HERE = N_(
    "Only indicators counted from the participant register take a target group."
)
_HOUSEHOLDS_UNBROKEN = N_("Households are not broken down by gender or age.")


def _day_str(day: date) -> str:
    return day.strftime("%d.%m.%Y")


# Defining indicators --------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorInput:
    """An indicator as typed. Figures are text ("12", "1 234,5"); milestones are (date, value)."""

    code: str
    name: str  # Latvian
    name_en: str = ""
    unit: str = ""  # Latvian
    unit_en: str = ""
    target: str | None = None
    baseline: str | None = None
    target_rule: str = TargetRule.AT_LEAST
    aggregation: str = Aggregation.SUM
    vocabulary: str = IndicatorVocabulary.PROJECT
    kind: str = IndicatorKind.OUTPUT
    breakdowns: list[str] = field(default_factory=list)
    milestones: list[tuple[str, str]] = field(default_factory=list)
    measured_after_end: bool = False
    min_stay_months: str | None = None  # completed / households; completed defaults to 3
    target_group: str = ""  # register counts: only this group's participants


@dataclass(frozen=True)
class MilestoneRow:
    due_date: date
    value_hundredths: int


@dataclass(frozen=True)
class IndicatorDetail(IndicatorRow):
    """An indicator with what the project page's IndicatorRow leaves out."""

    project_id: int
    position: int
    breakdowns: tuple[str, ...]
    milestones: tuple[MilestoneRow, ...]
    min_stay_months: int | None = None
    target_group: str = ""


async def get_indicator(principal: Principal, indicator_id: int) -> IndicatorDetail:
    row = await Indicator.select().where(Indicator.id == indicator_id).first()
    if row is None:
        raise NotFound()
    principal.require(Action.READ, row["project"])
    return _detail(row, (await _milestones([indicator_id])).get(indicator_id, []))


async def create_indicator(
    principal: Principal, project_id: int, data: IndicatorInput
) -> IndicatorDetail:
    try:
        async with write_transaction():
            project = await _project(project_id)
            principal.require(Action.EDIT_INDICATORS, project_id)
            others = await Indicator.select(Indicator.id, Indicator.code, Indicator.position).where(
                Indicator.project == project_id
            )
            values, milestones = _check_indicator(data, project, others, None, False)
            position = max((other["position"] for other in others), default=-1) + 1
            new_id = (
                await Indicator.insert(Indicator(project=project_id, position=position, **values))
            )[0]["id"]
            row = await Indicator.select().where(Indicator.id == new_id).first()
            await _save_milestones(new_id, milestones)
            detail = _detail(row, milestones)
            await audit.record(
                "create",
                "indicator",
                detail.id,
                actor=principal,
                project_id=project_id,
                after=_indicator_audit(detail),
            )
    except INTEGRITY_ERRORS:
        raise _duplicate(data.code) from None
    return detail


async def update_indicator(
    principal: Principal, indicator_id: int, data: IndicatorInput
) -> IndicatorDetail:
    try:
        async with write_transaction():
            current = await Indicator.select().where(Indicator.id == indicator_id).first()
            if current is None:
                raise NotFound()
            project_id = current["project"]
            principal.require(Action.EDIT_INDICATORS, project_id)
            project = await _project(project_id)
            others = await Indicator.select(Indicator.id, Indicator.code).where(
                Indicator.project == project_id
            )
            logged = await IndicatorEntry.exists().where(IndicatorEntry.indicator == indicator_id)
            values, milestones = _check_indicator(data, project, others, current, logged)
            before = _detail(current, (await _milestones([indicator_id])).get(indicator_id, []))
            await Indicator.update(**values).where(Indicator.id == indicator_id)
            await Milestone.delete().where(Milestone.indicator == indicator_id)
            await _save_milestones(indicator_id, milestones)
            detail = _detail(current | values, milestones)
            await audit.record(
                "update",
                "indicator",
                indicator_id,
                actor=principal,
                project_id=project_id,
                before=_indicator_audit(before),
                after=_indicator_audit(detail),
            )
    except INTEGRITY_ERRORS:
        raise _duplicate(data.code) from None
    return detail


async def _project(project_id: int) -> dict:
    project = await (
        Project.select(Project.id, Project.start_date, Project.end_date)
        .where(Project.id == project_id)
        .first()
    )
    if project is None:
        raise NotFound()
    return project


def _duplicate(code: str) -> Refused:
    return Refused.one(_DUPLICATE_CODE, field="code", conflict=True, code=code.strip())


def _check_indicator(
    data: IndicatorInput, project: dict, others: list[dict], current: dict | None, logged: bool
) -> tuple[dict, list[MilestoneRow]]:
    """Column values and milestones, or Refused with every problem (409 for a duplicate code)."""
    problems = Problems()
    code = _text(problems, data.code, "code", _CODE_REQUIRED)
    name = _text(problems, data.name, "name", _NAME_REQUIRED)
    aggregation = _choice(problems, data.aggregation, Aggregation, "aggregation")
    if current and logged and aggregation and aggregation != current["aggregation"]:
        problems.add(_AGGREGATION_FIXED, "aggregation")
    rule = _choice(problems, data.target_rule, TargetRule, "target_rule")
    target = _figure(problems, data.target, "target")
    if target is not None and rule == TargetRule.NONE:
        problems.add(_TARGET_WITHOUT_RULE, "target")
    if target is not None and aggregation == Aggregation.PERCENTAGE and target > HUNDRED_PERCENT:
        problems.add(_PERCENT_ABOVE_100, "target")
    breakdowns = [_choice(problems, b.strip(), Breakdown, "breakdowns") for b in data.breakdowns]
    values = {
        "code": code,
        "name_lv": name,
        "name_en": data.name_en.strip(),
        "unit_lv": _text(problems, data.unit, "unit"),
        "unit_en": _text(problems, data.unit_en, "unit_en"),
        "target_hundredths": target,
        "baseline_hundredths": _figure(problems, data.baseline, "baseline"),
        "target_rule": rule,
        "aggregation": aggregation,
        "vocabulary": _choice(problems, data.vocabulary, IndicatorVocabulary, "vocabulary"),
        "kind": _choice(problems, data.kind, IndicatorKind, "kind"),
        "breakdowns": _stored_breakdowns(problems, aggregation, breakdowns),
        "measured_after_end": bool(data.measured_after_end),
        "min_stay_months": _min_stay(problems, data.min_stay_months, aggregation),
        "target_group": _target_group(problems, data.target_group, aggregation),
    }
    milestones = _check_milestones(problems, data.milestones, project)
    own_id = current["id"] if current else None
    taken = {other["code"].casefold() for other in others if other["id"] != own_id}
    duplicate = bool(code) and code.casefold() in taken
    if duplicate:
        problems.add(_DUPLICATE_CODE, "code", code=code)
    problems.raise_if_any(conflict=duplicate)
    return values, milestones


def _stored_breakdowns(problems: Problems, aggregation: str | None, chosen: list) -> str:
    """Person counts are always broken down by gender and age (ESF+ Annex I), households never;
    the others by what was chosen."""
    if aggregation in PERSON_AGGREGATIONS:
        return ",".join(Breakdown)
    if aggregation == Aggregation.HOUSEHOLDS:
        if any(chosen):
            problems.add(_HOUSEHOLDS_UNBROKEN, "breakdowns")
        return ""
    return ",".join(b for b in Breakdown if b in chosen)


def _min_stay(problems: Problems, text: object, aggregation: str | None) -> int | None:
    """Whole months; completed stays default to 3, households count any member without one."""
    typed = "" if text is None else str(text).strip()
    if aggregation not in STAY_AGGREGATIONS:
        if typed and aggregation:
            problems.add(_MIN_STAY_NOT_HERE, "min_stay_months")
        return None
    if not typed:
        return DEFAULT_MIN_STAY_MONTHS if aggregation == Aggregation.COMPLETED else None
    if not re.fullmatch(r"[0-9]{1,3}", typed):
        problems.add(_MIN_STAY_MALFORMED, "min_stay_months", text=typed)
        return None
    return int(typed)


def _target_group(problems: Problems, text: str | None, aggregation: str | None) -> str:
    group = _text(problems, text or "", "target_group").casefold()
    if group and aggregation and aggregation not in REGISTER_AGGREGATIONS:
        problems.add(_TARGET_GROUP_NOT_HERE, "target_group")
    return group


def _check_milestones(
    problems: Problems, milestones: Iterable[tuple[str, str]], project: dict
) -> list[MilestoneRow]:
    """Milestones must fall within the project (when its dates are known)."""
    start, end = project["start_date"], project["end_date"]
    checked = []
    for index, (day_text, value_text) in enumerate(milestones):
        where = f"milestones.{index}"
        day = parse_date(day_text, f"{where}.date")
        if isinstance(day, Problem):
            problems.extend([day])
            day = None
        elif day is None:
            problems.add(_MILESTONE_DATE_REQUIRED, f"{where}.date")
        elif start and end and not start <= day <= end:
            problems.add(
                OUTSIDE_PROJECT,
                f"{where}.date",
                date=_day_str(day),
                start=_day_str(start),
                end=_day_str(end),
            )
        value = _figure(problems, value_text, f"{where}.value", required=True)
        if day is not None and value is not None:
            checked.append(MilestoneRow(day, value))
    return sorted(checked, key=lambda milestone: milestone.due_date)


async def _save_milestones(indicator_id: int, milestones: list[MilestoneRow]) -> None:
    if milestones:
        await Milestone.insert(
            *(
                Milestone(
                    indicator=indicator_id, due_date=m.due_date, value_hundredths=m.value_hundredths
                )
                for m in milestones
            )
        )


async def _milestones(indicator_ids: list[int]) -> dict[int, list[MilestoneRow]]:
    """Milestones of many indicators in one query, in date order."""
    found: dict[int, list[MilestoneRow]] = {}
    if indicator_ids:
        for row in await (
            Milestone.select()
            .where(Milestone.indicator.is_in(indicator_ids))
            .order_by(Milestone.due_date)
        ):
            found.setdefault(row["indicator"], []).append(
                MilestoneRow(row["due_date"], row["value_hundredths"])
            )
    return found


def _detail(row: dict, milestones: Iterable[MilestoneRow]) -> IndicatorDetail:
    return IndicatorDetail(
        **{name: row[name] for name in IndicatorRow.__dataclass_fields__},
        project_id=row["project"],
        position=row["position"],
        breakdowns=_dimensions(row["breakdowns"]),
        milestones=tuple(milestones),
        min_stay_months=row["min_stay_months"],
        target_group=row["target_group"],
    )


def _indicator_audit(detail: IndicatorDetail) -> dict:
    return {
        **{name: getattr(detail, name) for name in IndicatorRow.__dataclass_fields__},
        "breakdowns": list(detail.breakdowns),
        "min_stay_months": detail.min_stay_months,
        "target_group": detail.target_group,
        "milestones": [
            {"due_date": m.due_date.isoformat(), "value_hundredths": m.value_hundredths}
            for m in detail.milestones
        ],
    }


def _dimensions(breakdowns: str) -> tuple[str, ...]:
    return tuple(b for b in breakdowns.split(",") if b)


def _text(problems: Problems, text: str, field_name: str, required: str | None = None) -> str:
    value = (text or "").strip()
    if required and not value:
        problems.add(required, field_name)
    limit = _LIMITS.get(field_name)
    if limit and len(value) > limit:
        problems.add(TOO_LONG, field_name, max=limit)
    return value


def _choice(problems: Problems, value: str, allowed: Iterable[str], field_name: str) -> str | None:
    options = [str(option) for option in allowed]
    if value not in options:
        problems.add(_NOT_ONE_OF, field_name, value=value, allowed=", ".join(sorted(options)))
        return None
    return value


def _figure(
    problems: Problems, text: object, field_name: str, *, required: bool = False
) -> int | None:
    """Hundredths from the typed text; None when left empty and not required."""
    typed = "" if text is None else str(text)
    if not typed.strip() and not required:
        return None
    try:
        return parse_quantity(typed)
    except AmountError as error:
        problems.add(error.message, field_name, **error.params)
        return None


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


_ENTRY_COLUMNS = (
    IndicatorEntry.id,
    IndicatorEntry.indicator,
    IndicatorEntry.period,
    IndicatorEntry.state,
    IndicatorEntry.value_hundredths,
    IndicatorEntry.numerator_hundredths,
    IndicatorEntry.denominator_hundredths,
    IndicatorEntry.breakdown,
    IndicatorEntry.comment,
    IndicatorEntry.evidence_ref,
    IndicatorEntry.attachment,
    IndicatorEntry.created_by,
    IndicatorEntry.created_by.email.as_alias("created_by_email"),
    IndicatorEntry.created_at,
)


async def log_entry(principal: Principal, indicator_id: int, data: EntryInput) -> EntryRow:
    """Record the indicator's value for a period, superseding the period's current entry.

    A breakdown that does not add up to the value is stored and flagged, not refused: partial
    breakdowns are common while data is being collected.
    """
    try:
        async with write_transaction():
            indicator = await _entry_target(indicator_id)
            principal.require(Action.EDIT_INDICATORS, indicator["project"])
            period = await for_update(
                ReportingPeriod.select().where(ReportingPeriod.id == data.period_id),
                strength="SHARE",
            ).first()
            values = await _check_entry(indicator, period, data)
            old = await _entries(
                (IndicatorEntry.indicator == indicator_id)
                & (IndicatorEntry.period == data.period_id)
                & (IndicatorEntry.state == RecordState.CURRENT)
            )
            if old:
                await IndicatorEntry.update(state=RecordState.SUPERSEDED).where(
                    IndicatorEntry.id == old[0]["id"]
                )
            new_id = (
                await IndicatorEntry.insert(
                    IndicatorEntry(
                        indicator=indicator_id,
                        period=data.period_id,
                        created_by=principal.user_id,
                        **values,
                    )
                )
            )[0]["id"]
            [new] = await _entries(IndicatorEntry.id == new_id)
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
    return _entry(new, indicator)


async def _entry_target(indicator_id: int) -> dict:
    """What logging or reading an indicator's entries needs to know about the indicator."""
    indicator = await (
        Indicator.select(
            Indicator.id, Indicator.project, Indicator.aggregation, Indicator.breakdowns
        )
        .where(Indicator.id == indicator_id)
        .first()
    )
    if indicator is None:
        raise NotFound()
    return indicator


async def entry_history(principal: Principal, indicator_id: int, period_id: int) -> list[EntryRow]:
    """Every entry of the indicator in the period, newest first: the current one and those it
    superseded."""
    indicator = await _entry_target(indicator_id)
    principal.require(Action.READ, indicator["project"])
    rows = await _entries(
        (IndicatorEntry.indicator == indicator_id) & (IndicatorEntry.period == period_id),
        newest_first=True,
    )
    return [_entry(row, indicator) for row in rows]


async def _check_entry(indicator: dict, period: dict | None, data: EntryInput) -> dict:
    """Column values for the entry, or Refused with every problem (409 for a locked period)."""
    problems = Problems()
    if indicator["aggregation"] not in LOGGED_AGGREGATIONS:
        raise Refused.one(_FROM_REGISTER)
    locked = period is not None and period["status"] in LOCKED_PERIOD_STATUSES
    if period is None or period["project"] != indicator["project"]:
        problems.add(_PERIOD_UNKNOWN, "period_id")
        locked = False
    elif locked:
        problems.add(
            LOCKED_PERIOD[period["status"]],
            "period_id",
            start=_day_str(period["start_date"]),
            end=_day_str(period["end_date"]),
        )
    if indicator["aggregation"] == Aggregation.PERCENTAGE:
        numerator, denominator, value = _check_fraction(problems, data)
    else:
        numerator = denominator = None
        value = _figure(problems, data.value, "value", required=True)
    breakdown = _check_breakdown(problems, data.breakdown, _dimensions(indicator["breakdowns"]))
    evidence_ref = _text(problems, data.evidence_ref, "evidence_ref")
    if data.attachment_id is not None and not await Attachment.exists().where(
        (Attachment.id == data.attachment_id) & (Attachment.project == indicator["project"])
    ):
        problems.add(ATTACHMENT_UNKNOWN, "attachment_id")
    problems.raise_if_any(conflict=locked)
    return {
        "value_hundredths": value,
        "numerator_hundredths": numerator,
        "denominator_hundredths": denominator,
        "breakdown": json.dumps(breakdown) if breakdown else None,
        "comment": data.comment.strip(),
        "evidence_ref": evidence_ref,
        "attachment": data.attachment_id,
    }


def _check_fraction(
    problems: Problems, data: EntryInput
) -> tuple[int | None, int | None, int | None]:
    """Numerator, denominator and the percentage they make, in hundredths."""
    numerator = _figure(problems, data.numerator, "numerator", required=True)
    denominator = _figure(problems, data.denominator, "denominator", required=True)
    if denominator == 0:
        problems.add(_DENOMINATOR_ZERO, "denominator")
    elif numerator is not None and denominator is not None and numerator > denominator:
        problems.add(_NUMERATOR_ABOVE, "numerator")
    elif numerator is not None and denominator is not None:
        return numerator, denominator, _percent_hundredths(numerator, denominator)
    return None, None, None


def _percent_hundredths(numerator: int, denominator: int) -> int:
    """numerator / denominator as a percentage in hundredths, half-up: 109/300 -> 3633."""
    return int(percentage(numerator, denominator, places=2).scaleb(2))


def _check_breakdown(
    problems: Problems, breakdown: dict[str, dict[str, str]], dimensions: tuple[str, ...]
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
            figure = _figure(problems, text, where)
            if figure is not None:
                checked.setdefault(dimension, {})[category] = figure
    return checked


async def _entries(where, *, newest_first: bool = False) -> list[dict]:
    query = IndicatorEntry.select(*_ENTRY_COLUMNS).where(where)
    if newest_first:
        query = query.order_by(IndicatorEntry.id, ascending=False)
    return [row | {"breakdown": _loaded(row["breakdown"])} for row in await query]


def _loaded(breakdown: object) -> dict[str, dict[str, int]]:
    """The stored breakdown; drivers return JSON as text."""
    if isinstance(breakdown, str):
        return json.loads(breakdown)
    return breakdown or {}


def _entry(row: dict, indicator: dict) -> EntryRow:
    total = _breakdown_total(indicator["aggregation"], row)
    differences = _differences(row["breakdown"], _dimensions(indicator["breakdowns"]), total)
    return EntryRow(
        id=row["id"],
        indicator_id=row["indicator"],
        period_id=row["period"],
        state=RecordState(row["state"]),
        value_hundredths=row["value_hundredths"],
        numerator_hundredths=row["numerator_hundredths"],
        denominator_hundredths=row["denominator_hundredths"],
        breakdown=row["breakdown"],
        breakdown_complete=not differences,
        breakdown_differences=differences,
        comment=row["comment"],
        evidence_ref=row["evidence_ref"],
        attachment_id=row["attachment"],
        created_by=row["created_by"],
        created_by_email=row["created_by_email"],
        created_at=row["created_at"],
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
    previously: int | None  # to the end of the previous period
    to_date: int | None
    numerator_to_date: int | None  # percentage indicators only
    denominator_to_date: int | None
    percent_of_target: Decimal | None  # one decimal, half-up
    breakdown: list[BreakdownTotal]
    milestone: MilestoneRow | None  # the latest one due by the end of the period
    series: list[tuple[date, int | None]]  # (period end, to date) up to the period


@dataclass(frozen=True)
class _ToDate:
    value: int | None = None
    numerator: int | None = None
    denominator: int | None = None
    breakdown: dict[str, dict[str, int]] = field(default_factory=dict)


async def indicator_progress(
    principal: Principal, project_id: int, period_id: int | None = None
) -> list[IndicatorProgress]:
    """Each indicator of the project as of the period (or over every period, without one).

    sum: the periods' values added up; cumulative: the value of the latest period that has one
    (by period, not by when it was typed, so a back-dated entry does not win); percentage:
    Σ numerators / Σ denominators × 100, never an average of percentages. Register counts
    (participants, households, completed) come from the participant register, read once for
    all of them; see `_register_units`.
    """
    await _project(project_id)
    principal.require(Action.READ, project_id)
    periods = await (
        ReportingPeriod.select(
            ReportingPeriod.id, ReportingPeriod.start_date, ReportingPeriod.end_date
        )
        .where(ReportingPeriod.project == project_id)
        .order_by(ReportingPeriod.start_date)
    )
    index = _period_index(periods, period_id)
    shown = periods if index is None else periods[: index + 1]
    indicators = await (
        Indicator.select()
        .where(Indicator.project == project_id)
        .order_by(Indicator.position)
        .order_by(Indicator.id)
    )
    ids = [row["id"] for row in indicators]
    milestones = await _milestones(ids)
    entries: dict[tuple[int, int], dict] = {}
    if ids:
        for row in await _entries(
            IndicatorEntry.indicator.is_in(ids) & (IndicatorEntry.state == RecordState.CURRENT)
        ):
            entries[row["indicator"], row["period"]] = row
    until = shown[-1]["end_date"] if shown else None
    counted = any(row["aggregation"] in REGISTER_AGGREGATIONS for row in indicators)
    people = await _register_people(project_id) if counted else []
    return [
        _progress(
            row, shown, index is not None, entries, milestones.get(row["id"], []), until, people
        )
        for row in indicators
    ]


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
) -> IndicatorProgress:
    aggregation = indicator["aggregation"]
    in_order = [entries.get((indicator["id"], period["id"])) for period in periods]
    logged = aggregation in LOGGED_AGGREGATIONS
    entry = in_order[-1] if for_period and in_order and logged else None
    if logged:
        running = _running(aggregation, in_order)
        to_date = running[-1] if running else _ToDate()
        this_period = entry["value_hundredths"] if entry else None
    else:
        units = _register_units(indicator, people)
        running = [_count(units, None, period["end_date"]) for period in periods]
        to_date = running[-1] if running else _count(units, None, None)
        this_period = (
            _count(units, periods[-1]["start_date"], periods[-1]["end_date"]).value
            if for_period and periods
            else None
        )
    target = indicator["target_hundredths"]
    return IndicatorProgress(
        indicator_id=indicator["id"],
        code=indicator["code"],
        name_lv=indicator["name_lv"],
        name_en=indicator["name_en"],
        unit_lv=indicator["unit_lv"],
        unit_en=indicator["unit_en"],
        kind=indicator["kind"],
        aggregation=aggregation,
        target_rule=indicator["target_rule"],
        target_hundredths=target,
        baseline_hundredths=indicator["baseline_hundredths"],
        entry=_entry(entry, indicator) if entry else None,
        this_period=this_period,
        previously=running[-2].value if for_period and len(running) > 1 else None,
        to_date=to_date.value,
        numerator_to_date=to_date.numerator,
        denominator_to_date=to_date.denominator,
        percent_of_target=_of_target(to_date, target),
        breakdown=_breakdown_totals(indicator, to_date),
        milestone=next((m for m in reversed(milestones) if until and m.due_date <= until), None),
        series=[(p["end_date"], r.value) for p, r in zip(periods, running, strict=True)],
    )


def _of_target(to_date: _ToDate, target: int | None) -> Decimal | None:
    """% of target, one decimal, half-up; a percentage's straight from Σnum / Σden, so the
    to-date percentage is not rounded twice."""
    if not target or to_date.value is None:
        return None
    if to_date.numerator is not None:
        return percentage(to_date.numerator * 10_000, to_date.denominator * target)
    return percentage(to_date.value, target)


def _running(aggregation: str, entries: list[dict | None]) -> list[_ToDate]:
    """The to-date figures at the end of each period, in date order."""
    running, now = [], _ToDate()
    for entry in entries:
        if entry is not None:
            now = _add(aggregation, now, entry)
        running.append(now)
    return running


def _add(aggregation: str, before: _ToDate, entry: dict) -> _ToDate:
    if aggregation == Aggregation.CUMULATIVE:
        return _ToDate(value=entry["value_hundredths"], breakdown=entry["breakdown"])
    breakdown = _merged(before.breakdown, entry["breakdown"])
    if aggregation == Aggregation.PERCENTAGE:
        numerator = (before.numerator or 0) + entry["numerator_hundredths"]
        denominator = (before.denominator or 0) + entry["denominator_hundredths"]
        value = _percent_hundredths(numerator, denominator)
        return _ToDate(value, numerator, denominator, breakdown)
    return _ToDate((before.value or 0) + entry["value_hundredths"], breakdown=breakdown)


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


def _breakdown_totals(indicator: dict, to_date: _ToDate) -> list[BreakdownTotal]:
    total = (
        to_date.numerator if indicator["aggregation"] == Aggregation.PERCENTAGE else to_date.value
    )
    totals = []
    for dimension in _dimensions(indicator["breakdowns"]):
        given = to_date.breakdown.get(dimension, {})
        categories = {category: given.get(category, 0) for category in BREAKDOWN_KEYS[dimension]}
        difference = 0 if total is None else total - sum(categories.values())
        totals.append(BreakdownTotal(dimension, categories, total, difference, difference == 0))
    return totals


# Counting from the register ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    """One person or household an indicator counts, from the day it counts."""

    day: date
    gender: str | None = None  # breakdown category; None for households
    age: str | None = None


async def _register_people(project_id: int) -> list[dict]:
    """The project's participants, with what the counts need, in one query."""
    return await Participant.select(
        Participant.gender,
        Participant.birth_year,
        Participant.entry_date,
        Participant.exit_date,
        Participant.household,
        Participant.target_group,
    ).where(Participant.project == project_id)


def _register_units(indicator: dict, people: list[dict]) -> list[_Unit]:
    """What the indicator counts, each once, dated by when it starts to count:

    participants: every participant (a code is a person, so a returning person counts once),
    from their entry; completed: participants whose stay from entry to exit lasted at least
    `min_stay_months` calendar months, from their exit; households: each non-empty household
    code once, from its first member's entry, or, with `min_stay_months`, only households with
    at least one member who completed such a stay, from the first such exit. The indicator's
    target group, if any, limits the participants looked at.
    """
    group = indicator["target_group"].casefold()
    chosen = [p for p in people if not group or p["target_group"].casefold() == group]
    aggregation, months = indicator["aggregation"], indicator["min_stay_months"]
    if aggregation == Aggregation.PARTICIPANTS:
        return [_person(p, p["entry_date"]) for p in chosen]
    if aggregation == Aggregation.COMPLETED:
        months = DEFAULT_MIN_STAY_MONTHS if months is None else months
        return [_person(p, p["exit_date"]) for p in chosen if _completed(p, months)]
    first: dict[str, date] = {}
    for person in chosen:
        key = person["household"].strip().casefold()
        day = person["exit_date"] if months is not None else person["entry_date"]
        if key and (months is None or _completed(person, months)):
            first[key] = min(first.get(key, day), day)
    return [_Unit(day) for day in first.values()]


def _completed(person: dict, months: int) -> bool:
    return stayed_months(person["entry_date"], person["exit_date"], months)


def _person(person: dict, day: date) -> _Unit:
    return _Unit(
        day,
        GENDER_BREAKDOWN.get(person["gender"]),
        age_group(person["birth_year"], person["entry_date"]),
    )


def _count(units: list[_Unit], start: date | None, end: date | None) -> _ToDate:
    """The units counting from `start` to `end` (either open), with their breakdown in
    hundredths; complete by construction, since every person has a gender and an age."""
    counted = [u for u in units if (not start or start <= u.day) and (not end or u.day <= end)]
    breakdown = {
        Breakdown.GENDER: _hundredths(Counter(u.gender for u in counted if u.gender)),
        Breakdown.AGE: _hundredths(Counter(u.age for u in counted if u.age)),
    }
    return _ToDate(value=len(counted) * ONE, breakdown=breakdown)


def _hundredths(counts: Counter) -> dict[str, int]:
    return {category: count * ONE for category, count in counts.items()}


async def projects_progress(project_ids: Iterable[int]) -> dict[int, list[IndicatorProgress]]:
    """Every indicator of many projects to date (as `indicator_progress` without a period), in
    at most five queries whatever the number of projects. No access check: the caller passes
    only projects the reader may see (the portfolio report reads `list_projects` first)."""
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
    milestones: dict[int, list[MilestoneRow]] = {}
    for row in await (
        Milestone.select(Milestone.indicator, Milestone.due_date, Milestone.value_hundredths)
        .where(Milestone.indicator.project.is_in(ids))
        .order_by(Milestone.due_date)
    ):
        milestones.setdefault(row["indicator"], []).append(
            MilestoneRow(row["due_date"], row["value_hundredths"])
        )
    entries: dict[tuple[int, int], dict] = {}
    for row in await _entries(
        IndicatorEntry.indicator.project.is_in(ids) & (IndicatorEntry.state == RecordState.CURRENT)
    ):
        entries[row["indicator"], row["period"]] = row
    counted = sorted(
        {row["project"] for row in indicators if row["aggregation"] in REGISTER_AGGREGATIONS}
    )
    people: dict[int, list[dict]] = {pid: [] for pid in counted}
    if counted:
        for person in await Participant.select(
            Participant.project,
            Participant.gender,
            Participant.birth_year,
            Participant.entry_date,
            Participant.exit_date,
            Participant.household,
            Participant.target_group,
        ).where(Participant.project.is_in(counted)):
            people[person["project"]].append(person)
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
            )
        )
    return progress
