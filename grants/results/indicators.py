"""Indicators: what a project measures, with targets and milestones.

Figures are hundredths (12 persons = 1200), so percentages and half persons stay exact. Values
people log per period are in `grants.results.entries`; progress to date is computed in
`grants.results.progress`; person counts (participants, households, completed stays) are
counted from the participant register by `grants.results.counting`.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.dates import day_str, parse_date
from grants.core.errors import NotFound, Problem, Problems, Refused
from grants.core.messages import OUTSIDE_PROJECT, TOO_LONG
from grants.core.money import AmountError, parse_quantity
from grants.core.translatable import N_
from grants.core.vocabulary import (
    Aggregation,
    Breakdown,
    IndicatorKind,
    IndicatorVocabulary,
    TargetRule,
)
from grants.db import INTEGRITY_ERRORS, write_transaction
from grants.projects.reading import IndicatorRow
from grants.tables.indicators import Indicator, IndicatorEntry, Milestone
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
_MIN_STAY_MALFORMED = N_("“%(text)s” is not a number of months: write a whole number such as 3.")
_MIN_STAY_NOT_HERE = N_("Only completed stays and households take a minimum stay.")
_TARGET_GROUP_NOT_HERE = N_(
    "Only indicators counted from the participant register take a target group."
)
_HOUSEHOLDS_UNBROKEN = N_("Households are not broken down by gender or age.")


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
    return _detail(row, (await milestones_of([indicator_id])).get(indicator_id, []))


async def create_indicator(
    principal: Principal, project_id: int, data: IndicatorInput
) -> IndicatorDetail:
    try:
        async with write_transaction():
            project = await project_dates(project_id)
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
            project = await project_dates(project_id)
            others = await Indicator.select(Indicator.id, Indicator.code).where(
                Indicator.project == project_id
            )
            logged = await IndicatorEntry.exists().where(IndicatorEntry.indicator == indicator_id)
            values, milestones = _check_indicator(data, project, others, current, logged)
            before = _detail(current, (await milestones_of([indicator_id])).get(indicator_id, []))
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


async def project_dates(project_id: int) -> dict:
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
    code = checked_text(problems, data.code, "code", _CODE_REQUIRED)
    name = checked_text(problems, data.name, "name", _NAME_REQUIRED)
    aggregation = _choice(problems, data.aggregation, Aggregation, "aggregation")
    if current and logged and aggregation and aggregation != current["aggregation"]:
        problems.add(_AGGREGATION_FIXED, "aggregation")
    rule = _choice(problems, data.target_rule, TargetRule, "target_rule")
    target = parse_figure(problems, data.target, "target")
    if target is not None and rule == TargetRule.NONE:
        problems.add(_TARGET_WITHOUT_RULE, "target")
    if target is not None and aggregation == Aggregation.PERCENTAGE and target > HUNDRED_PERCENT:
        problems.add(_PERCENT_ABOVE_100, "target")
    breakdowns = [_choice(problems, b.strip(), Breakdown, "breakdowns") for b in data.breakdowns]
    values = {
        "code": code,
        "name_lv": name,
        "name_en": data.name_en.strip(),
        "unit_lv": checked_text(problems, data.unit, "unit"),
        "unit_en": checked_text(problems, data.unit_en, "unit_en"),
        "target_hundredths": target,
        "baseline_hundredths": parse_figure(problems, data.baseline, "baseline"),
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
    group = checked_text(problems, text or "", "target_group").casefold()
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
                date=day_str(day),
                start=day_str(start),
                end=day_str(end),
            )
        value = parse_figure(problems, value_text, f"{where}.value", required=True)
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


async def milestones_of(indicator_ids: list[int]) -> dict[int, list[MilestoneRow]]:
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
        breakdowns=breakdown_dimensions(row["breakdowns"]),
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


def breakdown_dimensions(breakdowns: str) -> tuple[str, ...]:
    return tuple(b for b in breakdowns.split(",") if b)


def checked_text(
    problems: Problems, text: str, field_name: str, required: str | None = None
) -> str:
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


def parse_figure(
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
