"""The work behind ``hullguard audit cloudtrail|cloudwatch`` (the CLI module only parses options)."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from hullguard.cloud.collectors.facts import LiveRegion
from hullguard.cloud.coverage import Coverage, describe
from hullguard.cloud.session import Target
from hullguard.events.schema import Severity
from hullguard.model.finding import Finding

Render = Callable[..., None]


def console_marker(use_lookup: bool, directory: Path | None) -> Callable[[Target, LiveRegion, Coverage], None] | None:
    """How ``audit`` learns which functions were deployed from the console: local logs, LookupEvents, or not."""
    if directory is not None:
        cache: dict[str, list[dict[str, Any]]] = {}

        def from_directory(target: Target, live: LiveRegion, coverage: Coverage) -> None:
            from hullguard.cloud.cloudtrail.queries import console_changes
            from hullguard.cloud.cloudtrail.sources import log_files
            from hullguard.cloud.cloudtrail.store import TrailStore

            if "rows" not in cache:
                store = TrailStore()
                store.load(log_files(directory))
                for problem in store.problems:
                    coverage.add("", "", "cloudtrail log file", problem, reason="malformed")
                cache["rows"] = store.query(console_changes())
                store.close()
            for row in cache["rows"]:
                if row.get("account") not in (None, live.account) or row.get("awsregion") not in (None, live.region):
                    continue
                facts = live.facts.get(str(row.get("function_name")))
                if facts is not None:
                    facts.console_evidence.append(
                        f"{row['eventname']} at {row['eventtime']} by {row['principal']} ({row['evidence']})"
                    )

        return from_directory
    if use_lookup:
        from hullguard.cloud.cloudtrail.console_lookup import mark_console_functions

        return mark_console_functions
    return None


def run_cloudtrail(
    *,
    lookup: bool,
    s3: str | None,
    directory: Path | None,
    dialect: Any,
    ci_roles: list[str],
    networks: list[str],
    regions: list[str],
    profile: str | None,
    athena: tuple[str, str | None, str],
    fmt: str,
    output: Path | None,
    fail_on: Severity,
    render: Render,
    lookup_days: int = 90,
) -> int:
    from hullguard.cli.output import fail
    from hullguard.cloud.cloudtrail.detect import TRAIL_RULES, analyse
    from hullguard.cloud.session import base_session, client_config

    sources = [x for x in (lookup, s3, directory) if x]
    if dialect.name == "athena":
        if sources:
            fail("--engine athena queries the Athena table; do not give --lookup/--s3/--dir")
        from hullguard.cloud.cloudtrail.athena import AthenaError, AthenaRunner

        session = base_session(profile)
        runner = AthenaRunner(session.client("athena", config=client_config()), athena[0], athena[1], athena[2])
        try:
            report = analyse(runner.query, ci_roles, networks, dialect)
        except (AthenaError, ClientError, BotoCoreError) as exc:
            fail(f"Athena: {exc if isinstance(exc, AthenaError) else describe(exc)}")
        problems: list[str] = []
        records = None
    else:
        if len(sources) != 1:
            fail("give exactly one of --lookup, --s3 s3://bucket/prefix, --dir DIR")
        from hullguard.cloud.cloudtrail.sources import (
            TokenBucket,
            download_s3_logs,
            log_files,
            lookup_records,
            parse_s3_url,
            write_ndjson,
        )
        from hullguard.cloud.cloudtrail.store import TrailStore

        store = TrailStore()
        problems = []
        with tempfile.TemporaryDirectory(prefix="hullguard-ct-") as tmp:
            if directory is not None:
                if not directory.is_dir():
                    fail(f"--dir {directory}: not a directory")
                paths = log_files(directory)
                if not paths:
                    fail(f"--dir {directory}: no CloudTrail log files (AWSLogs/<account>/CloudTrail/...) found")
            elif s3:
                try:
                    parse_s3_url(s3)
                    session = base_session(profile)
                    paths = download_s3_logs(session.client("s3", config=client_config()), s3, Path(tmp), problems)
                except ValueError as exc:
                    fail(str(exc))
                except (ClientError, BotoCoreError) as exc:
                    fail(f"cannot list {s3}: {describe(exc)}")
            else:
                session = base_session(profile)
                paths = []
                for region in regions or [session.region_name or "us-east-1"]:
                    try:
                        client = session.client("cloudtrail", region_name=region, config=client_config())
                        start = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=lookup_days)
                        region_records = list(lookup_records(client, start=start, bucket=TokenBucket(2.0)))
                    except (ClientError, BotoCoreError) as exc:
                        problems.append(f"{region}: LookupEvents skipped ({describe(exc)})")
                        continue
                    paths.append(write_ndjson(region_records, Path(tmp) / f"lookup-{region}.json"))
            records = store.load(paths)
            problems.extend(store.problems)
            report = analyse(store.query, ci_roles, networks, dialect)
            store.close()
    gaps = problems + report.notes
    extra = {"cloudtrail": {"records": records, "engine": dialect.name, "ci_roles": ci_roles}}
    appendix = f"{records} distinct CloudTrail records analysed on {dialect.name}" if records is not None else ""
    render(report.findings, fmt, list(TRAIL_RULES), gaps, extra, output, appendix)
    return _code(report.findings, fail_on)


def _code(findings: list[Finding], fail_on: Severity) -> int:
    return 1 if any(f.severity >= fail_on for f in findings) else 0


def run_cloudwatch(
    targets: list[Target],
    coverage: Coverage,
    regions: list[str],
    days: int,
    fmt: str,
    output: Path | None,
    fail_on: Severity,
    workers: int,
    render: Render,
    now: dt.datetime | None = None,
) -> int:
    from hullguard.cloud.collectors.runner import collect

    live_regions = collect(targets, coverage, regions or None, region_workers=workers)
    findings, costs, account = watch(targets, live_regions, coverage, days, workers, now)
    return render_watch(findings, costs, account, coverage, fmt, output, fail_on, render)


def watch(
    targets: list[Target],
    live_regions: list[LiveRegion],
    coverage: Coverage,
    days: int,
    workers: int = 4,
    now: dt.datetime | None = None,
    percentiles: bool | None = None,
) -> tuple[list[Finding], dict[str, Any], dict[str, Any]]:
    from hullguard.cloud.cloudwatch.analysis import analyse_region
    from hullguard.cloud.cloudwatch.metrics import collect_metrics

    by_account = {t.account: t for t in targets}

    def one(live: LiveRegion) -> Any:
        metrics = collect_metrics(by_account[live.account], live, coverage, days=days, now=now, percentiles=percentiles)
        return live, analyse_region(live, metrics)

    findings: list[Finding] = []
    costs: dict[str, Any] = {}
    account: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for live, report in pool.map(one, live_regions):
            findings.extend(report.findings)
            costs.update(report.costs)
            account[f"{live.account}/{live.region}"] = report.account
    return findings, costs, account


def render_watch(
    findings: list[Finding],
    costs: dict[str, Any],
    account: dict[str, Any],
    coverage: Coverage,
    fmt: str,
    output: Path | None,
    fail_on: Severity,
    render: Render,
) -> int:
    from hullguard.cloud.cloudwatch.analysis import WATCH_RULES

    total = sum(c["total_usd"] for c in costs.values())
    projected = sum(c["projected_30_days_usd"] for c in costs.values())
    top = sorted(costs.values(), key=lambda c: -c["total_usd"])[:5]
    lines = [f"Estimated Lambda cost over the window: ${total:,.2f} (about ${projected:,.2f} per 30 days)"]
    lines += [
        f"  {c['function']}: ${c['total_usd']:,.2f} ({c['invocations']:,} invocations, {c['gb_seconds']:,.0f} GB-s)"
        for c in top
    ]
    extra = {
        "cost": {"total_usd": round(total, 4), "projected_30_days_usd": round(projected, 2), "functions": costs},
        "accounts": account,
        "coverage": {"gaps": [g.to_dict() for g in coverage.sorted()]},
    }
    render(findings, fmt, list(WATCH_RULES), [str(g) for g in coverage.sorted()], extra, output, "\n".join(lines))
    return _code(findings, fail_on)
