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
from grants.core.errors import Problems, Refused
from grants.core.translatable import N_
from grants.core.vocabulary import (
    Aggregation,
    Breakdown,
    IndicatorKind,
    IndicatorVocabulary,
    TargetRule,
)
from grants.db import (
    INTEGRITY_ERRORS,
    first_or_not_found,
    from_row,
    insert_one,
    marks,
    write_transaction,
)
from grants.modifications.lock import check_contract_changes, finish_correction
from grants.projects.reading import IndicatorRow, project_dates
from grants.tables.indicators import Indicator, IndicatorEntry, Milestone

# Values people log per period; the others are counted from the participant register.
LOGGED_AGGREGATIONS = (Aggregation.SUM, Aggregation.CUMULATIVE, Aggregation.PERCENTAGE)
REGISTER_AGGREGATIONS = (
    Aggregation.PARTICIPANTS,
    Aggregation.HOUSEHOLDS,
    Aggregation.COMPLETED,
    Aggregation.COMMON,  # an ESF+ common indicator, by its code (`source`)
)
PERSON_AGGREGATIONS = (  # broken down by person
    Aggregation.PARTICIPANTS,
    Aggregation.COMPLETED,
    Aggregation.COMMON,
)
STAY_AGGREGATIONS = (Aggregation.COMPLETED, Aggregation.HOUSEHOLDS)  # take a minimum stay
DEFAULT_MIN_STAY_MONTHS = 3  # a completed service cycle, e.g. "a full 3–6 month cycle"
HUNDRED_PERCENT = 10_000  # in hundredths
MAX_DECIMALS = 2  # figures are hundredths
# Units counted whole (Latvian and English stems, lower case): persons, families, households…
WHOLE_UNIT_WORDS = (
    "person", "people", "participant", "famil", "household", "child", "cilvēk", "dalībniek",
    "ģimen", "mājsaimniec", "bērn", "jaunie",
)  # fmt: skip
ONE = 100  # one person or household, in hundredths
# Chosen by name; "common" comes with a common indicator's code (`source`) instead.
_CHOSEN_AGGREGATIONS = sorted(a for a in Aggregation if a != Aggregation.COMMON)
_LOOKS_COMMON = re.compile(r"EEC[OR][0-9]+", re.IGNORECASE)  # a common indicator's code

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
_DECIMALS_MALFORMED = N_("Decimals must be 0, 1 or 2.")
_WHOLE_UNITS_ONLY = N_("This indicator counts whole units: enter a whole number.")
_ONE_DECIMAL = N_("Enter at most one decimal.")  # figures are hundredths: 1 is the only case
_SOURCE_UNKNOWN = N_(
    "“%(code)s” is not an ESF+ common indicator: use a code from EECO01 to EECO17 or EECR01 to "
    "EECR06."
)
_SOURCE_REQUIRED = N_("Choose the ESF+ common indicator this indicator is counted as.")
_SOURCE_NOT_HERE = N_("Only indicators counted as an ESF+ common indicator take a source.")


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
    decimals: str | int | None = None  # 0–2; none: 0 for register counts, otherwise 2
    # "common": the ESF+ common indicator's code (EECO01…, EECR01…); a code given as the
    # aggregation or as the source alone means "common" too
    source: str = ""


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
    decimals: int = MAX_DECIMALS
    source: str = ""  # "common": the ESF+ common indicator's code


async def get_indicator(principal: Principal, indicator_id: int) -> IndicatorDetail:
    row = await first_or_not_found(Indicator.select().where(Indicator.id == indicator_id))
    principal.require(Action.READ, row["project"])
    return _detail(row, (await milestones_of([indicator_id])).get(indicator_id, []))


async def create_indicator(
    principal: Principal, project_id: int, data: IndicatorInput
) -> IndicatorDetail:
    try:
        async with write_transaction():
            dates = await project_dates(project_id)
            principal.require(Action.EDIT_INDICATORS, project_id)
            others = await Indicator.select(Indicator.id, Indicator.code, Indicator.position).where(
                Indicator.project == project_id
            )
            values, milestones = _check_indicator(data, dates, others, None, False)
            position = max((other["position"] for other in others), default=-1) + 1
            new_id = await insert_one(Indicator, project=project_id, position=position, **values)
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
    principal: Principal,
    indicator_id: int,
    data: IndicatorInput,
    *,
    correction_reason: str | None = None,
) -> IndicatorDetail:
    """Change the indicator as `data` gives it whole. In a project with a contract, a baseline,
    target or milestones it has change only as an administrator's correction with a reason
    (`grants.modifications.lock`)."""
    try:
        async with write_transaction():
            current = await first_or_not_found(
                Indicator.select().where(Indicator.id == indicator_id)
            )
            project_id = current["project"]
            principal.require(Action.EDIT_INDICATORS, project_id)
            dates = await project_dates(project_id)
            others = await Indicator.select(Indicator.id, Indicator.code).where(
                Indicator.project == project_id
            )
            logged = await IndicatorEntry.exists().where(IndicatorEntry.indicator == indicator_id)
            values, milestones = _check_indicator(data, dates, others, current, logged)
            before = _detail(current, (await milestones_of([indicator_id])).get(indicator_id, []))
            changed = _contract_changes(before, values, milestones)
            correction = await check_contract_changes(
                principal, project_id, changed, correction_reason
            )
            await Indicator.update(**values).where(Indicator.id == indicator_id)
            await Milestone.delete().where(Milestone.indicator == indicator_id)
            await _save_milestones(indicator_id, milestones)
            detail = _detail(current | values, milestones)
            await finish_correction(project_id, correction)
            await audit.record(
                "update",
                "indicator",
                indicator_id,
                actor=principal,
                project_id=project_id,
                before=_indicator_audit(before),
                after=_indicator_audit(detail),
                note=correction,
            )
    except INTEGRITY_ERRORS:
        raise _duplicate(data.code) from None
    return detail


