"""The audit trail: every change goes through `record`, inside the change's own transaction."""

import json
from typing import Any

from grants.access import Principal
from grants.tables.audit import AuditEvent

SYSTEM = "system"


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


def _json(value: Any) -> str | None:
    """Serialise here: Piccolo passes strings through as if they were JSON already."""
    return None if value is None else json.dumps(value, default=str, ensure_ascii=False)
