"""Entering the budget by cost category and year: amounts typed, flat rates computed from their
base the measure's way; every refusal lists its problems and writes nothing; one audit event."""

import pytest

from grants.accounts.users import create_token
from grants.core.access import AccessDenied
from grants.core.errors import Refused
from grants.core.vocabulary import ProjectStatus, Role
from grants.finance.budget import BudgetLineInput, project_budget, set_budget
from grants.tables.audit import AuditEvent
from grants.tables.funding import BudgetLine
from grants.tables.programmes import MeasureCostCategory
from grants.tables.projects import Project
from tests.builders import outsider
from tests.helpers import api_headers, eur, post, principal, sign_in

# `families` runs 2026–2027; `connectingen` 2025–2027 under a measure that truncates flat rates


async def add_indirect(project: int) -> None:
    """Indirect costs are a category of the project's measure, not one of the standard six."""
    measure = (await Project.select(Project.measure).where(Project.id == project).first())[
        "measure"
    ]
    await MeasureCostCategory.insert(
        MeasureCostCategory(
            measure=measure, code="indirect", name_lv="Netiešās izmaksas", name_en="Indirect costs"
        )
    )


def budget_json(year: int, staff: str, external: str) -> list[dict]:
    """Staff and external services typed; office 15 % of staff; indirect 7 % of direct costs."""
    return [
        {"category": "staff", "year": year, "amount": staff},
        {"category": "external_services", "year": str(year), "amount": external},
        {"category": "office_admin", "year": year, "flat_rate": "15", "flat_rate_base": ["staff"]},
        {"category": "indirect", "year": year, "flat_rate": "7", "flat_rate_base": "direct"},
    ]


def lines(*rows: dict) -> list[BudgetLineInput]:
    return [BudgetLineInput(**row) for row in rows]


def line(category: str, year: str = "2026", **rest) -> dict:
    return {"category": category, "year": year, **rest}


async def stored(project: int) -> list[tuple]:
    rows = await (
        BudgetLine.select(
            BudgetLine.category,
            BudgetLine.year,
            BudgetLine.amount,
            BudgetLine.flat_rate_bp,
            BudgetLine.flat_rate_base,
        )
        .where(BudgetLine.project == project)
        .order_by(BudgetLine.id)
    )
    return [tuple(row.values()) for row in rows]


async def budget_events(project: int) -> list[dict]:
    return await (
        AuditEvent.select()
        .where((AuditEvent.entity == "budget") & (AuditEvent.entity_id == project))
        .order_by(AuditEvent.id)
        .output(load_json=True)
    )


def planned(response) -> list[tuple]:
    return [(c["category"], c["flat_rate"], c["planned"]) for c in response.json()]


# Through the API


async def test_finance_puts_the_budget_and_flat_rates_are_computed(families, client):
    pid = families
    await add_indirect(pid)
    headers = await api_headers(Role.FINANCE)
    url = f"/api/v1/projects/{pid}/budget"
    response = await client.put(
        url, json=budget_json(2026, "100 000,00", "50 000,00"), headers=headers
    )
    assert response.status_code == 200, response.text
    expected = [
        ("staff", None, "100000.00"),
        ("office_admin", "15.00", "15000.00"),  # 15 % of staff
        ("external_services", None, "50000.00"),
        ("indirect", "7.00", "10500.00"),  # 7 % of 150 000,00 direct costs
    ]
    assert planned(response) == expected
    assert response.json()[0] == {
        "category": "staff",
        "flat_rate": None,
        "planned": "100000.00",
        "this_period": "0.00",
        "to_date": "0.00",
        "remaining": "100000.00",
        "absorption": "0.0",
    }
    assert planned(await client.get(url, headers=headers)) == expected
    assert await stored(pid) == [  # flat-rate lines keep their rule, never an amount
        ("staff", 2026, 10_000_000, None, ""),
        ("office_admin", 2026, None, 1500, "staff"),
        ("external_services", 2026, 5_000_000, None, ""),
        ("indirect", 2026, None, 700, "direct"),
    ]
    budget = await project_budget(await principal(Role.VIEWER), pid)
    assert budget.years == [2026]
    assert budget.year_totals == {2026: 17_550_000} and budget.total == 17_550_000


async def test_connectingen_truncates_flat_rates_as_jems_does(connectingen, client):
    pid = connectingen  # 01.04.2025–31.03.2027, Interreg: rounding "down"
    await add_indirect(pid)
    response = await client.put(
        f"/api/v1/projects/{pid}/budget",
        json=budget_json(2025, "100 000,05", "50 000,05"),
        headers=await api_headers(Role.FINANCE),
    )
    assert response.status_code == 200, response.text
    assert planned(response) == [
        ("staff", None, "100000.05"),
        ("office_admin", "15.00", "15000.00"),  # 15 000,0075: half-up would give 15 000,01
        ("external_services", None, "50000.05"),
        ("indirect", "7.00", "10500.00"),  # 150 000,10 × 7 % = 10 500,007: half-up 10 500,01
    ]


