"""Creating and changing projects and their funding plans, with every rule checked first."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.errors import Problems, Refused
from grants.core.i18n import format_percent, format_rate
from grants.core.messages import RATE_OR_AMOUNT, RATE_OR_AMOUNT_NOT_BOTH
from grants.core.money import RATE_SCALE, cents_to_str, money_str, rate_str
from grants.core.translatable import N_
from grants.core.vocabulary import (
    AmountKind,
    FundingBase,
    FundingKind,
    OurRole,
    ProjectStatus,
    ReportingRhythm,
)
from grants.db import (
    INTEGRITY_ERRORS,
    first_or_not_found,
    from_row,
    insert_one,
    write_transaction,
)
from grants.modifications.lock import check_contract_changes, finish_correction, has_contract
from grants.projects.funding_plan import LineInput, compute_plan
from grants.projects.periods import generate_periods
from grants.projects.reading import normalise_code
from grants.tables.funding import FundingLine
from grants.tables.programmes import Measure
from grants.tables.projects import Partner, Project

_CODE_TAKEN = N_("A project with code %(code)s already exists.")
_CODE_REQUIRED = N_("Enter the project code.")
_TITLE_REQUIRED = N_("Enter the project title.")
_EU_FUNDS = ("ESF", "ERDF", "ERAF", "EAF", "CF", "KF", "JTF", "TPF", "INTERREG", "RRF", "ANM")


def guess_kind(source: str) -> FundingKind:
    """The kind a source name implies, for API clients that only name the source."""
    name = source.upper()
    if any(fund in name for fund in _EU_FUNDS):
        return FundingKind.EU_FUND
    if "STATE" in name or "VALSTS" in name:
        return FundingKind.STATE_BUDGET
    if "MUNICIPAL" in name or "PAŠVALDĪB" in name:
        return FundingKind.MUNICIPALITY
    return FundingKind.OTHER


@dataclass(frozen=True)
class FundingLineInput:
    source: str
    rate: str | None = None
    amount: str | None = None  # a fixed amount instead of a rate
    residual: bool = False
    base: str = FundingBase.ELIGIBLE
    kind: str | None = None  # guessed from the source when not given
    partner_id: int | None = None


@dataclass(frozen=True)
class ProjectInput:
    """A project as typed. On update, None means "leave as it is"."""

    code: str | None = None
    title: str | None = None
    title_en: str | None = None
    measure: str | None = None  # measure code, e.g. "4.4.1.1"
    our_role: str | None = None
    status: str | None = None
    start_date: str | date | None = None
    end_date: str | date | None = None
    total_cost: str | None = None
    eligible_cost: str | None = None
    amount_kind: str | None = None
    reporting: str | None = None
    funding: list[FundingLineInput] | None = None
    note: str | None = None


@dataclass
class _Checked:
    values: dict = field(default_factory=dict)
    lines: list[dict] | None = None


async def _check(data: ProjectInput, current: dict | None, partner_ids: set[int]) -> _Checked:
    """Validate `data` against the current values (None when creating); collect all problems."""
    problems = Problems()
    checked = _Checked()
    values = checked.values
    creating = current is None

    if data.code is not None or creating:
        code = problems.text(
            data.code,
            "code",
            limit=Project.code.length,
            required=_CODE_REQUIRED,
            key=normalise_code,
        )
        if code:
            values["code"], values["code_key"] = code, normalise_code(code)
    if data.title is not None or creating:
        title = problems.text(data.title, "title", required=_TITLE_REQUIRED)
        if title:
            values["title_lv"] = title
    if data.title_en is not None:
        values["title_en"] = problems.text(data.title_en, "title_en")
    if data.note is not None:
        values["note_lv"] = problems.text(data.note, "note", multiline=True)
    if (data.measure is not None or creating) and problems.plain(data.measure or "", "measure"):
        measure = (
            await Measure.select(Measure.id, Measure.reporting)
            .where(Measure.code == (data.measure or ""))
            .first()
        )
        if measure is None:
            problems.add(N_("There is no measure “%(code)s”."), "measure", code=data.measure or "")
        else:
            values["measure"] = measure["id"]
            if creating:
                values["reporting"] = measure["reporting"]  # unless the input says otherwise
    for name, allowed in (
        ("our_role", OurRole),
        ("status", ProjectStatus),
        ("amount_kind", AmountKind),
        ("reporting", ReportingRhythm),
    ):
        chosen = problems.choice(getattr(data, name), allowed, name)
        if chosen is not None:
            values[name] = chosen
    if creating:
        values.setdefault("our_role", OurRole.IMPLEMENTER)
        values.setdefault("status", ProjectStatus.CONTRACTED)

    for name in ("start_date", "end_date"):
        parsed = problems.date(getattr(data, name), name)
        if parsed is not None:
            values[name] = parsed
    for name in ("total_cost", "eligible_cost"):
        cents = problems.cents(getattr(data, name), name, required=False)
        if cents is not None:
            values[name] = cents

    merged = {**(current or {}), **values}
    start, end = merged.get("start_date"), merged.get("end_date")
    if start and end and end < start:
        problems.add(N_("The project cannot end before it starts."), "end_date")
    total, eligible = merged.get("total_cost"), merged.get("eligible_cost")
    if total is not None and eligible is not None and eligible > total:
        problems.add(
            N_("Eligible costs (%(eligible)s) cannot exceed total costs (%(total)s)."),
            "eligible_cost",
            eligible=cents_to_str(eligible),
            total=cents_to_str(total),
        )
    if data.funding is not None:
        checked.lines = check_funding(problems, data.funding, partner_ids)
    problems.raise_if_any()
    return checked


def check_funding(
    problems: Problems, lines: list[FundingLineInput], partner_ids: set[int]
) -> list[dict]:
    """Each base's rates add up to 100 % and one line per base takes the remainder."""
    rows: list[dict] = []
    for i, line in enumerate(lines):
        where = f"funding[{i}]"
        source = problems.text(
            line.source,
            f"{where}.source",
            limit=FundingLine.source.length,
            required=N_("Name the funding source."),
        )
        base = problems.choice(line.base, FundingBase, f"{where}.base")
        kind = problems.choice(line.kind, FundingKind, f"{where}.kind") if line.kind else None
        rate = fixed = None
        has_rate = line.rate is not None and str(line.rate).strip() != ""
        if has_rate and line.amount:
            problems.add(RATE_OR_AMOUNT_NOT_BOTH, f"{where}.rate")
        elif has_rate:
            rate = problems.rate(line.rate, f"{where}.rate")
        elif line.amount:
            fixed = problems.cents(line.amount, f"{where}.amount", required=False)
        elif not line.residual:
            problems.add(RATE_OR_AMOUNT, f"{where}.rate")
        partner = line.partner_id if base == FundingBase.PARTNER_BUDGET else None
        if base == FundingBase.PARTNER_BUDGET and partner not in partner_ids:
            problems.add(
                N_("Choose the partner whose budget this line splits."), f"{where}.partner"
            )
        rows.append(
            {
                "position": i,
                "source": source,
                "kind": kind or guess_kind(source),
                "base": base,
                "rate_bp": rate,
                "fixed_amount": fixed,
                "residual": bool(line.residual),
                "partner": partner,
            }
        )
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["base"], row["partner"]), []).append(row)
    for (base, _partner), group in groups.items():
        if base is None:
            continue
        residuals = [r for r in group if r["residual"]]
        if len(residuals) > 1:
            problems.add(N_("Only one line per base can take the remainder."), "funding")
        if all(r["rate_bp"] is not None for r in group):
            total = sum(r["rate_bp"] for r in group)
            if total != RATE_SCALE:
                problems.add(
                    N_("The rates on %(base)s add up to %(total)s, not %(full)s."),
                    "funding",
                    base=base,
                    total=format_rate(total),
                    full=format_percent(100, places=0),
                )
            elif not residuals:
                group[-1]["residual"] = True  # so rounding can never leave a cent unfunded
    return rows


