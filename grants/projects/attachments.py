"""Evidence files: stored with their project so only its readers can fetch them."""

import hashlib
from dataclasses import dataclass

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.errors import Refused
from grants.core.translatable import N_
from grants.db import first_or_not_found, write_transaction
from grants.tables.attachments import Attachment

MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    id: int
    name: str
    content_type: str
    data: bytes


async def store_attachment(
    principal: Principal, project_id: int, name: str, content_type: str, data: bytes
) -> int:
    """Keep an evidence file for a project; anyone who may record in it may attach."""
    if not (
        principal.can(Action.RECORD_EXPENDITURE, project_id)
        or principal.can(Action.EDIT_INDICATORS, project_id)
    ):
        principal.require(Action.RECORD_EXPENDITURE, project_id)
    if not data:
        raise Refused.one(N_("The file is empty."), field="attachment")
    if len(data) > MAX_BYTES:
        raise Refused.one(
            N_("The file is larger than %(max)s MB."), field="attachment", max=MAX_BYTES // 2**20
        )
    async with write_transaction():
        return await audit.insert_recorded(
            Attachment,
            "attachment",
            principal,
            project_id,
            {"name": name, "size": len(data)},
            name=(name or "file").rsplit("/", 1)[-1][:255],
            content_type=content_type or "application/octet-stream",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            created_by=principal.user_id,
        )


async def fetch_attachment(principal: Principal, attachment_id: int) -> StoredFile:
    row = await first_or_not_found(
        Attachment.select(
            Attachment.id,
            Attachment.project,
            Attachment.name,
            Attachment.content_type,
            Attachment.data,
        ).where(Attachment.id == attachment_id)
    )
    principal.require(Action.READ, row["project"])
    return StoredFile(row["id"], row["name"], row["content_type"], bytes(row["data"]))
