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

`print_pdf_in_parts` is for a document too long to print in one go within its budget (the
portfolio of 500 projects): its parts print at once in processes of their own, one per core,
and are joined into one PDF with the page chrome (running header, page N / M) printed over
them.
"""

import io
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache

from pypdf import PdfReader, PdfWriter
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


# Long documents: parts printed in parallel ----------------------------------------------------

_PRINTERS: ProcessPoolExecutor | None = None
_PRINTERS_LOCK = threading.Lock()


def printers() -> int:
    """How many parts can print at once: one per core, at most four."""
    return min(os.cpu_count() or 1, 4)


def _printers() -> ProcessPoolExecutor:
    """The processes that print parts, started on first use and kept. WeasyPrint holds the
    GIL while it lays out, so threads would take turns; processes print side by side. They
    fork from multiprocessing's fork server, which has imported WeasyPrint once."""
    global _PRINTERS
    with _PRINTERS_LOCK:
        if _PRINTERS is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload([__name__])
            _PRINTERS = ProcessPoolExecutor(
                printers(), mp_context=context, initializer=_end_with_starter
            )
        return _PRINTERS


def _end_with_starter() -> None:
    """In each printer: end when the process that started it ends, however it ends. uvicorn
    re-raises the SIGTERM it stopped on, so no exit handler of the server's shuts the
    printers down, and an idle printer would otherwise wait for work for ever."""
    starter = multiprocessing.parent_process()
    if starter is not None:
        threading.Thread(target=_exit_when_ready, args=(starter.sentinel,), daemon=True).start()


def _exit_when_ready(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(0)


def print_pdf_in_parts(parts: Sequence[str], chrome: Callable[[int], str]) -> bytes:
    """Stand-alone HTML documents printed side by side and joined, in order, into one PDF.

    The parts carry no page chrome of their own: `chrome(pages)` is a document of exactly
    that many empty pages with the margin boxes (running header, page N / M), printed over
    the joined pages. The metadata (title, dates) is the first part's, so the same parts
    give the same bytes."""
    try:
        printed = list(_printers().map(print_pdf, parts))
    except BrokenProcessPool:  # a printer died (out of memory, say): start afresh next time
        global _PRINTERS
        with _PRINTERS_LOCK:
            _PRINTERS = None
        raise
    readers = [PdfReader(io.BytesIO(pdf)) for pdf in printed]
    pages = [page for reader in readers for page in reader.pages]
    overlays = PdfReader(io.BytesIO(print_pdf(chrome(len(pages))))).pages
    if len(overlays) != len(pages):
        raise ValueError(f"the page chrome has {len(overlays)} pages for {len(pages)}")
    writer = PdfWriter()
    for page, overlay in zip(pages, overlays, strict=True):
        joined = writer.add_page(page)
        joined.merge_page(overlay)
        joined.compress_content_streams()
    writer.add_metadata(readers[0].metadata)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
