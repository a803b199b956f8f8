"""`hullguard audit`: audit live AWS accounts (inventory, posture and account rules), AWS Config rules,
CloudTrail and CloudWatch analyses. The cloud part is imported inside each command (it needs boto3
and DuckDB from the ``cloud`` extra), so the rest of the CLI works without it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from hullguard.cli.output import EXIT_BAD_INPUT, EXIT_CLEAN, EXIT_FINDINGS, clean, fail

if TYPE_CHECKING:
    from hullguard.model.finding import Finding

FORMATS = ("terminal", "json", "sarif", "junit", "markdown")


def _split(values: list[str] | None) -> list[str]:
    """``--regions a,b --regions c`` -> [a, b, c]."""
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        fail(f"unknown --format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _severity(text: str) -> Any:
    from hullguard.events.schema import Severity

    try:
        return Severity.parse(text)
    except ValueError as exc:
        fail(str(exc))


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc}")
    typer.echo(f"report written to {clean(str(output))}", err=True)


def _render(findings: list[Finding], fmt: str, rules: list[Any], gaps: list[str], extra: dict[str, Any],
            output: Path | None, appendix: str = "") -> None:  # fmt: skip
    from hullguard.cloud.report import ReporterMissing, render_findings

    try:
        text = render_findings(findings, fmt, rules, gaps, extra, color=output is None and sys.stdout.isatty())
    except ReporterMissing as exc:
        fail(f"{exc}; install hullguard[scan]")
    if appendix and fmt in ("terminal", "markdown"):
        text = text.rstrip("\n") + "\n\n" + appendix
    _emit(text, output)


def _exit_code(findings: list[Finding], fail_on: str) -> int:
    threshold = _severity(fail_on)
    return EXIT_FINDINGS if any(f.severity >= threshold for f in findings) else EXIT_CLEAN


class _Progress:
    """A rich progress bar on stderr (only on a terminal) fed from collector threads."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.progress: Any = None
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=Console(stderr=True), transient=True)  # fmt: skip
            self.progress.__enter__()
        return self

    def __call__(self, label: str, done: int, total: int) -> None:
        if self.progress is None:
            return
        task = self.tasks.get(label)
        if task is None:
            task = self.tasks[label] = self.progress.add_task(clean(label), total=max(total, 1))
        self.progress.update(task, completed=done, total=max(total, 1))

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(None, None, None)


def _targets(profile: str | None, role_arn: str | None, organization: bool, role_name: str | None,
             external_id: str | None, coverage: Any) -> list[Any]:  # fmt: skip
    from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

    from hullguard.cloud.coverage import describe
    from hullguard.cloud.session import base_session, resolve_targets

    try:
        session = base_session(profile)
        return resolve_targets(session, coverage, role_arn, organization, role_name, external_id)
    except ProfileNotFound as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))
    except (ClientError, BotoCoreError) as exc:
        fail(f"cannot use the AWS credentials: {describe(exc)}")


def _upload(url: str, api_key: str | None, inventory: list[dict[str, Any]], findings: list[Finding],
            application: str) -> None:  # fmt: skip
    from hullguard.console.client import CollectorError, request_json

    if not api_key:
        fail("--upload needs --api-key")
    try:
        request_json(url, "/api/v1/inventory", api_key, {"source": "audit", "functions": inventory})
        request_json(url, "/api/v1/posture", api_key,
                     {"application": application, "source": "audit", "findings": [f.to_dict() for f in findings]})
    except CollectorError as exc:
        fail(f"upload failed: {exc}")
    typer.echo(f"uploaded {len(inventory)} functions and {len(findings)} findings to {clean(url)}", err=True)


