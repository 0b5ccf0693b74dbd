"""Finance pages: the expenditure register (inline entry with HTMX), one entry's versions, the
co-financing check, the budget and the planned claim schedule with its cash flow."""

import base64
import binascii
import re

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grants.claims.schedule import (
    Schedule,
    ScheduleRowInput,
    cash_flow,
    get_schedule,
    save_schedule,
    schedule_versions,
)
from grants.controllers.finance_api import (
    budget_warning_text,
    export_response,
    import_template_response,
    read_uploads,
)
from grants.core.access import Action, Principal
from grants.core.errors import Refused
from grants.core.i18n import (
    category_names,
    translate_error,
    typed_date,
    typed_money,
    typed_rate,
)
from grants.core.translatable import N_
from grants.db import possible_id
from grants.finance import imports as expenditure_imports
from grants.finance.budget import (
    BudgetLineInput,
    PlannedLine,
    base_parts,
    budget_warnings,
    category_report,
    project_budget,
    set_budget,
)
from grants.finance.cofinancing import cofinancing
from grants.finance.evidence import Upload
from grants.finance.expenditures import (
    ExpenditureInput,
    add_files,
    cancel_expenditure,
    change_blocked,
    cost_categories,
    declared_sums,
    edit_expenditure,
    expenditure_history,
    frozen_ids,
    list_expenditures,
    record_expenditure,
    remove_file,
)
from grants.modifications.lock import has_contract, locked
from grants.modifications.versions import contracts_on
from grants.procurement.contracts import contract_choices
from grants.projects.periods import default_period, list_periods
from grants.projects.reading import get_project
from grants.register.unit_costs import (
    CostOptionInput,
    cost_options,
    record_simplified_costs,
    set_cost_option,
    set_simplified_costs,
    simplified_costs,
)
from grants.web import CurrentPrincipal, form_errors, is_htmx, refusal_status
from grants.web.page_cache import cached_page
from reports.charts import cash_flow_uri
from reports.threads import off_loop

_FIELDS = (
    "date",
    "amount",
    "eligible_amount",
    "vat",
    "category",
    "supplier",
    "invoice_number",
    "payment_date",
    "description",
    "evidence_ref",
    "contract_id",
)

_ENTRY = "/projects/{project_id:int}/expenditures/{expenditure_id:int}"

_OPTION_FIELDS = ("kind", "rate", "category", "deliverable_done")
_CONFIRM_STOP = N_("Tick the box to confirm that the contract no longer allows simplified costs.")


async def _read(request: Request) -> tuple[dict, list[Upload]]:
    """The form as typed, and the evidence files uploaded with it (stored only once the whole
    form is accepted)."""
    form = await request.form()
    values = {name: form.get(name, "") for name in _FIELDS}
    values["note"] = form.get("note", "")
    files = [f for f in form.getall("attachment", []) if isinstance(f, UploadFile)]
    return values, await read_uploads(files)


def _input(values: dict) -> ExpenditureInput:
    return ExpenditureInput(**{k: v for k, v in values.items() if k != "note"})


EXPENDITURES_PER_PAGE = 50


async def _expenditures_page(
    principal: Principal,
    project_id: int,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    saved: bool = False,
    fragment: bool = False,
    status_code: int = 200,
    page: int = 1,
) -> Template:
    project = await get_project(principal, project_id, indicators=False)
    periods = await list_periods(
        principal, project_id, project_read=True
    )  # read once for the split and locks
    categories = await cost_categories(project_id)
    shown = await list_expenditures(
        principal, project_id, page=page, per_page=EXPENDITURES_PER_PAGE
    )
    if page > shown.pages:  # an old link beyond the last page: the last page instead
        shown = await list_expenditures(
            principal, project_id, page=shown.pages, per_page=EXPENDITURES_PER_PAGE
        )
    return Template(
        "finance/expenditure_list.html" if fragment else "finance/expenditures.html",
        context={
            "principal": principal,
            "project": project,
            "rows": shown.rows,
            "shown": shown,
            "frozen": await frozen_ids(principal, project_id, shown.rows, periods=periods),
            "split": await cofinancing(
                principal,
                project_id,
                project=project,
                declared=await declared_sums(principal, project_id, periods=periods),
            ),
            "categories": list(category_names(categories).items()),
            "contracts": await contract_choices(project_id),
            "can_record": principal.can(Action.RECORD_EXPENDITURE, project_id),
            "values": values or {},
            "errors": errors or {},
            "saved": saved,
        },
        status_code=status_code,
    )


