"""The services a project offers (its catalogue) and the receipts of them by participants.

A receipt is one service given to one participant on one day, within their stay. The rules for
one receipt are written once (`_check_receipt`) and serve single adds, corrections and file
imports alike; an import writes all of its rows or none. A receipt entered by mistake is
cancelled: deleted, so nothing that counts receipts needs to know, with the whole row and the
reason kept in the audit trail.
"""

import asyncio
from dataclasses import dataclass
from datetime import date

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.dates import day_str
from grants.core.errors import NotFound, Problems, blank
from grants.core.money import (
    cents_to_str,
    from_cents,
    from_hundredths,
    money_str,
    quantity_str,
    to_cents,
    to_hundredths,
)
from grants.core.translatable import N_
from grants.db import first_or_not_found, from_row, write_transaction
from grants.projects.reading import project_dates
from grants.register.participants import (
    CODE_REQUIRED,
    YIELD_EVERY,
    check_change,
    code_key,
    in_rows,
    refuse_all,
    register_codes,
)
from grants.tables.participants import Participant, Service, ServiceReceipt
from grants.tables.projects import Project

SERVICE = "service"
RECEIPT = "service_receipt"
_SERVICE_NAME_REQUIRED = N_("Enter the service name.")
_DUPLICATE_SERVICE = N_("This project's catalogue already has the service “%(name)s”.")
_PARTICIPANT_UNKNOWN = N_("There is no participant with code %(code)s in this project's register.")
_SERVICE_REQUIRED = N_("Choose a service.")
_SERVICE_UNKNOWN = N_("There is no service “%(service)s” in this project's catalogue.")
_RECEIPT_DATE_REQUIRED = N_("Enter the date of the service.")
_BEFORE_ENTRY = N_("%(date)s is before the participant's entry on %(entry)s.")
_AFTER_EXIT = N_("%(date)s is after the participant's exit on %(exit)s.")
_AMOUNT_REQUIRED = N_("Enter the amount: the service has no unit price.")
_REASON_REQUIRED = N_("Say why the receipt is corrected or cancelled.")


# Services ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceInput:
    """A catalogue service as typed; the unit price is an amount ("35,00"), optional."""

    name: str  # Latvian
    name_en: str = ""
    unit: str = ""  # Latvian, e.g. "nodarbība"
    unit_en: str = ""
    unit_price: str | None = None


@dataclass(frozen=True)
class ServiceRow:
    id: int
    project_id: int
    name_lv: str
    name_en: str
    unit_lv: str
    unit_en: str
    unit_price: int | None  # cents
    position: int


def service_key(name: str) -> str:
    """A service name as the catalogue compares it for duplicates."""
    return " ".join(name.split()).casefold()


async def service_catalogue(project_id: int) -> list[ServiceRow]:
    """The project's services in catalogue order. No access check: for other domain modules."""
    rows = await (
        Service.select()
        .where(Service.project == project_id)
        .order_by(Service.position)
        .order_by(Service.id)
    )
    return [from_row(ServiceRow, row, project_id=row["project"]) for row in rows]


async def list_services(principal: Principal, project_id: int) -> list[ServiceRow]:
    """The project's service catalogue in its order."""
    principal.require(Action.READ_REGISTER, project_id)
    return await service_catalogue(project_id)


async def add_service(principal: Principal, project_id: int, data: ServiceInput) -> ServiceRow:
    """Add a service at the end of the catalogue; a name already there is a conflict."""
    principal.require(Action.EDIT_REGISTER, project_id)
    async with write_transaction():
        if not await Project.exists().where(Project.id == project_id):
            raise NotFound()
        catalogue = await service_catalogue(project_id)
        problems, conflicts = Problems(), Problems()
        name = " ".join(problems.text(data.name, "name", required=_SERVICE_NAME_REQUIRED).split())
        if name and service_key(name) in {service_key(s.name_lv) for s in catalogue}:
            conflicts.add(_DUPLICATE_SERVICE, "name", name=name)
        values = {
            "name_lv": name,
            "name_en": " ".join(problems.text(data.name_en, "name_en").split()),
            "unit_lv": problems.text(data.unit, "unit", limit=Service.unit_lv.length),
            "unit_en": problems.text(data.unit_en, "unit_en", limit=Service.unit_en.length),
            "unit_price": problems.cents(data.unit_price, "unit_price", required=False),
            "position": max((s.position for s in catalogue), default=-1) + 1,
        }
        refuse_all(problems, conflicts)
        after = {**values, "unit_price": money_str(values["unit_price"])}
        new_id = await audit.insert_recorded(
            Service, SERVICE, principal, project_id, after, **values
        )
    return ServiceRow(id=new_id, project_id=project_id, **values)


