"""In Chromium: an invoice's evidence file outlives a correction made without uploading it
again, and every version shows it."""

import re

import pytest
from playwright.async_api import expect

from tests.browser import chromium_path, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed"),
]

EVIDENCE = {"name": "rēķins.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 evidence"}


async def test_a_corrected_invoice_keeps_its_evidence_file(page):
    await sign_in(page, "finance")
    await page.goto("/")
    await page.get_by_role("link", name="4.4.1.1./2/004", exact=True).click()
    await page.get_by_role("link", name="Izdevumi").click()

    form = page.locator("#expenditures form")
    await form.get_by_label("Rēķina datums").fill("20.11.2026")
    await form.locator("input[name=amount]").fill("480,00")
    await form.get_by_label("Izmaksu kategorija").select_option("external_services")
    await form.get_by_label("Piegādātājs").fill("SIA Tulkojumi")
    await form.get_by_label("Rēķina numurs").fill("TU-7")
    await form.get_by_label("Pamatojuma faili").set_input_files(files=[EVIDENCE])
    await form.get_by_role("button", name="Reģistrēt").click()

    row = page.locator("table.expenditures tr", has_text="TU-7")
    await expect(row.get_by_role("img", name="Pamatojuma fails")).to_be_visible()
    await row.get_by_role("link", name="labot / atcelt").click()

    files = page.locator("ul.evidence-files")
    await expect(files).to_contain_text("rēķins.pdf")
    await page.locator("input[name=amount]").first.fill("500,00")
    await page.get_by_label("Izmaiņu iemesls").fill("Rēķinā labota summa")
    await page.get_by_role("button", name="Saglabāt kā jaunu versiju").click()

    await expect(page).to_have_url(re.compile(r"/projects/\d+/expenditures$"))
    row = page.locator("table.expenditures tr", has_text="TU-7")
    await expect(row).to_contain_text("500,00 €")
    await expect(row.get_by_role("img", name="Pamatojuma fails")).to_be_visible()
    await row.get_by_role("link", name="labot / atcelt").click()
    await expect(page.locator("ul.evidence-files")).to_contain_text("rēķins.pdf")
    link = page.locator("ul.evidence-files").get_by_role("link", name="rēķins.pdf")
    async with page.expect_download() as download:
        await link.click()
    assert (await download.value).suggested_filename == "rēķins.pdf"

    await page.get_by_role("link", name="1", exact=True).click()  # the first version
    await expect(page.get_by_role("note")).to_contain_text("vecā versija")
    await expect(page.locator("ul.evidence-files")).to_contain_text("rēķins.pdf")
    await page.get_by_role("link", name="Atvērt pašreizējo versiju (2)").click()
    await expect(page.locator("ul.evidence-files")).to_contain_text("rēķins.pdf")