async def test_a_put_replaces_the_whole_budget(families, client):
    pid = families
    no_contract = {Project.status: ProjectStatus.APPROVED}  # so its budget changes directly
    await Project.update(no_contract).where(Project.id == pid)
    headers = await api_headers(Role.FINANCE)
    url = f"/api/v1/projects/{pid}/budget"
    first = [line("staff", "2026", amount="1 000,00"), line("travel", "2027", amount="200")]
    assert (await client.put(url, json=first, headers=headers)).status_code == 200
    second = [line("staff", 2027, amount="3 000,00")]
    assert planned(await client.put(url, json=second, headers=headers)) == [
        ("staff", None, "3000.00")
    ]
    assert await stored(pid) == [("staff", 2027, 300_000, None, "")]
    assert planned(await client.put(url, json=[], headers=headers)) == []
    assert await stored(pid) == []


async def test_a_refused_put_lists_every_problem_and_writes_nothing(families, client):
    pid = families
    headers = await api_headers(Role.FINANCE)
    url = f"/api/v1/projects/{pid}/budget"
    await client.put(url, json=[line("staff", amount="1 000,00")], headers=headers)
    before, events = await stored(pid), await AuditEvent.count()
    bad = [
        line("catering", amount="1 000,00"),
        line("staff", "2030", amount="6 492.5.00"),
        line("office_admin", flat_rate="15"),
    ]
    response = await client.put(url, json=bad, headers=headers)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [
        "lines[0].category",
        "lines[1].year",
        "lines[1].amount",
        "lines[2].flat_rate_base",
    ]
    assert "nav šī projekta izmaksu kategorija" in response.json()["detail"]  # Latvian
    assert await stored(pid) == before and await AuditEvent.count() == events


async def test_who_may_put_the_budget(families, client):
    pid = families
    url = f"/api/v1/projects/{pid}/budget"
    body = [line("staff", amount="1 000,00")]
    for role in (Role.COORDINATOR, Role.VIEWER, Role.AUDITOR):
        response = await client.put(url, json=body, headers=await api_headers(role))
        assert response.status_code == 403, role
    assert await stored(pid) == []
    other = {"Authorization": f"Bearer {await create_token((await outsider()).email)}"}
    assert (await client.put(url, json=body, headers=other)).status_code == 403
    for role in (Role.FINANCE, Role.ADMIN):
        response = await client.put(url, json=body, headers=await api_headers(role))
        assert response.status_code == 200, role
    missing = await client.put(
        "/api/v1/projects/999999/budget", json=body, headers=await api_headers(Role.ADMIN)
    )
    assert missing.status_code == 404


# The rules, in the domain


REFUSALS = {
    "unknown category": ([line("catering", amount="1,00")], ["lines[0].category"]),
    "no category": ([line("", amount="1,00")], ["lines[0].category"]),
    "no year": ([line("staff", "", amount="1,00")], ["lines[0].year"]),
    "two-digit year": ([line("staff", "26", amount="1,00")], ["lines[0].year"]),
    "not a year": ([line("staff", "2026.", amount="1,00")], ["lines[0].year"]),
    "before the project": ([line("staff", "2025", amount="1,00")], ["lines[0].year"]),
    "after the project": ([line("staff", "2028", amount="1,00")], ["lines[0].year"]),
    "neither amount nor rate": ([line("staff")], ["lines[0].amount"]),
    "amount and rate": (
        [line("travel", amount="1,00", flat_rate="15", flat_rate_base="staff")],
        ["lines[0].flat_rate"],
    ),
    "negative amount": ([line("staff", amount="-5,00")], ["lines[0].amount"]),
    "malformed amount": ([line("staff", amount="6 492.5.00")], ["lines[0].amount"]),
    "rate above 100": (
        [line("travel", flat_rate="150", flat_rate_base="staff")],
        ["lines[0].flat_rate"],
    ),
    "flat rate without base": ([line("travel", flat_rate="15")], ["lines[0].flat_rate_base"]),
    "base of unknown category": (
        [line("travel", flat_rate="15", flat_rate_base="staff, catering")],
        ["lines[0].flat_rate_base"],
    ),
    "base naming itself": (
        [line("travel", flat_rate="15", flat_rate_base="staff,travel")],
        ["lines[0].flat_rate_base"],
    ),
    "base without flat rate": (
        [line("staff", amount="1,00", flat_rate_base="travel")],
        ["lines[0].flat_rate_base"],
    ),
    "two lines for one category and year": (
        [line("staff", amount="1,00"), line("staff", amount="2,00")],
        ["lines[1].year"],
    ),
    "amounts and a flat rate in one category": (
        [
            line("staff", "2026", amount="1,00"),
            line("staff", "2027", flat_rate="20", flat_rate_base="travel"),
        ],
        ["lines[1].flat_rate"],
    ),
    "a flat rate that differs between years": (
        [
            line("office_admin", "2026", flat_rate="15", flat_rate_base="staff"),
            line("office_admin", "2027", flat_rate="7", flat_rate_base="staff"),
        ],
        ["lines[1].flat_rate"],
    ),
    "a flat-rate loop": (
        [
            line("external_services", amount="100,00"),
            line("staff", flat_rate="20", flat_rate_base="office_admin"),
            line("office_admin", flat_rate="15", flat_rate_base="staff"),
            line("travel", flat_rate="15", flat_rate_base="staff"),  # not in the loop itself
        ],
        ["lines[1].flat_rate_base", "lines[2].flat_rate_base"],
    ),
}


