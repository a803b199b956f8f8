"""Wall time of two versions of the firewall on the same work, in lock-step processes: does a change
make a request faster on this shared machine, whose load moves more than most changes do?

    .venv/bin/python bench/compare_versions.py --base WORKTREE/src [--new src] [--work stream] [--rounds 60]

Each version runs in a process of its own (``PYTHONPATH`` set to its ``src``), warmed first. A round
asks each process in turn (the order alternates) for one turn of work and its median time: 100
requests of the traffic stream (``--work stream``, the default: a warm function's traffic, see
``firewall_corpus.traffic_stream``), or 200 first-sight inspections of one named speed event or
real sample (``--work browser``). The two turns of a round are a fraction of a second apart, so the
ratio of their medians does not move with the load; the result is the median of the rounds' ratios.
``bench/instructions.py --src`` counts instructions instead, which is steadier but blind to cache
misses (a change that saves them shows in this one only).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORKER = """
import statistics, sys, time
sys.path.insert(0, {bench!r})
from firewall_corpus import STREAM_WARMUP, default_corpora, named_event, traffic_stream
from hullguard.firewall import Firewall
work = sys.argv[1]
firewall = Firewall()
if work == "stream":
    stream = traffic_stream(default_corpora())
    for event in stream[:STREAM_WARMUP]:
        firewall.inspect(event)
    timed, position, event = stream[STREAM_WARMUP:], 0, None
else:
    event = named_event(default_corpora(), work)
    if event is None:
        sys.exit(f"no speed event or sample named like {{work!r}}")
for _line in sys.stdin:
    samples = []
    if event is None:
        for _ in range(100):
            request = timed[position % len(timed)]
            position += 1
            start = time.perf_counter()
            firewall.inspect(request)
            samples.append(time.perf_counter() - start)
    else:
        for _ in range(200):
            firewall.forget()
            start = time.perf_counter()
            firewall.inspect(event)
            samples.append(time.perf_counter() - start)
    print(statistics.median(samples) * 1e6, flush=True)
"""


def start(src: Path, work: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(src))
    code = WORKER.format(bench=str(BENCH))
    return subprocess.Popen(
        [sys.executable, "-c", code, work], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
    )


def turn(process: subprocess.Popen[str]) -> float:
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("go\n")
    process.stdin.flush()
    answer = process.stdout.readline()
    if not answer:
        raise SystemExit(f"compare_versions: a worker stopped (exit code {process.wait()})")
    return float(answer)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, type=Path, help="src directory of the version to compare with")
    parser.add_argument("--new", default=BENCH.parent / "src", type=Path, help="src directory (default: this one)")
    parser.add_argument("--work", default="stream", help="'stream', or a speed event or sample name")
    parser.add_argument("--rounds", default=60, type=int)
    args = parser.parse_args()
    for src in (args.base, args.new):
        if not (src / "hullguard" / "firewall").is_dir():
            print(f"compare_versions: no hullguard sources under {src}", file=sys.stderr)
            return 2
    workers = {"base": start(args.base, args.work), "new": start(args.new, args.work)}
    times: dict[str, list[float]] = {"base": [], "new": []}
    ratios = []
    try:
        for round_number in range(args.rounds):
            order = ("base", "new") if round_number % 2 else ("new", "base")
            got = {name: turn(workers[name]) for name in order}
            for name, value in got.items():
                times[name].append(value)
            ratios.append(got["new"] / got["base"])
    finally:
        for process in workers.values():
            process.kill()
    base, new = statistics.median(times["base"]), statistics.median(times["new"])
    print(
        f"{args.work}: base {base:.1f} µs, new {new:.1f} µs (medians of {args.rounds} turns); "
        f"new / base {statistics.median(ratios):.3f} (median of the rounds' ratios)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