async def _partner_ids(project_id: int | None) -> set[int]:
    if project_id is None:
        return set()
    rows = await Partner.select(Partner.id).where(Partner.project == project_id)
    return {r["id"] for r in rows}


async def create_project(principal: Principal, data: ProjectInput) -> int:
    principal.require(Action.CREATE_PROJECT)
    checked = await _check(data, None, set())
    try:
        async with write_transaction():
            await _refuse_taken_code(checked.values)
            project_id = await insert_one(Project, **checked.values)
            await replace_funding(project_id, checked.lines or [])
            await store_plan_amounts([project_id])
            await generate_periods(project_id, actor=principal)
            await _record(
                "create", principal, project_id, _snapshot(checked.values, checked.lines or [])
            )
    except INTEGRITY_ERRORS:
        raise _taken(checked.values["code"]) from None
    return project_id


async def update_project(
    principal: Principal,
    project_id: int,
    data: ProjectInput,
    *,
    correction_reason: str | None = None,
) -> None:
    """Change the fields given. A contract field of a project with a contract changes only as
    an administrator's correction with a reason (`grants.modifications.lock`)."""
    principal.require(Action.EDIT_PROJECT, project_id)
    try:
        await _update(principal, project_id, data, correction_reason)
    except INTEGRITY_ERRORS:
        raise _taken(data.code or "") from None


