"""Run every benchmark in bench/ and write bench/RESULTS.md.

Each ``bench/bench_*.py`` is a standalone script that prints one Markdown section on stdout (and
progress on stderr). This runner runs them one after another (the machine is small and shared, so
never in parallel), records the command, date and machine, and concatenates the sections.

    .venv/bin/python bench/run.py                 # all benchmarks
    .venv/bin/python bench/run.py firewall iam    # only bench_firewall*.py and bench_iam*.py
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
MARK = "<!-- section: {} -->"  # one before each script's section, so a partial run replaces only its own
_MARK_RE = re.compile(r"^<!-- section: (bench_\w+) -->$", re.MULTILINE)


def read_sections(results: Path) -> dict[str, str]:
    """The sections of an existing RESULTS.md, by the script that wrote them."""
    if not results.exists():
        return {}
    text = results.read_text()
    marks = list(_MARK_RE.finditer(text))
    return {
        m.group(1): text[m.end() + 1 : marks[i + 1].start() if i + 1 < len(marks) else len(text)]
        for i, m in enumerate(marks)
    }


def main(argv: list[str]) -> int:
    scripts = sorted(BENCH.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(s.stem.startswith(f"bench_{name}") for name in argv)]
    sections: list[str] = []
    failed = 0
    for script in scripts:
        print(f"== {script.name}", file=sys.stderr, flush=True)
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=BENCH.parent)
        sys.stderr.write(proc.stderr[-2000:])
        if proc.returncode != 0:
            failed += 1
            sections.append(
                f"## {script.stem}\n\nFAILED (exit {proc.returncode}); see stderr of `{script.name}`.\n"
            )
        else:
            sections.append(proc.stdout.strip() + "\n")
        print(proc.stdout, flush=True)
    header = (
        "# Benchmark results\n\n"
        f"Produced by `.venv/bin/python bench/run.py` (or `make bench`); the latest run was "
        f"`{' '.join(['.venv/bin/python', 'bench/run.py', *argv])}` on "
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, {platform.machine()}{'' if not argv else ', which replaced only its own sections'}. "
        "The machine is shared and noisy: compare the ratios measured in the same run, not absolute numbers "
        "across runs.\n\n"
    )
    fresh = {script.stem: section for script, section in zip(scripts, sections, strict=True)}
    kept = {} if not argv else {k: v for k, v in read_sections(BENCH / "RESULTS.md").items() if k not in fresh}
    if kept:
        print("partial run: RESULTS.md sections of other benchmarks are kept as they were", file=sys.stderr)
    merged = {**kept, **fresh}
    # Each section stripped and ended by one newline: kept sections come back with the blank line
    # that separated them, which would otherwise grow by one per partial run.
    body = "\n".join(f"{MARK.format(name)}\n{merged[name].strip()}\n" for name in sorted(merged))
    (BENCH / "RESULTS.md").write_text(header + body)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