# Service receipts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptInput:
    """A service a participant received, as typed. `service` is the catalogue id or the exact
    Latvian name; without an amount, it is units × the service's unit price."""

    participant: str  # the participant's code
    service: str | int
    date: str
    units: str = "1"
    amount: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ReceiptRow:
    id: int
    project_id: int
    participant_id: int
    participant_code: str
    service_id: int
    service: str  # Latvian name
    service_en: str
    received_on: date
    units_hundredths: int
    amount: int  # cents
    note: str


@dataclass(frozen=True)
class _Stay:
    id: int
    code: str
    entry: date
    exit: date | None


@dataclass(frozen=True)
class _Receipts:
    """What the receipt checks need to know about a project, read once per write or import."""

    project_id: int
    start: date | None
    end: date | None
    participants: dict[str, _Stay]  # code_key → stay
    services: dict[int, ServiceRow]
    by_name: dict[str, ServiceRow]


async def _receipts_context(project_id: int) -> _Receipts:
    start, end = await project_dates(project_id)
    rows = await Participant.select(
        Participant.id, Participant.code, Participant.entry_date, Participant.exit_date
    ).where(Participant.project == project_id)
    catalogue = await service_catalogue(project_id)
    return _Receipts(
        project_id,
        start,
        end,
        participants={
            code_key(r["code"]): _Stay(r["id"], r["code"], r["entry_date"], r["exit_date"])
            for r in rows
        },
        services={s.id: s for s in catalogue},
        by_name={s.name_lv: s for s in catalogue},
    )


def _check_receipt(context: _Receipts, data: ReceiptInput, problems: Problems) -> dict:
    """Column values for one receipt, adding every problem found, in the order of the form."""
    stay = _receipt_participant(context, data.participant, problems)
    service = _receipt_service(context, data.service, problems)
    day = _receipt_date(context, data.date, stay, problems)
    units = problems.hundredths(data.units, "units", required=False, empty=to_hundredths(1))
    return {
        "participant": stay.id if stay else None,
        "service": service.id if service else None,
        "received_on": day,
        "units_hundredths": units,
        "amount": _amount(problems, data.amount, units, service),
        "note": problems.text(data.note, "note", multiline=True),
    }


def _receipt_participant(context: _Receipts, code: str | None, problems: Problems) -> _Stay | None:
    code = problems.text(code, "participant", required=CODE_REQUIRED)
    if not code:
        return None
    stay = context.participants.get(code_key(code))
    if stay is None:
        problems.add(_PARTICIPANT_UNKNOWN, "participant", code=code)
    return stay


def _receipt_service(
    context: _Receipts, service: str | int | None, problems: Problems
) -> ServiceRow | None:
    """By id, or by the exact Latvian name (spaces around it do not matter)."""
    typed = "" if service is None else str(service).strip()
    if not typed:
        problems.add(_SERVICE_REQUIRED, "service")
        return None
    found = context.services.get(int(typed)) if typed.isdecimal() else None
    found = found or context.by_name.get(" ".join(typed.split()))
    if found is None:
        problems.add(_SERVICE_UNKNOWN, "service", service=typed)
    return found


def _receipt_date(
    context: _Receipts, text: str | None, stay: _Stay | None, problems: Problems
) -> date | None:
    """Within the project and within the participant's stay."""
    day = problems.date(text, "date", required=_RECEIPT_DATE_REQUIRED)
    if day is None:
        return None
    if stay is not None and day < stay.entry:
        problems.add(_BEFORE_ENTRY, "date", date=day_str(day), entry=day_str(stay.entry))
    elif stay is not None and stay.exit is not None and day > stay.exit:
        problems.add(_AFTER_EXIT, "date", date=day_str(day), exit=day_str(stay.exit))
    else:
        problems.within_project(day, context.start, context.end, "date")
    return day


