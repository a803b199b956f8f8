"""Firewall speed: per-event inspection time vs libddwaf and libinjection, scaling, adversarial inputs,
cold start.

    .venv/bin/python bench/bench_firewall_speed.py [--corpora DIR] [--no-peers]

All tools are timed in the same run with the same loop, each in its own process, in short turns on the
same event (``bench/peers/lockstep.py``); ratios are the numbers to read, the machine is shared and
noisy. libddwaf is timed twice: as ddtrace hands it a request (its limits cut big bodies) and on the
whole request (equal work). hullguard is timed twice too: from its sources (the pure-Python wheel)
and compiled with mypyc (``scripts/compiled_build.py``, the platform wheel), when that build is
present (``make compiled``).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH / "peers"))

import lockstep  # noqa: E402
from lockstep import Process, Timings, Tool  # noqa: E402
from timing import time_call  # noqa: E402

import firewall_corpus as fc  # noqa: E402
from peers.venvs import ensure_peer, installed_versions  # noqa: E402

# The compiled variant of the firewall (``scripts/compiled_build.py``): same sources, mypyc-compiled.
COMPILED_SRC = BENCH.parent / "build" / "compiled" / "src"

PEERS = {
    "libddwaf": (["ddtrace"], "ddwaf_adapter.py", "ddtrace"),
    "libinjection": (["libinjection-python"], "libinjection_adapter.py", "libinjection"),
}

COLD_START = """
import os, time
{prelude}
def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')
before = rss(); t = time.perf_counter()
import hullguard.firewall
fw = hullguard.firewall.Firewall()
elapsed = time.perf_counter() - t
print(elapsed * 1000, (rss() - before) / 2**20)
"""
# What a function's cold start already holds when its handler module is imported: the runtime interface
# client's bootstrap (the real one, from PyPI) has loaded json, re, enum, logging and the rest, so
# those are no cost hullguard adds. A bare interpreter is timed too, as the upper bound.
IN_RUNTIME = "import awslambdaric.bootstrap"


def compiled_present() -> bool:
    return (COMPILED_SRC.parent / ".sources").is_file()


def worker(corpora: Path, build: str) -> int:
    """A lock-step timing worker for hullguard (``build``: "pure" or "compiled", the build this process
    must have imported): the same event inspected again and again (header values' detector answers are
    remembered, as for a function's repeat callers) and at first sight (``forget()`` before each); the
    traffic stream by a new ``Firewall`` per pass."""
    from hullguard.firewall import Firewall, compiled

    if compiled() != (build == "compiled"):
        print(f"the firewall this worker imported is not the {build} build", file=sys.stderr)
        return 3
    firewall = Firewall()

    def first_sight(event: object) -> object:
        firewall.forget()
        return firewall.inspect(event)

    variants = {"repeated": firewall.inspect, "first sight": first_sight}
    lockstep.work(variants, lambda: Firewall().inspect, corpora)
    return 0


def hullguard_adversarial(corpora: Path) -> dict[str, tuple[dict[str, float], str]]:
    from hullguard.firewall import Firewall

    firewall = Firewall()
    out = {}
    for name, event in fc.adversarial_events(corpora).items():
        verdict = firewall.inspect(event)
        note = "budget exhausted: " + verdict.incomplete_reason if verdict.budget_exhausted else "inspected fully"
        if verdict.error:
            note = "internal error: " + verdict.error
        out[name] = (time_call(lambda e=event: firewall.inspect(e), budget_s=0.3, min_runs=3), note)
    return out


# libddwaf on the same view converted without ddtrace's limits and never timed out: the equal-work column.
WHOLE_REQUEST = "libddwaf, whole request"


def peer(name: str, mode: str, corpora: Path, *flags: str) -> Timings | None:
    """Run a peer's adapter in its own venv; ``flags`` go to the adapter (e.g. ``--whole-request``)."""
    packages, adapter, venv = PEERS[name]
    try:
        python = ensure_peer(venv, packages)
    except subprocess.CalledProcessError:
        return None
    out = BENCH / "out" / f"{mode}-{venv}{''.join(flags).replace('--', '-')}.json"
    proc = subprocess.run([str(python), str(BENCH / "peers" / adapter), *flags, mode, str(corpora), str(out)])
    if proc.returncode != 0:
        return None
    return dict(json.loads(out.read_text())["results"])


def cold_start(runs: int = 15) -> dict[str, tuple[float, float]]:
    """Median (ms, MiB) that ``import hullguard.firewall`` + ``Firewall()`` add, in a bare interpreter
    ("bare") and after the Lambda runtime interface client's bootstrap imports ("in runtime"; "compiled":
    the compiled variant, also after them), taken in turns so that load drift on a shared machine hits
    all alike."""
    # Bytecode as a deployment has it (pip and the layer build write it): without it, and with
    # PYTHONDONTWRITEBYTECODE set as on this machine, every fresh interpreter would compile hullguard.
    compileall.compile_dir(str(BENCH.parent / "src" / "hullguard"), quiet=1)
    variants: dict[str, tuple[str, dict[str, str] | None]] = {"bare": ("", None), "in runtime": (IN_RUNTIME, None)}
    if compiled_present():
        compileall.compile_dir(str(COMPILED_SRC / "hullguard"), quiet=1)
        variants["compiled"] = (IN_RUNTIME, dict(os.environ, PYTHONPATH=str(COMPILED_SRC)))
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for _ in range(runs):
        for name, (prelude, env) in variants.items():
            code = COLD_START.format(prelude=prelude)
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
            t, r = proc.stdout.split()
            samples[name].append((float(t), float(r)))
    return {
        name: (statistics.median(t for t, _ in got), statistics.median(r for _, r in got))
        for name, got in samples.items()
    }


def fmt(us: float) -> str:
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.1f} µs"


