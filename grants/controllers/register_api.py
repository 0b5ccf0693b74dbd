"""API for the participant and service register (coordinators, admins and auditors only)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from litestar import Controller, Response, get, patch, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody
from msgspec import UNSET, Struct, UnsetType, field

from grants.controllers.api_schemas import (
    In,
    Money,
    Page,
    Quantity,
    decimal_str,
    money_fields,
    page_out,
    to_input,
    to_output,
)
from grants.core.access import Principal
from grants.core.errors import Refused
from grants.core.i18n import current_locale
from grants.core.money import money_str, quantity_str
from grants.core.paging import DEFAULT_PER_PAGE, Paged, check_per_page, offset
from grants.register.files import FILE_REQUIRED, import_file, template
from grants.register.participants import (
    CHANGEABLE,
    ParticipantInput,
    ParticipantRow,
    ParticipantVersion,
    add_participant,
    change_participant,
    export_participants,
    get_participant,
    participant_history,
)
from grants.register.service_tables import ServiceTable, service_table
from grants.register.services import (
    RECEIPT_CHANGEABLE,
    ReceiptInput,
    ReceiptRow,
    ServiceInput,
    ServiceRow,
    add_receipt,
    add_service,
    cancel_receipt,
    change_receipt,
    list_services,
    receipts_page,
)
from grants.web import CurrentPrincipal


class ParticipantIn(In):
    """A pseudonymous participant: no names or personal codes. Dates ISO or dd.mm.yyyy."""

    code: str
    gender: str
    birth_year: int
    entry_date: str
    exit_date: str | None = None
    household: str = ""
    target_group: str = ""
    flags: list[str] = field(default_factory=list)


class ParticipantOut(Struct):
    id: int
    code: str
    target_group: str
    gender: str
    birth_year: int
    entry_date: date
    exit_date: date | None
    household: str
    flags: list[str]
    age_group: str


class ParticipantsOut(Page):
    items: list[ParticipantOut]


class ServiceIn(In):
    name: str
    name_en: str = ""
    unit: str = ""
    unit_en: str = ""
    unit_price: Money | None = None


class ServiceOut(Struct):
    id: int
    name: str
    name_en: str
    unit: str
    unit_price: str | None


class ReceiptIn(In):
    """`participant` is the pseudonymous code; `service` the catalogue id or Latvian name;
    `amount` defaults to units × the service's unit price."""

    participant: str
    service: int | str
    date: str
    units: Quantity = "1"
    amount: Money | None = None


class ServiceLineOut(Struct):
    service: str
    service_en: str
    persons: int
    receipts: int
    amount: str


class ServicesOut(Struct):
    services: list[ServiceLineOut]
    unique_persons: int
    total_amount: str
    eur_per_person_month: str | None
    average_months: str | None


class ParticipantChangeIn(In):
    """Only the fields to change; `"exit_date": null` clears the exit (the person came back).
    `note` says why (required)."""

    exit_date: str | UnsetType | None = UNSET
    household: str | UnsetType = UNSET
    target_group: str | UnsetType = UNSET
    flags: list[str] | UnsetType = UNSET
    note: str = ""


class ParticipantVersionOut(Struct):
    """One change from the audit trail; `before`/`after` are the values (no special-category
    flags). An imported participant's first version is its first change's `before`."""

    version: int
    at: datetime
    actor: str
    action: str
    note: str
    before: Any
    after: Any


class ReceiptOut(Struct):
    id: int
    participant_id: int
    participant: str  # the pseudonymous code
    service_id: int
    service: str
    service_en: str
    date: date
    units: str
    amount: str
    note: str


class ReceiptsOut(Page):
    items: list[ReceiptOut]


class ReceiptChangeIn(In):
    """Only the fields to correct; a new `service` or `units` without `amount` is priced anew.
    `note` says why (required)."""

    service: int | str | UnsetType = UNSET
    date: str | UnsetType = UNSET
    units: Quantity | UnsetType = UNSET
    amount: Money | UnsetType | None = UNSET
    note: str = ""


class ReceiptCancelIn(In):
    note: str = ""  # why (required)