_CONTRACT_COLUMNS = ("start_date", "end_date", "total_cost", "eligible_cost")


async def _update(
    principal: Principal, project_id: int, data: ProjectInput, correction_reason: str | None
) -> None:
    async with write_transaction():
        current = await first_or_not_found(Project.select().where(Project.id == project_id))
        checked = await _check(data, current, await _partner_ids(project_id))
        code_key = checked.values.get("code_key")
        if code_key and code_key != current["code_key"]:
            await _refuse_taken_code(checked.values)
        old_lines = await _funding_rows(project_id)
        changes = {k: v for k, v in checked.values.items() if current.get(k) != v}
        new_lines = checked.lines
        if new_lines is not None and _comparable(new_lines) == _comparable(old_lines):
            new_lines = None
        if not changes and new_lines is None:
            return
        contract = {k: current[k] for k in _CONTRACT_COLUMNS if k in changes}
        if new_lines is not None:
            contract["funding"] = old_lines
        if has_contract(current["status"]) and not has_contract(changes.get("status", "closed")):
            contract["status"] = current["status"]  # back before the contract: it would unlock
        correction = await check_contract_changes(
            principal, project_id, contract, correction_reason, status=current["status"]
        )
        if changes:
            await Project.update({**changes, Project.updated_at: datetime.now(UTC)}).where(
                Project.id == project_id
            )
        if new_lines is not None:
            await replace_funding(project_id, new_lines)
        if new_lines is not None or changes.keys() & {"total_cost", "eligible_cost"}:
            await store_plan_amounts([project_id])
        if changes.keys() & {"start_date", "end_date", "reporting"}:
            await generate_periods(project_id, actor=principal)
        await finish_correction(project_id, correction)
        before = _snapshot({k: current[k] for k in changes}, old_lines if new_lines else None)
        after = _snapshot(changes, new_lines)
        await _record("update", principal, project_id, after, before, note=correction)


async def _record(
    action: str,
    principal: Principal,
    project_id: int,
    after: dict,
    before: dict | None = None,
    *,
    note: str = "",
) -> None:
    await audit.record(
        action,
        "project",
        project_id,
        actor=principal,
        project_id=project_id,
        before=before,
        after=after,
        note=note,
    )


async def _refuse_taken_code(values: dict) -> None:
    """Another project with the same code (as `normalise_code` compares them) is a conflict."""
    if await Project.exists().where(Project.code_key == values["code_key"]):
        raise _taken(values["code"])


