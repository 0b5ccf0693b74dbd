"""Lists that grow with the data come a page at a time, one convention everywhere (issue 12):
`page` from 1, `per_page` up to 500 in the API, which answers `{items, total, page, per_page}`;
pages keep their filters and sort in the pager's links; the portfolio's totals still count
every matching project. A page beyond the last is empty in the API and shows the last page on
the site."""

import re
from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest

from grants.controllers import finance_pages, projects_pages, register_pages
from grants.core import audit
from grants.core.vocabulary import Role
from grants.tables.audit import AuditEvent
from grants.web import page_cache
from tests.builders import declare, participant
from tests.helpers import api_headers, count_queries, eur, sign_in
from tests.projects.test_portfolio_shares import codes, footer

OURS, OTHERS = eur("501 673,94"), eur("2 879 510,97")


def next_link(html: str) -> str:
    """The pager's link to the next page, as written in the page (entities undone)."""
    [href] = re.findall(r'<a href="([^"]+)" rel="next">', html)
    return href.replace("&amp;", "&")


def query(link: str) -> dict[str, str]:
    """The parameters of a pager's link, in whatever order it writes them."""
    return dict(parse_qsl(urlsplit(link).query))


async def test_portfolio_pages_keep_filters_and_sort_and_total_every_matching_project(
    demo, client, monkeypatch
):
    await sign_in(client, Role.ADMIN)
    everything = codes((await client.get("/", params={"sort": "total", "dir": "desc"})).text)
    assert len(everything) == 16 and 'rel="next"' not in (await client.get("/")).text
    monkeypatch.setattr(projects_pages, "PORTFOLIO_PER_PAGE", 5)
    page_cache.clear()  # the pages above were kept at the old page size

    first = (await client.get("/", params={"sort": "total", "dir": "desc"})).text
    assert codes(first) == everything[:5]
    assert "1. lapa no 4" in first
    assert query(next_link(first)) == {"sort": "total", "dir": "desc", "page": "2"}
    second = (await client.get("/" + next_link(first))).text
    assert codes(second) == everything[5:10] and "2. lapa no 4" in second
    for html in (first, second):  # over all 16 projects, whichever page
        totals = footer(html)
        assert OURS in totals["total-ours"] and "Mūsu projekti · 4 projekti" in totals["total-ours"]
        assert OTHERS in totals["total-others"] and "12 projekti" in totals["total-others"]
    last = (await client.get("/", params={"sort": "total", "dir": "desc", "page": 9})).text
    assert codes(last) == everything[15:] and "4. lapa no 4" in last  # beyond: the last page

    filtered = (await client.get("/", params={"measure": "4.4.1.1", "sort": "title"})).text
    assert (
        query(next_link(filtered)) == {"measure": "4.4.1.1", "sort": "title", "page": "2"}
        and "1. lapa no 3" in filtered
    )
    again = (await client.get("/" + next_link(filtered))).text
    assert "1 projekts" in footer(again)["total-ours"] and OTHERS in footer(again)["total-others"]
    assert not set(codes(again)) & set(codes(filtered))


async def test_portfolio_page_numbers_below_one_are_not_found(demo, client):
    await sign_in(client, Role.ADMIN)
    assert (await client.get("/", params={"page": 0})).status_code == 404


async def test_the_api_project_list_comes_in_pages(demo, client):
    headers = await api_headers(Role.ADMIN)
    every = (await client.get("/api/v1/projects", headers=headers)).json()
    assert (every["total"], every["page"], every["per_page"]) == (16, 1, 100)
    by_code = [p["code"] for p in every["items"]]
    assert by_code == sorted(by_code)

    second = await client.get(
        "/api/v1/projects", params={"page": 2, "per_page": 5}, headers=headers
    )
    assert second.status_code == 200
    body = second.json()
    assert [p["code"] for p in body["items"]] == by_code[5:10]
    assert (body["total"], body["page"], body["per_page"]) == (16, 2, 5)
    assert {p["code"]: p for p in body["items"]} == {
        p["code"]: p for p in every["items"][5:10]
    }  # the same figures as in the whole list

    beyond = await client.get(
        "/api/v1/projects", params={"page": 5, "per_page": 5}, headers=headers
    )
    assert beyond.json() == {"items": [], "total": 16, "page": 5, "per_page": 5}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects",
        "/api/v1/projects/{pid}/audit",
        "/api/v1/projects/{pid}/expenditures",
        "/api/v1/projects/{pid}/service-receipts",
        "/api/v1/projects/{pid}/participants",
    ],
)
async def test_pages_above_the_largest_are_refused_in_the_refusal_shape(families, client, url):
    headers = await api_headers(Role.ADMIN)
    response = await client.get(url.format(pid=families), params={"per_page": 501}, headers=headers)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "per_page", "message": "Norādiet rindu skaitu lapā no 1 līdz 500."}
    ]
    allowed = await client.get(url.format(pid=families), params={"per_page": 500}, headers=headers)
    assert allowed.status_code == 200 and allowed.json()["per_page"] == 500
    below = await client.get(url.format(pid=families), params={"page": 0}, headers=headers)
    assert below.status_code == 404


