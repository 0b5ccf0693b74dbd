"""The register page: participants, the service catalogue, receipts, the service table, and
imports with a row-by-row error report."""

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grants.controllers.register_api import template_response
from grants.core.access import Action, Principal
from grants.core.errors import Refused
from grants.core.i18n import label, localised
from grants.core.paging import Paged, offset
from grants.core.vocabulary import Education, Gender, LabourStatus, ResultStage
from grants.projects.history import project_history
from grants.projects.reading import get_project
from grants.register.files import FILE_REQUIRED, import_file
from grants.register.participants import (
    CHANGEABLE,
    ENTRY_FLAGS,
    ParticipantInput,
    add_participant,
    change_participant,
    code_key,
    get_participant,
    participants_page,
    register_codes,
    retention_date,
)
from grants.register.results import (
    ALONE,
    STAGE_OUTCOMES,
    ResultInput,
    due_date,
    follow_ups_page,
    participant_results,
    record_result,
)
from grants.register.service_tables import service_table, target_groups
from grants.register.services import (
    RECEIPT_CHANGEABLE,
    ReceiptInput,
    ServiceInput,
    add_receipt,
    add_service,
    cancel_receipt,
    change_receipt,
    get_receipt,
    list_services,
    receipts_page,
)
from grants.web import CurrentPrincipal, form_errors, refusal_status

FORMS = ("participant", "service", "receipt", "import")
RECEIPTS_PER_PAGE = 50
PARTICIPANTS_PER_PAGE = 50
FOLLOW_UPS_PER_PAGE = 50
PARTICIPANT_FIELDS = (
    "code",
    "gender",
    "birth_year",
    "entry_date",
    "exit_date",
    "household",
    "target_group",
    "labour_status",
    "education",
)


def code_label(code: str | None) -> str:
    """A labour status, education level, result or stage in the reader's language; "—" for
    one not recorded."""
    return label(code or None)


def _entry_options() -> dict:
    """The select and checkbox options of the participant forms."""
    return {
        "flag_options": [(f.value, label(f)) for f in ENTRY_FLAGS],
        "labour_options": [(s.value, code_label(s)) for s in LabourStatus],
        "education_options": [(e.value, code_label(e)) for e in Education],
        "code_label": code_label,
    }


async def _page(
    principal: Principal,
    project_id: int,
    group: str | None = None,
    *,
    form: str = "",
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
    note: str = "",
    receipts_page_number: int = 1,
    receipts_of: str = "",
    participants_page_number: int = 1,
    follow_ups_page_number: int = 1,
) -> Template:
    principal.require(Action.READ_REGISTER, project_id)
    project = await get_project(principal, project_id, indicators=False)
    participants = await participants_page(
        principal,
        project_id,
        page=max(participants_page_number, 1),
        per_page=PARTICIPANTS_PER_PAGE,
        target_group=group or None,
    )
    services = await list_services(principal, project_id)
    table = await service_table(principal, project_id, target_group=group or None)
    number = max(receipts_page_number, 1)
    receipts = await receipts_page(
        principal,
        project_id,
        participant_code=receipts_of or None,
        limit=RECEIPTS_PER_PAGE,
        offset=offset(number, RECEIPTS_PER_PAGE),
        newest_first=True,  # the ones just typed, to correct
    )
    follow_ups = await follow_ups_page(
        principal, project_id, page=max(follow_ups_page_number, 1), per_page=FOLLOW_UPS_PER_PAGE
    )
    taken = None  # the participant whose code the add form repeated, to edit instead
    if form == "participant" and (errors or {}).get("code") and values and values.get("code"):
        taken = (await register_codes(project_id)).get(code_key(values["code"]))
    return Template(
        "register/register.html",
        context={
            "principal": principal,
            "project": project,
            "group": group or "",
            "groups": await target_groups(principal, project_id),
            "participants": participants,
            "services": services,
            "table": table,
            "lines": [line for line in table.lines if line.receipts],  # as the funder's tables
            "retention": retention_date(project.summary.end_date),
            "gender_options": [(g.value, label(g)) for g in Gender],
            **_entry_options(),
            "follow_ups": follow_ups,
            "service_options": [(str(x.id), localised(x.name_lv, x.name_en)) for x in services],
            "can_edit": principal.can(Action.EDIT_REGISTER, project_id),
            "form": form,
            "values": values or {},
            "errors": errors or {},
            "note": note,
            "receipts": Paged(receipts.rows, receipts.total, number, RECEIPTS_PER_PAGE),
            "receipts_of": receipts_of,
            "taken": taken,
        },
        status_code=status_code,
    )


