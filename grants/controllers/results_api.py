"""API for indicators and their values."""

from datetime import datetime

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import Struct, field

from grants.controllers.api_schemas import (
    In,
    Quantity,
    decimal_str,
    indicator_fields,
    quantity_fields,
    to_input,
    to_output,
)
from grants.core.i18n import gettext
from grants.core.money import quantity_str
from grants.results.common import CommonIndicators, Count, common_indicators
from grants.results.entries import EntryInput, EntryRow, entry_history, log_entry
from grants.results.indicators import (
    IndicatorDetail,
    IndicatorInput,
    create_indicator,
    update_indicator,
)
from grants.results.progress import IndicatorProgress, indicator_progress
from grants.web import CurrentPrincipal


class MilestoneIn(In):
    date: str = ""
    value: Quantity = ""


class IndicatorIn(In):
    """Figures as text ("12", "1 234,5"); `aggregation` sum | cumulative | percentage;
    `aggregation` participants | households | completed counts from the register;
    `breakdowns` from gender, age; milestones as {"date": "2026-12-31", "value": "6"}."""

    code: str
    name: str
    name_en: str = ""
    unit: str = ""
    unit_en: str = ""
    target: Quantity | None = None
    baseline: Quantity | None = None
    target_rule: str = "at_least"
    aggregation: str = "sum"
    vocabulary: str = "project"
    kind: str = "output"
    breakdowns: list[str] = field(default_factory=list)
    milestones: list[MilestoneIn] = field(default_factory=list)
    measured_after_end: bool = False
    # "participants" | "households" | "completed": same as aggregation; or an ESF+ common
    # indicator's code ("EECO01"…"EECR06"): aggregation "common", counted as that indicator
    source: str | None = None
    min_stay_months: int | None = None  # "completed" and "households": the minimum stay
    target_group: str = ""  # register-counted indicators: only this group
    # decimals a figure takes, 0–2 (0: whole units); none: 0 for register counts, otherwise 2
    decimals: int | None = None


class IndicatorChangeIn(IndicatorIn):
    """The indicator whole, as `IndicatorIn`. In a project with a contract (contracted, in
    progress or closed), a baseline, target or milestones it has change only through a
    modification; an administrator may correct an obvious typo in them with a
    `correction_reason`, which the audit trail records."""

    correction_reason: str | None = None


class IndicatorDefinitionOut(Struct):
    id: int
    code: str
    name: str
    name_en: str
    unit: str
    target: str | None
    baseline: str | None
    target_rule: str
    aggregation: str
    breakdowns: list[str]
    milestones: list[dict[str, str | None]]
    min_stay_months: int | None
    target_group: str
    decimals: int
    source: str = ""  # aggregation "common": the ESF+ common indicator's code


class EntryIn(In):
    """`value`, or `numerator` and `denominator` for a percentage indicator; `breakdown` such
    as {"gender": {"women": "3", "men": "2", "non_binary": "0"}}."""

    period_id: int
    value: Quantity | None = None
    numerator: Quantity | None = None
    denominator: Quantity | None = None
    breakdown: dict[str, dict[str, Quantity]] = field(default_factory=dict)
    comment: str = ""
    evidence_ref: str = ""
    attachment_id: int | None = None


class EntryOut(Struct):
    id: int
    indicator_id: int
    period_id: int
    state: str
    value: str | None
    numerator: str | None
    denominator: str | None
    breakdown: dict[str, dict[str, str | None]]
    breakdown_complete: bool
    comment: str
    evidence_ref: str
    created_by: str | None
    created_at: datetime


class BreakdownOut(Struct):
    dimension: str
    categories: dict[str, str | None]
    total: str | None
    difference: str | None
    complete: bool


class ProgressOut(Struct):
    id: int
    code: str
    name: str
    unit: str
    aggregation: str
    target: str | None
    target_rule: str
    previously: str | None
    this_period: str | None
    to_date: str | None
    actual: str | None
    percent_of_target: str | None
    breakdown: list[BreakdownOut]
    decimals: int


class CountOut(Struct):
    """Persons, with the breakdown by gender (women, men, non_binary) and age group at entry
    (under_18, 18_29, 30_54, 55_plus), every category present."""

    value: int
    breakdown: dict[str, dict[str, int]]


class CommonIndicatorOut(Struct):
    """An ESF+ common indicator (Regulation (EU) 2021/1057, Annex I; the Commission's codes).
    `value` and `breakdown` are to date: up to the period's end, or everything without a
    period; `period` is the period's own count (null without `period_id`). Special-category
    indicators (EECO12, EECO15) are `withheld` (value null) from roles that may not see them."""

    code: str
    name: str
    kind: str
    special_category: bool
    withheld: bool
    value: int | None
    breakdown: dict[str, dict[str, int]] | None
    period: CountOut | None
    period_id: int | None
    start: str | None
    end: str | None


def _count_out(count: Count | None) -> CountOut | None:
    return None if count is None else CountOut(count.value, count.breakdown)


