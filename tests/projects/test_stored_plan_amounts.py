"""The funding lines' stored amounts (issue 12): the app keeps each equal to the computed plan
after every change it depends on, so lists sum and sort EU shares without computing a plan."""

from grants.core.vocabulary import FundingBase, ProjectStatus, Role
from grants.projects import editing, reading
from grants.projects.editing import (
    FundingLineInput,
    ProjectInput,
    store_plan_amounts,
    update_project,
)
from grants.projects.reading import get_project, list_projects
from grants.tables.funding import FundingLine
from grants.tables.projects import Partner
from tests import builders
from tests.builders import BUILDER, partner_project
from tests.helpers import api_headers, count_queries, principal, sign_in


async def stored_and_computed(pid: int) -> tuple[dict[int, int | None], dict[int, int | None]]:
    """The stored amount of each of the project's lines, and the amount its plan computes."""
    rows = await FundingLine.select(FundingLine.id, FundingLine.amount).where(
        FundingLine.project == pid
    )
    plan = (await get_project(BUILDER, pid)).plan
    return {r["id"]: r["amount"] for r in rows}, {ln.id: ln.amount for ln in plan.lines}


async def test_stored_amounts_follow_plan_cost_and_budget_changes(database):
    # FAMILIES: ESF+ 85 % of 296 578,43 = 252 091,67; approved, so its figures change directly
    pid = await builders.project(status=ProjectStatus.APPROVED)
    stored, computed = await stored_and_computed(pid)
    assert stored == computed and sorted(stored.values()) == [4_448_676, 7_263_600, 25_209_167]

    # a plan edit: the rates change, so do the amounts
    plan = [
        FundingLineInput("ESF+", rate="80"),
        FundingLineInput("Valsts budžets", rate="20", residual=True),
        FundingLineInput("Pašvaldība", rate="100", base=FundingBase.INELIGIBLE, residual=True),
    ]
    await update_project(BUILDER, pid, ProjectInput(funding=plan))
    stored, computed = await stored_and_computed(pid)
    assert stored == computed and 23_726_274 in stored.values()  # 80 % of 296 578,43

    # a cost edit with the plan as it was: eligible and ineligible bases change
    await update_project(BUILDER, pid, ProjectInput(eligible_cost="300 000,00"))
    stored, computed = await stored_and_computed(pid)
    assert stored == computed
    assert sorted(stored.values()) == [6_000_000, 6_921_443, 24_000_000]

    # the total alone: the ineligible base is the difference
    await update_project(BUILDER, pid, ProjectInput(total_cost="400 000,00"))
    stored, computed = await stored_and_computed(pid)
    assert stored == computed
    assert sorted(stored.values()) == [6_000_000, 10_000_000, 24_000_000]


async def test_stored_amounts_follow_a_partner_budget(database):
    pid = await partner_project()  # ERAF 80 % of our 48 355,00 = 38 684,00
    stored, computed = await stored_and_computed(pid)
    assert stored == computed and sorted(stored.values()) == [967_100, 3_868_400]

    await Partner.update({Partner.budget: 5_000_000}).where(Partner.budget == 4_835_500)
    await store_plan_amounts([pid])
    stored, computed = await stored_and_computed(pid)
    assert stored == computed and sorted(stored.values()) == [1_000_000, 4_000_000]
    (summary,) = await list_projects(BUILDER)
    assert (summary.our_share, summary.our_eu_share) == (5_000_000, 4_000_000)


async def test_the_demo_stores_every_computed_amount(demo):
    ids = [p.id for p in await list_projects(BUILDER)]
    for pid in ids:
        stored, computed = await stored_and_computed(pid)
        assert stored == computed, pid


async def test_store_plan_amounts_writes_only_what_differs(database, monkeypatch):
    pid = await builders.project()
    queries = count_queries(monkeypatch)
    await store_plan_amounts([pid])
    assert not any("UPDATE" in str(q) for q in queries)


async def test_the_portfolio_computes_no_plan_and_no_more_statements_for_more_projects(
    database, client, page_cache_off, monkeypatch
):
    computed: list[int] = []

    def counting(lines, **kwargs):
        computed.append(len(lines))
        return original(lines, **kwargs)

    original = reading.compute_plan

    async def visit() -> tuple[int, int]:
        """Statements and plan computations of the portfolio page and the API list."""
        computed.clear()
        queries = count_queries(monkeypatch)
        monkeypatch.setattr(reading, "compute_plan", counting)
        monkeypatch.setattr(editing, "compute_plan", counting)
        for url in ("/", "/?sort=eu&dir=desc", "/api/v1/projects"):
            extra = {"headers": headers} if url.startswith("/api/") else {}
            assert (await client.get(url, **extra)).status_code == 200
        monkeypatch.undo()
        return len(queries), len(computed)

    await builders.project()
    await partner_project()
    await builders.user(Role.ADMIN)
    headers = await api_headers(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    await visit()  # the first request fills what is cached once
    few = await visit()
    for number in range(12):
        await builders.project(f"4.4.1.1./2/{200 + number:03d}")
    many = await visit()
    assert few == many and few[1] == 0
    admin = await principal(Role.ADMIN)
    assert len(await list_projects(admin)) == 14
