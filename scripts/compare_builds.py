"""The two builds of the firewall, the sources as the pure-Python wheel installs them and the same sources
compiled with mypyc (``build/compiled/src``, ``make compiled``), must give the same verdict on every event,
and so must the pure-Python build where google-re2 cannot be imported (a platform without its wheel, such
as musl: no prefilter gate, every exact pass runs), and so must an inspector that remembers nothing from
one event to the next (what the memo of clean values and detector answers skips must never change a
verdict): a differential run over the development corpora and what can be made of them.

    .venv/bin/python scripts/compare_builds.py [--corpora DIR] [--mutations N] [--only KIND]
        [--python 3.X [--python 3.Y ...] [--build]]

``--python`` adds the Lambda runtimes' other Python versions (an interpreter found as ``make layer`` finds
it: ``scripts/check_layer.py``; ``3.X:aarch64`` one for arm64, run under qemu-user, whose compiled build
is cross-compiled), each with its google-re2 wheel: the pure-Python build and, where
``build/compiled-3.X`` holds it (``--build`` makes it, or makes it again where the sources changed), the
compiled one of that version. Every variant is
compared with this interpreter's pure-Python build.

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

Exit 0 when every event's verdict is the same in every variant, 1 with the differences otherwise (the first
20 of each pair shown), 2 when a variant cannot run (the compiled build not made). One difference between
Python versions is by design and counted apart (``parser_depth_only``): JSON nested deeper than the parser
of 3.13 and earlier reads, which 3.14's reads.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import copy
import json
import os
import platform
import random
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
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
            for slot, (container, key) in enumerate(fc.string_slots(event)):
                as_base64 = _is_base64(container[key])
                for number, attack in enumerate(PLANTED):
                    planted = copy.deepcopy(event)
                    planted_container, planted_key = fc.string_slots(planted)[slot]
                    planted_container[planted_key] = _base64(attack) if as_base64 else attack
                    yield f"{name}:{slot}:{number}", planted
    if "mutations" in kinds:
        rng = random.Random(2026)  # noqa: S311 (seeded: the same mutations in both workers and every run)
        texts = [line for _, line in lines]
        for number in range(mutations):
            text = _mutated(rng, texts)
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


@dataclass(frozen=True)
class Variant:
    """One way the firewall runs: an interpreter, what is on its module path, and what it must be."""

    name: str
    python: str
    path: tuple[Path, ...]  # on PYTHONPATH: the sources (pure or compiled), google-re2 where installed here
    compiled: bool
    gate: bool  # google-re2 importable (False: hidden, as where its wheel does not install)
    forget: bool = False  # the memo emptied before every event (each value as if never seen)

    @property
    def counts_compared(self) -> bool:
        """Whether the strings and characters scanned must agree too: not with the memo emptied, since a
        value the memo skips is counted with its own characters, not with those of its decoded views."""
        return not self.forget

    def command(self, out: Path, args: argparse.Namespace, kinds: tuple[str, ...]) -> list[str]:
        flags = ["--worker", self.name, "--out", str(out), "--corpora", str(args.corpora)]
        flags += ["--mutations", str(args.mutations), *[flag for kind in kinds for flag in ("--only", kind)]]
        flags += [flag for flag, wanted in (("--compiled", self.compiled), ("--gate", self.gate)) if wanted]
        flags += ["--forget"] if self.forget else []
        return [self.python, "-s", __file__, *flags]


def variants(versions: list[str], build: bool) -> list[Variant]:
    """This interpreter's four (the first is what the others are compared with), then, per other Python
    of ``versions`` (``3.X``, or ``3.X:ARCH`` for another architecture, run under qemu-user), its pure
    build with google-re2 and, where built (or ``build``), its compiled one."""
    found = [
        Variant("pure", sys.executable, (ROOT / "src",), False, True),
        Variant("compiled", sys.executable, (COMPILED_SRC,), True, True),
        Variant("pure-without-re2", sys.executable, (ROOT / "src",), False, False),
        Variant("pure-first-sight", sys.executable, (ROOT / "src",), False, True, forget=True),
    ]
    if not versions:
        return found
    sys.path.insert(0, str(ROOT / "scripts"))
    import check_layer
    import compiled_for

    for asked in versions:
        version, _, arch = asked.partition(":")
        arch = arch or platform.machine()
        label = version if arch == platform.machine() else f"{version}-{arch}"
        python = check_layer.interpreter(version, arch)
        if python is None:
            raise RuntimeError(f"no Python {version} interpreter for {arch} on this machine")
        re2 = _google_re2_for(version, arch)
        found.append(Variant(f"pure-{label}", python, (ROOT / "src", re2), False, True))
        suffix = "" if arch == platform.machine() else f"-{arch}"
        compiled = ROOT / "build" / f"compiled-{version}{suffix}" / "src"
        if build:  # (reused when the sources have not changed since it was built)
            compiled = compiled_for.build(version, arch) / "src"
        if (compiled / "hullguard").is_dir():
            found.append(Variant(f"compiled-{label}", python, (compiled, re2), True, True))
    return found


def _google_re2_for(version: str, arch: str) -> Path:
    """A directory with google-re2's wheel for Python ``version`` on ``arch``, installed once."""
    target = ROOT / "build" / f"re2-{version}-{arch}"
    if not (target / "re2").is_dir():
        install = [sys.executable, "-m", "pip", "install", "-q", "--target", str(target), "--only-binary=:all:"]
        install += ["--python-version", version, "--implementation", "cp", "google-re2"]
        for tag in ("manylinux_2_17", "manylinux_2_28"):  # the newer releases' wheels have the second
            install += ["--platform", f"{tag}_{arch}"]
        done = subprocess.run(install, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"google-re2 could not be installed for Python {version}: {done.stderr[-500:]}")
    return target


