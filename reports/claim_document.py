"""A payment claim as a document (PDF and XLSX): built from the domain, rendered live for a
draft or returned claim, frozen on submission.

The document carries the header (project, beneficiary or partner, claim number, kind, status,
period, dates), the claimed expenditures, the split by source (requested, approved, paid),
the advance cleared, the deductions, every total computed in exact cents, and the progress
section of the reporting periods the claim's period covers (indicators to date and the
narrative, built by `reports.project_report`'s builders). It shows no register service
tables, so every reader gets the same file and no reduced copy is kept.

Submitting (`submit_and_freeze_claim`) renders the document in Latvian and has the domain store
both files with a hash of the document's data (`grants.claims.documents.store_document`), in
the same transaction as the status change; a resubmission after a return stores the next
version. The XLSX of a partner report lists the expenditures with the columns of Jems' partner
report expenditure list (`reports.claim_xlsx`).
"""

import csv
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from io import StringIO
from typing import Any

from grants.claims.claims import ClaimRow, get_claim
from grants.claims.documents import (
    DOCUMENT_FORMATS,
    ClaimedExpenditure,
    DocumentRow,
    check_document_format,
    claimed_expenditures,
    claims_without_document,
    document_filename,
    frozen_document,
    store_document,
    stored_document,
)
from grants.claims.workflow import submit_claim
from grants.core.access import Principal
from grants.core.i18n import category_names, gettext, label, localised, negotiate
from grants.core.money import money_str
from grants.core.translatable import N_
from grants.core.vocabulary import ClaimKind, ClaimStatus, Role
from grants.db import write_transaction
from grants.finance.expenditures import cost_categories
from grants.projects.periods import PeriodRow, list_periods, riga_today
from grants.projects.reading import ProjectDetail, get_project
from grants.projects.reports import NARRATIVE, narrative
from grants.results.progress import IndicatorProgress, indicator_progress
from reports.frames import in_locale, records
from reports.project_report import indicator_section
from reports.threads import off_loop

FROZEN_LOCALE = "lv"  # the claim goes to the funder in Latvian

KIND_TITLES = {
    ClaimKind.ADVANCE: N_("Advance payment claim"),
    ClaimKind.INTERIM: N_("Interim payment claim"),
    ClaimKind.FINAL: N_("Final payment claim"),
    ClaimKind.PARTNER_REPORT: N_("Partner report"),
}
STATUS_TITLES = {
    ClaimStatus.DRAFT: N_("Draft"),
    ClaimStatus.SUBMITTED: N_("Submitted"),
    ClaimStatus.RETURNED: N_("Returned"),
    ClaimStatus.APPROVED: N_("Approved"),
    ClaimStatus.PAID: N_("Paid"),
    ClaimStatus.REJECTED: N_("Rejected"),
}
# The claim's money, in the order the summary lists it: (key, title msgid).
SUMMARY = (
    ("eligible", N_("Eligible costs claimed")),
    ("requested", N_("Requested from the funder")),
    ("deducted", N_("Deducted")),
    ("approved", N_("Approved")),
    ("advance_cleared", N_("Advance cleared")),
    ("due", N_("Due from the funder")),
    ("paid", N_("Paid")),
    ("outstanding", N_("Outstanding")),
)


@dataclass(frozen=True)
class PeriodProgress:
    """One reporting period the claim covers: its indicators (as `indicator_section` builds
    them for the period report, as plain records) and its narrative by section title."""

    number: int
    start: date
    end: date
    status_label: str
    indicators: list[dict[str, Any]]
    narrative: list[tuple[str, str]]


