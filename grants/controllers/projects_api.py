"""API for projects (list, detail, create, change, audit trail) and their reporting periods
with the workflow."""

from datetime import date
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import Meta, Struct, structs

from grants.claims.position import ClaimPosition, claim_position
from grants.controllers.api_schemas import (
    AuditOut,
    In,
    Page,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    audit_out,
    money_fields,
    page_out,
    project_detail_out,
    project_input,
    project_out,
    to_output,
)
from grants.core.access import Principal
from grants.core.audit import audit_page
from grants.core.errors import NotFound
from grants.core.i18n import gettext
from grants.core.money import cents_to_str
from grants.core.paging import DEFAULT_PER_PAGE, check_per_page
from grants.modifications.versions import ContractOn, contracts_on
from grants.projects.editing import create_project, update_project
from grants.projects.periods import PeriodRow, approve, list_periods, reopen, return_period
from grants.projects.reading import ProjectSummary, get_project, projects_page
from grants.projects.submission import SubmitChecklist, submit_checklist
from grants.web import CurrentPrincipal
from grants.web.page_cache import cached_page
from reports.versions import submit_and_freeze


class PeriodOut(Struct):
    id: int
    number: int
    start: date
    end: date
    deadline: date
    status: str
    status_note: str
    overdue: bool
    locked: bool
    submitted_on: Annotated[
        date | None,
        Meta(description="Day (Riga time) of the submission that stands; null unless the "
             "period is submitted or approved."),
    ]  # fmt: skip
    days_late: Annotated[
        int | None,
        Meta(description="Days after the deadline it was submitted (0: on time); null unless "
             "the period is submitted or approved."),
    ]  # fmt: skip
    contract_version: Annotated[
        int,
        Meta(description="The contract version in force at the period's end, which its "
             "report is computed with."),
    ]  # fmt: skip


class ProjectListOut(ProjectOut):
    """A project in the list, with how the portfolio counts it."""

    counted_as: Annotated[
        str,
        Meta(description='How the portfolio counts the project: "own_project" at its full '
             'amounts, "our_share" (we are a partner or cooperation party: counted at our '
             'share) or "other_organisation" (an approval we follow, totalled apart).'),
    ]  # fmt: skip
    our_share: Annotated[
        str | None,
        Meta(description="Our organisation's partner budget in the project; null when our "
             "organisation has no partner row with a budget in it."),
    ]  # fmt: skip
    our_eu_share: Annotated[
        str | None,
        Meta(description="The EU-fund part of our share, from the funding plan; null when "
             "the plan does not give it."),
    ]  # fmt: skip


def project_list_out(p: ProjectSummary) -> ProjectListOut:
    return ProjectListOut(
        **structs.asdict(project_out(p)),
        counted_as=p.counted_as,
        **money_fields(p, "our_share", "our_eu_share"),
    )


class NextPlannedClaimOut(Struct):
    """The first planned claim of the current schedule that no claim covers yet."""

    position: Annotated[int, Meta(description="Its place in the schedule, 1, 2, … by date.")]
    planned_date: date
    amount: Annotated[str, Meta(description="The eligible cost it is planned to carry.")]
    cumulative: Annotated[str, Meta(description="The schedule's amounts up to and with it.")]
    overdue: Annotated[bool, Meta(description="Its date has passed (before today, Riga).")]


class LateReviewOut(Struct):
    """A submitted claim the funder has not answered within its review time."""

    claim_id: int
    number: int
    kind: str
    submitted_on: date
    review_due: Annotated[
        date,
        Meta(description="Submission + 20 working days (60 for a final claim), Monday to "
             "Friday, public holidays not counted out."),
    ]  # fmt: skip


class ClaimFiguresOut(Struct):
    """The project's claims added up (money as decimal strings)."""

    claimed: Annotated[
        str, Meta(description="Eligible costs of the claims sent (submitted, approved, paid).")
    ]
    approved: Annotated[str, Meta(description="Of approved and paid claims.")]
    received: Annotated[str, Meta(description="Every payment received, advances included.")]
    outstanding: Annotated[str, Meta(description="What approved claims still await.")]
    advance_received: str
    advance_uncleared: Annotated[
        str, Meta(description="Advance received that no claim (not rejected) clears yet.")
    ]
    drafts: Annotated[int, Meta(description="Claims being prepared or returned.")]
    next_planned: Annotated[
        NextPlannedClaimOut | None,
        Meta(description="Null without a schedule, or when every planned claim is made. A "
             "planned claim is made once as many claims were sent as the rows up to it, or "
             "as much eligible cost as the plan up to it."),
    ]  # fmt: skip
    missed_planned: Annotated[
        int, Meta(description="Planned claims whose date passed without a claim covering them.")
    ]
    late_reviews: list[LateReviewOut]
    overdue: Annotated[bool, Meta(description="A planned claim missed, or a review late.")]


