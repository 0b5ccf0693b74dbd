"""Finance pages: the expenditure register (inline entry with HTMX), one entry's versions, and
the co-financing check."""

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grants.core.access import Action, Principal
from grants.core.errors import Refused
from grants.core.i18n import category_names, typed_money, typed_rate
from grants.finance.budget import (
    BudgetLineInput,
    PlannedLine,
    base_parts,
    category_report,
    project_budget,
    set_budget,
)
from grants.finance.cofinancing import cofinancing
from grants.finance.expenditures import (
    ExpenditureInput,
    cancel_expenditure,
    cost_categories,
    edit_expenditure,
    expenditure_history,
    list_expenditures,
    record_expenditure,
)
from grants.projects.attachments import store_attachment
from grants.projects.periods import default_period, list_periods
from grants.projects.reading import get_project
from grants.web import CurrentPrincipal, form_errors, is_htmx, refusal_status

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
)


async def _read(principal: Principal, project_id: int, request: Request) -> tuple[dict, int | None]:
    """The form as typed, and the id of an uploaded evidence file (stored first)."""
    form = await request.form()
    values = {name: form.get(name, "") for name in _FIELDS}
    values["note"] = form.get("note", "")
    upload = form.get("attachment")
    attachment_id = None
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read()
        attachment_id = await store_attachment(principal, project_id, upload.filename, data)
    return values, attachment_id


def _input(values: dict, attachment_id: int | None) -> ExpenditureInput:
    fields = {k: v for k, v in values.items() if k != "note"}
    return ExpenditureInput(**fields, attachment_id=attachment_id)


async def _expenditures_page(
    principal: Principal,
    project_id: int,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    saved: bool = False,
    fragment: bool = False,
    status_code: int = 200,
) -> Template:
    project = await get_project(principal, project_id)
    categories = await cost_categories(project_id)
    return Template(
        "finance/expenditure_list.html" if fragment else "finance/expenditures.html",
        context={
            "principal": principal,
            "project": project,
            "rows": await list_expenditures(principal, project_id),
            "split": await cofinancing(principal, project_id),
            "categories": list(category_names(categories).items()),
            "can_record": principal.can(Action.RECORD_EXPENDITURE, project_id),
            "values": values or {},
            "errors": errors or {},
            "saved": saved,
        },
        status_code=status_code,
    )


class FinancePages(Controller):
    include_in_schema = False

    @get("/projects/{project_id:int}/expenditures")
    async def expenditures(
        self, principal: CurrentPrincipal, project_id: FromPath[int]
    ) -> Template:
        return await _expenditures_page(principal, project_id)

    @post("/projects/{project_id:int}/expenditures")
    async def record(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        htmx = is_htmx(request)
        values: dict = {}
        try:
            values, attachment_id = await _read(principal, project_id, request)
            await record_expenditure(principal, project_id, _input(values, attachment_id))
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
        try:
            values, attachment_id = await _read(principal, project_id, request)
            if (await request.form()).get("action") == "cancel":
                await cancel_expenditure(principal, expenditure_id, values["note"])
            else:
                await edit_expenditure(
                    principal, expenditure_id, _input(values, attachment_id), values["note"]
                )
        except Refused as refused:
            return await self._entry_page(principal, project_id, expenditure_id, values, refused)
        return Redirect(f"/projects/{project_id}/expenditures", status_code=303)

    async def _entry_page(
        self,
        principal: Principal,
        project_id: int,
        expenditure_id: int,
        values: dict | None = None,
        refused: Refused | None = None,
    ) -> Template:
        versions = await expenditure_history(principal, expenditure_id)
        if not versions or versions[0].project_id != project_id:
            raise NotFoundException()
        latest = versions[-1]
        categories = await cost_categories(project_id)
        return Template(
            "finance/expenditure.html",
            context={
                "principal": principal,
                "project": await get_project(principal, project_id),
                "versions": versions,
                "latest": latest,
                "categories": list(category_names(categories).items()),
                "can_record": principal.can(Action.RECORD_EXPENDITURE, project_id),
                "values": values,
                "errors": form_errors(refused) if refused else {},
            },
            status_code=200 if refused is None else refusal_status(refused),
        )

    @get("/projects/{project_id:int}/cofinancing")
    async def cofinancing_page(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        period: FromQuery[int | None] = None,
    ) -> Template:
        project = await get_project(principal, project_id)
        periods = await list_periods(principal, project_id)
        chosen = next((p for p in periods if p.id == period), None) or default_period(periods)
        chosen_id = chosen.id if chosen else None
        return Template(
            "finance/cofinancing.html",
            context={
                "principal": principal,
                "project": project,
                "periods": periods,
                "period": chosen,
                "split": await cofinancing(principal, project_id, chosen_id),
                "categories": await category_report(principal, project_id, chosen_id),
                "names": category_names(await cost_categories(project_id)),
            },
        )

    @get("/projects/{project_id:int}/budget")
    async def budget(self, principal: CurrentPrincipal, project_id: FromPath[int]) -> Template:
        return await _page(principal, project_id)

    @post("/projects/{project_id:int}/budget")
    async def save(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        lines = _read_form(await request.form())
        try:
            await set_budget(principal, project_id, [BudgetLineInput(**ln) for ln in lines])
        except Refused as refused:
            return await _page(principal, project_id, lines, form_errors(refused), 400)
        return Redirect(f"/projects/{project_id}/budget", status_code=303)


EMPTY_ROWS = 4  # blank rows below the current lines
MAX_ROWS = 500  # a form claiming more rows than this is not ours
_LINE_FIELDS = ("category", "year", "amount", "flat_rate", "flat_rate_base")


def _typed(line: PlannedLine) -> dict[str, str]:
    """A stored line as a person would type it back into the form."""
    return {
        "category": line.category,
        "year": str(line.year),
        "amount": typed_money(line.amount),
        "flat_rate": typed_rate(line.flat_rate_bp),
        "flat_rate_base": ", ".join(base_parts(line.flat_rate_base)),
    }


def _read_form(form) -> list[dict[str, str]]:
    """The rows as typed, empty rows left out."""
    count = str(form.get("line_rows", ""))
    lines = []
    for i in range(min(int(count), MAX_ROWS) if count.isdigit() else 0):
        line = {f: str(form.get(f"lines-{i}-{f}", "")) for f in _LINE_FIELDS}
        if any(value.strip() for value in line.values()):
            lines.append(line)
    return lines


async def _page(
    principal: Principal,
    project_id: int,
    lines: list[dict[str, str]] | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Template:
    project = await get_project(principal, project_id)
    budget = await project_budget(principal, project_id)
    names = category_names(await cost_categories(project_id))
    if lines is None:
        lines = [_typed(line) for line in budget.lines]
    return Template(
        "finance/budget.html",
        context={
            "principal": principal,
            "project": project,
            "budget": budget,
            "names": names,
            "can_edit": principal.can(Action.EDIT_PROJECT, project_id),
            "lines": lines + [{} for _ in range(EMPTY_ROWS)],
            "errors": errors or {},
        },
        status_code=status_code,
    )