def _amount(
    problems: Problems, text: str | None, units: int | None, service: ServiceRow | None
) -> int | None:
    """The typed amount, else units × unit price, half-up to the cent."""
    if not blank(text):
        return problems.cents(text, "amount")
    if service is None or units is None:
        return None
    if service.unit_price is None:
        problems.add(_AMOUNT_REQUIRED, "amount")
        return None
    return to_cents(from_cents(service.unit_price) * from_hundredths(units))


def _receipt_audit(values: dict, context: _Receipts) -> dict:
    stay = next(s for s in context.participants.values() if s.id == values["participant"])
    return {
        "participant": stay.code,
        "service": values["service"],
        "date": values["received_on"].isoformat(),
        "units_hundredths": values["units_hundredths"],
        "amount": cents_to_str(values["amount"]),
        "note": values["note"],
    }


async def add_receipt(principal: Principal, project_id: int, data: ReceiptInput) -> ReceiptRow:
    """Record that a participant received a service."""
    principal.require(Action.EDIT_REGISTER, project_id)
    async with write_transaction():
        context = await _receipts_context(project_id)
        problems = Problems()
        values = _check_receipt(context, data, problems)
        problems.raise_if_any()
        after = _receipt_audit(values, context)
        new_id = await audit.insert_recorded(
            ServiceReceipt,
            RECEIPT,
            principal,
            project_id,
            after,
            created_by=principal.user_id,
            **values,
        )
    [row] = await _receipt_rows(ServiceReceipt.id == new_id)
    return row


async def import_receipts(principal: Principal, project_id: int, rows: list[ReceiptInput]) -> int:
    """Add every row, or none: refusals name "<row>.<field>", the row counted from 1 in `rows`."""
    principal.require(Action.EDIT_REGISTER, project_id)
    async with write_transaction():
        context = await _receipts_context(project_id)
        problems, checked = Problems(), []
        for number, data in enumerate(rows, start=1):
            row_problems = Problems()
            values = _check_receipt(context, data, row_problems)
            problems.extend(in_rows(row_problems.items, number))
            checked.append({**values, "project": project_id, "created_by": principal.user_id})
            if number % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # a long import does not hold other requests
        problems.raise_if_any()
        return await audit.import_recorded(ServiceReceipt, RECEIPT, principal, project_id, checked)


_RECEIPT_COLUMNS = (
    ServiceReceipt.id,
    ServiceReceipt.project,
    ServiceReceipt.participant,
    ServiceReceipt.participant.code.as_alias("participant_code"),
    ServiceReceipt.service,
    ServiceReceipt.service.name_lv.as_alias("service_name"),
    ServiceReceipt.service.name_en.as_alias("service_en"),
    ServiceReceipt.received_on,
    ServiceReceipt.units_hundredths,
    ServiceReceipt.amount,
    ServiceReceipt.note,
)


