"""Firewall cost in machine instructions per inspection, beside libddwaf's on the same events.

    .venv/bin/python bench/bench_firewall_instructions.py [--runs 20]

Wall-time ratios move with the machine: on one machine the ratio of hullguard's time to libddwaf's was
half what it was on another, with the same code, because the CPU, its caches and the load treat an
interpreter's many small steps and libddwaf's compiled loops differently. valgrind counts the
instructions each tool executes per ``inspect()``, which is the same on every x86_64 machine for the
same binaries and inputs, whatever else the machine is doing (``bench/instructions.py`` counts one event;
this runs it over the API Gateway events of the speed table, two counts at a time on two cores).
Instructions are not time (a cache miss costs more than an addition), so the speed section stays the
measure the targets are read against; this one says whether a ratio there is the machine or the code.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from instructions import instructions, peer_command  # noqa: E402

COMPILED_SRC = BENCH.parent / "build" / "compiled" / "src"
# (label in the table, text of the speed event's name)
EVENTS = [
    ("apigw-v1-sample (GET, 2.0 KB)", "GET"),
    ("apigw-v2-post-2kb (typical POST)", "typical"),
    ("apigw-v2-post-2kb, one accented name", "accented"),
    ("sqs-sample", "sqs"),
    ("apigw-v1-browser-post (3 KB, 18 headers)", "browser"),
    ("body 1 KB", "body 1 KB"),
    ("body 64 KB", "body 64 KB"),
]
# The body events of the speed table's scaling line, counted with fewer inspections (a 6 MB one takes
# seconds under valgrind): whether the work per byte stays flat as the body grows.
SCALING = ["body 1 KB", "body 64 KB", "body 1 MB", "body 6 MB"]
SCALING_RUNS = 2


def body_size(name: str) -> int:
    """Characters in the body of the speed event ``name``."""
    import firewall_corpus as fc

    body = fc.speed_events(fc.default_corpora(), only=name)[name]["body"]
    return len(body) if isinstance(body, str) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="inspections per count")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("## Firewall instructions\n\nNot measured: valgrind is not installed.")
        return 0
    compiled = (COMPILED_SRC.parent / ".sources").is_file()
    # (tool, hullguard's sources, or the command that runs the peer); the peer's venv is made first,
    # once, not by two counts at the same time
    sources: list[tuple[str, Path, list[str] | None]] = [("hullguard", BENCH.parent / "src", None)]
    if compiled:
        sources.append(("compiled", COMPILED_SRC, None))
    sources.append(("libddwaf", BENCH.parent / "src", peer_command("ddtrace")))
    with ThreadPoolExecutor(max_workers=2) as pool:  # each count is its own valgrind process
        futures = {
            (label, tool): pool.submit(instructions, needle, args.runs, command is None, src, command)
            for label, needle in EVENTS
            for tool, src, command in sources
        }
        scaling = {
            name: pool.submit(instructions, name, SCALING_RUNS, False, BENCH.parent / "src") for name in SCALING
        }
        counts = {key: future.result() for key, future in futures.items()}
        per_byte = {name: future.result() / body_size(name) for name, future in scaling.items()}
    tools = [tool for tool, _, _ in sources]
    ours = [tool for tool in tools if tool != "libddwaf"]
    head = ["event", *(f"{tool}{', first sight' if tool != 'libddwaf' else ''}" for tool in tools)]
    head += [f"{tool} / libddwaf" for tool in ours]
    lines = [
        "## Firewall instructions",
        "",
        "Machine instructions per `inspect()` of one benign event, counted by valgrind (`bench/instructions.py`;"
        f" {args.runs} inspections per count, less a count of the same process with none). hullguard at first"
        " sight (its header memo emptied before every call); libddwaf as ddtrace runs it, the same adapter as"
        " in the speed section. A count does not depend on the machine's load, so these ratios say what the"
        " code costs, where the wall-time ratios of the speed section also say what the machine is."
        + ("" if compiled else " The compiled build is not built on this machine (`make compiled`)."),
        "",
        "| " + " | ".join(head) + " |",
        "|---|" + "---:|" * (len(head) - 1),
    ]
    for label, _ in EVENTS:
        theirs = counts[(label, "libddwaf")]
        cells = [f"{counts[(label, tool)] / 1000:,.0f} k" for tool in tools]
        cells += [f"{counts[(label, tool)] / theirs:.2f}" for tool in ours]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Work per byte of body as the body grows (hullguard, {SCALING_RUNS} inspections per count): "
        + ", ".join(f"{name}: {value:.0f} instructions per byte" for name, value in per_byte.items())
        + ". Past the fixed cost of an event, which dominates a 1 KB one, the work grows linearly with the"
        " payload; where the speed section's time per byte grows faster from 64 KB on, it is memory:"
        " megabytes of views and their lower-cased copies do not fit in the CPU's caches.",
    ]
    print("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