def timing_cell(stats: dict[str, Any]) -> str:
    """Median (p90), or why the tool has no time for the event (then a time would compare other work)."""
    if "incomplete" in stats:
        return f"not whole: {stats['incomplete']}"
    if "error" in stats:
        return f"failed: {stats['error']}"
    return f"{fmt(stats['median_us'])} ({fmt(stats['p90_us'])})"


def ratio_cell(ours: dict[str, Any], theirs: dict[str, Any]) -> str:
    """hullguard's time over the peer's: the median over the rounds of the ratio of the two turns, a
    fraction of a second apart (see ``lockstep``)."""
    ratio = lockstep.turn_ratio(ours, theirs)
    return "-" if ratio is None else f"{ratio:.2f}"


def speed_table(
    ours: dict[str, dict[str, float]],
    fresh: dict[str, dict[str, float]],
    compiled: tuple[Timings, Timings] | None,
    peers: dict[str, Timings | None],
    whole: Timings | None,
) -> list[str]:
    """Two tables: the times (hullguard from sources, compiled, the peers as they run, libddwaf on the
    whole request) and hullguard's times over libddwaf's. The whole-request columns come last so that
    the earlier columns keep their places from run to run."""
    present = {n: r for n, r in peers.items() if r}
    ddwaf = present.get("libddwaf")
    ours_columns = {"hullguard": ours, "hullguard, first sight": fresh}
    if compiled:
        ours_columns |= {"compiled": compiled[0], "compiled, first sight": compiled[1]}
    times = {**ours_columns, **present}
    if whole:
        times[WHOLE_REQUEST] = whole
    events = {
        name: None
        for name in ours
        if not name.startswith(fc.SAMPLE_PREFIX) and name not in (fc.STREAM_NAME, INTERLEAVED, COLD)
    }
    samples = [name for name in ours if name.startswith(fc.SAMPLE_PREFIX)]
    lines = _table(["event", *times], [[timing_cell(col[event]) for col in times.values()] for event in events], events)
    if not ddwaf:
        return lines
    ratios: dict[str, tuple[dict[str, Any], Timings]] = {
        f"{name} / libddwaf": (col, ddwaf) for name, col in ours_columns.items()
    }
    if whole:
        ratios["first sight / whole request"] = (fresh, whole)
        if compiled:
            ratios["compiled, first sight / whole request"] = (compiled[1], whole)
    rows = [[ratio_cell(col[event], theirs[event]) for col, theirs in ratios.values()] for event in events]
    lines = [
        *lines,
        "",
        "hullguard's time over libddwaf's (target: at most 0.20 on the API Gateway events):",
        "",
        *_table(["event", *ratios], rows, events),
    ]
    if samples:
        lines += ["", *sample_summary(samples, ours_columns, ddwaf)]
    lines += ["", *stream_summary({"hullguard": ours} | ({"compiled": compiled[0]} if compiled else {}), present)]
    return lines