class FinancePages(Controller):
    include_in_schema = False

    @get("/projects/{project_id:int}/expenditures", middleware=[cached_page])
    async def expenditures(
        self, principal: CurrentPrincipal, project_id: FromPath[int], page: FromQuery[int] = 1
    ) -> Template:
        return await _expenditures_page(principal, project_id, page=page)

    @post("/projects/{project_id:int}/expenditures")
    async def record(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        htmx = is_htmx(request)
        values: dict = {}
        try:
            values, uploads = await _read(request)
            await record_expenditure(principal, project_id, _input(values), uploads)
        except Refused as refused:
            return await _expenditures_page(
                principal,
                project_id,
                values=values,
                errors=form_errors(refused),
                fragment=htmx,
                status_code=422 if htmx else 400,
            )
        if htmx:
            return await _expenditures_page(principal, project_id, saved=True, fragment=True)
        return Redirect(f"/projects/{project_id}/expenditures", status_code=303)

    @get("/projects/{project_id:int}/expenditures/{expenditure_id:int}")
    async def entry(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        expenditure_id: FromPath[int],
    ) -> Template:
        return await self._entry_page(principal, project_id, expenditure_id)

    @post("/projects/{project_id:int}/expenditures/{expenditure_id:int}")
    async def change(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        expenditure_id: FromPath[int],
        request: Request,
    ) -> Template | Redirect:
        values: dict = {}
        cancelling = False
        try:
            values, uploads = await _read(request)
            cancelling = (await request.form()).get("action") == "cancel"
            if cancelling:
                await cancel_expenditure(principal, expenditure_id, values["note"])
            else:
                await edit_expenditure(
                    principal, expenditure_id, _input(values), values["note"], uploads
                )
        except Refused as refused:
            form = "cancel" if cancelling else "edit"
            return await self._entry_page(
                principal, project_id, expenditure_id, values, refused, form=form
            )
        return Redirect(f"/projects/{project_id}/expenditures", status_code=303)

    @post(_ENTRY + "/files")
    async def attach(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        expenditure_id: FromPath[int],
        request: Request,
    ) -> Template | Redirect:
        """More evidence files for a current entry, without a new version."""
        try:
            _, uploads = await _read(request)
            await add_files(principal, expenditure_id, uploads)
        except Refused as refused:
            return await self._entry_page(
                principal, project_id, expenditure_id, refused=refused, form="files"
            )
        return Redirect(f"/projects/{project_id}/expenditures/{expenditure_id}", status_code=303)

    @post(_ENTRY + "/files/{attachment_id:int}/remove")
    async def detach(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        expenditure_id: FromPath[int],
        attachment_id: FromPath[int],
    ) -> Template | Redirect:
        try:
            await remove_file(principal, expenditure_id, attachment_id)
        except Refused as refused:
            return await self._entry_page(
                principal, project_id, expenditure_id, refused=refused, form="files"
            )
        return Redirect(f"/projects/{project_id}/expenditures/{expenditure_id}", status_code=303)

    async def _entry_page(
        self,
        principal: Principal,
        project_id: int,
        expenditure_id: int,
        values: dict | None = None,
        refused: Refused | None = None,
        form: str = "",
    ) -> Template:
        """One entry: its versions and files, the one asked for marked; the forms to correct,
        cancel and add or remove files only on the current version, and only while it may
        change. `form` names the form a refusal belongs to."""
        versions = await expenditure_history(principal, expenditure_id)
        if not versions or versions[0].project_id != project_id:
            raise NotFoundException()
        latest = versions[-1]
        viewed = next(v for v in versions if v.id == expenditure_id)
        can_change = principal.can(Action.RECORD_EXPENDITURE, project_id) and viewed is latest
        blocked = None
        if can_change and latest.state == "current":
            problem = await change_blocked(principal, latest)
            blocked = problem and translate_error(problem.message, problem.params)
        categories = await cost_categories(project_id)
        return Template(
            "finance/expenditure.html",
            context={
                "principal": principal,
                "project": await get_project(principal, project_id, indicators=False),
                "versions": versions,
                "latest": latest,
                "viewed": viewed,
                "blocked": blocked,
                "can_change": can_change and latest.state == "current" and not blocked,
                "categories": list(category_names(categories).items()),
                "contracts": await contract_choices(project_id),
                "values": values,
                "errors": form_errors(refused) if refused else {},
                "form": form,
            },
            status_code=200 if refused is None else refusal_status(refused),
        )

    @get("/projects/{project_id:int}/cofinancing", middleware=[cached_page])
    async def cofinancing_page(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        period: FromQuery[int | None] = None,
    ) -> Template:
        return await _cofinancing_page(principal, project_id, period)

    @post("/projects/{project_id:int}/simplified-costs/record")
    async def record_simplified_costs(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """Put the period's unit costs and lump sums into the expenditure register."""
        form = await request.form()
        period = str(form.get("period", "")).strip()
        period_id = int(period) if period.isdecimal() and possible_id(int(period)) else None
        if period_id is None:
            raise NotFoundException()
        try:
            await record_simplified_costs(principal, project_id, period_id)
        except Refused as refused:
            return await _cofinancing_page(principal, project_id, period_id, refused)
        return Redirect(f"/projects/{project_id}/cofinancing?period={period_id}", status_code=303)

    @get("/projects/{project_id:int}/simplified-costs")
    async def simplified_costs_page(
        self, principal: CurrentPrincipal, project_id: FromPath[int]
    ) -> Template:
        """Whether the contract allows unit costs and lump sums, and each service's option."""
        return await _simplified_costs_page(principal, project_id)

    @post("/projects/{project_id:int}/simplified-costs/allowed")
    async def simplified_costs_allowed(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """Allow or stop simplified costs; stopping them needs the box ticked."""
        await _require_options(principal, project_id)
        form = await request.form()
        allowed = form.get("allowed") == "1"
        values = {"confirm": form.get("confirm", "")}
        try:
            if not allowed and values["confirm"] != "1":
                raise Refused.one(_CONFIRM_STOP, field="confirm")
            await set_simplified_costs(principal, project_id, allowed)
        except Refused as refused:
            return await _simplified_costs_page(
                principal, project_id, refused, values=values, failed="allowed"
            )
        return Redirect(f"/projects/{project_id}/simplified-costs", status_code=303)

    @post("/projects/{project_id:int}/simplified-costs/services/{service_id:int}")
    async def service_cost_option(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        service_id: FromPath[int],
        request: Request,
    ) -> Template | Redirect:
        """Set one service's unit cost or lump sum, or take it away."""
        await _require_options(principal, project_id)
        services = await cost_options(principal, project_id)
        if not any(s.service_id == service_id for s in services.services):
            raise NotFoundException()
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in _OPTION_FIELDS}
        data = CostOptionInput(
            kind=values["kind"],
            rate=values["rate"] or None,
            category=values["category"],
            deliverable_done=values["deliverable_done"] or None,
        )
        try:
            await set_cost_option(principal, service_id, data)
        except Refused as refused:
            return await _simplified_costs_page(
                principal, project_id, refused, values=values, failed=service_id
            )
        return Redirect(
            f"/projects/{project_id}/simplified-costs#service-{service_id}", status_code=303
        )

    @get("/projects/{project_id:int}/budget")
    async def budget(self, principal: CurrentPrincipal, project_id: FromPath[int]) -> Template:
        return await _page(principal, project_id)

    @post("/projects/{project_id:int}/budget")
    async def save(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """Save the budget; or, with "Add a row", show the form again as typed with one more
        row (only the rows, to an HTMX request), saving nothing."""
        form = await request.form()
        lines = _read_form(form)
        if form.get("add_rows"):
            principal.require(Action.EDIT_PROJECT, project_id)
            if is_htmx(request):
                names = category_names(await cost_categories(project_id))
                context = {"lines": [*lines, {}], "names": names, "errors": {}}
                return Template("finance/budget_rows.html", context=context)
            return await _page(principal, project_id, lines)
        reason = str(form.get("correction_reason", ""))
        try:
            await set_budget(
                principal,
                project_id,
                [_line_input(ln) for ln in lines],
                correction_reason=reason,
            )
        except Refused as refused:
            errors = form_errors(refused)
            return await _page(
                principal, project_id, lines, errors, refusal_status(refused), reason
            )
        return Redirect(f"/projects/{project_id}/budget", status_code=303)

    # Expenditure import (issue 14): the pages, their work is at the end of the module

    @get("/projects/{project_id:int}/expenditures/import")
    async def expenditure_import(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        imported: FromQuery[int | None] = None,
    ) -> Template:
        return await expenditure_import_page(principal, project_id, imported=imported)

    @post("/projects/{project_id:int}/expenditures/import")
    async def expenditure_import_post(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """A preview of an uploaded file, or the import of the file the preview showed."""
        return await expenditure_import_step(principal, project_id, await request.form())

    @get("/projects/{project_id:int}/expenditures/export")
    async def expenditure_export(
        self, principal: CurrentPrincipal, project_id: FromPath[int], format: FromQuery[str] = "csv"
    ) -> Response[bytes]:
        return await export_response(principal, project_id, format)

    @get("/projects/{project_id:int}/expenditures/import-template")
    async def expenditure_import_template(
        self, principal: CurrentPrincipal, project_id: FromPath[int], format: FromQuery[str] = "csv"
    ) -> Response[bytes]:
        return await import_template_response(principal, project_id, format)


MAX_ROWS = 500  # a form with more rows than this is not ours
_LINE_FIELDS = ("category", "year", "amount", "flat_rate")
_ROW = re.compile(r"lines-([0-9]{1,4})-")

TypedLine = dict[str, str | list[str]]  # a form row: the fields as typed, the base as ticked


def _typed(line: PlannedLine) -> TypedLine:
    """A stored line as a person would type it back into the form."""
    return {
        "category": line.category,
        "year": str(line.year),
        "amount": typed_money(line.amount),
        "flat_rate": typed_rate(line.flat_rate_bp),
        "flat_rate_base": list(base_parts(line.flat_rate_base)),
    }


def _read_form(form) -> list[TypedLine]:
    """The rows as typed, in order, empty rows left out. Rows are numbered by their fields'
    names ("lines-3-year"), so a row added on the page needs no counter."""
    numbers = sorted({int(m[1]) for key in form if (m := _ROW.match(key))})
    lines = []
    for i in numbers[:MAX_ROWS]:
        typed = {f: str(form.get(f"lines-{i}-{f}", "")) for f in _LINE_FIELDS}
        base = [str(v) for v in form.getall(f"lines-{i}-flat_rate_base", []) if str(v).strip()]
        if base or any(value.strip() for value in typed.values()):
            lines.append({**typed, "flat_rate_base": base})
    return lines


def _line_input(line: TypedLine) -> BudgetLineInput:
    base = line["flat_rate_base"]
    return BudgetLineInput(
        category=str(line["category"]),
        year=str(line["year"]),
        amount=str(line["amount"]),
        flat_rate=str(line["flat_rate"]),
        flat_rate_base=tuple(base) if isinstance(base, list) else base,
    )


async def _page(
    principal: Principal,
    project_id: int,
    lines: list[TypedLine] | None = None,
    errors: dict | None = None,
    status_code: int = 200,
    correction_reason: str = "",
) -> Template:
    """The budget as computed, with its warnings, and the form: the stored lines (or the
    lines as typed) and one empty row; "Add a row" gives more. In a project with a contract
    a budget it has is read-only, but to an administrator correcting it (`modifications.lock`)."""
    project = await get_project(principal, project_id, indicators=False)
    budget = await project_budget(principal, project_id)
    names = category_names(await cost_categories(project_id))
    warnings = await budget_warnings(principal, project_id)
    if lines is None:
        lines = [_typed(line) for line in budget.lines]
    return Template(
        "finance/budget.html",
        context={
            "principal": principal,
            "project": project,
            "budget": budget,
            "names": names,
            "warnings": [budget_warning_text(w, names) for w in warnings],
            "can_edit": principal.can(Action.EDIT_PROJECT, project_id),
            "contract": has_contract(project.summary.status),
            "fixed": locked(project.summary.status, budget.lines, principal, project_id),
            "can_correct": principal.can(Action.CORRECT_CONTRACT, project_id),
            "correction_reason": correction_reason,
            "lines": [*lines, {}],
            "errors": errors or {},
        },
        status_code=status_code,
    )


SCHEDULE_FIELDS = ("planned_date", "amount")
_SCHEDULE_ROW = re.compile(r"rows-([0-9]{1,4})-")
VERSIONS_PER_PAGE = 20

TypedRow = dict[str, str]


def _typed_schedule(schedule: Schedule) -> list[TypedRow]:
    """The stored rows as a person would type them back into the form."""
    return [
        {"planned_date": typed_date(r.planned_date), "amount": typed_money(r.amount)}
        for r in schedule.rows
    ]


def _read_schedule_form(form) -> list[TypedRow]:
    """The rows as typed, in order, empty rows left out; numbered by their fields' names
    ("rows-3-amount"), so a row added on the page needs no counter."""
    numbers = sorted({int(m[1]) for key in form if (m := _SCHEDULE_ROW.match(key))})
    rows = []
    for i in numbers[:MAX_ROWS]:
        typed = {f: str(form.get(f"rows-{i}-{f}", "")) for f in SCHEDULE_FIELDS}
        if any(value.strip() for value in typed.values()):
            rows.append(typed)
    return rows


async def _schedule_page(
    principal: Principal,
    project_id: int,
    *,
    rows: list[TypedRow] | None = None,
    note: str = "",
    errors: dict | None = None,
    status_code: int = 200,
    versions_page: int = 1,
) -> Template:
    """The current schedule split by source, the cash flow drawn, the form (the stored rows, or
    the rows as typed after a refusal, and one empty row) and the versions saved."""
    project = await get_project(principal, project_id, indicators=False)
    schedule = await get_schedule(principal, project_id, project=project)
    flow = await cash_flow(principal, project_id, schedule=schedule)
    versions = await schedule_versions(
        principal, project_id, page=versions_page, per_page=VERSIONS_PER_PAGE
    )
    if versions_page > versions.pages:
        versions = await schedule_versions(
            principal, project_id, page=versions.pages, per_page=VERSIONS_PER_PAGE
        )
    if rows is None:
        rows = _typed_schedule(schedule)
    return Template(
        "finance/claim_schedule.html",
        context={
            "principal": principal,
            "project": project,
            "schedule": schedule,
            "flow": flow,
            "chart": await off_loop(cash_flow_uri, flow),
            "versions": versions,
            "can_edit": principal.can(Action.EDIT_PROJECT, project_id),
            "rows": [*rows, {}],
            "note": note,
            "errors": errors or {},
        },
        status_code=status_code,
    )


class ClaimSchedulePages(Controller):
    """The planned claim schedule on the project's finance pages."""

    include_in_schema = False
    path = "/projects/{project_id:int}/claim-schedule"

    @get()
    async def claim_schedule(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        versions_page: FromQuery[int] = 1,
    ) -> Template:
        return await _schedule_page(principal, project_id, versions_page=versions_page)

    @post()
    async def save_claim_schedule(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        """Save the schedule as a new version; or, with "Add a row", show the form again as
        typed with one more row (only the rows, to an HTMX request), saving nothing."""
        form = await request.form()
        rows = _read_schedule_form(form)
        note = str(form.get("note", ""))
        if form.get("add_rows"):
            principal.require(Action.EDIT_PROJECT, project_id)
            if is_htmx(request):
                context = {"rows": [*rows, {}], "errors": {}}
                return Template("finance/claim_schedule_rows.html", context=context)
            return await _schedule_page(principal, project_id, rows=rows, note=note)
        try:
            typed = [ScheduleRowInput(r["planned_date"], r["amount"]) for r in rows]
            await save_schedule(principal, project_id, typed, note)
        except Refused as refused:
            return await _schedule_page(
                principal,
                project_id,
                rows=rows,
                note=note,
                errors=form_errors(refused),
                status_code=refusal_status(refused),
            )
        return Redirect(f"/projects/{project_id}/claim-schedule", status_code=303)


# Expenditure import (issue 14): upload, preview, then import all rows or none


async def _import_source(form) -> tuple[bytes, str]:
    """The file to preview (uploaded) or to import (carried by the preview's form, as base64),
    and its name."""
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        return expenditure_imports.within_limit(
            await upload.read(expenditure_imports.MAX_UPLOAD_BYTES + 1)
        ), upload.filename
    content, filename = str(form.get("content", "")), str(form.get("filename", ""))
    expenditure_imports.require_file(filename if content else None)
    try:
        return base64.b64decode(content, validate=True), filename
    except binascii.Error:
        raise Refused.one(expenditure_imports.FILE_REQUIRED, field="file") from None


async def expenditure_import_step(
    principal: Principal, project_id: int, form
) -> Template | Redirect:
    """Preview the file; or import it, all rows or none, then show how many were imported.
    A refused import shows the preview again with every row's problems."""
    importing = form.get("action") == "import"
    source, filename = b"", ""
    try:
        source, filename = await _import_source(form)
        result = await expenditure_imports.import_expenditures(
            principal, project_id, source, filename, dry_run=not importing
        )
    except Refused as refused:
        preview = None
        if importing and source:
            try:
                preview = await expenditure_imports.import_expenditures(
                    principal, project_id, source, filename, dry_run=True
                )
            except Refused:
                preview = None
        return await expenditure_import_page(
            principal,
            project_id,
            preview=preview,
            source=source if preview else b"",
            filename=filename,
            errors=form_errors(refused),
            status_code=refusal_status(refused),
        )
    if result.written:
        return Redirect(
            f"/projects/{project_id}/expenditures/import?imported={result.accepted}",
            status_code=303,
        )
    return await expenditure_import_page(
        principal, project_id, preview=result, source=source, filename=filename
    )


async def expenditure_import_page(
    principal: Principal,
    project_id: int,
    *,
    preview: expenditure_imports.ImportResult | None = None,
    source: bytes = b"",
    filename: str = "",
    errors: dict | None = None,
    imported: int | None = None,
    status_code: int = 200,
) -> Template:
    await expenditure_imports.require_on_project(principal, project_id, Action.RECORD_EXPENDITURE)
    return Template(
        "finance/expenditure_import.html",
        context={
            "principal": principal,
            "project": await get_project(principal, project_id, indicators=False),
            "preview": preview,
            "problems": {
                r.row: [translate_error(p.message, p.params) for p in r.problems]
                for r in (preview.rows if preview else [])
            },
            "content": base64.b64encode(source).decode() if preview and source else "",
            "filename": filename,
            "errors": errors or {},
            "imported": imported,
        },
        status_code=status_code,
    )


async def _cofinancing_page(
    principal: Principal, project_id: int, period: int | None, refused: Refused | None = None
) -> Template:
    """The co-financing check of a period, with its simplified costs; a refused recording of
    them shown above that section."""
    project = await get_project(principal, project_id, indicators=False)
    periods = await list_periods(principal, project_id, project_read=True)
    chosen = next((p for p in periods if p.id == period), None) or default_period(periods)
    chosen_id = chosen.id if chosen else None
    # read once and shared: the split and the categories add up the same sums
    declared = await declared_sums(principal, project_id, chosen_id, periods=periods)
    # the contract version in force at the period's end: the plan and budget it is checked on
    contract = (await contracts_on(project_id, [chosen.end]))[0] if chosen else None
    newest = contract is None or not contract.superseded
    split = await cofinancing(
        principal, project_id, project=project, declared=declared, newest=newest
    )
    return Template(
        "finance/cofinancing.html",
        context={
            "principal": principal,
            "project": project,
            "periods": periods,
            "period": chosen,
            "split": split,
            "contract": contract,
            "categories": await category_report(
                principal, project_id, declared=declared, newest=newest
            ),
            "names": category_names(await cost_categories(project_id)),
            "simplified": await simplified_costs(principal, project_id, chosen.id, period=chosen)
            if chosen
            else None,
            "may_record": principal.can(Action.RECORD_EXPENDITURE, project_id),
            "errors": form_errors(refused) if refused else {},
        },
        status_code=200 if refused is None else refusal_status(refused),
    )


async def _require_options(principal: Principal, project_id: int) -> None:
    """404 for a project the user does not work on, as for a missing one; 403 for the roles
    that do not set simplified cost options (only admin and finance do)."""
    await expenditure_imports.require_on_project(principal, project_id, Action.EDIT_PROJECT)


async def _simplified_costs_page(
    principal: Principal,
    project_id: int,
    refused: Refused | None = None,
    *,
    values: dict | None = None,
    failed: int | str | None = None,
) -> Template:
    """The simplified cost options of a project (admin and finance): a refused form, `failed`
    ("allowed" or the service's id), is shown again with what was typed and its problems."""
    await _require_options(principal, project_id)
    project = await get_project(principal, project_id, indicators=False)
    catalogue = await cost_options(principal, project_id)
    options = [
        (
            s,
            values
            if failed == s.service_id and values is not None
            else {
                "kind": s.option.kind,
                "rate": typed_money(s.option.rate),
                "category": s.option.category,
                "deliverable_done": typed_date(s.option.deliverable_done),
            },
        )
        for s in catalogue.services
    ]
    return Template(
        "finance/simplified_costs.html",
        context={
            "principal": principal,
            "project": project,
            "allowed": catalogue.allowed,
            "options": options,
            "categories": list(category_names(await cost_categories(project_id)).items()),
            "failed": failed,
            "values": values or {},
            "errors": form_errors(refused) if refused else {},
        },
        status_code=200 if refused is None else refusal_status(refused),
    )
