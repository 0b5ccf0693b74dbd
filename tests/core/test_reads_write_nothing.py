"""Reading writes nothing, so readers never wait for (or fail on) a long write on SQLite; and
SQLite runs in WAL mode with a busy timeout."""

from datetime import UTC, datetime, timedelta

import pytest
from piccolo.engine.sqlite import SQLiteEngine

from grants import db
from grants.accounts.users import create_token
from grants.core.vocabulary import Role
from grants.tables.accounts import ApiToken
from tests.helpers import demo_user, sign_in


async def every_row() -> dict[str, list[dict]]:
    """Every table's rows, sessions and tokens included, to compare before and after."""
    return {
        table._meta.tablename: await table.select().order_by(table._meta.primary_key)
        for table in db.all_tables()
    }


async def test_api_reads_with_a_token_write_nothing(families, client):
    token = await create_token(demo_user(Role.COORDINATOR).email)
    api = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/projects", headers=api)).status_code == 200
    before = await every_row()
    for url in ("/api/v1/projects", f"/api/v1/projects/{families}", "/api/v1/projects"):
        assert (await client.get(url, headers=api)).status_code == 200
    assert await every_row() == before


async def test_a_token_in_use_is_stamped_about_once_an_hour(families, client):
    token = await create_token(demo_user(Role.COORDINATOR).email)
    api = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/projects", headers=api)).status_code == 200
    first = (await ApiToken.select(ApiToken.last_used_at).first())["last_used_at"]
    assert first is not None
    earlier = datetime.now(UTC) - timedelta(hours=2)
    await ApiToken.update({ApiToken.last_used_at: earlier}, force=True)
    assert (await client.get("/api/v1/projects", headers=api)).status_code == 200
    later = (await ApiToken.select(ApiToken.last_used_at).first())["last_used_at"]
    assert later > earlier + timedelta(hours=1)


async def test_reading_pages_when_signed_in_writes_nothing(families, client):
    await sign_in(client, Role.COORDINATOR)
    assert (await client.get("/")).status_code == 200
    before = await every_row()
    for url in ("/", f"/projects/{families}", "/profile", f"/projects/{families}/register"):
        assert (await client.get(url)).status_code == 200, url
    assert await every_row() == before


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(database):
    if not isinstance(database, SQLiteEngine):
        pytest.skip("SQLite only")
    assert (await database.run_ddl("PRAGMA journal_mode"))[0]["journal_mode"] == "wal"
    assert (await database.run_ddl("PRAGMA busy_timeout"))[0]["timeout"] >= 15000
    fresh = db.engine_from_url(f"sqlite:///{database.path}")
    assert (await fresh.run_ddl("PRAGMA busy_timeout"))[0]["timeout"] >= 15000
