"""Run every registered rule over the application model and apply suppressions.

``evaluate(apps, root)`` is the contract other parts call; ``run`` returns the details the CLI
reports (suppressed findings, problems met while rules read code).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.rules import Rule, all_rules

# "hullguard:ignore HG-IAM-001 reason text" in a comment on the finding's line or the line above it.
INLINE_MARKER = re.compile(r"hullguard:\s*ignore\s+((?:HG-[A-Z0-9-]+\s*,?\s*)+)(.*)", re.IGNORECASE)


@dataclass
class ScanOutcome:
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[tuple[Finding, str]] = field(default_factory=list)  # finding, reason
    problems: list[str] = field(default_factory=list)


def evaluate(apps: list[Application], root: Path | None = None) -> list[Finding]:
    """Every finding of every registered rule on ``apps``, suppressions applied, in a stable order."""
    return run(apps, root).findings


def run(
    apps: list[Application],
    root: Path | None = None,
    *,
    rules: Iterable[type[Rule]] | None = None,
    osv_db: Path | None = None,
    today: dt.date | None = None,
) -> ScanOutcome:
    ctx = new_context(root, osv_db, today)
    selected = [cls() for cls in (rules if rules is not None else all_rules())]
    raw: list[Finding] = []
    rule_problems: list[str] = []
    for app in apps:
        raw.extend(check_application(app, selected, ctx, rule_problems))
    return finish(raw, apps, ctx.root, rule_problems, ctx.problems)


def new_context(root: Path | None, osv_db: Path | None, today: dt.date | None) -> ScanContext:
    ctx = ScanContext(root=Path(root) if root is not None else None, osv_db=osv_db)
    if today is not None:
        ctx.today = today
    return ctx


def check_application(app: Application, rules: list[Rule], ctx: ScanContext, problems: list[str]) -> list[Finding]:
    """Raw findings of ``rules`` on one application (before merging, de-duplication and suppression);
    a failing rule becomes a problem, never an exception."""
    raw: list[Finding] = []
    for rule in rules:
        if rule.needs_code and ctx.root is None:
            continue
        try:
            raw.extend(rule.check(app, ctx))
        except Exception as exc:
            problems.append(f"rule {rule.id} failed on {app.template}: {type(exc).__name__}: {exc}")
    return raw


def finish(
    raw: list[Finding], apps: list[Application], root: Path | None, rule_problems: list[str], ctx_problems: list[str]
) -> ScanOutcome:
    """Merge, order, de-duplicate and suppress the raw findings of every application of one scan."""
    outcome = ScanOutcome(problems=list(rule_problems))
    raw = _merge_shared(_first_app_per_file(raw))
    suppressions = _Suppressions(apps, root, outcome.problems)
    seen: set[tuple[str, str, str, int | None, str | None, str | None, str]] = set()
    for finding in sorted(raw, key=_order):
        key = (
            finding.application,
            finding.rule_id,
            finding.file,
            finding.line,
            finding.function,
            finding.resource,
            finding.message,
        )
        if key in seen:
            continue
        seen.add(key)
        reason = suppressions.reason_for(finding)
        if reason is None:
            outcome.findings.append(finding)
        else:
            outcome.suppressed.append((finding, reason))
    outcome.problems.extend(ctx_problems)
    return outcome


def _first_app_per_file(findings: list[Finding]) -> list[Finding]:
    """Drop findings of ``one_app_per_file`` rules on a file an earlier application already reported.
    Done here, on every application's results in scan order, so a scan split over processes agrees."""
    rule_ids = {rule.id for rule in all_rules() if rule.one_app_per_file}
    owner: dict[tuple[str, str], str] = {}
    kept = []
    for finding in findings:
        if finding.rule_id in rule_ids:
            first = owner.setdefault((finding.rule_id, finding.file), finding.application)
            if first != finding.application:
                continue
        kept.append(finding)
    return kept


def _merge_shared(findings: list[Finding]) -> list[Finding]:
    """One finding per place: the same message at the same line for several functions (a shared role,
    a provider-level variable) becomes one finding naming all of them in ``detail["functions"]``."""
    groups: dict[tuple[str, str, str, int | None, str | None, str], list[Finding]] = {}
    for finding in findings:
        key = (finding.application, finding.rule_id, finding.file, finding.line, finding.resource, finding.message)
        groups.setdefault(key, []).append(finding)
    out = []
    for group in groups.values():
        functions = sorted({f.function for f in group if f.function})
        first = group[0]
        if len(functions) > 1:
            first.function = None
            first.detail = {**first.detail, "functions": functions}
        out.append(first)
    return out


def _order(f: Finding) -> tuple[str, str, str, int, str, str]:
    return (f.application, f.file, f.function or "", f.line or 0, f.rule_id, f.message)


class _Suppressions:
    """Template ``Metadata`` suppressions plus inline comments; a suppression without a reason is refused."""

    def __init__(self, apps: list[Application], root: Path | None, problems: list[str]) -> None:
        self.declared: list[dict[str, object]] = []
        for app in apps:
            for entry in app.suppressions:
                if not entry.get("reason"):
                    problems.append(
                        f"{entry.get('file')}:{entry.get('line') or ''} suppression of "
                        f"{entry.get('rule_id')} has no reason; ignored"
                    )
                    continue
                self.declared.append(entry)
        self.root = root
        self.problems = problems
        self._lines: dict[str, list[str]] = {}
        self._reported: set[tuple[str, int]] = set()

    def reason_for(self, finding: Finding) -> str | None:
        for entry in self.declared:
            if entry.get("rule_id") != finding.rule_id or entry.get("file") != finding.file:
                continue
            if entry.get("logical_id") in (None, finding.function, finding.resource):
                return str(entry["reason"])
        return self._inline(finding)

    def _inline(self, finding: Finding) -> str | None:
        if self.root is None or not finding.file or not finding.line:
            return None
        lines = self._file_lines(finding.file)
        for number in (finding.line, finding.line - 1):
            if 1 <= number <= len(lines):
                match = INLINE_MARKER.search(lines[number - 1])
                if not match:
                    continue
                ids = {i.strip().upper() for i in re.split(r"[\s,]+", match.group(1)) if i.strip()}
                if finding.rule_id not in ids:
                    continue
                reason = match.group(2).strip().lstrip(":-— ").strip()
                if not reason:
                    if (finding.file, number) not in self._reported:
                        self._reported.add((finding.file, number))
                        self.problems.append(f"{finding.file}:{number} inline suppression has no reason; ignored")
                    return None
                return reason
        return None

    def _file_lines(self, rel: str) -> list[str]:
        if rel not in self._lines:
            try:
                assert self.root is not None
                base = self.root if self.root.is_dir() else self.root.parent
                self._lines[rel] = (base / rel).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._lines[rel] = []
        return self._lines[rel]
