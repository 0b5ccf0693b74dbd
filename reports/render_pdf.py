"""The progress report as PDF: WeasyPrint prints the report's HTML document (A4, print CSS,
page numbers, charts embedded as SVG).

`print_pdf` is how every report document here becomes a PDF (the portfolio report too). Speed,
measured on the national-scale portfolio: WeasyPrint's time goes in computing each element's
style, laying out each line and drawing it, so the documents are lean (few elements per table
cell) and two costs that do not depend on the document are paid once:
- the user-agent stylesheet is our own short one (templates/reports/print-ua.css), parsed once:
  WeasyPrint's HTML5 sheet makes it match and compute pseudo-element styles for every element;
- the font configuration (Pango's font map, fontconfig look-ups, shaped-font caches) is kept
  per thread and reused, instead of being rebuilt for every document.
Neither changes the bytes: the same report and date still give the same PDF. WeasyPrint
subsets the embedded fonts to the glyphs used.
"""

import logging
import threading
from functools import cache

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from reports.project_report import ProjectReport
from reports.render_html import TEMPLATES, render_html

USER_AGENT_STYLESHEET = TEMPLATES / "reports" / "print-ua.css"

# WeasyPrint logs each step and each page at INFO, which the server's log would show: over forty
# lines for one portfolio PDF. Its warnings (a style it cannot apply) still come through.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@cache
def _user_agent_stylesheet() -> CSS:
    """Parsed once; read-only afterwards, like WeasyPrint's own module-level sheet."""
    return CSS(filename=str(USER_AGENT_STYLESHEET))


class _ReportDocument(HTML):
    """One of our report documents: printed with the lean user-agent stylesheet."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_user_agent_stylesheet()]


_PER_THREAD = threading.local()


def _font_config() -> FontConfiguration:
    """This thread's font configuration (Pango objects are not shared between threads)."""
    config = getattr(_PER_THREAD, "font_config", None)
    if config is None:
        config = _PER_THREAD.font_config = FontConfiguration()
    return config


def print_pdf(html: str) -> bytes:
    """A report's stand-alone HTML document printed to PDF. Deterministic: the dates in its
    metadata come from the document's dcterms meta, and no random file identifier is added."""
    document = _ReportDocument(string=html)
    return document.write_pdf(pdf_identifier=False, font_config=_font_config())


def render_pdf(report: ProjectReport) -> bytes:
    """A4 PDF in the report's language; the same report and date give the same bytes."""
    return print_pdf(render_html(report).decode())