def claim_figures_out(c: ClaimPosition) -> ClaimFiguresOut:
    t, upcoming = c.totals, c.next_planned
    return ClaimFiguresOut(
        claimed=cents_to_str(t.claimed),
        approved=cents_to_str(t.approved),
        received=cents_to_str(t.received),
        outstanding=cents_to_str(t.outstanding),
        advance_received=cents_to_str(t.advance_received),
        advance_uncleared=cents_to_str(t.advance_uncleared),
        drafts=t.drafts,
        next_planned=None
        if upcoming is None
        else NextPlannedClaimOut(
            position=upcoming.position,
            planned_date=upcoming.planned_date,
            amount=cents_to_str(upcoming.amount),
            cumulative=cents_to_str(upcoming.cumulative),
            overdue=upcoming.overdue,
        ),
        missed_planned=c.missed,
        late_reviews=[
            LateReviewOut(
                claim_id=r.claim_id,
                number=r.number,
                kind=str(r.kind),
                submitted_on=r.submitted_on,
                review_due=r.review_due,
            )
            for r in c.late_reviews
        ],
        overdue=c.overdue,
    )


class ProjectWithClaimsOut(ProjectDetailOut):
    """One project as `ProjectDetailOut`, with where its claims stand."""

    claims: ClaimFiguresOut


class ReasonIn(In):
    reason: str


class ProjectChangeIn(ProjectIn):
    """The fields to change, as `ProjectIn`. In a project with a contract (contracted, in
    progress or closed), dates, costs and a funding plan it has change only through a
    modification; an administrator may correct an obvious typo in them with a
    `correction_reason`, which the audit trail records."""

    correction_reason: str | None = None


class ChecklistOut(Struct):
    """What to look at before submitting; every item is a warning, submitting stays allowed."""

    period_id: int
    clear: Annotated[bool, Meta(description="True when there is nothing to warn about.")]
    empty_sections: Annotated[
        list[str],
        Meta(description="Narrative sections without text: activities, results, "
             "problems_risks, next_steps."),
    ]  # fmt: skip
    incomplete_breakdowns: Annotated[
        list[str],
        Meta(description="Codes of indicators whose value in this period has a breakdown "
             "that does not add up."),
    ]  # fmt: skip
    earlier_not_reported: Annotated[
        list[int],
        Meta(description="Numbers of earlier periods neither submitted nor approved."),
    ]
    days_late: Annotated[
        int,
        Meta(description="Days past the deadline if submitted today (Riga time); 0: on time."),
    ]
    warnings: Annotated[
        list[str], Meta(description="The same items as sentences in the reader's language.")
    ]


class ProjectsOut(Page):
    items: list[ProjectListOut]


class AuditPageOut(Page):
    items: list[AuditOut]


def period_out(p: PeriodRow, contract: ContractOn) -> PeriodOut:
    return to_output(p, PeriodOut, contract_version=contract.number)


async def one_period_out(p: PeriodRow) -> PeriodOut:
    """A period with the contract version in force at its end (one query)."""
    return period_out(p, (await contracts_on(p.project_id, [p.end]))[0])


def checklist_out(c: SubmitChecklist) -> ChecklistOut:
    return to_output(
        c,
        ChecklistOut,
        period_id=c.period.id,
        earlier_not_reported=[p.number for p in c.earlier_not_reported],
        warnings=c.warnings(),
    )