def worker(variant: Variant, corpora: Path, kinds: tuple[str, ...], mutations: int, out: Path) -> int:
    """Inspect every event as ``variant`` and write the verdicts to ``out``; 2 when this process is not
    the variant it was started as (the other build imported, the gate on or off where it should not be)."""
    name, compiled, gate = variant.name, variant.compiled, variant.gate
    if not gate:
        sys.modules["re2"] = None  # type: ignore[assignment]  # ``import re2`` now raises ImportError
    import hullguard.firewall as firewall_package
    from hullguard.firewall import Firewall
    from hullguard.firewall.policy import Budget, FirewallPolicy

    if firewall_package.compiled() != compiled:
        print(f"compare_builds: the {name} worker imported the other build", file=sys.stderr)
        return 2
    firewall = Firewall(policy=FirewallPolicy(budget=Budget(time_budget_ms=3_600_000)))
    if (firewall._gate is not None) != gate:
        print(f"compare_builds: the {name} worker has the gate {'off' if gate else 'on'}", file=sys.stderr)
        return 2
    with out.open("w", encoding="utf-8") as sink:
        for event_name, event in events(corpora, kinds, mutations):
            if variant.forget:
                firewall.forget()
            verdict = firewall.inspect(event)
            sink.write(json.dumps([event_name, signature(verdict)], ensure_ascii=True) + "\n")
    return 0


# How an inspection reports JSON nested deeper than the interpreter's parser reads (``Inspection``)
_PARSER_DEPTH = "nested deeper than the parser reads"


def parser_depth_only(ours: list[Any], theirs: list[Any]) -> bool:
    """The one difference runtimes are meant to have: JSON nested deeper than the parser of Python 3.13 and
    earlier reads (about a thousand levels) is scanned as text there and the cut reported; Python 3.14's
    parser reads it and the walk stops at the depth budget, also reported. Both report the cut and the same
    rules fire; the locations, the reason's words and the characters scanned differ."""
    if not any(_PARSER_DEPTH in str(side[3]) for side in (ours, theirs)):
        return False

    def substance(verdict: list[Any]) -> list[Any]:
        return [verdict[0], sorted({(rule, attack) for rule, attack, *_ in verdict[1]}), verdict[2], verdict[4]]

    return substance(ours) == substance(theirs)