def _fields(form, names: tuple[str, ...]) -> dict:
    return {name: form.get(name, "") for name in names}


class RegisterPages(Controller):
    """The register page and its forms; a participant's page (their history, and changing their
    exit, household, target group or flags); a receipt's page (correct or cancel it)."""

    include_in_schema = False

    @get("/projects/{project_id:int}/register")
    async def register(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        group: FromQuery[str] = "",
        receipts: FromQuery[int] = 1,
        receipts_of: FromQuery[str] = "",
        participants: FromQuery[int] = 1,
        follow_ups: FromQuery[int] = 1,
    ) -> Template:
        return await _page(
            principal,
            project_id,
            group,
            receipts_page_number=receipts,
            receipts_of=receipts_of,
            participants_page_number=participants,
            follow_ups_page_number=follow_ups,
        )

    @post("/projects/{project_id:int}/register/{form_name:str}")
    async def submit(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        form_name: FromPath[str],
        request: Request,
    ) -> Template | Redirect:
        if form_name not in FORMS:
            raise NotFoundException()
        form = await request.form()
        values: dict = {}
        try:
            if form_name == "participant":
                values = _fields(form, PARTICIPANT_FIELDS)
                values["flags"] = form.getall("flags", [])
                await add_participant(principal, project_id, ParticipantInput(**values))
            elif form_name == "service":
                values = _fields(form, ("name", "name_en", "unit", "unit_en", "unit_price"))
                await add_service(principal, project_id, ServiceInput(**values))
            elif form_name == "receipt":
                values = _fields(form, ("participant", "service", "date", "units", "amount"))
                await add_receipt(principal, project_id, ReceiptInput(**values))
            else:
                count = await _import(principal, project_id, form)
                return await _page(principal, project_id, note=str(count))
        except Refused as refused:
            return await _page(
                principal,
                project_id,
                form=form_name,
                values=values,
                errors=form_errors(refused),
                status_code=refusal_status(refused),
            )
        return Redirect(f"/projects/{project_id}/register#{form_name}", status_code=303)

    @get("/projects/{project_id:int}/register/participants/{participant_id:int}")
    async def participant(
        self, principal: CurrentPrincipal, project_id: FromPath[int], participant_id: FromPath[int]
    ) -> Template:
        return await _participant_page(principal, project_id, participant_id)

    @post("/projects/{project_id:int}/register/participants/{participant_id:int}")
    async def change_participant(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        participant_id: FromPath[int],
        request: Request,
    ) -> Template | Redirect:
        await _participant_of(principal, project_id, participant_id)
        form = await request.form()
        values = _fields(form, (*CHANGEABLE, "note"))
        values["flags"] = form.getall("flags", [])
        changes = {name: values[name] for name in CHANGEABLE}
        changes["exit_date"] = changes["exit_date"] or None
        try:
            await change_participant(principal, participant_id, changes, values["note"])
        except Refused as refused:
            return await _participant_page(
                principal,
                project_id,
                participant_id,
                values=values,
                errors=form_errors(refused),
                status_code=refusal_status(refused),
            )
        return Redirect(f"/projects/{project_id}/register#p-{participant_id}", status_code=303)

    @post(
        "/projects/{project_id:int}/register/participants/{participant_id:int}/results/{stage:str}"
    )
    async def record_result(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        participant_id: FromPath[int],
        stage: FromPath[str],
        request: Request,
    ) -> Template | Redirect:
        """Record or correct a result after leaving from the participant's page."""
        if stage not in tuple(ResultStage):
            raise NotFoundException()
        await _participant_of(principal, project_id, participant_id)
        form = await request.form()
        values = {
            "recorded_on": form.get("recorded_on", ""),
            "outcomes": form.getall("outcomes", []),
        }
        try:
            await record_result(principal, participant_id, stage, ResultInput(**values))
        except Refused as refused:
            return await _participant_page(
                principal,
                project_id,
                participant_id,
                result_form=stage,
                result_values=values,
                result_errors=form_errors(refused),
                status_code=refusal_status(refused),
            )
        url = f"/projects/{project_id}/register/participants/{participant_id}#result-{stage}"
        return Redirect(url, status_code=303)

    @get("/projects/{project_id:int}/register/receipts/{receipt_id:int}")
    async def receipt(
        self, principal: CurrentPrincipal, project_id: FromPath[int], receipt_id: FromPath[int]
    ) -> Template:
        return await _receipt_page(principal, project_id, receipt_id)

    @post("/projects/{project_id:int}/register/receipts/{receipt_id:int}/{action:str}")
    async def change_receipt(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        receipt_id: FromPath[int],
        action: FromPath[str],
        request: Request,
    ) -> Template | Redirect:
        if action not in ("correct", "cancel"):
            raise NotFoundException()
        await _receipt_of(principal, project_id, receipt_id)
        form = await request.form()
        values = _fields(form, (*RECEIPT_CHANGEABLE, "note"))
        try:
            if action == "cancel":
                await cancel_receipt(principal, receipt_id, values["note"])
            else:
                changes = {name: values[name] for name in RECEIPT_CHANGEABLE}
                await change_receipt(principal, receipt_id, changes, values["note"])
        except Refused as refused:
            return await _receipt_page(
                principal,
                project_id,
                receipt_id,
                form=action,
                values=values,
                errors=form_errors(refused),
                status_code=refusal_status(refused),
            )
        return Redirect(f"/projects/{project_id}/register#receipts", status_code=303)

    @get("/register/templates/{name:str}")
    async def template(self, principal: CurrentPrincipal, name: FromPath[str]) -> Response[bytes]:
        """An empty import file to fill in (signed-in users only, like every page)."""
        return template_response(name)


