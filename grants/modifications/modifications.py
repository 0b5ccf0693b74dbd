"""Modifications (grozījumi): a change to a project's contract, proposed with a reason and
decided by the funder. draft → submitted → approved or rejected; a draft or a submitted one may
be withdrawn. Only a draft can be changed: what was submitted to the funder stays as it was.

A modification states only what it changes, in the API's shapes. Its effect is always computed
on the newest version (`versions.capture`): `_proposed` gives the contract after it with every
rule checked as for a new project (dates in order, eligible within total, each base's rates to
100 % and its lines to their base, the budget to the eligible costs), and `compare` the readable
difference. Approving writes the contract after it into the project's tables and stores it as
the next version, in force from the day the funder says.
"""

import copy
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.dates import stored_date
from grants.core.errors import Problem, Problems, Refused
from grants.core.i18n import format_day, format_money
from grants.core.money import money_str, quantity_str, rate_str
from grants.core.paging import DEFAULT_PER_PAGE, Paged, offset
from grants.core.translatable import N_
from grants.core.vocabulary import Aggregation, ModificationStatus, PartnerRole
from grants.db import first_or_not_found, from_row, insert_one, write_transaction
from grants.finance.budget import (
    BudgetLineInput,
    budget_by_category,
    check_budget,
    snapshot_lines,
)
from grants.modifications import versions
from grants.modifications.compare import ContractDiff, compare, plan_of
from grants.projects.editing import (
    FundingLineInput,
    check_funding,
    replace_funding,
    store_plan_amounts,
)
from grants.projects.periods import for_update, generate_periods, riga_today
from grants.results.indicators import check_milestones
from grants.tables.claims import Claim
from grants.tables.expenditures import Expenditure
from grants.tables.funding import BudgetLine
from grants.tables.indicators import Indicator, Milestone
from grants.tables.modifications import ContractVersion, Modification
from grants.tables.organisations import Organisation
from grants.tables.projects import Partner, Project

_REASON_REQUIRED = N_("Say why the contract changes.")
_NOTHING_CHANGES = N_("The modification changes nothing in the contract.")
_ONLY_DRAFT = N_("Only a draft can be changed; this modification is “%(status)s”.")
_NOT_NOW = N_("A modification that is “%(status)s” cannot take this step.")
_NO_PARTNER = N_("This project has no partner no. %(id)s.")
_PARTNER_TWICE = N_("The partner no. %(id)s is listed twice.")
_ORGANISATION_REQUIRED = N_("Name the new partner's organisation.")
_PARTNER_HAS_COSTS = N_(
    "%(name)s has recorded expenditures or claims and cannot leave the project; lower its "
    "budget to what it spent instead."
)
_PARTNER_FUNDED = N_("%(name)s leaves the project, but a funding line still splits its budget.")
_NO_INDICATOR = N_("This project has no indicator %(code)s.")
_PERCENT_ABOVE_100 = N_("A percentage cannot be above 100.")
_BASE_DIFFERS = N_(
    "The funding lines on %(base)s add up to %(actual)s, not %(expected)s (difference "
    "%(difference)s)."
)
_TOTAL_DIFFERS = N_(
    "The funding adds up to %(actual)s, not the total cost %(expected)s (difference "
    "%(difference)s)."
)
_BUDGET_DIFFERS = N_(
    "The budget adds up to %(actual)s, not %(expected)s (difference %(difference)s)."
)
_NEGATIVE_LINE = N_("%(source)s would come to %(amount)s: a funding line cannot be negative.")
_START_AFTER_END = N_("The project cannot end before it starts.")
_ELIGIBLE_ABOVE_TOTAL = N_("Eligible costs (%(eligible)s) cannot exceed total costs (%(total)s).")
_DECISION_DATE_REQUIRED = N_("Enter the date of the funder's decision.")
_REFERENCE_REQUIRED = N_("Enter the number of the funder's decision or agreement.")
_FUTURE_DECISION = N_("The funder's decision cannot be dated in the future.")
_BEFORE_PREVIOUS = N_(
    "Version %(number)s is in force from %(date)s; the new version cannot start before it."
)
_NOTE_REQUIRED = N_("Say why.")


