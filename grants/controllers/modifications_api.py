"""API for project modifications (grozījumi) and the versions of the contract they make."""

from datetime import date, datetime
from typing import Any

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from msgspec import Struct, field

from grants.controllers.api_schemas import (
    FundingLineIn,
    FundingLineOut,
    In,
    Money,
    Page,
    Quantity,
    funding_line_out,
    page_out,
    to_input,
)
from grants.controllers.finance_api import BudgetLineIn, budget_line_input
from grants.core.i18n import translate_error
from grants.core.money import money_str, quantity_str, rate_str
from grants.core.paging import DEFAULT_PER_PAGE, check_per_page
from grants.finance.budget import budget_by_category, snapshot_lines
from grants.modifications import modifications as work
from grants.modifications.compare import ContractDiff, plan_of
from grants.modifications.modifications import (
    IndicatorChange,
    ModificationDetail,
    ModificationInput,
    ModificationRow,
    PartnerChange,
    project_rounding,
)
from grants.modifications.versions import VersionRow, get_version, list_versions
from grants.projects.editing import FundingLineInput
from grants.web import CurrentPrincipal


class MilestoneChangeIn(In):
    date: str
    value: Quantity


class IndicatorChangeIn(In):
    """An indicator of the project, by `code`, with its new `target` (and `baseline`,
    `milestones`); a field left out stays as it is, an empty string clears it."""

    code: str
    target: Quantity | None = None
    baseline: Quantity | None = None
    milestones: list[MilestoneChangeIn] | None = None


class PartnerChangeIn(In):
    """A partner after the modification: an existing one by `id`, or a new one by the name of
    its `organisation`. A partner left out of `partners` leaves the project."""

    id: int | None = None
    organisation: str | None = None
    role: str | None = None
    budget: Money | None = None


class ModificationIn(In):
    """What the modification changes, in the shapes the API uses for a new project
    (`funding`), the budget (`budget`) and indicators; a part left out stays as it is (on
    PATCH: as the draft has it). `reason` is required for a new one."""

    reason: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    total_cost: Money | None = None
    eligible_cost: Money | None = None
    funding: list[FundingLineIn] | None = None
    budget: list[BudgetLineIn] | None = None
    indicators: list[IndicatorChangeIn] | None = None
    partners: list[PartnerChangeIn] | None = None


class ApproveIn(In):
    """The funder's decision: its date and number; the new version is in force from
    `in_force_from` (the decision's date when left out)."""

    decision_date: str
    reference: str
    in_force_from: str | None = None


class NoteIn(In):
    note: str


class FieldDiffOut(Struct):
    name: str
    before: str | None
    after: str | None
    difference: str | None  # money: after − before


class LineDiffOut(Struct):
    source: str
    base: str
    partner: str
    rate_before: str | None
    rate_after: str | None
    amount_before: str | None
    amount_after: str | None
    difference: str


class SourceDiffOut(Struct):
    source: str
    before: str
    after: str
    difference: str


class BudgetDiffOut(Struct):
    """One category and year that changed; `category` "" and `year` null: the whole budget."""

    category: str
    year: int | None
    before: str
    after: str
    difference: str


class MilestoneOut(Struct):
    date: str
    value: str


class IndicatorDiffOut(Struct):
    code: str
    target_before: str | None
    target_after: str | None
    baseline_before: str | None
    baseline_after: str | None
    milestones_before: list[MilestoneOut]
    milestones_after: list[MilestoneOut]


class PartnerDiffOut(Struct):
    """`role_before` null: the partner joins; `role_after` null: it leaves."""

    name: str
    role_before: str | None
    role_after: str | None
    budget_before: str | None
    budget_after: str | None
    difference: str


class DiffOut(Struct):
    fields: list[FieldDiffOut]
    funding: list[LineDiffOut]
    sources: list[SourceDiffOut]
    budget: list[BudgetDiffOut]
    indicators: list[IndicatorDiffOut]
    partners: list[PartnerDiffOut]


class ProblemOut(Struct):
    field: str | None
    message: str


