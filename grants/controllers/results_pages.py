"""Page actions on results: log an indicator value (inline with HTMX), add an indicator."""

from datetime import date

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from grants.controllers.projects_pages import render_project
from grants.core.access import Action
from grants.core.errors import Refused
from grants.core.messages import PERIOD_UNKNOWN
from grants.core.vocabulary import AGE_GROUPS, GENDERS
from grants.projects.periods import default_period, get_period, list_periods
from grants.projects.reading import get_project
from grants.results.common import common_values, register_facts
from grants.results.entries import EntryInput, log_entry
from grants.results.indicators import IndicatorInput, create_indicator, get_indicator
from grants.results.progress import indicator_progress
from grants.results.sparklines import sparkline
from grants.web import CurrentPrincipal, form_errors, is_htmx, refusal_status

_INDICATOR_FIELDS = (
    "code",
    "name",
    "name_en",
    "unit",
    "unit_en",
    "target",
    "target_rule",
    "aggregation",
    "source",
    "kind",
    "min_stay_months",
    "target_group",
    "decimals",
)


def _entry_input(form) -> tuple[EntryInput, dict]:
    """The entry as typed, and the same values for re-showing the form."""
    values = {k: v for k, v in form.items() if k != "_csrf_token"}
    breakdown: dict[str, dict[str, str]] = {}
    for key, value in values.items():
        if key.startswith("breakdown-") and value.strip():
            _, dimension, category = key.split("-", 2)
            breakdown.setdefault(dimension, {})[category] = value
    entry = EntryInput(
        period_id=int(values.get("period_id") or 0),
        value=values.get("value") or None,
        numerator=values.get("numerator") or None,
        denominator=values.get("denominator") or None,
        breakdown=breakdown,
        comment=values.get("comment", ""),
        evidence_ref=values.get("evidence_ref", ""),
    )
    return entry, values


class ResultsPages(Controller):
    include_in_schema = False

    @post("/projects/{project_id:int}/indicators/{indicator_id:int}/entries")
    async def log(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        indicator_id: FromPath[int],
        request: Request,
    ) -> Template | Redirect:
        indicator = await get_indicator(principal, indicator_id)
        entry, values = _entry_input(await request.form())
        errors: dict = {}
        try:
            if indicator.project_id != project_id:
                raise Refused.one(PERIOD_UNKNOWN, field="period_id")
            await log_entry(principal, indicator_id, entry)
        except Refused as refused:
            errors = form_errors(refused)
        if not is_htmx(request):
            if errors:
                return await render_project(
                    principal,
                    project_id,
                    entry.period_id,
                    entry_errors={indicator_id: errors},
                    entry_values={indicator_id: values},
                    status_code=400,
                )
            return Redirect(
                f"/projects/{project_id}?period={entry.period_id}#indicator-{indicator_id}"
            )
        progress = await indicator_progress(principal, project_id, entry.period_id or None)
        row = next(p for p in progress if p.indicator_id == indicator_id)
        period = await get_period(principal, entry.period_id) if entry.period_id else None
        return Template(
            "results/indicator.html",
            context={
                "principal": principal,
                "project_id": project_id,
                "p": row,
                "period": period,
                "chart": sparkline([v for _, v in row.series], row.target_hundredths),
                "errors": errors,
                "values": values if errors else {},
                "saved": not errors,
            },
            status_code=422 if errors else 200,
        )

    @post("/projects/{project_id:int}/indicators")
    async def add_indicator(
        self, principal: CurrentPrincipal, project_id: FromPath[int], request: Request
    ) -> Template | Redirect:
        form = await request.form()
        values = {k: form.get(k, "") for k in _INDICATOR_FIELDS}
        values["min_stay_months"] = values["min_stay_months"] or None
        data = IndicatorInput(**values, breakdowns=form.getall("breakdowns", []))
        try:
            await create_indicator(principal, project_id, data)
        except Refused as refused:
            return await render_project(
                principal,
                project_id,
                indicator_form={"values": values, "errors": form_errors(refused)},
                status_code=refusal_status(refused),
            )
        return Redirect(f"/projects/{project_id}#indicators", status_code=303)

    @get("/projects/{project_id:int}/common-indicators")
    async def common_indicators(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        period: FromQuery[int | None] = None,
    ) -> Template:
        """The ESF+ common indicators counted from the register, for a period and to its end,
        by gender and age group; the annual participant reports for those who read the
        register."""
        project = await get_project(principal, project_id, indicators=False)
        periods = await list_periods(principal, project_id, project_read=True)
        chosen = next((p for p in periods if p.id == period), None) or default_period(periods)
        facts = (await register_facts([project_id]))[project_id]
        start, end = (chosen.start, chosen.end) if chosen else (None, None)
        first = project.summary.start_date or (periods[0].start if periods else None)
        last = project.summary.end_date or (periods[-1].end if periods else None)
        years = list(range(first.year, last.year + 1)) if first and last else [date.today().year]
        return Template(
            "results/common_indicators.html",
            context={
                "principal": principal,
                "project": project,
                "periods": periods,
                "period": chosen,
                "values": common_values(principal, project_id, facts, start, end),
                "genders": GENDERS,
                "ages": AGE_GROUPS,
                "years": years,
                "can_report": principal.can(Action.READ_REGISTER, project_id),
            },
        )
