"""`hullguard policy`: validate a runtime policy, suggest one from learn mode, pull one from the console."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hullguard.cli.output import EXIT_BAD_INPUT, clean, fail

policy_app = typer.Typer(help="Runtime protection policies (hullguard.yml).", no_args_is_help=True)


@policy_app.command("validate")
def validate(file: Annotated[Path, typer.Argument(help="Policy file (YAML or JSON).")]) -> None:
    """Check a policy file; every problem is printed as FILE: key.path: problem (exit 2 if any)."""
    from hullguard.runtime.loader import read_policy_file
    from hullguard.runtime.policy import RuntimePolicyError

    try:
        policy = read_policy_file(file)
    except RuntimePolicyError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{clean(exc.source)}: {clean(problem)}\n")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    rules = len(policy.network.allow)
    typer.echo(
        f"{clean(str(file))}: valid (mode {policy.mode}, network {policy.network.action} with {rules} allow "
        f"rule{'s' if rules != 1 else ''}, processes {policy.processes.action}, learn "
        f"{'on' if policy.learn.enabled else 'off'}, seccomp {'on' if policy.seccomp.enabled else 'off'})"
    )


@policy_app.command("suggest")
def suggest(
    events: Annotated[Path, typer.Argument(help="Learn-mode events: JSON lines, e.g. exported logs ('-' = stdin).")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the policy here, not stdout.")] = None,
) -> None:
    """Turn learn-mode records into a least-privilege runtime policy (YAML)."""
    from hullguard.runtime.suggest import observe, read_events, suggest_policy

    try:
        text = sys.stdin.read() if str(events) == "-" else events.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        fail(f"cannot read {events}: {exc.strerror or exc}")
    records = read_events(text.splitlines())
    observations = observe(records)
    if not observations.events:
        fail(f"{events}: no runtime observations found ({len(records)} security events); run the function with "
             "learn mode on (HULLGUARD_LEARN=1 or learn.enabled: true) and export its log lines")
    policy = suggest_policy(observations, str(events))
    _write(policy, output)


@policy_app.command("pull")
def pull(
    function: Annotated[str, typer.Argument(help="Function name as the console knows it.")],
    console: Annotated[str, typer.Option("--console", help="Console base URL, e.g. https://hullguard.example.com")],
    api_key: Annotated[str, typer.Option("--api-key", envvar="HULLGUARD_API_KEY", help="Key with policy:read.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the policy here, not stdout.")] = None,
) -> None:
    """Download a function's runtime policy from the console, validate it, write it out."""
    import urllib.parse

    from hullguard.console.client import CollectorError, request_json
    from hullguard.runtime.loader import parse_text
    from hullguard.runtime.policy import RuntimePolicy, RuntimePolicyError

    path = f"/api/v1/functions/{urllib.parse.quote(function, safe='')}/policy"
    try:
        answer = request_json(console, path, api_key)
    except CollectorError as exc:
        fail(str(exc))
    if not isinstance(answer, dict) or not isinstance(answer.get("policy"), str):
        fail(f"console answered {path} without a 'policy' text")
    source = f"{function} policy version {answer.get('version', '?')} from {console}"
    try:
        RuntimePolicy.from_dict(parse_text(answer["policy"], source, yaml=True), source=source)
    except RuntimePolicyError as exc:
        fail(f"the console's policy is invalid:\n{exc}")
    text = answer["policy"] if answer["policy"].endswith("\n") else answer["policy"] + "\n"
    _write(text, output)
    if output is not None:
        sys.stderr.write(f"wrote {clean(source)} to {clean(str(output))}\n")


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")


def register(app: typer.Typer) -> None:
    """Add ``hullguard policy validate|suggest|pull``."""
    app.add_typer(policy_app, name="policy")
