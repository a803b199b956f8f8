"""Corpus harness for the twelve non-SQLi/XSS/CMDi detector families (tests and a measuring script).

It mirrors what the engine hands a detector: every string is scanned as-is and in its
``unquote_plus`` (once and twice), ``html.unescape`` and clearly-base64 views; JSON found in a view is
walked so that keys reach ``scan`` with ``is_key=True``. Run it directly to measure detection and
false positives on the development corpora::

    .venv/bin/python tests/firewall/detectors/family_corpus.py --corpora ../shared/corpora
"""

from __future__ import annotations

import argparse
import base64
import binascii
import html
import json
import re
import sys
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

from hullguard.firewall.detectors.base import Detection, ScanContext

MY_FAMILIES: tuple[str, ...] = (
    "code", "ssti", "path", "rfi", "ssrf", "nosql", "xxe", "deser", "proto", "ldap", "xpath", "crlf",
)
_B64 = re.compile(r"[A-Za-z0-9+/_-]{12,}={0,2}")


def load(family: str) -> ModuleType:
    return import_module(f"hullguard.firewall.detectors.{family}")


def _b64_view(text: str) -> str | None:
    stripped = text.strip()
    if not _B64.fullmatch(stripped):
        return None
    try:
        altchars = b"-_" if "-" in stripped or "_" in stripped else None
        raw = base64.b64decode(stripped + "=" * (-len(stripped) % 4), altchars=altchars)
        decoded = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in decoded)
    return decoded if decoded and printable >= 0.9 * len(decoded) else None


def views(text: str) -> list[str]:
    """The decoded views the engine would scan for one string (deduplicated, raw first)."""
    out = [text]
    once = urllib.parse.unquote_plus(text)
    twice = urllib.parse.unquote_plus(once)
    for candidate in (once, twice, html.unescape(text), html.unescape(twice)):
        if candidate not in out:
            out.append(candidate)
    for candidate in list(out):
        decoded = _b64_view(candidate)
        if decoded is not None and decoded not in out:
            out.append(decoded)
    return out


def _json_strings(value: Any, depth: int = 0) -> Iterator[tuple[str, bool]]:
    if depth > 20:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key), True
            yield from _json_strings(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item, depth + 1)
    elif isinstance(value, str):
        yield value, False


def units(text: str, is_key: bool = False) -> Iterator[tuple[str, bool]]:
    """Every (string, is_key) the engine would scan for ``text``: its views plus JSON inside them."""
    for view in views(text):
        yield view, is_key
        stripped = view.strip()
        if stripped[:1] in "[{" and len(stripped) < 200_000:
            try:
                parsed = json.loads(stripped)
            except ValueError:
                continue
            yield from _json_strings(parsed)


def scan_family(module: ModuleType, text: str, is_key: bool = False, location: str = "",
                content_type: str = "") -> Detection | None:
    for unit, unit_is_key in units(text, is_key):
        ctx = ScanContext(is_key=unit_is_key, location=location, content_type=content_type)
        found = module.scan(unit, ctx)
        if found is not None:
            return found
    return None


def first_detection(modules: Iterable[ModuleType], text: str, is_key: bool = False,
                    location: str = "") -> tuple[str, Detection] | None:
    for module in modules:
        found = scan_family(module, text, is_key=is_key, location=location)
        if found is not None:
            return module.FAMILY, found
    return None


def query_fields(query: str) -> Iterator[tuple[str, bool, str]]:
    """(string, is_key, location) for every key and value of one query string."""
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        yield key, True, "queryStringParameters"
        yield value, False, f"queryStringParameters.{key}"