async def _receipt_rows(
    where, *, limit: int | None = None, offset: int = 0, newest_first: bool = False
) -> list[ReceiptRow]:
    query = (
        ServiceReceipt.select(*_RECEIPT_COLUMNS)
        .where(where)
        .order_by(ServiceReceipt.received_on, ascending=not newest_first)
        .order_by(ServiceReceipt.id, ascending=not newest_first)
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = await query
    return [
        from_row(
            ReceiptRow,
            r,
            project_id=r["project"],
            participant_id=r["participant"],
            service_id=r["service"],
            service=r["service_name"],
        )
        for r in rows
    ]


async def list_receipts(
    principal: Principal, project_id: int, participant_code: str | None = None
) -> list[ReceiptRow]:
    """The project's service receipts by date, optionally one participant's."""
    return (await receipts_page(principal, project_id, participant_code=participant_code)).rows


@dataclass(frozen=True)
class ReceiptPage:
    rows: list[ReceiptRow]
    total: int  # receipts matching the filters, on every page


async def receipts_page(
    principal: Principal,
    project_id: int,
    *,
    participant_code: str | None = None,
    service_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
) -> ReceiptPage:
    """A page of the project's receipts by date (the latest first, if asked), optionally one
    participant's or one service's, with how many there are in all."""
    principal.require(Action.READ_REGISTER, project_id)
    where = ServiceReceipt.project == project_id
    if participant_code and participant_code.strip():
        participant_id = (await register_codes(project_id)).get(code_key(participant_code))
        if participant_id is None:
            return ReceiptPage([], 0)
        where = where & (ServiceReceipt.participant == participant_id)
    if service_id is not None:
        where = where & (ServiceReceipt.service == service_id)
    total = await ServiceReceipt.count().where(where)
    rows = await _receipt_rows(where, limit=limit, offset=offset, newest_first=newest_first)
    return ReceiptPage(rows, total)


async def get_receipt(principal: Principal, receipt_id: int) -> ReceiptRow:
    rows = await _receipt_rows(ServiceReceipt.id == receipt_id)
    if not rows:
        raise NotFound()
    principal.require(Action.READ_REGISTER, rows[0].project_id)
    return rows[0]


# What a correction may change; a receipt of the wrong participant is cancelled and recorded
# again for the right one.
RECEIPT_CHANGEABLE = ("service", "date", "units", "amount")


async def change_receipt(
    principal: Principal, receipt_id: int, changes: dict[str, object], note: str
) -> ReceiptRow:
    """Correct the given fields among `RECEIPT_CHANGEABLE`, saying why in `note`; the same
    checks as `add_receipt`. A new service or number of units without an amount is priced
    anew (units × unit price); otherwise the amount stays."""
    check_change(changes, note, RECEIPT_CHANGEABLE, _REASON_REQUIRED)
    async with write_transaction():
        current = await _receipt(receipt_id)
        project_id = current["project"]
        principal.require(Action.EDIT_REGISTER, project_id)
        context = await _receipts_context(project_id)
        typed = {
            "participant": current["participant_code"],
            "service": current["service"],
            "date": current["received_on"].isoformat(),
            "units": quantity_str(current["units_hundredths"]),
            "amount": cents_to_str(current["amount"]),
            "note": current["note"],
        }
        if "amount" not in changes and ("units" in changes or "service" in changes):
            typed["amount"] = None
        problems = Problems()
        values = _check_receipt(context, ReceiptInput(**(typed | changes)), problems)
        problems.raise_if_any()
        await ServiceReceipt.update(values).where(ServiceReceipt.id == receipt_id)
        await audit.record(
            "update",
            RECEIPT,
            receipt_id,
            actor=principal,
            project_id=project_id,
            before=_receipt_audit(current, context),
            after=_receipt_audit(values, context),
            note=note.strip(),
        )
    [row] = await _receipt_rows(ServiceReceipt.id == receipt_id)
    return row


async def cancel_receipt(principal: Principal, receipt_id: int, note: str) -> ReceiptRow:
    """Take a receipt out of the register, saying why: it no longer counts in the service
    tables. The whole row stays in the audit trail (the event's `before`). The receipt as it
    was."""
    problems = Problems()
    problems.text(note, "note", required=_REASON_REQUIRED, multiline=True)
    problems.raise_if_any()
    async with write_transaction():
        current = await _receipt(receipt_id)
        project_id = current["project"]
        principal.require(Action.EDIT_REGISTER, project_id)
        context = await _receipts_context(project_id)
        [row] = await _receipt_rows(ServiceReceipt.id == receipt_id)
        before = _receipt_audit(current, context) | {
            "id": receipt_id,
            "service_name": current["service_name"],
            "created_by": current["created_by"],
            "created_at": current["created_at"].isoformat(),
        }
        await ServiceReceipt.delete().where(ServiceReceipt.id == receipt_id)
        await audit.record(
            "cancel",
            RECEIPT,
            receipt_id,
            actor=principal,
            project_id=project_id,
            before=before,
            note=note.strip(),
        )
    return row


async def _receipt(receipt_id: int) -> dict:
    return await first_or_not_found(
        ServiceReceipt.select(
            *_RECEIPT_COLUMNS, ServiceReceipt.created_by, ServiceReceipt.created_at
        ).where(ServiceReceipt.id == receipt_id)
    )
