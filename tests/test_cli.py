"""The `grants` command on a fresh database of each backend."""

from pathlib import Path

from grants.claims.documents import claims_without_document
from grants.piccolo_app import APP_CONFIG
from grants.tables.claims import ClaimDocument
from tests.builders import build_at, partner_project, project
from tests.helpers import CONNECTINGEN, FAMILIES, grants


async def families_and_connectingen() -> None:
    """Two projects for memberships: FAMILIES and CONNECTINGEN."""
    await project(FAMILIES)
    await partner_project()


def test_upgrade_is_safe_to_run_twice(fresh_url):
    first = grants(fresh_url, "db", "upgrade")
    assert first.exit_code == 0, first.output
    migrations = len(list(Path(APP_CONFIG.migrations_folder_path).glob("grants_*.py")))
    assert f"Applied {migrations} migration(s)." in first.output
    second = grants(fresh_url, "db", "upgrade")
    assert second.exit_code == 0
    assert "The database is up to date." in second.output


def test_demo_refuses_a_database_that_is_not_upgraded(fresh_url):
    result = grants(fresh_url, "demo")
    assert result.exit_code == 1
    assert "run `grants db upgrade` first" in result.output


def test_demo_loads_once_and_prints_the_demo_users(fresh_url):
    grants(fresh_url, "db", "upgrade")
    first = grants(fresh_url, "demo")
    assert first.exit_code == 0, first.output
    assert "Projects: 16 created, 0 already there." in first.output
    assert "coordinator@tukums.demo" in first.output and "demo-coordinator-2026" in first.output
    second = grants(fresh_url, "demo")
    assert "Projects: 0 created, 16 already there." in second.output
    assert "(already there)" in second.output
    build_at(fresh_url, every_sent_claim_has_its_document)


async def every_sent_claim_has_its_document() -> None:
    """The demo's claims were sent without documents; `grants demo` froze them, once."""
    assert await claims_without_document() == []
    versions = await ClaimDocument.select(ClaimDocument.claim, ClaimDocument.version)
    assert len(versions) == 3 and {row["version"] for row in versions} == {1}


def test_user_add_and_token_create(upgraded_url):
    build_at(upgraded_url, families_and_connectingen)
    added = grants(
        upgraded_url,
        "user", "add", "Inga@Tukums.lv", "--password", "a-long-password",
        "--role", "coordinator", "--project", "4.4.1.1/2/004", "--project", CONNECTINGEN,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "User inga@tukums.lv added" in added.output
    token = grants(upgraded_url, "token", "create", "inga@tukums.lv")
    assert token.exit_code == 0
    assert token.output.strip().splitlines()[-1].startswith("grt_")


def test_user_add_refuses_unknown_project_and_writes_nothing(upgraded_url):
    result = grants(
        upgraded_url, "user", "add", "x@tukums.lv", "--password", "a-long-password",
        "--role", "viewer", "--project", "9.9.9/NOPE",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "There is no project “9.9.9/NOPE”" in result.output
    token = grants(upgraded_url, "token", "create", "x@tukums.lv")
    assert "There is no user “x@tukums.lv”" in token.output


def test_user_add_refuses_bad_input(upgraded_url):
    short = grants(
        upgraded_url, "user", "add", "x@tukums.lv", "--password", "short", "--role", "viewer"
    )
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    role = grants(
        upgraded_url, "user", "add", "x@tukums.lv", "--password", "long-enough", "--role", "boss"
    )
    assert role.exit_code == 2 and "'boss' is not one of" in role.output
    grants(
        upgraded_url, "user", "add", "x@tukums.lv", "--password", "long-enough", "--role", "viewer"
    )
    twice = grants(
        upgraded_url, "user", "add", "X@tukums.lv", "--password", "long-enough", "--role", "viewer"
    )
    assert twice.exit_code == 1 and "already exists" in twice.output


def test_bad_database_urls_give_clear_errors():
    result = grants("mysql://localhost/grants", "db", "upgrade")
    assert result.exit_code == 1
    assert "Unsupported database URL" in result.output
    result = grants("sqlite://", "db", "upgrade")
    assert result.exit_code == 1 and "Bad SQLite URL" in result.output


def test_unreachable_database_gives_a_clear_error():
    result = grants("postgresql://postgres@127.0.0.1:1/grants", "db", "upgrade")
    assert result.exit_code == 1
    assert "Cannot reach the database" in result.output
