"""In Chromium: finance prepares a payment claim through the form and submits it, the page
asking first; declining the question sends nothing."""

import re

import pytest
from playwright.async_api import expect

from tests.browser import chromium_path, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed"),
]


async def test_finance_prepares_and_submits_a_claim(page):
    await sign_in(page, "finance")
    await page.goto("/")
    await page.get_by_role("link", name="4.4.1.1./2/004", exact=True).click()
    tabs = page.locator("nav.tabs")
    await tabs.get_by_role("link", name="Maksājuma pieprasījumi").click()
    await expect(page.get_by_role("heading", name="Jauns maksājuma pieprasījums")).to_be_visible()

    form = page.locator("#new-claim form")
    await form.get_by_label("Pieprasījuma veids").select_option("advance")
    await form.get_by_label("Periods no").fill("01.10.2027")
    await form.get_by_label("Periods līdz").fill("31.10.2027")
    await form.get_by_label("Avansa summa").fill("1 234,56")
    await form.get_by_role("button", name="Sagatavot pieprasījumu").click()

    await expect(page).to_have_url(re.compile(r"/claims/\d+(#.*)?$"))
    status = page.locator(".claim-status")
    await expect(status).to_have_text("Melnraksts")
    await expect(page.locator("table.claim-figures")).to_contain_text("1 234,56 €")

    submit = page.get_by_role("button", name="Iesniegt", exact=True)
    page.once("dialog", lambda dialog: dialog.dismiss())
    await submit.click()
    await expect(status).to_have_text("Melnraksts")  # declined: nothing sent

    questions: list[str] = []

    async def accept(dialog):
        questions.append(dialog.message)
        await dialog.accept()

    page.once("dialog", accept)
    await submit.click()
    await expect(status).to_have_text("Iesniegts")
    assert questions and questions[0].startswith("Iesniegt maksājuma pieprasījumu Nr.")
    await expect(page.get_by_role("button", name="Iesniegt", exact=True)).to_have_count(0)
    await expect(page.get_by_role("button", name="Reģistrēt kā apstiprinātu")).to_be_visible()

    await tabs.get_by_role("link", name="Maksājuma pieprasījumi").click()
    row = page.locator("table.claims tr", has_text="01.10.2027–31.10.2027")
    await expect(row).to_contain_text("Avanss")
    await expect(row).to_contain_text("Iesniegts")