@pytest.mark.parametrize("typed, fields", REFUSALS.values(), ids=REFUSALS.keys())
async def test_refused_budgets_write_nothing(families, typed, fields):
    finance = await principal(Role.FINANCE)
    pid = families
    await set_budget(finance, pid, lines(line("staff", amount="1 000,00")))
    before, events = await stored(pid), await AuditEvent.count()
    with pytest.raises(Refused) as refused:
        await set_budget(finance, pid, lines(*typed))
    assert [p.field for p in refused.value.problems] == fields
    assert await stored(pid) == before and await AuditEvent.count() == events


async def test_every_problem_at_once_in_words_a_person_can_act_on(families):
    pid = families
    typed = [
        line("catering", "26", amount="-5,00"),
        line("travel", "2026", flat_rate="15"),
        line("staff", "2028", amount="1,00", flat_rate="5"),
    ]
    with pytest.raises(Refused) as refused:
        await set_budget(await principal(Role.FINANCE), pid, lines(*typed))
    assert [(p.field, p.english()) for p in refused.value.problems] == [
        ("lines[0].category", "“catering” is not a cost category of this project."),
        ("lines[0].year", "“26” is not a year: write four digits, e.g. 2026."),
        ("lines[0].amount", "“-5,00” is negative; a negative amount is not allowed here."),
        (
            "lines[1].flat_rate_base",
            "Give the base of the flat rate: the cost categories it is a share of, or “direct”.",
        ),
        ("lines[2].year", "The year 2028 is outside the project's years 2026–2027."),
        ("lines[2].flat_rate", "Give a rate or a fixed amount, not both."),
    ]


async def test_a_base_is_the_same_base_whatever_the_order_typed(families):
    finance = await principal(Role.FINANCE)
    pid = families
    typed = [
        line("staff", "2026", amount="1 000,00"),
        line("staff", "2027", amount="1 000,00"),
        line("travel", "2026", amount="100,00"),
        line("office_admin", "2026", flat_rate="15", flat_rate_base="travel, staff"),
        line("office_admin", "2027", flat_rate="15,00", flat_rate_base="staff,travel,staff"),
        line("equipment", "2027", flat_rate="2", flat_rate_base="Direct"),
    ]
    await set_budget(finance, pid, lines(*typed))
    assert [row for row in await stored(pid) if row[0] != "staff" and row[0] != "travel"] == [
        ("office_admin", 2026, None, 1500, "staff,travel"),
        ("office_admin", 2027, None, 1500, "staff,travel"),
        ("equipment", 2027, None, 200, "direct"),
    ]
    budget = await project_budget(finance, pid)
    office = next(c for c in budget.categories if c.category == "office_admin")
    assert office.by_year == {2026: 16_500, 2027: 15_000} and office.total == 31_500


async def test_one_audit_event_with_the_budget_before_and_after(families):
    finance = await principal(Role.FINANCE)
    pid = families
    no_contract = {Project.status: ProjectStatus.APPROVED}  # so its budget changes directly
    await Project.update(no_contract).where(Project.id == pid)
    await set_budget(finance, pid, lines(line("staff", amount="1 000,00")))
    await set_budget(
        finance,
        pid,
        lines(
            line("staff", "2027", amount="1 234,50"),
            line("office_admin", "2027", flat_rate="15", flat_rate_base="staff"),
        ),
    )
    await set_budget(  # the same again: nothing changes, nothing recorded
        finance,
        pid,
        lines(
            line("office_admin", "2027", flat_rate="15,00", flat_rate_base=" staff "),
            line("staff", "2027", amount="1234.50"),
        ),
    )
    events = await budget_events(pid)
    assert len(events) == 2
    first, second = events
    assert (first["actor"], first["action"], first["project"]) == (
        "finance@tukums.demo",
        "update",
        pid,
    )
    assert first["before"] == []
    assert (
        second["before"]
        == first["after"]
        == [
            {
                "category": "staff",
                "year": 2026,
                "amount": "1000.00",
                "flat_rate": None,
                "flat_rate_base": [],
            }
        ]
    )
    assert second["after"] == [
        {
            "category": "staff",
            "year": 2027,
            "amount": "1234.50",
            "flat_rate": None,
            "flat_rate_base": [],
        },
        {
            "category": "office_admin",
            "year": 2027,
            "amount": None,
            "flat_rate": "15.00",
            "flat_rate_base": ["staff"],
        },
    ]


