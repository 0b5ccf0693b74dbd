"""The co-financing page and API add up the expenditures in SQL: a fixed, small number of
statements whatever the number of invoices, and the very figures the invoices add up to."""

from collections import defaultdict
from datetime import date

from grants.core.vocabulary import RecordState, Role
from grants.finance.budget import category_report
from grants.finance.cofinancing import cofinancing, declared_bases
from grants.finance.expenditures import declared_expenditures, declared_sums, in_period
from grants.tables.expenditures import Expenditure
from grants.tables.projects import Partner
from tests.builders import declare
from tests.helpers import api_headers, count_queries, period_at, principal, sign_in

# The co-financing page: the session, the user with their memberships (2); the project, its funding
# lines and partners (read once) (3); its periods, the project being known (1); the declared
# sums, read once for the split and the categories (1); the contract version in force at the
# period's end, read once for both (1); the measure's rounding and the budget lines (2); the
# cost categories' names, with the measure as a sub-select (1); the project's simplified
# costs: the option and whether a service carries one (1).
PAGE_STATEMENTS = 12
# The API: the token, the user with their memberships (2); the project, without its indicators (3);
# its periods (2); the declared sums (1).
API_STATEMENTS = 8


async def test_the_page_and_the_api_do_not_read_more_for_more_invoices(
    client, families, page_cache_off, monkeypatch
):
    project = families
    await sign_in(client, Role.FINANCE)
    headers = await api_headers(Role.FINANCE)
    page, api = f"/projects/{project}/cofinancing", f"/api/v1/projects/{project}/cofinancing"
    await client.get(api, headers=headers)  # a token's first use is recorded, once
    queries = count_queries(monkeypatch)
    counted = []
    for invoices in (1, 300):
        await declare(project, date(2026, 2, 1), 1001, 900, count=invoices)
        queries.clear()
        assert (await client.get(page)).status_code == 200
        on_page = len(queries)
        queries.clear()
        response = await client.get(api, headers=headers)
        assert response.status_code == 200
        counted.append((on_page, len(queries), response.json()["to_date"]["amount"]))
    assert counted == [
        (PAGE_STATEMENTS, API_STATEMENTS, "10.01"),
        (PAGE_STATEMENTS, API_STATEMENTS, "3013.01"),  # 301 × 10,01
    ]


async def test_the_sums_count_exactly_what_the_invoices_do(connectingen):
    """Half-yearly periods that cross the new year, partners, categories, an invoice before
    the first period and one after the chosen one, a cancelled one: the sums split and add up
    to the same cents as the invoices they replace."""
    project = connectingen
    partners = [
        row["id"] for row in await Partner.select(Partner.id).where(Partner.project == project)
    ]
    await declare(project, date(2025, 3, 31), 500)  # before the project's first period
    await declare(project, date(2025, 12, 31), 333, 300, count=3, partner=partners[0], vat=57)
    await declare(project, date(2026, 1, 2), 101, category="staff", partner=partners[-1])
    await declare(project, date(2026, 3, 31), 7, 3, count=11, category="equipment")
    await declare(project, date(2026, 4, 1), 999, vat=173)  # the next period
    await declare(project, date(2026, 2, 2), 10_000)
    await Expenditure.update({Expenditure.state: RecordState.CANCELLED}).where(
        (Expenditure.project == project) & (Expenditure.amount == 10_000)
    )
    finance = await principal(Role.FINANCE)
    for period_id in (None, await period_at(project, date(2026, 1, 15))):
        rows = await declared_expenditures(finance, project, period_id)
        sums = await declared_sums(finance, project, period_id)
        assert sums.period == rows.period and sums.periods == rows.periods
        for of_rows, of_sums in (
            (rows.this_period, sums.this_period),
            (rows.to_date, sums.to_date),
        ):
            assert declared_bases(of_sums) == declared_bases(of_rows)
            assert [sum(getattr(x, f) for x in of_sums) for f in ("amount", "vat")] == [
                sum(getattr(x, f) for x in of_rows) for f in ("amount", "vat")
            ]
            assert _by_category_and_year(of_sums) == _by_category_and_year(of_rows, dated=True)
        for period in rows.periods:
            in_it = [r for r in rows.to_date if in_period(period, r.spent_on)]
            summed = [s for s in sums.to_date if s.period_id == period.id]
            assert declared_bases(summed) == declared_bases(in_it)
        split = await cofinancing(finance, project, period_id, declared=sums)
        assert split == await cofinancing(finance, project, period_id)
        report = await category_report(finance, project, period_id, declared=sums)
        assert report == await category_report(finance, project, period_id)

    everything = await cofinancing(finance, project)
    assert (everything.to_date.amount, everything.to_date.vat) == (
        500 + 999 + 101 + 77 + 999,
        171 + 173,
    )


def _by_category_and_year(items, *, dated: bool = False) -> dict:
    amounts: dict = defaultdict(int)
    for item in items:
        amounts[item.category, item.spent_on.year if dated else item.year] += item.eligible_amount
    return dict(amounts)
