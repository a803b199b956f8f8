"""How the time of each regular expression of the in-function parts grows with its input.

    .venv/bin/python bench/regex_growth.py [--every 3]

A security product must not give an attacker a regular expression to backtrack on (ReDoS). The
firewall's gate runs on RE2, which is linear by construction; everything else uses Python's ``re``,
which backtracks. This probe records every pattern that code under ``src/hullguard`` compiles while
the firewall's and the runtime's modules are imported, while the firewall inspects the development
corpora's sample events and attack lines (so that patterns built from vocabularies at run time and
compiled on first use are among them) and while every ``LazyPattern`` is compiled. For each pattern
it then searches (``finditer``, the costliest way to use a pattern: a match is tried from every
position) strings of 2,000 and 8,000 characters made of one repeated unit: each character of the
pattern's own source and of a set of metacharacters, pairs of them, and the words of the pattern
followed by a blank or a separator. Linear time grows 4 times from the short string to the long one;
a pattern whose worst unit grows more than 6 times and takes over 2 ms on the long string is listed,
with where it was compiled and how it grows when matched whole (``fullmatch``). Whether a listed
pattern is only ever matched whole, on a bounded value, is for a person to check in the code.
Timing, not proof: a unit this probe does not try could still be slow.

Nothing is written to bench/RESULTS.md; docs/firewall.md ("Budgets and bad input") says what it found.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import itertools
import pkgutil
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Any

_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent / "src" / "hullguard")
_RE_DIR = str(Path(re.__file__).parent)
_PRESEARCH = str(Path("firewall") / "detectors" / "presearch.py")
_METACHARACTERS = " a0<%\\/.=('\"-:;&|$`{}[]>@#,!*+?\t\n_xX"
_SHORT, _LONG = 2_000, 8_000
_GROWTH, _SLOW = 6.0, 0.002

recorded: dict[tuple[str | bytes, int], str] = {}  # pattern, flags -> file:line that compiled it


def _record_compilations() -> None:
    """Wrap ``re``'s compiler (every ``re.compile`` and module-level ``re.search`` goes through it)."""
    compile_pattern = re._compile  # type: ignore[attr-defined]

    def recording(pattern: Any, flags: Any) -> Any:
        compiled = compile_pattern(pattern, flags)
        if isinstance(pattern, (str, bytes)) and (pattern, int(flags)) not in recorded:
            # the caller of re's functions: the standard library's own patterns (json's, platform's)
            # are compiled by the standard library, even while a hullguard module imports it
            # (and a detector's ``Presearch`` compiles its pattern for it: the detector's line is named)
            callers = [
                f
                for f in traceback.extract_stack()[:-1]
                if not f.filename.startswith(_RE_DIR) and not (f.filename.endswith(_PRESEARCH) and f.name == "__init__")
            ]
            if callers and callers[-1].filename.startswith(_PACKAGE_DIR):
                where = f"{Path(callers[-1].filename).relative_to(_PACKAGE_DIR)}:{callers[-1].lineno}"
                recorded[(pattern, int(flags))] = where
        return compiled

    re._compile = recording  # type: ignore[attr-defined]
    re.purge()


def _exercise(every: int) -> None:
    """Import every in-function module and run the firewall over the corpora, as a function would."""
    import hullguard.firewall
    import hullguard.runtime

    for package in (hullguard.firewall, hullguard.runtime):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import firewall_corpus as fc
    from hullguard.firewall import Firewall
    from hullguard.firewall.decoders import LazyPattern

    firewall = Firewall()
    corpora = fc.default_corpora()
    placer = fc.Placer(corpora)
    for event in fc.sample_events(corpora).values():
        firewall.inspect(event)
    attacks, _ = fc.attack_samples(corpora)
    for sample in attacks[::every]:
        for shape in ("query", "json-body", "header"):
            firewall.inspect(placer.attack(shape, sample.payload))
    for thing in gc.get_objects():
        if isinstance(thing, LazyPattern):
            thing.get()


def _seconds(pattern: re.Pattern[Any], text: Any, anchored: bool = False) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        if anchored:
            pattern.fullmatch(text)
        else:
            for _match in pattern.finditer(text):
                pass
        best = min(best, time.perf_counter() - start)
    return best


def _units(source: str) -> list[str]:
    """Single characters, pairs of them, and the pattern's words followed by a blank or a separator
    (a keyword list's ``union union union``)."""
    characters = sorted({c for c in source if c.isprintable()} | set(_METACHARACTERS))[:60]
    pairs = ["".join(pair) for pair in itertools.combinations(characters[:40], 2)]
    words = sorted(set(re.findall(r"[a-z]{2,}", re.sub(r"\\.", " ", source), re.IGNORECASE)))[:30]
    return characters + pairs + [word + end for word in words for end in (" ", "(", "/", ".")]


def growth(pattern: re.Pattern[Any]) -> tuple[float, float, str, float]:
    """(seconds on the long string, long over short, unit, long over short for ``fullmatch``) for
    the unit slowest on the short string. The last says how a pattern used only anchored (a grammar
    matched against a whole value) grows on the same text."""
    source = pattern.pattern if isinstance(pattern.pattern, str) else pattern.pattern.decode("latin-1")

    def text(unit: str, size: int) -> Any:
        repeated = unit * (size // len(unit))
        return repeated if isinstance(pattern.pattern, str) else repeated.encode("latin-1", "replace")

    slowest = max(_units(source), key=lambda unit: _seconds(pattern, text(unit, _SHORT)))
    short, long = _seconds(pattern, text(slowest, _SHORT)), _seconds(pattern, text(slowest, _LONG))
    anchored_short = _seconds(pattern, text(slowest, _SHORT), anchored=True)
    anchored_long = _seconds(pattern, text(slowest, _LONG), anchored=True)
    return long, long / max(short, 1e-9), slowest, anchored_long / max(anchored_short, 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=3, help="inspect every Nth attack line (default 3)")
    args = parser.parse_args()
    _record_compilations()
    _exercise(max(1, args.every))
    flagged = []
    for (source, flags), where in sorted(recorded.items(), key=lambda item: item[1]):
        seconds, ratio, unit, anchored = growth(re.compile(source, flags))
        if ratio > _GROWTH and seconds > _SLOW:
            flagged.append((seconds, ratio, anchored, unit, where, source))
    print(f"{len(recorded)} patterns compiled by src/hullguard, each searched in {_SHORT:,} and {_LONG:,} characters")
    if not flagged:
        print(f"none grows more than {_GROWTH:g} times on 4 times the input while taking over {_SLOW * 1000:g} ms")
        return 0
    print("| where compiled | long string | growth | growth, fullmatch | unit | pattern |")
    print("|---|---:|---:|---:|---|---|")
    for seconds, ratio, anchored, unit, where, source in sorted(flagged, reverse=True):
        times = f"{seconds * 1000:.1f} ms | {ratio:.1f}x | {anchored:.1f}x"
        print(f"| {where} | {times} | {unit!r} | `{str(source)[:80]}` |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