@dataclass(frozen=True)
class IndicatorChange:
    """An indicator's new target, baseline and milestones ((date, value) pairs); None keeps."""

    code: str
    target: str | None = None
    baseline: str | None = None
    milestones: list[tuple[str, str]] | None = None


@dataclass(frozen=True)
class PartnerChange:
    """A partner as it is after the modification: an existing one by `id`, or a new one by its
    organisation's name. A partner left out of the list leaves the project."""

    id: int | None = None
    organisation: str | None = None
    role: str | None = None
    budget: str | None = None


@dataclass(frozen=True)
class ModificationInput:
    """What a modification changes; None leaves a part as it is (on edit: as the draft has it)."""

    reason: str | None = None
    start_date: str | date | None = None
    end_date: str | date | None = None
    total_cost: str | None = None
    eligible_cost: str | None = None
    funding: list[FundingLineInput] | None = None
    budget: list[BudgetLineInput] | None = None
    indicators: list[IndicatorChange] | None = None
    partners: list[PartnerChange] | None = None


CHANGE_KEYS = tuple(f for f in ModificationInput.__dataclass_fields__ if f != "reason")


@dataclass(frozen=True)
class ModificationRow:
    id: int
    project_id: int
    number: int
    status: str
    reason: str
    changes: dict  # what it changes, in the API's shapes
    created_by: str  # email; "" when the user is gone
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    decision_date: date | None
    reference: str
    decision_note: str
    in_force_from: date | None
    version: int | None  # the version its approval made


@dataclass(frozen=True)
class ModificationDetail:
    """A modification with its effect: for an approved one, between the version before it and
    the one it made; otherwise on the newest version, and `problems` when it no longer fits it
    (another modification was approved meanwhile)."""

    row: ModificationRow
    diff: ContractDiff | None
    problems: list[Problem] = field(default_factory=list)


# Reading


_COLUMNS = (
    Modification.id,
    Modification.project,
    Modification.number,
    Modification.status,
    Modification.reason,
    Modification.changes,
    Modification.created_by.email.as_alias("created_by_email"),
    Modification.created_at,
    Modification.submitted_at,
    Modification.decided_at,
    Modification.decision_date,
    Modification.reference,
    Modification.decision_note,
    Modification.in_force_from,
    Modification.version,
)


def _row(row: dict) -> ModificationRow:
    return from_row(
        ModificationRow,
        row,
        project_id=row["project"],
        changes=versions.loaded(row["changes"]),
        created_by=row["created_by_email"] or "",
    )