@dataclass(frozen=True)
class ClaimDocument:
    """A claim's document in one language; money in cents, texts translated.

    `items` are the claimed expenditures; `jems` the same as Jems' partner report expenditure
    list has them (a partner report only, else empty); `totals` the items' sums; `sources`
    the split by funding line and `source_totals` its sums (approved None until approved);
    `summary` the claim's money (SUMMARY); `progress` the reporting periods it covers."""

    locale: str
    report_date: date
    draft: bool
    partner_report: bool
    header: Mapping[str, Any]
    items: list[dict[str, Any]]
    totals: dict[str, int]
    jems: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    source_totals: dict[str, int | None]
    deductions: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    summary: list[dict[str, Any]]
    progress: list[PeriodProgress]


@dataclass(frozen=True)
class _Data:
    claim: ClaimRow
    project: ProjectDetail
    details: dict[int, ClaimedExpenditure]
    categories: dict[str, tuple[str, str] | None]
    periods: list[tuple[PeriodRow, list[IndicatorProgress], dict[str, str]]]


async def build_claim_document(
    principal: Principal,
    claim_id: int,
    *,
    locale: str = FROZEN_LOCALE,
    report_date: date | None = None,
) -> ClaimDocument:
    """The claim's document, read with the principal's rights (NotFound for a claim of a
    project they do not read)."""
    claim = await get_claim(principal, claim_id)
    project = await get_project(principal, claim.project_id)
    covered = [
        p
        for p in await list_periods(principal, claim.project_id, project_read=True)
        if p.start <= claim.period_end and p.end >= claim.period_start
    ]
    periods = [
        (
            p,
            await indicator_progress(principal, claim.project_id, p.id),
            await narrative(principal, p.id),
        )
        for p in covered
    ]
    data = _Data(
        claim=claim,
        project=project,
        details=await claimed_expenditures(claim),
        categories=await cost_categories(claim.project_id),
        periods=periods,
    )
    locale = negotiate(locale)
    return in_locale(locale, _assemble, data, locale, report_date or riga_today())


def _assemble(data: _Data, locale: str, report_date: date) -> ClaimDocument:
    claim, categories = data.claim, category_names(data.categories)
    items = [_item(i, data.details.get(i.expenditure_id or 0), categories) for i in claim.items]
    partner_report = claim.kind == ClaimKind.PARTNER_REPORT
    english = in_locale("en", category_names, data.categories) if partner_report else {}
    sources = [
        {
            "source": s.source,
            "kind_label": label(s.kind),
            "requested": s.requested,
            "approved": s.approved,
            "paid": s.paid,
        }
        for s in claim.sources
    ]
    approved = [s["approved"] for s in sources]
    return ClaimDocument(
        locale=locale,
        report_date=report_date,
        draft=claim.editable,
        partner_report=partner_report,
        header=_header(claim, data.project, report_date),
        items=items,
        totals={
            key: sum(i[key] for i in items)
            for key in ("amount", "vat", "eligible", "deducted", "approved")
        },
        jems=[_jems_row(i, english) for i in items] if partner_report else [],
        sources=sources,
        source_totals={
            "requested": sum(s["requested"] for s in sources),
            "approved": None if None in approved else sum(approved),
            "paid": sum(s["paid"] for s in sources),
        },
        deductions=[i for i in items if i["deducted"] or i["parked"]],
        payments=[
            {"paid_on": p.paid_on, "source": p.source, "amount": p.amount} for p in claim.payments
        ],
        summary=[
            {"key": key, "label": gettext(title), "amount": getattr(claim, key)}
            for key, title in SUMMARY
        ],
        progress=[_progress(*period) for period in data.periods],
    )


