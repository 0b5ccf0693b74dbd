"""Real browser flows in Debian's Chromium against `grants serve`."""

import pytest
from playwright.async_api import Page, async_playwright, expect

from grants.demo import DEMO_USERS
from tests.browser import CHROMIUM_ARGS, Server, chromium_path

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("browser"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def page(server):
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = await browser.new_context(base_url=server.url, locale="lv-LV")
        yield await context.new_page()
        await browser.close()


async def sign_in(page: Page, role: str) -> None:
    user = next(u for u in DEMO_USERS if u.role == role)
    await page.goto("/login")
    await page.get_by_label("E-pasts").fill(user.email)
    await page.get_by_label("Parole").fill(user.password)
    await page.get_by_role("button", name="Pieslēgties").click()
    await expect(page.get_by_role("heading", name="Portfelis")).to_be_visible()


async def test_sign_in_shows_the_portfolio_in_latvian(page):
    await page.goto("/")
    await expect(page).to_have_url("/login?next=/")
    await page.get_by_label("E-pasts").fill("admin@tukums.demo")
    await page.get_by_label("Parole").fill("wrong-password")
    await page.get_by_role("button", name="Pieslēgties").click()
    await expect(page.get_by_role("alert")).to_have_text("Nepareizs e-pasts vai parole.")
    await sign_in(page, "admin")
    footer = page.locator("tfoot")
    await expect(footer).to_contain_text("3 248 725,40 €")
    await page.get_by_role("link", name="4.4.1.1./2/004").click()
    await expect(page.locator("ul.checks")).to_contain_text("✓ sakrīt")