async def test_the_api_expenditure_register_comes_in_pages(families, client):
    await declare(families, date(2026, 2, 10), 100_00, count=3)
    await declare(families, date(2026, 1, 5), 7_00, count=2)  # earlier dates come first
    headers = await api_headers(Role.VIEWER)
    url = f"/api/v1/projects/{families}/expenditures"
    page = (await client.get(url, params={"per_page": 2, "page": 2}, headers=headers)).json()
    assert (page["total"], page["page"], page["per_page"]) == (5, 2, 2)
    assert [(e["date"], e["entry_no"], e["amount"]) for e in page["items"]] == [
        ("2026-02-10", 1, "100.00"),
        ("2026-02-10", 2, "100.00"),
    ]
    last = (await client.get(url, params={"per_page": 2, "page": 3}, headers=headers)).json()
    assert [e["entry_no"] for e in last["items"]] == [3]
    beyond = (await client.get(url, params={"per_page": 2, "page": 4}, headers=headers)).json()
    assert (beyond["items"], beyond["total"]) == ([], 5)


async def test_the_expenditures_page_shows_a_page_and_counts_them_all(
    families, client, monkeypatch
):
    await declare(families, date(2026, 2, 10), 100_00, count=7)
    monkeypatch.setattr(finance_pages, "EXPENDITURES_PER_PAGE", 3)
    await sign_in(client, Role.FINANCE)
    url = f"/projects/{families}/expenditures"

    def entries(html: str) -> list[str]:
        return re.findall(
            r'<td class="nowrap">10\.02\.2026</td>\s*<td>SIA Test</td>\s*<td>T-(\d+)', html
        )

    first = (await client.get(url)).text
    assert entries(first) == ["1", "2", "3"]
    assert '<span class="muted small">(7)</span>' in first and "1. lapa no 3" in first
    assert next_link(first) == "?page=2"
    assert entries((await client.get(url, params={"page": 2})).text) == ["4", "5", "6"]
    assert entries((await client.get(url, params={"page": 8})).text) == ["7"]  # the last
    # the split above the list still adds up every invoice, not the page's
    assert eur("700,00") in first.split("</table>", 1)[0]


async def test_the_expenditures_page_reads_nothing_twice(families, client, monkeypatch):
    await declare(families, date(2026, 2, 10), 100_00, count=4)
    await sign_in(client, Role.FINANCE)
    url = f"/projects/{families}/expenditures"
    await client.get(url)
    queries = count_queries(monkeypatch)
    assert (await client.get(url)).status_code == 200
    monkeypatch.undo()
    texts = [str(q) for q in queries]
    repeated = {q for q in texts if texts.count(q) > 1}
    assert not repeated, repeated


async def test_the_api_audit_trail_comes_in_pages(families, client):
    for n in range(4):
        await audit.record("update", "budget", families, project_id=families, after={"n": n})
    headers = await api_headers(Role.AUDITOR)
    url = f"/api/v1/projects/{families}/audit"
    every = (await client.get(url, headers=headers)).json()
    newest = (await client.get(url, params={"per_page": 2}, headers=headers)).json()
    assert newest["total"] == every["total"] == len(every["items"])
    assert [e["after"] for e in newest["items"]] == [{"n": 3}, {"n": 2}]
    older = (await client.get(url, params={"per_page": 2, "page": 2}, headers=headers)).json()
    assert [e["after"] for e in older["items"]] == [{"n": 1}, {"n": 0}]
    assert every["items"][:4] == newest["items"] + older["items"]


async def test_the_register_lists_participants_a_page_at_a_time(families, client, monkeypatch):
    for n in range(5):
        await participant(families, f"TUK-{n:03d}", target_group="children" if n % 2 else "")
    await participant(families, "TUK-100", target_group="grt")
    headers = await api_headers(Role.COORDINATOR)
    url = f"/api/v1/projects/{families}/participants"
    page = (await client.get(url, params={"per_page": 2, "page": 2}, headers=headers)).json()
    assert [p["code"] for p in page["items"]] == ["TUK-002", "TUK-003"]
    assert (page["total"], page["page"], page["per_page"]) == (6, 2, 2)
    group = (await client.get(url, params={"target_group": "children"}, headers=headers)).json()
    assert ([p["code"] for p in group["items"]], group["total"]) == (["TUK-001", "TUK-003"], 2)
    exports = await AuditEvent.select(AuditEvent.note).where(AuditEvent.action == "export")
    assert [e["note"] for e in exports] == [
        "2 participants (page 2, 6 in all)",
        "2 participants (page 1, 2 in all)",
    ]

    monkeypatch.setattr(register_pages, "PARTICIPANTS_PER_PAGE", 2)
    await sign_in(client, Role.COORDINATOR)
    html = (await client.get(f"/projects/{families}/register", params={"group": "children"})).text
    listed = html.split('<section id="participants">', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<td class="code">([^<]+)</td>', listed) == ["TUK-001", "TUK-003"]
    assert 'rel="next"' not in listed and '<option value="grt"' in html  # every group offered
    html = (await client.get(f"/projects/{families}/register", params={"participants": 2})).text
    listed = html.split('<section id="participants">', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'<td class="code">([^<]+)</td>', listed) == ["TUK-002", "TUK-003"]
    assert "(6)" in listed and "2. lapa no 3" in listed
    assert next_link(listed) == "?participants=3#participants"