def register(app: typer.Typer) -> None:
    """Add this module's command(s) to the CLI."""
    audit = typer.Typer(
        name="audit",
        help="Audit live AWS accounts: every function, the posture rules, PureSec's Config rules and more.",
        invoke_without_command=True,
        no_args_is_help=False,
    )

    @audit.callback()
    def audit_accounts(
        ctx: typer.Context,
        regions: list[str] = typer.Option(None, "--regions", help="Regions (comma-separated or repeated); default: all enabled."),
        profile: str = typer.Option(None, "--profile", help="AWS profile (default: the usual boto3 chain)."),
        role_arn: str = typer.Option(None, "--role-arn", help="Assume this read-only role (one account, or the role name for --organization)."),
        organization: bool = typer.Option(False, "--organization", help="Audit every active account of the AWS Organization."),
        role_name: str = typer.Option(None, "--role-name", help="Role to assume in each organization account (default HullguardAuditRole)."),
        external_id: str = typer.Option(None, "--external-id", help="External id for AssumeRole."),
        fmt: str = typer.Option("terminal", "--format", "-f", help="terminal, json, sarif, junit or markdown."),
        output: Path = typer.Option(None, "--output", "-o", help="Write the report to this file."),
        upload: str = typer.Option(None, "--upload", help="Console URL to send the inventory and findings to."),
        api_key: str = typer.Option(None, "--api-key", envvar="HULLGUARD_API_KEY", help="Console API key."),
        unused_days: int = typer.Option(90, "--unused-days", min=0, help="Report functions not invoked for N days (0: off)."),
        cloudtrail: bool = typer.Option(True, "--cloudtrail/--no-cloudtrail", help="Look up console deployments with LookupEvents."),
        cloudtrail_dir: Path = typer.Option(None, "--cloudtrail-dir", help="Read console deployments from local CloudTrail log files instead."),
        trusted_layer_account: list[str] = typer.Option(None, "--trusted-layer-account", help="Layer publisher accounts not to report."),
        fail_on: str = typer.Option("low", "--fail-on", help="Exit 1 when a finding is at or above this severity."),
        workers: int = typer.Option(4, "--workers", min=1, max=32, help="Regions/accounts collected in parallel."),
    ) -> None:  # fmt: skip
        """Audit live accounts (runs when no sub-command is given)."""
        if ctx.invoked_subcommand is not None:
            return
        _check_format(fmt)
        _severity(fail_on)
        code = run_account_audit(
            regions=_split(regions), profile=profile, role_arn=role_arn, organization=organization,
            role_name=role_name, external_id=external_id, fmt=fmt, output=output, upload=upload, api_key=api_key,
            unused_days=unused_days, cloudtrail=cloudtrail, cloudtrail_dir=cloudtrail_dir,
            trusted_layer_accounts=_split(trusted_layer_account), fail_on=fail_on, workers=workers,
        )  # fmt: skip
        raise typer.Exit(code)

    @audit.command("config-rules")
    def config_rules(
        template: bool = typer.Option(False, "--template", help="Print the deployable SAM template."),
        code_uri: str = typer.Option("build/config-rules", "--code-uri", help="CodeUri of the rule function."),
        frequency: str = typer.Option("TwentyFour_Hours", "--frequency", help="Schedule of the periodic rules."),
    ) -> None:  # fmt: skip
        """The account rules as AWS Config custom rules: list them, or print the SAM template."""
        from hullguard.cloud.config_rules.template import render_template, rule_name
        from hullguard.cloud.rules import RULES

        allowed = ("One_Hour", "Three_Hours", "Six_Hours", "Twelve_Hours", "TwentyFour_Hours")
        if frequency not in allowed:
            fail(f"--frequency must be one of {', '.join(allowed)}")
        if template:
            typer.echo(render_template(code_uri, frequency), nl=False)
            return
        for rule in RULES:
            if rule.config_rule:
                typer.echo(f"{rule_name(rule.id):28} {rule.id}  {rule.title}")
        typer.echo("\nManaged rules to enable beside these (not duplicated): lambda-function-public-access-prohibited, "
                   "lambda-concurrency-check, lambda-dlq-check, lambda-inside-vpc, lambda-function-settings-check, "
                   "lambda-function-url-auth-type-check (where offered). `--template` prints the SAM template.")  # fmt: skip

    @audit.command("cloudtrail")
    def cloudtrail_cmd(
        lookup: bool = typer.Option(False, "--lookup", help="Read the last 90 days with the LookupEvents API."),
        s3: str = typer.Option(None, "--s3", help="Read log files from s3://bucket/prefix."),
        directory: Path = typer.Option(None, "--dir", help="Read log files from a local directory (AWSLogs/...)."),
        engine: str = typer.Option("duckdb", "--engine", help="duckdb (embedded) or athena."),
        ci_role: list[str] = typer.Option(None, "--ci-role", help="CI/CD role ARN or name allowed to change functions (repeat)."),
        expected_network: list[str] = typer.Option(None, "--expected-network", help="CIDR a function's credentials may be used from (repeat)."),
        regions: list[str] = typer.Option(None, "--regions", help="Regions for --lookup (default: the session's)."),
        profile: str = typer.Option(None, "--profile", help="AWS profile."),
        athena_database: str = typer.Option("default", "--athena-database"),
        athena_table: str = typer.Option("cloudtrail_logs", "--athena-table"),
        athena_output: str = typer.Option(None, "--athena-output", help="s3:// location for Athena results."),
        athena_workgroup: str = typer.Option("primary", "--athena-workgroup"),
        print_sql: bool = typer.Option(False, "--print-sql", help="Print the detection SQL for --engine and exit."),
        athena_ddl: str = typer.Option(None, "--athena-ddl", help="Print the Athena table DDL for this s3:// LOCATION and exit."),
        fmt: str = typer.Option("terminal", "--format", "-f"),
        output: Path = typer.Option(None, "--output", "-o"),
        fail_on: str = typer.Option("low", "--fail-on"),
    ) -> None:  # fmt: skip
        """Find console deployments, out-of-band changes, stolen function credentials, permission and trail changes."""
        from hullguard.cloud.cloudtrail.queries import Dialect, all_queries
        from hullguard.cloud.cloudtrail.schema import athena_ddl as ddl

        if engine not in ("duckdb", "athena"):
            fail("--engine must be duckdb or athena")
        dialect = Dialect(engine, athena_table if engine == "athena" else "cloudtrail_logs")
        if athena_ddl:
            typer.echo(ddl(athena_ddl, athena_table))
            return
        if print_sql:
            for name, sql in all_queries(dialect, _split(ci_role)).items():
                typer.echo(f"-- {name}\n{sql};\n")
            return
        _check_format(fmt)
        _severity(fail_on)
        from hullguard.cloud.cli_runs import run_cloudtrail

        code = run_cloudtrail(
            lookup=lookup, s3=s3, directory=directory, dialect=dialect, ci_roles=_split(ci_role),
            networks=_split(expected_network), regions=_split(regions), profile=profile,
            athena=(athena_database, athena_output, athena_workgroup), fmt=fmt, output=output,
            fail_on=_severity(fail_on), render=_render,
        )  # fmt: skip
        raise typer.Exit(code)

    @audit.command("cloudwatch")
    def cloudwatch_cmd(
        regions: list[str] = typer.Option(None, "--regions"),
        profile: str = typer.Option(None, "--profile"),
        role_arn: str = typer.Option(None, "--role-arn"),
        organization: bool = typer.Option(False, "--organization"),
        role_name: str = typer.Option(None, "--role-name"),
        days: int = typer.Option(14, "--days", min=2, max=455, help="Days of metrics (baseline + last 24 h)."),
        fmt: str = typer.Option("terminal", "--format", "-f"),
        output: Path = typer.Option(None, "--output", "-o"),
        fail_on: str = typer.Option("low", "--fail-on"),
        workers: int = typer.Option(4, "--workers", min=1, max=32),
    ) -> None:  # fmt: skip
        """Denial of service and cost: concurrency, throttles, errors, timeouts, spikes, DLQ, iterator age, cost."""
        _check_format(fmt)
        _severity(fail_on)
        from hullguard.cloud.cli_runs import run_cloudwatch
        from hullguard.cloud.coverage import Coverage

        coverage = Coverage()
        targets = _targets(profile, role_arn, organization, role_name, None, coverage)
        code = run_cloudwatch(targets, coverage, _split(regions), days, fmt, output, _severity(fail_on), workers,
                              render=_render)  # fmt: skip
        raise typer.Exit(code)

    @audit.command("demo")
    def demo_cmd(
        fmt: str = typer.Option("terminal", "--format", "-f"),
        output: Path = typer.Option(None, "--output", "-o"),
    ) -> None:
        """Audit a seeded 'messy account' on a local moto server: no AWS account needed."""
        _check_format(fmt)
        from hullguard.cloud.demo.run import run_demo

        raise typer.Exit(run_demo(fmt, output, render=_render))

    app.add_typer(audit)


