"""Evidence files of expenditures. A file belongs to a register entry (its project and entry
number), not to one version of it: a correction keeps the entry's files, and every version
shows them. The register (grants.finance.expenditures) decides when files may be added or
removed; this module checks uploads, stores and links them, and reads them back."""

from collections.abc import Iterable
from dataclasses import dataclass

from grants.core.access import Principal
from grants.core.errors import Problems, Refused
from grants.db import marks
from grants.projects.attachments import checked_file, served_type, store_attachment
from grants.tables.expenditures import ExpenditureFile


@dataclass(frozen=True)
class Upload:
    """A file as it was uploaded: its name and its content."""

    name: str
    data: bytes


@dataclass(frozen=True)
class EvidenceFile:
    """A stored file of an entry, without its content (downloaded from /attachments/{id})."""

    id: int  # the attachment's
    name: str
    size: int
    content_type: str  # as it is served


def check_uploads(uploads: Iterable[Upload], problems: Problems) -> None:
    """Add a problem for every upload that cannot be attached (empty, too large, a type that
    is not allowed), before anything is stored."""
    for upload in uploads:
        try:
            checked_file(upload.name, upload.data)
        except Refused as refused:
            problems.extend(refused.problems)


async def entry_files(
    project_id: int, entry_nos: Iterable[int]
) -> dict[int, tuple[EvidenceFile, ...]]:
    """The files of the project's entries by entry number, in the order they were added; one
    query for all of them. Entries without files are left out."""
    wanted = sorted(set(entry_nos))
    if not wanted:
        return {}
    rows = await ExpenditureFile.raw(  # raw SQL: every expenditure page and report asks
        "SELECT f.entry_no, a.id, a.name, a.size FROM expenditure_file f"
        " JOIN attachment a ON a.id = f.attachment"
        f" WHERE f.project = {{}} AND f.entry_no IN ({marks(wanted)}) ORDER BY f.id",
        project_id,
        *wanted,
    )
    files: dict[int, tuple[EvidenceFile, ...]] = {}
    for r in rows:
        found = EvidenceFile(r["id"], r["name"], r["size"], served_type(r["name"]))
        files[r["entry_no"]] = (*files.get(r["entry_no"], ()), found)
    return files


async def link_files(
    principal: Principal,
    project_id: int,
    entry_no: int,
    uploads: Iterable[Upload],
    stored_ids: Iterable[int] = (),
) -> None:
    """Store the uploads and link them, and files the project stored already, to the entry;
    a file the entry has already is not linked twice. Runs inside the caller's write
    transaction, after its checks, so a refusal stores nothing."""
    new_ids = [await store_attachment(principal, project_id, u.name, u.data) for u in uploads]
    linked = await entry_files(project_id, [entry_no])
    have = {f.id for f in linked.get(entry_no, ())}
    for attachment_id in dict.fromkeys([*stored_ids, *new_ids]):
        if attachment_id not in have:
            await ExpenditureFile.insert(
                ExpenditureFile(
                    project=project_id,
                    entry_no=entry_no,
                    attachment=attachment_id,
                    created_by=principal.user_id,
                )
            )


async def unlink_file(project_id: int, entry_no: int, attachment_id: int) -> None:
    """Take a file off the entry. The stored file stays: the audit trail names it."""
    await ExpenditureFile.delete().where(
        (ExpenditureFile.project == project_id)
        & (ExpenditureFile.entry_no == entry_no)
        & (ExpenditureFile.attachment == attachment_id)
    )
