"""The staff-costs page of a project: people with their years' rates, caps and hours, the
months recorded with their expenditure lines, and the forms finance uses (add a person, add a
year's annual cost, record or correct a month). A refused form comes back with what was typed.
"""

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grants.core.access import Action, Principal
from grants.core.errors import NotFound, Refused
from grants.core.paging import shown_page
from grants.projects.reading import get_project
from grants.staff.staff import (
    StaffInput,
    StaffKind,
    TimesheetInput,
    add_staff,
    correct_timesheet,
    get_staff,
    list_staff,
    month_str,
    project_timesheets,
    record_timesheet,
    update_staff,
)
from grants.web import CurrentPrincipal, form_errors, refusal_status

STAFF_PER_PAGE = 25
_PERSON_FIELDS = ("name", "role", "kind", "share", "fixed_share", "year", "annual_cost")
_MONTH_FIELDS = ("month", "hours", "monthly_cost", "note")


async def _staff_page(
    principal: Principal,
    project_id: int,
    *,
    page: int = 1,
    form: str = "",
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Template:
    """The page; `form` names the form a refusal is about ("add", "year-12", "month-12"),
    which shows again with `values` and `errors`."""
    shown = await list_staff(principal, project_id, page=page, per_page=STAFF_PER_PAGE)
    last = shown_page(page, shown.total, STAFF_PER_PAGE)
    if last != page:
        shown = await list_staff(principal, project_id, page=last, per_page=STAFF_PER_PAGE)
    project = await get_project(principal, project_id, indicators=False)
    ids = {s.id for s in shown.rows}
    months: dict[int, list] = {i: [] for i in ids}
    for t in await project_timesheets(principal, project_id):
        if t.staff_id in ids:
            months[t.staff_id].append(t)
    return Template(
        "staff/staff.html",
        context={
            "principal": principal,
            "project": project,
            "shown": shown,
            "months": months,
            "month_str": month_str,
            "month_choices": {
                i: [(month_str(t.month), month_str(t.month)) for t in rows]
                for i, rows in months.items()
            },
            "kinds": [(k.value, k) for k in StaffKind],
            "can_record": principal.can(Action.RECORD_EXPENDITURE, project_id),
            "form": form,
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


async def _form(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    data = await request.form()
    return {name: str(data.get(name) or "") for name in names}


async def _own_staff(principal: Principal, project_id: int, staff_id: int) -> None:
    """NotFound for a person of another project under this project's address."""
    if (await get_staff(principal, staff_id)).project_id != project_id:
        raise NotFound()


def _blank_none(text: str) -> str | None:
    return text if text.strip() else None


class StaffPages(Controller):
    include_in_schema = False

    @get("/projects/{project_id:int}/staff")
    async def staff(
        self, principal: CurrentPrincipal, project_id: FromPath[int], page: FromQuery[int] = 1
    ) -> Template:
        return await _staff_page(principal, project_id, page=page)

    @post("/projects/{project_id:int}/staff")
    async def add(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        values = await _form(request, _PERSON_FIELDS)
        try:
            await add_staff(
                principal,
                project_id,
                StaffInput(**{k: _blank_none(v) if k != "name" else v for k, v in values.items()}),
            )
        except Refused as refused:
            return await _staff_page(
                principal,
                project_id,
                form="add",
                values=values,
                errors=form_errors(refused),
                status_code=refusal_status(refused),
            )
        return Redirect(f"/projects/{project_id}/staff", status_code=303)

    @post("/projects/{project_id:int}/staff/{staff_id:int}")
    async def add_year(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        staff_id: FromPath[int],
        request: Request,
    ) -> Template | Redirect:
        """Add (or change) a year's documented annual cost."""
        await _own_staff(principal, project_id, staff_id)
        values = await _form(request, ("year", "annual_cost"))
        try:
            await update_staff(
                principal,
                staff_id,
                StaffInput(year=values["year"], annual_cost=values["annual_cost"]),
            )
        except Refused as refused:
            return await _staff_page(
                principal,
                project_id,
                form=f"year-{staff_id}",
                values=values,
                errors=form_errors(refused),
                status_code=refusal_status(refused),
            )
        return Redirect(f"/projects/{project_id}/staff#staff-{staff_id}", status_code=303)

    @post("/projects/{project_id:int}/staff/{staff_id:int}/timesheets")
    async def month(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        staff_id: FromPath[int],
        request: Request,
    ) -> Template | Redirect:
        """Record a month, or correct it when the form carries a note (the correction form)."""
        await _own_staff(principal, project_id, staff_id)
        values = await _form(request, (*_MONTH_FIELDS, "action"))
        data = TimesheetInput(
            values["month"], _blank_none(values["hours"]), _blank_none(values["monthly_cost"])
        )
        correcting = values["action"] == "correct"
        try:
            if correcting:
                await correct_timesheet(principal, staff_id, data, values["note"])
            else:
                await record_timesheet(principal, staff_id, data)
        except Refused as refused:
            return await _staff_page(
                principal,
                project_id,
                form=f"{'correct' if correcting else 'month'}-{staff_id}",
                values=values,
                errors=form_errors(refused),
                status_code=refusal_status(refused),
            )
        return Redirect(f"/projects/{project_id}/staff#staff-{staff_id}", status_code=303)
