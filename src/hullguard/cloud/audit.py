"""One audit run: collect, look up console deployments, judge, and build the report.

The posture scanner's rules run on the same live models (``hullguard.scanner.engine.evaluate``), so a
deployed function is held to what its repository would be; the account-only rules add what only an
account shows. Coverage gaps travel with the findings so a report never looks cleaner than it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from hullguard.cloud.collectors.facts import LiveRegion
from hullguard.cloud.collectors.runner import ProgressSink, collect
from hullguard.cloud.coverage import Coverage, Gap
from hullguard.cloud.inventory import inventory
from hullguard.cloud.rules import RuleContext, evaluate_live
from hullguard.cloud.session import Target
from hullguard.model.finding import Finding


@dataclass
class AuditReport:
    regions: list[LiveRegion]
    findings: list[Finding]
    gaps: list[Gap]
    scanner_rules: bool  # False when the posture scanner's engine was not importable
    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    @property
    def functions(self) -> int:
        return sum(len(r.app.functions) for r in self.regions)

    def inventory(self) -> list[dict[str, Any]]:
        return inventory(self.regions)

    def coverage(self) -> dict[str, Any]:
        return {
            "accounts": sorted({r.account for r in self.regions}),
            "regions": sorted({r.region for r in self.regions}),
            "functions": self.functions,
            "gaps": [g.to_dict() for g in self.gaps],
            "scanner_rules": self.scanner_rules,
        }


def scanner_findings(regions: list[LiveRegion]) -> tuple[list[Finding], bool]:
    """Run the posture scanner's rules on the live models, if the scanner is installed."""
    try:
        from hullguard.scanner.engine import evaluate
    except ImportError:
        return [], False
    findings: list[Finding] = list(evaluate([r.app for r in regions]))
    for finding in findings:
        live = next((r for r in regions if r.app.name == finding.application), None)
        if live is not None and finding.function and finding.function in live.facts:
            finding.detail.setdefault("arn", live.facts[finding.function].arn)
            finding.detail.setdefault("account", live.account)
            finding.detail.setdefault("region", live.region)
    return findings, True


def run_audit(
    targets: list[Target],
    coverage: Coverage,
    regions: list[str] | None = None,
    unused_days: int = 0,
    trusted_layer_accounts: frozenset[str] = frozenset(),
    console_lookup: Callable[[Target, LiveRegion, Coverage], None] | None = None,
    progress: ProgressSink | None = None,
    region_workers: int = 4,
    function_workers: int = 8,
) -> AuditReport:
    live_regions = collect(
        targets,
        coverage,
        regions=regions,
        region_workers=region_workers,
        function_workers=function_workers,
        unused_days=unused_days,
        progress=progress,
    )
    if console_lookup is not None:
        by_account = {t.account: t for t in targets}
        lookup = console_lookup

        def mark(live: LiveRegion) -> None:
            try:
                lookup(by_account[live.account], live, coverage)
            except Exception as exc:  # e.g. an emulator without LookupEvents: a gap, not a crash
                coverage.add(live.account, live.region, "console deployments (CloudTrail)", exc, reason="error")

        # LookupEvents is limited per account and region, so regions are looked up side by side.
        with ThreadPoolExecutor(max_workers=max(1, region_workers), thread_name_prefix="hg-trail") as pool:
            list(pool.map(mark, live_regions))
    ctx = RuleContext(unused_days=unused_days, trusted_layer_accounts=trusted_layer_accounts)
    return build_report(live_regions, coverage, ctx)


def build_report(live_regions: list[LiveRegion], coverage: Coverage, ctx: RuleContext) -> AuditReport:
    account_findings = evaluate_live(live_regions, ctx)
    posture, have_scanner = scanner_findings(live_regions)
    findings = merge(posture, account_findings)
    findings.sort(key=lambda f: (f.application, f.function or "", -f.severity.id, f.rule_id))
    return AuditReport(live_regions, findings, coverage.sorted(), have_scanner)


# Account rules that the posture scanner states too: on a live audit, the scanner's finding is kept
# (same id as in CI), the account rule's is dropped for that function. The AWS Config rules, which
# run without the scanner, keep the account rules.
EQUIVALENT = {
    "HG-AUDIT-002": {"HG-IAM-012"},
    "HG-AUDIT-003": {"HG-CFG-005"},
    "HG-AUDIT-004": {"HG-IAM-001", "HG-IAM-003", "HG-IAM-010"},
    "HG-AUDIT-006": {"HG-AUTH-003"},
    "HG-AUDIT-007": {"HG-AUTH-002"},
}


def merge(posture: list[Finding], account: list[Finding]) -> list[Finding]:
    """Scanner findings plus account findings, without saying the same thing twice about one function."""
    stated = {(f.application, f.function, f.rule_id) for f in posture}
    # The scanner states a shared role's problems once, on the role (no function, resource = role name).
    stated_roles = {(f.application, f.resource, f.rule_id) for f in posture if f.function is None}
    out = list(posture)
    for finding in account:
        twins = EQUIVALENT.get(finding.rule_id, set())
        role = finding.detail.get("role")
        if any((finding.application, finding.function, twin) in stated for twin in twins):
            continue
        if role and any((finding.application, role, twin) in stated_roles for twin in twins):
            continue
        out.append(finding)
    return out