def _header(claim: ClaimRow, project: ProjectDetail, report_date: date) -> dict[str, Any]:
    s = project.summary
    return {
        "code": s.code,
        "title": localised(s.title_lv, s.title_en),
        "programme": localised(s.programme_name_lv, s.programme_name_en),
        "programme_code": s.programme_code,
        "measure": s.measure_code,
        "fund": s.fund,
        "intermediate_body": project.intermediate_body or "",
        "beneficiary": project.holder or "",
        "partner": project.partner_name(claim.partner_id) if claim.partner_id else "",
        "our_role_label": label(s.our_role),
        "contract_ref": project.contract_ref,
        "number": claim.number,
        "kind": str(claim.kind),
        "kind_label": gettext(KIND_TITLES[claim.kind]),
        "status": str(claim.status),
        "status_label": gettext(STATUS_TITLES[claim.status]),
        "period_start": claim.period_start,
        "period_end": claim.period_end,
        "created_on": claim.created_at.date(),
        "submitted_on": claim.submitted_at.date() if claim.submitted_at else None,
        "decided_on": claim.decided_at.date() if claim.decided_at else None,
        "reason": claim.reason,
        "report_date": report_date,
    }


def _item(item: Any, detail: ClaimedExpenditure | None, categories: dict[str, str]) -> dict:
    return {
        "entry_no": item.entry_no,
        "invoice_number": item.invoice_number,
        "supplier": item.supplier,
        "spent_on": item.spent_on,
        "payment_date": detail.payment_date if detail else None,
        "category": item.category,
        "category_name": categories.get(item.category) or label(item.category),
        "description": detail.description if detail else "",
        "evidence_ref": detail.evidence_ref if detail else "",
        "files": ", ".join(detail.files) if detail else "",
        "amount": item.amount,
        "vat": detail.vat if detail else 0,
        "eligible": item.eligible,
        "deducted": item.deducted,
        "approved": item.approved,
        "reason": item.reason,
        "error_type": item.error_type,
        "parked": item.parked,
        "parked_label": gettext("parked") if item.parked else "",
    }


def _jems_row(item: dict[str, Any], english_categories: dict[str, str]) -> dict[str, Any]:
    """An item as a line of Jems' partner report expenditure list: amounts in euros, so the
    rate is 1 and the declared amount in EUR is the declared (eligible) amount."""
    return {
        "internal_reference": str(item["entry_no"]),
        "invoice_number": item["invoice_number"],
        "invoice_date": item["spent_on"],
        "payment_date": item["payment_date"],
        "cost_category": english_categories.get(item["category"]) or item["category"],
        "description": item["description"],
        "comment": item["evidence_ref"],
        "total_value": item["amount"],
        "vat": item["vat"],
        "declared": item["eligible"],
        "currency": "EUR",
        "rate": 1,
        "declared_eur": item["eligible"],
        "contract": "",
        "attachment": item["files"],
    }


def _progress(
    period: PeriodRow, progress: list[IndicatorProgress], texts: dict[str, str]
) -> PeriodProgress:
    return PeriodProgress(
        number=period.number,
        start=period.start,
        end=period.end,
        status_label=label(period.status),
        indicators=records(indicator_section(progress, period.end)),
        narrative=[(gettext(t), texts.get(key, "").strip()) for key, t in NARRATIVE.items()],
    )


# The data in a canonical form, for the hash of a frozen version -------------------------------


def canonical_data(document: ClaimDocument) -> bytes:
    """Every figure of the document, one a row, in a form that does not depend on the language
    (codes, ISO dates, decimal strings): what the frozen version's hash is taken of."""
    out = StringIO()
    writer = csv.writer(out, lineterminator="\n")
    h = document.header
    writer.writerow(["claim", h["code"], h["number"], h["kind"], h["status"]])
    writer.writerow(["period", h["period_start"].isoformat(), h["period_end"].isoformat()])
    for i in document.items:
        writer.writerow(
            [
                "item",
                i["entry_no"],
                i["invoice_number"],
                i["supplier"],
                _iso(i["spent_on"]),
                _iso(i["payment_date"]),
                i["category"],
                money_str(i["amount"]),
                money_str(i["vat"]),
                money_str(i["eligible"]),
                money_str(i["deducted"]),
                i["reason"],
                i["error_type"],
                int(i["parked"]),
            ]
        )
    for s in document.sources:
        amounts = (money_str(s[key]) for key in ("requested", "approved", "paid"))
        writer.writerow(["source", s["source"], *amounts])
    for line in document.summary:
        writer.writerow(["summary", line["key"], money_str(line["amount"])])
    for p in document.progress:
        for i in p.indicators:
            writer.writerow(["indicator", p.number, i["code"], i["this_period"], i["to_date"]])
    return out.getvalue().encode()


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


