"""Simplified cost options from the service register (CPR 2021/1060 Art. 53(1)(b)–(c)).

A project whose contract allows it (`project.simplified_costs`, set by admin or finance, since
the contract decides it, not the coordinator) may price catalogue services by a unit cost (a
rate per delivered unit, e.g. 42,50 per consultation hour) or a lump sum (an amount paid once
its deliverable is done). The flag is on the project rather than the measure: within one
measure some contracts use simplified costs and others real costs.

What a period may claim is computed, never typed: for a unit cost, the units of the period's
receipts summed first and multiplied by the rate once, half-up to the cent (3,25 × 42,50 =
138,125 → 138,13); for a lump sum, the amount in the period its deliverable was done.
`record_simplified_costs` turns that into one expenditure line per period and service through
the register's own functions (`record_expenditure`, `edit_expenditure`, `cancel_expenditure`),
so the co-financing check, the budget and payment claims take it as any invoice. The line's
invoice number `SCO-{service}-{period number}` keeps it one line per period and service.
"""

from dataclasses import dataclass
from datetime import date

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.dates import day_str
from grants.core.errors import NotFound, Problems, Refused, blank
from grants.core.money import (
    cents_to_str,
    from_cents,
    from_hundredths,
    money_str,
    quantity_str,
    to_cents,
)
from grants.core.translatable import N_
from grants.core.vocabulary import CostCategory, RecordState
from grants.db import first_or_not_found, write_transaction
from grants.finance.expenditures import (
    ExpenditureInput,
    cancel_expenditure,
    cost_categories,
    edit_expenditure,
    invoice_key,
    lock_entries,
    record_expenditure,
)
from grants.projects.periods import PeriodRow, get_period
from grants.tables.expenditures import Expenditure
from grants.tables.participants import Service, ServiceReceipt
from grants.tables.projects import Project

UNIT_COST = "unit_cost"
LUMP_SUM = "lump_sum"
KINDS = (UNIT_COST, LUMP_SUM)
DEFAULT_CATEGORY = CostCategory.EXTERNAL_SERVICES
# the correction note of a recorded line whose figures the register changed (data, kept as is)
CHANGE_NOTE = "service register: delivered units changed"
CANCEL_NOTE = "service register: nothing left to claim for the period"

_NO_OPTION = N_(
    "This project has no simplified cost option, so its services cannot carry a unit cost or a"
    " lump sum. Allow simplified costs for the project first, if its contract does."
)
_KIND_UNKNOWN = N_("Choose a unit cost, a lump sum or none.")
_RATE_REQUIRED = N_("Enter the rate: the price per unit, or the lump sum.")
_RATE_POSITIVE = N_("The rate must be more than zero.")
_DONE_ONLY_LUMP = N_("Only a lump sum has a deliverable to mark done.")
_CATEGORY_UNKNOWN = N_("There is no cost category “%(category)s” in this project.")
_STILL_USED = N_(
    "%(count)s services of this project carry a unit cost or a lump sum; remove them first."
)


@dataclass(frozen=True)
class CostOptionInput:
    """A service's simplified cost option as typed: `kind` "unit_cost", "lump_sum" or empty
    (none); `rate` an amount ("42,50"); `deliverable_done` a date, lump sums only."""

    kind: str = ""
    rate: str | None = None
    category: str = ""
    deliverable_done: str | None = None


@dataclass(frozen=True)
class CostOption:
    service_id: int
    project_id: int
    kind: str  # "" when none
    rate: int | None  # cents
    category: str
    deliverable_done: date | None


@dataclass(frozen=True)
class SimplifiedCostLine:
    """What one service may claim in a period, and the register line that claims it."""

    service_id: int
    service: str  # Latvian name
    service_en: str
    unit: str
    kind: str
    category: str
    rate: int  # cents per unit, or the lump sum
    units: int | None  # hundredths; None for a lump sum
    deliverable_done: date | None
    claimable: bool  # a lump sum only once its deliverable is done within the period
    amount: int  # cents; 0 when not claimable
    invoice_number: str
    expenditure_id: int | None  # the current register line, if recorded
    recorded_amount: int | None