def _contract_changes(
    before: IndicatorDetail, values: dict, milestones: list[MilestoneRow]
) -> dict[str, object]:
    """The contract figures the update changes (named as the input names them), each with
    its value before."""
    changed: dict[str, object] = {}
    if values["baseline_hundredths"] != before.baseline_hundredths:
        changed["baseline"] = before.baseline_hundredths
    if values["target_hundredths"] != before.target_hundredths:
        changed["target"] = before.target_hundredths
    if list(milestones) != list(before.milestones):
        changed["milestones"] = list(before.milestones)
    return changed


def _duplicate(code: str) -> Refused:
    return Refused.one(_DUPLICATE_CODE, field="code", conflict=True, code=code.strip())


def _check_indicator(
    data: IndicatorInput,
    dates: tuple[date | None, date | None],
    others: list[dict],
    current: dict | None,
    logged: bool,
) -> tuple[dict, list[MilestoneRow]]:
    """Column values and milestones, or Refused with every problem (409 for a duplicate code)."""
    problems = Problems()
    code = problems.text(data.code, "code", limit=Indicator.code.length, required=_CODE_REQUIRED)
    name = problems.text(data.name, "name", required=_NAME_REQUIRED)
    typed_aggregation, source = _common_source(problems, data)
    aggregation = (
        Aggregation.COMMON
        if typed_aggregation == Aggregation.COMMON
        else problems.choice(typed_aggregation, _CHOSEN_AGGREGATIONS, "aggregation")
    )
    if current and logged and aggregation and aggregation != current["aggregation"]:
        problems.add(_AGGREGATION_FIXED, "aggregation")
    rule = problems.choice(data.target_rule, sorted(TargetRule), "target_rule")
    decimals = _decimals(problems, data.decimals, aggregation)
    target = problems.hundredths(data.target, "target", required=False)
    check_decimals(problems, target, decimals, "target")
    if target is not None and rule == TargetRule.NONE:
        problems.add(_TARGET_WITHOUT_RULE, "target")
    if target is not None and aggregation == Aggregation.PERCENTAGE and target > HUNDRED_PERCENT:
        problems.add(_PERCENT_ABOVE_100, "target")
    breakdowns = [
        problems.choice(b.strip(), sorted(Breakdown), "breakdowns") for b in data.breakdowns
    ]
    baseline = problems.hundredths(data.baseline, "baseline", required=False)
    check_decimals(problems, baseline, decimals, "baseline")
    values = {
        "code": code,
        "name_lv": name,
        "name_en": problems.text(data.name_en, "name_en"),
        "unit_lv": problems.text(data.unit, "unit", limit=Indicator.unit_lv.length),
        "unit_en": problems.text(data.unit_en, "unit_en", limit=Indicator.unit_en.length),
        "target_hundredths": target,
        "baseline_hundredths": baseline,
        "target_rule": rule,
        "aggregation": aggregation,
        "vocabulary": problems.choice(data.vocabulary, sorted(IndicatorVocabulary), "vocabulary"),
        "kind": problems.choice(data.kind, sorted(IndicatorKind), "kind"),
        "breakdowns": _stored_breakdowns(problems, aggregation, breakdowns),
        "measured_after_end": bool(data.measured_after_end),
        "min_stay_months": _min_stay(problems, data.min_stay_months, aggregation),
        "target_group": _target_group(problems, data.target_group, aggregation),
        "decimals": decimals,
        "source": source,
    }
    milestones = check_milestones(problems, data.milestones, dates, decimals)
    own_id = current["id"] if current else None
    taken = {other["code"].casefold() for other in others if other["id"] != own_id}
    duplicate = bool(code) and code.casefold() in taken
    if duplicate:
        problems.add(_DUPLICATE_CODE, "code", code=code)
    problems.raise_if_any(conflict=duplicate)
    return values, milestones


