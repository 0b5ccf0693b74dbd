"""Project pages: the portfolio, a project with its plan, periods and indicators, its history,
the project form, and the period workflow buttons."""

from dataclasses import replace
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grants.claims.position import claim_position, claim_positions
from grants.core.access import Action, Principal
from grants.core.errors import Refused
from grants.core.i18n import label, typed_date, typed_money, typed_rate
from grants.core.vocabulary import (
    AmountKind,
    FundingBase,
    FundingKind,
    OurRole,
    ProjectStatus,
    ReportingRhythm,
)
from grants.modifications.lock import has_contract, locked
from grants.modifications.versions import contracts_on, current_number
from grants.projects.attachments import fetch_attachment
from grants.projects.editing import FundingLineInput, ProjectInput, create_project, update_project
from grants.projects.history import project_history
from grants.projects.periods import (
    PeriodRow,
    approve,
    default_period,
    get_period,
    list_periods,
    next_deadlines,
    reopen,
    return_period,
)
from grants.projects.portfolio import SORT_COLUMNS, PortfolioFilter, portfolio_page
from grants.projects.reading import ProjectDetail, get_project, list_measures
from grants.projects.reports import report_panel
from grants.register.participants import retention_date
from grants.results.common import COMMON_INDICATORS
from grants.results.progress import indicator_progress
from grants.results.sparklines import sparkline
from grants.web import CurrentPrincipal, form_errors, refusal_status, refused_body
from grants.web.headers import DOWNLOAD_POLICY
from grants.web.page_cache import cached_page
from reports.versions import submit_and_freeze


async def render_project(
    principal: Principal,
    project_id: int,
    period_id: int | None = None,
    *,
    entry_errors: dict[int, dict] | None = None,
    entry_values: dict[int, dict] | None = None,
    period_error: str = "",
    indicator_form: dict | None = None,
    narrative_form: dict | None = None,
    status_code: int = 200,
) -> Template:
    """The project page for a period: plan and checks, periods and their workflow, indicators."""
    # The indicators are read once, with their progress; the periods once, for both.
    project = await get_project(principal, project_id, indicators=False)
    periods = await list_periods(principal, project_id, project_read=True)
    chosen = next((p for p in periods if p.id == period_id), None) or default_period(periods)
    # the contract version in force at the period's end, read once for the indicators and report
    contract = (await contracts_on(project_id, [chosen.end]))[0] if chosen else None
    progress = await indicator_progress(
        principal,
        project_id,
        chosen.id if chosen else None,
        periods=periods,
        newest=contract is not None and not contract.superseded,
    )
    report = (
        await report_panel(principal, chosen, narrative_form, contract=contract) if chosen else None
    )
    claims = await claim_position(project_id)  # read access checked with the project
    return Template(
        "projects/project.html",
        context={
            "principal": principal,
            "project": project,
            "periods": periods,
            "period": chosen,
            "progress": progress,
            "retention": retention_date(project.summary.end_date),
            "charts": {
                p.indicator_id: sparkline([v for _, v in p.series], p.target_hundredths)
                for p in progress
            },
            "entry_errors": entry_errors or {},
            "entry_values": entry_values or {},
            "period_error": period_error,
            "indicator_form": indicator_form or {"values": {}, "errors": {}},
            "common_indicators": COMMON_INDICATORS,  # the indicator form's sources
            "report": report,
            "claims": claims,
            "contract_version": contract.newest if contract else await current_number(project_id),
        },
        status_code=status_code,
    )


async def refused_in_period(
    principal: Principal, period: PeriodRow, refused: Refused, **shown: dict | str
) -> Template:
    """The project page at the period again, showing why an action on it was refused."""
    return await render_project(
        principal, period.project_id, period.id, status_code=refusal_status(refused), **shown
    )


PERIOD_ACTIONS = {"submit", "approve", "return", "reopen"}
PORTFOLIO_PER_PAGE = 50