@dataclass(frozen=True)
class SimplifiedCosts:
    project_id: int
    period: PeriodRow
    allowed: bool
    lines: list[SimplifiedCostLine]

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass(frozen=True)
class RecordedLine:
    service_id: int
    action: str  # "created", "corrected", "cancelled", "unchanged", "nothing"
    expenditure_id: int | None
    entry_no: int | None
    version: int | None


def units_amount(units: int, rate: int) -> int:
    """Units (hundredths) × rate (cents), exact, half-up to the cent once, on the total."""
    return to_cents(from_hundredths(units) * from_cents(rate))


async def set_simplified_costs(principal: Principal, project_id: int, allowed: bool) -> bool:
    """Allow or stop simplified costs for the project, as its contract says. Stopping them
    is refused while a service still carries an option."""
    principal.require(Action.EDIT_PROJECT, project_id)
    async with write_transaction():
        row = await first_or_not_found(
            Project.select(Project.simplified_costs).where(Project.id == project_id)
        )
        before = bool(row["simplified_costs"])
        if not allowed:
            used = await Service.count().where(
                (Service.project == project_id) & (Service.sco_kind != "")
            )
            if used:
                raise Refused.one(_STILL_USED, field="simplified_costs", count=str(used))
        if before != allowed:
            await Project.update({Project.simplified_costs: allowed}).where(
                Project.id == project_id
            )
            await audit.record(
                "update",
                "project",
                project_id,
                actor=principal,
                project_id=project_id,
                before={"simplified_costs": before},
                after={"simplified_costs": allowed},
            )
    return allowed


def _option(row: dict) -> CostOption:
    return CostOption(
        service_id=row["id"],
        project_id=row["project"],
        kind=row["sco_kind"],
        rate=row["sco_rate"],
        category=row["sco_category"],
        deliverable_done=row["deliverable_done"],
    )


def _option_audit(option: CostOption) -> dict:
    return {
        "kind": option.kind,
        "rate": money_str(option.rate),
        "category": option.category,
        "deliverable_done": option.deliverable_done.isoformat()
        if option.deliverable_done
        else None,
    }


_OPTION_COLUMNS = (
    Service.id,
    Service.project,
    Service.sco_kind,
    Service.sco_rate,
    Service.sco_category,
    Service.deliverable_done,
)


async def set_cost_option(
    principal: Principal, service_id: int, data: CostOptionInput
) -> CostOption:
    """Give a catalogue service a unit cost or a lump sum (or take it away, `kind` empty), as
    the programme or the contract sets it. Refused with every problem, nothing written; a
    project without the simplified cost option refuses any."""
    async with write_transaction():
        current = await first_or_not_found(
            Service.select(*_OPTION_COLUMNS).where(Service.id == service_id)
        )
        project_id = current["project"]
        principal.require(Action.EDIT_PROJECT, project_id)
        allowed = await first_or_not_found(
            Project.select(Project.simplified_costs).where(Project.id == project_id)
        )
        problems = Problems()
        kind = (data.kind or "").strip()
        if kind and kind not in KINDS:
            problems.add(_KIND_UNKNOWN, "kind")
        if kind and not allowed["simplified_costs"]:
            problems.add(_NO_OPTION, "kind")
        rate = category = done = None
        if kind:
            rate = problems.cents(data.rate, "rate", required=False)
            if rate is None and blank(data.rate):
                problems.add(_RATE_REQUIRED, "rate")
            elif rate is not None and rate <= 0:
                problems.add(_RATE_POSITIVE, "rate")
            category = (data.category or "").strip() or DEFAULT_CATEGORY.value
            if category not in await cost_categories(project_id):
                problems.add(_CATEGORY_UNKNOWN, "category", category=category)
            done = problems.date(data.deliverable_done, "deliverable_done")
            if done is not None and kind != LUMP_SUM:
                problems.add(_DONE_ONLY_LUMP, "deliverable_done")
        problems.raise_if_any()
        values = {
            Service.sco_kind: kind,
            Service.sco_rate: rate,
            Service.sco_category: category or "",
            Service.deliverable_done: done,
        }
        await Service.update(values).where(Service.id == service_id)
        after = CostOption(service_id, project_id, kind, rate, category or "", done)
        await audit.record(
            "update",
            "service",
            service_id,
            actor=principal,
            project_id=project_id,
            before=_option_audit(_option(current)),
            after=_option_audit(after),
        )
    return after


