"""``hullguard audit demo``: the whole audit on a seeded messy account served by a local moto server.

The audit, the CloudTrail analysis and the CloudWatch analysis run exactly as against AWS (boto3
over HTTP to ``AWS_ENDPOINT_URL``); only the data is made up.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

REGIONS = ["us-east-1", "eu-west-1"]


def run_demo(fmt: str, output: Path | None, render: Callable[..., None]) -> int:
    import boto3

    from hullguard.cloud.audit import run_audit
    from hullguard.cloud.cli_runs import console_marker, watch
    from hullguard.cloud.cloudtrail.detect import TRAIL_RULES, analyse
    from hullguard.cloud.cloudtrail.sources import log_files
    from hullguard.cloud.cloudtrail.store import TrailStore
    from hullguard.cloud.cloudwatch.analysis import WATCH_RULES
    from hullguard.cloud.coverage import Coverage
    from hullguard.cloud.demo.account import seed_account, seed_metrics
    from hullguard.cloud.demo.server import moto_server
    from hullguard.cloud.demo.trail import CI_ROLE, story_records, write_log_files
    from hullguard.cloud.rules import RULES
    from hullguard.cloud.session import resolve_targets

    now = dt.datetime.now(dt.timezone.utc)
    say: Callable[[str], Any] = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    with moto_server() as url, tempfile.TemporaryDirectory(prefix="hullguard-demo-") as tmp:
        say(f"moto server on {url}; seeding the messy account ...")
        session = boto3.Session(region_name="us-east-1")
        seeded = seed_account(session)
        seed_metrics(session, seeded, now, days=7)
        trail_dir = Path(tmp)
        write_log_files(trail_dir, story_records(base=now - dt.timedelta(days=2)))
        coverage = Coverage()
        targets = resolve_targets(session, coverage)
        say("auditing the account (inventory, posture rules, account rules) ...")
        report = run_audit(targets, coverage, REGIONS, unused_days=90, console_lookup=console_marker(False, trail_dir))
        say("analysing CloudTrail on DuckDB ...")
        store = TrailStore()
        records = store.load(log_files(trail_dir))
        trail = analyse(store.query, ci_roles=[CI_ROLE], expected_networks=["3.0.0.0/8"])
        store.close()
        say("analysing CloudWatch metrics ...")
        watch_findings, costs, _accounts = watch(targets, report.regions, coverage, days=7, now=now, percentiles=False)
    findings = report.findings + trail.findings + watch_findings
    gaps = [str(g) for g in coverage.sorted()] + trail.notes
    total = sum(c["total_usd"] for c in costs.values())
    appendix = (
        f"Demo account: {report.functions} functions in {len(report.regions)} regions, {records} CloudTrail records, "
        f"estimated Lambda cost over 7 days ${total:,.2f}."
    )
    extra = {"coverage": report.coverage(), "inventory": report.inventory(), "cost": costs}
    render(findings, fmt, [*RULES, *TRAIL_RULES, *WATCH_RULES], gaps, extra, output, appendix)
    return 1 if findings else 0
