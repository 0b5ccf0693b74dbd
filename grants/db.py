"""Database engines: one URL picks SQLite or PostgreSQL; migrations and readiness checks; and
the few row helpers every domain module uses (one row or NotFound, insert one, row to record)."""

import contextlib
import dataclasses
import functools
import importlib
import io
import socket
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

import aiosqlite
import asyncpg
from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType, dict_factory
from piccolo.query import Select
from piccolo.table import Table

from grants.core.errors import NotFound

# The drivers' "a unique index said no" errors; Piccolo passes them through unwrapped.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)
# Ids are 32-bit serials on PostgreSQL, whose driver fails on a larger number (no row has it).
MAX_ID = 2**31 - 1

T = TypeVar("T")

# How long a SQLite connection waits for another writer before it gives up with "database is
# locked"; readers never wait in WAL mode, so only writers queue up here.
SQLITE_BUSY_TIMEOUT_SECONDS = 30

# SQLite's words for a database it cannot use for now (gone, or held by a writer too long).
_SQLITE_UNAVAILABLE = ("unable to open", "locked", "busy", "disk i/o", "readonly", "disk is full")
_UNAVAILABLE = (
    ConnectionError,
    socket.gaierror,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
)


class DatabaseError(Exception):
    """A database problem the user can fix; the message says how."""


def possible_id(value: int) -> bool:
    """Whether a row could have this id; look up only those (PostgreSQL refuses larger)."""
    return 1 <= value <= MAX_ID


async def first_or_not_found(query: Select) -> dict:
    """The query's first row; NotFound when there is none (an unknown id)."""
    row = await query.first()
    if row is None:
        raise NotFound()
    return row


def row_or_not_found(rows: list[dict]) -> dict:
    """The first of a raw query's rows; NotFound when there is none (an unknown id)."""
    if not rows:
        raise NotFound()
    return rows[0]


def marks(values: Sequence[object]) -> str:
    """The placeholders of raw SQL for a list of values: `f"id IN ({marks(ids)})"`."""
    return ", ".join("{}" for _ in values)


async def insert_one(table: type[Table], **values: object) -> int:
    """Insert one row; its new id."""
    return (await table.insert(table(**values)))[0]["id"]


def from_row(kind: type[T], row: dict, **values: object) -> T:
    """A dataclass `kind` from a row: each field from the column of the same name, unless
    `values` gives it (a renamed column, a converted value, a computed field)."""
    names = _field_names(kind)
    return kind(**{name: value for name, value in row.items() if name in names} | values)


@functools.cache
def _field_names(kind: type) -> frozenset[str]:
    """A dataclass's field names, worked out once per class (`from_row` runs per row)."""
    return frozenset(field.name for field in dataclasses.fields(kind))


class ReusingSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine opens a connection, and a thread, for every query: most of a
    small request's time. This one keeps the connections it opened and lends each to one query
    or transaction at a time, as PostgreSQL's pool does. A query is one trip to the
    connection's thread (`execute_fetchall`), not one each to execute, fetch and close."""

    KEEP = 8  # idle connections kept; more are closed when given back

    def __init__(self, path: str, **kwargs: object) -> None:
        super().__init__(path=path, **kwargs)
        self.idle: list[aiosqlite.Connection] = []
        self.watcher: aiosqlite.Connection | None = None  # never writes: see data_version

    async def lend(self) -> aiosqlite.Connection:
        if self.idle:
            return self.idle.pop()
        connecting = aiosqlite.connect(**self.connection_kwargs)
        # A kept connection's thread must not hold the process open at exit (the CLI).
        connecting._thread.daemon = True
        connection = await connecting
        connection.row_factory = dict_factory
        await connection.execute("PRAGMA foreign_keys = 1")
        return connection

    async def give_back(self, connection: aiosqlite.Connection) -> None:
        """Keep it unless something left it inside a transaction (a cancelled request)."""
        if connection.in_transaction or len(self.idle) >= self.KEEP:
            await connection.close()
        else:
            self.idle.append(connection)

    async def close_connections(self) -> None:
        idle, self.idle = self.idle, []
        if self.watcher is not None:
            idle.append(self.watcher)
            self.watcher = None
        for connection in idle:
            await connection.close()

    async def data_version(self) -> int:
        """SQLite's `data_version` on a connection that never writes: it changes whenever
        another connection, of this process or another, commits."""
        if self.watcher is None:
            watcher = await self.lend()
            if self.watcher is None:
                self.watcher = watcher
            else:  # another request opened one meanwhile
                await self.give_back(watcher)
        [row] = await self.watcher.execute_fetchall("PRAGMA data_version")
        return row["data_version"]

    async def get_connection(self) -> "_Lent":
        """For a transaction or a batch, which close it when done: that gives it back."""
        return _Lent(self, await self.lend())

    async def _run_in_new_connection(
        self, query: str, args: list | None = None, query_type: str = "generic", table=None
    ) -> list[dict]:
        connection = await self.lend()
        try:
            return await connection.execute_fetchall(query, args or [])
        finally:
            await self.give_back(connection)

    async def _run_in_existing_connection(
        self,
        connection,
        query: str,
        args: list | None = None,
        query_type: str = "generic",
        table=None,
    ) -> list[dict]:
        """A query inside a transaction, in one trip to the connection's thread: Piccolo's own
        takes four (it sets a pragma the lent connection has already, then executes, fetches and
        closes the cursor one trip each). Inserts read their ids with RETURNING (SQLite 3.35+)."""
        return await connection.execute_fetchall(query, args or [])


