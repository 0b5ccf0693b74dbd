"""A payment claim's document as stored: the versions frozen on submission, and what the
document needs of the claimed expenditures beyond the claim itself.

Submitting a claim renders its document (PDF and XLSX) and stores it here as the claim's next
version, in the same transaction as the status change; a version never changes, and every
version stays downloadable. A draft or returned claim's document is rendered live. Building
and rendering the document is `reports.claim_document`, which calls `store_document` here;
nothing here imports `reports`.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime

from grants.claims.claims import ENTITY, ClaimRow, require_project_access
from grants.core import audit
from grants.core.access import Action, Principal
from grants.core.errors import Refused
from grants.core.translatable import N_
from grants.core.vocabulary import ClaimStatus
from grants.db import from_row, possible_id, write_transaction
from grants.finance.evidence import entry_files
from grants.tables.claims import Claim, ClaimDocument
from grants.tables.expenditures import Expenditure
from grants.tables.projects import Project

# The formats a claim's document comes in (ClaimDocument's file columns), with media types.
DOCUMENT_FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
UNKNOWN_DOCUMENT_FORMAT = N_("Choose one of the formats pdf, xlsx.")
UNKNOWN_DOCUMENT_VERSION = N_("The claim has no document version %(version)s.")


@dataclass(frozen=True)
class ClaimedExpenditure:
    """What the document shows of a claimed expenditure version beyond the claim's item:
    payment date, description, VAT, the evidence reference and the evidence files' names."""

    id: int
    payment_date: date | None
    description: str
    vat: int
    evidence_ref: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class DocumentRow:
    id: int
    claim_id: int
    version: int
    locale: str
    data_hash: str
    created_by: str
    created_at: datetime


def check_document_format(fmt: str) -> None:
    """Refused unless `fmt` is one of DOCUMENT_FORMATS."""
    if fmt not in DOCUMENT_FORMATS:
        raise Refused.one(UNKNOWN_DOCUMENT_FORMAT, field="format")


async def claimed_expenditures(claim: ClaimRow) -> dict[int, ClaimedExpenditure]:
    """The claim's expenditure versions by id, with their entries' evidence file names; two
    queries. `claim` is read with the reader's rights (`get_claim`)."""
    ids = [i.expenditure_id for i in claim.items if i.expenditure_id is not None]
    if not ids:
        return {}
    rows = await Expenditure.select(
        Expenditure.id,
        Expenditure.entry_no,
        Expenditure.payment_date,
        Expenditure.description,
        Expenditure.vat,
        Expenditure.evidence_ref,
    ).where(Expenditure.id.is_in(ids))
    files = await entry_files(claim.project_id, [r["entry_no"] for r in rows])
    return {
        r["id"]: from_row(
            ClaimedExpenditure,
            r,
            vat=r["vat"] or 0,
            description=r["description"] or "",
            evidence_ref=r["evidence_ref"] or "",
            files=tuple(f.name for f in files.get(r["entry_no"], ())),
        )
        for r in rows
    }


def data_hash(canonical: bytes) -> str:
    """sha256 of the document's data in a canonical rendering (every figure, one a row)."""
    return hashlib.sha256(canonical).hexdigest()


async def store_document(
    principal: Principal,
    claim: ClaimRow,
    *,
    pdf: bytes,
    xlsx: bytes,
    canonical: bytes,
    locale: str,
) -> DocumentRow:
    """Store the rendered files as the claim's next version with the hash of `canonical`, and
    record it in the audit trail; in the caller's transaction when there is one."""
    require_project_access(principal, Action.PREPARE_CLAIM, claim.project_id)
    async with write_transaction():
        last = await (
            ClaimDocument.select(ClaimDocument.version)
            .where(ClaimDocument.claim == claim.id)
            .order_by(ClaimDocument.version, ascending=False)
            .first()
        )
        row = ClaimDocument(
            claim=claim.id,
            version=(last["version"] if last else 0) + 1,
            locale=locale,
            data_hash=data_hash(canonical),
            pdf=pdf,
            xlsx=xlsx,
            created_by=principal.email or "",
        )
        await row.save()
        await audit.record(
            "freeze",
            ENTITY,
            claim.id,
            actor=principal,
            project_id=claim.project_id,
            after={"document_version": row.version, "data_hash": row.data_hash},
        )
        return (await _documents(claim.id, version=row.version))[0]


_DOCUMENT_COLUMNS = (
    ClaimDocument.id,
    ClaimDocument.claim,
    ClaimDocument.version,
    ClaimDocument.locale,
    ClaimDocument.data_hash,
    ClaimDocument.created_by,
    ClaimDocument.created_at,
)


async def _documents(claim_id: int, *, version: int | None = None) -> list[DocumentRow]:
    query = ClaimDocument.select(*_DOCUMENT_COLUMNS).where(ClaimDocument.claim == claim_id)
    if version is not None:
        query = query.where(ClaimDocument.version == version)
    rows = await query.order_by(ClaimDocument.version)
    return [from_row(DocumentRow, r, claim_id=r["claim"]) for r in rows]


async def list_documents(claim: ClaimRow) -> list[DocumentRow]:
    """The claim's frozen document versions, oldest first. `claim` is read with the reader's
    rights (`get_claim`)."""
    return await _documents(claim.id)


async def stored_document(
    claim: ClaimRow, fmt: str, *, version: int | None = None
) -> tuple[int, bytes] | None:
    """(version, bytes) of a stored document in `fmt`, byte for byte: the latest version, or
    `version`. None when the claim has none stored (and none was asked for). Refused for an
    unknown format, and for a version the claim does not have. `claim` is read with the
    reader's rights (`get_claim`)."""
    check_document_format(fmt)
    if version is not None and not possible_id(version):  # beyond the column's range
        raise Refused.one(UNKNOWN_DOCUMENT_VERSION, field="version", version=version)
    query = ClaimDocument.select(ClaimDocument.version, getattr(ClaimDocument, fmt)).where(
        ClaimDocument.claim == claim.id
    )
    if version is not None:
        query = query.where(ClaimDocument.version == version)
    row = await query.order_by(ClaimDocument.version, ascending=False).first()
    if row is None:
        if version is not None:
            raise Refused.one(UNKNOWN_DOCUMENT_VERSION, field="version", version=version)
        return None
    return row["version"], bytes(row[fmt])


async def document_filename(claim: ClaimRow, fmt: str, version: int | None) -> str:
    """e.g. LL-00241-claim-2-v1.xlsx (a live document ends in -draft)."""
    row = await Project.select(Project.code).where(Project.id == claim.project_id).first()
    safe = re.sub(r"[^\w.-]+", "_", row["code"], flags=re.ASCII).strip("_") or "claim"
    suffix = f"v{version}" if version else "draft"
    return f"{safe}-claim-{claim.number}-{suffix}.{fmt}"


def frozen_document(claim: ClaimRow) -> bool:
    """Whether the claim's document is served as stored: it was sent to the funder."""
    return not claim.editable


async def claims_without_document() -> list[int]:
    """Claims sent to the funder that have no frozen document: those written by the demo
    loader, which may not render documents itself (the domain never imports reports/)."""
    sent = [ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID, ClaimStatus.REJECTED]
    rows = (
        await Claim.select(Claim.id)
        .where(
            Claim.status.is_in([s.value for s in sent])
            & Claim.id.not_in(ClaimDocument.select(ClaimDocument.claim))
        )
        .order_by(Claim.id)
    )
    return [row["id"] for row in rows]
