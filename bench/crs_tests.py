"""Detection on the OWASP Core Rule Set's regression tests: an independent corpus of attacks and of
values a rule must not match, in the YAML format of go-ftw.

    .venv/bin/python bench/crs_tests.py TESTS_DIR... [--levels FILE...] [--peers] [--show 20]

Each test's request (method, URI, headers, body, or a base64 ``encoded_request``) becomes the API
Gateway REST event a function behind it would receive (the real sample event, ``Placer.request``):
the query string parsed into parameters as API Gateway parses it, a form content type added to a body
without one (go-ftw does the same). A test that expects its rule to match is an attack; one that
expects it not to match is a value that rule must let through, but another rule may rightly report
it (the tests of one rule often use another class's payload), so those are listed for a person to
judge, not counted as false positives. ``--levels`` files hold "rule-id paranoia-level" lines (from
the rule set's ``paranoia-level/N`` tags); CRS reports a level-2 or higher rule's attacks only when
asked to, so the summary counts them apart.

Nothing is written to bench/RESULTS.md: the tests are not part of the project.
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple

import yaml

import firewall_corpus as fc
from hullguard.firewall import Firewall

_LEGACY_ID = re.compile(r"id \"?(\d{6})")


def _ids(output: dict[str, Any], key: str) -> list[int]:
    """Rule ids a stage expects (``expect_ids``) or must not see (``no_expect_ids``), in both formats."""
    found = [int(i) for i in (output.get("log") or {}).get(key) or []]
    legacy = output.get("log_contains" if key == "expect_ids" else "no_log_contains")
    return found + [int(i) for i in _LEGACY_ID.findall(str(legacy or ""))]


def _request(stage: dict[str, Any]) -> tuple[str, str, dict[str, str], str | None] | None:
    """(method, uri, headers, body) of a stage's input, or None for a raw request this cannot read."""
    if "encoded_request" in stage:
        raw = base64.b64decode(stage["encoded_request"]).decode("latin-1")
        head, _, body = raw.partition("\r\n\r\n")
        request_line, *header_lines = head.split("\r\n")
        parts = request_line.split(" ")
        if len(parts) < 2:
            return None
        headers = dict(line.split(":", 1) for line in header_lines if ":" in line)
        return parts[0], parts[1], {k.strip(): v.strip() for k, v in headers.items()}, body or None
    if "raw_request" in stage:
        return None
    data = stage.get("data")
    if isinstance(data, list):
        data = "\r\n".join(map(str, data))
    headers = {str(k): str(v) for k, v in (stage.get("headers") or {}).items()}
    if data and not stage.get("stop_magic") and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return str(stage.get("method", "GET")), str(stage.get("uri", "/")), headers, None if data is None else str(data)


def read_levels(paths: list[Path]) -> dict[int, int]:
    levels: dict[int, int] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
                levels[int(parts[0])] = int(parts[1])
    return levels


class Case(NamedTuple):
    folder: str
    label: str  # rule/test: uri body
    level: int  # the rule's paranoia level, 0 when unknown
    attack: bool  # the test expects its rule to match
    event: dict[str, Any]


def read_cases(folders: list[Path], levels: dict[int, int]) -> list[Case]:
    placer = fc.Placer(fc.default_corpora())
    cases = []
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            try:
                document = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError) as error:
                print(f"{folder.name}: skipped {path.name}, not readable YAML ({str(error).splitlines()[0]})")
                continue
            tests = document if isinstance(document, list) else (document or {}).get("tests") or []
            rule = str((document if isinstance(document, dict) else {}).get("rule_id") or path.name[:6])
            level = levels.get(int(rule), 0) if rule.isdigit() else 0
            for test in tests:
                for entry in test.get("stages") or []:
                    stage = entry.get("stage", entry)
                    request = _request(stage.get("input") or {})
                    output = stage.get("output") or {}
                    expected, unexpected = _ids(output, "expect_ids"), _ids(output, "no_expect_ids")
                    if request is None or not (expected or unexpected):
                        continue
                    name = test.get("test_id") or test.get("test_title")
                    label = f"{rule}/{name}: {request[1][:100]!r} {str(request[3])[:100]!r}"
                    method, uri, headers, body = request
                    path, _, query = uri.partition("?")
                    event = placer.request(method, path, headers, query, body)
                    cases.append(Case(folder.name, label, level, bool(expected), event))
    return cases


def peer_reports(events: list[dict[str, Any]]) -> list[bool] | None:
    """Whether libddwaf (ddtrace's bundled rules, through the benchmark's adapter) reports each event;
    None when the peer cannot be installed here."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from peers.venvs import ensure_peer

    try:
        python = ensure_peer("ddtrace", ["ddtrace"])
    except subprocess.CalledProcessError as error:
        print(f"libddwaf: could not install ({error})", file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory() as scratch:
        events_file, out = Path(scratch) / "events.json", Path(scratch) / "out.json"
        events_file.write_text(json.dumps(events))
        adapter = Path(__file__).resolve().parent / "peers" / "ddwaf_adapter.py"
        command = [str(python), str(adapter), "events", str(fc.default_corpora()), str(out), str(events_file)]
        if subprocess.run(command).returncode != 0:
            return None
        classes = json.loads(out.read_text())["results"]
    return [any(c != "scanner" for c in found) for found in classes]  # a scanner User-Agent is no payload


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests", nargs="+", type=Path, help="folders of go-ftw YAML test files")
    parser.add_argument("--levels", nargs="*", type=Path, default=[], help="files of 'rule-id level' lines")
    parser.add_argument("--peers", action="store_true", help="also run libddwaf on the same events")
    parser.add_argument("--show", type=int, default=20, help="missed attacks and reported values shown per folder")
    args = parser.parse_args(argv)
    cases = read_cases(args.tests, read_levels(args.levels))
    firewall = Firewall()
    ours = [
        sorted({f.rule_id for f in firewall.inspect(case.event).findings if not f.rule_id.startswith("HG-BUDGET")})
        for case in cases
    ]
    theirs = peer_reports([case.event for case in cases]) if args.peers else None
    for folder in dict.fromkeys(case.folder for case in cases):
        counts: Counter[str] = Counter()
        shown: list[str] = []
        for index, case in enumerate(cases):
            if case.folder != folder:
                continue
            key = f"attack, level {case.level or '?'}" if case.attack else "must not match"
            counts[key] += 1
            counts[f"{key}|hullguard"] += bool(ours[index])
            if theirs is not None:
                counts[f"{key}|libddwaf"] += theirs[index]
            if case.attack and not ours[index] and case.level in (0, 1):
                shown.append(f"  missed: {case.label}")
            elif not case.attack and ours[index]:
                shown.append(f"  reported: {case.label} -> {', '.join(ours[index])}")
        print(f"== {folder}")
        for key in sorted(k for k in counts if "|" not in k):
            peer = f", libddwaf {counts[f'{key}|libddwaf']}" if theirs is not None else ""
            print(f"  {key}: {counts[key]} tests, reported by hullguard {counts[f'{key}|hullguard']}{peer}")
        print("\n".join(shown[: args.show]) if shown and args.show else "", end="\n" if shown and args.show else "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
