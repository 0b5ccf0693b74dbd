"""The demo portfolio, loaded once per backend and test process and then copied back into the
emptied tables for each test that starts from it: loading it runs the app's own functions for
seconds, copying its rows back takes milliseconds.

Rows are read and written through the driver as it stores them (sqlite3, asyncpg's COPY), so
every value comes back exactly as the demo wrote it; on PostgreSQL the foreign keys wait while
the tables fill (`session_replication_role`) and each id sequence continues after its rows."""

import sqlite3

import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine

from grants import db

Rows = dict[str, tuple[list[str], list[tuple]]]  # table → (columns, rows)


def _tables() -> list[str]:
    return [t._meta.tablename for t in db.all_tables() if t._meta.tablename != "migration"]


async def read(engine: Engine) -> Rows:
    """Every table's rows but the migrations'."""
    if isinstance(engine, PostgresEngine):
        conn = await asyncpg.connect(engine.config["dsn"])
        try:
            found = {}
            for table in _tables():
                records = await conn.fetch(f'SELECT * FROM "{table}"')
                columns = list(records[0].keys()) if records else []
                found[table] = (columns, [tuple(r) for r in records])
            return found
        finally:
            await conn.close()
    with sqlite3.connect(engine.path) as conn:
        found = {}
        for table in _tables():
            cursor = conn.execute(f'SELECT * FROM "{table}"')
            found[table] = ([c[0] for c in cursor.description], cursor.fetchall())
        return found


async def write(engine: Engine, rows: Rows) -> None:
    """Put `rows` back into the emptied tables."""
    if isinstance(engine, PostgresEngine):
        conn = await asyncpg.connect(engine.config["dsn"])
        try:
            async with conn.transaction():
                await conn.execute("SET LOCAL session_replication_role = replica")
                for table, (columns, records) in rows.items():
                    if records:
                        await conn.copy_records_to_table(table, records=records, columns=columns)
                        await conn.execute(
                            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                            f'MAX(id)) FROM "{table}"'
                        )
        finally:
            await conn.close()
        return
    conn = sqlite3.connect(engine.path)
    try:
        with conn:
            for table, (columns, records) in rows.items():
                if records:
                    marks = ", ".join("?" for _ in columns)
                    names = ", ".join(f'"{c}"' for c in columns)
                    conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', records)
    finally:
        conn.close()
