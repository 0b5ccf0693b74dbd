"""The portfolio in Debian's Chromium: every column on a 1366 × 900 screen without scrolling
sideways, and cards on a 390 px phone; the `server` and `page` fixtures come from
`tests.browser`."""

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser import chromium_path, sign_in
from tests.helpers import CONNECTINGEN, FAMILIES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed"),
]

WIDTHS = """() => {
  const wrap = document.querySelector('.table-wrap');
  return {page: document.documentElement.scrollWidth, window: window.innerWidth,
          wrapScroll: wrap.scrollWidth, wrapClient: wrap.clientWidth};
}"""


def project_row(page: Page, code: str) -> Locator:
    link = page.get_by_role("link", name=code, exact=True)
    return page.locator("table.portfolio tbody tr", has=link)


async def within_width(cell: Locator, width: int) -> None:
    """The cell is shown and lies wholly between the window's left and right edges."""
    await expect(cell).to_be_visible()
    box = await cell.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box


async def test_every_column_fits_a_1366_screen(page):
    await page.set_viewport_size({"width": 1366, "height": 900})
    await sign_in(page, "admin")
    widths = await page.evaluate(WIDTHS)
    assert widths["page"] <= widths["window"] == 1366
    assert widths["wrapScroll"] <= widths["wrapClient"]
    for code in (FAMILIES, CONNECTINGEN):
        row = project_row(page, code)
        for label in ("ES daļa", "Statuss", "Nākamā atskaite līdz"):
            await within_width(row.locator(f'td[data-label="{label}"]'), 1366)
    connectingen = project_row(page, CONNECTINGEN)
    await expect(connectingen.locator('td[data-label="ES daļa"]')).to_contain_text("38 684,00 €")
    await expect(connectingen.locator('td[data-label="Kopā"]')).to_contain_text("mūsu daļa")
    await within_width(connectingen.locator("td.due .badge"), 1366)  # "overdue" in view too
    await within_width(page.locator("tfoot tr.total-others td").nth(2), 1366)


async def test_a_phone_gets_cards_without_sideways_scrolling(page):
    await page.set_viewport_size({"width": 390, "height": 844})
    await sign_in(page, "admin")
    widths = await page.evaluate(WIDTHS)
    assert widths["page"] <= widths["window"] == 390
    assert widths["wrapScroll"] <= widths["wrapClient"]
    connectingen = project_row(page, CONNECTINGEN)
    total = connectingen.locator('td[data-label="Kopā"]')
    await total.scroll_into_view_if_needed()
    await within_width(total, 390)
    await expect(total).to_contain_text("48 355,00 €")
    await expect(total).to_contain_text("mūsu daļa")
    # each cell says which column it is: the caption comes from data-label
    caption = await total.evaluate("td => getComputedStyle(td, '::before').content")
    assert caption == '"Kopā"'
    for label in ("ES daļa", "Statuss", "Nākamā atskaite līdz"):
        await within_width(connectingen.locator(f'td[data-label="{label}"]'), 390)