class _Lent:
    """A lent connection as Piccolo's transactions use it: closing it gives it back."""

    def __init__(self, engine: ReusingSQLiteEngine, connection: aiosqlite.Connection) -> None:
        self.engine = engine
        self.connection = connection

    def __getattr__(self, name: str) -> object:
        return getattr(self.connection, name)

    async def close(self) -> None:
        await self.engine.give_back(self.connection)


async def keep_session(connection: asyncpg.Connection) -> None:
    """What a pooled PostgreSQL connection needs undone when it goes back: nothing, since the
    app sets no session variables, takes no advisory locks and listens to nothing
    (`tests/core/test_session_state.py` holds it to that); asyncpg still rolls back a
    transaction left open. Its default reset is a second round trip after every query."""


async def start_pool(engine: PostgresEngine, **options: object) -> None:
    await engine.start_connection_pool(reset=keep_session, **options)


async def close_connections(engine: Engine) -> None:
    """Close what the engine keeps open: PostgreSQL's pool, SQLite's kept connections (the
    last to close folds the write-ahead log into the file)."""
    if isinstance(engine, PostgresEngine):
        if engine.pool:
            await engine.close_connection_pool()
    elif isinstance(engine, ReusingSQLiteEngine):
        await engine.close_connections()


def engine_from_url(url: str) -> Engine:
    """`sqlite:///relative/path.db`, `sqlite:////absolute/path.db` or `postgresql://…`."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        if not path or path == url:
            raise DatabaseError(f"Bad SQLite URL {url!r}: use sqlite:///path/to/file.db")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return ReusingSQLiteEngine(path=path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if scheme in ("postgresql", "postgres"):
        if not urlsplit(url).path.strip("/"):
            raise DatabaseError(f"Bad PostgreSQL URL {url!r}: name the database after the host")
        return PostgresEngine(config={"dsn": url})
    raise DatabaseError(
        f"Unsupported database URL {url!r}: use sqlite:///file.db or postgresql://user@host/db"
    )


def all_tables() -> list:
    from grants.piccolo_app import APP_CONFIG

    return [*APP_CONFIG.table_classes, Migration]


async def data_version() -> str:
    """A name for the database's committed state, in one statement: equal names, equal data.
    Any committed write changes it, whichever code path, process or instance made it.

    PostgreSQL: the current snapshot (its next transaction id and those in progress), which
    fixes exactly which transactions are committed. SQLite: `ReusingSQLiteEngine.data_version`."""
    engine = Migration._meta.db
    if isinstance(engine, ReusingSQLiteEngine):
        return str(await engine.data_version())
    [row] = await Migration.raw("SELECT CAST(pg_current_snapshot() AS TEXT) AS snapshot")
    return row["snapshot"]


def use_engine(engine: Engine) -> None:
    """Point every table, and Piccolo's migration machinery, at `engine`.

    Piccolo binds tables to the engine of its conf module; tests and the CLI switch databases
    at run time, so the switch happens in one place.
    """
    importlib.import_module("grants.piccolo_conf").DB = engine
    for table in all_tables():
        table._meta.db = engine


def write_transaction():
    """A transaction for read-then-write work. On SQLite it takes the write lock at BEGIN
    (IMMEDIATE), so two writers wait for each other instead of failing with "database is
    locked" half-way."""
    engine = Migration._meta.db
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def check_connection(engine: Engine) -> None:
    """Reach the database; on SQLite also switch it to WAL mode (kept in the file), so readers
    never wait for a writer and a long import does not hold up every page."""
    try:
        await engine.run_ddl("SELECT 1")
        if isinstance(engine, SQLiteEngine):
            await engine.run_ddl("PRAGMA journal_mode=WAL")
    except Exception as exc:  # driver errors differ: sqlite3, asyncpg, OSError
        raise DatabaseError(f"Cannot reach the database: {exc}") from exc