async def list_modifications(
    principal: Principal, project_id: int, *, page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> Paged[ModificationRow]:
    """A page of the project's modifications, newest first. A page beyond the last is empty."""
    await first_or_not_found(Project.select(Project.id).where(Project.id == project_id))
    principal.require(Action.READ, project_id)
    where = Modification.project == project_id
    rows = await (
        Modification.select(*_COLUMNS)
        .where(where)
        .order_by(Modification.number, ascending=False)
        .limit(per_page)
        .offset(offset(page, per_page))
    )
    total = await Modification.count().where(where)
    return Paged([_row(r) for r in rows], total, page, per_page)


async def modification_row(principal: Principal, modification_id: int) -> ModificationRow:
    """One modification as stored, without its effect (see `get_modification`)."""
    row = await _find(modification_id)
    principal.require(Action.READ, row.project_id)
    return row


async def _find(modification_id: int, *, lock: bool = False) -> ModificationRow:
    query = Modification.select(*_COLUMNS).where(Modification.id == modification_id)
    if lock:
        query = for_update(query)
    return _row(await first_or_not_found(query))


async def get_modification(principal: Principal, modification_id: int) -> ModificationDetail:
    row = await _find(modification_id)
    principal.require(Action.READ, row.project_id)
    if row.version is not None:
        _, before = await versions.get_version(principal, row.project_id, row.version - 1)
        _, after = await versions.get_version(principal, row.project_id, row.version)
        return ModificationDetail(
            row, compare(before, after, await project_rounding(row.project_id))
        )
    before = await versions.capture(row.project_id)
    problems = Problems()
    after = await _proposed(row.project_id, before, _input(row.changes), problems)
    if problems.items:
        return ModificationDetail(row, None, problems.items)
    return ModificationDetail(row, compare(before, after, await project_rounding(row.project_id)))


async def project_rounding(project_id: int) -> str:
    project = await first_or_not_found(
        Project.select(Project.measure.rounding.as_alias("rounding")).where(
            Project.id == project_id
        )
    )
    return project["rounding"]


# The contract after a modification, checked


async def _proposed(
    project_id: int, before: dict, data: ModificationInput, problems: Problems
) -> dict:
    """The contract as `data` would leave it, every problem added to `problems`."""
    after = copy.deepcopy(before)
    counted = len(problems.items)

    def settled() -> bool:
        """No new problem since the last call: the part just read is sound."""
        nonlocal counted
        fine, counted = len(problems.items) == counted, len(problems.items)
        return fine

    for name in ("start_date", "end_date"):
        day = problems.date(getattr(data, name), name)
        if day is not None:
            after[name] = day.isoformat()
    for name in ("total_cost", "eligible_cost"):
        if getattr(data, name) is not None:
            cents = problems.cents(getattr(data, name), name)
            if cents is not None:
                after[name] = cents
    start, end = _day(after["start_date"]), _day(after["end_date"])
    if start and end and end < start:
        problems.add(_START_AFTER_END, "end_date")
    total, eligible = after["total_cost"], after["eligible_cost"]
    if total is not None and eligible is not None and eligible > total:
        problems.add(
            _ELIGIBLE_ABOVE_TOTAL,
            "eligible_cost",
            eligible=format_money(eligible),
            total=format_money(total),
        )
    if data.partners is not None:
        after["partners"] = await _partners(project_id, before["partners"], data.partners, problems)
    costs_sound = settled()
    partner_ids = {p["id"] for p in after["partners"] if p["id"] is not None}
    if data.funding is not None:
        after["funding"] = check_funding(problems, data.funding, partner_ids)
    else:
        for line in after["funding"]:
            if line["partner"] is not None and line["partner"] not in partner_ids:
                name = next(p["name"] for p in before["partners"] if p["id"] == line["partner"])
                problems.add(_PARTNER_FUNDED, "partners", name=name)
    funding_sound = settled()
    if data.budget is not None:
        after["budget"] = await _budget(project_id, data.budget, start, end, problems)
    budget_sound = settled()
    if costs_sound and funding_sound:
        _check_plan(after, problems)
    if costs_sound and budget_sound:
        _check_budget_total(after, await project_rounding(project_id), problems)
    if data.indicators is not None:
        await _indicators(project_id, after, data.indicators, (start, end), problems)
    if not problems.items and _contract(after) == _contract(before):
        problems.add(_NOTHING_CHANGES)
    return after


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _contract(snapshot: dict) -> dict:
    """What a modification can change, comparable: without the amounts the plan computes, and
    the budget in one order whatever order its lines were read or typed in."""
    funding = [{k: v for k, v in line.items() if k != "amount"} for line in snapshot["funding"]]
    budget = sorted(snapshot["budget"], key=lambda ln: (ln["category"], ln["year"]))
    return {**snapshot, "funding": funding, "budget": budget}


async def _partners(
    project_id: int, before: list[dict], changes: list[PartnerChange], problems: Problems
) -> list[dict]:
    known = {p["id"]: p for p in before}
    seen: set[int] = set()
    partners = []
    for i, change in enumerate(changes):
        where = f"partners[{i}]"
        role = problems.choice(change.role, PartnerRole, f"{where}.role") if change.role else None
        budget = problems.cents(change.budget, f"{where}.budget", required=False)
        if change.id is not None:
            if change.id not in known:
                problems.add(_NO_PARTNER, f"{where}.id", id=change.id)
                continue
            if change.id in seen:
                problems.add(_PARTNER_TWICE, f"{where}.id", id=change.id)
                continue
            seen.add(change.id)
            partner = dict(known[change.id])
            partner["role"] = role or partner["role"]
            if change.budget is not None:
                partner["budget"] = budget
        else:
            name = problems.text(
                change.organisation,
                f"{where}.organisation",
                limit=Organisation.name.length,
                required=_ORGANISATION_REQUIRED,
            )
            partner = {
                "id": None,
                "organisation": None,
                "name": name,
                "is_own": False,
                "role": role or PartnerRole.PARTNER,
                "budget": budget,
            }
        partners.append({**partner, "position": i})
    leaving = [p for p in before if p["id"] not in seen]
    if leaving:
        ids = [p["id"] for p in leaving]
        spent = {
            row["partner"]
            for table in (Expenditure, Claim)
            for row in await table.select(table.partner).where(table.partner.is_in(ids)).distinct()
        }
        for partner in leaving:
            if partner["id"] in spent:
                problems.add(_PARTNER_HAS_COSTS, "partners", name=partner["name"])
    return partners


async def _budget(
    project_id: int,
    lines: list[BudgetLineInput],
    start: date | None,
    end: date | None,
    problems: Problems,
) -> list[dict]:
    try:
        checked, _ = await check_budget(project_id, lines, start=start, end=end)
    except Refused as refused:
        problems.extend(
            [
                Problem(p.message, (p.field or "").replace("lines[", "budget[", 1), p.params)
                for p in refused.problems
            ]
        )
        return []
    return [{"partner": None, **asdict(line)} for line in checked]


async def _indicators(
    project_id: int,
    after: dict,
    changes: list[IndicatorChange],
    dates: tuple[date | None, date | None],
    problems: Problems,
) -> None:
    rows = await Indicator.select(Indicator.code, Indicator.aggregation, Indicator.decimals).where(
        Indicator.project == project_id
    )
    rules = {r["code"].casefold(): r for r in rows}
    by_code = {i["code"].casefold(): i for i in after["indicators"]}
    for i, change in enumerate(changes):
        where = f"indicators[{i}]"
        key = (change.code or "").strip().casefold()
        indicator = by_code.get(key)
        if indicator is None:
            problems.add(_NO_INDICATOR, f"{where}.code", code=change.code)
            continue
        for name in ("target", "baseline"):
            text = getattr(change, name)
            if text is None:
                continue
            figure = problems.hundredths(text, f"{where}.{name}", required=False)
            if (
                figure is not None
                and rules[key]["aggregation"] == Aggregation.PERCENTAGE
                and figure > 100_00
            ):
                problems.add(_PERCENT_ABOVE_100, f"{where}.{name}")
            indicator[f"{name}_hundredths"] = figure
        if change.milestones is not None:
            found = Problems()
            checked = check_milestones(found, change.milestones, dates, rules[key]["decimals"])
            problems.extend(
                [Problem(p.message, f"{where}.{p.field}", p.params) for p in found.items]
            )
            indicator["milestones"] = [
                {"due_date": m.due_date.isoformat(), "value_hundredths": m.value_hundredths}
                for m in checked
            ]


def _check_plan(after: dict, problems: Problems) -> None:
    """Each base's lines add up to it and the funding to the total cost, no line below zero
    (a fixed amount above its base would leave the remainder negative)."""
    plan = plan_of(after)
    for check in plan.checks:
        if check.passed:
            continue
        problems.add(
            _TOTAL_DIFFERS if check.name == "total" else _BASE_DIFFERS,
            "funding",
            base=check.base or "",
            expected=format_money(check.expected),
            actual=format_money(check.actual),
            difference=format_money(check.difference),
        )
    for index, line in enumerate(plan.lines):
        if line.amount is not None and line.amount < 0:
            problems.add(
                _NEGATIVE_LINE,
                f"funding[{index}]",
                source=line.source,
                amount=format_money(line.amount),
            )


def _check_budget_total(after: dict, rounding: str, problems: Problems) -> None:
    """The budget adds up to the eligible costs (our partner budget when the project's are
    not ours to know)."""
    if not after["budget"]:
        return
    lines = snapshot_lines(after)
    planned = sum(c.total for c in budget_by_category(lines, rounding=rounding))
    expected = after["eligible_cost"]
    if expected is None:
        own = [p["budget"] for p in after["partners"] if p.get("is_own") and p["budget"]]
        expected = own[0] if len(own) == 1 else None
    if expected is not None and planned != expected:
        problems.add(
            _BUDGET_DIFFERS,
            "budget",
            expected=format_money(expected),
            actual=format_money(planned),
            difference=format_money(planned - expected),
        )


# What is stored: the input, normalised to the API's shapes


def _normalised(before: dict, after: dict, data: ModificationInput) -> dict:
    """The changes as the API gives them back: the parts `data` names that differ from the
    newest version `before`, from the checked contract `after`, money and figures as decimal
    strings. A form may send the whole contract; only what it changes is kept."""
    out: dict[str, Any] = {}

    def changed(name: str) -> bool:
        return getattr(data, name) is not None and _contract(after)[name] != _contract(before)[name]

    for name in ("start_date", "end_date"):
        if changed(name):
            out[name] = after[name]
    for name in ("total_cost", "eligible_cost"):
        if changed(name):
            out[name] = money_str(after[name])
    if changed("funding"):
        out["funding"] = [
            {
                "source": ln["source"],
                "kind": ln["kind"],
                "base": ln["base"],
                "rate": rate_str(ln["rate_bp"]),
                "amount": money_str(ln["fixed_amount"]),
                "residual": ln["residual"],
                "partner_id": ln["partner"],
            }
            for ln in after["funding"]
        ]
    if changed("budget"):
        out["budget"] = [
            {
                "category": ln["category"],
                "year": ln["year"],
                "amount": money_str(ln["amount"]),
                "flat_rate": rate_str(ln["flat_rate_bp"]),
                "flat_rate_base": [p for p in ln["flat_rate_base"].split(",") if p],
            }
            for ln in after["budget"]
        ]
    if data.indicators is not None:
        named = {(c.code or "").strip().casefold() for c in data.indicators}
        old = {i["id"]: i for i in before["indicators"]}
        out["indicators"] = [
            {
                "code": i["code"],
                "target": quantity_str(i["target_hundredths"]),
                "baseline": quantity_str(i["baseline_hundredths"]),
                "milestones": [
                    {"date": m["due_date"], "value": quantity_str(m["value_hundredths"])}
                    for m in i["milestones"]
                ],
            }
            for i in after["indicators"]
            if i["code"].casefold() in named and i != old[i["id"]]
        ]
        if not out["indicators"]:
            del out["indicators"]
    if changed("partners"):
        out["partners"] = [
            {
                "id": p["id"],
                "organisation": p["name"],
                "role": p["role"],
                "budget": money_str(p["budget"]),
            }
            for p in after["partners"]
        ]
    return out


def _input(changes: dict, reason: str | None = None) -> ModificationInput:
    """Stored changes back into input, so they are checked anew on the newest version."""
    return ModificationInput(
        reason=reason,
        start_date=changes.get("start_date"),
        end_date=changes.get("end_date"),
        total_cost=changes.get("total_cost"),
        eligible_cost=changes.get("eligible_cost"),
        funding=(
            [FundingLineInput(**line) for line in changes["funding"]]
            if "funding" in changes
            else None
        ),
        budget=(
            [BudgetLineInput(**{**ln, "year": str(ln["year"])}) for ln in changes["budget"]]
            if "budget" in changes
            else None
        ),
        indicators=(
            [
                IndicatorChange(
                    code=i["code"],
                    target=i["target"] if i["target"] is not None else "",
                    baseline=i["baseline"] if i["baseline"] is not None else "",
                    milestones=[(m["date"], m["value"]) for m in i["milestones"]],
                )
                for i in changes["indicators"]
            ]
            if "indicators" in changes
            else None
        ),
        partners=(
            [PartnerChange(**p) for p in changes["partners"]] if "partners" in changes else None
        ),
    )


def _merged(stored: dict, data: ModificationInput) -> ModificationInput:
    """An edit of a draft: what it names replaces, what it leaves out stays as the draft has."""
    kept = _input(stored)
    return ModificationInput(
        reason=data.reason,
        **{
            name: getattr(data, name) if getattr(data, name) is not None else getattr(kept, name)
            for name in CHANGE_KEYS
        },
    )


# The workflow


async def propose(principal: Principal, project_id: int, data: ModificationInput) -> int:
    """A new draft modification; Refused with every problem (and nothing written) when it has
    no reason, changes nothing or leaves the contract breaking a rule."""
    await first_or_not_found(Project.select(Project.id).where(Project.id == project_id))
    principal.require(Action.PROPOSE_MODIFICATION, project_id)
    async with write_transaction():
        await _lock_project(project_id)
        problems = Problems()
        reason = problems.text(data.reason, "reason", multiline=True, required=_REASON_REQUIRED)
        before = await versions.capture(project_id)
        after = await _proposed(project_id, before, data, problems)
        problems.raise_if_any()
        changes = _normalised(before, after, data)
        last = await (
            Modification.select(Modification.number)
            .where(Modification.project == project_id)
            .order_by(Modification.number, ascending=False)
            .first()
        )
        modification_id = await insert_one(
            Modification,
            project=project_id,
            number=(last["number"] + 1) if last else 1,
            reason=reason,
            changes=changes,
            created_by=principal.user_id,
        )
        await _record(
            "create", principal, await _find(modification_id), {"reason": reason, **changes}
        )
    return modification_id


async def update_draft(principal: Principal, modification_id: int, data: ModificationInput) -> None:
    """Change a draft: its reason, or a part of what it changes (see `_merged`)."""
    row = await _find(modification_id)
    principal.require(Action.PROPOSE_MODIFICATION, row.project_id)
    async with write_transaction():
        await _lock_project(row.project_id)
        row = await _find(modification_id, lock=True)
        if row.status != ModificationStatus.DRAFT:
            raise Refused.one(_ONLY_DRAFT, conflict=True, status=row.status)
        problems = Problems()
        reason = row.reason
        if data.reason is not None:
            reason = (
                problems.text(data.reason, "reason", multiline=True, required=_REASON_REQUIRED)
                or reason
            )
        merged = _merged(row.changes, data)
        before = await versions.capture(row.project_id)
        after = await _proposed(row.project_id, before, merged, problems)
        problems.raise_if_any()
        changes = _normalised(before, after, merged)
        if (reason, changes) == (row.reason, row.changes):
            return
        await Modification.update(
            {
                Modification.reason: reason,
                Modification.changes: changes,
                Modification.updated_at: datetime.now(UTC),
            }
        ).where(Modification.id == modification_id)
        await _record(
            "update",
            principal,
            row,
            {"reason": reason, **changes},
            {"reason": row.reason, **row.changes},
        )


async def submit(principal: Principal, modification_id: int) -> None:
    """Send a draft to the funder: checked anew, and from now on kept as it was sent."""
    row = await _find(modification_id)
    principal.require(Action.PROPOSE_MODIFICATION, row.project_id)
    async with write_transaction():
        await _lock_project(row.project_id)
        row = await _moving(modification_id, {ModificationStatus.DRAFT})
        await _checked_after(row)
        await _set_status(row, ModificationStatus.SUBMITTED, submitted_at=datetime.now(UTC))
        await _record("submit", principal, row, {"status": "submitted"})


async def approve(
    principal: Principal,
    modification_id: int,
    *,
    decision_date: str | date | None,
    reference: str | None,
    in_force_from: str | date | None = None,
) -> int:
    """Record the funder's approval: the contract after the modification goes into the
    project's tables and is stored as the next version, in force from `in_force_from` (the
    decision's date when not given). Version 1 is stored first if it never was. Returns the
    new version's number."""
    row = await _find(modification_id)
    principal.require(Action.DECIDE_MODIFICATION, row.project_id)
    async with write_transaction():
        await _lock_project(row.project_id)
        row = await _moving(modification_id, {ModificationStatus.SUBMITTED})
        problems = Problems()
        decided = problems.date(decision_date, "decision_date", required=_DECISION_DATE_REQUIRED)
        if decided is not None and decided > riga_today():
            problems.add(_FUTURE_DECISION, "decision_date")
        ref = problems.text(
            reference,
            "reference",
            limit=Modification.reference.length,
            required=_REFERENCE_REQUIRED,
        )
        start = problems.date(in_force_from, "in_force_from") or decided
        previous = await versions.list_versions(principal, row.project_id)
        newest = previous[-1]
        if start is not None and newest.in_force_from is not None and start < newest.in_force_from:
            problems.add(
                _BEFORE_PREVIOUS,
                "in_force_from",
                number=newest.number,
                date=format_day(newest.in_force_from),
            )
        problems.raise_if_any()
        before, after = await _checked_after(row)
        if not await ContractVersion.exists().where(ContractVersion.project == row.project_id):
            await insert_one(
                ContractVersion,
                project=row.project_id,
                number=1,
                in_force_from=None,
                snapshot=before,
            )
        await _apply(principal, row.project_id, before, after)
        number = newest.number + 1
        await insert_one(
            ContractVersion,
            project=row.project_id,
            number=number,
            in_force_from=start,
            modification=row.id,
            snapshot=await versions.capture(row.project_id),
        )
        await _set_status(
            row,
            ModificationStatus.APPROVED,
            decided_at=datetime.now(UTC),
            decided_by=principal.user_id,
            decision_date=decided,
            reference=ref,
            in_force_from=start,
            version=number,
        )
        await _record(
            "approve",
            principal,
            row,
            {
                "status": "approved",
                "decision_date": decided.isoformat() if decided else None,
                "reference": ref,
                "in_force_from": start.isoformat() if start else None,
                "version": number,
            },
        )
    return number


async def reject(principal: Principal, modification_id: int, note: str | None) -> None:
    """Record the funder's refusal, with what it said; the contract stays as it is."""
    await _close(
        principal,
        modification_id,
        note,
        Action.DECIDE_MODIFICATION,
        {ModificationStatus.SUBMITTED},
        ModificationStatus.REJECTED,
        "reject",
    )


async def withdraw(principal: Principal, modification_id: int, note: str | None) -> None:
    """Take back a draft or a submitted modification, saying why; kept in the list."""
    await _close(
        principal,
        modification_id,
        note,
        Action.PROPOSE_MODIFICATION,
        {ModificationStatus.DRAFT, ModificationStatus.SUBMITTED},
        ModificationStatus.WITHDRAWN,
        "withdraw",
    )


async def _close(
    principal: Principal,
    modification_id: int,
    note: str | None,
    action: Action,
    allowed: set[ModificationStatus],
    status: ModificationStatus,
    event: str,
) -> None:
    row = await _find(modification_id)
    principal.require(action, row.project_id)
    async with write_transaction():
        row = await _moving(modification_id, allowed)
        problems = Problems()
        text = problems.text(note, "note", multiline=True, required=_NOTE_REQUIRED)
        problems.raise_if_any()
        await _set_status(
            row,
            status,
            decided_at=datetime.now(UTC),
            decided_by=principal.user_id,
            decision_note=text,
        )
        await _record(event, principal, row, {"status": status, "note": text})


async def _lock_project(project_id: int) -> None:
    """One change of a project's contract at a time: the project row is the lock."""
    await first_or_not_found(
        for_update(Project.select(Project.id).where(Project.id == project_id), strength="UPDATE")
    )


async def _moving(modification_id: int, allowed: set[ModificationStatus]) -> ModificationRow:
    row = await _find(modification_id, lock=True)
    if row.status not in allowed:
        raise Refused.one(_NOT_NOW, conflict=True, status=row.status)
    return row


async def _checked_after(row: ModificationRow) -> tuple[dict, dict]:
    """The newest version and the contract after `row`; Refused when it no longer fits."""
    before = await versions.capture(row.project_id)
    problems = Problems()
    after = await _proposed(row.project_id, before, _input(row.changes, row.reason), problems)
    problems.raise_if_any()
    return before, after


async def _set_status(row: ModificationRow, status: ModificationStatus, **values: object) -> None:
    await Modification.update(
        {
            Modification.status: status,
            Modification.updated_at: datetime.now(UTC),
            **{getattr(Modification, k): v for k, v in values.items()},
        }
    ).where(Modification.id == row.id)


async def _record(
    action: str,
    principal: Principal,
    row: ModificationRow,
    after: dict,
    before: dict | None = None,
) -> None:
    """Every event names the modification's number, as the history page shows it."""
    await audit.record(
        action,
        "modification",
        row.id,
        actor=principal,
        project_id=row.project_id,
        before=None if before is None else {"number": row.number, **before},
        after={"number": row.number, **after},
    )


# Writing the contract after an approval


async def _apply(principal: Principal, project_id: int, before: dict, after: dict) -> None:
    """Write the contract `after` into the project's tables, touching only what changed."""
    values = {
        getattr(Project, name): (
            stored_date(after[name]) if after[name] and name.endswith("_date") else after[name]
        )
        for name in versions.CONTRACT_FIELDS
        if after[name] != before[name]
    }
    if values:
        await Project.update({**values, Project.updated_at: datetime.now(UTC)}).where(
            Project.id == project_id
        )
    if after["partners"] != before["partners"]:
        await _apply_partners(project_id, before["partners"], after["partners"])
    if _contract(after)["funding"] != _contract(before)["funding"]:
        await replace_funding(
            project_id,
            [{k: v for k, v in line.items() if k != "amount"} for line in after["funding"]],
        )
    if _contract(after)["budget"] != _contract(before)["budget"]:
        await BudgetLine.delete().where(BudgetLine.project == project_id)
        if after["budget"]:
            await BudgetLine.insert(
                *(BudgetLine(project=project_id, **line) for line in after["budget"])
            )
    old = {i["id"]: i for i in before["indicators"]}
    for indicator in after["indicators"]:
        if indicator == old[indicator["id"]]:
            continue
        await Indicator.update(
            {
                Indicator.target_hundredths: indicator["target_hundredths"],
                Indicator.baseline_hundredths: indicator["baseline_hundredths"],
            }
        ).where(Indicator.id == indicator["id"])
        await Milestone.delete().where(Milestone.indicator == indicator["id"])
        if indicator["milestones"]:
            await Milestone.insert(
                *(
                    Milestone(
                        indicator=indicator["id"],
                        due_date=stored_date(m["due_date"]),
                        value_hundredths=m["value_hundredths"],
                    )
                    for m in indicator["milestones"]
                )
            )
    await store_plan_amounts([project_id])
    if (after["start_date"], after["end_date"]) != (before["start_date"], before["end_date"]):
        await generate_periods(project_id, actor=principal)


async def _apply_partners(project_id: int, before: list[dict], after: list[dict]) -> None:
    staying = {p["id"] for p in after if p["id"] is not None}
    gone = [p["id"] for p in before if p["id"] not in staying]
    if gone:
        await BudgetLine.delete().where(BudgetLine.partner.is_in(gone))
        await Partner.delete().where(Partner.id.is_in(gone))
    for partner in after:
        values = {
            "role": partner["role"],
            "budget": partner["budget"],
            "position": partner["position"],
        }
        if partner["id"] is not None:
            await Partner.update({getattr(Partner, k): v for k, v in values.items()}).where(
                Partner.id == partner["id"]
            )
            continue
        organisation = (
            await Organisation.select(Organisation.id)
            .where(Organisation.name == partner["name"])
            .first()
        )
        organisation_id = (
            organisation["id"]
            if organisation
            else await insert_one(Organisation, name=partner["name"])
        )
        await insert_one(Partner, project=project_id, organisation=organisation_id, **values)
