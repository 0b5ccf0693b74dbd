"""Entering the budget the way a new user does: categories by the names shown (any case, with or
without diacritics) as well as by code, the flat-rate base ticked on the page, rows added on
demand; and warnings, never refusals, where the budget and the eligible costs or a category's
declared costs do not match."""

from datetime import date

from grants.accounts.users import create_token
from grants.core.vocabulary import ProjectStatus, Role
from grants.finance.budget import BudgetLineInput, budget_warnings, set_budget
from grants.tables.audit import AuditEvent
from grants.tables.funding import BudgetLine
from grants.tables.projects import Project
from tests.builders import declare, outsider
from tests.helpers import api_headers, post, principal, sign_in

ENGLISH = {"Accept-Language": "en"}


async def stored(project: int) -> list[tuple]:
    rows = await BudgetLine.select(
        BudgetLine.category, BudgetLine.year, BudgetLine.amount, BudgetLine.flat_rate_bp,
        BudgetLine.flat_rate_base,
    ).where(BudgetLine.project == project).order_by(BudgetLine.id)  # fmt: skip
    return [tuple(row.values()) for row in rows]


async def budget_events(project: int) -> int:
    return await AuditEvent.count().where(
        (AuditEvent.entity == "budget") & (AuditEvent.entity_id == project)
    )


# Categories by their names


async def test_the_api_takes_category_names_in_either_language_any_case_and_spelling(
    families, client
):
    body = [
        {"category": "PERSONALS", "year": 2026, "amount": "100 000,00"},  # Personāls
        {"category": "Travel and accommodation", "year": 2026, "amount": "1 000,00"},
        {
            "category": "biroja un administratīvās izmaksas",
            "year": 2026,
            "flat_rate": "15",
            "flat_rate_base": ["Personāls"],
        },
        {
            "category": "ārējie pakalpojumi un ekspertīze",
            "year": 2026,
            "flat_rate": "7",
            "flat_rate_base": "Tiešās izmaksas",  # direct costs, typed as a string
        },
    ]
    response = await client.put(
        f"/api/v1/projects/{families}/budget", json=body, headers=await api_headers(Role.FINANCE)
    )
    assert response.status_code == 200, response.text
    assert await stored(families) == [
        ("staff", 2026, 10_000_000, None, ""),
        ("office_admin", 2026, None, 1500, "staff"),
        ("travel", 2026, 100_000, None, ""),
        ("external_services", 2026, None, 700, "direct"),
    ]
    planned = {c["category"]: c["planned"] for c in response.json()}
    assert planned == {  # 7 % of the direct costs 101 000,00
        "staff": "100000.00",
        "office_admin": "15000.00",
        "travel": "1000.00",
        "external_services": "7070.00",
    }


async def test_an_unknown_category_name_is_refused_naming_what_was_typed(families, client):
    headers = await api_headers(Role.FINANCE) | ENGLISH
    body = [
        {"category": "Personāls", "year": 2026, "amount": "1 000,00"},
        {
            "category": "office_admin",
            "year": 2026,
            "flat_rate": "15",
            "flat_rate_base": ["Personāls", "Komandējumi"],
        },
        {"category": "direct costs", "year": 2026, "amount": "5,00"},
    ]
    response = await client.put(f"/api/v1/projects/{families}/budget", json=body, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "lines[1].flat_rate_base",
            "message": "“Komandējumi” is not a cost category of this project.",
        },
        {
            "field": "lines[2].category",
            "message": "“direct costs” is not a cost category of this project.",
        },
    ]
    assert await stored(families) == [] and await budget_events(families) == 0


async def test_the_page_offers_the_base_as_named_categories_to_tick(families, client):
    pid = families
    no_contract = {Project.status: ProjectStatus.APPROVED}  # so its budget changes directly
    await Project.update(no_contract).where(Project.id == pid)
    await sign_in(client, Role.FINANCE)
    page = (await client.get(f"/projects/{families}/budget")).text
    tick = 'type="checkbox" name="lines-0-flat_rate_base" value="{}"> {}'
    assert tick.format("direct", "tiešās izmaksas") in page
    assert tick.format("staff", "Personāls") in page
    assert tick.format("travel", "Ceļa un uzturēšanās izmaksas") in page
    rows = {
        "lines-0-category": "staff",
        "lines-0-year": "2026",
        "lines-0-amount": "10 000,00",
        "lines-1-category": "travel",
        "lines-1-year": "2026",
        "lines-1-amount": "2 000,00",
        "lines-2-category": "office_admin",
        "lines-2-year": "2026",
        "lines-2-flat_rate": "15",
        "lines-2-flat_rate_base": ["staff", "travel"],
        "lines-3-category": "",  # the empty row
        "lines-3-year": "",
    }
    saved = await post(client, f"/projects/{families}/budget", rows)
    assert saved.status_code == 303
    assert await stored(families) == [
        ("staff", 2026, 1_000_000, None, ""),
        ("office_admin", 2026, None, 1500, "staff,travel"),
        ("travel", 2026, 200_000, None, ""),
    ]
    page = (await client.get(f"/projects/{families}/budget")).text
    assert "1\u00a0800,00\u00a0€" in page  # 15 % of 12 000,00
    assert 'name="lines-1-flat_rate_base" value="staff" checked> Personāls' in page
    assert 'name="lines-1-flat_rate_base" value="travel" checked>' in page
    assert 'name="lines-1-flat_rate_base" value="direct">' in page


