"""The budget by cost category and year: the computed table, and the form finance staff enter
it with (amounts, or flat rates of a base that are computed, never typed)."""

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from grants.access import Action, Principal
from grants.budget import BudgetLineInput, PlannedLine, base_parts, project_budget, set_budget
from grants.errors import Refused
from grants.expenditures import cost_categories
from grants.i18n import category_names, typed_money
from grants.money import rate_to_str
from grants.projects import get_project
from grants.web import CurrentPrincipal, form_errors

EMPTY_ROWS = 4  # blank rows below the current lines
MAX_ROWS = 500  # a form claiming more rows than this is not ours
_LINE_FIELDS = ("category", "year", "amount", "flat_rate", "flat_rate_base")


def _typed(line: PlannedLine) -> dict[str, str]:
    """A stored line as a person would type it back into the form."""
    rate = line.flat_rate_bp
    return {
        "category": line.category,
        "year": str(line.year),
        "amount": typed_money(line.amount),
        "flat_rate": "" if rate is None else rate_to_str(rate).replace(".", ","),
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
    if project is None:
        raise NotFoundException()
    budget = await project_budget(principal, project_id)
    names = category_names(await cost_categories(project_id))
    if lines is None:
        lines = [_typed(line) for line in budget.lines]
    return Template(
        "budget.html",
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


class BudgetPages(Controller):
    include_in_schema = False

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