class ProjectsApi(Controller):
    path = "/api/v1/projects"
    tags = ("projects",)

    @get("/", middleware=[cached_page])
    async def index(
        self,
        principal: CurrentPrincipal,
        code: FromQuery[str | None] = None,
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = DEFAULT_PER_PAGE,
    ) -> ProjectsOut:
        """Projects the token's user may read, by code, a page at a time (`page` from 1,
        `per_page` up to 500, 100 if not given; `total`: how many on all pages); `code`
        matches regardless of separator style. A partner project also gives our share,
        which the portfolio counts instead."""
        check_per_page(per_page)
        found = await projects_page(principal, code=code, page=page, per_page=per_page)
        return page_out(ProjectsOut, found, project_list_out)

    @get("/{project_id:int}")
    async def detail(
        self, principal: CurrentPrincipal, project_id: FromPath[int]
    ) -> ProjectWithClaimsOut:
        """One project with its funding plan (amounts computed), checks, partners, indicators,
        and its claims: claimed, approved, received, outstanding, the advance not yet cleared,
        the next planned claim and what is overdue."""
        detail = await _detail(principal, project_id)
        return ProjectWithClaimsOut(
            **structs.asdict(detail), claims=claim_figures_out(await claim_position(project_id))
        )

    @post("/")
    async def create(
        self, principal: CurrentPrincipal, data: JSONBody[ProjectIn]
    ) -> ProjectDetailOut:
        """Create a project with its funding plan; amounts are computed and returned."""
        return await _detail(principal, await create_project(principal, project_input(data)))

    @patch("/{project_id:int}")
    async def change(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        data: JSONBody[ProjectChangeIn],
    ) -> ProjectDetailOut:
        """Change the fields given; `funding`, when given, replaces the whole plan. A project
        with a contract refuses a change to its dates, costs or funding plan (409: propose a
        modification) unless an administrator gives a `correction_reason`."""
        fields = structs.asdict(data)
        reason = fields.pop("correction_reason")
        await update_project(
            principal, project_id, project_input(ProjectIn(**fields)), correction_reason=reason
        )
        return await _detail(principal, project_id)

    @get("/{project_id:int}/audit")
    async def audit(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        entity: FromQuery[str | None] = None,
        entity_id: FromQuery[int | None] = None,
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = DEFAULT_PER_PAGE,
    ) -> AuditPageOut:
        """Who changed what and when in this project, newest first, with before/after values,
        a page at a time (`page` from 1, `per_page` up to 500, 100 if not given)."""
        check_per_page(per_page)
        await _detail(principal, project_id)  # 404 before 403 for unknown projects
        found = await audit_page(
            principal, project_id, entity=entity, entity_id=entity_id, page=page, per_page=per_page
        )
        return page_out(AuditPageOut, found, audit_out)


async def _detail(principal: Principal, project_id: int) -> ProjectDetailOut:
    try:
        project = await get_project(principal, project_id)
    except NotFound:
        raise NotFoundException(gettext("No project with id %(id)s.", id=project_id)) from None
    return project_detail_out(project)


class PeriodsApi(Controller):
    path = "/api/v1"
    tags = ("periods",)

    @get("/projects/{project_id:int}/periods")
    async def periods(
        self, principal: CurrentPrincipal, project_id: FromPath[int]
    ) -> list[PeriodOut]:
        """Reporting periods from the project's dates and rhythm, with deadlines and status."""
        periods = await list_periods(principal, project_id)
        contracts = await contracts_on(project_id, [p.end for p in periods])
        return [period_out(p, c) for p, c in zip(periods, contracts, strict=True)]

    @get("/periods/{period_id:int}/checklist")
    async def checklist(
        self, principal: CurrentPrincipal, period_id: FromPath[int]
    ) -> ChecklistOut:
        """What to look at before submitting the period (the page shows the same before its
        final "Submit"): empty narrative sections, breakdowns that do not add up in this
        period, earlier periods not yet submitted or approved, days past the deadline."""
        return checklist_out(await submit_checklist(principal, period_id))

    @post("/periods/{period_id:int}/submit", status_code=200)
    async def submit(self, principal: CurrentPrincipal, period_id: FromPath[int]) -> PeriodOut:
        """Submit the period for approval; its report is frozen as a new version. Nothing on
        the checklist (`GET /periods/{id}/checklist`) stops it."""
        return await one_period_out(await submit_and_freeze(principal, period_id))

    @post("/periods/{period_id:int}/approve", status_code=200)
    async def approve(self, principal: CurrentPrincipal, period_id: FromPath[int]) -> PeriodOut:
        """Approve a submitted period; it is then locked against every change."""
        return await one_period_out(await approve(principal, period_id))

    @post("/periods/{period_id:int}/return", status_code=200)
    async def return_(
        self, principal: CurrentPrincipal, period_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> PeriodOut:
        """Return a submitted period for correction, with a reason."""
        return await one_period_out(await return_period(principal, period_id, data.reason))

    @post("/periods/{period_id:int}/reopen", status_code=200)
    async def reopen(
        self, principal: CurrentPrincipal, period_id: FromPath[int], data: JSONBody[ReasonIn]
    ) -> PeriodOut:
        """Reopen an approved period (admin only), with a reason that is recorded."""
        return await one_period_out(await reopen(principal, period_id, data.reason))
