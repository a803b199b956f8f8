"""`hullguard inspect EVENT.json|DIR|-`: run the event firewall on Lambda events.

A directory inspects every ``*.json`` file in it (sorted), one verdict each.

Exit codes: 0 clean, 1 attack found, 2 bad input (unreadable file, not JSON, bad policy) or an
inspection that failed internally.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from hullguard.cli.output import EXIT_BAD_INPUT, EXIT_CLEAN, EXIT_FINDINGS, clean, fail

_MAX_INPUT = 64 * 1024 * 1024  # far above Lambda's 6 MB payload limit; guards against reading a disk image


def register(app: typer.Typer) -> None:
    """Add this module's command(s) to the CLI."""
    app.command("inspect")(inspect)


def inspect(
    event_file: Annotated[
        str,
        typer.Argument(metavar="EVENT.json|DIR|-", help="Lambda event as JSON, a folder of them, or '-' for stdin."),
    ],
    output_format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
    policy: Annotated[
        Path | None, typer.Option("--policy", "-p", help="Policy file (YAML or JSON, firewall: section).")
    ] = None,
) -> None:
    """Inspect Lambda events with the event firewall; exit 1 when one holds an attack."""
    if output_format not in ("text", "json"):
        fail(f"--format must be text or json, not {output_format!r}")
    folder = Path(event_file) if event_file != "-" else None
    sources = sorted(str(p) for p in folder.glob("*.json")) if folder is not None and folder.is_dir() else [event_file]
    if not sources:
        fail(f"{event_file}: no *.json files in this folder")
    events = [_read_event(source) for source in sources] if len(sources) == 1 else None

    from hullguard.firewall import Firewall, PolicyError

    try:
        firewall = Firewall(policy=policy) if policy is not None else Firewall()
    except PolicyError as exc:
        fail(f"bad policy: {exc}")
    code = EXIT_CLEAN
    reports: list[dict[str, Any]] = []
    for index, source in enumerate(sources):
        if events is not None:
            event = events[index]
        else:
            try:
                event = _read_event(source)
            except typer.Exit:  # the message is printed; go on with the other files
                code = EXIT_BAD_INPUT
                continue
        verdict = firewall.inspect(event)
        attacks = [f for f in verdict.findings if f.rule_id != "HG-INTERNAL-001"]
        if output_format == "json":
            reports.append({"file": source, **verdict.to_dict()} if len(sources) > 1 else verdict.to_dict())
        else:
            _print_text(verdict, source if len(sources) > 1 else "")
        if verdict.error and not attacks:
            sys.stderr.write(f"hullguard: error: inspection of {clean(source)} failed: {clean(verdict.error)}\n")
            code = EXIT_BAD_INPUT
        elif attacks and code == EXIT_CLEAN:
            code = EXIT_FINDINGS
    if output_format == "json":
        payload: Any = reports if len(sources) > 1 else (reports[0] if reports else {})
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    raise typer.Exit(code)


def _read_event(source: str) -> Any:
    name = "stdin" if source == "-" else source
    try:
        if source == "-":
            raw = sys.stdin.buffer.read(_MAX_INPUT + 1)
        else:
            with open(source, "rb") as handle:
                raw = handle.read(_MAX_INPUT + 1)
    except OSError as exc:
        fail(f"cannot read {name}: {exc.strerror or exc}")
    if len(raw) > _MAX_INPUT:
        fail(f"{name}: larger than {_MAX_INPUT // (1024 * 1024)} MB; not a Lambda event")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{name}: not UTF-8 text (byte {exc.start})")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{name}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
    except RecursionError:
        fail(f"{name}: JSON nested too deeply to read")


def _print_text(verdict: Any, source: str = "") -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    status = "BLOCKED" if verdict.blocked else ("ATTACK (alert only)" if verdict.findings else "clean")
    style = "bold red" if verdict.blocked else ("bold yellow" if verdict.findings else "bold green")
    header = Text()
    if source:
        header.append(f"{clean(source)}: ", style="bold")
    header.append(status, style=style)
    header.append(f"  trigger={verdict.trigger}  findings={len(verdict.findings)}")
    header.append(f"  strings={verdict.strings_scanned}  {verdict.duration_us:.0f} µs")
    console.print(header)
    for finding in verdict.findings:
        line = Text()
        line.append(f"  {finding.rule_id}", style="bold")
        line.append(f" [{finding.severity.value}] {finding.attack} at ")
        line.append(clean(finding.location) or "(event)", style="cyan")
        if finding.record is not None:
            line.append(f" (record {finding.record})")
        console.print(line)
        if finding.title:
            console.print(Text(f"      {clean(finding.title)}"))
        if finding.evidence:
            console.print(Text(f"      evidence: {clean(finding.evidence)}", style="dim"))
    if verdict.budget_exhausted:
        console.print(Text(f"  incomplete: {clean(verdict.incomplete_reason)}", style="yellow"))
    for problem in verdict.extra.get("decode_problems", []):
        console.print(Text(f"  note: {clean(problem)}", style="dim"))
    if verdict.blocked_records:
        console.print(Text(f"  blocked records: {verdict.blocked_records} of {verdict.record_count}"))
