"""Losing the database is a 503 with Retry-After (a page for people, the refusal shape for the
API), never a 500."""

import pytest
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from grants import db
from grants.core.vocabulary import Role
from tests.builders import user
from tests.helpers import api_headers, sign_in


@pytest.fixture
def lose_database(database):
    """Call it to point every table at a database that cannot be reached; put back after."""

    def lose() -> None:
        if isinstance(database, SQLiteEngine):
            db.use_engine(SQLiteEngine(path="/nonexistent/grants/lost.db"))
        else:
            db.use_engine(PostgresEngine(config={"dsn": "postgresql://postgres@127.0.0.1:9/lost"}))

    yield lose
    db.use_engine(database)


async def test_a_page_without_its_database_answers_503_and_says_to_retry(client, lose_database):
    await user(Role.ADMIN)
    await sign_in(client, Role.ADMIN)
    lose_database()
    response = await client.get("/")
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert "text/html" in response.headers["content-type"]
    assert "Datubāze šobrīd nav sasniedzama" in response.text


async def test_the_api_without_its_database_answers_503_in_the_refusal_shape(client, lose_database):
    await user(Role.VIEWER)
    headers = await api_headers(Role.VIEWER) | {"Accept-Language": "en"}
    lose_database()
    response = await client.get("/api/v1/projects", headers=headers)
    assert response.status_code == 503
    assert int(response.headers["retry-after"]) > 0
    assert response.json() == {
        "status_code": 503,
        "detail": "The database cannot be reached just now. Please try again in a minute.",
        "errors": [],
    }


def test_only_connection_failures_count_as_unavailable():
    import sqlite3

    assert db.unavailable(sqlite3.OperationalError("unable to open database file"))
    assert db.unavailable(sqlite3.OperationalError("database is locked"))
    assert db.unavailable(ConnectionRefusedError())
    assert not db.unavailable(sqlite3.OperationalError('near "SELEC": syntax error'))
    assert not db.unavailable(ValueError("a bug"))
