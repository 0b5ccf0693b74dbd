"""The heaviest pages and API reads are answered again from memory while the database is
unchanged (`grants.web.page_cache`): any committed write, by this app or by anything else that
writes to the database, is on the next view; readers never share an answer, and an API token is
checked on every call; another day or a browser without its CSRF cookie gets a fresh page."""

import sqlite3
from datetime import timedelta

import asyncpg
from piccolo.engine.postgres import PostgresEngine

from grants.accounts.users import create_token, revoke_token
from grants.core.access import Role
from grants.tables.accounts import ApiToken
from grants.web import page_cache
from tests.builders import project, user
from tests.helpers import (
    CONNECTINGEN,
    api_headers,
    app_client,
    count_queries,
    post,
    principal,
    sign_in,
)
from tests.test_work_pages import INVOICE


def counts_hits(engine) -> bool:
    """Whether a repeated view can be counted on to be a hit here. PostgreSQL's version is the
    cluster's snapshot: any database's writes change it (in production, seldom; here the other
    test worker's, all the time), which makes a view afresh, never a stale one."""
    return not isinstance(engine, PostgresEngine)


async def views(client, url: str, monkeypatch) -> tuple[str, int, str, int]:
    """The page twice: each time its text and the statements its answer took."""
    queries = count_queries(monkeypatch)
    first = (await client.get(url)).text
    first_count = len(queries)
    second = (await client.get(url)).text
    return first, first_count, second, len(queries) - first_count


async def test_a_page_seen_again_is_answered_from_memory(families, client, engine, monkeypatch):
    await sign_in(client, Role.COORDINATOR)
    first, computed, second, cached = await views(client, f"/projects/{families}", monkeypatch)
    assert second == first
    assert computed >= 10
    if counts_hits(engine):
        assert cached <= 2  # the session, and the database's version


async def test_a_write_through_the_app_is_on_the_next_view(families, client):
    await sign_in(client, Role.FINANCE)
    url = f"/projects/{families}/expenditures"
    assert "MA-17" not in (await client.get(url)).text
    await client.get(url)
    assert (await post(client, url, INVOICE)).status_code == 303
    assert "MA-17" in (await client.get(url)).text


async def test_a_write_by_another_instance_is_on_the_next_view(families, client, engine):
    """Another `grants serve`, the CLI or a database tool: nothing tells this process."""
    await sign_in(client, Role.ADMIN)
    url = f"/projects/{families}"
    assert "Renamed elsewhere" not in (await client.get(url)).text
    rename = f"UPDATE project SET title_lv = 'Renamed elsewhere' WHERE id = {families}"
    if isinstance(engine, PostgresEngine):
        other = await asyncpg.connect(engine.config["dsn"])
        await other.execute(rename)
        await other.close()
    else:
        with sqlite3.connect(engine.connection_kwargs["database"]) as other:
            other.execute(rename)
    assert "Renamed elsewhere" in (await client.get(url)).text


async def test_readers_never_share_an_answer(families, client, app):
    await project(CONNECTINGEN)
    await user(Role.COORDINATOR, [CONNECTINGEN], email="other@tukums.lv", password="long-enough-1")
    await sign_in(client, Role.ADMIN)
    assert (await client.get(f"/projects/{families}")).status_code == 200
    async with app_client(app) as stranger:
        await stranger.get("/login")
        await post(
            stranger,
            "/login",
            {"email": "other@tukums.lv", "password": "long-enough-1"},
        )
        assert (await stranger.get(f"/projects/{families}")).status_code == 403


async def test_another_day_and_a_browser_without_its_csrf_cookie_get_a_fresh_page(
    families, client, engine, monkeypatch
):
    await sign_in(client, Role.COORDINATOR)
    url = f"/projects/{families}"
    await client.get(url)
    tomorrow = page_cache.riga_today() + timedelta(days=1)
    monkeypatch.setattr(page_cache, "riga_today", lambda: tomorrow)
    _, computed, _, cached = await views(client, url, monkeypatch)
    assert computed >= 10  # tomorrow's page, made afresh
    if counts_hits(engine):
        assert cached <= 2  # and then kept
    queries = count_queries(monkeypatch)
    client.cookies.delete("grants_csrf")
    await client.get(url)
    assert len(queries) >= 10


async def test_an_api_call_is_kept_under_its_token_which_is_checked_every_time(
    families, client, engine, monkeypatch
):
    url = f"/api/v1/projects/{families}/cofinancing"
    finance = await api_headers(Role.FINANCE)
    queries = count_queries(monkeypatch)
    first = await client.get(url, headers=finance)
    computed = len(queries)
    again = await client.get(url, headers=finance)
    assert again.json() == first.json()
    if counts_hits(engine):
        assert len(queries) - computed <= 3  # the token, its user, and the database's version
    await project(CONNECTINGEN)
    await user(Role.COORDINATOR, [CONNECTINGEN], email="other@tukums.lv", password="long-enough-1")
    stranger = {"Authorization": f"Bearer {await create_token('other@tukums.lv')}"}
    assert (await client.get(url, headers=stranger)).status_code == 403
    [token] = await ApiToken.select(ApiToken.id).where(
        ApiToken.user == (await principal(Role.FINANCE)).user_id
    )
    await revoke_token(await principal(Role.FINANCE), token["id"])
    assert (await client.get(url, headers=finance)).status_code == 401
