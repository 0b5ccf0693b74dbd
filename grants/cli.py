"""The `grants` command: database upgrade, demo data, users, tokens, register imports and the
web server."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from grants import db
from grants.accounts.users import AccountError, add_user, create_token
from grants.core.access import AccessDenied, Principal
from grants.core.errors import Refused
from grants.core.vocabulary import Role
from grants.settings import Settings

T = TypeVar("T")


def _run(work: Callable[[], Awaitable[T]], *, needs_schema: bool = True) -> T:
    """Connect to the configured database and run `work`, turning known failures into messages."""

    async def main() -> T:
        engine = db.engine_from_url(Settings.from_env().database_url)
        db.use_engine(engine)
        try:
            await db.check_connection(engine)
            if needs_schema:
                await db.ensure_ready()
            return await work()
        finally:
            await db.close_connections(engine)

    try:
        return asyncio.run(main())
    except (db.DatabaseError, AccountError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def main() -> None:
    """grants: a grant and project tracker for EU-funded programmes."""


@main.group("db")
def db_group() -> None:
    """The database."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations (safe to run again)."""
    ran = _run(db.upgrade, needs_schema=False)
    click.echo(f"Applied {len(ran)} migration(s)." if ran else "The database is up to date.")


@main.command()
def demo() -> None:
    """Load the seed portfolio and demo users (safe to run again)."""
    from grants.seed.demo import DemoResult, load_demo
    from reports.claim_document import freeze_missing

    async def load() -> DemoResult:
        loaded = await load_demo()
        await freeze_missing(CLI_PRINCIPAL)  # the documents of the demo's submitted claims
        return loaded

    result = _run(load)
    click.echo(
        f"Projects: {result.projects_created} created, {result.projects_existing} already there."
    )
    click.echo("Demo users (email / password / role):")
    for user in result.users_created + result.users_existing:
        note = "" if user in result.users_created else "  (already there)"
        click.echo(f"  {user.email:26} {user.password:24} {user.role}{note}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web app and the API."""
    import uvicorn

    _run(_noop)  # fail fast, with a clear message, before the server starts
    click.echo(f"grants on http://{host}:{port}/")
    uvicorn.run(
        "grants.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        server_header=False,  # no banner naming the server and its version
        proxy_headers=False,  # the app trusts X-Forwarded-For from GRANTS_TRUSTED_PROXIES only
    )


async def _noop() -> None:
    return None


@main.group()
def user() -> None:
    """Users."""


@user.command("add")
@click.argument("email")
@click.option("--password", required=True, help="At least 10 characters.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--project", "projects", multiple=True, help="Project code; repeat for several.")
@click.option("--name", default="", help="Full name.")
def user_add(email: str, password: str, role: str, projects: tuple[str, ...], name: str) -> None:
    """Add a user with a role and project memberships."""
    user_id = _run(lambda: add_user(email, password, role, projects, full_name=name))
    click.echo(f"User {email.strip().lower()} added (id {user_id}).")


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.argument("email")
@click.option("--name", default="", help="What the token is for.")
def token_create(email: str, name: str) -> None:
    """Create an API token; it is printed once, on the last line."""
    value = _run(lambda: create_token(email, name=name))
    click.echo(f"API token for {email} (keep it safe; it is not shown again):")
    click.echo(value)


# Imports run as the command line itself: an administrator that is no user, so the audit trail
# says "cli". Its user id is None, not 0: audit events and register rows keep the id in a
# foreign key to the users (created_by, user), where 0 would be refused and None means "no user".
CLI_PRINCIPAL = Principal(
    user_id=None,
    email="cli",
    role=Role.ADMIN,
    project_ids=frozenset(),
    locale="en",
)
MAX_PROBLEM_LINES = 50


@main.group("import")
def import_group() -> None:
    """The participant register, from CSV or XLSX files (all rows or none)."""


@import_group.command("participants")
@click.argument("project_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_participants_command(project_code: str, file: Path) -> None:
    """Import participants (kods, dzimums, dzimšanas gads, iesaistes datums, …) from FILE."""
    _import_file("participants", project_code, file)


@import_group.command("receipts")
@click.argument("project_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_receipts_command(project_code: str, file: Path) -> None:
    """Import service receipts (dalībnieks, pakalpojums, datums, vienības, summa) from FILE."""
    _import_file("receipts", project_code, file)


def _import_file(kind: str, project_code: str, file: Path) -> None:
    from grants.core import i18n
    from grants.register.files import in_file_rows, participant_rows, read_table, receipt_rows

    i18n.set_locale("en")
    project_id = _run(lambda: _project_id(project_code))
    click.echo(f"Reading {file.name}…")
    try:
        with file.open("rb") as source:
            table = read_table(source, file.name)
        build = participant_rows if kind == "participants" else receipt_rows
        with click.progressbar(length=len(table), label=f"Checking {len(table)} rows") as bar:
            rows = build(table, progress=bar.update)
    except Refused as refused:
        _refusal(refused, file)
    click.echo(f"Importing {len(rows)} rows into {project_code}…")
    try:
        count = _run(lambda: _import_rows(kind, project_id, rows))
    except Refused as refused:
        _refusal(in_file_rows(refused, table), file)
    except AccessDenied as exc:
        raise click.ClickException("The command line may not change this register.") from exc
    noun = "participants" if kind == "participants" else "service receipts"
    click.echo(f"Imported {count} {noun}.")


async def _project_id(code: str) -> int:
    from grants.projects.reading import list_projects

    found = await list_projects(CLI_PRINCIPAL, code=code)
    if not found:
        raise click.ClickException(f"There is no project “{code}”.")
    return found[0].id


async def _import_rows(kind: str, project_id: int, rows: list) -> int:
    from grants.register.participants import import_participants
    from grants.register.services import import_receipts

    if kind == "participants":
        return await import_participants(CLI_PRINCIPAL, project_id, rows)
    return await import_receipts(CLI_PRINCIPAL, project_id, rows)


def _refusal(refused: Refused, file: Path) -> NoReturn:
    """Every problem, a line each in row order (at most MAX_PROBLEM_LINES), then exit 1."""
    from grants.core.i18n import translate_error
    from grants.register.files import row_of

    problems = sorted(refused.problems, key=lambda p: row_of(p)[0] or 0)
    click.echo(
        f"Nothing was imported from {file.name}: {_count(len(problems), 'problem')}"
        " (row 1 is the first row under the header).",
        err=True,
    )
    for problem in problems[:MAX_PROBLEM_LINES]:
        row, column = row_of(problem)
        text = translate_error(problem.message, problem.params)
        if row is not None:
            where = f"Row {row}, {column}" if column else f"Row {row}"
            click.echo(f"  {where}: {text}", err=True)
        else:
            click.echo(f"  {text}", err=True)
    if len(problems) > MAX_PROBLEM_LINES:
        click.echo(f"  … and {len(problems) - MAX_PROBLEM_LINES} more", err=True)
    raise SystemExit(1)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


REPORT_FORMATS = ["pdf", "xlsx", "csv", "html"]


@main.command("report")
@click.argument("project_code")
@click.option("--period", "period_number", required=True, type=int, help="The period's number.")
@click.option(
    "--format", "fmt", default="pdf", show_default=True, type=click.Choice(REPORT_FORMATS)
)
@click.option(
    "--output", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path)
)
@click.option("--lang", default="lv", show_default=True, type=click.Choice(["lv", "en"]))
@click.option("--version", type=int, default=None, help="A frozen version (default: latest).")
def report_command(
    project_code: str, period_number: int, fmt: str, output: Path, lang: str, version: int | None
) -> None:
    """Write a period's progress report to a file (a submitted period's frozen version)."""
    from grants.core import i18n

    i18n.set_locale("en")
    try:
        data, _, name = _run(lambda: _report_file(project_code, period_number, fmt, lang, version))
    except Refused as refused:
        raise click.ClickException("; ".join(p.english() for p in refused.problems)) from refused
    output.write_bytes(data)
    click.echo(f"Wrote {output} ({name}, {len(data)} bytes).")


async def _report_file(
    code: str, number: int, fmt: str, lang: str, version: int | None
) -> tuple[bytes, str, str]:
    from grants.projects.periods import list_periods
    from reports.versions import report_file

    project_id = await _project_id(code)
    period = next(
        (p for p in await list_periods(CLI_PRINCIPAL, project_id) if p.number == number), None
    )
    if period is None:
        raise click.ClickException(f"The project “{code}” has no period {number}.")
    return await report_file(CLI_PRINCIPAL, period.id, fmt, version=version, locale=lang)