class ModificationOut(Struct):
    """`changes`: what it changes, in the input's shapes, money as decimal strings. `diff`:
    the contract before → after (for an approved one, the versions `version` − 1 and
    `version`); null with `problems` when a draft or submitted one no longer fits the newest
    version."""

    id: int
    project_id: int
    number: int
    status: str
    reason: str
    changes: dict[str, Any]
    created_by: str
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_date: date | None
    reference: str
    decision_note: str
    in_force_from: date | None
    version: int | None
    diff: DiffOut | None
    problems: list[ProblemOut] = field(default_factory=list)


class ModificationListItemOut(Struct):
    id: int
    number: int
    status: str
    reason: str
    created_by: str
    created_at: datetime
    decision_date: date | None
    reference: str
    in_force_from: date | None
    version: int | None


class ModificationsOut(Page):
    items: list[ModificationListItemOut]


def modification_list_item_out(r: ModificationRow) -> ModificationListItemOut:
    return ModificationListItemOut(
        r.id,
        r.number,
        r.status,
        r.reason,
        r.created_by,
        r.created_at,
        r.decision_date,
        r.reference,
        r.in_force_from,
        r.version,
    )


class VersionOut(Struct):
    """`in_force_from` null: from the project's start (version 1)."""

    number: int
    in_force_from: date | None
    modification_id: int | None
    current: bool


class BudgetLineOut(Struct):
    """`amount`: typed, or computed for a flat-rate line."""

    category: str
    year: int
    amount: str
    flat_rate: str | None
    flat_rate_base: list[str]


class IndicatorTargetOut(Struct):
    id: int
    code: str
    baseline: str | None
    target: str | None
    milestones: list[MilestoneOut]


class VersionPartnerOut(Struct):
    id: int | None
    organisation: str
    role: str
    budget: str | None


class VersionDetailOut(Struct):
    """One version of the contract, whole."""

    number: int
    in_force_from: date | None
    modification_id: int | None
    current: bool
    start_date: date | None
    end_date: date | None
    total_cost: str | None
    eligible_cost: str | None
    funding: list[FundingLineOut]
    budget: list[BudgetLineOut]
    indicators: list[IndicatorTargetOut]
    partners: list[VersionPartnerOut]


def _money_diff(value: int | None) -> str:
    return money_str(value or 0) or "0.00"


def diff_out(diff: ContractDiff) -> DiffOut:
    def field_value(name: str, value: str | int | None) -> str | None:
        return value if name.endswith("_date") or value is None else money_str(int(value))

    return DiffOut(
        fields=[
            FieldDiffOut(
                f.name,
                field_value(f.name, f.before),
                field_value(f.name, f.after),
                money_str(f.difference),
            )
            for f in diff.fields
        ],
        funding=[
            LineDiffOut(
                ln.source,
                ln.base,
                ln.partner,
                rate_str(ln.rate_before),
                rate_str(ln.rate_after),
                money_str(ln.amount_before),
                money_str(ln.amount_after),
                _money_diff(ln.difference),
            )
            for ln in diff.funding
        ],
        sources=[
            SourceDiffOut(
                s.source, _money_diff(s.before), _money_diff(s.after), _money_diff(s.difference)
            )
            for s in diff.sources
        ],
        budget=[
            BudgetDiffOut(
                b.category,
                b.year,
                _money_diff(b.before),
                _money_diff(b.after),
                _money_diff(b.difference),
            )
            for b in diff.budget
        ],
        indicators=[
            IndicatorDiffOut(
                i.code,
                quantity_str(i.target_before),
                quantity_str(i.target_after),
                quantity_str(i.baseline_before),
                quantity_str(i.baseline_after),
                [MilestoneOut(d, quantity_str(v) or "") for d, v in i.milestones_before],
                [MilestoneOut(d, quantity_str(v) or "") for d, v in i.milestones_after],
            )
            for i in diff.indicators
        ],
        partners=[
            PartnerDiffOut(
                p.name,
                p.role_before,
                p.role_after,
                money_str(p.budget_before),
                money_str(p.budget_after),
                _money_diff(p.difference),
            )
            for p in diff.partners
        ],
    )


