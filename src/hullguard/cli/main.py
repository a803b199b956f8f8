"""Entry point: assembles the commands. Exit codes everywhere: 0 clean, 1 findings, 2 bad input."""

from __future__ import annotations

import sys

import typer

from hullguard._version import __version__
from hullguard.cli import (
    audit_cmd,
    console_cmd,
    db_cmd,
    demo_cmd,
    genroles_cmd,
    iam_cmd,
    inspect_cmd,
    policy_cmd,
    scan_cmd,
)

app = typer.Typer(
    name="hullguard",
    help="Security for AWS Lambda serverless applications.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"hullguard {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Security for AWS Lambda serverless applications."""


for module in (inspect_cmd, scan_cmd, genroles_cmd, iam_cmd, policy_cmd, console_cmd, audit_cmd, db_cmd, demo_cmd):
    module.register(app)


def run() -> None:
    """Console-script entry point; turns any escaped exception into a message and exit code 2."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
