"""`hullguard audit`: audit live AWS accounts (inventory, posture and account rules), AWS Config rules,
CloudTrail and CloudWatch analyses. The cloud part is imported inside each command (it needs boto3
and DuckDB from the ``cloud`` extra), so the rest of the CLI works without it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

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


def _render(
    findings: list[Finding],
    fmt: str,
    rules: list[Any],
    gaps: list[str],
    extra: dict[str, Any],
    output: Path | None,
    appendix: str = "",
) -> None:
    from hullguard.cloud.report import ReporterMissing, render_findings

    try:
        text = render_findings(findings, fmt, rules, gaps, extra, color=output is None and sys.stdout.isatty())
    except ReporterMissing as exc:
        fail(f"{exc}; install hullguard[scan]")
    if appendix and fmt in ("terminal", "markdown"):
        text = text.rstrip("\n") + "\n\n" + clean(appendix)
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

            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
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


def _targets(
    profile: str | None,
    role_arn: str | None,
    organization: bool,
    role_name: str | None,
    external_id: str | None,
    coverage: Any,
) -> list[Any]:
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


def _upload(url: str, api_key: str | None, report: Any) -> None:
    from hullguard.cloud.upload import upload_audit
    from hullguard.console.client import CollectorError

    if not api_key:
        fail("--upload needs --api-key")
    try:
        functions, scans = upload_audit(url, api_key, report)
    except CollectorError as exc:
        fail(f"upload failed: {exc}")
    typer.echo(f"uploaded {functions} functions and {scans} posture scan(s) to {clean(url)}", err=True)


# Options shared by several sub-commands.
Regions = Annotated[
    Optional[list[str]],  # noqa: UP045 - typer reads the annotation at runtime
    typer.Option("--regions", help="Regions (comma-separated or repeated); default: all enabled."),
]
Profile = Annotated[Optional[str], typer.Option("--profile", help="AWS profile (default: the boto3 chain).")]  # noqa: UP045
RoleArn = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--role-arn", help="Assume this read-only role (one account; its name for --organization)."),
]
Organization = Annotated[bool, typer.Option("--organization", help="Audit every active account of the Organization.")]
RoleName = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--role-name", help="Role assumed in each organization account (default HullguardAuditRole)."),
]
Format = Annotated[str, typer.Option("--format", "-f", help="terminal, json, sarif, junit or markdown.")]
Output = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to this file.")]  # noqa: UP045
FailOn = Annotated[str, typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity.")]
Workers = Annotated[int, typer.Option("--workers", min=1, max=32, help="Regions collected in parallel.")]
Many = Optional[list[str]]  # noqa: UP045
Text = Optional[str]  # noqa: UP045


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
        regions: Regions = None,
        profile: Profile = None,
        role_arn: RoleArn = None,
        organization: Organization = False,
        role_name: RoleName = None,
        external_id: Annotated[Text, typer.Option("--external-id", help="External id for AssumeRole.")] = None,
        fmt: Format = "terminal",
        output: Output = None,
        upload: Annotated[Text, typer.Option("--upload", help="Console URL to send inventory and findings to.")] = None,
        api_key: Annotated[Text, typer.Option("--api-key", envvar="HULLGUARD_API_KEY", help="Console API key.")] = None,
        unused_days: Annotated[
            int, typer.Option("--unused-days", min=0, help="Report functions not invoked for N days (0: off).")
        ] = 90,
        cloudtrail: Annotated[
            bool, typer.Option("--cloudtrail/--no-cloudtrail", help="Find console deployments with LookupEvents.")
        ] = True,
        cloudtrail_dir: Annotated[
            Optional[Path],  # noqa: UP045
            typer.Option("--cloudtrail-dir", help="Find console deployments in local CloudTrail log files instead."),
        ] = None,
        trusted_layer_account: Annotated[
            Many, typer.Option("--trusted-layer-account", help="Layer publisher accounts not to report.")
        ] = None,
        fail_on: FailOn = "low",
        workers: Workers = 4,
    ) -> None:
        """Audit live accounts (runs when no sub-command is given)."""
        if ctx.invoked_subcommand is not None:
            return
        _check_format(fmt)
        _severity(fail_on)
        code = run_account_audit(
            regions=_split(regions),
            profile=profile,
            role_arn=role_arn,
            organization=organization,
            role_name=role_name,
            external_id=external_id,
            fmt=fmt,
            output=output,
            upload=upload,
            api_key=api_key,
            unused_days=unused_days,
            cloudtrail=cloudtrail,
            cloudtrail_dir=cloudtrail_dir,
            trusted_layer_accounts=_split(trusted_layer_account),
            fail_on=fail_on,
            workers=workers,
        )
        raise typer.Exit(code)

    @audit.command("config-rules")
    def config_rules(
        template: Annotated[bool, typer.Option("--template", help="Print the deployable SAM template.")] = False,
        code_uri: Annotated[str, typer.Option("--code-uri", help="CodeUri of the rule function.")] = (
            "build/config-rules"
        ),
        frequency: Annotated[str, typer.Option("--frequency", help="Schedule of the periodic rules.")] = (
            "TwentyFour_Hours"
        ),
    ) -> None:
        """The account rules as AWS Config custom rules: list them, or print the SAM template."""
        from hullguard.cloud.config_rules.template import MANAGED_RULES, render_template, rule_name
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
        typer.echo("\nAWS managed rules to enable beside these (hullguard does not duplicate them):")
        for name, why in MANAGED_RULES:
            typer.echo(f"  {name:44} {why}")
        typer.echo("\n`hullguard audit config-rules --template` prints the SAM template.")

    @audit.command("cloudtrail")
    def cloudtrail_cmd(
        lookup: Annotated[bool, typer.Option("--lookup", help="Read events with the LookupEvents API.")] = False,
        lookup_days: Annotated[
            int, typer.Option("--lookup-days", min=1, max=90, help="Days read by --lookup (2 requests/s).")
        ] = 90,
        s3: Annotated[Text, typer.Option("--s3", help="Read log files from s3://bucket/prefix.")] = None,
        directory: Annotated[
            Optional[Path],  # noqa: UP045
            typer.Option("--dir", help="Read log files from a local directory (AWSLogs/...)."),
        ] = None,
        engine: Annotated[str, typer.Option("--engine", help="duckdb (embedded) or athena.")] = "duckdb",
        ci_role: Annotated[
            Many, typer.Option("--ci-role", help="CI/CD role ARN or name allowed to change functions (repeat).")
        ] = None,
        expected_network: Annotated[
            Many, typer.Option("--expected-network", help="CIDR function credentials may be used from (repeat).")
        ] = None,
        regions: Annotated[
            Many, typer.Option("--regions", help="Regions for --lookup (default: the session's).")
        ] = None,
        profile: Profile = None,
        athena_database: Annotated[str, typer.Option("--athena-database")] = "default",
        athena_table: Annotated[str, typer.Option("--athena-table")] = "cloudtrail_logs",
        athena_output: Annotated[Text, typer.Option("--athena-output", help="s3:// location for results.")] = None,
        athena_workgroup: Annotated[str, typer.Option("--athena-workgroup")] = "primary",
        print_sql: Annotated[bool, typer.Option("--print-sql", help="Print the detection SQL and exit.")] = False,
        athena_ddl: Annotated[
            Text, typer.Option("--athena-ddl", help="Print the Athena table DDL for this s3:// LOCATION and exit.")
        ] = None,
        fmt: Format = "terminal",
        output: Output = None,
        fail_on: FailOn = "low",
    ) -> None:
        """Find console deployments, out-of-band changes, stolen function credentials, permission and trail changes."""
        from hullguard.cloud.cloudtrail.queries import Dialect, all_queries
        from hullguard.cloud.cloudtrail.schema import athena_ddl as ddl

        if engine not in ("duckdb", "athena"):
            fail("--engine must be duckdb or athena")
        try:
            dialect = Dialect(engine, athena_table if engine == "athena" else "cloudtrail_logs")
        except ValueError as exc:
            fail(str(exc))
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
            lookup=lookup,
            s3=s3,
            directory=directory,
            dialect=dialect,
            ci_roles=_split(ci_role),
            networks=_split(expected_network),
            regions=_split(regions),
            profile=profile,
            athena=(athena_database, athena_output, athena_workgroup),
            fmt=fmt,
            output=output,
            fail_on=_severity(fail_on),
            render=_render,
            lookup_days=lookup_days,
        )
        raise typer.Exit(code)

    @audit.command("cloudwatch")
    def cloudwatch_cmd(
        regions: Regions = None,
        profile: Profile = None,
        role_arn: RoleArn = None,
        organization: Organization = False,
        role_name: RoleName = None,
        days: Annotated[
            int, typer.Option("--days", min=2, max=455, help="Days of metrics (baseline + last day).")
        ] = 14,
        fmt: Format = "terminal",
        output: Output = None,
        fail_on: FailOn = "low",
        workers: Workers = 4,
    ) -> None:
        """Denial of service and cost: concurrency, throttles, errors, timeouts, spikes, DLQ, iterator age, cost."""
        _check_format(fmt)
        _severity(fail_on)
        from hullguard.cloud.cli_runs import run_cloudwatch
        from hullguard.cloud.coverage import Coverage

        coverage = Coverage()
        targets = _targets(profile, role_arn, organization, role_name, None, coverage)
        code = run_cloudwatch(
            targets, coverage, _split(regions), days, fmt, output, _severity(fail_on), workers, render=_render
        )
        raise typer.Exit(code)

    @audit.command("demo")
    def demo_cmd(fmt: Format = "terminal", output: Output = None) -> None:
        """Audit a seeded 'messy account' on a local moto server: no AWS account needed."""
        _check_format(fmt)
        from hullguard.cloud.demo.run import run_demo

        raise typer.Exit(run_demo(fmt, output, render=_render))

    app.add_typer(audit)


def run_account_audit(
    *,
    regions: list[str],
    profile: str | None,
    role_arn: str | None,
    organization: bool,
    role_name: str | None,
    external_id: str | None,
    fmt: str,
    output: Path | None,
    upload: str | None,
    api_key: str | None,
    unused_days: int,
    cloudtrail: bool,
    cloudtrail_dir: Path | None,
    trusted_layer_accounts: list[str],
    fail_on: str,
    workers: int,
) -> int:
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
        report = run_audit(
            targets,
            coverage,
            regions or None,
            unused_days,
            frozenset(trusted_layer_accounts),
            marker,
            progress,
            region_workers=workers,
        )
    return finish_audit(report, fmt, output, upload, api_key, fail_on)


def finish_audit(
    report: Any, fmt: str, output: Path | None, upload: str | None, api_key: str | None, fail_on: str
) -> int:
    from hullguard.cloud.rules import RULES

    gaps = [str(g) for g in report.gaps]
    if not report.scanner_rules:
        gaps.append("posture scanner rules not available (hullguard[scan] not installed): account rules only")
    extra = {"coverage": report.coverage(), "inventory": report.inventory()}
    summary = (
        f"{report.functions} functions in {len(report.regions)} account-region(s); {len(report.gaps)} coverage gap(s)"
    )
    _render(report.findings, fmt, list(RULES), gaps, extra, output, appendix=summary)
    if upload:
        _upload(upload, api_key, report)
    if not report.regions and report.gaps:
        typer.echo("hullguard: nothing could be audited; see the coverage gaps above", err=True)
        return EXIT_BAD_INPUT
    return _exit_code(report.findings, fail_on)
