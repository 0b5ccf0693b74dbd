"""Pooled PostgreSQL connections go back to the pool as they are (`db.keep_session`), without
asyncpg's reset round trip after every query. That is safe while no code leaves session state
on a connection: a session-level SET, an advisory lock, a LISTEN or a held cursor would leak
into the next request. Read from the source; the synthetic cases show the check fails."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
# SET LOCAL and SET inside UPDATE … SET end with their transaction or statement.
SESSION_STATE = re.compile(
    r"(?<![\w.])(SET\s+(SESSION\s+)?(?!LOCAL\b)\w+\s*(=|TO\b)|pg_advisory_lock|LISTEN\s|"
    r"set_config\s*\(|WITH\s+HOLD)",
    re.IGNORECASE,
)
UPDATE_SET = re.compile(r"UPDATE\s+\S+\s+SET\s", re.IGNORECASE)


def leaves_session_state(source: str) -> list[str]:
    return [m.group(0) for m in SESSION_STATE.finditer(UPDATE_SET.sub("", source))]


def test_no_code_leaves_state_on_a_pooled_connection():
    found = {
        str(path.relative_to(ROOT)): hits
        for folder in ("grants", "reports")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts and (hits := leaves_session_state(path.read_text()))
    }
    assert found == {}


@pytest.mark.parametrize(
    "sql",
    [
        "SET statement_timeout = 5000",
        "SET SESSION search_path TO other",
        "SELECT pg_advisory_lock(1)",
        "LISTEN jobs",
        "SELECT set_config('role', 'x', false)",
        "DECLARE c CURSOR WITH HOLD FOR SELECT 1",
    ],
)
def test_the_check_finds_session_state(sql):
    assert leaves_session_state(f'await engine.run_ddl("{sql}")')


@pytest.mark.parametrize(
    "sql",
    ["SET LOCAL session_replication_role = replica", "UPDATE claim SET status = 'paid'"],
)
def test_the_check_lets_transaction_and_statement_scope_pass(sql):
    assert leaves_session_state(f'await engine.run_ddl("{sql}")') == []
