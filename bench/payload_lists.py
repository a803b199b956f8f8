"""Detection on payload lists you bring: how the firewall does on collections it was not tuned on.

    .venv/bin/python bench/payload_lists.py DIR_OR_FILE... [--shapes query,json-body,header,s3-key]
        [--benign FILE...] [--show 20] [--corpora DIR]

Each non-empty line of each file is one payload (a CSV from the HTTP-parameter datasets works too:
``--csv-column payload --csv-label attack_type --csv-benign norm``; in a ``.jsonl`` file each line is
a JSON string, or an object with ``payload`` and optionally ``class``, so that a payload may hold line
breaks: an XML document, a raw request). A payload is placed in every
shape as the detection benchmark places it (``firewall_corpus.Placer``); a line counts as detected
when every shape reports something. Files given with ``--benign`` count the other way: every report
is a false positive. Prints per file the share detected (or flagged), and the lines missed (or
flagged) with the shapes that missed them, so that a miss can be judged: a list heading, a lone
metacharacter or a bare command word is no attack on its own (docs/firewall.md, Policy).

Nothing is written to bench/RESULTS.md: the lists are not part of the project.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from firewall_corpus import Placer, default_corpora
from hullguard.firewall import Firewall

DEFAULT_SHAPES = ("query", "json-body", "header", "s3-key")


def list_files(paths: list[str]) -> Iterator[Path]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path
        else:
            raise SystemExit(f"payload_lists: no such file or directory: {name}")


def payloads(path: Path, args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """(label, payload) per entry; the label is the file name, or the CSV label column."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".csv" and args.csv_column:
        for row in csv.DictReader(text.splitlines()):
            label = row.get(args.csv_label, "") if args.csv_label else path.name
            yield (label or path.name), row.get(args.csv_column, "")
        return
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if path.suffix != ".jsonl":
            yield path.name, line
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:
            raise SystemExit(f"payload_lists: {path}:{number}: not a JSON value: {exc}") from None
        if isinstance(entry, str):
            yield path.name, entry
        elif isinstance(entry, dict) and isinstance(entry.get("payload"), str):
            yield str(entry.get("class") or path.name), entry["payload"]
        else:
            raise SystemExit(f"payload_lists: {path}:{number}: expected a string or an object with a payload")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="payload list files or folders (attacks)")
    parser.add_argument("--benign", nargs="*", default=[], help="files of benign values")
    parser.add_argument("--shapes", default=",".join(DEFAULT_SHAPES))
    parser.add_argument("--show", type=int, default=20, help="lines shown per file")
    parser.add_argument("--csv-column", default="", help="CSV: the column holding the payload")
    parser.add_argument("--csv-label", default="", help="CSV: the column naming the class")
    parser.add_argument("--csv-benign", default="", help="CSV: the label value of benign rows")
    parser.add_argument("--corpora", type=Path, default=default_corpora(), help="the event samples' corpora")
    args = parser.parse_args()
    shapes = tuple(s for s in args.shapes.split(",") if s)
    if not (args.corpora / "events" / "powertools").is_dir():  # the events a payload is placed in
        print(f"corpora not found at {args.corpora}; pass --corpora DIR", file=sys.stderr)
        return 2
    firewall, placer = Firewall(), Placer(args.corpora)

    def missed_shapes(payload: str) -> list[str]:
        return [shape for shape in shapes if not firewall.inspect(placer.attack(shape, payload)).findings]

    groups: dict[tuple[str, bool], list[tuple[str, list[str]]]] = {}
    counts: dict[tuple[str, bool], int] = {}
    sources = [(p, False) for p in list_files(args.paths)] + [(p, True) for p in list_files(args.benign)]
    for path, benign_file in sources:
        for label, payload in payloads(path, args):
            benign = benign_file or (bool(args.csv_benign) and label == args.csv_benign)
            key = (f"{path.name}:{label}" if label != path.name else path.name, benign)
            counts[key] = counts.get(key, 0) + 1
            missed = missed_shapes(payload)
            wrong = len(missed) < len(shapes) if benign else bool(missed)
            if wrong:
                groups.setdefault(key, []).append((payload, missed))
    for key, total in counts.items():
        name, benign = key
        wrong = groups.get(key, [])
        if benign:
            print(f"== {name} (benign): {len(wrong)} of {total} flagged")
        else:
            print(f"== {name}: {total - len(wrong)} of {total} detected in every shape")
        for payload, missed in wrong[: args.show]:
            where = "flagged in " + ", ".join(s for s in shapes if s not in missed) if benign else (
                "missed in all" if len(missed) == len(shapes) else "missed in " + ", ".join(missed)
            )
            print(f"   {where}: {payload[:140]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