def stream_summary(ours: dict[str, Timings], peers: dict[str, Timings]) -> list[str]:
    """Each tool on the traffic stream, back to back and interleaved: its median and p90 per request,
    and hullguard's over libddwaf's."""
    ddwaf = peers.get("libddwaf", {})
    lines = [
        f"Traffic stream: {fc.STREAM_TIMED:,} distinct browser GET requests to an API Gateway REST API, each"
        " inspected once, as a warm function receives them (after "
        f"{fc.STREAM_WARMUP} untimed ones): the browser request's headers with the trace and CloudFront ids,"
        " the client address, the request id and the Referer page drawn anew for each, a user agent of the"
        " real samples', and one of the 5,000 real benign query strings each (long tracking parameters, URLs"
        " and non-Latin text in them). Neither repeated nor first sight: what a function's traffic costs."
        " Each pass over the stream is made by a newly started and warmed inspector. *Back to back*:"
        f" {STREAM_PASSES} passes, each tool's whole pass one turn (the ratio: the median of the passes')."
        f" *Interleaved*: {INTERLEAVED_PASSES} passes in turns of {INTERLEAVED_PER_TURN} requests, so that"
        " every few milliseconds another tool's process runs and each turn starts with caches it used"
        " (the ratio: the median over the turns). *Caches emptied*: one pass in turns of"
        f" {COLD_PER_TURN} requests, each after the worker wrote over {lockstep.EVICTION_BYTES >> 20} MB"
        " (untimed), so that it starts with none of its code or data in the CPU's caches, as a function"
        " with sparse traffic on a shared host would. hullguard's work, spread over many small Python"
        " objects, RE2's DFA states and much compiled code, suffers more from cold caches than libddwaf's.",
        "",
        "| tool | back to back: median (p90) | over libddwaf's | interleaved: median (p90) | over libddwaf's"
        " | caches emptied: median (p90) | over libddwaf's |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, timings in {**ours, **peers}.items():
        cells = []
        for column in (fc.STREAM_NAME, INTERLEAVED, COLD):
            got, theirs = timings.get(column), ddwaf.get(column)
            if not got or "median_us" not in got:
                cells += ["-", "-"]
                continue
            cells += [timing_cell(got), ratio_cell(got, theirs) if theirs and name in ours else "-"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return [*lines, "", *stream_tail({**ours, **peers})]


def stream_tail(tools: dict[str, Timings]) -> list[str]:
    """The back-to-back passes' tail and mean per tool: a few requests with long parameter values that
    every family's prefilter matches cost many times the median, and they set the mean."""
    lines = [
        "The same back-to-back passes' tail: the slowest requests carry long parameter values (analytics"
        " beacons, tracking URLs) that reach many detectors; the mean, which they set, is what the stream costs"
        " in all. *Slowest*: the median over the passes of each pass's slowest request.",
        "",
        "| tool | mean | p99 | slowest |",
        "|---|---:|---:|---:|",
    ]
    for name, timings in tools.items():
        got = timings.get(fc.STREAM_NAME)
        if got and "mean_us" in got:
            lines.append(f"| {name} | {fmt(got['mean_us'])} | {fmt(got['p99_us'])} | {fmt(got['max_us'])} |")
    return lines


def sample_summary(samples: list[str], columns: dict[str, Timings], ddwaf: Timings) -> list[str]:
    """Per hullguard variant, how its time over libddwaf's spreads over the real HTTP samples."""
    lines = [
        f"Over the {len(samples)} real HTTP sample events (`events/powertools`: API Gateway REST and HTTP APIs,"
        " their authorizers, ALB, function URLs; "
        f"{SAMPLE_TURNS[0]} turns of {SAMPLE_TURNS[1]:g} s each, in the same way), hullguard's time over libddwaf's:",
        "",
        "| variant | median | at most 0.20 | worst (event) |",
        "|---|---:|---:|---|",
    ]
    for name, col in columns.items():
        ratios = {}
        for event in samples:
            cell = ratio_cell(col[event], ddwaf[event])
            if cell != "-":
                ratios[event] = float(cell)
        if not ratios:
            continue
        worst = max(ratios, key=lambda event: ratios[event])
        within = sum(value <= 0.20 for value in ratios.values())
        lines.append(
            f"| {name} | {statistics.median(ratios.values()):.2f} | {within} of {len(ratios)} "
            f"| {ratios[worst]:.2f} ({worst.removeprefix(fc.SAMPLE_PREFIX)}) |"
        )
    return lines


def _table(head: list[str], rows: list[list[str]], events: dict[str, Any]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    lines += [f"| {event} | " + " | ".join(cells) + " |" for event, cells in zip(events, rows, strict=True)]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=fc.default_corpora())
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--worker", choices=["pure", "compiled"], help=argparse.SUPPRESS)  # see ``start_tools``
    args = parser.parse_args()
    if args.worker:
        return worker(args.corpora, args.worker)
    (BENCH / "out").mkdir(exist_ok=True)
    timings = timed_in_turns(args.corpora, args.no_peers)
    ours, fresh = timings["hullguard"], timings["hullguard, first sight"]
    compiled = (timings["compiled"], timings["compiled, first sight"]) if "compiled" in timings else None
    peers = {name: timings.get(name) for name in PEERS}
    whole = timings.get(WHOLE_REQUEST)
    lines = [
        "## Firewall speed",
        "",
        "Median (p90) wall time per `inspect()` of one benign event. hullguard remembers its detectors'",
        "answers for header values (which repeat from request to request) and which header values it found",
        "clean; *first sight* empties that memo before every call, as for a value never seen before. The",
        "peers remember nothing between calls. Every tool runs in a process of its own, and all are timed",
        f"in short turns on the same event, round after round ({EVENT_TURNS[0]} rounds of {EVENT_TURNS[1]:g} s"
        " turns per event, the order",
        "rotated each round; `bench/peers/lockstep.py`), so that the two times a ratio is made of are a",
        "fraction of a second apart on this shared machine whose load moves within seconds: a time is the",
        "median (p90) of all of a tool's samples on the event, a ratio the median over the rounds of the",
        "two turns' ratio."
        + installed_versions(PEERS),
        "",
        "*hullguard* runs the sources as the pure-Python wheel installs them; *compiled* is the same sources",
        "compiled with mypyc (`scripts/compiled_build.py`), as the platform wheel installs them"
        + (
            "."
            if compiled
            else ": built, but its timing run failed (see the messages above)."
            if compiled_present()
            else ": not built on this machine (`make compiled` needs a C compiler)."
        ),
        "",
    ]
    lines += speed_table(ours, fresh, compiled, peers, whole)
    lines.append("")
    scaling = [(k, v["median_us"]) for k, v in ours.items() if k.startswith("body ")]
    if len(scaling) >= 2:
        lines.append(
            "Scaling with payload size (hullguard): " + ", ".join(f"{k}: {fmt(v)}" for k, v in scaling) + "."
            " libddwaf, as ddtrace hands it the request, keeps at most 256 items of each map or list, 20"
            " levels and 4,096 characters of each string (ddtrace's `DDWAF_MAX_CONTAINER_SIZE`,"
            " `DDWAF_MAX_CONTAINER_DEPTH`, `DDWAF_MAX_STRING_LENGTH`), so of bodies past a few KB it inspects"
            " a part; hullguard inspects all of it, within its time budget."
            f" *{WHOLE_REQUEST}* hands libddwaf the same view converted without those limits and with a"
            " timeout that never cuts it, so it inspects every item as hullguard does (equal work; an event"
            " libddwaf could still not take whole would show the reason instead of a time)."
        )
        lines.append("")
    adv = hullguard_adversarial(args.corpora)
    peer_adv = None if args.no_peers else peer("libddwaf", "adversarial", args.corpora)
    lines += [
        "Adversarial inputs (median of a few runs):",
        "",
        "| input | hullguard | what hullguard did | libddwaf |",
        "|---|---:|---|---:|",
    ]
    for name, (stats, note) in adv.items():
        theirs = "-"
        if peer_adv and name in peer_adv:
            got = peer_adv[name]
            theirs = f"failed: {got['error']}" if "error" in got else fmt(got["median_us"])
        lines.append(f"| {name} | {fmt(stats['median_us'])} | {note} | {theirs} |")
    lines.append("")
    cold = cold_start()
    runtime_ms, runtime_mib = cold["in runtime"]
    bare_ms, bare_mib = cold["bare"]
    compiled_cold = ""
    if "compiled" in cold:
        compiled_ms, compiled_mib = cold["compiled"]
        compiled_cold = (
            f" The compiled variant adds {compiled_ms:.1f} ms and {compiled_mib:.1f} MiB (after the same imports)."
        )
    lines.append(
        f"Cold start: `import hullguard.firewall` + `Firewall()` adds {runtime_ms:.1f} ms and {runtime_mib:.1f} MiB "
        "RSS to a function's init, measured after the Lambda runtime interface client's bootstrap imports "
        f"(`{IN_RUNTIME}`, which loads json, re, enum, logging and the rest first, as in Lambda); "
        f"in a bare interpreter, which also pays for those, {bare_ms:.1f} ms and {bare_mib:.1f} MiB.{compiled_cold} "
        "Median of 15 fresh interpreters each, bytecode compiled beforehand as in a deployment; target at "
        "most 30 ms and 15 MB."
    )
    lines += machine_speed(peers.get("libddwaf"))
    print("\n".join(lines))
    return 0


# Issue #2 states what libddwaf takes on its machine for the typical 2 KB API Gateway POST: the one
# number that ties this machine's absolute times to the machine the absolute targets were set on.
REFERENCE_EVENT = "apigw-v2-post-2kb (typical POST)"
REFERENCE_DDWAF_US = 250.0


# Turns per event: (rounds, seconds per turn); each tool is timed for rounds x seconds on the event.
EVENT_TURNS = (15, 0.1)
SAMPLE_TURNS = (6, 0.05)  # the 28 real samples: 0.3 s each
# The stream: whole passes as turns (each tool's requests back to back, as a busy warm function gets
# them), and passes whose turns are 50 requests (the processes take turns every few milliseconds, so
# each turn starts with caches another process used: closer to a function sharing its CPU).
STREAM_PASSES = 5
INTERLEAVED_PASSES, INTERLEAVED_PER_TURN = 3, 50
INTERLEAVED = fc.STREAM_NAME + ", interleaved"
# And one pass with the caches emptied before each request (a function whose CPU ran other work since
# its last request, as a function with sparse traffic on a shared host finds it), in turns of 100.
COLD_PER_TURN = 100
COLD = fc.STREAM_NAME + ", caches emptied"


def start_tools(corpora: Path, no_peers: bool) -> list[Tool]:
    """Every column's worker process, started: hullguard from its sources and compiled (when built),
    repeated and at first sight, then the peers and libddwaf on the whole request. A peer whose venv
    cannot be made or whose worker does not start is left out (with a message)."""
    here = [sys.executable, str(Path(__file__).resolve()), "--corpora", str(corpora), "--worker"]
    processes = [("hullguard", Process([*here, "pure"]))]
    if compiled_present():
        try:
            env = dict(os.environ, PYTHONPATH=str(COMPILED_SRC))
            processes.append(("compiled", Process([*here, "compiled"], env)))
        except RuntimeError as exc:
            print(f"compiled build not timed: {exc}", file=sys.stderr)
    tools: list[Tool] = []
    for name, process in processes:
        tools += [Tool(name, process, "repeated", True), Tool(f"{name}, first sight", process, "first sight", False)]
    if no_peers:
        return tools
    for name, flags, column in [(n, [], n) for n in PEERS] + [("libddwaf", ["--whole-request"], WHOLE_REQUEST)]:
        packages, adapter, venv = PEERS[name]
        try:
            python = ensure_peer(venv, packages)
            process = Process([str(python), str(BENCH / "peers" / adapter), *flags, "lockstep", str(corpora), "-"])
        except (subprocess.CalledProcessError, RuntimeError) as exc:
            print(f"{column} not timed: {exc}", file=sys.stderr)
            continue
        tools.append(Tool(column, process, "", column != WHOLE_REQUEST))
    return tools


def timed_in_turns(corpora: Path, no_peers: bool) -> dict[str, Timings]:
    """Every column's timings (see ``lockstep``): the speed events, the real samples, the stream."""
    tools = start_tools(corpora, no_peers)
    try:
        turns = dict.fromkeys(fc.speed_events(corpora), EVENT_TURNS)
        turns |= dict.fromkeys(fc.http_sample_events(corpora), SAMPLE_TURNS)
        timings = lockstep.time_events(tools, turns)
        whole = lockstep.time_stream(tools, fc.STREAM_TIMED, STREAM_PASSES, fc.STREAM_TIMED)
        interleaved = lockstep.time_stream(tools, fc.STREAM_TIMED, INTERLEAVED_PASSES, INTERLEAVED_PER_TURN)
        cold = lockstep.time_stream(tools, fc.STREAM_TIMED, 1, COLD_PER_TURN, evict=True)
        for name, got in whole.items():
            timings[name][fc.STREAM_NAME] = got
            timings[name][INTERLEAVED] = interleaved[name]
            timings[name][COLD] = cold[name]
        return timings
    finally:
        for process in {id(tool.process): tool.process for tool in tools}.values():
            process.close()


def machine_speed(ddwaf: Timings | None) -> list[str]:
    """A line saying how much slower (or faster) this machine is than the issue's, from libddwaf's time."""
    if not ddwaf or REFERENCE_EVENT not in ddwaf or "median_us" not in ddwaf[REFERENCE_EVENT]:
        return []
    measured = ddwaf[REFERENCE_EVENT]["median_us"]
    factor = measured / REFERENCE_DDWAF_US
    return [
        "",
        f"Machine speed: libddwaf takes {measured:.0f} µs on the typical 2 KB POST in this run ({cpu_model()}), "
        f"where issue #2 measured roughly {REFERENCE_DDWAF_US:.0f} µs: this machine takes about {factor:.1f}× "
        "the time of the one the issues' absolute targets were set on. Ratios measured in the same run do not "
        "depend on its speed, but the pure-Python build's do depend on the CPU, whose handling of an "
        "interpreter's work varies more than of libddwaf's C; absolute times (cold start here, the runtime's "
        "milliseconds and microseconds) scale with it.",
    ]


def cpu_model() -> str:
    """The CPU's name as Linux gives it, or the architecture where it does not."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.machine() or "unknown CPU"


if __name__ == "__main__":
    sys.exit(main())
