"""The versions of a project's contract: each whole, side by side, and which is in force when.

The project's own tables always hold the newest version. A version is stored as a snapshot
(`capture`) of the contract fields in plain JSON: dates as ISO strings, money as integer cents,
figures as hundredths, each list in the rows' own column names:

    {"start_date", "end_date", "total_cost", "eligible_cost",
     "funding": [{position, source, kind, base, rate_bp, fixed_amount, residual, partner}],
     "budget": [{partner, category, year, amount, flat_rate_bp, flat_rate_base}],
     "indicators": [{id, code, baseline_hundredths, target_hundredths,
                     "milestones": [{due_date, value_hundredths}]}],
     "partners": [{id, organisation, name, is_own, role, budget, position}]}

Version 1 (the contract as signed, in force from the start) is stored only when the first
modification is approved; until then the project's tables are version 1 and `in_force` says
so with no snapshot to read.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from grants.core.access import Action, Principal
from grants.core.errors import NotFound
from grants.core.vocabulary import category_key
from grants.db import first_or_not_found, marks
from grants.tables.funding import BudgetLine, FundingLine
from grants.tables.indicators import Indicator, Milestone
from grants.tables.modifications import ContractVersion
from grants.tables.projects import Partner, Project

CONTRACT_FIELDS = ("start_date", "end_date", "total_cost", "eligible_cost")
FUNDING_FIELDS = ("position", "source", "kind", "base", "rate_bp", "fixed_amount", "residual")
BUDGET_FIELDS = ("category", "year", "amount", "flat_rate_bp", "flat_rate_base")


@dataclass(frozen=True)
class VersionRow:
    number: int
    in_force_from: date | None  # None: from the project's start
    modification_id: int | None
    current: bool  # the newest: the one the project's tables hold
    modification_number: int | None = None  # the modification's own number, as people name it


@dataclass(frozen=True)
class InForce:
    """The version in force on a day. `snapshot` is None when it is the newest, whose figures
    the project's own tables hold; otherwise read the contract from it."""

    number: int
    snapshot: dict | None

    @property
    def current(self) -> bool:
        return self.snapshot is None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


async def capture(project_id: int) -> dict:
    """The contract as the project's tables hold it now, as a snapshot (module docstring)."""
    project = await first_or_not_found(
        Project.select(*(getattr(Project, f) for f in CONTRACT_FIELDS)).where(
            Project.id == project_id
        )
    )
    funding = await (
        FundingLine.select(*(getattr(FundingLine, f) for f in FUNDING_FIELDS), FundingLine.partner)
        .where(FundingLine.project == project_id)
        .order_by(FundingLine.position)
        .order_by(FundingLine.id)
    )
    budget = await BudgetLine.select(
        BudgetLine.partner, *(getattr(BudgetLine, f) for f in BUDGET_FIELDS)
    ).where(BudgetLine.project == project_id)
    indicators = await (
        Indicator.select(
            Indicator.id, Indicator.code, Indicator.baseline_hundredths, Indicator.target_hundredths
        )
        .where(Indicator.project == project_id)
        .order_by(Indicator.position)
        .order_by(Indicator.id)
    )
    milestones: dict[int, list[dict]] = {}
    if indicators:
        for row in await (
            Milestone.select(Milestone.indicator, Milestone.due_date, Milestone.value_hundredths)
            .where(Milestone.indicator.is_in([i["id"] for i in indicators]))
            .order_by(Milestone.due_date)
            .order_by(Milestone.id)
        ):
            milestones.setdefault(row["indicator"], []).append(
                {"due_date": _iso(row["due_date"]), "value_hundredths": row["value_hundredths"]}
            )
    partners = await (
        Partner.select(
            Partner.id,
            Partner.organisation,
            Partner.organisation.name.as_alias("name"),
            Partner.organisation.is_own.as_alias("is_own"),
            Partner.role,
            Partner.budget,
            Partner.position,
        )
        .where(Partner.project == project_id)
        .order_by(Partner.position)
        .order_by(Partner.id)
    )
    return {
        "start_date": _iso(project["start_date"]),
        "end_date": _iso(project["end_date"]),
        "total_cost": project["total_cost"],
        "eligible_cost": project["eligible_cost"],
        "funding": funding,
        "budget": sorted(budget, key=lambda ln: (category_key(ln["category"]), ln["year"])),
        "indicators": [{**i, "milestones": milestones.get(i["id"], [])} for i in indicators],
        "partners": partners,
    }