def modification_out(detail: ModificationDetail) -> ModificationOut:
    row = detail.row
    return ModificationOut(
        id=row.id,
        project_id=row.project_id,
        number=row.number,
        status=row.status,
        reason=row.reason,
        changes=row.changes,
        created_by=row.created_by,
        created_at=row.created_at,
        submitted_at=row.submitted_at,
        decided_at=row.decided_at,
        decision_date=row.decision_date,
        reference=row.reference,
        decision_note=row.decision_note,
        in_force_from=row.in_force_from,
        version=row.version,
        diff=diff_out(detail.diff) if detail.diff else None,
        problems=[
            ProblemOut(p.field, translate_error(p.message, p.params)) for p in detail.problems
        ],
    )


def modification_input(data: ModificationIn) -> ModificationInput:
    return ModificationInput(
        reason=data.reason,
        start_date=data.start_date,
        end_date=data.end_date,
        total_cost=data.total_cost,
        eligible_cost=data.eligible_cost,
        funding=(
            [to_input(line, FundingLineInput) for line in data.funding]
            if data.funding is not None
            else None
        ),
        budget=(
            [budget_line_input(line) for line in data.budget] if data.budget is not None else None
        ),
        indicators=(
            [
                IndicatorChange(
                    code=i.code,
                    target=i.target,
                    baseline=i.baseline,
                    milestones=(
                        [(m.date, m.value) for m in i.milestones]
                        if i.milestones is not None
                        else None
                    ),
                )
                for i in data.indicators
            ]
            if data.indicators is not None
            else None
        ),
        partners=(
            [to_input(p, PartnerChange) for p in data.partners]
            if data.partners is not None
            else None
        ),
    )


def version_detail_out(row: VersionRow, snapshot: dict, rounding: str) -> VersionDetailOut:
    lines = snapshot_lines(snapshot)
    computed = {
        (c.category, year): amount
        for c in budget_by_category(lines, rounding=rounding)
        for year, amount in c.by_year.items()
    }
    return VersionDetailOut(
        number=row.number,
        in_force_from=row.in_force_from,
        modification_id=row.modification_id,
        current=row.current,
        start_date=date.fromisoformat(snapshot["start_date"]) if snapshot["start_date"] else None,
        end_date=date.fromisoformat(snapshot["end_date"]) if snapshot["end_date"] else None,
        total_cost=money_str(snapshot["total_cost"]),
        eligible_cost=money_str(snapshot["eligible_cost"]),
        funding=[funding_line_out(ln) for ln in plan_of(snapshot).lines],
        budget=[
            BudgetLineOut(
                ln.category,
                ln.year,
                _money_diff(computed.get((ln.category, ln.year), 0)),
                rate_str(ln.flat_rate_bp),
                [p for p in ln.flat_rate_base.split(",") if p],
            )
            for ln in lines
        ],
        indicators=[
            IndicatorTargetOut(
                i["id"],
                i["code"],
                quantity_str(i["baseline_hundredths"]),
                quantity_str(i["target_hundredths"]),
                [
                    MilestoneOut(m["due_date"], quantity_str(m["value_hundredths"]) or "")
                    for m in i["milestones"]
                ],
            )
            for i in snapshot["indicators"]
        ],
        partners=[
            VersionPartnerOut(p["id"], p["name"], p["role"], money_str(p["budget"]))
            for p in snapshot["partners"]
        ],
    )