async def test_adding_rows_keeps_what_was_typed_and_saves_nothing(families, client):
    await sign_in(client, Role.FINANCE)
    typed = {
        "lines-0-category": "staff",
        "lines-0-year": "2026",
        "lines-0-amount": "6 492.5.00",  # wrong, but nothing is checked before saving
        "lines-1-category": "",
        "lines-1-year": "",
        "add_rows": "1",
    }
    page = await post(client, f"/projects/{families}/budget", typed)
    assert page.status_code == 200
    assert 'value="6 492.5.00"' in page.text and 'class="field-error"' not in page.text
    assert 'name="lines-1-category"' in page.text  # the typed row and one empty row
    assert 'name="lines-2-category"' not in page.text
    assert '<h1><span class="code">' in page.text  # the whole page, without JavaScript
    rows = await post(client, f"/projects/{families}/budget", typed, headers={"HX-Request": "true"})
    assert rows.status_code == 200
    assert '<tbody id="budget-rows">' in rows.text and "<h1>" not in rows.text
    assert 'value="6 492.5.00"' in rows.text and 'name="lines-1-category"' in rows.text
    assert await stored(families) == [] and await budget_events(families) == 0


async def test_only_editors_may_add_rows(families, client):
    await sign_in(client, Role.VIEWER)
    refused = await post(client, f"/projects/{families}/budget", {"add_rows": "1"})
    assert refused.status_code == 403


# Warnings


async def test_warnings_say_by_how_much_the_budget_misses_the_eligible_costs(families, client):
    finance = await principal(Role.FINANCE)
    typed = [
        BudgetLineInput("staff", "2026", amount="100 000,00"),
        BudgetLineInput("office_admin", "2026", flat_rate="15", flat_rate_base="Personāls"),
    ]
    await set_budget(finance, families, typed)
    # 115 000,00 planned against 296 578,43 eligible
    await declare(families, date(2026, 3, 1), 10_000_010, category="staff")  # 100 000,10
    [total, staff, office] = await budget_warnings(finance, families)
    assert (total.code, total.expected, total.actual, total.difference) == (
        "total_differs", 29_657_843, 11_500_000, -18_157_843,
    )  # fmt: skip
    assert (staff.code, staff.category, staff.difference) == ("over_budget", "staff", 10)
    # 15 % of 100 000,10 = 15 000,015 → 15 000,02, two cents over 15 000,00
    assert (office.category, office.expected, office.actual) == (
        "office_admin",
        1_500_000,
        1_500_002,
    )

    url = f"/api/v1/projects/{families}/budget/warnings"
    response = await client.get(url, headers=await api_headers(Role.VIEWER) | ENGLISH)
    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "total_differs",
            "category": None,
            "expected": "296578.43",
            "actual": "115000.00",
            "difference": "-181578.43",
            "message": "The budget total €115,000.00 differs from the project's eligible "
            "costs €296,578.43 by €181,578.43.",
        },
        {
            "code": "over_budget",
            "category": "staff",
            "expected": "100000.00",
            "actual": "100000.10",
            "difference": "0.10",
            "message": "“Staff”: the eligible costs declared to date, €100,000.10, exceed its "
            "budget €100,000.00 by €0.10.",
        },
        {
            "code": "over_budget",
            "category": "office_admin",
            "expected": "15000.00",
            "actual": "15000.02",
            "difference": "0.02",
            "message": "“Office and administration”: the eligible costs declared to date, "
            "€15,000.02, exceed its budget €15,000.00 by €0.02.",
        },
    ]
    await sign_in(client, Role.VIEWER)
    page = (await client.get(f"/projects/{families}/budget")).text
    assert "181\u00a0578,43\u00a0€" in page and "“Personāls”" in page
    assert "0,02\u00a0€" in page


async def test_no_warning_for_a_budget_that_matches_or_is_not_there(families):
    finance = await principal(Role.FINANCE)
    assert await budget_warnings(finance, families) == []
    exact = [BudgetLineInput("staff", "2026", amount="296 578,43")]
    await set_budget(finance, families, exact)
    assert await budget_warnings(finance, families) == []


async def test_a_partner_budget_is_compared_with_our_partner_budget(connectingen, client):
    finance = await principal(Role.FINANCE)
    await set_budget(finance, connectingen, [BudgetLineInput("staff", "2025", amount="48 000")])
    url = f"/api/v1/projects/{connectingen}/budget/warnings"
    [warning] = (await client.get(url, headers=await api_headers(Role.FINANCE) | ENGLISH)).json()
    assert (warning["expected"], warning["actual"], warning["difference"]) == (
        "48355.00", "48000.00", "-355.00",
    )  # fmt: skip
    assert warning["message"] == (
        "The budget total €48,000.00 differs from our partner budget €48,355.00 by €355.00."
    )


async def test_warnings_are_for_readers_of_the_project(families, client):
    elsewhere = await outsider(Role.FINANCE)
    response = await client.get(
        f"/api/v1/projects/{families}/budget/warnings",
        headers={"Authorization": f"Bearer {await create_token(elsewhere.email)}"},
    )
    assert response.status_code == 403
