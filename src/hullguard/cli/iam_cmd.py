"""`hullguard iam analyze POLICY.json|PATH`: what a policy grants and what is dangerous in it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hullguard.cli.output import EXIT_CLEAN, EXIT_FINDINGS, clean, fail

if TYPE_CHECKING:  # the analyser is imported inside the command, so the CLI starts fast
    from hullguard.iam.analyze_input import Subject

iam_app = typer.Typer(name="iam", help="Least-privilege IAM: analyse policies.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add this module's command(s) to the CLI."""
    app.add_typer(iam_app, name="iam")


@iam_app.command("analyze")
def analyze(
    path: Annotated[Path, typer.Argument(help="IAM policy JSON, a gen-roles JSON mapping, or a project/template.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    fail_on: Annotated[str, typer.Option("--fail-on", help="Exit 1 when an issue is at least this severe "
                                         "(info, low, medium, high, critical).")] = "low",
) -> None:
    """Expand wildcards, find privilege escalation, exfiltration, exposure and malformed policies."""
    from hullguard.events.schema import Severity
    from hullguard.iam.analyze_input import InputError, load_subjects

    if fmt not in ("text", "json"):
        fail(f"unknown format {fmt!r}; choose text or json")
    try:
        threshold = Severity.parse(fail_on)
    except ValueError:
        fail(f"unknown severity {fail_on!r}")
    try:
        subjects, problems = load_subjects(path)
    except InputError as exc:
        fail(str(exc))
    for problem in problems:
        sys.stderr.write(f"hullguard: warning: {clean(problem)}\n")
    if not subjects:
        fail(f"{path}: no IAM policy or role found")
    if fmt == "json":
        sys.stdout.write(json.dumps([s.to_json() for s in subjects], indent=2) + "\n")
    else:
        _text(subjects)
    worst = [i for s in subjects for i in s.issues if i.severity.id >= threshold.id]
    raise typer.Exit(EXIT_FINDINGS if worst else EXIT_CLEAN)


def _text(subjects: list[Subject]) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False, soft_wrap=True)
    colours = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}
    for subject in subjects:
        title = Text(f"{subject.name}", style="bold")
        if subject.functions:
            title.append(f"  (functions: {', '.join(subject.functions)})", style="dim")
        console.print(title)
        if subject.summary is not None:
            levels = ", ".join(f"{k}: {v}" for k, v in subject.summary.by_access_level.items()) or "nothing"
            console.print(Text(f"  grants {len(subject.summary.actions)} actions ({levels})"))
        if not subject.issues:
            console.print(Text("  no issues", style="green"))
        for issue in sorted(subject.issues, key=lambda i: -i.severity.id):
            line = Text("  ")
            line.append(f"{issue.severity.value.upper():8}", style=colours.get(issue.severity.value, ""))
            line.append(f" {issue.kind:28} ")
            line.append(clean(issue.message))
            console.print(line)
        console.print()
    from hullguard.iam.dataset import dataset_version

    console.print(Text(f"IAM actions from {dataset_version()}", style="dim"))
