"""Procurement pages: a project's contracts with what is invoiced and left, the form to add
one, and each contract's page with its invoices and the form to change it."""

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grants.core.access import Action, Principal
from grants.core.errors import NotFound, Refused
from grants.core.i18n import gettext, typed_date, typed_money
from grants.procurement.contracts import (
    PROCEDURE_LABELS,
    ContractInput,
    ContractRow,
    contract_invoices,
    create_contract,
    edit_contract,
    get_contract,
    list_contracts,
    procurement_threshold,
)
from grants.projects.reading import get_project
from grants.web import CurrentPrincipal, form_errors, refusal_status

FIELDS = ("reference", "supplier", "amount", "date", "procedure")
CONTRACTS_PER_PAGE = 50


def _procedures() -> list[tuple[str, str]]:
    return [(value, gettext(text)) for value, text in PROCEDURE_LABELS.items()]


def _typed(row: ContractRow) -> dict[str, str]:
    """A stored contract as a person would type it back into the form."""
    return {
        "reference": row.reference,
        "supplier": row.supplier,
        "amount": typed_money(row.amount),
        "date": typed_date(row.signed_on),
        "procedure": row.procedure,
    }


async def _read(request: Request) -> dict[str, str]:
    form = await request.form()
    return {name: str(form.get(name, "")) for name in FIELDS}


async def _list_page(
    principal: Principal,
    project_id: int,
    *,
    page: int = 1,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Template:
    """The contracts with amount, invoiced, left and each one's invoices, and the form to add
    one (as typed, after a refusal)."""
    shown = await list_contracts(principal, project_id, page=page, per_page=CONTRACTS_PER_PAGE)
    if page > shown.pages:  # an old link beyond the last page: the last page instead
        shown = await list_contracts(
            principal, project_id, page=shown.pages, per_page=CONTRACTS_PER_PAGE
        )
    return Template(
        "procurement/contracts.html",
        context={
            "principal": principal,
            "project": await get_project(principal, project_id, indicators=False),
            "shown": shown,
            "invoices": await contract_invoices(project_id, [c.id for c in shown.rows]),
            "threshold": await procurement_threshold(principal, project_id),
            "procedures": _procedures(),
            "labels": dict(_procedures()),
            "can_record": principal.can(Action.RECORD_EXPENDITURE, project_id),
            "values": values or {},
            "errors": errors or {},
        },
        status_code=status_code,
    )


async def _contract_page(
    principal: Principal,
    project_id: int,
    contract_id: int,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    status_code: int = 200,
) -> Template:
    contract = await get_contract(principal, contract_id)
    if contract.project_id != project_id:
        raise NotFound()
    return Template(
        "procurement/contract.html",
        context={
            "principal": principal,
            "project": await get_project(principal, project_id, indicators=False),
            "contract": contract,
            "invoices": (await contract_invoices(project_id, [contract.id])).get(contract.id, []),
            "procedures": _procedures(),
            "labels": dict(_procedures()),
            "can_record": principal.can(Action.RECORD_EXPENDITURE, project_id),
            "values": values or _typed(contract),
            "errors": errors or {},
        },
        status_code=status_code,
    )


class ProcurementPages(Controller):
    include_in_schema = False
    path = "/projects/{project_id:int}/contracts"

    @get()
    async def contracts(
        self, principal: CurrentPrincipal, project_id: FromPath[int], page: FromQuery[int] = 1
    ) -> Template:
        return await _list_page(principal, project_id, page=page)

    @post()
    async def add(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        values = await _read(request)
        try:
            await create_contract(principal, project_id, ContractInput(**values))
        except Refused as refused:
            return await _list_page(
                principal,
                project_id,
                values=values,
                errors=form_errors(refused),
                status_code=refusal_status(refused),
            )
        return Redirect(f"/projects/{project_id}/contracts", status_code=303)

    @get("/{contract_id:int}")
    async def contract(
        self, principal: CurrentPrincipal, project_id: FromPath[int], contract_id: FromPath[int]
    ) -> Template:
        return await _contract_page(principal, project_id, contract_id)

    @post("/{contract_id:int}")
    async def change(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        contract_id: FromPath[int],
        request: Request,
    ) -> Template | Redirect:
        values = await _read(request)
        if (await get_contract(principal, contract_id)).project_id != project_id:
            raise NotFound()
        try:
            await edit_contract(principal, contract_id, ContractInput(**values))
        except Refused as refused:
            return await _contract_page(
                principal,
                project_id,
                contract_id,
                values=values,
                errors=form_errors(refused),
                status_code=refusal_status(refused),
            )
        return Redirect(f"/projects/{project_id}/contracts/{contract_id}", status_code=303)
