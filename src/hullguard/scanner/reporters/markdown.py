"""Markdown report for pull-request comments: summary table, then findings grouped by function."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hullguard.model.finding import Finding


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def render_markdown(
    findings: Sequence[Finding], root: Path, *, problems: Sequence[str] = (), suppressed: int = 0
) -> str:
    from hullguard.scanner.reporters import summary

    lines = ["# hullguard scan", ""]
    counts = summary(findings)
    lines += ["| severity | findings |", "|---|---|"]
    lines += [f"| {name} | {count} |" for name, count in counts.items()]
    lines += ["", f"{len(findings)} findings, {suppressed} suppressed.", ""]
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(
            f"{f.application} / {f.function}" if f.function else f"{f.application} (application)", []
        ).append(f)
    for group, items in sorted(groups.items()):
        lines += [f"## {_cell(group)}", "", "| severity | rule | location | finding | fix |", "|---|---|---|---|---|"]
        for f in items:
            where = f"`{f.file}:{f.line}`" if f.line else f"`{f.file}`"
            lines.append(
                f"| {f.severity.value} | {f.rule_id} | {where} | {_cell(f.message)} | {_cell(f.remediation)} |"
            )
        lines.append("")
    if problems:
        lines += ["## Problems", ""] + [f"- {_cell(p)}" for p in problems] + [""]
    return "\n".join(lines)