class ProjectsPages(Controller):
    include_in_schema = False

    @get("/", middleware=[cached_page])
    async def portfolio(
        self,
        principal: CurrentPrincipal,
        programme: FromQuery[str | None] = None,
        measure: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        sort: FromQuery[str] = "code",
        dir: FromQuery[str] = "asc",
        page: FromQuery[int] = 1,
    ) -> Template:
        """A page of the portfolio; the totals count every project matching the filters."""
        chosen = PortfolioFilter(
            programme=programme or None,
            measure=measure or None,
            status=status or None,
            sort=sort if sort in SORT_COLUMNS else "code",
            descending=dir == "desc",
        )
        shown = await portfolio_page(principal, chosen, page=page, per_page=PORTFOLIO_PER_PAGE)
        ids = [p.id for p in shown.shown.rows]  # the rows shown, each one the reader may see
        return Template(
            "projects/portfolio.html",
            context={
                "principal": principal,
                "portfolio": shown,
                "shown": shown.shown,
                "deadlines": await next_deadlines(ids),
                "claims": await claim_positions(ids),
                "filters": {"programme": programme, "measure": measure, "status": status},
                "sort": sort,
                "dir": dir,
            },
        )

    @get("/projects/{project_id:int}", middleware=[cached_page])
    async def project(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        period: FromQuery[int | None] = None,
    ) -> Template:
        return await render_project(principal, project_id, period)

    @get("/projects/{project_id:int}/history")
    async def history(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        entity: FromQuery[str | None] = None,
        id: FromQuery[int | None] = None,
        page: FromQuery[int] = 1,
    ) -> Template:
        project = await get_project(principal, project_id)
        history = await project_history(
            principal,
            project_id,
            project.summary.code,
            entity=entity or None,
            entity_id=id,
            page=page,
        )
        return Template(
            "projects/history.html",
            context={
                "principal": principal,
                "project": project,
                "history": history,
                "entity": entity or "",
                "entity_id": id,
            },
        )

    @get("/projects/new")
    async def new(self, principal: CurrentPrincipal) -> Template:
        principal.require(Action.CREATE_PROJECT)
        return await _form(principal, {"status": ProjectStatus.CONTRACTED}, [])

    @post("/projects/new")
    async def create(self, principal: CurrentPrincipal, request: Request) -> Template | Redirect:
        values, lines = _read_form(await request.form())
        try:
            project_id = await create_project(principal, _input(values, lines))
        except Refused as refused:
            return await _form(principal, values, lines, form_errors(refused), status_code=400)
        return Redirect(f"/projects/{project_id}", status_code=303)

    @get("/projects/{project_id:int}/edit")
    async def edit(self, principal: CurrentPrincipal, project_id: FromPath[int]) -> Template:
        principal.require(Action.EDIT_PROJECT, project_id)
        project = await get_project(principal, project_id)
        values, lines = _values_of(project)
        return await _form(principal, values, lines, project=project)

    @post("/projects/{project_id:int}/edit")
    async def update(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        project = await get_project(principal, project_id)
        form = await request.form()
        values, lines = _read_form(form)
        reason = str(form.get("correction_reason", ""))
        data = _input(values, lines)
        if not lines and "funding" in _locked_fields(principal, project):
            data = replace(data, funding=None)  # shown read-only, so not sent: left as it is
        try:
            await update_project(principal, project_id, data, correction_reason=reason)
        except Refused as refused:
            values["correction_reason"] = reason
            errors = form_errors(refused)
            return await _form(
                principal, values, lines, errors, project, status_code=refusal_status(refused)
            )
        return Redirect(f"/projects/{project_id}", status_code=303)

    @post("/periods/{period_id:int}/{action:str}")
    async def period_action(
        self,
        principal: CurrentPrincipal,
        period_id: FromPath[int],
        action: FromPath[str],
        request: Request,
    ) -> Template | Redirect:
        if action not in PERIOD_ACTIONS:
            raise NotFoundException()
        period = await get_period(principal, period_id)
        reason = (await request.form()).get("reason", "")
        try:
            if action == "submit":
                await submit_and_freeze(principal, period_id)
            elif action == "approve":
                await approve(principal, period_id)
            elif action == "return":
                await return_period(principal, period_id, reason)
            elif action == "reopen":
                await reopen(principal, period_id, reason)
        except Refused as refused:
            error = refused_body(refused)["detail"]
            return await refused_in_period(principal, period, refused, period_error=error)
        return Redirect(
            f"/projects/{period.project_id}?period={period_id}#periods", status_code=303
        )

    @get("/attachments/{attachment_id:int}")
    async def attachment(
        self, principal: CurrentPrincipal, attachment_id: FromPath[int]
    ) -> Response:
        stored = await fetch_attachment(principal, attachment_id)
        return Response(
            stored.data,
            media_type=stored.content_type,
            headers={
                "Content-Disposition": f"attachment; filename*=UTF-8''{quote(stored.name)}",
                "Content-Security-Policy": DOWNLOAD_POLICY,
            },
        )


FUNDING_ROWS = 6
_FIELDS = (
    "code", "title", "title_en", "measure", "our_role", "status", "start_date", "end_date",
    "total_cost", "eligible_cost", "amount_kind", "reporting", "note",
)  # fmt: skip
_LINE_FIELDS = ("source", "kind", "base", "rate", "amount", "partner_id")


def _options(vocabulary) -> list[tuple[str, str]]:
    return [(v.value, label(v)) for v in vocabulary]


async def _form(
    principal: Principal,
    values: dict,
    lines: list[dict],
    errors: dict | None = None,
    project: ProjectDetail | None = None,
    status_code: int = 200,
) -> Template:
    fixed = _locked_fields(principal, project) if project else set()
    if fixed:  # read-only fields are not sent: show them as the project has them
        stored_values, stored_lines = _values_of(project)
        values = values | {k: stored_values[k] for k in fixed & stored_values.keys()}
        lines = stored_lines if "funding" in fixed else lines
    lines = lines + [{} for _ in range(max(0, FUNDING_ROWS - len(lines)))]
    measures = await list_measures()
    return Template(
        "projects/project_form.html",
        context={
            "principal": principal,
            "project": project,
            "values": values,
            "lines": lines,
            "errors": errors or {},
            "measures": [(m["code"], f"{m['code']} · {m['name_lv']}") for m in measures],
            "roles": _options(OurRole),
            "statuses": _options(ProjectStatus),
            "amount_kinds": _options(AmountKind),
            "rhythms": _options(ReportingRhythm),
            "bases": _options(FundingBase),
            "kinds": _options(FundingKind),
            "partners": [(p.id, p.organisation) for p in project.partners] if project else [],
            "contract": bool(project) and has_contract(project.summary.status),
            "can_correct": bool(project)
            and principal.can(Action.CORRECT_CONTRACT, project.summary.id),
            "fixed": fixed,
        },
        status_code=status_code,
    )


def _locked_fields(principal: Principal, project: ProjectDetail) -> set[str]:
    """The contract fields this person sees read-only on the form (`modifications.lock`)."""
    s = project.summary
    held = {
        "start_date": s.start_date,
        "end_date": s.end_date,
        "total_cost": s.total_cost,
        "eligible_cost": s.eligible_cost,
        "funding": list(project.plan.lines),
    }
    return {name for name, value in held.items() if locked(s.status, value, principal, s.id)}


def _read_form(form) -> tuple[dict, list[dict]]:
    values = {name: form.get(name, "") for name in _FIELDS}
    lines = []
    rows = form.get("funding_rows", "")
    for i in range(min(int(rows), 50) if rows.isdigit() else FUNDING_ROWS):
        line = {f: form.get(f"funding-{i}-{f}", "") for f in _LINE_FIELDS}
        line["residual"] = form.get(f"funding-{i}-residual") == "on"
        if line["source"] or line["rate"] or line["amount"]:
            lines.append(line)
    return values, lines


def _input(values: dict, lines: list[dict]) -> ProjectInput:
    funding = [
        FundingLineInput(
            source=ln["source"],
            rate=ln["rate"] or None,
            amount=ln["amount"] or None,
            residual=ln["residual"],
            base=ln["base"] or FundingBase.ELIGIBLE,
            kind=ln["kind"] or None,
            partner_id=int(ln["partner_id"]) if ln["partner_id"].isdigit() else None,
        )
        for ln in lines
    ]
    return ProjectInput(**values, funding=funding)


def _values_of(project: ProjectDetail) -> tuple[dict, list[dict]]:
    s = project.summary
    values = {
        "code": s.code,
        "title": s.title_lv,
        "title_en": s.title_en,
        "measure": s.measure_code,
        "our_role": s.our_role,
        "status": s.status,
        "amount_kind": s.amount_kind,
        "reporting": project.reporting,
        "note": project.note_lv,
        "start_date": typed_date(s.start_date),
        "end_date": typed_date(s.end_date),
        "total_cost": typed_money(s.total_cost),
        "eligible_cost": typed_money(s.eligible_cost),
    }
    lines = [
        {
            "source": ln.source,
            "kind": ln.kind,
            "base": ln.base,
            "residual": ln.residual,
            "rate": typed_rate(ln.rate_bp),
            "amount": typed_money(ln.fixed_amount),
            "partner_id": ln.partner_id or "",
        }
        for ln in project.plan.lines
    ]
    return values, lines
