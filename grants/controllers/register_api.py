"""API for the participant and service register (coordinators, admins and auditors only)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from litestar import Controller, Response, get, patch, post, put
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
from grants.register.results import (
    FollowUp,
    ResultInput,
    ResultRow,
    export_results,
    follow_ups_page,
    record_result,
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
    labour_status: str = ""  # unemployed, long_term_unemployed, inactive, employed or refused
    education: str = ""  # isced_0_2, isced_3_4, isced_5_8 or refused


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
    labour_status: str  # "" while not recorded
    education: str  # "" while not recorded


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
    labour_status: str | UnsetType = UNSET
    education: str | UnsetType = UNSET
    note: str = ""


class ResultIn(In):
    """A result after leaving: the date it was found out (ISO or dd.mm.yyyy) and its outcome
    codes: at "exit" job_searching, education_training, qualification, employed; at
    "six_months" employed, better_situation; or "refused" / "not_known" alone."""

    recorded_on: str
    outcomes: list[str]


class ResultOut(Struct):
    participant_id: int
    stage: str
    recorded_on: date
    outcomes: list[str]
    due: date


class FollowUpOut(Struct):
    participant_id: int
    code: str
    exit_date: date
    stage: str
    due: date
    overdue: bool


class FollowUpsOut(Page):
    items: list[FollowUpOut]


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


def result_out(r: ResultRow) -> ResultOut:
    return to_output(r, ResultOut, outcomes=list(r.outcomes))


def follow_up_out(f: FollowUp) -> FollowUpOut:
    return to_output(f, FollowUpOut)


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
        """Change a participant's exit date, household, target group, flags, labour status or
        education (only those sent), with a `note` saying why; a new version in the history."""
        changes = _given(data, CHANGEABLE)
        return participant_out(
            await change_participant(principal, participant_id, changes, data.note)
        )

    @put("/participants/{participant_id:int}/results/{stage:str}")
    async def record_result(
        self,
        principal: CurrentPrincipal,
        participant_id: FromPath[int],
        stage: FromPath[str],
        data: JSONBody[ResultIn],
    ) -> ResultOut:
        """Record or correct the result at `stage` ("exit": within 4 weeks of leaving;
        "six_months": from 6 months after the exit); the audit trail keeps before and after."""
        typed = to_input(data, ResultInput)
        return result_out(await record_result(principal, participant_id, stage, typed))

    @get("/participants/{participant_id:int}/results")
    async def results(
        self, principal: CurrentPrincipal, participant_id: FromPath[int]
    ) -> list[ResultOut]:
        """The participant's results after leaving, exit first; the read is recorded in the
        audit trail."""
        return [result_out(r) for r in await export_results(principal, participant_id)]

    @get("/projects/{project_id:int}/follow-ups")
    async def follow_ups(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = DEFAULT_PER_PAGE,
    ) -> FollowUpsOut:
        """Who left and lacks a result after leaving, by due date: the exit result is due 4
        weeks after the exit, the six-month result 6 months after it (overdue 4 weeks later).
        A page at a time; the read is recorded in the audit trail."""
        check_per_page(per_page)
        found = await follow_ups_page(
            principal, project_id, page=page, per_page=per_page, export=True
        )
        return page_out(FollowUpsOut, found, follow_up_out)

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
