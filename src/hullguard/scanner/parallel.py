"""Scan the inputs of a tree in a bounded process pool, with exactly the serial scan's result.

Each worker loads a batch of inputs and runs the rules on each application it built; the parent then
replays the serial order: inputs in load order (skipping files a serverless.yml already included),
applications in discovery order, and merges, de-duplicates and suppresses the raw findings once, as the
serial ``engine.run`` does. A worker that dies or fails turns its inputs into problems naming the files.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import multiprocessing
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hullguard.model.app import Application
from hullguard.model.finding import Finding
from hullguard.scanner.context import ScanContext
from hullguard.scanner.engine import ScanOutcome, check_application, finish, new_context
from hullguard.scanner.loaders import (
    Candidate,
    LoadResult,
    Problem,
    included_files,
    load_candidate,
    sort_applications,
)
from hullguard.scanner.rules import Rule

# Below this many inputs, starting processes (and re-importing the SAM translator in each) costs more
# than it saves; the automatic choice then scans serially.
MIN_INPUTS_FOR_POOL = 8
BATCHES_PER_WORKER = 4  # small batches balance uneven inputs; each batch costs one round trip


@dataclass
class Unit:
    """What a worker made of one input: the application (if any) and its raw, unmerged results."""

    index: int
    app: Application | None
    load_problems: list[Problem]
    raw: list[Finding] = field(default_factory=list)
    rule_problems: list[str] = field(default_factory=list)
    context_problems: list[str] = field(default_factory=list)


def worker_count(jobs: int | None, inputs: int, *, load: float | None = None) -> int:
    """Processes to use: ``jobs`` (capped by the inputs) when given; else, on large trees, one per CPU
    that is idle now (like ``make -l``). Measured on a shared 2-CPU machine: with one CPU taken by other
    work, two workers were 30-50% slower than one process, at 120 and at 360 templates alike."""
    if jobs is not None:
        return max(1, min(jobs, inputs))
    if inputs < MIN_INPUTS_FOR_POOL:
        return 1
    cpus = os.cpu_count() or 1
    busy = os.getloadavg()[0] if load is None and hasattr(os, "getloadavg") else (load or 0.0)
    idle = cpus - int(busy + 0.5)
    return max(1, min(cpus, idle, inputs))


def scan_batch(
    batch: list[tuple[int, Candidate]],
    base: Path,
    root: Path | None,
    rules: list[type[Rule]],
    osv_db: Path | None,
    today: dt.date | None,
) -> list[Unit]:
    """Worker entry point: load and check each input of ``batch``, sharing the process's caches."""
    ctx = _worker_context(root, osv_db, today)
    selected = [cls() for cls in rules]
    units = []
    for index, candidate in batch:
        app, problems = load_candidate(candidate, base)
        unit = Unit(index, app, problems)
        if app is not None:
            before = len(ctx.problems)
            unit.raw = check_application(app, selected, ctx, unit.rule_problems)
            unit.context_problems = ctx.problems[before:]
        units.append(unit)
    return units


_contexts: dict[tuple[Path | None, Path | None, dt.date | None], ScanContext] = {}


def _worker_context(root: Path | None, osv_db: Path | None, today: dt.date | None) -> ScanContext:
    """One context per worker process and scan, kept across its batches: the IAM analysis of a role,
    parsed code and the OSV database are paid once per process, not once per batch."""
    key = (root, osv_db, today)
    if key not in _contexts:
        _contexts.clear()
        _contexts[key] = new_context(root, osv_db, today)
    return _contexts[key]


def scan_in_pool(
    found: list[Candidate],
    candidates: list[Candidate],
    root: Path,
    *,
    workers: int,
    rules: list[type[Rule]],
    osv_db: Path | None,
    today: dt.date | None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[LoadResult, ScanOutcome]:
    base = root if root.is_dir() else root.parent
    indexed = list(enumerate(candidates))
    size = max(1, -(-len(indexed) // (workers * BATCHES_PER_WORKER)))
    batches = [indexed[i : i + size] for i in range(0, len(indexed), size)]
    units: dict[int, Unit] = {}
    done = 0
    context = _context()
    if context.get_start_method() == "fork":
        _prewarm(candidates)
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(scan_batch, batch, base, root, rules, osv_db, today): batch for batch in batches}
        for future in concurrent.futures.as_completed(futures):
            batch = futures[future]
            try:
                units.update((unit.index, unit) for unit in future.result())
            except Exception as exc:  # a crashed or failing worker: name its files, scan the rest
                for index, candidate in batch:
                    message = f"could not be scanned (worker failed: {type(exc).__name__}: {exc})"
                    units[index] = Unit(index, None, [Problem(_rel(candidate.path, base), None, message)])
            done += len(batch)
            if progress:
                progress(done, len(candidates))
    return _assemble(units, candidates, found, base, root)


def _assemble(
    units: dict[int, Unit], candidates: list[Candidate], found: list[Candidate], base: Path, root: Path
) -> tuple[LoadResult, ScanOutcome]:
    """Replay the serial scan's order over the workers' results."""
    loaded = LoadResult()
    included: set[Path] = set()
    by_app: dict[int, Unit] = {}
    for index, candidate in enumerate(candidates):
        if candidate.path.resolve() in included:
            continue
        loaded.files_seen += 1
        unit = units[index]
        loaded.problems.extend(unit.load_problems)
        if unit.app is not None:
            loaded.applications.append(unit.app)
            included.update(included_files(unit.app, base))
            by_app[id(unit.app)] = unit
    sort_applications(loaded.applications, found, base)
    ordered = [by_app[id(app)] for app in loaded.applications]
    raw = [finding for unit in ordered for finding in unit.raw]
    rule_problems = [problem for unit in ordered for problem in unit.rule_problems]
    # A shared cache reports a problem once per scan; each worker reports it once per batch.
    context_problems = list(dict.fromkeys(problem for unit in ordered for problem in unit.context_problems))
    return loaded, finish(raw, loaded.applications, root, rule_problems, context_problems)


def _prewarm(candidates: list[Candidate]) -> None:
    """Pay once, before forking, for what every worker would otherwise load on its own: the SAM
    translator and its policy templates, the IAM action dataset, the detect-secrets plugins."""
    from hullguard.iam import analyzer
    from hullguard.scanner.code.secrets import _plugins

    try:
        _plugins()
        analyzer._dataset()
        analyzer._risk_data()
        if any(c.kind == "cloudformation" for c in candidates):
            from hullguard.scanner.loaders import cloudformation

            cloudformation._share_policy_template_processor()
            cloudformation._managed_policy_map()
            import samtranslator.translator.translator  # noqa: F401
    except Exception:  # noqa: S110 - only a head start: each worker loads what it needs anyway
        pass


def _context() -> multiprocessing.context.BaseContext:
    # fork is the cheapest start (modules already imported are shared) but unsafe once other threads
    # run (a progress bar, an embedding program); then start clean processes instead.
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _rel(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()
