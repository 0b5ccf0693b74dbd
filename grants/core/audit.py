"""The audit trail: every change goes through `record`, inside the change's own transaction."""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns.combination import Combinable
from piccolo.table import Table

from grants.core.access import Action, Principal
from grants.core.paging import Paged, offset
from grants.core.vocabulary import SPECIAL_CATEGORY_FLAGS
from grants.db import from_row, insert_many, insert_one
from grants.tables.audit import AuditEvent

SYSTEM = "system"
# History of the participant register is register data: only its readers see it.
REGISTER_ENTITIES = frozenset({"participant", "service", "service_receipt"})


async def record(
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    actor: Principal | None = None,
    project_id: int | None = None,
    before: Any = None,
    after: Any = None,
    note: str = "",
) -> None:
    await AuditEvent.insert(
        AuditEvent(
            user=actor.user_id if actor else None,
            actor=actor.email if actor else SYSTEM,
            action=action,
            entity=entity,
            entity_id=entity_id,
            project=project_id,
            before=_json(before),
            after=_json(after),
            note=note,
        )
    )


async def insert_recorded(
    table: type[Table], entity: str, actor: Principal, project_id: int, after: Any, **values: Any
) -> int:
    """Insert one row of a project and record its creation as `after`; its new id."""
    new_id = await insert_one(table, project=project_id, **values)
    await record("create", entity, new_id, actor=actor, project_id=project_id, after=after)
    return new_id


async def import_recorded(
    table: type[Table], entity: str, actor: Principal, project_id: int, rows: list[dict]
) -> int:
    """Insert a project's imported rows in bulk and record the import; how many there were."""
    if rows:
        await insert_many(table, rows)
        after = {"rows": len(rows)}
        await record("import", entity, None, actor=actor, project_id=project_id, after=after)
    return len(rows)


def _json(value: Any) -> str | None:
    """Serialise here: Piccolo passes strings through as if they were JSON already."""
    return None if value is None else json.dumps(value, default=str, ensure_ascii=False)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    project_id: int | None
    before: Any
    after: Any
    note: str


def _visible_events(
    principal: Principal, project_id: int, entity: str | None, entity_id: int | None
) -> Combinable:
    """The project's events this principal may read: the register's only for its readers."""
    principal.require(Action.READ_AUDIT, project_id)
    where = AuditEvent.project == project_id
    if not principal.can(Action.READ_REGISTER, project_id):
        where &= AuditEvent.entity.not_in(list(REGISTER_ENTITIES))
    if entity:
        where &= AuditEvent.entity == entity
    if entity_id is not None:
        where &= AuditEvent.entity_id == entity_id
    return where


async def project_audit(
    principal: Principal,
    project_id: int,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[AuditRow]:
    """The project's history, newest first; optionally one record's. Special-category data
    is taken out for readers who may not see it, whatever an event kept."""
    where = _visible_events(principal, project_id, entity, entity_id)
    query = AuditEvent.select().where(where).order_by(AuditEvent.id, ascending=False)
    rows = await query.limit(limit).offset(offset).output(load_json=True)
    special = principal.can(Action.READ_SPECIAL_CATEGORY, project_id)
    return [
        from_row(AuditRow, r if special else _without_special(r), project_id=r["project"])
        for r in rows
    ]


async def count_project_audit(
    principal: Principal,
    project_id: int,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
) -> int:
    """How many events `project_audit` can list, for paging through them."""
    return await AuditEvent.count().where(_visible_events(principal, project_id, entity, entity_id))


async def audit_page(
    principal: Principal,
    project_id: int,
    *,
    page: int,
    per_page: int,
    entity: str | None = None,
    entity_id: int | None = None,
) -> Paged[AuditRow]:
    """A page of the project's history, newest first, with how many events there are in all;
    a page beyond the last is empty."""
    total = await count_project_audit(principal, project_id, entity=entity, entity_id=entity_id)
    rows = await project_audit(
        principal,
        project_id,
        entity=entity,
        entity_id=entity_id,
        limit=per_page,
        offset=offset(page, per_page),
    )
    return Paged(rows, total, page, per_page)


def _without_special(row: dict) -> dict:
    """A participant event without special-category flags (the trail leaves them out, but an
    event recorded before that rule, or by a tool, may have them)."""
    if row["entity"] != "participant":
        return row
    return row | {side: _visible_flags(row[side]) for side in ("before", "after")}


def _visible_flags(values: Any) -> Any:
    if not isinstance(values, dict) or not isinstance(values.get("flags"), list):
        return values
    return values | {"flags": [f for f in values["flags"] if f not in SPECIAL_CATEGORY_FLAGS]}
