"""A payment claim's document as HTML and PDF: the Jinja2 template
"reports/claim.html" (on the period reports' base and print CSS), printed by WeasyPrint."""

from typing import Any

from reports.claim_document import ClaimDocument
from reports.frames import in_locale
from reports.render_html import environment
from reports.render_pdf import print_pdf

TEMPLATE = "reports/claim.html"


def claim_context(document: ClaimDocument) -> dict[str, Any]:
    """What the template needs, in plain Python values."""
    return {
        "doc": document,
        "h": document.header,
        "created": document.report_date.isoformat(),
        "draft": document.draft,
        "advance_cleared": next(
            line["amount"] for line in document.summary if line["key"] == "advance_cleared"
        ),
    }


def render_claim_html(document: ClaimDocument) -> bytes:
    """The document as a stand-alone UTF-8 HTML document in its language."""
    return in_locale(document.locale, _render, document).encode()


def _render(document: ClaimDocument) -> str:
    return environment().get_template(TEMPLATE).render(claim_context(document))


def render_claim_pdf(document: ClaimDocument) -> bytes:
    """A4 PDF in the document's language; its metadata dates are the document date."""
    return print_pdf(render_claim_html(document).decode())
