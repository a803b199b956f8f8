"""One scan end to end, as a library call the CLI (and tests) use: load, evaluate, baseline."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hullguard.events.schema import Severity
from hullguard.model.app import Application, Function
from hullguard.model.finding import Finding
from hullguard.scanner.engine import run
from hullguard.scanner.loaders import Problem, load_applications, plan
from hullguard.scanner.rules import Rule, all_rules

BASELINE_VERSION = 1
HULLGUARD_HANDLER = "hullguard.handler.handler"


@dataclass
class ScanReport:
    root: Path
    applications: list[Application] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[tuple[Finding, str]] = field(default_factory=list)
    baselined: int = 0
    load_problems: list[Problem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    protected: dict[int, bool] = field(default_factory=dict)  # id(Function) -> uses hullguard

    @property
    def all_problems(self) -> list[str]:
        return [str(p) for p in self.load_problems] + self.problems

    def at_or_above(self, threshold: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity >= threshold]


def select_rules(only: list[str] | None = None, skip: list[str] | None = None) -> list[type[Rule]]:
    rules = list(all_rules())
    known = {r.id for r in rules}
    unknown = sorted({i for i in (only or []) + (skip or []) if i not in known})
    if unknown:
        raise ValueError(f"unknown rule id(s): {', '.join(unknown)}")
    if only:
        rules = [r for r in rules if r.id in only]
    if skip:
        rules = [r for r in rules if r.id not in skip]
    return rules


def scan(
    root: Path,
    *,
    rules: list[type[Rule]] | None = None,
    osv_db: Path | None = None,
    baseline: Path | None = None,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    jobs: int | None = None,
) -> ScanReport:
    """Scan ``root``; ``jobs`` processes (1: serial; None: one per CPU when the tree has enough inputs).
    The result is the same whatever ``jobs`` is."""
    from hullguard.scanner.parallel import scan_in_pool, worker_count

    root = Path(root)
    if jobs is not None and jobs < 1:
        raise ValueError(f"--jobs must be at least 1, not {jobs}")
    found, candidates = plan(root)
    workers = worker_count(jobs, len(candidates))
    if workers > 1:
        loaded, outcome = scan_in_pool(
            found,
            candidates,
            root,
            workers=workers,
            rules=rules if rules is not None else list(all_rules()),
            osv_db=osv_db,
            today=today,
            progress=progress,
        )
    else:
        loaded = load_applications(root, progress=progress)
        outcome = run(loaded.applications, root, rules=rules, osv_db=osv_db, today=today)
    report = ScanReport(root=root, applications=loaded.applications, load_problems=loaded.problems)
    report.findings, report.suppressed = outcome.findings, outcome.suppressed
    report.problems = outcome.problems
    if baseline is not None:
        known = read_baseline(baseline)
        kept = [f for f in report.findings if f.fingerprint not in known]
        report.baselined = len(report.findings) - len(kept)
        report.findings = kept
    return report


def read_baseline(path: Path) -> set[str]:
    """Fingerprints in a baseline file; ValueError with the reason when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read baseline {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"baseline {path} is not JSON: {exc.msg} (line {exc.lineno})") from None
    if (
        not isinstance(data, dict)
        or data.get("version") != BASELINE_VERSION
        or not isinstance(data.get("fingerprints"), list)
    ):
        raise ValueError(f"baseline {path} is not a hullguard baseline (version {BASELINE_VERSION})")
    return {str(f) for f in data["fingerprints"]}


def baseline_document(findings: list[Finding]) -> str:
    entries = sorted({f.fingerprint for f in findings})
    return json.dumps({"version": BASELINE_VERSION, "tool": "hullguard scan", "fingerprints": entries}, indent=2) + "\n"


def is_protected(fn: Function, code_protected: bool) -> bool:
    """The function runs under hullguard: wrapper handler, @protect, the layer, or the exec wrapper."""
    if fn.protected:
        return True
    if fn.handler == HULLGUARD_HANDLER or code_protected:
        return True
    if any("hullguard" in str(layer).lower() for layer in fn.layers):
        return True
    return "hullguard" in str(fn.environment.get("AWS_LAMBDA_EXEC_WRAPPER", "")).lower()


def inventory(report: ScanReport) -> list[dict[str, Any]]:
    """Functions as the console's inventory API expects them."""
    from hullguard.scanner.code.index import CodeIndex

    index = CodeIndex(report.root)
    out = []
    for app in report.applications:
        for fn in app.functions:
            code = index.for_function(fn)
            out.append(
                {
                    "name": str(fn.name) if isinstance(fn.name, str) else fn.logical_id,
                    "version": "$LATEST",
                    "account": app.account if isinstance(app.account, str) else None,
                    "region": app.region if isinstance(app.region, str) else None,
                    "runtime": fn.runtime if isinstance(fn.runtime, str) else None,
                    "protected": is_protected(fn, bool(code and code.protected)),
                    "application": app.name,
                    "last_deployed": fn.last_modified,
                }
            )
    return out
