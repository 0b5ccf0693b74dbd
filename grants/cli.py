"""The `grants` command: database upgrade, demo data, users, tokens and the web server."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from grants import db
from grants.accounts import AccountError, add_user, create_token
from grants.settings import Settings
from grants.vocabulary import Role

T = TypeVar("T")


def _run(work: Callable[[], Awaitable[T]], *, needs_schema: bool = True) -> T:
    """Connect to the configured database and run `work`, turning known failures into messages."""

    async def main() -> T:
        engine = db.engine_from_url(Settings.from_env().database_url)
        db.use_engine(engine)
        await db.check_connection(engine)
        if needs_schema:
            await db.ensure_ready()
        return await work()

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
    from grants.demo import load_demo

    result = _run(load_demo)
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
    uvicorn.run("grants.app:create_app", factory=True, host=host, port=port, workers=workers)


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
