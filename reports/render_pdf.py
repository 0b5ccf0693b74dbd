"""The progress report as PDF: WeasyPrint prints the report's HTML document (A4, print CSS,
page numbers, charts embedded as SVG)."""

from weasyprint import HTML

from reports.project_report import ProjectReport
from reports.render_html import render_html


def render_pdf(report: ProjectReport) -> bytes:
    """A4 PDF in the report's language. Deterministic: the dates in its metadata are the
    report date (from the document's dcterms meta), and no random file identifier is added."""
    document = HTML(string=render_html(report).decode())
    return document.write_pdf(pdf_identifier=False)