# Rendering ------------------------------------------------------------------------------------


def render_claim(document: ClaimDocument, fmt: str) -> bytes:
    """The document as PDF or XLSX. The renderers are imported here: they import this
    module's ClaimDocument."""
    from reports.claim_pdf import render_claim_pdf
    from reports.claim_xlsx import render_claim_xlsx

    return {"pdf": render_claim_pdf, "xlsx": render_claim_xlsx}[fmt](document)


def _render_both(document: ClaimDocument) -> tuple[bytes, bytes]:
    return render_claim(document, "pdf"), render_claim(document, "xlsx")


# Freezing ------------------------------------------------------------------------------------


def _reporter(principal: Principal, project_id: int) -> Principal:
    """Who the frozen document is read as: the funder's copy is the same whoever submits; the
    audit trail still names the submitter."""
    return replace(principal, role=Role.ADMIN, project_ids=frozenset({project_id}))


async def freeze_missing(principal: Principal) -> int:
    """Freeze the documents of claims sent without one (the demo's); how many were frozen."""
    missing = await claims_without_document()
    for claim_id in missing:
        await freeze_claim(principal, claim_id)
    return len(missing)


async def freeze_claim(principal: Principal, claim_id: int) -> DocumentRow:
    """Render the claim's document (Latvian) and store it as the claim's next version."""
    claim = await get_claim(principal, claim_id)
    async with write_transaction():
        document = await build_claim_document(_reporter(principal, claim.project_id), claim_id)
        pdf, xlsx = await off_loop(_render_both, document)
        return await store_document(
            principal,
            await get_claim(principal, claim_id),
            pdf=pdf,
            xlsx=xlsx,
            canonical=canonical_data(document),
            locale=document.locale,
        )


async def submit_and_freeze_claim(principal: Principal, claim_id: int) -> ClaimRow:
    """Submit the claim and freeze its document, both or neither."""
    async with write_transaction():
        submitted = await submit_claim(principal, claim_id)
        await freeze_claim(principal, claim_id)
    return submitted


# Serving -------------------------------------------------------------------------------------


async def claim_document_file(
    principal: Principal,
    claim_id: int,
    fmt: str,
    *,
    version: int | None = None,
    locale: str = FROZEN_LOCALE,
    decision: bool = False,
) -> tuple[bytes, str, str]:
    """(bytes, media type, file name) of the claim's document.

    A claim sent to the funder (submitted, approved, paid, rejected) returns its latest stored
    version byte for byte (`version` picks an older one, also of a returned claim); a draft or
    returned claim without a `version` asked for is rendered live, in `locale`. Stored
    versions are in Latvian. `decision`: a claim the funder answered, rendered now with the
    answer (approved amount, deductions, payments) beside the frozen copy it was sent as."""
    check_document_format(fmt)
    claim = await get_claim(principal, claim_id)
    stored = None
    answered = claim.status in (ClaimStatus.APPROVED, ClaimStatus.PAID, ClaimStatus.REJECTED)
    if version is not None or (frozen_document(claim) and not (decision and answered)):
        stored = await stored_document(claim, fmt, version=version)  # Refused: no such version
    if stored is None:
        # a draft, or sent before documents were frozen (nothing stored): the live document
        document = await build_claim_document(principal, claim_id, locale=locale)
        data = await off_loop(render_claim, document, fmt)
        return data, DOCUMENT_FORMATS[fmt], await document_filename(claim, fmt, None)
    number, data = stored
    return data, DOCUMENT_FORMATS[fmt], await document_filename(claim, fmt, number)
