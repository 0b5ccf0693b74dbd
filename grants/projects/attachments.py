"""Evidence files: stored with their project so only its readers can fetch them. Only the
types evidence comes in are taken, checked by name and by content, and a file is always
served as the type its name allows, never as the type the uploader claimed (a page or an SVG
with a script would otherwise run as part of this site)."""

import hashlib
from dataclasses import dataclass

from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.errors import Refused
from grants.core.translatable import N_
from grants.db import first_or_not_found, write_transaction
from grants.tables.attachments import Attachment

MAX_BYTES = 10 * 1024 * 1024
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # XLSX, DOCX, ODT and ODS are ZIP files too
# Per extension: the type served, and how the content begins (None: text, with no NUL byte).
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    "zip": ("application/zip", _ZIP),
    "csv": ("text/csv", None),
    "txt": ("text/plain", None),
}
UNKNOWN_TYPE = "application/octet-stream"
_CONTROLS = dict.fromkeys(range(0x20))
_NOT_ALLOWED = N_(
    "“%(name)s” cannot be attached: attach a PDF, PNG, JPEG, XLSX, DOCX, ODT, ODS, CSV, TXT "
    "or ZIP file."
)
_NOT_WHAT_IT_SAYS = N_(
    "“%(name)s” is not a real %(kind)s file: its content does not match its name."
)


@dataclass(frozen=True)
class StoredFile:
    id: int
    name: str
    content_type: str
    data: bytes


async def store_attachment(principal: Principal, project_id: int, name: str, data: bytes) -> int:
    """Keep an evidence file for a project; anyone who may record in it may attach."""
    if not (
        principal.can(Action.RECORD_EXPENDITURE, project_id)
        or principal.can(Action.EDIT_INDICATORS, project_id)
    ):
        principal.require(Action.RECORD_EXPENDITURE, project_id)
    name, content_type = checked_file(name, data)
    async with write_transaction():
        return await audit.insert_recorded(
            Attachment,
            "attachment",
            principal,
            project_id,
            {"name": name, "size": len(data)},
            name=name,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            data=data,
            created_by=principal.user_id,
        )


def checked_file(name: str, data: bytes) -> tuple[str, str]:
    """The name to keep and the type to serve for an upload, or Refused (field "attachment")
    when it cannot be attached: empty, too large, or not an allowed type."""
    # a file name is kept as the file had it, less control characters (NUL breaks PostgreSQL)
    name = (name or "file").rsplit("/", 1)[-1].translate(_CONTROLS)[:255] or "file"
    if not data:
        raise Refused.one(N_("“%(name)s” is empty."), field="attachment", name=name)
    if len(data) > MAX_BYTES:
        raise Refused.one(
            N_("“%(name)s” is larger than %(max)s MB."),
            field="attachment",
            name=name,
            max=MAX_BYTES // 2**20,
        )
    return name, _allowed_type(name, data)


async def fetch_attachment(principal: Principal, attachment_id: int) -> StoredFile:
    row = await first_or_not_found(
        Attachment.select(
            Attachment.id,
            Attachment.project,
            Attachment.name,
            Attachment.data,
        ).where(Attachment.id == attachment_id)
    )
    principal.require(Action.READ, row["project"])
    return StoredFile(row["id"], row["name"], served_type(row["name"]), bytes(row["data"]))


def served_type(name: str) -> str:
    """The type a stored file is served as: its extension's from the allowed ones, else a
    plain download; files kept before the allow-list may claim any type."""
    allowed = ALLOWED_TYPES.get(_extension(name))
    return allowed[0] if allowed else UNKNOWN_TYPE


def _allowed_type(name: str, data: bytes) -> str:
    """The type to keep for an upload: its extension must be allowed, and its content must
    begin as files of that type do."""
    extension = _extension(name)
    if extension not in ALLOWED_TYPES:
        raise Refused.one(_NOT_ALLOWED, field="attachment", name=name)
    content_type, starts = ALLOWED_TYPES[extension]
    genuine = b"\x00" not in data if starts is None else data.startswith(starts)
    if not genuine:
        raise Refused.one(_NOT_WHAT_IT_SAYS, field="attachment", name=name, kind=extension.upper())
    return content_type


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""