class ModificationsApi(Controller):
    path = "/api/v1"
    tags = ("modifications",)

    @get("/projects/{project_id:int}/modifications")
    async def modifications(
        self,
        principal: CurrentPrincipal,
        project_id: FromPath[int],
        page: FromQuery[int] = 1,
        per_page: FromQuery[int] = DEFAULT_PER_PAGE,
    ) -> ModificationsOut:
        """The project's modifications, newest first, a page at a time (`page` from 1,
        `per_page` up to 500, 100 if not given; `total`: how many on all pages)."""
        check_per_page(per_page)
        found = await work.list_modifications(principal, project_id, page=page, per_page=per_page)
        return page_out(ModificationsOut, found, modification_list_item_out)

    @post("/projects/{project_id:int}/modifications")
    async def create(
        self, principal: CurrentPrincipal, project_id: FromPath[int], data: JSONBody[ModificationIn]
    ) -> ModificationOut:
        """Propose a modification as a draft, with its `reason`. Refused with every problem and
        nothing written when it changes nothing or leaves the contract breaking a rule (each
        base's lines to their base, the funding to the total cost, the budget to the eligible
        costs: the message gives the difference)."""
        modification_id = await work.propose(principal, project_id, modification_input(data))
        return modification_out(await work.get_modification(principal, modification_id))

    @get("/modifications/{modification_id:int}")
    async def modification(
        self, principal: CurrentPrincipal, modification_id: FromPath[int]
    ) -> ModificationOut:
        return modification_out(await work.get_modification(principal, modification_id))

    @patch("/modifications/{modification_id:int}")
    async def change(
        self,
        principal: CurrentPrincipal,
        modification_id: FromPath[int],
        data: JSONBody[ModificationIn],
    ) -> ModificationOut:
        """Change a draft (409 once submitted): a part sent replaces the draft's."""
        await work.update_draft(principal, modification_id, modification_input(data))
        return modification_out(await work.get_modification(principal, modification_id))

    @post("/modifications/{modification_id:int}/submit", status_code=200)
    async def submit(
        self, principal: CurrentPrincipal, modification_id: FromPath[int]
    ) -> ModificationOut:
        """Send the draft to the funder; from now on it stays as it was sent."""
        await work.submit(principal, modification_id)
        return modification_out(await work.get_modification(principal, modification_id))

    @post("/modifications/{modification_id:int}/approve", status_code=200)
    async def approve(
        self, principal: CurrentPrincipal, modification_id: FromPath[int], data: JSONBody[ApproveIn]
    ) -> ModificationOut:
        """Record the funder's approval: the next contract version, in force from
        `in_force_from`; the project's plan, budget, targets, dates and partners take it."""
        await work.approve(
            principal,
            modification_id,
            decision_date=data.decision_date,
            reference=data.reference,
            in_force_from=data.in_force_from,
        )
        return modification_out(await work.get_modification(principal, modification_id))

    @post("/modifications/{modification_id:int}/reject", status_code=200)
    async def reject(
        self, principal: CurrentPrincipal, modification_id: FromPath[int], data: JSONBody[NoteIn]
    ) -> ModificationOut:
        """Record the funder's refusal with its `note`; the contract stays as it is."""
        await work.reject(principal, modification_id, data.note)
        return modification_out(await work.get_modification(principal, modification_id))

    @post("/modifications/{modification_id:int}/withdraw", status_code=200)
    async def withdraw(
        self, principal: CurrentPrincipal, modification_id: FromPath[int], data: JSONBody[NoteIn]
    ) -> ModificationOut:
        """Take back a draft or a submitted modification, with a `note` saying why."""
        await work.withdraw(principal, modification_id, data.note)
        return modification_out(await work.get_modification(principal, modification_id))

    @get("/projects/{project_id:int}/versions")
    async def versions(
        self, principal: CurrentPrincipal, project_id: FromPath[int]
    ) -> list[VersionOut]:
        """Every version of the project's contract, oldest first."""
        return [
            VersionOut(v.number, v.in_force_from, v.modification_id, v.current)
            for v in await list_versions(principal, project_id)
        ]

    @get("/projects/{project_id:int}/versions/{number:int}")
    async def version(
        self, principal: CurrentPrincipal, project_id: FromPath[int], number: FromPath[int]
    ) -> VersionDetailOut:
        """One version of the contract, whole: dates, costs, funding plan with its amounts,
        budget (flat rates computed), indicator targets and milestones, partners."""
        row, snapshot = await get_version(principal, project_id, number)
        return version_detail_out(row, snapshot, await project_rounding(project_id))
