"""`hullguard console`: serve the console, and its admin subcommands (create-admin, create-key,
revoke-key, add-destination, retry-dead-letters, migrate, seed-demo)."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

import typer

from hullguard.cli.output import fail

console_app = typer.Typer(
    help="The web console: collector API, dashboard, events, posture, policies, SIEM forwarding.",
    no_args_is_help=False,
    invoke_without_command=True,
)

_HOST = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default).")
_PORT = typer.Option(8000, "--port", help="TCP port to listen on.")
_DATA = typer.Option(None, "--data-dir", help="Directory of the embedded SQLite database (default .hullguard/console).")
_URL = typer.Option(
    None, "--database-url", help="Database URL instead of SQLite, e.g. postgresql://user@127.0.0.1/hullguard."
)


def _settings(data_dir: Path | None, database_url: str | None, host: str = "127.0.0.1", **extra: Any) -> Any:
    try:
        from hullguard.console.settings import ConsoleSettings
    except ImportError as exc:
        fail(f"the console needs the console extra: pip install 'hullguard[console]' ({exc})")
    try:
        return ConsoleSettings.build(database_url=database_url, data_dir=data_dir, host=host, **extra)
    except OSError as exc:
        fail(f"cannot use data directory {data_dir}: {exc}")


def _state(data_dir: Path | None, database_url: str | None) -> Any:
    from sqlalchemy.exc import SQLAlchemyError

    from hullguard.console import migrate
    from hullguard.console.app import build_state

    state = build_state(_settings(data_dir, database_url, run_forwarder=False))
    try:
        migrate.upgrade(state.engine)
    except SQLAlchemyError as exc:
        fail(f"cannot open the database: {str(exc).splitlines()[0]}")
    return state


@console_app.callback()
def serve(
    ctx: typer.Context,
    host: str = _HOST,
    port: int = _PORT,
    data_dir: Path | None = _DATA,
    database_url: str | None = _URL,
    secure_cookies: bool | None = typer.Option(
        None,
        "--secure-cookies/--no-secure-cookies",
        help="Secure flag on cookies (default: on unless listening on loopback over plain http).",
    ),
    rate_limit: float = typer.Option(50.0, "--rate-limit", help="Collector requests per second per API key."),
) -> None:
    """Serve the console (API and pages). Migrates the database first; data is kept across upgrades."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"data_dir": data_dir, "database_url": database_url}
        return
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from hullguard.console.app import create_app
    from hullguard.console.settings import Limits

    if rate_limit <= 0:
        fail("--rate-limit must be positive")
    limits = Limits(rate_per_second=rate_limit, rate_burst=max(1, int(rate_limit * 2)))
    settings = _settings(data_dir, database_url, host=host, secure_cookies=secure_cookies, limits=limits)
    try:
        app = create_app(settings)
    except SQLAlchemyError as exc:
        fail(f"cannot open the database: {str(exc).splitlines()[0]}")
    typer.echo(f"hullguard console on http://{host}:{port} (database: {_describe(settings.database_url)})", err=True)
    uvicorn.run(
        app, host=host, port=port, log_level=os.environ.get("HULLGUARD_CONSOLE_LOG_LEVEL", "warning"), access_log=False
    )


def _describe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _opts(ctx: typer.Context) -> tuple[Path | None, str | None]:
    obj = ctx.obj or {}
    return obj.get("data_dir"), obj.get("database_url")


@console_app.command("migrate")
def migrate_cmd(ctx: typer.Context) -> None:
    """Bring the database schema to the newest revision (also done at every start)."""
    from hullguard.console import migrate

    state = _state(*_opts(ctx))
    typer.echo(f"database at revision {migrate.current_revision(state.engine)}")


