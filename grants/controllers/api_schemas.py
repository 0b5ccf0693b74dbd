"""JSON shapes of the API. Money is a decimal string with two decimals ("252091.67")."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from msgspec import Struct

from grants.core.audit import AuditRow
from grants.core.money import cents_to_str, rate_to_str
from grants.projects.editing import FundingLineInput, ProjectInput
from grants.projects.funding_plan import Check, PlanLine
from grants.projects.reading import IndicatorRow, PartnerRow, ProjectDetail, ProjectSummary


def money_str(cents: int | None) -> str | None:
    """Money in the API: a decimal string with two decimals, or null when unknown."""
    return None if cents is None else cents_to_str(cents)


def decimal_str(value: Decimal | None) -> str | None:
    """A computed percentage or average, already rounded by the domain."""
    return None if value is None else str(value)


def quantity_str(hundredths: int | None) -> str | None:
    """Indicator figures without needless decimals: 1200 → "12", 250 → "2.5"."""
    if hundredths is None:
        return None
    return format(Decimal(hundredths).scaleb(-2).normalize(), "f")


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


class FundingLineIn(Struct):
    """A funding line: a rate of its base ("85.00") or a fixed `amount`; `residual` takes the
    remainder so the lines add up to their base. `kind` is guessed from the source if absent."""

    source: str
    rate: str | None = None
    amount: str | None = None
    residual: bool = False
    base: str = "eligible"
    kind: str | None = None
    partner_id: int | None = None


class ProjectIn(Struct):
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
    total_cost: str | None = None
    eligible_cost: str | None = None
    amount_kind: str | None = None
    reporting: str | None = None
    funding: list[FundingLineIn] | None = None


def project_input(body: ProjectIn) -> ProjectInput:
    fields = {f: getattr(body, f) for f in body.__struct_fields__ if f != "funding"}
    funding = None
    if body.funding is not None:
        funding = [
            FundingLineInput(**{f: getattr(ln, f) for f in ln.__struct_fields__})
            for ln in body.funding
        ]
    return ProjectInput(**fields, funding=funding)


def project_out(p: ProjectSummary) -> ProjectOut:
    return ProjectOut(**_summary_fields(p))


def _summary_fields(p: ProjectSummary) -> dict:
    return {
        "id": p.id,
        "code": p.code,
        "title": p.title_lv,
        "title_en": p.title_en,
        "programme": p.programme_code,
        "measure": p.measure_code,
        "fund": p.fund,
        "our_role": p.our_role.value,
        "status": p.status.value,
        "amount_kind": p.amount_kind.value,
        "start_date": p.start_date,
        "end_date": p.end_date,
        "total_cost": money_str(p.total_cost),
        "eligible_cost": money_str(p.eligible_cost),
        "ineligible_cost": money_str(p.ineligible_cost),
        "eu_share": money_str(p.eu_share),
    }


def _line_out(line: PlanLine) -> FundingLineOut:
    return FundingLineOut(
        source=line.source,
        kind=line.kind.value,
        base=line.base.value,
        rate=None if line.rate_bp is None else rate_to_str(line.rate_bp),
        fixed_amount=money_str(line.fixed_amount),
        residual=line.residual,
        partner_id=line.partner_id,
        base_amount=money_str(line.base_amount),
        amount=money_str(line.amount),
    )


def _check_out(check: Check) -> CheckOut:
    return CheckOut(
        name=check.name,
        base=check.base.value if check.base else None,
        partner_id=check.partner_id,
        expected=cents_to_str(check.expected),
        actual=cents_to_str(check.actual),
        difference=cents_to_str(check.difference),
        passed=check.passed,
    )


def _partner_out(p: PartnerRow) -> PartnerOut:
    return PartnerOut(p.id, p.organisation, p.country, p.role, money_str(p.budget), p.is_own)


def _indicator_out(i: IndicatorRow) -> IndicatorOut:
    return IndicatorOut(
        id=i.id,
        code=i.code,
        name=i.name_lv,
        name_en=i.name_en,
        kind=i.kind,
        vocabulary=i.vocabulary,
        unit=i.unit_lv,
        unit_en=i.unit_en,
        baseline=quantity_str(i.baseline_hundredths),
        target=quantity_str(i.target_hundredths),
        target_rule=i.target_rule,
        aggregation=i.aggregation,
        measured_after_end=i.measured_after_end,
    )


def project_detail_out(d: ProjectDetail) -> ProjectDetailOut:
    return ProjectDetailOut(
        **_summary_fields(d.summary),
        holder=d.holder,
        intermediate_body=d.intermediate_body,
        reporting=d.reporting,
        eu_ceiling=money_str(d.eu_ceiling),
        decision_date=d.decision_date,
        contract_ref=d.contract_ref,
        funding=[_line_out(ln) for ln in d.plan.lines],
        checks=[_check_out(c) for c in d.plan.checks],
        partners=[_partner_out(p) for p in d.partners],
        indicators=[_indicator_out(i) for i in d.indicators],
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
    return AuditOut(
        row.id, row.at, row.actor, row.action, row.entity, row.entity_id, row.before, row.after,
        row.note,
    )  # fmt: skip
