"""The budget form in Debian's Chromium: "Add a row" brings one more row over HTMX, keeping what
was typed, and the flat-rate base is ticked by the categories' names."""

import pytest
from playwright.async_api import expect

from tests.browser import chromium_path, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed"),
]


async def test_an_admin_adds_a_row_and_ticks_the_base_by_name(page):
    # the demo project has a contract and a budget: only an admin's form (to correct it) is open
    await sign_in(page, "admin")
    await page.goto("/")
    await page.get_by_role("link", name="4.4.1.1./2/004", exact=True).click()
    await page.get_by_role("link", name="Budžets", exact=True).click()
    rows = page.locator("#budget-rows > tr")
    before = await rows.count()
    last = rows.nth(before - 1)
    await last.get_by_label("Gads").fill("2027")
    await last.get_by_label("Vienotā likme").fill("15")
    await last.get_by_label("Personāls").check()
    await page.evaluate("window.samePage = true")
    await page.get_by_role("button", name="Pievienot rindu").click()
    await expect(rows).to_have_count(before + 1)
    kept = rows.nth(before - 1)
    await expect(kept.get_by_label("Gads")).to_have_value("2027")
    await expect(kept.get_by_label("Vienotā likme")).to_have_value("15")
    await expect(kept.get_by_label("Personāls")).to_be_checked()
    await expect(rows.nth(before).get_by_label("Gads")).to_have_value("")
    assert await page.evaluate("window.samePage") is True  # only the rows were swapped