async def list_versions(principal: Principal, project_id: int) -> list[VersionRow]:
    """Every version of the project's contract, oldest first; version 1 alone (not yet stored)
    when nothing was ever modified."""
    principal.require(Action.READ, project_id)
    await first_or_not_found(Project.select(Project.id).where(Project.id == project_id))
    rows = await (
        ContractVersion.select(
            ContractVersion.number,
            ContractVersion.in_force_from,
            ContractVersion.modification,
            ContractVersion.modification.number.as_alias("modification_number"),
        )
        .where(ContractVersion.project == project_id)
        .order_by(ContractVersion.number)
    )
    if not rows:
        return [VersionRow(1, None, None, True)]
    newest = rows[-1]["number"]
    return [
        VersionRow(
            r["number"],
            r["in_force_from"],
            r["modification"],
            r["number"] == newest,
            r["modification_number"],
        )
        for r in rows
    ]


async def get_version(
    principal: Principal, project_id: int, number: int
) -> tuple[VersionRow, dict]:
    """One version whole: its row and its snapshot; NotFound for a number it never had."""
    versions = await list_versions(principal, project_id)
    row = next((v for v in versions if v.number == number), None)
    if row is None:
        raise NotFound()
    if row.current:
        return row, await capture(project_id)
    return row, await snapshot(project_id, number)


def loaded(snapshot: object) -> dict:
    """Piccolo gives JSON back as text on some drivers and as a value on others."""
    return json.loads(snapshot) if isinstance(snapshot, str) else dict(snapshot)  # type: ignore[call-overload]


@dataclass(frozen=True)
class ContractOn:
    """The version in force on a day (a period's end), as pages and reports name it."""

    number: int
    in_force_from: date | None  # None: from the project's start
    newest: int  # the newest version's number: a later one was approved when greater

    @property
    def superseded(self) -> bool:
        return self.newest > self.number


def _on(rows: list[dict], day: date | None) -> ContractOn:
    """The newest version in force from `day` or before (the newest of all when `day` is
    None); version 1 alone when none is stored yet."""
    if not rows:
        return ContractOn(1, None, 1)
    chosen = rows[0]
    for row in rows:
        if row["in_force_from"] is None or day is None or row["in_force_from"] <= day:
            chosen = row
    return ContractOn(chosen["number"], chosen["in_force_from"], rows[-1]["number"])


async def contracts_on(project_id: int, days: Sequence[date]) -> list[ContractOn]:
    """The version in force on each day, in one query and without the snapshots. No access
    check: for modules and controllers that have read the project or period."""
    return await contracts_on_each([(project_id, day) for day in days])


async def contracts_on_each(wanted: Sequence[tuple[int, date | None]]) -> list[ContractOn]:
    """The version in force for each (project, day), in one query for all the projects."""
    ids = sorted({project_id for project_id, _ in wanted})
    rows: dict[int, list[dict]] = {project_id: [] for project_id in ids}
    if ids:
        for row in await ContractVersion.raw(
            "SELECT project, number, in_force_from FROM contract_version"
            f" WHERE project IN ({marks(ids)}) ORDER BY number",
            *ids,
        ):
            rows[row["project"]].append(row)
    return [_on(rows[project_id], day) for project_id, day in wanted]


async def snapshot(project_id: int, number: int) -> dict:
    """A stored version's snapshot; NotFound when it is not stored. No access check."""
    stored = await first_or_not_found(
        ContractVersion.select(ContractVersion.snapshot).where(
            (ContractVersion.project == project_id) & (ContractVersion.number == number)
        )
    )
    return loaded(stored["snapshot"])


async def in_force(project_id: int, day: date | None) -> InForce:
    """The version in force on `day` (the newest when `day` is None), with its snapshot when
    it is not the newest. No access check: for other domain modules, which have checked the
    reader already. One query, two for an older version."""
    [contract] = await contracts_on_each([(project_id, day)])
    if not contract.superseded:
        return InForce(contract.number, None)
    return InForce(contract.number, await snapshot(project_id, contract.number))


async def current_number(project_id: int) -> int:
    """The newest version's number (1 when nothing was ever modified)."""
    return (await contracts_on_each([(project_id, None)]))[0].newest


async def refresh_current(project_id: int) -> None:
    """After an admin's correction of a contract field (a typo, not a modification), store the
    newest version anew so it keeps matching the project's tables. Call it in the correcting
    transaction; nothing to do while version 1 is not stored yet."""
    number = await current_number(project_id)
    if await ContractVersion.exists().where(
        (ContractVersion.project == project_id) & (ContractVersion.number == number)
    ):
        await ContractVersion.update({ContractVersion.snapshot: await capture(project_id)}).where(
            (ContractVersion.project == project_id) & (ContractVersion.number == number)
        )