async def test_only_admins_and_the_projects_finance_staff_may_set_the_budget(families):
    pid = families
    typed = lines(line("staff", amount="1,00"))
    for role in (Role.COORDINATOR, Role.VIEWER, Role.AUDITOR):
        with pytest.raises(AccessDenied):
            await set_budget(await principal(role), pid, typed)
    elsewhere = (await outsider(Role.FINANCE)).principal
    with pytest.raises(AccessDenied):
        await set_budget(elsewhere, pid, typed)
    assert await stored(pid) == [] and await budget_events(pid) == []
    await set_budget(await principal(Role.ADMIN), pid, typed)
    assert await stored(pid) == [("staff", 2026, 100, None, "")]


# The page (BudgetPages)


def form(*rows: dict, empty: int = 4) -> dict:
    data = {"line_rows": str(len(rows) + empty)}
    for i, row in enumerate(rows):
        data |= {f"lines-{i}-{k}": v for k, v in row.items()}
    return data


async def test_finance_enters_the_budget_on_the_page(families, client):
    pid = families
    no_contract = {Project.status: ProjectStatus.APPROVED}  # so its budget changes directly
    await Project.update(no_contract).where(Project.id == pid)
    await add_indirect(pid)
    await sign_in(client, Role.FINANCE)
    page = await client.get(f"/projects/{pid}/budget")
    assert page.status_code == 200
    assert 'name="lines-0-category"' in page.text  # no lines yet: one empty row
    assert 'name="lines-1-category"' not in page.text
    saved = await post(
        client,
        f"/projects/{pid}/budget",
        form(
            line("staff", amount="100 000,00"),
            line("staff", "2027", amount="20 000,00"),
            line("external_services", amount="50 000,00"),
            line("office_admin", flat_rate="15", flat_rate_base="staff"),
            line("office_admin", "2027", flat_rate="15", flat_rate_base="staff"),
            line("indirect", flat_rate="7", flat_rate_base="direct"),
        ),
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/projects/{pid}/budget"
    page = (await client.get(f"/projects/{pid}/budget")).text
    for amount in ("100 000,00", "15 000,00", "50 000,00", "10 500,00", "3 000,00"):
        assert eur(amount) in page, amount
    assert eur("175 500,00") in page  # 2026 together
    assert eur("198 500,00") in page  # the whole budget
    assert "15,00\u00a0%" in page and "Netiešās izmaksas" in page
    assert 'name="lines-6-category"' in page  # six lines and one empty row
    assert 'name="lines-7-category"' not in page
    assert 'value="100\u00a0000,00"' in page and 'value="15,00"' in page


async def test_a_refused_budget_form_keeps_what_was_typed(families, client):
    pid = families
    await sign_in(client, Role.FINANCE)
    typed = form(
        line("staff", amount="6 492.5.00"),
        {"category": "", "year": "", "amount": "", "flat_rate": "", "flat_rate_base": ""},
        line("travel", "2026"),
    )
    response = await post(client, f"/projects/{pid}/budget", typed)
    assert response.status_code == 400
    assert 'value="6 492.5.00"' in response.text
    assert "vairāk nekā vienu decimālatdalītāju" in response.text
    assert "Norādiet likmi vai fiksētu summu." in response.text
    assert 'id="lines-1-amount-error"' in response.text  # the empty row was left out
    assert 'name="lines-2-category"' in response.text  # two rows typed, one empty
    assert 'name="lines-3-category"' not in response.text
    assert await stored(pid) == []


async def test_readers_see_the_budget_but_no_form(families, client):
    pid = families
    await set_budget(await principal(Role.FINANCE), pid, lines(line("staff", amount="1 000,00")))
    for role in (Role.VIEWER, Role.COORDINATOR):
        client.cookies.clear()
        await sign_in(client, role)
        page = await client.get(f"/projects/{pid}/budget")
        assert page.status_code == 200 and eur("1 000,00") in page.text
        assert 'name="lines-0-category"' not in page.text
        refused = await post(client, f"/projects/{pid}/budget", form(line("staff", amount="1")))
        assert refused.status_code == 403
    assert await stored(pid) == [("staff", 2026, 100_000, None, "")]