def _common_source(problems: Problems, data: IndicatorInput) -> tuple[str, str]:
    """(aggregation, source): a common indicator's code, given as the source or as the
    aggregation, makes the aggregation "common"; "common" needs a known code, others none."""
    from grants.results.common import common_code  # common counts from this module's figures

    aggregation = (data.aggregation or "").strip()
    typed = (data.source or "").strip()
    if common_code(aggregation) or _LOOKS_COMMON.fullmatch(aggregation):
        aggregation, typed = Aggregation.COMMON, typed or aggregation
    elif typed and common_code(typed) and aggregation in ("", Aggregation.SUM):
        aggregation = Aggregation.COMMON
    if aggregation != Aggregation.COMMON:
        if typed:
            problems.add(_SOURCE_NOT_HERE, "source")
        return aggregation, ""
    if not typed:
        problems.add(_SOURCE_REQUIRED, "source")
        return aggregation, ""
    code = common_code(typed)
    if code is None:
        problems.add(_SOURCE_UNKNOWN, "source", code=typed)
        return aggregation, ""
    return aggregation, code


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


def default_decimals(aggregation: str | None, unit_lv: str = "", unit_en: str = "") -> int:
    """0 for counts from the register and units counted whole (persons, families…), else 2."""
    units = f"{unit_lv} {unit_en}".casefold()
    if aggregation in REGISTER_AGGREGATIONS or any(word in units for word in WHOLE_UNIT_WORDS):
        return 0
    return MAX_DECIMALS


def _decimals(problems: Problems, given: object, aggregation: str | None) -> int:
    """0, 1 or 2; none given: 0 for counts from the register, otherwise 2."""
    typed = "" if given is None else str(given).strip()
    if not typed:
        return 0 if aggregation in REGISTER_AGGREGATIONS else MAX_DECIMALS
    if typed not in ("0", "1", "2"):
        problems.add(_DECIMALS_MALFORMED, "decimals")
        return MAX_DECIMALS
    return int(typed)


def check_decimals(problems: Problems, figure: int | None, decimals: int, where: str) -> None:
    """A problem when the figure (hundredths) has more decimals than the indicator takes."""
    if figure is None or figure % 10 ** (MAX_DECIMALS - decimals) == 0:
        return
    if decimals == 0:
        problems.add(_WHOLE_UNITS_ONLY, where)
    else:
        problems.add(_ONE_DECIMAL, where)


def _target_group(problems: Problems, text: str | None, aggregation: str | None) -> str:
    group = problems.text(text, "target_group", limit=Indicator.target_group.length).casefold()
    counted = aggregation in REGISTER_AGGREGATIONS and aggregation != Aggregation.COMMON
    if group and aggregation and not counted:
        problems.add(_TARGET_GROUP_NOT_HERE, "target_group")
    return group


def check_milestones(
    problems: Problems,
    milestones: Iterable[tuple[str, str]],
    dates: tuple[date | None, date | None],
    decimals: int = MAX_DECIMALS,
) -> list[MilestoneRow]:
    """Milestones must fall within the project (when both its dates are known)."""
    start, end = dates
    checked = []
    for index, (day_text, value_text) in enumerate(milestones):
        where = f"milestones.{index}"
        day = problems.date(day_text, f"{where}.date", required=_MILESTONE_DATE_REQUIRED)
        if day is not None and start and end:
            problems.within_project(day, start, end, f"{where}.date")
        value = problems.hundredths(value_text, f"{where}.value")
        check_decimals(problems, value, decimals, f"{where}.value")
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
        for row in await Milestone.raw(
            "SELECT indicator, due_date, value_hundredths FROM milestone"
            f" WHERE indicator IN ({marks(indicator_ids)}) ORDER BY due_date",
            *indicator_ids,
        ):
            found.setdefault(row["indicator"], []).append(
                MilestoneRow(row["due_date"], row["value_hundredths"])
            )
    return found


def _detail(row: dict, milestones: Iterable[MilestoneRow]) -> IndicatorDetail:
    return from_row(
        IndicatorDetail,
        row,
        project_id=row["project"],
        breakdowns=breakdown_dimensions(row["breakdowns"]),
        milestones=tuple(milestones),
    )


def _indicator_audit(detail: IndicatorDetail) -> dict:
    return {
        **{name: getattr(detail, name) for name in IndicatorRow.__dataclass_fields__},
        "breakdowns": list(detail.breakdowns),
        "min_stay_months": detail.min_stay_months,
        "target_group": detail.target_group,
        "decimals": detail.decimals,
        "source": detail.source,
        "milestones": [
            {"due_date": m.due_date.isoformat(), "value_hundredths": m.value_hundredths}
            for m in detail.milestones
        ],
    }


def breakdown_dimensions(breakdowns: str) -> tuple[str, ...]:
    return tuple(b for b in breakdowns.split(",") if b)