def unavailable(exc: BaseException | None) -> bool:
    """The database cannot be reached or stays busy for now: worth trying again in a while,
    unlike a bug. Each driver says so with errors of its own."""
    while exc is not None:
        if isinstance(exc, sqlite3.OperationalError):
            if any(words in str(exc).lower() for words in _SQLITE_UNAVAILABLE):
                return True
        elif isinstance(exc, asyncpg.InterfaceError):
            if "closed" in str(exc):
                return True
        elif isinstance(exc, _UNAVAILABLE):
            return True
        exc = exc.__cause__
    return False


async def upgrade() -> list[str]:
    """Run pending migrations; returns the ids that ran. Safe to run twice."""
    from grants.piccolo_app import APP_CONFIG

    await check_connection(Migration._meta.db)
    manager = ForwardsMigrationManager(app_name="grants")
    await manager.create_migration_table()
    before = set(await Migration.get_migrations_which_ran(app_name="grants"))
    # Piccolo prints its own progress, which on a fresh database says "N migrations already
    # complete" above "N not yet run"; the caller reports what ran instead.
    chatter = io.StringIO()
    with contextlib.redirect_stdout(chatter):
        result = await manager.run_migrations(APP_CONFIG)
    if not result.success:
        raise DatabaseError(f"Migration failed: {result.message}\n{chatter.getvalue()}".rstrip())
    after = await Migration.get_migrations_which_ran(app_name="grants")
    return [m for m in after if m not in before]


async def pending_migrations() -> list[str]:
    from grants.piccolo_app import APP_CONFIG

    manager = ForwardsMigrationManager(app_name="grants")
    modules = manager.get_migration_modules(APP_CONFIG.resolved_migrations_folder_path)
    ran = set()
    if await Migration.table_exists().run():
        ran = set(await Migration.get_migrations_which_ran(app_name="grants"))
    return [i for i in manager.get_migration_ids(modules) if i not in ran]


async def ensure_ready() -> None:
    """Refuse to work on a database that is unreachable or not upgraded."""
    await check_connection(Migration._meta.db)
    pending = await pending_migrations()
    if pending:
        raise DatabaseError(
            f"The database is not up to date ({len(pending)} migrations pending): "
            "run `grants db upgrade` first"
        )


_BATCH = 1000  # rows per INSERT: well under SQLite's and PostgreSQL's parameter limits


async def insert_many(table, rows: list[dict]) -> None:
    """Insert in batches: one parametrised statement per thousand rows, never one per row.
    Plain values, not Table instances: building 50 000 of those takes Piccolo seconds."""
    now = datetime.now(UTC)
    columns = [*rows[0], *(c for c in ("created_at", "updated_at") if c in _columns(table))]
    names = ", ".join(f'"{column}"' for column in columns)
    values = "(" + ", ".join("{}" for _ in columns) + ")"
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        await table.raw(
            f"INSERT INTO {table._meta.tablename} ({names}) VALUES "
            + ", ".join([values] * len(batch)),
            *(row.get(column, now) for row in batch for column in columns),
        )


def _columns(table) -> set[str]:
    return {column._meta.db_column_name for column in table._meta.columns}