def common_out(found: CommonIndicators) -> list[CommonIndicatorOut]:
    return [
        CommonIndicatorOut(
            code=v.code,
            name=gettext(v.name),
            kind=v.kind,
            special_category=v.special,
            withheld=v.withheld,
            value=None if v.to_date is None else v.to_date.value,
            breakdown=None if v.to_date is None else v.to_date.breakdown,
            period=_count_out(v.period),
            period_id=found.period_id,
            start=found.start.isoformat() if found.start else None,
            end=found.end.isoformat() if found.end else None,
        )
        for v in found.values
    ]


def indicator_out(i: IndicatorDetail) -> IndicatorDefinitionOut:
    return to_output(
        i,
        IndicatorDefinitionOut,
        **indicator_fields(i),
        breakdowns=list(i.breakdowns),
        milestones=[
            {"date": m.due_date.isoformat(), "value": quantity_str(m.value_hundredths)}
            for m in i.milestones
        ],
    )


def _quantities(figures: dict[str, int]) -> dict[str, str | None]:
    return {name: quantity_str(figure) for name, figure in figures.items()}


def entry_out(e: EntryRow) -> EntryOut:
    return to_output(
        e,
        EntryOut,
        value=quantity_str(e.value_hundredths),
        numerator=quantity_str(e.numerator_hundredths),
        denominator=quantity_str(e.denominator_hundredths),
        breakdown={dimension: _quantities(figures) for dimension, figures in e.breakdown.items()},
        created_by=e.created_by_email,
    )


def progress_out(p: IndicatorProgress) -> ProgressOut:
    return to_output(
        p,
        ProgressOut,
        id=p.indicator_id,
        name=p.name_lv,
        unit=p.unit_lv,
        target=quantity_str(p.target_hundredths),
        actual=quantity_str(p.to_date),
        **quantity_fields(p, "previously", "this_period", "to_date"),
        percent_of_target=decimal_str(p.percent_of_target),
        breakdown=[
            to_output(
                b,
                BreakdownOut,
                categories=_quantities(b.categories),
                **quantity_fields(b, "total", "difference"),
            )
            for b in p.breakdown
        ],
    )


def _indicator(data: IndicatorIn, leave_out: tuple[str, ...] = ()) -> IndicatorInput:
    return to_input(
        data,
        IndicatorInput,
        leave_out=("source", *leave_out),
        aggregation=data.source or data.aggregation,
        milestones=[(m.date, m.value) for m in data.milestones],
        min_stay_months=None if data.min_stay_months is None else str(data.min_stay_months),
    )


class ResultsApi(Controller):
    path = "/api/v1"
    tags = ("indicators",)

    @get("/projects/{project_id:int}/indicators")
    async def indicators(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        period_id: FromQuery[int | None] = None,
    ) -> list[ProgressOut]:
        """Each indicator: target, previously reported, this period, to date (`actual`), % of
        target and breakdowns, as of the period or over all periods."""
        return [progress_out(p) for p in await indicator_progress(principal, project_id, period_id)]

    @post("/projects/{project_id:int}/indicators")
    async def create_indicator(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[IndicatorIn]
    ) -> IndicatorDefinitionOut:
        return indicator_out(await create_indicator(principal, project_id, _indicator(data)))

    @put("/indicators/{indicator_id:int}")
    async def replace_indicator(
        self,
        principal: CurrentPrincipal,
        indicator_id: FromPath[int],
        data: JSONBody[IndicatorChangeIn],
    ) -> IndicatorDefinitionOut:
        """Replace the indicator's definition with the one sent whole (what is left out takes
        its default, as when creating). A project with a contract refuses a change to a
        baseline, target or milestones the indicator has (409: propose a modification) unless
        an administrator gives a `correction_reason`."""
        indicator = _indicator(data, leave_out=("correction_reason",))
        changed = await update_indicator(
            principal, indicator_id, indicator, correction_reason=data.correction_reason
        )
        return indicator_out(changed)

    @post("/indicators/{indicator_id:int}/entries")
    async def log_entry(
        self, principal: CurrentPrincipal, indicator_id: FromPath[int], data: JSONBody[EntryIn]
    ) -> EntryOut:
        """Log the value for a period; logging again for the period supersedes, keeping history.
        A breakdown that does not add up is kept and flagged (`breakdown_complete`)."""
        return entry_out(await log_entry(principal, indicator_id, to_input(data, EntryInput)))

    @get("/indicators/{indicator_id:int}/entries")
    async def entries(
        self, principal: CurrentPrincipal, indicator_id: FromPath[int], period_id: FromQuery[int]
    ) -> list[EntryOut]:
        """Every value logged for the period, newest first (superseded ones included)."""
        return [entry_out(e) for e in await entry_history(principal, indicator_id, period_id)]

    @get("/projects/{project_id:int}/common-indicators")
    async def common_indicators(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        period_id: FromQuery[int | None] = None,
    ) -> list[CommonIndicatorOut]:
        """The ESF+ common indicators (EECO01–EECO17, EECR01–EECR06) counted from the
        participant register: to date (to the period's end) and in the period, by gender and
        age group at entry. Counts only; "refused" and unrecorded answers count nowhere."""
        return common_out(await common_indicators(principal, project_id, period_id))
