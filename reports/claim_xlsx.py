"""A payment claim's document as an XLSX workbook, with the period report's sheet helpers:
real numbers with number formats (money the exact Decimal amount), text cells as text never
formulas, frozen header rows, dates stamped from the document date so the same data gives the
same bytes.

A partner report's expenditure sheet has the columns of Jems' partner report expenditure list,
in Jems' order and with Jems' English headings, so its rows can be carried into Jems.
"""

from collections.abc import Sequence
from typing import Any

from grants.core.i18n import gettext
from grants.core.translatable import N_
from reports.claim_document import ClaimDocument
from reports.frames import in_locale
from reports.render_xlsx import (
    ROW_KIND,
    Column,
    _sheet,
    new_workbook,
    workbook_bytes,
)

# Jems' partner report expenditure list, in its order. English on purpose: these are Jems'
# own headings, for carrying the rows into Jems, whatever the document's language.
JEMS_SHEET = "List of expenditures"
JEMS_COLUMNS = (
    Column("Internal reference number", "internal_reference", width=12),
    Column("Invoice number", "invoice_number", width=16),
    Column("Invoice date", "invoice_date", "date", width=12),
    Column("Date of payment", "payment_date", "date", width=12),
    Column("Cost category", "cost_category", width=24),
    Column("Description", "description", width=36),
    Column("Comment", "comment", width=28),
    Column("Total value of invoice", "total_value", "money"),
    Column("VAT", "vat", "money"),
    Column("Declared amount", "declared", "money"),
    Column("Currency", "currency", width=9),
    Column("Conversion rate", "rate", "count", width=10),
    Column("Declared amount in EUR", "declared_eur", "money"),
    Column("Contract ID", "contract", width=14),
    Column("Attachment", "attachment", width=28),
)

_HEADER_COLUMNS = (
    Column(N_("Field"), "field", width=30),
    Column(N_("Value"), "value", ROW_KIND, width=70),
)
_ITEM_COLUMNS = (
    Column(N_("Entry No."), "entry_no", "count", width=8),
    Column(N_("Invoice number"), "invoice_number", width=16),
    Column(N_("Supplier"), "supplier", width=30),
    Column(N_("Invoice date"), "spent_on", "date", width=12),
    Column(N_("Payment date"), "payment_date", "date", width=12),
    Column(N_("Category"), "category_name", width=24),
    Column(N_("Amount"), "amount", "money"),
    Column(N_("Eligible"), "eligible", "money"),
    Column(N_("Deducted"), "deducted", "money"),
    Column(N_("Reason"), "reason", width=30),
)
_SOURCE_COLUMNS = (
    Column(N_("Source"), "source", width=28),
    Column(N_("Kind"), "kind_label", width=16),
    Column(N_("Requested"), "requested", "money"),
    Column(N_("Approved"), "approved", "money"),
    Column(N_("Paid"), "paid", "money"),
)
_DEDUCTION_COLUMNS = (
    Column(N_("Entry No."), "entry_no", "count", width=8),
    Column(N_("Invoice number"), "invoice_number", width=16),
    Column(N_("Supplier"), "supplier", width=30),
    Column(N_("Eligible"), "eligible", "money"),
    Column(N_("Deducted"), "deducted", "money"),
    Column(N_("Approved"), "approved", "money"),
    Column(N_("Reason"), "reason", width=30),
    Column(N_("Error type"), "error_type", width=18),
    Column(N_("Parked"), "parked_label", width=10),
)
_PAYMENT_COLUMNS = (
    Column(N_("Date"), "paid_on", "date", width=12),
    Column(N_("Source"), "source", width=28),
    Column(N_("Amount"), "amount", "money"),
)
_INDICATOR_COLUMNS = (
    Column(N_("Reporting period"), "period", "count", width=10),
    Column(N_("Code"), "code", width=10),
    Column(N_("Indicator"), "name", width=50),
    Column(N_("Unit"), "unit", width=12),
    Column(N_("Target"), "target", "figure"),
    Column(N_("This period"), "this_period", "figure"),
    Column(N_("To date"), "to_date", "figure"),
    Column(N_("% of target"), "percent_of_target", "percent"),
)
_NARRATIVE_COLUMNS = (
    Column(N_("Reporting period"), "period", "count", width=10),
    Column(N_("Section"), "section", width=24),
    Column(N_("Text"), "text", width=100),
)


