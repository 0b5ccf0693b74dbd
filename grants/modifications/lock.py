"""Which edits a signed contract allows: the one rule every direct edit of a project asks.

A project whose status is contracted, in progress or closed has a contract. Its contract
fields (the dates, the total and eligible costs, the funding plan, the budget lines, and an
existing indicator's baseline, target and milestones) then change only through a modification
(`grants.modifications.modifications`), which the funder decides and which keeps each version.
Titles, notes, status, measure, reporting and the rest stay directly editable, and so does
adding an indicator.

Filling in what is still empty records the contract as signed rather than changing it, so it
stays allowed: dates or costs that are None, a funding plan or a budget with no lines yet, a
target or milestones an indicator has none of. That keeps the demo seed and imports working.

An administrator may correct an obvious typo in a contract field anyway, with a reason: the
change is recorded with the reason as its audit note, and the stored newest contract version is
refreshed in the same transaction so it keeps matching the project's tables.
"""

from collections.abc import Mapping

from grants.core.access import Action, Principal
from grants.core.errors import Problems, blank
from grants.core.translatable import N_
from grants.core.vocabulary import ProjectStatus
from grants.db import first_or_not_found
from grants.modifications.versions import refresh_current
from grants.tables.projects import Project

CONTRACT_STATUSES = frozenset(
    {ProjectStatus.CONTRACTED, ProjectStatus.IN_PROGRESS, ProjectStatus.CLOSED}
)
PART_OF_CONTRACT = N_("This is part of the contract: propose a modification to change it.")
CORRECT_WITH_REASON = N_(
    "This is part of the contract: propose a modification, or give the reason for correcting it."
)


def has_contract(status: str | None) -> bool:
    """Whether a project in this status has a signed contract."""
    return status in CONTRACT_STATUSES


def empty(value: object) -> bool:
    """Nothing recorded yet: None, or no lines (funding, budget, milestones)."""
    return value is None or (isinstance(value, list | tuple) and not value)


async def check_contract_changes(
    principal: Principal,
    project_id: int,
    changed: Mapping[str, object],
    correction_reason: str | None = None,
    *,
    status: str | None = None,
) -> str:
    """Call before writing, in the writing transaction, with each contract field the edit
    changes (named as the input names it) mapped to its value before. Returns the correction's
    reason (to record as the audit note, and then `finish_correction`), or "" when the edit
    changes no contract value that is there. Refused (409, one problem per field, nothing
    written) without a reason; AccessDenied when someone who may not correct gives one.
    `status` is the project's, when the caller has read it already."""
    fixed = [name for name, before in changed.items() if not empty(before)]
    if not fixed:
        return ""
    if status is None:
        project = await first_or_not_found(
            Project.select(Project.status).where(Project.id == project_id)
        )
        status = project["status"]
    if not has_contract(status):
        return ""
    problems = Problems()
    reason = problems.text(correction_reason, "correction_reason", multiline=True)
    problems.raise_if_any()
    if blank(reason):
        may_correct = principal.can(Action.CORRECT_CONTRACT, project_id)
        for name in fixed:
            problems.add(CORRECT_WITH_REASON if may_correct else PART_OF_CONTRACT, name)
        problems.raise_if_any(conflict=True)
    principal.require(Action.CORRECT_CONTRACT, project_id)
    return reason


async def finish_correction(project_id: int, reason: str) -> None:
    """After a correction's writes (`reason` not empty), in the same transaction: the stored
    newest contract version takes the corrected values."""
    if reason:
        await refresh_current(project_id)


def locked(status: str | None, before: object, principal: Principal, project_id: int) -> bool:
    """For forms: whether a contract field holding `before` is shown read-only to this person
    (a project with a contract, a value that is there, and no right to correct it)."""
    return (
        has_contract(status)
        and not empty(before)
        and not principal.can(Action.CORRECT_CONTRACT, project_id)
    )