def invoice_number(service_id: int, period: PeriodRow) -> str:
    return f"SCO-{service_id}-{period.number}"


async def _period_of(principal: Principal, project_id: int, period_id: int) -> PeriodRow:
    period = await get_period(principal, period_id)
    if period.project_id != project_id:
        raise NotFound()
    return period


async def _lines(project_id: int, period: PeriodRow) -> list[SimplifiedCostLine]:
    services = await (
        Service.select()
        .where((Service.project == project_id) & (Service.sco_kind != ""))
        .order_by(Service.position)
        .order_by(Service.id)
    )
    if not services:
        return []
    receipts = await ServiceReceipt.select(
        ServiceReceipt.service, ServiceReceipt.units_hundredths
    ).where(
        (ServiceReceipt.project == project_id)
        & (ServiceReceipt.received_on >= period.start)
        & (ServiceReceipt.received_on <= period.end)
    )
    units: dict[int, int] = {}
    for r in receipts:  # summed in Python: SUM over integers comes back as float on SQLite
        units[r["service"]] = units.get(r["service"], 0) + int(r["units_hundredths"])
    numbers = {invoice_key(invoice_number(s["id"], period)): s["id"] for s in services}
    recorded = await Expenditure.select(
        Expenditure.id, Expenditure.invoice_key, Expenditure.supplier_key, Expenditure.amount
    ).where(
        (Expenditure.project == project_id)
        & (Expenditure.state == RecordState.CURRENT)
        & Expenditure.invoice_key.is_in(list(numbers))
    )
    names = {s["id"]: invoice_key(s["name_lv"]) for s in services}
    by_service = {
        numbers[r["invoice_key"]]: r
        for r in recorded
        if r["supplier_key"] == names[numbers[r["invoice_key"]]]  # ours, not a typed invoice
    }
    lines = []
    for s in services:
        line = by_service.get(s["id"])
        rate = s["sco_rate"] or 0
        if s["sco_kind"] == UNIT_COST:
            delivered = units.get(s["id"], 0)
            claimable, amount = True, units_amount(delivered, rate)
        else:
            delivered = None
            done = s["deliverable_done"]
            claimable = done is not None and period.start <= done <= period.end
            amount = rate if claimable else 0
        lines.append(
            SimplifiedCostLine(
                service_id=s["id"],
                service=s["name_lv"],
                service_en=s["name_en"],
                unit=s["unit_lv"],
                kind=s["sco_kind"],
                category=s["sco_category"] or DEFAULT_CATEGORY.value,
                rate=rate,
                units=delivered,
                deliverable_done=s["deliverable_done"],
                claimable=claimable,
                amount=amount,
                invoice_number=invoice_number(s["id"], period),
                expenditure_id=line["id"] if line else None,
                recorded_amount=line["amount"] if line else None,
            )
        )
    return lines


async def simplified_costs(
    principal: Principal, project_id: int, period_id: int, *, period: PeriodRow | None = None
) -> SimplifiedCosts:
    """What each service with a unit cost or lump sum may claim in the period, and what the
    register holds for it. Sums per service, nobody identified: every project reader sees it.
    `period`, when the caller has read it already (the co-financing page), saves a query; a
    project without the option and without such services costs one statement."""
    if period is None or period.id != period_id or period.project_id != project_id:
        period = await _period_of(principal, project_id, period_id)
    principal.require(Action.READ, project_id)
    [row] = await Project.raw(
        "SELECT simplified_costs, EXISTS (SELECT 1 FROM service WHERE service.project = {}"
        " AND service.sco_kind <> '') AS used FROM project WHERE project.id = {}",
        project_id,
        project_id,
    )
    lines = await _lines(project_id, period) if row["used"] else []
    return SimplifiedCosts(project_id, period, bool(row["simplified_costs"]), lines)