def render_claim_xlsx(document: ClaimDocument) -> bytes:
    """The workbook in the document's language (a partner report's Jems sheet in English)."""
    return in_locale(document.locale, _workbook_bytes, document)


def _workbook_bytes(document: ClaimDocument) -> bytes:
    h = document.header
    title = f"{h['kind_label']} {h['code']} No. {h['number']}"
    workbook = new_workbook(title, document.report_date)
    _sheet(workbook, gettext("Claim"), _HEADER_COLUMNS, header_rows(document), None)
    if document.partner_report:
        totals = {
            key: document.totals[item_key]
            for key, item_key in (
                ("total_value", "amount"),
                ("vat", "vat"),
                ("declared", "eligible"),
                ("declared_eur", "eligible"),
            )
        }
        in_locale("en", _sheet, workbook, JEMS_SHEET, JEMS_COLUMNS, document.jems, totals)
    else:
        _sheet(workbook, gettext("Expenditures"), _ITEM_COLUMNS, document.items, document.totals)
    _sheet(
        workbook,
        gettext("Split by source"),
        _SOURCE_COLUMNS,
        document.sources,
        document.source_totals,
    )
    keys = ("eligible", "deducted", "approved")
    deducted = {key: sum(i[key] for i in document.deductions) for key in keys}
    _sheet(workbook, gettext("Deductions"), _DEDUCTION_COLUMNS, document.deductions, deducted)
    paid = {"amount": sum(p["amount"] for p in document.payments)}
    _sheet(workbook, gettext("Payments"), _PAYMENT_COLUMNS, document.payments, paid)
    indicators = [i | {"period": p.number} for p in document.progress for i in p.indicators]
    _sheet(workbook, gettext("Indicators"), _INDICATOR_COLUMNS, indicators, None)
    texts = [
        {"period": p.number, "section": section, "text": text}
        for p in document.progress
        for section, text in p.narrative
    ]
    _sheet(workbook, gettext("Narrative"), _NARRATIVE_COLUMNS, texts, None)
    return workbook_bytes(workbook, document.report_date)


def header_rows(document: ClaimDocument) -> list[dict[str, Any]]:
    """The claim sheet: who, what, when, then the claim's money."""
    h = document.header
    rows: Sequence[tuple[str, Any, str]] = [
        (N_("Project code"), h["code"], "text"),
        (N_("Title"), h["title"], "text"),
        (N_("Programme"), f"{h['programme']} ({h['programme_code']})", "text"),
        (N_("Measure"), f"{h['measure']} ({h['fund']})", "text"),
        (N_("Intermediate body"), h["intermediate_body"], "text"),
        (N_("Beneficiary"), h["beneficiary"], "text"),
        *([(N_("Partner"), h["partner"], "text")] if h["partner"] else []),
        (N_("Contract"), h["contract_ref"], "text"),
        (N_("Claim number"), h["number"], "count"),
        (N_("Kind"), h["kind_label"], "text"),
        (N_("Status"), h["status_label"], "text"),
        (N_("Period start"), h["period_start"], "date"),
        (N_("Period end"), h["period_end"], "date"),
        (N_("Prepared"), h["created_on"], "date"),
        (N_("Submitted"), h["submitted_on"], "date"),
        (N_("Decided"), h["decided_on"], "date"),
        (N_("Report date"), h["report_date"], "date"),
    ]
    return [
        {"field": gettext(title), "value": value, "kind": kind} for title, value, kind in rows
    ] + [
        {"field": line["label"], "value": line["amount"], "kind": "money"}
        for line in document.summary
    ]