def compare(expected: Path, other: Path, counts: bool = True) -> tuple[list[tuple[str, Any, Any]], int]:
    """The events whose verdicts differ (``counts``: in the strings and characters scanned too), and how
    many more differ only as ``parser_depth_only`` allows."""
    differences = []
    allowed = 0
    with expected.open(encoding="utf-8") as left, other.open(encoding="utf-8") as right:
        for left_line, right_line in zip(left, right, strict=True):
            if left_line != right_line:
                name, ours = json.loads(left_line)
                other_name, theirs = json.loads(right_line)
                if not counts and name == other_name and ours[:-2] == theirs[:-2]:
                    continue
                if name == other_name and parser_depth_only(ours, theirs):
                    allowed += 1
                    continue
                differences.append((name if name == other_name else f"{name} / {other_name}", ours, theirs))
    return differences, allowed


def main() -> int:
    sys.path.insert(0, str(BENCH))
    import firewall_corpus as fc

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=fc.default_corpora())
    parser.add_argument("--mutations", type=int, default=50_000)
    parser.add_argument("--only", choices=KINDS, action="append", help="these kinds of events (repeatable)")
    parser.add_argument("--python", action="append", default=[], help="another Python version to compare (3.X)")
    parser.add_argument("--build", action="store_true", help="compile the firewall for those versions if not built")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--compiled", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--gate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--forget", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    kinds = tuple(args.only or KINDS)
    if args.worker:
        variant = Variant(args.worker, sys.executable, (), args.compiled, args.gate, args.forget)
        return worker(variant, args.corpora, kinds, args.mutations, args.out)
    if not (COMPILED_SRC / "hullguard").is_dir():
        print("compare_builds: no compiled build: run `make compiled` first", file=sys.stderr)
        return 2
    try:
        chosen = variants(args.python, args.build)
    except RuntimeError as exc:
        print(f"compare_builds: {exc}", file=sys.stderr)
        return 2
    OUT.mkdir(exist_ok=True)
    outputs = {variant.name: OUT / f"builds-{variant.name}.jsonl" for variant in chosen}
    started = time.perf_counter()
    base_env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    workers = {
        variant.name: subprocess.Popen(
            variant.command(outputs[variant.name], args, kinds),
            env=dict(base_env, PYTHONPATH=os.pathsep.join(map(str, variant.path)), PYTHONHASHSEED="0"),
        )
        for variant in chosen
    }
    failed = [name for name, process in workers.items() if process.wait() != 0]
    if failed:
        print(f"compare_builds: the {', '.join(failed)} worker failed", file=sys.stderr)
        return 2
    first, *others = chosen
    with outputs[first.name].open(encoding="utf-8") as counted:
        total = sum(1 for _ in counted)
    print(f"{total:,} events ({', '.join(kinds)}) in {time.perf_counter() - started:.0f} s")
    differ = False
    for variant in others:
        try:
            differences, allowed = compare(outputs[first.name], outputs[variant.name], variant.counts_compared)
        except ValueError:
            print(f"compare_builds: the {first.name} and {variant.name} workers wrote different numbers of events")
            return 1
        also = f" ({allowed} more only where one parser reads deeper JSON than the other)" if allowed else ""
        print(f"{first.name} and {variant.name}: {len(differences)} with different verdicts{also}")
        for name, ours, theirs in differences[:20]:
            print(
                f"- {name}\n    {first.name}: {json.dumps(ours)[:600]}\n    {variant.name}: {json.dumps(theirs)[:600]}"
            )
        differ = differ or bool(differences)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