def event_strings(value: Any, path: str = "", depth: int = 0) -> Iterator[tuple[str, bool, str]]:
    if depth > 40:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            yield str(key), True, path
            yield from event_strings(item, child, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from event_strings(item, f"{path}[{index}]", depth + 1)
    elif isinstance(value, str):
        yield value, False, path


# Payload-list lines that are not an attack on their own, with the reason (the benchmark names them).
# Nothing is excluded because a detector misses it; every category is a kind of line, not a line.
EXCLUDED_CATEGORIES: dict[str, str] = {
    "list-comment": "comment and header lines of the list file ('# Directory Traversal Fuzzing Code', 'Statement')",
    "length-filler": "runs of 'A' used for buffer-length fuzzing: no path, no traversal",
    "web-route": "a relative or site-root path to an ordinary web file (robots.txt, /inc/config.php, db.php): "
    "the normal content of a page or route parameter",
    "current-dir-only": "prefixes made of './' and '.\\' only ('/./\\/./'): they never leave the directory "
    "and are meant to be paired with a file name by the fuzzer",
    "ldap-attribute-name": "LDAP_attributes.txt: bare attribute names (cn, mail, uid) are ordinary words",
    "fuzz-metacharacter": "one- or two-character fuzz tokens and bare wildcards ('*', '(', '|', '//', 'admin*', "
    "'*/*', '%26'): a lone metacharacter or a trailing wildcard is a normal search term",
    "xml-baseline": "well-formed XML without a DTD (methodCall, change-log, '<test></test>'), bare entity "
    "references ('&foo;', '%foo;') and typographic quotes: baseline probes, benign on their own",
    "xml-wrapped-xss-sqli": "XSS or SQL payloads wrapped in XML or CDATA ('<![CDATA[<]]>SCRIPT', "
    "\"' or 1=1 or ''='\" in CDATA): measured by the XSS and SQLi detectors, not by these families",
}
_WEB_ROUTE = re.compile(r"/?(?:[\w-]+/){0,2}[\w.-]+\.(?:php|asp|aspx|jsp|js|txt|css|html?)(?: a)?|/wp-content/plugins")
# Constructs that make an XML-list line an attack of these families (DTDs, XInclude, XSLT, XPath, PHP).
_XML_ATTACK_MARKS = ("<!doctype", "<!entity", "xi:include", "phpinfo", "count(", "name()", "document(", "php:function")
_FUZZ_TOKEN = re.compile(r"[*()|&!/@%0-9a-fA-F]{1,6}|[a-z]{1,12}\*|\*/\*")
_XML_WRAPPED_XSS_SQLI = re.compile(r"(?i)script|alert\(|' or 1=1|<img|datasrc|\.htc|xss")


def excluded(list_name: str, line: str) -> str | None:
    """The ``EXCLUDED_CATEGORIES`` key that ``line`` of payload list ``list_name`` falls in, if any."""
    stripped = line.strip()
    if stripped == "#" or stripped.startswith("# ") or stripped == "Statement":
        return "list-comment"
    if len(stripped) > 20 and set(stripped.lstrip("/")) == {"A"}:
        return "length-filler"
    if list_name.startswith(("file-inclusion", "path-traversal")):
        if _WEB_ROUTE.fullmatch(stripped):
            return "web-route"
        if ".." not in stripped and set(stripped) <= set("./\\"):
            return "current-dir-only"
    if list_name.startswith("ldap-injection"):
        if list_name.endswith("LDAP_attributes.txt"):
            return "ldap-attribute-name"
        if _FUZZ_TOKEN.fullmatch(stripped):
            return "fuzz-metacharacter"
    if list_name.startswith("xxe") and not any(mark in stripped.lower() for mark in _XML_ATTACK_MARKS):
        if _XML_WRAPPED_XSS_SQLI.search(stripped):
            return "xml-wrapped-xss-sqli"
        if stripped.startswith(("<", "&", "%")) or len(stripped) <= 2:
            return "xml-baseline"
    return None


def instantiate(line: str) -> str:
    """Fill a fuzzer template's ``{FILE}`` slot with the target the list itself uses most (etc/passwd)."""
    return line.replace("{FILE}", "etc/passwd")


def read_lines(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    return [line for line in text.splitlines() if line.strip()]


def _measure(corpora: Path, families: tuple[str, ...], show: int) -> int:
    modules = [load(name) for name in families]
    lists = {
        "path-traversal": "path", "file-inclusion": "path", "xxe": "xxe", "ssti": "ssti",
        "nosql-injection": "nosql", "ldap-injection": "ldap",
    }
    pat = corpora / "attacks" / "payloadsallthethings"
    print("| list | lines | excluded | detected | rate |\n|---|---:|---:|---:|---:|")
    for folder in lists:
        for file in sorted((pat / folder).iterdir()):
            name = f"{folder}/{file.name}"
            all_lines = read_lines(file)
            lines = [instantiate(line) for line in all_lines if excluded(name, line) is None]
            missed = [line for line in lines if first_detection(modules, line) is None]
            rate = 100.0 * (len(lines) - len(missed)) / max(1, len(lines))
            print(f"| {name} | {len(all_lines)} | {len(all_lines) - len(lines)} | {len(lines) - len(missed)} "
                  f"| {rate:.2f}% |")
            for line in missed[:show]:
                print("    MISS", repr(line[:160]), file=sys.stderr)
    benign = json.loads((corpora / "benign" / "query-strings.json").read_text(encoding="utf-8"))
    fps = 0
    started = time.perf_counter()
    for query in benign:
        hit = None
        for text, is_key, location in query_fields(query):
            hit = first_detection(modules, text, is_key=is_key, location=location)
            if hit is not None:
                break
        if hit is not None:
            fps += 1
            if fps <= show:
                print("    FP", hit[0], hit[1].rule_id, hit[1].detail, repr(query[:200]), file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(f"\nbenign query strings: {len(benign)}, false positives: {fps} ({100.0 * fps / len(benign):.2f}%), "
          f"{elapsed:.2f} s")
    every_line = [line for folder in lists for file in sorted((pat / folder).iterdir()) for line in read_lines(file)]
    violations = _prefilter_violations(modules, every_line + benign)
    print(f"PREFILTER necessary-condition check over {len(every_line)} corpus lines and {len(benign)} benign query "
          f"strings (all views): {violations} violations")
    event_fps = 0
    for file in sorted((corpora / "events" / "powertools").glob("*.json")):
        event = json.loads(file.read_text(encoding="utf-8"))
        for text, is_key, location in event_strings(event):
            hit = first_detection(modules, text, is_key=is_key, location=location)
            if hit is not None:
                event_fps += 1
                print("    EVENT-FP", file.name, location, hit[0], hit[1].rule_id, repr(text[:120]), file=sys.stderr)
    print(f"powertools sample events: false positives in {event_fps} strings")
    _speed(modules, benign)
    return 0


def _prefilter_violations(modules: list[ModuleType], texts: list[str]) -> int:
    compiled = [(module, re.compile(module.PREFILTER, re.IGNORECASE)) for module in modules]
    bad = 0
    for text in texts:
        for unit, is_key in units(text):
            for module, prefilter in compiled:
                scan = getattr(module, "scan_unfiltered", module.scan)  # what the engine calls
                if scan(unit, ScanContext(is_key=is_key)) is not None and not prefilter.search(unit):
                    bad += 1
                    print("    PREFILTER VIOLATION", module.FAMILY, repr(unit[:120]), file=sys.stderr)
    return bad


def _speed(modules: list[ModuleType], queries: list[str]) -> None:
    """Per family: share of benign keys/values its PREFILTER passes, and scan cost on those."""
    fields = [(text, is_key) for query in queries for text, is_key, _ in query_fields(query)]
    print(f"\n| family | prefilter passes | prefilter us/string | scan us/passed string |  (n={len(fields)})")
    print("|---|---:|---:|---:|")
    for module in modules:
        prefilter = re.compile(module.PREFILTER, re.IGNORECASE)
        started = time.perf_counter()
        passed = [(text, is_key) for text, is_key in fields if prefilter.search(text)]
        pre_us = (time.perf_counter() - started) / len(fields) * 1e6
        started = time.perf_counter()
        for text, is_key in passed:
            module.scan(text, ScanContext(is_key=is_key))
        scan_us = (time.perf_counter() - started) / max(1, len(passed)) * 1e6
        print(f"| {module.FAMILY} | {100.0 * len(passed) / len(fields):.1f}% | {pre_us:.2f} | {scan_us:.1f} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    parser.add_argument("--families", default=",".join(MY_FAMILIES))
    parser.add_argument("--show", type=int, default=20, help="misses and false positives to print")
    args = parser.parse_args(argv)
    return _measure(args.corpora, tuple(args.families.split(",")), args.show)


if __name__ == "__main__":
    raise SystemExit(main())
