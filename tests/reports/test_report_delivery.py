"""How a period's report is delivered: the HTML opens in the browser with one charset, the other
formats download, and a draft says it is one where a frozen version does not."""

import io

from pypdf import PdfReader

from grants.core.vocabulary import Role
from reports.versions import report_file, submit_and_freeze
from tests.helpers import api_headers, principal, sign_in


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_the_html_report_opens_inline_with_its_charset_named_once(reported, client):
    url = f"/api/v1/periods/{reported['period']}/report"
    headers = await api_headers(Role.FINANCE)
    html = await client.get(url, params={"format": "html"}, headers=headers)
    assert html.status_code == 200, html.text
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert html.headers["content-disposition"].startswith("inline; filename=")
    for fmt in ("pdf", "xlsx", "csv"):
        other = await client.get(url, params={"format": fmt}, headers=headers)
        assert other.status_code == 200, other.text
        assert other.headers["content-disposition"].startswith("attachment; filename=")
        assert other.headers["content-type"].count("charset") <= 1


async def test_the_page_link_to_the_html_report_opens_inline(reported, client):
    await sign_in(client, Role.COORDINATOR)
    response = await client.get(f"/periods/{reported['period']}/report", params={"format": "html"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-disposition"].startswith("inline;")


async def test_a_draft_report_is_marked_and_a_frozen_version_is_not(reported):
    coordinator = await principal(Role.COORDINATOR)
    period = reported["period"]
    html, *_ = await report_file(coordinator, period, "html")
    pdf, *_ = await report_file(coordinator, period, "pdf")
    assert "MELNRAKSTS" in html.decode()
    assert "MELNRAKSTS" in pdf_text(pdf)
    english, *_ = await report_file(coordinator, period, "html", locale="en")
    assert "DRAFT" in english.decode() and "MELNRAKSTS" not in english.decode()

    await submit_and_freeze(coordinator, period)
    html, *_ = await report_file(coordinator, period, "html")
    pdf, *_ = await report_file(coordinator, period, "pdf")
    assert "MELNRAKSTS" not in html.decode()
    assert "MELNRAKSTS" not in pdf_text(pdf)


async def test_the_project_page_opens_the_html_report_and_downloads_the_others(reported, client):
    await sign_in(client, Role.COORDINATOR)
    period = reported["period"]
    page = (await client.get(f"/projects/{reported['project']}", params={"period": period})).text
    assert f'/periods/{period}/report?format=html" target="_blank"' in page
    assert f'/periods/{period}/report?format=html" download' not in page
    assert f'/periods/{period}/report?format=pdf" download' in page


async def test_every_page_of_a_draft_pdf_says_it_is_a_draft(reported):
    pdf, *_ = await report_file(await principal(Role.COORDINATOR), reported["period"], "pdf")
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) > 1
    assert all("MELNRAKSTS" in page.extract_text() for page in pages)
