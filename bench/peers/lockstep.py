"""Lock-step timing: every tool in a process of its own, all timed in short turns on the same event.

On a shared machine the load moves within seconds. Timing one tool over all events and then the next
puts minutes between the two times a ratio is made of; here the coordinator (``time_events``,
``time_stream``) asks each tool's process in turn for a short *turn* of timing on one event (a tenth
of a second), round and round, so the turns a ratio pairs are a fraction of a second apart. A ratio
is the median, over the rounds of turns, of one tool's turn median over the other's in the same
round; a time is the median (and p90) of every sample a tool took on the event. The order of the
tools is rotated every round, so that none is always the one timed after a given other.

Each tool's process runs ``work`` (standard library only: a peer's process runs its own venv's Python)
and answers one JSON line per request on stdout, marked with ``REPLY`` so that anything a library
prints there is not taken for an answer:

* ``{"event": NAME, "variant": V, "seconds": S}``: time ``variants[V]`` on the event for S seconds
  (at least one call) -> ``{"samples": [µs, ...]}``, or ``{"incomplete": why}`` /
  ``{"error": why}`` when the tool cannot inspect it (asked again, the same answer, not timed again);
* ``{"stream": [START, END], "pass": P}``: time each of the traffic stream's timed requests START to
  END once -> ``{"samples": [...]}``; a new pass takes a new stream inspector, warmed on the untimed
  requests first, as a newly started function would be. A stream's turn is a whole pass (a warm
  function's requests back to back) or a part of one (the tools' processes then take turns within
  it, and each turn starts with caches the other processes used). With ``"evict": true`` the worker
  writes over ``EVICTION_BYTES`` of memory before each request (untimed), so that each one starts
  with the CPU's caches holding none of its code or data: a function whose CPU ran other work since
  its last request;
* ``{"quit": true}``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from itertools import count, islice
from pathlib import Path
from typing import Any

from timing import p90

REPLY = "LOCKSTEP "
EVICTION_BYTES = 32 << 20  # more than the last-level cache of the machines this runs on
WARM_UP_BELOW_US = 20_000.0  # a turn starts with an untimed call when the event takes less than this


def work(
    variants: Mapping[str, Callable[[object], object]],
    new_stream_inspector: Callable[[], Callable[[object], object]],
    corpora: Path,
    incomplete: type[Exception] | None = None,
) -> None:
    """Answer the coordinator's requests on stdin until it says quit (see the module docstring).
    ``incomplete``: the exception a tool raises when it could not inspect the whole event."""
    import firewall_corpus as fc

    events = fc.speed_events(corpora) | fc.http_sample_events(corpora)
    stream = fc.traffic_stream(corpora)
    timed_stream = stream[fc.STREAM_WARMUP :]
    stream_pass, stream_inspect = -1, None
    no_time: dict[tuple[str, str], dict[str, str]] = {}  # events a variant could not inspect, and why
    last_us: dict[tuple[str, str], float] = {}
    _answer({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("quit"):
            return
        if "stream" in request:
            if request["pass"] != stream_pass:
                stream_pass, stream_inspect = request["pass"], new_stream_inspector()
                for item in stream[: fc.STREAM_WARMUP]:
                    stream_inspect(item)
            assert stream_inspect is not None
            start, end = request["stream"]
            evict = _evict if request.get("evict") else None
            _answer({"samples": _each(stream_inspect, timed_stream[start:end], evict)})
            continue
        key = (request["event"], request["variant"])
        if key not in no_time:
            fn = variants[request["variant"]]
            event = events[request["event"]]
            try:
                warm = last_us.get(key, 0.0) < WARM_UP_BELOW_US
                samples = _turn(fn, event, request["seconds"], warm)
            except Exception as exc:  # a tool failing on an input is a result, not a crash
                kind = "incomplete" if incomplete is not None and isinstance(exc, incomplete) else "error"
                no_time[key] = {kind: str(exc) or type(exc).__name__}
            else:
                last_us[key] = statistics.median(samples)
                _answer({"samples": samples})
                continue
        _answer(no_time[key])


def _answer(reply: dict[str, Any]) -> None:
    sys.stdout.write(REPLY + json.dumps(reply) + "\n")
    sys.stdout.flush()


def _turn(fn: Callable[[object], object], event: object, seconds: float, warm: bool) -> list[float]:
    """Wall times in µs of ``fn(event)`` for ``seconds`` (at least one call)."""
    if warm:  # the other tools' turns since this one's last turn left other data in the caches
        fn(event)
    samples: list[float] = []
    clock = time.perf_counter
    deadline = clock() + seconds
    while not samples or clock() < deadline:
        start = clock()
        fn(event)
        samples.append((clock() - start) * 1e6)
    return samples


_SCRATCH = bytearray()


def _evict() -> None:
    """Write one byte per cache line of a buffer larger than the CPU's caches."""
    if not _SCRATCH:
        _SCRATCH.extend(bytes(EVICTION_BYTES))
    _SCRATCH[::64] = b"\x01" * (EVICTION_BYTES // 64)


def _each(
    fn: Callable[[object], object], items: list[dict[str, object]], before: Callable[[], None] | None = None
) -> list[float]:
    samples: list[float] = []
    clock = time.perf_counter
    for item in items:
        if before is not None:
            before()
        start = clock()
        fn(item)
        samples.append((clock() - start) * 1e6)
    return samples


class Tool:
    """One column of the speed table: a variant of one worker process."""

    def __init__(self, name: str, process: Process, variant: str, streams: bool):
        self.name = name
        self.process = process
        self.variant = variant
        self.streams = streams  # also timed on the traffic stream


class Process:
    """A tool's worker process (``command`` runs ``work``), started and ready."""

    def __init__(self, command: list[str], env: Mapping[str, str] | None = None):
        self.command = command
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, bufsize=1
        )
        self.ask(None)  # its "ready"

    def ask(self, request: dict[str, Any] | None) -> dict[str, Any]:
        """Send ``request`` (None: only read) and return the process's reply; RuntimeError if it died."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if request is not None:
            self.proc.stdin.write(json.dumps(request) + "\n")
            self.proc.stdin.flush()
        for line in self.proc.stdout:
            if line.startswith(REPLY):
                return dict(json.loads(line[len(REPLY) :]))
        raise RuntimeError(f"timing worker exited with {self.proc.wait()}: {' '.join(self.command)}")

    def close(self) -> None:
        try:
            self.ask_quit()
        finally:
            self.proc.wait(timeout=60)

    def ask_quit(self) -> None:
        assert self.proc.stdin is not None
        if self.proc.poll() is None:
            self.proc.stdin.write(json.dumps({"quit": True}) + "\n")
            self.proc.stdin.close()


# A tool's timings by event: median and p90 in µs and each round's turn median ("turns", for the
# ratios), or "incomplete" / "error" with the reason it has none.
Timings = dict[str, dict[str, Any]]


def time_events(tools: list[Tool], events: Mapping[str, tuple[int, float]]) -> dict[str, Timings]:
    """Per tool, per event: ``events[name] = (rounds, seconds per turn)`` turns of timing, the tools
    taking turns within each round."""
    out: dict[str, Timings] = {tool.name: {} for tool in tools}
    for event, (rounds, seconds) in events.items():
        samples: dict[str, list[float]] = {tool.name: [] for tool in tools}
        turns: dict[str, list[float]] = {tool.name: [] for tool in tools}
        for round_number in range(rounds):
            for tool in _rotated(tools, round_number):
                if event in out[tool.name]:
                    continue  # it could not inspect the event: the reason is kept
                reply = tool.process.ask({"event": event, "variant": tool.variant, "seconds": seconds})
                if "samples" not in reply:
                    out[tool.name][event] = reply
                    continue
                samples[tool.name] += reply["samples"]
                turns[tool.name].append(statistics.median(reply["samples"]))
        for tool in tools:
            if event not in out[tool.name]:
                out[tool.name][event] = _summary(samples[tool.name], turns[tool.name])
    return out


def time_stream(
    tools: list[Tool], timed: int, passes: int, per_turn: int, evict: bool = False
) -> dict[str, dict[str, Any]]:
    """Per tool that streams: the traffic stream's ``timed`` requests, each once per pass, ``per_turn``
    requests a turn (``evict``: each with emptied caches). Every pass, of every call, has a number of
    its own, so each starts a new inspector in the workers."""
    streaming = [tool for tool in tools if tool.streams]
    samples: dict[str, list[float]] = {tool.name: [] for tool in streaming}
    turns: dict[str, list[float]] = {tool.name: [] for tool in streaming}
    peaks: dict[str, list[float]] = {tool.name: [] for tool in streaming}  # each turn's slowest request
    round_number = 0
    for stream_pass in islice(_PASS_NUMBERS, passes):
        for start in range(0, timed, per_turn):
            for tool in _rotated(streaming, round_number):
                span = [start, min(timed, start + per_turn)]
                reply = tool.process.ask({"stream": span, "pass": stream_pass, "evict": evict})
                samples[tool.name] += reply["samples"]
                turns[tool.name].append(statistics.median(reply["samples"]))
                peaks[tool.name].append(max(reply["samples"]))
            round_number += 1
    return {name: _summary(samples[name], turns[name], peaks[name]) for name in samples}


_PASS_NUMBERS = count()  # numbers of stream passes, never used twice in a run


def _rotated(tools: list[Tool], round_number: int) -> list[Tool]:
    shift = round_number % len(tools)
    return tools[shift:] + tools[:shift]


def _summary(samples: list[float], turns: list[float], peaks: list[float] | None = None) -> dict[str, Any]:
    ordered = sorted(samples)
    return {
        "median_us": statistics.median(ordered),
        "p90_us": p90(ordered),
        "runs": len(ordered),
        "turns": turns,
        # the tail, and the mean, which the tail sets: what a function's traffic costs in all; the
        # slowest request as the median over the turns of each turn's slowest, so that one pause of the
        # shared machine, or a one-time cost of a turn, is not all that is reported
        "mean_us": statistics.fmean(ordered),
        "p99_us": ordered[max(0, int(len(ordered) * 0.99) - 1)],
        "max_us": statistics.median(peaks) if peaks else ordered[-1],
    }


def turn_ratio(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> float | None:
    """The median over the rounds of our turn's median over theirs (None when either has no time)."""
    if "turns" not in ours or "turns" not in theirs:
        return None
    return float(statistics.median(a / b for a, b in zip(ours["turns"], theirs["turns"], strict=True)))
