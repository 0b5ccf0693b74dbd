"""The portfolio filters, sorts and totals in SQL: the same order and sums as the summaries'
own figures (`ProjectSummary.shown_*`, `counted_as`) give when worked out in Python."""

import pytest

from grants.core.vocabulary import Role
from grants.projects.portfolio import (
    SORT_COLUMNS,
    PortfolioFilter,
    portfolio_page,
    portfolio_rows,
    portfolio_totals,
)
from grants.projects.reading import list_projects
from tests.helpers import principal

KEYS = {
    "code": lambda p: p.code,
    "title": lambda p: p.title_lv.lower(),
    "programme": lambda p: (p.programme_code, p.measure_code),
    "period": lambda p: p.start_date,
    "total": lambda p: p.shown_total,
    "eligible": lambda p: p.shown_eligible,
    "eu": lambda p: p.shown_eu_share,
    "status": lambda p: p.status.value,
}


def expected_order(summaries, sort: str, descending: bool) -> list[str]:
    """Unknown figures last either way, equal keys by code."""
    key = KEYS[sort]
    by_code = sorted(summaries, key=lambda p: p.code)
    known = sorted((p for p in by_code if key(p) is not None), key=key, reverse=descending)
    return [p.code for p in known + [p for p in by_code if key(p) is None]]


def sums(summaries) -> tuple:
    def known(values):
        present = [v for v in values if v is not None]
        return sum(present), len(present)

    return (
        len(summaries),
        *known([p.shown_total for p in summaries]),
        *known([p.shown_eligible for p in summaries]),
        *known([p.shown_eu_share for p in summaries]),
    )


def figures(group) -> tuple:
    return (
        group.projects,
        group.total_cost,
        group.total_known,
        group.eligible_cost,
        group.eligible_known,
        group.eu_share,
        group.eu_known,
    )


@pytest.mark.parametrize("descending", [False, True])
async def test_every_sort_orders_as_the_summaries_say(demo, descending):
    admin = await principal(Role.ADMIN)
    summaries = await list_projects(admin)
    assert set(KEYS) == set(SORT_COLUMNS)
    for sort in KEYS:
        rows = await portfolio_rows(admin, PortfolioFilter(sort=sort, descending=descending))
        assert [p.code for p in rows] == expected_order(summaries, sort, descending), sort


async def test_totals_are_the_sums_of_the_shown_figures_for_every_filter(demo):
    admin = await principal(Role.ADMIN)
    summaries = await list_projects(admin)
    filters = [PortfolioFilter()]
    filters += [PortfolioFilter(programme=p) for p in {s.programme_code for s in summaries}]
    filters += [PortfolioFilter(status=s.status.value) for s in summaries[:3]]
    filters += [PortfolioFilter(measure="4.4.1.1"), PortfolioFilter(measure="no such")]
    for chosen in filters:
        matching = [
            s
            for s in summaries
            if chosen.programme in (None, s.programme_code)
            and chosen.measure in (None, s.measure_code)
            and chosen.status in (None, s.status.value)
        ]
        others = [s for s in matching if s.counted_as == "other_organisation"]
        ours = [s for s in matching if s.counted_as != "other_organisation"]
        totals = await portfolio_totals(admin, chosen)
        assert totals.projects == len(matching), chosen
        assert (figures(totals.ours), figures(totals.others)) == (sums(ours), sums(others))


async def test_a_page_is_a_slice_of_the_order_and_a_page_beyond_shows_the_last(demo):
    admin = await principal(Role.ADMIN)
    chosen = PortfolioFilter(sort="total", descending=True)
    everything = [p.code for p in await portfolio_rows(admin, chosen)]
    second = await portfolio_page(admin, chosen, page=2, per_page=10)
    assert [p.code for p in second.shown.rows] == everything[10:20]
    beyond = await portfolio_page(admin, chosen, page=99, per_page=10)
    assert beyond.shown.page == 2
    assert [p.code for p in beyond.shown.rows] == everything[10:]
    assert beyond.totals.projects == len(everything) == 16


async def test_a_member_sees_and_totals_only_their_projects(demo):
    coordinator = await principal(Role.COORDINATOR)
    own = await list_projects(coordinator)
    shown = await portfolio_page(coordinator, PortfolioFilter(), page=1, per_page=50)
    assert {p.code for p in shown.shown.rows} == {p.code for p in own}
    assert shown.totals.projects == len(own) < 16
    assert {code for code, _, _ in shown.programmes} == {p.programme_code for p in own}
