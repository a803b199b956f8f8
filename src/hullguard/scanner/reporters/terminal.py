"""Terminal report: findings grouped by function, coloured by severity, then a summary.

Everything that came from a scanned file is passed to rich as ``Text`` (never markup) after control
characters are stripped, so a template cannot drive the terminal.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from hullguard.events.schema import Severity
from hullguard.model.finding import Finding

STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
_CONTROL = {c: None for c in range(32) if c not in (9, 10)} | {127: None}


def _clean(text: str) -> str:
    return text.translate(_CONTROL)


def _shared_label(finding: Finding) -> str:
    """Findings that concern several functions (a shared role, a provider-level setting) name them."""
    names = finding.detail.get("functions")
    if isinstance(names, list) and names:
        shown = ", ".join(str(n) for n in names[:3])
        return shown + (f" +{len(names) - 3}" if len(names) > 3 else "")
    return ""


def render_terminal(
    findings: Sequence[Finding],
    root: Path,
    *,
    problems: Sequence[str] = (),
    suppressed: int = 0,
    color: bool = False,
    width: int = 120,
) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,
        width=width,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.application, f.function or _shared_label(f)), []).append(f)
    for (application, function), items in sorted(groups.items()):
        header = Text()
        header.append(_clean(application), style="bold")
        header.append(" / " + _clean(function) if function else " (application)", style="bold")
        console.print(header)
        # A grid keeps wrapped messages inside their column instead of running back to column 0.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=1)
        grid.add_column(width=8, no_wrap=True)
        grid.add_column(width=11, no_wrap=True)
        grid.add_column(ratio=1)
        for f in sorted(items, key=lambda x: (-x.severity.id, x.rule_id, x.line or 0)):
            where = f"{f.file}:{f.line}" if f.line else f.file
            body = Text(_clean(f.message))
            body.append(f"\nat {_clean(where)}", style="dim")
            if f.remediation:
                body.append(f"\nfix: {_clean(f.remediation)}", style="green")
            grid.add_row("", Text(f.severity.value.upper(), style=STYLES[f.severity]), Text(f.rule_id), body)
        console.print(grid)
        console.print()
    from hullguard.scanner.reporters import summary

    counts = summary(findings)
    tail = Text(f"{len(findings)} findings: ")
    tail.append(", ".join(f"{n} {name}" for name, n in counts.items() if n) or "none")
    if suppressed:
        tail.append(f"; {suppressed} suppressed")
    console.print(tail)
    for problem in problems:
        console.print(Text(f"problem: {_clean(problem)}", style="yellow"))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
