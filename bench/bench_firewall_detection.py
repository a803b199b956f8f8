"""Firewall detection quality against the development corpora, with libddwaf and libinjection side by side.

    .venv/bin/python bench/bench_firewall_detection.py [--corpora DIR] [--no-peers]

Every attack line is placed in seven event shapes (query, JSON body, form body, header, SQS body, S3
key, DynamoDB attribute); every benign query string in three (query, JSON body, SQS body); the real
sample events are inspected as they are. A payload counts as detected in a shape when the tool reports
anything on that event; a benign event counts as a false positive when the tool reports anything.
Prints a Markdown section; writes raw results and missed payloads to bench/out/.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import firewall_corpus as fc  # noqa: E402
from peers.venvs import ensure_peer, installed_versions  # noqa: E402

PEERS = {
    "libddwaf (ddtrace)": (["ddtrace"], "ddwaf_adapter.py", "ddtrace"),
    "libinjection": (["libinjection-python"], "libinjection_adapter.py", "libinjection"),
}


def exclusion_rules() -> fc.Exclusion:
    """The per-line exclusions the detector test suites document (one source for tests and benchmark).

    A line wrapped in XML that carries XSS or SQL is kept here: any report counts as detection.
    """
    sys.path.insert(0, str(BENCH.parent / "tests" / "firewall" / "detectors"))
    import family_corpus
    import injection_corpus

    reasons = dict(family_corpus.EXCLUDED_CATEGORIES)
    for rules in injection_corpus.EXCLUSIONS.values():
        reasons.update({category: reason for category, reason, _rule in rules})

    def exclude(label: str, list_name: str, line: str) -> str | None:
        if label in ("sqli", "xss", "cmdi"):
            category = injection_corpus.excluded(label, list_name, line)
        else:
            category = family_corpus.excluded(list_name, line)
            if category == "xml-wrapped-xss-sqli":
                return None
        return f"{category} ({reasons.get(category, 'see the rule')})" if category else None

    return exclude


def hullguard_results(corpora: Path, attacks: list[fc.Sample]) -> dict[str, list[str]]:
    from hullguard.firewall import Firewall

    firewall = Firewall()

    def inspect(event: dict[str, object]) -> list[str]:
        verdict = firewall.inspect(event)
        return [f.attack for f in verdict.findings if f.attack != "internal"]

    return fc.run_detection(inspect, corpora, attacks)


def peer_results(name: str, corpora: Path, out_dir: Path, samples: Path) -> dict[str, list[str]] | None:
    packages, adapter, venv = PEERS[name]
    try:
        python = ensure_peer(venv, packages)
    except subprocess.CalledProcessError as exc:
        print(f"{name}: could not install ({exc})", file=sys.stderr)
        return None
    out = out_dir / f"detect-{venv}.json"
    proc = subprocess.run(
        [str(python), str(BENCH / "peers" / adapter), "detect", str(corpora), str(out), str(samples)]
    )
    if proc.returncode != 0:
        print(f"{name}: adapter failed with exit {proc.returncode}", file=sys.stderr)
        return None
    return dict(json.loads(out.read_text())["results"])


def summarise(results: dict[str, list[str]], attacks: list[fc.Sample]) -> dict[str, object]:
    labels = {s.sid: s.label for s in attacks}
    per_class: dict[str, Counter[str]] = defaultdict(Counter)
    per_shape: dict[str, Counter[str]] = defaultdict(Counter)
    benign_total = 0
    benign_flagged = 0
    fp_by_class: Counter[str] = Counter()
    for key, found in results.items():
        sid, shape = key.rsplit("@", 1)
        if sid.startswith("benign"):
            benign_total += 1
            if found:
                benign_flagged += 1
                for cls in set(found):
                    fp_by_class[cls] += 1
            continue
        label = labels[sid]
        per_class[label]["total"] += 1
        per_shape[shape]["total"] += 1
        if found:
            per_class[label]["detected"] += 1
            per_shape[shape]["detected"] += 1
    return {
        "per_class": per_class,
        "per_shape": per_shape,
        "benign_total": benign_total,
        "benign_flagged": benign_flagged,
        "fp_by_class": fp_by_class,
    }


def pct(num: int, den: int) -> str:
    return f"{100.0 * num / den:.2f}%" if den else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=fc.default_corpora())
    parser.add_argument("--no-peers", action="store_true")
    args = parser.parse_args()
    if not (args.corpora / "attacks").is_dir():
        print(f"corpora not found at {args.corpora}; pass --corpora DIR", file=sys.stderr)
        return 2
    out_dir = BENCH / "out"
    out_dir.mkdir(exist_ok=True)
    attacks, excluded = fc.attack_samples(args.corpora, exclusion_rules())
    samples_file = out_dir / "firewall-samples.json"
    fc.save_samples(attacks, samples_file)

    started = time.perf_counter()
    tools: dict[str, dict[str, list[str]]] = {"hullguard": hullguard_results(args.corpora, attacks)}
    print(f"hullguard: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    if not args.no_peers:
        for name in PEERS:
            started = time.perf_counter()
            res = peer_results(name, args.corpora, out_dir, samples_file)
            if res is not None:
                tools[name] = res
            print(f"{name}: {time.perf_counter() - started:.1f}s", file=sys.stderr)

    summaries = {name: summarise(res, attacks) for name, res in tools.items()}
    missed = defaultdict(list)
    for key, found in tools["hullguard"].items():
        sid, shape = key.rsplit("@", 1)
        if not sid.startswith("benign") and not found:
            sample = next(s for s in attacks if s.sid == sid)
            missed[sample.label].append({"sid": sid, "shape": shape, "payload": sample.payload})
    false_positives = [
        {"key": k, "found": v} for k, v in tools["hullguard"].items() if k.startswith("benign") and v
    ]
    (out_dir / "firewall-detection-misses.json").write_text(
        json.dumps({"missed": missed, "false_positives": false_positives}, indent=1)
    )

    lines = ["## Firewall detection (development corpora)", ""]
    lines.append(
        f"{len(attacks)} attack payloads x {len(fc.SHAPES)} event shapes ({', '.join(fc.SHAPES)}); "
        f"{summaries['hullguard']['benign_total']} benign events (5,000 real query strings x "
        f"{len(fc.BENIGN_SHAPES)} shapes, plus the real sample events as they are). Lists over "
        f"{fc.LINES_PER_LIST} lines are sampled evenly. Detection = the tool reports anything on the event."
        + installed_versions(PEERS)
    )
    lines.append("")
    classes = sorted({s.label for s in attacks})
    header = "| class | payloads x shapes | " + " | ".join(f"{t} detected" for t in tools) + " |"
    lines += [header, "|---|---:|" + "---:|" * len(tools)]
    for cls in classes:
        total = summaries["hullguard"]["per_class"][cls]["total"]  # type: ignore[index]
        cells = [pct(s["per_class"][cls]["detected"], total) for s in summaries.values()]  # type: ignore[index]
        lines.append(f"| {cls} | {total} | " + " | ".join(cells) + " |")
    all_total = sum(c["total"] for c in summaries["hullguard"]["per_class"].values())  # type: ignore[attr-defined]
    cells = [
        pct(sum(c["detected"] for c in s["per_class"].values()), all_total)  # type: ignore[attr-defined]
        for s in summaries.values()
    ]
    lines.append(f"| **all** | {all_total} | " + " | ".join(f"**{c}**" for c in cells) + " |")
    lines.append("")
    lines.append("False positives on benign real traffic (share of benign events with any report):")
    lines.append("")
    lines += [
        "| tool | benign events | flagged | false-positive rate | by reported class |",
        "|---|---:|---:|---:|---|",
    ]
    for name, s in summaries.items():
        by_class = ", ".join(f"{k}: {v}" for k, v in s["fp_by_class"].most_common()) or "-"  # type: ignore[attr-defined]
        lines.append(
            f"| {name} | {s['benign_total']} | {s['benign_flagged']} | "
            f"{pct(s['benign_flagged'], s['benign_total'])} | {by_class} |"  # type: ignore[arg-type]
        )
    lines.append("")
    lines.append(
        "hullguard confusion matrix per class (TP/FN over attack events of the class; FP/TN over all benign events, "
        "FP = benign events reported as that class):"
    )
    lines.append("")
    lines += ["| class | TP | FN | FP | TN | recall | FP rate |", "|---|---:|---:|---:|---:|---:|---:|"]
    hg = summaries["hullguard"]
    for cls in classes:
        c = hg["per_class"][cls]  # type: ignore[index]
        fp = hg["fp_by_class"].get(cls, 0)  # type: ignore[attr-defined]
        tn = hg["benign_total"] - fp  # type: ignore[operator]
        lines.append(
            f"| {cls} | {c['detected']} | {c['total'] - c['detected']} | {fp} | {tn} | "
            f"{pct(c['detected'], c['total'])} | {pct(fp, hg['benign_total'])} |"  # type: ignore[arg-type]
        )
    lines.append("")
    lines.append("hullguard detection by event shape:")
    lines.append("")
    lines += ["| shape | detected |", "|---|---:|"]
    for shape in fc.SHAPES:
        c = hg["per_shape"][shape]  # type: ignore[index]
        lines.append(f"| {shape} | {pct(c['detected'], c['total'])} |")
    lines.append("")
    lines.append(
        "Left out, with the reason (the corpora README warns that not every line is an attack on its own):"
    )
    lines.append("")
    for what, count in excluded.items():
        reason = fc.EXCLUDED_LISTS.get(what, "")
        if count:
            lines.append(f"- `{what}`: {count} lines" + (f" — {reason}" if reason else ""))
        else:
            lines.append(f"- `{what}` (not left out: counted per vector)")
    lines.append("")
    lines.append(
        "Each category's reason is written beside its rule in `tests/firewall/detectors/injection_corpus.py` "
        "(SQLi, XSS, command injection) and `tests/firewall/detectors/family_corpus.py` (the other families); "
        "the same rules decide which fixture lines the detector tests require."
    )
    lines.append("")
    lines.append(
        "Peers get help they would not get in a function: the benchmark maps each event to libddwaf's HTTP "
        "addresses and, for record events, hands them the decoded payload (SQS body, URL-decoded S3 key, "
        "DynamoDB values) as the request body. libinjection only knows SQLi and XSS, so its other classes "
        "are expected to be low."
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
