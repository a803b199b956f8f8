"""`hullguard scan PATH`: posture scan of serverless.yml / SAM / CloudFormation / Terraform, code and
dependencies. Exit 0 clean, 1 findings at or above --fail-on, 2 bad input or nothing scannable."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from hullguard.cli.output import EXIT_BAD_INPUT, EXIT_CLEAN, EXIT_FINDINGS, clean, fail

PROGRESS_THRESHOLD = 20  # inputs; fewer finish before a bar is worth drawing


def register(app: typer.Typer) -> None:
    """Add this module's command(s) to the CLI."""

    @app.command("scan")
    def scan_command(
        path: Annotated[Path, typer.Argument(help="Directory (or one template) to scan.")],
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="terminal, json, sarif, junit or markdown.")
        ] = "terminal",
        output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report to FILE.")] = None,
        fail_on: Annotated[
            str, typer.Option("--fail-on", help="Exit 1 when a finding is at least this severe.")
        ] = "low",
        baseline: Annotated[
            Path | None, typer.Option("--baseline", help="Report only findings not in this baseline.")
        ] = None,
        write_baseline: Annotated[
            Path | None, typer.Option("--write-baseline", help="Save current findings as baseline.")
        ] = None,
        osv_db: Annotated[Path | None, typer.Option("--osv-db", help="Offline OSV database directory.")] = None,
        only: Annotated[
            str | None, typer.Option("--rules", help="Comma-separated rule ids to run (default all).")
        ] = None,
        skip: Annotated[str | None, typer.Option("--skip", help="Comma-separated rule ids to skip.")] = None,
        upload: Annotated[
            str | None, typer.Option("--upload", help="Console URL to send findings and inventory to.")
        ] = None,
        api_key: Annotated[
            str | None, typer.Option("--api-key", envvar="HULLGUARD_API_KEY", help="Console API key.")
        ] = None,
        no_progress: Annotated[bool, typer.Option("--no-progress", help="Never draw a progress bar.")] = False,
        jobs: Annotated[
            int | None,
            typer.Option("--jobs", "-j", help="Processes to use (1: serial; default: one per CPU on large trees)."),
        ] = None,
    ) -> None:
        """Scan a serverless project for security risks before it ships."""
        from hullguard.events.schema import Severity
        from hullguard.scanner.reporters import FORMATS, render
        from hullguard.scanner.scan import baseline_document, scan, select_rules

        if fmt not in FORMATS:
            fail(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
        try:
            threshold = Severity.parse(fail_on)
            rules = select_rules(_ids(only), _ids(skip))
        except ValueError as exc:
            fail(str(exc))
        if not path.exists():
            fail(f"{path} does not exist")
        if jobs is not None and jobs < 1:
            fail(f"--jobs must be at least 1, not {jobs}")
        if upload and not api_key:
            fail("--upload needs --api-key (or HULLGUARD_API_KEY)")
        try:
            with _progress(enabled=not no_progress) as tick:
                report = scan(path, rules=rules, osv_db=osv_db, baseline=baseline, progress=tick, jobs=jobs)
        except ValueError as exc:
            fail(str(exc))
        if not report.applications:
            for problem in report.all_problems:
                sys.stderr.write(f"hullguard: {clean(problem)}\n")
            fail(
                f"nothing could be scanned: no serverless.yml, SAM/CloudFormation template or Terraform function "
                f"found under {path}"
                if not report.load_problems
                else f"nothing could be scanned under {path}"
            )
        text = render(
            report.findings,
            fmt,
            path,
            rules,
            problems=report.all_problems,
            suppressed=len(report.suppressed),
            color=fmt == "terminal" and output is None and _tty(),
        )
        if output is not None:
            try:
                output.write_text(text, encoding="utf-8")
            except OSError as exc:
                fail(f"cannot write {output}: {exc.strerror}")
            sys.stderr.write(f"hullguard: {len(report.findings)} findings written to {output}\n")
        else:
            sys.stdout.write(text)
        if fmt != "terminal":
            for problem in report.all_problems:
                sys.stderr.write(f"hullguard: {clean(problem)}\n")
        if write_baseline is not None:
            write_baseline.write_text(
                baseline_document(report.findings + [f for f, _ in report.suppressed]), encoding="utf-8"
            )
        if upload:
            _upload(report, upload, api_key or "")
        raise typer.Exit(EXIT_FINDINGS if report.at_or_above(threshold) else EXIT_CLEAN)


def _ids(text: str | None) -> list[str] | None:
    return [i.strip().upper() for i in text.split(",") if i.strip()] if text else None


def _tty() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


class _progress:
    """A rich progress bar on stderr for large trees; a no-op otherwise (pipes, CI logs, small trees)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> Any:
        return self.tick

    def tick(self, done: int, total: int) -> None:
        if not self.enabled or total < PROGRESS_THRESHOLD:
            return
        if self.bar is None:
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("loading templates", total=total)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _upload(report: Any, url: str, api_key: str) -> None:
    from hullguard.console.client import CollectorError, request_json
    from hullguard.scanner.scan import inventory

    by_app: dict[str, list[dict[str, Any]]] = {a.name: [] for a in report.applications}
    for finding in report.findings:
        by_app.setdefault(finding.application, []).append(finding.to_dict())
    try:
        for name, findings in by_app.items():
            request_json(url, "/api/v1/posture", api_key, {"application": name, "source": "scan", "findings": findings})
        request_json(url, "/api/v1/inventory", api_key, {"source": "scan", "functions": inventory(report)})
    except CollectorError as exc:
        fail(f"upload failed: {exc}", EXIT_BAD_INPUT)
    sys.stderr.write(f"hullguard: uploaded {len(report.findings)} findings for {len(by_app)} applications to {url}\n")
