"""Real browser flows in Debian's Chromium against `grants serve`; the `server` and `page`
fixtures come from `tests.browser`."""

import pytest
from playwright.async_api import Page, expect

from tests.browser import chromium_path, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed"),
]


async def test_sign_in_shows_the_portfolio_in_latvian(page):
    await page.goto("/")
    await expect(page).to_have_url("/login?next=/")
    await page.get_by_label("E-pasts").fill("admin@tukums.demo")
    await page.get_by_label("Parole").fill("wrong-password")
    await page.get_by_role("button", name="Pieslēgties").click()
    await expect(page.get_by_role("alert")).to_have_text("Nepareizs e-pasts vai parole.")
    await sign_in(page, "admin")
    footer = page.locator("tfoot")
    await expect(footer).to_contain_text("501 673,94 €")  # our projects, partners at our share
    await page.get_by_role("link", name="4.4.1.1./2/004").click()
    await expect(page.locator("ul.checks")).to_contain_text("sakrīt")


async def project_page(page: Page, code: str) -> None:
    await page.goto("/")
    await page.get_by_role("link", name=code, exact=True).click()


async def test_coordinator_logs_an_indicator_value_with_a_breakdown(page):
    await sign_in(page, "coordinator")
    await project_page(page, "4.4.1.1./2/004")
    await page.get_by_text("Pievienot rādītāju").click()
    form = page.locator("details.add-indicator form")
    await form.get_by_label("Kods").fill("P9")
    await form.get_by_label("Nosaukums (latviski)").fill("Konsultācijās iesaistītie vecāki")
    await form.get_by_label("Mērvienība").fill("personas")
    await form.get_by_label("Plānotā vērtība", exact=True).fill("48")
    await form.get_by_label("Dzimums").check()
    await form.get_by_role("button", name="Pievienot").click()
    row = page.locator("tbody.indicator", has_text="P9")
    await row.get_by_text("Ievadīt šī perioda vērtību").click()
    await row.get_by_label("Vērtība šajā periodā").fill("5")
    await row.get_by_label("Sievietes").fill("3")
    await row.get_by_label("Vīrieši").fill("1")
    await row.get_by_role("button", name="Saglabāt").click()
    row = page.locator("tbody.indicator", has_text="P9")  # swapped in place by HTMX
    await expect(row).to_contain_text("saglabāts")
    await expect(row).to_contain_text("10,4 %")  # 5 of 48 persons
    await expect(row).to_contain_text("Dzimums: sadalījums nepilnīgs (1)")


async def record_invoice(page: Page, date: str, amount: str, number: str, eligible: str = ""):
    form = page.locator("#expenditures form")
    await form.get_by_label("Rēķina datums").fill(date)
    await form.locator("input[name=amount]").fill(amount)
    await form.get_by_label("Attiecināmā daļa").fill(eligible)
    await form.get_by_label("Izmaksu kategorija").select_option("external_services")
    await form.get_by_label("Piegādātājs").fill("SIA Mācības")
    await form.get_by_label("Rēķina numurs").fill(number)
    await form.get_by_role("button", name="Reģistrēt").click()


async def test_finance_records_an_invoice_in_latvian_format_and_sees_the_split(page):
    await sign_in(page, "finance")
    await project_page(page, "4.4.1.1./2/004")
    await page.get_by_role("link", name="Izdevumi").click()
    await record_invoice(page, "15.11.2026", "1 234,50", "MA-17", eligible="1 000,00")
    # to date, with the demo's invoices: 102 335,70 eligible less the 312,40 its paid claim
    # had deducted (grants.seed.claims), + 1 000,00 = 103 023,30
    split = page.locator("table.split")
    await expect(split).to_contain_text("87 569,81 €")  # × 85 %, half-up
    await expect(split).to_contain_text("15 453,49 €")  # the rest
    await expect(split).to_contain_text("546,90 €")  # 234,50 + 312,40 to the municipality
    await expect(page.locator("table.expenditures")).to_contain_text("MA-17")
    await record_invoice(page, "16.11.2026", "6 492.5.00", "MA-18")  # mangled: refused
    await expect(page.get_by_role("alert")).to_contain_text("vairāk nekā vienu decimālatdalītāju")
    amount = page.locator("#expenditures form input[name=amount]")
    await expect(amount).to_have_value("6 492.5.00")
    await expect(page.locator("table.expenditures")).not_to_contain_text("MA-18")


async def test_approved_period_refuses_later_edits(page):
    await sign_in(page, "admin")
    await project_page(page, "4.4.1.1./2/004")
    await page.get_by_role("link", name="01.01.2026–31.03.2026").click()
    await page.get_by_role("button", name="Iesniegt…").click()  # the checklist first
    await page.get_by_role("button", name="Iesniegt pārskatu").click()
    await page.get_by_role("button", name="Apstiprināt").click()
    await expect(page.locator(".period-actions")).to_contain_text("Apstiprināts")
    await expect(page.locator("tbody.indicator summary")).to_have_count(0)  # nothing to edit
    await page.get_by_role("link", name="Izdevumi").click()
    await record_invoice(page, "10.02.2026", "10,00", "B-1")
    await expect(page.get_by_role("alert")).to_contain_text(
        "Periods 01.01.2026–31.03.2026 ir apstiprināts un slēgts."
    )
