"""The register page in Debian's Chromium: recording an exit, correcting and cancelling a
service receipt. The `server` and `page` fixtures come from `tests.browser`."""

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser import chromium_path, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed"),
]


async def register_page(page: Page) -> None:
    await sign_in(page, "coordinator")
    await page.get_by_role("link", name="4.4.1.1./2/004", exact=True).click()
    await page.get_by_role("navigation").get_by_role("link", name="Reģistrs").click()
    await expect(page.get_by_role("heading", name="Dalībnieki")).to_be_visible()


async def test_coordinator_records_a_participants_exit(page):
    await register_page(page)
    await page.get_by_role("link", name="Labot Ģ-03-1").click()
    form = page.locator("form.participant-edit")
    await form.get_by_label("Izstāšanās").fill("20.11.2026")
    await form.get_by_label("Izmaiņu iemesls").fill("Ģimene pabeidza pakalpojuma ciklu")
    await form.get_by_role("button", name="Saglabāt izmaiņas").click()
    await expect(page).to_have_url(re.compile(r"/register#p-\d+$"))
    row = page.locator("table.participants tr", has_text="Ģ-03-1")
    await expect(row).to_contain_text("20.11.2026")
    await expect(row.get_by_role("link", name="Labot Ģ-03-1")).to_be_visible()
    await row.get_by_role("link", name="Labot Ģ-03-1").click()
    await expect(page.locator("table.participant-history")).to_contain_text(
        "Ģimene pabeidza pakalpojuma ciklu"
    )


async def test_coordinator_corrects_and_cancels_a_receipt(page):
    await register_page(page)
    heading = page.get_by_role("heading", name=re.compile("Saņemto pakalpojumu ieraksti"))
    total = int(re.search(r"\((\d+)\)", await heading.inner_text())[1])
    receipts = page.locator("table.receipts tbody tr")
    await receipts.first.get_by_role("link", name=re.compile("Labot vai atcelt")).click()

    form = page.locator("form.receipt-correct")
    await form.get_by_label("Summa").fill("99,00")
    await form.get_by_label("Izmaiņu iemesls").fill("Rēķinā cita summa")
    await form.get_by_role("button", name="Saglabāt labojumu").click()
    await expect(page).to_have_url(re.compile(r"/register#receipts$"))
    await expect(receipts.first).to_contain_text("99,00")

    await receipts.first.get_by_role("link", name=re.compile("Labot vai atcelt")).click()
    page.once("dialog", lambda dialog: dialog.accept())
    cancel = page.locator("form.receipt-cancel")
    await cancel.get_by_label("Atcelšanas iemesls").fill("Ievadīts kļūdaini")
    await cancel.get_by_role("button", name="Atcelt saņemto pakalpojumu").click()
    await expect(page).to_have_url(re.compile(r"/register#receipts$"))
    await expect(heading).to_contain_text(f"({total - 1})")
    await expect(receipts.first).not_to_contain_text("99,00")