@console_app.command("create-admin")
def create_admin(
    ctx: typer.Context,
    username: str = typer.Option("admin", "--username", help="User name of the administrator."),
    password_env: str = typer.Option(
        "", "--password-env", help="Read the password from this environment variable instead of a prompt."
    ),
    role: str = typer.Option("admin", "--role", help="admin or viewer."),
) -> None:
    """Create the first administrator (or another user). The password is prompted for, never an argument."""
    from hullguard.console.accounts import audit, create_user
    from hullguard.console.errors import ConsoleError

    if password_env:
        password = os.environ.get(password_env, "")
        if not password:
            fail(f"environment variable {password_env} is empty or not set")
    else:
        password = getpass.getpass("Password (12+ characters): ")
        if getpass.getpass("Again: ") != password:
            fail("the two passwords differ")
    state = _state(*_opts(ctx))
    try:
        with state.transaction() as session:
            create_user(session, username, password, role)
            audit(session, "cli", "user-create", username, f"role {role}")
    except ConsoleError as exc:
        fail(exc.message)
    typer.echo(f"user {username} ({role}) created")


@console_app.command("create-key")
def create_key(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name", help="Which source uses the key, e.g. 'orders-api firewall'."),
    scopes: str = typer.Option(
        "events:write",
        "--scopes",
        help="Comma-separated: events:write, inventory:write, posture:write, policy:read.",
    ),
) -> None:
    """Create an API key and print it once (only its SHA-256 is stored)."""
    from hullguard.console.accounts import audit, create_api_key
    from hullguard.console.errors import ConsoleError

    state = _state(*_opts(ctx))
    try:
        with state.transaction() as session:
            key, clear = create_api_key(session, name, scopes)
            audit(session, "cli", "key-create", f"{key.id} {name}", key.scopes)
    except ConsoleError as exc:
        fail(exc.message)
    typer.echo(clear)


@console_app.command("revoke-key")
def revoke_key(ctx: typer.Context, key_id: int = typer.Argument(..., help="Id shown on the API keys page.")) -> None:
    """Revoke an API key at once."""
    from hullguard.console.accounts import audit, revoke_api_key
    from hullguard.console.errors import ConsoleError

    state = _state(*_opts(ctx))
    try:
        with state.transaction() as session:
            key = revoke_api_key(session, key_id)
            audit(session, "cli", "key-revoke", f"{key.id} {key.name}")
    except ConsoleError as exc:
        fail(exc.message)
    typer.echo(f"key {key_id} revoked")


@console_app.command("add-destination")
def add_destination_cmd(
    ctx: typer.Context,
    name: str = typer.Option(..., "--name"),
    kind: str = typer.Option(..., "--kind", help="splunk, syslog or webhook."),
    target: str = typer.Option(..., "--target", help="HEC or webhook URL, or udp://host:port / tcp://host:port."),
    secret_env: str = typer.Option("", "--secret-env", help="Environment variable holding the HEC token or HMAC key."),
) -> None:
    """Forward every new event to a SIEM."""
    from hullguard.console.accounts import audit
    from hullguard.console.forwarding.worker import add_destination

    secret = os.environ.get(secret_env, "") if secret_env else ""
    state = _state(*_opts(ctx))
    try:
        with state.transaction() as session:
            add_destination(session, name, kind, target, secret)
            audit(session, "cli", "destination-create", name, f"{kind} {target}")
    except ValueError as exc:
        fail(str(exc))
    typer.echo(f"destination {name} added")


@console_app.command("retry-dead-letters")
def retry_dead_letters(ctx: typer.Context) -> None:
    """Re-send every destination's dead letters now."""
    from sqlalchemy import select

    from hullguard.console.forwarding.worker import Forwarder
    from hullguard.console.models import Destination

    state = _state(*_opts(ctx))
    forwarder = Forwarder(state.sessions)
    with state.sessions() as session:
        ids = list(session.scalars(select(Destination.id)))
    total = 0
    for dest_id in ids:
        while sent := forwarder.redeliver(dest_id):
            total += sent
    typer.echo(f"{total} dead letters delivered")


@console_app.command("seed-demo")
def seed_demo(ctx: typer.Context) -> None:
    """Fill the console with demo data made by hullguard itself (firewall verdicts, a scan)."""
    from hullguard.console.demo import seed

    data_dir, database_url = _opts(ctx)
    summary = seed(database_url or _settings(data_dir, None).database_url)
    typer.echo(summary.describe())


def register(app: typer.Typer) -> None:
    """Add this module's command(s) to the CLI."""
    app.add_typer(console_app, name="console")
