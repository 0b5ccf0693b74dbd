"""The period's narrative editor and submitting a period, in Debian's Chromium against
`grants serve` with the demo (fixtures from `tests.browser`)."""

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser import chromium_path, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed"),
]

FAMILIES = "4.4.1.1./2/004"


async def open_period(page: Page, span: str) -> None:
    await page.goto("/")
    await page.get_by_role("link", name=FAMILIES, exact=True).click()
    await page.get_by_role("link", name=span).click()


async def test_the_narrative_is_four_full_width_sections_that_save_in_place(page):
    await sign_in(page, "coordinator")
    await open_period(page, "01.04.2026–30.06.2026")
    form = page.locator("form.narrative")
    form_box = await form.bounding_box()
    for label in ("Īstenotās darbības", "Rezultāti", "Problēmas un riski", "Turpmākie soļi"):
        area = form.get_by_label(label)
        box = await area.bounding_box()
        assert abs(box["width"] - form_box["width"]) <= 2, label  # full width, one per row
        label_box = await form.get_by_text(label, exact=True).bounding_box()
        assert label_box["y"] + label_box["height"] <= box["y"]  # the label is above
    assert form_box["width"] >= 0.9 * (await page.locator("#report").bounding_box())["width"]
    activities = form.get_by_label("Īstenotās darbības")
    font = await activities.evaluate("area => getComputedStyle(area).fontFamily")
    assert "mono" not in font.lower()
    empty_height = (await activities.bounding_box())["height"]
    text = "\n".join(f"{n}. nodarbība ar vecākiem" for n in range(1, 13))
    await activities.fill(text)
    assert (await activities.bounding_box())["height"] > empty_height + 100  # grew with it
    await form.get_by_role("button", name="Saglabāt aprakstu").click()
    status = page.locator("form.narrative [role=status]")
    await expect(status).to_have_text(re.compile(r"Saglabāts plkst\. \d{2}:\d{2}"))
    await expect(page.locator("form.narrative").get_by_label("Īstenotās darbības")).to_have_value(
        text
    )
    await page.reload()
    await expect(page.locator("form.narrative").get_by_label("Īstenotās darbības")).to_have_value(
        text
    )
    await expect(page.locator("form.narrative [role=status]")).to_contain_text(
        "Pēdējoreiz saglabāts"
    )


async def test_leaving_with_unsaved_narrative_asks_first(page):
    await sign_in(page, "coordinator")
    await open_period(page, "01.07.2026–30.09.2026")
    area = page.locator("form.narrative").get_by_label("Rezultāti")
    await area.fill("Vēl nesaglabāts teksts")
    asked = []

    async def answer(dialog):
        asked.append(dialog.type)
        await dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    await page.get_by_role("link", name="Portfelis").first.click()
    await expect(area).to_have_value("Vēl nesaglabāts teksts")
    assert asked == ["beforeunload"]
    await page.locator("form.narrative").get_by_role("button", name="Saglabāt aprakstu").click()
    await expect(page.locator("form.narrative [role=status]")).to_contain_text("Saglabāts")
    await page.get_by_role("link", name="Portfelis").first.click()
    await expect(page.get_by_role("heading", name="Portfelis")).to_be_visible()
    assert asked == ["beforeunload"]  # saved: no question the second time


async def test_submitting_shows_the_checklist_first_then_submits(page):
    await sign_in(page, "coordinator")
    await open_period(page, "01.01.2026–31.03.2026")
    await page.get_by_role("button", name="Iesniegt…").click()
    panel = page.locator(".submit-check")
    await expect(panel.get_by_role("heading")).to_have_text(
        "Iesniegt 1. periodu (01.01.2026–31.03.2026)?"
    )
    checklist = panel.locator("ul.checklist")
    await expect(checklist).to_contain_text("Nav aizpildītas apraksta sadaļas")
    await expect(checklist).to_contain_text("Termiņš 20.04.2026 ir pagājis")
    await expect(page.locator(".period-actions")).to_contain_text("Melnraksts")  # not yet
    await panel.get_by_role("button", name="Iesniegt pārskatu").click()
    await expect(page.locator(".period-actions")).to_contain_text("Iesniegts")
    row = page.locator("table.periods tbody tr").first
    await expect(row).to_contain_text("pēc termiņa")
    await expect(page.locator(".submit-check")).to_have_count(0)
