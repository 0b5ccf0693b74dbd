"""A report download shows it is working until its file arrives (app.js with the server's
`grants_download` cookie); the `server` and `page` fixtures come from `tests.browser`."""

import pytest
from playwright.async_api import expect

from tests.browser import chromium_path, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed"),
]


async def test_the_pdf_link_is_busy_until_the_file_arrives(page):
    await sign_in(page, "admin")
    # The demo portfolio's PDF takes seconds to render, and the mark stays at least until the
    # next 250 ms check after the file has arrived: time enough to see it.
    link = page.locator(".downloads").get_by_role("link", name="PDF", exact=True)
    async with page.expect_download() as arriving:
        await link.click()
        await expect(link).to_have_attribute("aria-busy", "true")
        await expect(link).to_have_class("busy")
        await expect(page.get_by_role("status")).to_have_text("Gatavo PDF…")
    download = await arriving.value
    assert download.suggested_filename.endswith(".pdf")
    assert "format=pdf" in download.url and "download=" in download.url
    await expect(link).not_to_have_attribute("aria-busy", "true")
    await expect(link).not_to_have_class("busy")
    await expect(page.get_by_role("status")).to_have_count(0)
