"""One project's pages and API calls issue as many SQL statements beside twenty more busy
projects as beside a few: nothing runs a query per project, per row or per period (issue 12;
benchmarks/pages.py prints the same counts at national scale)."""

from datetime import date

from grants.core.vocabulary import Role
from tests import builders
from tests.builders import declare, entry, indicator, participant
from tests.helpers import (
    FAMILIES,
    api_headers,
    count_queries,
    period_at,
    project_id,
    sign_in,
)

PAGES = (
    "/",
    "/projects/{id}",
    "/projects/{id}/expenditures",
    "/projects/{id}/cofinancing",
    "/projects/{id}/register",
    "/api/v1/projects",
    "/api/v1/projects/{id}/cofinancing",
)

# The project page: the session, the user with their memberships (2); the project, its funding lines
# and its partners, read once for the plan and the list (3); its periods, read once for the
# list and the indicators (1); the indicators, their milestones and current entries (3); the
# chosen period's narrative with when it was saved, and its report versions (2); the contract
# version in force at its end, for the indicators and the report (1); the claims panel:
# claim totals by kind and status, payments, approved claims awaiting payment, the current
# schedule's rows and the claims sent (5). The participant register is read only for
# indicators counted from it (none here).
PROJECT_PAGE_STATEMENTS = 17


async def busy_project(number: int) -> None:
    """A project like FAMILIES under another code, with quarterly periods, a partner, ten
    invoices in two quarters, an indicator with values in both and a participant."""
    pid = await builders.project(f"4.4.1.1./2/{100 + number:03d}")
    await builders.partner(pid, builders.SOCIAL_SERVICE, budget=1_000_000)
    await declare(pid, date(2026, 2, 10), 12_345, count=5)
    await declare(pid, date(2026, 5, 10), 200_003, 199_999, count=5, category="staff")
    counted = await indicator(pid, "EECO01")
    for month in (2, 5):
        await entry(counted.id, await period_at(pid, date(2026, month, 1)), "4")
    await participant(pid, "P-1")


async def statements(client, pid: int, monkeypatch) -> dict[str, int]:
    """Statements of each page's second request (the first fills what is cached once), with
    the page cache off: what a page costs made afresh (a kept answer is another test's,
    `test_page_cache.py`)."""
    headers = await api_headers(Role.ADMIN)
    counts = {}
    for page in PAGES:
        url = page.format(id=pid)
        extra = {"headers": headers} if url.startswith("/api/") else {}
        await client.get(url, **extra)
        queries = count_queries(monkeypatch)
        response = await client.get(url, **extra)
        monkeypatch.undo()
        assert response.status_code == 200, (url, response.status_code)
        counts[page] = len(queries)
    return counts


async def test_main_pages_issue_as_many_statements_beside_many_projects(
    small_portfolio, client, page_cache_off, monkeypatch
):
    pid = await project_id(FAMILIES)
    await builders.two_quarters(pid)
    await participant(pid, "TUK-1")
    await sign_in(client, Role.ADMIN)
    few = await statements(client, pid, monkeypatch)

    for number in range(20):
        await busy_project(number)
    many = await statements(client, pid, monkeypatch)

    assert many == few
    assert few["/projects/{id}"] == PROJECT_PAGE_STATEMENTS
