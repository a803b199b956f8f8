"""`hullguard gen-roles PATH`: least-privilege IAM policies generated from each function's code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from hullguard.cli.output import EXIT_BAD_INPUT, EXIT_CLEAN, EXIT_FINDINGS, clean, fail


def register(app: typer.Typer) -> None:
    """Add this module's command(s) to the CLI."""

    @app.command("gen-roles")
    def gen_roles(
        path: Annotated[Path, typer.Argument(help="Project directory or template (serverless.yml, SAM, "
                                             "CloudFormation, Terraform).")],
        fmt: Annotated[str | None, typer.Option("--format", "-f", help="json (logical id -> IAM policy, the "
                                                "default), iam, cloudformation, serverless, terraform; with "
                                                "--diff: text (default) or json.")] = None,
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE, not stdout.")] = None,
        write: Annotated[bool, typer.Option("--write", help="Apply the generated roles to the templates in place "
                                            "(comments and formatting kept).")] = False,
        diff: Annotated[bool, typer.Option("--diff", help="Declared vs needed permissions per function; exit 1 "
                                           "when a function holds more than it needs (beyond low "
                                           "severity) or lacks a permission.")] = False,
        function: Annotated[list[str] | None, typer.Option("--function", help="Only this function (logical id); "
                                                           "repeatable.")] = None,
        account: Annotated[str | None, typer.Option("--account", help="Account id for --format iam.")] = None,
        region: Annotated[str | None, typer.Option("--region", help="Region for --format iam.")] = None,
        partition: Annotated[str, typer.Option("--partition", help="Partition for --format iam.")] = "aws",
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Do not print notes on stderr.")] = False,
    ) -> None:
        """Generate least-privilege IAM policies from each function's code."""
        from hullguard.iam.formats import FORMATS, render
        from hullguard.iam.generate import generate_project

        if diff and fmt not in (None, "text", "json"):
            fail(f"--diff prints text or json, not {fmt!r}")
        if not diff and fmt is not None and fmt not in FORMATS:
            fail(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        fmt = fmt or ("text" if diff else "json")
        if not path.exists():
            fail(f"{path}: no such file or directory")
        function = function or []
        project = generate_project(path)
        for problem in project.problems:
            sys.stderr.write(f"hullguard: warning: {clean(problem)}\n")
        policies = [p for p in project.policies if not function or p.logical_id in function]
        if function:
            missing = sorted(set(function) - {p.logical_id for p in policies})
            for name in missing:
                sys.stderr.write(f"hullguard: warning: no function {clean(name)!r}\n")
        if not quiet:
            for policy in policies:
                for note in policy.notes:
                    sys.stderr.write(f"hullguard: note: {clean(str(note))}\n")
        if not policies:
            if project.applications and not function:
                sys.stdout.write("{}\n" if fmt in ("json", "iam") else "")
                sys.stderr.write("hullguard: error: no Lambda functions found\n")
                raise typer.Exit(EXIT_BAD_INPUT)
            fail(f"{path}: no serverless application found" if not project.applications else "no function selected")
        if diff:
            from hullguard.events.schema import Severity
            from hullguard.iam.diff import diff_policies, render_diff

            reports = diff_policies(policies)
            text = render_diff(reports, fmt)
            _emit(text, output)
            # writing to other log groups (SAM's AWSLambdaBasicExecutionRole) alone is not a failure
            worse = any(e.severity.id > Severity.LOW.id for r in reports for e in r.excess)
            raise typer.Exit(EXIT_FINDINGS if worse or any(r.missing for r in reports) else EXIT_CLEAN)
        if write:
            from hullguard.iam.write import write_policies

            for message in write_policies(policies):
                sys.stderr.write(f"hullguard: {clean(message)}\n")
            raise typer.Exit(EXIT_CLEAN)
        _emit(render(policies, fmt, account=account, region=region, partition=partition), output)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        output.write_text(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        fail(f"{output}: {exc.strerror}")
