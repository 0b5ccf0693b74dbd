"""JSON shapes of the API. Money is a decimal string with two decimals ("252091.67")."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from msgspec import Meta, Struct, structs

from grants.core.audit import AuditRow
from grants.core.money import money_str, quantity_str, rate_str
from grants.core.paging import Paged
from grants.core.translatable import N_
from grants.projects.editing import FundingLineInput, ProjectInput
from grants.projects.funding_plan import Check, PlanLine
from grants.projects.reading import IndicatorRow, ProjectDetail, ProjectSummary
from grants.web.refusals import AS_STRING

T = TypeVar("T")
S = TypeVar("S", bound=Struct)
P = TypeVar("P", bound="Page")


class In(Struct, forbid_unknown_fields=True):
    """Every API input: a misspelt or unknown field is refused, never silently ignored."""


# Money, rates and decimal figures travel as decimal strings, so they stay exact; a JSON number
# sent for one is refused with the message under AS_STRING (see grants.web.refusals).
Money = Annotated[
    str,
    Meta(
        description='An amount in euros as a decimal string: "1234.50" (or "1 234,50").',
        examples=["1234.50"],
        extra={AS_STRING: N_('Send the amount as a string, e.g. "1234.50".')},
    ),
]
Rate = Annotated[
    str,
    Meta(
        description='A percentage as a decimal string: "85.00".',
        examples=["85.00"],
        extra={AS_STRING: N_('Send the rate as a string, e.g. "85.00".')},
    ),
]
Quantity = Annotated[
    str,
    Meta(
        description='A figure (persons, hours, units) as a decimal string: "12" or "12.5".',
        examples=["12.5"],
        extra={AS_STRING: N_('Send the figure as a string, e.g. "12.5".')},
    ),
]


def decimal_str(value: Decimal | None) -> str | None:
    """A computed percentage or average, already rounded by the domain."""
    return None if value is None else str(value)


def to_input(
    body: Struct, into: Callable[..., T], *, leave_out: tuple[str, ...] = (), **values: Any
) -> T:
    """The domain's input from an API body, field by field of the same name, without
    `leave_out`; `values` add fields or replace them."""
    fields = {f: getattr(body, f) for f in body.__struct_fields__ if f not in leave_out}
    return into(**(fields | values))


def money_fields(record: object, *names: str) -> dict[str, str | None]:
    """The named amounts of a record, as the API writes money."""
    return {name: money_str(getattr(record, name)) for name in names}


def quantity_fields(record: object, *names: str) -> dict[str, str | None]:
    """The named figures (hundredths) of a record, as the API writes them."""
    return {name: quantity_str(getattr(record, name)) for name in names}


class Page(Struct):
    """One page of a list that grows with the data (`page` from 1, `per_page` rows a page);
    `total`: how many match on all pages. A page beyond the last has no items."""

    total: int
    page: int
    per_page: int


def page_out(into: type[P], paged: Paged, item: Callable[[Any], Any]) -> P:
    """An API page (a `Page` with its `items`) from a domain page, each row through `item`."""
    return into(
        items=[item(row) for row in paged.rows],
        total=paged.total,
        page=paged.page,
        per_page=paged.per_page,
    )


def to_output(record: object, into: type[S], **values: Any) -> S:
    """An API shape from a domain record: each field from the attribute of the same name,
    unless `values` gives it (a renamed or converted one)."""
    fields = {f: getattr(record, f) for f in into.__struct_fields__ if f not in values}
    return into(**(fields | values))


class ProjectOut(Struct):
    id: int
    code: str
    title: str
    title_en: str
    programme: str
    measure: str
    fund: str
    our_role: str
    status: str
    amount_kind: str
    start_date: date | None
    end_date: date | None
    total_cost: str | None
    eligible_cost: str | None
    ineligible_cost: str | None
    eu_share: str | None


class FundingLineOut(Struct):
    source: str
    kind: str
    base: str
    rate: str | None
    fixed_amount: str | None
    residual: bool
    partner_id: int | None
    base_amount: str | None
    amount: str | None


class CheckOut(Struct):
    name: str
    base: str | None
    partner_id: int | None
    expected: str
    actual: str
    difference: str
    passed: bool


class PartnerOut(Struct):
    id: int
    organisation: str
    country: str
    role: str
    budget: str | None
    is_own: bool


class IndicatorOut(Struct):
    id: int
    code: str
    name: str
    name_en: str
    kind: str
    vocabulary: str
    unit: str
    unit_en: str
    baseline: str | None
    target: str | None
    target_rule: str
    aggregation: str
    measured_after_end: bool


class ProjectDetailOut(ProjectOut):
    holder: str | None
    intermediate_body: str | None
    reporting: str
    eu_ceiling: str | None
    decision_date: date | None
    contract_ref: str
    funding: list[FundingLineOut]
    checks: list[CheckOut]
    partners: list[PartnerOut]
    indicators: list[IndicatorOut]


class FundingLineIn(In):
    """A funding line: a rate of its base ("85.00") or a fixed `amount`; `residual` takes the
    remainder so the lines add up to their base. `kind` is guessed from the source if absent."""

    source: str
    rate: Rate | None = None
    amount: Money | None = None
    residual: bool = False
    base: str = "eligible"
    kind: str | None = None
    partner_id: int | None = None


class ProjectIn(In):
    """A project to create (code, title, measure required) or the fields to change.
    Money as decimal strings ("296578.43" or "296 578,43"); dates as "2026-01-01"."""

    code: str | None = None
    title: str | None = None
    title_en: str | None = None
    measure: str | None = None
    our_role: str | None = None
    status: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    total_cost: Money | None = None
    eligible_cost: Money | None = None
    amount_kind: str | None = None
    reporting: str | None = None
    funding: list[FundingLineIn] | None = None


def project_input(body: ProjectIn) -> ProjectInput:
    funding = body.funding
    if funding is not None:
        funding = [to_input(line, FundingLineInput) for line in funding]
    return to_input(body, ProjectInput, funding=funding)


def project_out(p: ProjectSummary) -> ProjectOut:
    return to_output(
        p,
        ProjectOut,
        title=p.title_lv,
        programme=p.programme_code,
        measure=p.measure_code,
        **money_fields(p, "total_cost", "eligible_cost", "ineligible_cost", "eu_share"),
    )


def funding_line_out(line: PlanLine) -> FundingLineOut:
    return to_output(
        line,
        FundingLineOut,
        rate=rate_str(line.rate_bp),
        **money_fields(line, "fixed_amount", "base_amount", "amount"),
    )


def _check_out(check: Check) -> CheckOut:
    return to_output(
        check,
        CheckOut,
        base=check.base.value if check.base else None,
        **money_fields(check, "expected", "actual", "difference"),
    )


def indicator_fields(i: IndicatorRow) -> dict[str, str | None]:
    """What every API shape of an indicator names or writes otherwise than the domain."""
    return {
        "name": i.name_lv,
        "unit": i.unit_lv,
        "target": quantity_str(i.target_hundredths),
        "baseline": quantity_str(i.baseline_hundredths),
    }


def project_detail_out(d: ProjectDetail) -> ProjectDetailOut:
    return to_output(
        d,
        ProjectDetailOut,
        **structs.asdict(project_out(d.summary)),
        eu_ceiling=money_str(d.eu_ceiling),
        funding=[funding_line_out(ln) for ln in d.plan.lines],
        checks=[_check_out(c) for c in d.plan.checks],
        partners=[to_output(p, PartnerOut, budget=money_str(p.budget)) for p in d.partners],
        indicators=[to_output(i, IndicatorOut, **indicator_fields(i)) for i in d.indicators],
    )


class AuditOut(Struct):
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    before: Any
    after: Any
    note: str


def audit_out(row: AuditRow) -> AuditOut:
    return to_output(row, AuditOut)
