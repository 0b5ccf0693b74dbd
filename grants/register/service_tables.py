"""Service tables counted from the register, in the shape funders' reports use.

Per service: persons who received it, receipts and EUR. Below it the totals the seed reports
print and the spreadsheets got wrong: unique persons counted apart from the service rows (69
service-recipient pairs can be 63 people), EUR per person per month and average months of
service. Months are days / (365.25 / 12), entry and end day both counted; the ratios are
computed from exact day counts and rounded half-up once, at the end.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from grants.core.access import Action, Principal
from grants.core.money import quotient
from grants.register.services import service_catalogue
from grants.tables.participants import Participant, ServiceReceipt

# A month is 365.25 / 12 days, so months = days × 48 / 1461.
_MONTHS_PER_DAY = (48, 1461)


@dataclass(frozen=True)
class ServiceLine:
    service_id: int
    service: str  # Latvian name
    name_en: str
    persons: int  # unique participants who received it
    receipts: int
    amount: int  # cents


@dataclass(frozen=True)
class ServiceTable:
    lines: list[ServiceLine]  # the catalogue's order, services nobody received included
    unique_persons: int  # a person with several services counts once
    receipts: int
    total_amount: int  # cents
    person_days: int  # Σ per person: entry to exit (or to `until` / today while still in)
    person_months: Decimal  # two decimals, half-up
    eur_per_person_month: int | None  # cents, half-up; None without person-months
    average_months: Decimal | None  # one decimal, half-up; None without persons

    @property
    def service_persons(self) -> int:
        """Σ persons over the services: service-recipient pairs, not people."""
        return sum(line.persons for line in self.lines)


def _days(entry: date, exit_date: date | None, end: date) -> int:
    """Days in the stay up to `end`, both ends counted; 0 if it starts later."""
    last = min(exit_date, end) if exit_date else end
    return max((last - entry).days + 1, 0)


async def target_groups(principal: Principal, project_id: int) -> list[str]:
    """The target groups the project's participants are registered in, sorted; one query."""
    principal.require(Action.READ_REGISTER, project_id)
    rows = await (
        Participant.select(Participant.target_group)
        .where((Participant.project == project_id) & (Participant.target_group != ""))
        .distinct()
    )
    return sorted(row["target_group"] for row in rows)


async def service_table(
    principal: Principal,
    project_id: int,
    *,
    target_group: str | None = None,
    until: date | None = None,
) -> ServiceTable:
    """The project's services as of `until` (receipts dated up to it; stays cut at it), for one
    target group or all. Two queries: the catalogue, and the receipts with their persons."""
    principal.require(Action.READ_REGISTER, project_id)
    catalogue = await service_catalogue(project_id)
    receipts = await _receipts(project_id, target_group, until)
    end = until or date.today()
    persons: dict[int, set[int]] = {}
    counts: dict[int, int] = {}
    amounts: dict[int, int] = {}
    stays: dict[int, int] = {}
    for row in receipts:
        service = row["service"]
        persons.setdefault(service, set()).add(row["participant"])
        counts[service] = counts.get(service, 0) + 1
        amounts[service] = amounts.get(service, 0) + row["amount"]
        stays[row["participant"]] = _days(row["entry_date"], row["exit_date"], end)
    lines = [
        ServiceLine(
            service_id=s.id,
            service=s.name_lv,
            name_en=s.name_en,
            persons=len(persons.get(s.id, ())),
            receipts=counts.get(s.id, 0),
            amount=amounts.get(s.id, 0),
        )
        for s in catalogue
    ]
    return _totals(lines, stays)


def _totals(lines: list[ServiceLine], stays: dict[int, int]) -> ServiceTable:
    total = sum(line.amount for line in lines)
    days = sum(stays.values())
    per_month, per_day = _MONTHS_PER_DAY
    return ServiceTable(
        lines=lines,
        unique_persons=len(stays),
        receipts=sum(line.receipts for line in lines),
        total_amount=total,
        person_days=days,
        person_months=quotient(days * per_month, per_day, 2) or Decimal("0.00"),
        eur_per_person_month=_per_month(total, days),
        average_months=quotient(days * per_month, per_day * len(stays), 1) if stays else None,
    )


def _per_month(total_cents: int, days: int) -> int | None:
    """Cents per person-month: total / (days × 48 / 1461), half-up to the cent."""
    if not days:
        return None
    per_month, per_day = _MONTHS_PER_DAY
    return int(quotient(total_cents * per_day, days * per_month, 0))


async def _receipts(project_id: int, target_group: str | None, until: date | None) -> list[dict]:
    query = ServiceReceipt.select(
        ServiceReceipt.service,
        ServiceReceipt.participant,
        ServiceReceipt.amount,
        ServiceReceipt.participant.entry_date.as_alias("entry_date"),
        ServiceReceipt.participant.exit_date.as_alias("exit_date"),
    ).where(ServiceReceipt.project == project_id)
    if target_group:
        query = query.where(
            ServiceReceipt.participant.target_group == target_group.strip().casefold()
        )
    if until is not None:
        query = query.where(ServiceReceipt.received_on <= until)
    return await query