def _lv(figure: str | None) -> str:
    """A figure in the description as the register's Latvian readers write it: 42,50."""
    return (figure or "0").replace(".", ",")


def _expenditure(line: SimplifiedCostLine, period: PeriodRow) -> ExpenditureInput:
    """The line as the register takes it: dated the period's end, all of it eligible."""
    if line.kind == UNIT_COST:
        unit = f" {line.unit}" if line.unit else ""
        how = f"{_lv(quantity_str(line.units))}{unit} × {_lv(cents_to_str(line.rate))}"
    else:
        done = day_str(line.deliverable_done) if line.deliverable_done else "—"
        how = f"{_lv(cents_to_str(line.rate))} ({done})"
    return ExpenditureInput(
        date=period.end.isoformat(),
        amount=cents_to_str(line.amount),
        category=line.category,
        supplier=line.service,
        invoice_number=line.invoice_number,
        description=f"{line.service}: {how}",
        evidence_ref=f"service register {line.service_id}/{period.number}",
    )


async def record_simplified_costs(
    principal: Principal, project_id: int, period_id: int
) -> list[RecordedLine]:
    """Put the period's claimable simplified costs into the expenditure register, one line
    per service: recorded, corrected (a new version) when the figures changed since, or
    cancelled when nothing is left to claim. The register's refusals (a locked period, a claim
    sent to the funder) come through as they are, and then nothing is written."""
    principal.require(Action.RECORD_EXPENDITURE, project_id)
    async with write_transaction():
        await lock_entries(project_id)
        costs = await simplified_costs(principal, project_id, period_id)
        if costs.lines and not costs.allowed:
            raise Refused.one(_NO_OPTION, field="simplified_costs")
        done = []
        for line in costs.lines:
            data = _expenditure(line, costs.period)
            wanted = line.claimable and line.amount > 0
            if line.expenditure_id is None and wanted:
                row = await record_expenditure(principal, project_id, data)
                action = "created"
            elif line.expenditure_id is not None and not wanted:
                row = await cancel_expenditure(principal, line.expenditure_id, CANCEL_NOTE)
                action = "cancelled"
            elif line.expenditure_id is not None and await _changed(line.expenditure_id, data):
                row = await edit_expenditure(principal, line.expenditure_id, data, CHANGE_NOTE)
                action = "corrected"
            else:
                action = "unchanged" if line.expenditure_id else "nothing"
                row = None
            ids = (row.id, row.entry_no, row.version) if row else (line.expenditure_id, None, None)
            done.append(RecordedLine(line.service_id, action, *ids))
    return done


async def _changed(expenditure_id: int, data: ExpenditureInput) -> bool:
    row = await first_or_not_found(
        Expenditure.select(Expenditure.amount, Expenditure.category, Expenditure.description).where(
            Expenditure.id == expenditure_id
        )
    )
    return (cents_to_str(row["amount"]), row["category"], row["description"]) != (
        data.amount,
        data.category,
        data.description,
    )


@dataclass(frozen=True)
class ServiceCostOption:
    """A catalogue service with its simplified cost option, for the page that sets them."""

    service_id: int
    service: str  # Latvian name
    service_en: str
    unit: str
    option: CostOption


@dataclass(frozen=True)
class CostOptions:
    project_id: int
    allowed: bool  # the contract allows simplified costs
    services: list[ServiceCostOption]


async def cost_options(principal: Principal, project_id: int) -> CostOptions:
    """Whether the project allows simplified costs, and its catalogue with each service's
    option: what admin and finance, who set them as the contract says, see to set them."""
    principal.require(Action.EDIT_PROJECT, project_id)
    project = await first_or_not_found(
        Project.select(Project.simplified_costs).where(Project.id == project_id)
    )
    rows = await (
        Service.select(*_OPTION_COLUMNS, Service.name_lv, Service.name_en, Service.unit_lv)
        .where(Service.project == project_id)
        .order_by(Service.position)
        .order_by(Service.id)
    )
    services = [
        ServiceCostOption(row["id"], row["name_lv"], row["name_en"], row["unit_lv"], _option(row))
        for row in rows
    ]
    return CostOptions(project_id, bool(project["simplified_costs"]), services)