def run_account_audit(
    *, regions: list[str], profile: str | None, role_arn: str | None, organization: bool, role_name: str | None,
    external_id: str | None, fmt: str, output: Path | None, upload: str | None, api_key: str | None,
    unused_days: int, cloudtrail: bool, cloudtrail_dir: Path | None, trusted_layer_accounts: list[str],
    fail_on: str, workers: int,
) -> int:  # fmt: skip
    from hullguard.cloud.audit import run_audit
    from hullguard.cloud.cli_runs import console_marker
    from hullguard.cloud.coverage import Coverage

    if upload and not api_key:
        fail("--upload needs --api-key (or HULLGUARD_API_KEY)")
    if cloudtrail_dir is not None and not cloudtrail_dir.is_dir():
        fail(f"--cloudtrail-dir {cloudtrail_dir}: not a directory")
    coverage = Coverage()
    targets = _targets(profile, role_arn, organization, role_name, external_id, coverage)
    marker = console_marker(cloudtrail, cloudtrail_dir)
    with _Progress(fmt == "terminal" or output is not None) as progress:
        report = run_audit(targets, coverage, regions or None, unused_days, frozenset(trusted_layer_accounts),
                           marker, progress, region_workers=workers)  # fmt: skip
    return finish_audit(report, fmt, output, upload, api_key, fail_on)


def finish_audit(report: Any, fmt: str, output: Path | None, upload: str | None, api_key: str | None,
                 fail_on: str) -> int:  # fmt: skip
    from hullguard.cloud.rules import RULES

    gaps = [str(g) for g in report.gaps]
    if not report.scanner_rules:
        gaps.append("posture scanner rules not available (hullguard[scan] not installed): account rules only")
    extra = {"coverage": report.coverage(), "inventory": report.inventory()}
    summary = f"{report.functions} functions in {len(report.regions)} account-region(s); {len(report.gaps)} coverage gap(s)"
    _render(report.findings, fmt, list(RULES), gaps, extra, output, appendix=summary)
    if upload:
        _upload(upload, api_key, report.inventory(), report.findings, "audit")
    if not report.regions and report.gaps:
        typer.echo("hullguard: nothing could be audited; see the coverage gaps above", err=True)
        return EXIT_BAD_INPUT
    return _exit_code(report.findings, fail_on)