async def _participant_of(principal: Principal, project_id: int, participant_id: int):
    """The participant, if they are in this project's register (else not found)."""
    row = await get_participant(principal, participant_id)
    if row.project_id != project_id:
        raise NotFoundException()
    return row


async def _receipt_of(principal: Principal, project_id: int, receipt_id: int):
    row = await get_receipt(principal, receipt_id)
    if row.project_id != project_id:
        raise NotFoundException()
    return row


async def _participant_page(
    principal: Principal,
    project_id: int,
    participant_id: int,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
    result_form: str = "",
    result_values: dict | None = None,
    result_errors: dict | None = None,
) -> Template:
    row = await _participant_of(principal, project_id, participant_id)
    project = await get_project(principal, project_id, indicators=False)
    results = {r.stage: r for r in await participant_results(principal, participant_id)}
    stages = [
        {
            "stage": stage,
            "result": results.get(stage),
            "due": due_date(stage, row.exit_date) if row.exit_date else None,
            "options": [(o, code_label(o)) for o in (*STAGE_OUTCOMES[stage], *ALONE)],
        }
        for stage in ResultStage
    ]
    return Template(
        "register/participant.html",
        context={
            "principal": principal,
            "project": project,
            "p": row,
            "versions": await project_history(
                principal,
                project_id,
                project.summary.code,
                entity="participant",
                entity_id=participant_id,
            ),
            **_entry_options(),
            "stages": stages,
            "result_form": result_form,
            "result_values": result_values or {},
            "result_errors": result_errors or {},
            "can_edit": principal.can(Action.EDIT_REGISTER, project_id),
            "values": values,
            "errors": errors or {},
        },
        status_code=status_code,
    )


async def _receipt_page(
    principal: Principal,
    project_id: int,
    receipt_id: int,
    *,
    form: str = "",
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Template:
    row = await _receipt_of(principal, project_id, receipt_id)
    services = await list_services(principal, project_id)
    return Template(
        "register/receipt.html",
        context={
            "principal": principal,
            "project": await get_project(principal, project_id, indicators=False),
            "r": row,
            "service_options": [(str(x.id), localised(x.name_lv, x.name_en)) for x in services],
            "can_edit": principal.can(Action.EDIT_REGISTER, project_id),
            "form": form,
            "values": values,
            "errors": errors or {},
        },
        status_code=status_code,
    )


async def _import(principal: Principal, project_id: int, form) -> int:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Refused.one(FILE_REQUIRED, field="file")
    return await import_file(
        principal, project_id, upload.file, upload.filename, form.get("kind", "")
    )
