"""API for the participant and service register (coordinators, admins and auditors only)."""

from dataclasses import dataclass
from datetime import date

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody, MultipartBody
from msgspec import Struct, field

from grants.controllers.api_schemas import (
    In,
    Money,
    Quantity,
    decimal_str,
    money_fields,
    to_input,
    to_output,
)
from grants.core.access import Principal
from grants.core.errors import Refused
from grants.core.money import money_str
from grants.register.files import FILE_REQUIRED, import_file
from grants.register.participants import (
    ParticipantInput,
    ParticipantRow,
    add_participant,
    export_participants,
)
from grants.register.service_tables import ServiceTable, service_table
from grants.register.services import (
    ReceiptInput,
    ServiceInput,
    ServiceRow,
    add_receipt,
    add_service,
    list_services,
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


class ImportOut(Struct):
    imported: int


@dataclass
class ImportUpload:
    """A multipart body with the CSV or XLSX file in its `file` part."""

    file: UploadFile | None = None


def participant_out(p: ParticipantRow) -> ParticipantOut:
    return to_output(p, ParticipantOut, flags=list(p.flags))


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
    path = "/api/v1/projects/{project_id:int}"
    tags = ("participant register",)

    @get("/participants")
    async def participants(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        target_group: FromQuery[str | None] = None,
    ) -> list[ParticipantOut]:
        """The register. Participant-level data leaving the system is recorded in the audit
        trail; special-category flags only for roles that need them."""
        rows = await export_participants(principal, project_id)
        group = (target_group or "").lower()
        return [participant_out(p) for p in rows if not group or p.target_group == group]

    @post("/participants")
    async def add(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ParticipantIn]
    ) -> ParticipantOut:
        typed = to_input(data, ParticipantInput, birth_year=str(data.birth_year))
        added = await add_participant(principal, project_id, typed)
        return participant_out(added)

    @post("/participants/import")
    async def import_participants(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        data: MultipartBody[ImportUpload],
    ) -> ImportOut:
        """A CSV or XLSX file: all rows or none; refusals list each row's problems."""
        return await _import(principal, project_id, data, "participants")

    @get("/services")
    async def services(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        target_group: FromQuery[str | None] = None,
    ) -> ServicesOut:
        """Per service: unique persons, receipts and amount; totals: unique persons, amount,
        EUR per person per month and average months of service."""
        return services_out(await service_table(principal, project_id, target_group=target_group))

    @get("/service-catalogue")
    async def catalogue(
        self, principal: CurrentPrincipal, project_id: FromPath[int]
    ) -> list[ServiceOut]:
        return [service_out(s) for s in await list_services(principal, project_id)]

    @post("/service-catalogue")
    async def add_service(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ServiceIn]
    ) -> ServiceOut:
        return service_out(await add_service(principal, project_id, to_input(data, ServiceInput)))

    @post("/service-receipts")
    async def add_receipt(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ReceiptIn]
    ) -> ImportOut:
        await add_receipt(principal, project_id, to_input(data, ReceiptInput))
        return ImportOut(1)

    @post("/service-receipts/import")
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
