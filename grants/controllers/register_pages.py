"""The register page: participants, the service catalogue, receipts, the service table, and
imports with a row-by-row error report."""

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grants.core.access import Action, Principal
from grants.core.errors import Refused
from grants.core.i18n import label, localised
from grants.core.vocabulary import Gender, ParticipantFlag
from grants.projects.reading import get_project
from grants.register.files import FILE_REQUIRED, import_file
from grants.register.participants import (
    ParticipantInput,
    add_participant,
    list_participants,
    retention_date,
)
from grants.register.service_tables import service_table
from grants.register.services import (
    ReceiptInput,
    ServiceInput,
    add_receipt,
    add_service,
    list_services,
)
from grants.web import CurrentPrincipal, form_errors, refusal_status

FORMS = ("participant", "service", "receipt", "import")


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
) -> Template:
    principal.require(Action.READ_REGISTER, project_id)
    project = await get_project(principal, project_id)
    participants = await list_participants(principal, project_id)
    services = await list_services(principal, project_id)
    table = await service_table(principal, project_id, target_group=group or None)
    return Template(
        "register/register.html",
        context={
            "principal": principal,
            "project": project,
            "group": group or "",
            "groups": sorted({p.target_group for p in participants if p.target_group}),
            "participants": [p for p in participants if not group or p.target_group == group],
            "services": services,
            "table": table,
            "lines": [line for line in table.lines if line.receipts],  # as the funder's tables
            "retention": retention_date(project.summary.end_date),
            "gender_options": [(g.value, label(g)) for g in Gender],
            "flag_options": [(f.value, label(f)) for f in ParticipantFlag],
            "service_options": [(str(x.id), localised(x.name_lv, x.name_en)) for x in services],
            "can_edit": principal.can(Action.EDIT_REGISTER, project_id),
            "form": form,
            "values": values or {},
            "errors": errors or {},
            "note": note,
        },
        status_code=status_code,
    )


def _fields(form, names: tuple[str, ...]) -> dict:
    return {name: form.get(name, "") for name in names}


class RegisterPages(Controller):
    include_in_schema = False

    @get("/projects/{project_id:int}/register")
    async def register(
        self, principal: CurrentPrincipal, project_id: FromPath[int], group: FromQuery[str] = ""
    ) -> Template:
        return await _page(principal, project_id, group)

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
                values = _fields(
                    form,
                    (
                        "code",
                        "gender",
                        "birth_year",
                        "entry_date",
                        "exit_date",
                        "household",
                        "target_group",
                    ),
                )
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


async def _import(principal: Principal, project_id: int, form) -> int:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Refused.one(FILE_REQUIRED, field="file")
    return await import_file(
        principal, project_id, upload.file, upload.filename, form.get("kind", "")
    )
