"""Machine instructions per ``inspect()`` of one benign speed event or real HTTP sample, counted by
valgrind: a cost measure that, unlike wall time, does not move with the load of a shared machine.

    .venv/bin/python bench/instructions.py "browser" [--first-sight] [--runs 100] [--src DIR] [--peer NAME]

The event is the first of ``firewall_corpus.speed_events``, then of the real HTTP samples
(``sample: albMultiValueHeadersEvent``...), whose name contains the given text. The
count is taken twice, with ``--runs`` inspections and with none, under ``valgrind --tool=cachegrind``
(hash seed fixed, so both runs do the same start-up work), and the difference is divided by the runs.
``--src`` counts another checkout's ``src`` (a ``git worktree`` of an older commit) to compare two
versions of the code on the same event. ``--peer ddtrace`` (or ``--peer libinjection``) counts that
peer on the same event instead, through its adapter in its own venv, for a ratio that does not move
with the machine's load or cache sizes the way wall time does. Instructions are not time (a cache
miss costs more than an addition), so the speed table in RESULTS.md stays the measure the targets
are read against; this one tells whether a change made the work smaller.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WORKER = """
import sys
sys.path.insert(0, {bench!r})
from firewall_corpus import default_corpora, named_event
from hullguard.firewall import Firewall
from hullguard.firewall.policy import Budget, FirewallPolicy
name, runs, first_sight = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
event = named_event(default_corpora(), name)
# valgrind runs the code some fifty times slower: under the default second of time budget a 1 MB body
# would be cut short, and the count would be of part of the work
firewall = Firewall(policy=FirewallPolicy(budget=Budget(time_budget_ms=3_600_000)))
for _ in range(3):  # what is loaded or compiled on first use is not part of the count
    firewall.forget()
    firewall.inspect(event)
for _ in range(runs):
    if first_sight:
        firewall.forget()
    firewall.inspect(event)
"""
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def count(src: Path, name: str, runs: int, first_sight: bool, peer: list[str] | None = None) -> int:
    """Instructions of one worker process that inspects the event ``runs`` times (``peer``: the command
    that runs a peer's adapter instead of hullguard)."""
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=str(src))
    code = WORKER.format(bench=str(BENCH))
    worker = (
        [*peer, name, str(runs)]
        if peer is not None
        else [sys.executable, "-c", code, name, str(runs), "1" if first_sight else "0"]
    )
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null", *worker]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = _REFS.search(proc.stderr)
    if proc.returncode != 0 or found is None:
        raise SystemExit(f"the counting run failed: {proc.stderr[-1500:]}")
    return int(found.group(1).replace(",", ""))


def peer_command(peer: str) -> list[str]:
    """The command that runs ``peer``'s adapter in its venv (created on first use) on one event (the
    caller has ``bench/`` on ``sys.path``)."""
    import firewall_corpus as fc
    from bench_firewall_speed import PEERS
    from peers.venvs import ensure_peer

    packages, adapter, venv = next(spec for spec in PEERS.values() if spec[2] == peer)
    python = ensure_peer(venv, packages)
    return [str(python), str(BENCH / "peers" / adapter), "repeat", str(fc.default_corpora()), os.devnull]


def instructions(event: str, runs: int, first_sight: bool, src: Path, command: list[str] | None = None) -> int:
    """Instructions per ``inspect()`` of the speed event whose name contains ``event``: hullguard from
    ``src``, or the peer that ``command`` (from ``peer_command``) runs."""
    if command is None:
        import compileall  # bytecode first, as a deployment has it: compiling is not inspection

        compileall.compile_dir(str(src / "hullguard"), quiet=1)
    total = count(src, event, runs, first_sight, command)
    start_up = count(src, event, 0, first_sight, command)
    return (total - start_up) // runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("event", help="text in the event's name, e.g. 'browser', '64 KB' or 'albMultiValueHeaders'")
    parser.add_argument("--first-sight", action="store_true", help="empty the header memo before each call")
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--src", type=Path, default=BENCH.parent / "src")
    parser.add_argument("--peer", choices=["ddtrace", "libinjection"], help="count this peer instead")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian: apt-get install valgrind)", file=sys.stderr)
        return 2
    if args.runs < 1:
        print("--runs must be at least 1", file=sys.stderr)
        return 2
    sys.path.insert(0, str(BENCH))
    import firewall_corpus as fc

    names = fc.event_names(fc.default_corpora())
    if not any(args.event in name for name in names):
        print(f"no event's name contains {args.event!r}; the events are: " + "; ".join(names), file=sys.stderr)
        return 2
    command = peer_command(args.peer) if args.peer else None
    per_inspect = instructions(args.event, args.runs, args.first_sight, args.src, command)
    mode = args.peer or ("first sight" if args.first_sight else "repeated")
    print(f"{args.event} ({mode}): {per_inspect:,} instructions per inspect ({args.peer or args.src})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