class ImportOut(Struct):
    imported: int


@dataclass
class ImportUpload:
    """A multipart body with the CSV or XLSX file in its `file` part."""

    file: UploadFile | None = None


def participant_out(p: ParticipantRow) -> ParticipantOut:
    return to_output(p, ParticipantOut, flags=list(p.flags))


def receipt_out(r: ReceiptRow) -> ReceiptOut:
    return to_output(
        r,
        ReceiptOut,
        participant=r.participant_code,
        date=r.received_on,
        units=quantity_str(r.units_hundredths),
        amount=money_str(r.amount),
    )


def _given(body: Struct, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields of a PATCH body that were sent (null included)."""
    return {name: getattr(body, name) for name in names if getattr(body, name) is not UNSET}


TEMPLATES = {
    f"{kind}.{suffix}": (kind, suffix)
    for kind in ("participants", "receipts")
    for suffix in ("csv", "xlsx")
}
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def template_response(name: str) -> Response[bytes]:
    """An empty import file with the header row the importer reads, in the user's language."""
    if name not in TEMPLATES:
        raise NotFoundException()
    kind, suffix = TEMPLATES[name]
    return Response(
        template(kind, suffix, english=current_locale() == "en"),
        media_type=_MEDIA[suffix],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def version_out(number: int, v: ParticipantVersion) -> ParticipantVersionOut:
    return to_output(v, ParticipantVersionOut, version=number)


def service_out(s: ServiceRow) -> ServiceOut:
    return to_output(
        s, ServiceOut, name=s.name_lv, unit=s.unit_lv, unit_price=money_str(s.unit_price)
    )


def services_out(table: ServiceTable) -> ServicesOut:
    return to_output(
        table,
        ServicesOut,
        services=[
            to_output(line, ServiceLineOut, service_en=line.name_en, amount=money_str(line.amount))
            for line in table.lines
        ],
        average_months=decimal_str(table.average_months),
        **money_fields(table, "total_amount", "eur_per_person_month"),
    )


class RegisterApi(Controller):
    path = "/api/v1"
    tags = ("participant register",)

    @get("/projects/{project_id:int}/participants")
    async def participants(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        target_group: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = DEFAULT_PER_PAGE,
    ) -> ParticipantsOut:
        """The register by code, a page at a time (`page` from 1, `per_page` up to 500, 100 if
        not given; `total`: how many on all pages). Participant-level data leaving the system
        is recorded in the audit trail; special-category flags only for roles that need them."""
        check_per_page(per_page)
        found = await export_participants(
            principal, project_id, page=page, per_page=per_page, target_group=target_group
        )
        return page_out(ParticipantsOut, found, participant_out)

    @post("/projects/{project_id:int}/participants")
    async def add(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ParticipantIn]
    ) -> ParticipantOut:
        typed = to_input(data, ParticipantInput, birth_year=str(data.birth_year))
        added = await add_participant(principal, project_id, typed)
        return participant_out(added)

    @post("/projects/{project_id:int}/participants/import")
    async def import_participants(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        data: MultipartBody[ImportUpload],
    ) -> ImportOut:
        """A CSV or XLSX file: all rows or none; refusals list each row's problems."""
        return await _import(principal, project_id, data, "participants")

    @get("/projects/{project_id:int}/services")
    async def services(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        target_group: FromQuery[str | None] = None,
    ) -> ServicesOut:
        """Per service: unique persons, receipts and amount; totals: unique persons, amount,
        EUR per person per month and average months of service."""
        return services_out(await service_table(principal, project_id, target_group=target_group))

    @get("/projects/{project_id:int}/service-catalogue")
    async def catalogue(
        self, principal: CurrentPrincipal, project_id: FromPath[int]
    ) -> list[ServiceOut]:
        return [service_out(s) for s in await list_services(principal, project_id)]

    @post("/projects/{project_id:int}/service-catalogue")
    async def add_service(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ServiceIn]
    ) -> ServiceOut:
        return service_out(await add_service(principal, project_id, to_input(data, ServiceInput)))

    @post("/projects/{project_id:int}/service-receipts")
    async def add_receipt(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ReceiptIn]
    ) -> ImportOut:
        await add_receipt(principal, project_id, to_input(data, ReceiptInput))
        return ImportOut(1)

    @get("/projects/{project_id:int}/service-receipts")
    async def receipts(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        participant: FromQuery[str | None] = None,
        service_id: FromQuery[int | None] = None,
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = DEFAULT_PER_PAGE,
    ) -> ReceiptsOut:
        """The receipts by date, a page at a time (`page` from 1, `per_page` up to 500, 100 if
        not given), optionally one participant's (`participant`: the code) or one service's
        (`service_id`). `total`: how many there are on all pages."""
        check_per_page(per_page)
        found = await receipts_page(
            principal,
            project_id,
            participant_code=participant,
            service_id=service_id,
            limit=per_page,
            offset=offset(page, per_page),
        )
        return page_out(ReceiptsOut, Paged(found.rows, found.total, page, per_page), receipt_out)

    @patch("/service-receipts/{receipt_id:int}")
    async def correct_receipt(
        self,
        principal: CurrentPrincipal,
        receipt_id: FromPath[int],
        data: JSONBody[ReceiptChangeIn],
    ) -> ReceiptOut:
        """Correct a receipt's service, date, units or amount, with a `note` saying why; the
        same checks as when it was recorded; before and after go into the audit trail."""
        changes = _given(data, RECEIPT_CHANGEABLE)
        return receipt_out(await change_receipt(principal, receipt_id, changes, data.note))

    @post("/service-receipts/{receipt_id:int}/cancel", status_code=200)
    async def cancel_receipt(
        self,
        principal: CurrentPrincipal,
        receipt_id: FromPath[int],
        data: JSONBody[ReceiptCancelIn],
    ) -> ReceiptOut:
        """Cancel a receipt with a `note` saying why: it stops counting in the service tables
        and indicators; the whole row stays in the audit trail. The receipt as it was."""
        return receipt_out(await cancel_receipt(principal, receipt_id, data.note))

    @get("/participants/{participant_id:int}")
    async def participant(
        self, principal: CurrentPrincipal, participant_id: FromPath[int]
    ) -> ParticipantOut:
        return participant_out(await get_participant(principal, participant_id))

    @patch("/participants/{participant_id:int}")
    async def change(
        self,
        principal: CurrentPrincipal,
        participant_id: FromPath[int],
        data: JSONBody[ParticipantChangeIn],
    ) -> ParticipantOut:
        """Change a participant's exit date, household, target group or flags (only those
        sent), with a `note` saying why; a new version in the history."""
        changes = _given(data, CHANGEABLE)
        return participant_out(
            await change_participant(principal, participant_id, changes, data.note)
        )

    @get("/participants/{participant_id:int}/history")
    async def participant_history(
        self, principal: CurrentPrincipal, participant_id: FromPath[int]
    ) -> list[ParticipantVersionOut]:
        """The participant's versions from the audit trail, oldest first."""
        versions = await participant_history(principal, participant_id)
        return [version_out(number, v) for number, v in enumerate(versions, start=1)]

    @get("/register-templates/{name:str}")
    async def template(self, principal: CurrentPrincipal, name: FromPath[str]) -> Response[bytes]:
        """An empty import file: participants.csv, participants.xlsx, receipts.csv or
        receipts.xlsx, with the header row the importer reads."""
        return template_response(name)

    @post("/projects/{project_id:int}/service-receipts/import")
    async def import_receipts(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        data: MultipartBody[ImportUpload],
    ) -> ImportOut:
        """A CSV or XLSX file: all rows or none; refusals list each row's problems."""
        return await _import(principal, project_id, data, "receipts")


async def _import(
    principal: Principal, project_id: int, upload: ImportUpload, kind: str
) -> ImportOut:
    """The file is read where it was spooled, in a worker thread (`import_file`)."""
    if upload.file is None or not upload.file.filename:
        raise Refused.one(FILE_REQUIRED, field="file")
    file = upload.file
    return ImportOut(await import_file(principal, project_id, file.file, file.filename, kind))
