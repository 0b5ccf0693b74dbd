"""SQLite's engine keeps its connections (`db.ReusingSQLiteEngine`): queries reuse one, each
query is one trip to the connection's thread, a transaction holds its own while other queries
go on, a failed transaction gives back a clean
connection, and a CLI command leaves no write-ahead log behind."""

import asyncio
import contextvars
from pathlib import Path

import pytest

from grants import db
from tests.helpers import grants


@pytest.fixture
async def engine(tmp_path: Path):
    """A database of its own with one table, on a reusing engine."""
    engine = db.engine_from_url(f"sqlite:///{tmp_path / 'engine.db'}")
    assert isinstance(engine, db.ReusingSQLiteEngine)
    await engine.run_ddl("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")
    yield engine
    await engine.close_connections()


async def test_queries_one_after_another_reuse_one_connection(engine):
    await engine.run_ddl("SELECT 1")
    kept = engine.idle[0]
    for n in range(20):
        await engine.run_ddl(f"INSERT INTO note (text) VALUES ('{n}')")
    assert engine.idle == [kept]
    assert (await engine.run_ddl("SELECT COUNT(*) AS n FROM note"))[0]["n"] == 20


async def test_a_query_is_one_trip_to_the_connections_thread(engine, monkeypatch):
    """Piccolo's own engine takes three trips a query (four in a transaction): execute, fetch,
    close the cursor (and a pragma first); each is a hand-over to the thread and back."""
    await engine.run_ddl("SELECT 1")
    kept = engine.idle[0]
    trips = []
    real = kept._execute

    async def counted(fn, *args, **kwargs):
        trips.append(fn)
        return await real(fn, *args, **kwargs)

    monkeypatch.setattr(kept, "_execute", counted)
    assert await engine.run_ddl("SELECT COUNT(*) AS n FROM note") == [{"n": 0}]
    assert len(trips) == 1
    async with engine.transaction() as transaction:
        trips.clear()
        inserted = await engine.run_ddl("INSERT INTO note (text) VALUES ('kept') RETURNING id")
        assert inserted == [{"id": 1}]
        assert await engine.run_ddl("SELECT text FROM note") == [{"text": "kept"}]  # its own write
        assert len(trips) == 2
        assert transaction.connection.connection is kept


async def test_a_transaction_holds_its_own_connection_while_others_read(engine):
    async with engine.transaction():
        await engine.run_ddl("INSERT INTO note (text) VALUES ('draft')")
        other_request = contextvars.Context()  # outside this transaction
        outside = await asyncio.create_task(
            engine.run_ddl("SELECT COUNT(*) AS n FROM note"), context=other_request
        )
        assert outside[0]["n"] == 0  # it saw only what was committed
    assert (await engine.run_ddl("SELECT COUNT(*) AS n FROM note"))[0]["n"] == 1
    assert len(engine.idle) == 2


async def test_a_failed_transaction_gives_back_a_clean_connection(engine):
    with pytest.raises(RuntimeError):
        async with engine.transaction():
            await engine.run_ddl("INSERT INTO note (text) VALUES ('lost')")
            raise RuntimeError("half-way")
    assert [c.in_transaction for c in engine.idle] == [False]
    assert (await engine.run_ddl("SELECT COUNT(*) AS n FROM note"))[0]["n"] == 0


async def test_at_most_a_few_idle_connections_are_kept(engine):
    async def slow_read() -> None:
        async with engine.transaction():
            await engine.run_ddl("SELECT 1")
            await asyncio.sleep(0.01)

    await asyncio.gather(*(slow_read() for _ in range(engine.KEEP + 4)))
    assert len(engine.idle) == engine.KEEP


def test_a_command_leaves_no_write_ahead_log(tmp_path: Path):
    database = tmp_path / "cli.db"
    result = grants(f"sqlite:///{database}", "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert database.exists()
    assert not Path(f"{database}-wal").exists()