def _taken(code: str) -> Refused:
    """The code is another project's: found by the check, or by the unique index when another
    writer created it meanwhile."""
    return Refused.one(_CODE_TAKEN, field="code", conflict=True, code=code.strip())


async def _funding_rows(project_id: int) -> list[dict]:
    return await (
        FundingLine.select(
            FundingLine.position,
            FundingLine.source,
            FundingLine.kind,
            FundingLine.base,
            FundingLine.rate_bp,
            FundingLine.fixed_amount,
            FundingLine.residual,
            FundingLine.partner,
        )
        .where(FundingLine.project == project_id)
        .order_by(FundingLine.position)
    )


def _comparable(lines: list[dict]) -> list[tuple]:
    keys = ("source", "kind", "base", "rate_bp", "fixed_amount", "residual", "partner")
    return [tuple(str(line[k]) for k in keys) for line in lines]


async def replace_funding(project_id: int, lines: list[dict]) -> None:
    await FundingLine.delete().where(FundingLine.project == project_id)
    for line in lines:
        await FundingLine.insert(FundingLine(project=project_id, **line))


_LINE_COLUMNS = (
    FundingLine.id,
    FundingLine.project,
    FundingLine.partner,
    FundingLine.source,
    FundingLine.kind,
    FundingLine.base,
    FundingLine.rate_bp,
    FundingLine.fixed_amount,
    FundingLine.residual,
    FundingLine.amount,
)
_CHUNK = 500  # projects per query: well under both databases' parameter limits


async def store_plan_amounts(project_ids: Iterable[int]) -> None:
    """Store each funding line's amount as `compute_plan` gives it from the project's costs
    and partner budgets, so lists sum and sort them in SQL; only amounts that differ are
    written. Call it in the transaction that changes a plan, a project's costs or a partner's
    budget (the amounts are a cache of the computation, never typed)."""
    ids = list(project_ids)
    for start in range(0, len(ids), _CHUNK):
        await _store_amounts(ids[start : start + _CHUNK])


async def _store_amounts(ids: list[int]) -> None:
    costs = await Project.select(Project.id, Project.total_cost, Project.eligible_cost).where(
        Project.id.is_in(ids)
    )
    lines: dict[int, list[dict]] = defaultdict(list)
    for line in (
        await FundingLine.select(*_LINE_COLUMNS)
        .where(FundingLine.project.is_in(ids))
        .order_by(FundingLine.position)
        .order_by(FundingLine.id)
    ):
        lines[line["project"]].append(line)
    budgets: dict[int, dict[int, int | None]] = defaultdict(dict)
    for partner in await Partner.select(Partner.id, Partner.project, Partner.budget).where(
        Partner.project.is_in(ids)
    ):
        budgets[partner["project"]][partner["id"]] = partner["budget"]
    changed: dict[int | None, list[int]] = defaultdict(list)
    for project in costs:
        stored = lines[project["id"]]
        plan = compute_plan(
            [from_row(LineInput, ln, partner_id=ln["partner"]) for ln in stored],
            total=project["total_cost"],
            eligible=project["eligible_cost"],
            partner_budgets=budgets[project["id"]],
        )
        for line, computed in zip(stored, plan.lines, strict=True):
            if line["amount"] != computed.amount:
                changed[computed.amount].append(line["id"])
    for amount, line_ids in changed.items():
        await FundingLine.update({FundingLine.amount: amount}).where(FundingLine.id.is_in(line_ids))


def _snapshot(values: dict, lines: list[dict] | None) -> dict:
    """A JSON-able record of what changed, money as decimal strings."""
    out = {
        k: money_str(v) if k.endswith("_cost") else v for k, v in values.items() if k != "code_key"
    }
    if lines is not None:
        out["funding"] = [
            {
                "source": ln["source"],
                "kind": ln["kind"],
                "base": ln["base"],
                "rate": rate_str(ln["rate_bp"]),
                "amount": money_str(ln["fixed_amount"]),
                "residual": ln["residual"],
                "partner": ln["partner"],
            }
            for ln in lines
        ]
    return out
