"""Corpus harness for the SQL injection, XSS and command injection detectors (tests and measuring).

A payload counts as detected when ``scan`` flags any view the engine would hand it: the raw line, its
``unquote_plus`` view and the ``html.unescape`` of both. A benign query string is a false positive when
any of its keys or values (in any view) is flagged.

Some lines of the public payload lists are not attacks on their own. They are kept in the fixture
files and skipped by the category rules in ``EXCLUSIONS`` below; each category says why. A category is
defined by the shape of the line, never by whether the detector finds it.

Run directly to measure on the full development corpora (numbers for the report)::

    .venv/bin/python tests/firewall/detectors/injection_corpus.py --corpora ../shared/corpora
"""

from __future__ import annotations

import argparse
import glob
import html
import json
import re
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

from hullguard.firewall.detectors.base import Detection, ScanContext

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "detectors"
FAMILIES = ("sqli", "xss", "cmdi")
LIST_DIRS = {"sqli": "sql-injection", "xss": "xss", "cmdi": "command-injection"}
MIN_DETECTION = 0.99
MAX_FALSE_POSITIVES = 0.005

Rule = tuple[str, str, Callable[[str, str], bool]]


def _stripped(line: str) -> str:
    return line.strip()


# Lines of multi-line vectors in RSnake's cheat sheet (RSNAKE_XSS.txt, XSSDetection.txt): each line alone
# is a fragment whose executing part sits on another line.
_XSS_FRAGMENTS = frozenset(
    {
        'a="get";',
        'b="URL(\\"";',
        "<HTML><BODY>",
        "</BODY></HTML>",
        "<HTML xmlns:xss>",
        "</HTML>",
        "<!--[if gte IE 4]>",
        "<![endif]-->",
        'exp/*<XSS STYLE=\'no\\xss:noxss("*//*");',
        'exp/*<A STYLE=\'no\\xss:noxss("*//*");',
        "<? echo('<SCR)';",
        "<xss:xss>XSS</xss:xss>",
        '<?import namespace="xss" implementation="http://ha.ckers.org/xss.htc">',
        '<?xml:namespace prefix="t" ns="urn:schemas-microsoft-com:time">',
        '<?import namespace="t" implementation="#default#time2">',
    }
)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\(.)", re.DOTALL)


def _css_text(line: str) -> str:
    """CSS as a browser reads it: entities and CSS escapes decoded, html5sec's ``[a]`` markers removed."""

    def _char(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group(2)
        code = int(match.group(1), 16)
        return chr(code) if 0 < code < 0x110000 else ""

    return re.sub(r"\[\w*\]", "", _CSS_ESCAPE.sub(_char, html.unescape(line)))


_SCRIPT_MARKERS = re.compile(r"javascript|vbscript|expression|alert|prompt|<script|\bon\w+\s*=", re.IGNORECASE)

EXCLUSIONS: dict[str, tuple[Rule, ...]] = {
    "sqli": (
        (
            "documentation",
            "a heading or explanation line of the list ('# Numeric', 'Time-Based:', '+<TAB>addition, ...')",
            lambda _l, s: (
                "\t" in s
                or re.match(r"#\s|#[A-Za-z]", s) is not None
                or (re.fullmatch(r"[A-Za-z][A-Za-z -]+:?", s) is not None and (" " in s or s.endswith(":")))
                or s in ("-- or #", "/*…*/")
            ),
        ),
        (
            "bare probe",
            "a lone quote, bracket, number or separator ('1'', '[1]', '%00', ';'): the same characters occur in "
            "benign values (O'Neil, 1) and carry no SQL on their own",
            lambda _l, s: (
                (len(s) <= 4 and not any(c.isalpha() for c in s))
                or re.fullmatch(r"\d*/\*!?\d*['\"]\*/", s) is not None
                or s in ("'\\\"",)
            ),
        ),
        (
            "arithmetic probe",
            "arithmetic on a number without a quote, keyword or comment ('1*56', '1-false'): evaluates like "
            "any numeric value",
            lambda _l, s: re.fullmatch(r"-?\d+\s*[-+*/]\s*(?:\d+|true|false)", s, re.IGNORECASE) is not None,
        ),
    ),
    "xss": (
        (
            "event handler name",
            "a bare attribute name from an event-handler list ('onAbort'): a word list, not a payload",
            lambda list_name, s: (
                list_name.endswith("event_handlers.txt")
                or re.fullmatch(r"on\w+|FSCommand|seekSegmentTime", s, re.IGNORECASE) is not None
            ),
        ),
        (
            "encoded '<' alone",
            "one of the encodings of a lone '<' (&lt;, &#x3c, \\u003c, %3C) from an encoding table",
            lambda _l, s: re.fullmatch(r"<|%3c|&lt;?|&#0*60;?|&#x0*3c;?|\\x3c|\\u003c", s, re.IGNORECASE) is not None,
        ),
        (
            "list heading",
            "a section heading of the JSONP list ('#Google.com:')",
            lambda _l, s: re.fullmatch(r"#[^<>()]*", s) is not None,
        ),
        (
            "multi-line fragment",
            "one line of a multi-line vector whose executing part is on another line (RSnake cheat sheet)",
            lambda _l, s: s in _XSS_FRAGMENTS,
        ),
        (
            "style-only injection",
            "CSS that only changes presentation (color:red, also spelt with CSS escapes or html5sec's [a] "
            "markers: \\63olor, [a]color[b]:red) and runs no script",
            lambda _l, s: (
                re.search(r"color\s*[:=]\s*(?:red|green|blue|yellow)", _css_text(s), re.IGNORECASE) is not None
                and _SCRIPT_MARKERS.search(s) is None
            ),
        ),
        (
            "plain link or markup",
            "a link/image to an http URL, or plain markup (<h1>INJECTX</h1>): HTML injection without script, not "
            "XSS at paranoia 1",
            lambda _l, s: (
                (
                    re.fullmatch(r"<(?:a|img)\s+(?:href|src)\s*=\s*\"?\s*h\s*t\s*t\s*p.*", s, re.IGNORECASE) is not None
                    and _SCRIPT_MARKERS.search(s) is None
                )
                or s in ("<h1>INJECTX</h1>", "<input type=text value=\u201cXSS\u201d>")
            ),
        ),
        (
            "filter probe",
            "RSnake's XSS locator: a string that shows which characters a filter lets through",
            lambda _l, s: s == "'';!--\"<XSS>=&{()}",
        ),
        ("not a payload", "an Apache configuration line quoted in the list", lambda _l, s: s.startswith("Redirect ")),
    ),
    "cmdi": (
        (
            "separator probe",
            "a separator or quote alone (';', '&&', '%0a', '\\n'): no command to run",
            lambda _l, s: re.fullmatch(r"[;|&'\"`\s]*|(?:%0a|%0d|\\n|\\r)+", s, re.IGNORECASE) is not None,
        ),
        (
            "bare command",
            "a command word with at most two plain arguments and no separator ('whoami', 'sleep 5', 'which perl'): "
            "identical to ordinary form data; reported only at paranoia 2",
            lambda _l, s: re.fullmatch(r"[\w.-]+(?:\s+[\w.-]+){0,2}", s) is not None,
        ),
        (
            "template/PHP code",
            "PHP complex syntax or template expressions ('{${phpinfo()}}', '{{4+8}}'): code and template injection, "
            "reported by the code and ssti families",
            lambda _l, s: any(m in s for m in ("{{", "{%", "{$", "${@", "{${", "phpinfo", "phpversion", "{1}")),
        ),
        (
            "quote without separator",
            'a quote then a command word with no separator ("\' whoami"): in a shell the word becomes one more '
            "argument of the original command, not a new command",
            lambda _l, s: re.fullmatch(r"['\"]\s*[\w.-]+", s) is not None,
        ),
        (
            "XSS through echo",
            "echo '<script>...' without a separator: an XSS payload, reported by the xss family",
            lambda _l, s: re.match(r"echo\s+['\"]<(?:script|img)", s, re.IGNORECASE) is not None,
        ),
    ),
}


def excluded(family: str, list_name: str, line: str) -> str | None:
    """The excluded category of a payload-list line, or None when the line must be detected."""
    stripped = _stripped(line)
    if not stripped:
        return "empty"
    for category, _reason, rule in EXCLUSIONS[family]:
        if rule(list_name, stripped):
            return category
    return None


def load(family: str) -> ModuleType:
    return import_module(f"hullguard.firewall.detectors.{family}")


def views(text: str) -> list[str]:
    """The decoded views the engine scans for one string (raw first, deduplicated)."""
    out = [text]
    unquoted = urllib.parse.unquote_plus(text)
    for candidate in (unquoted, html.unescape(text), html.unescape(unquoted)):
        if candidate not in out:
            out.append(candidate)
    return out


def detect(module: ModuleType, text: str, ctx: ScanContext | None = None) -> Detection | None:
    context = ctx or ScanContext()
    for view in views(text):
        found: Detection | None = module.scan(view, context)
        if found is not None:
            return found
    return None


def query_fields(query: str) -> list[str]:
    """Every key and value of a query string (decoded once, as API Gateway delivers them)."""
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    return [part for pair in pairs for part in pair] or [urllib.parse.unquote_plus(query)]


def read_tsv(path: Path) -> list[tuple[str, str]]:
    rows = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        list_name, _, line = raw.partition("\t")
        rows.append((list_name, line))
    return rows


def fixture_payloads(family: str) -> list[tuple[str, str]]:
    """(list, line) rows of the copied payload-list sample that must be detected."""
    rows = read_tsv(FIXTURES / family / "corpus.tsv")
    return [(name, line) for name, line in rows if excluded(family, name, line) is None]


def fixture_lines(family: str, name: str) -> list[str]:
    return [line for line in (FIXTURES / family / name).read_text(encoding="utf-8").splitlines() if line]


def hard_cases(family: str) -> dict[str, list[str]]:
    data: dict[str, Any] = json.loads((FIXTURES / family / "hard.json").read_text(encoding="utf-8"))
    return {"attacks": list(data["attacks"]), "benign": list(data["benign"])}


def detection_rate(module: ModuleType, payloads: Iterable[str]) -> tuple[float, list[str]]:
    items = list(payloads)
    missed = [p for p in items if detect(module, p) is None]
    return (1 - len(missed) / len(items)) if items else 1.0, missed


def false_positive_rate(module: ModuleType, queries: Iterable[str]) -> tuple[float, list[str]]:
    items = list(queries)
    flagged = [q for q in items if any(detect(module, f) is not None for f in query_fields(q))]
    return (len(flagged) / len(items)) if items else 0.0, flagged


# -- measuring on the full development corpora ------------------------------------------------------


def _json_strings(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _measure(corpora: Path, family: str) -> list[str]:
    module = load(family)
    out = [f"### {family}", ""]
    rows: list[tuple[str, str]] = []
    for path in sorted(glob.glob(str(corpora / "attacks" / "payloadsallthethings" / LIST_DIRS[family] / "*"))):
        name = f"{LIST_DIRS[family]}/{Path(path).name}"
        if name.endswith("MarioXSSVectors.txt"):
            continue  # multi-line vectors: measured per vector below
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
        rows.extend((name, line) for line in lines)
    counted = [(n, line) for n, line in rows if excluded(family, n, line) is None]
    categories: dict[str, int] = {}
    for n, line in rows:
        category = excluded(family, n, line)
        if category is not None:
            categories[category] = categories.get(category, 0) + 1
    rate, missed = detection_rate(module, (line for _n, line in counted))
    out.append(f"- payload lists: {len(counted)} lines counted, detected {rate:.2%} ({len(missed)} missed)")
    out.append(f"- excluded lines by category: {json.dumps(categories)}")
    if family == "xss":
        text = (corpora / "attacks/payloadsallthethings/xss/MarioXSSVectors.txt").read_text(encoding="utf-8")
        vectors = [v for v in re.split(r'(?=<div id="\d+">)', text) if v.strip()]
        vector_rate, _ = detection_rate(module, vectors)
        kept = [v for v in vectors if excluded(family, "xss/MarioXSSVectors.txt", v) is None]
        kept_rate, _ = detection_rate(module, kept)
        out.append(
            f"- html5sec (MarioXSSVectors) per multi-line vector: {len(vectors)} vectors, detected {vector_rate:.2%}; "
            f"{len(kept)} counted after the exclusions (as the benchmark does), detected {kept_rate:.2%}"
        )
    if family == "sqli":
        queries = json.loads((corpora / "attacks/sqli-query-strings.json").read_text(encoding="utf-8"))
        hits = sum(any(detect(module, f) for f in query_fields(q)) for q in queries)
        out.append(f"- malicious query strings: {hits}/{len(queries)} detected ({hits / len(queries):.2%})")
    benign = json.loads((corpora / "benign/query-strings.json").read_text(encoding="utf-8"))
    fp_rate, flagged = false_positive_rate(module, benign)
    out.append(f"- benign query strings: {len(flagged)}/{len(benign)} flagged ({fp_rate:.2%})")
    event_strings = [
        s
        for p in sorted(glob.glob(str(corpora / "events/powertools/*.json")))
        for s in _json_strings(json.loads(Path(p).read_text()))
    ]
    event_fp = [s for s in event_strings if detect(module, s) is not None]
    out.append(f"- benign sample-event strings: {len(event_fp)}/{len(event_strings)} flagged")
    fields = [f for q in benign for f in query_fields(q)] + event_strings
    prefilter = re.compile(module.PREFILTER, re.IGNORECASE)
    passing = sum(1 for f in fields if prefilter.search(f))
    ctx = ScanContext()
    best = float("inf")
    for _ in range(3):  # CPU time, best of three: the machine is shared
        start = time.process_time()
        for f in fields:
            module.scan(f, ctx)
        best = min(best, time.process_time() - start)
    mean_us = best / len(fields) * 1e6
    out.append(
        f"- prefilter passes {passing}/{len(fields)} benign strings ({passing / len(fields):.1%}); "
        f"mean scan {mean_us:.2f} µs per benign string"
    )
    if missed:
        out.append(f"- missed examples: {[m[:60] for m in missed[:8]]}")
    return [*out, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    args = parser.parse_args(argv)
    if not (args.corpora / "benign" / "query-strings.json").exists():
        print(f"corpora not found under {args.corpora}", file=sys.stderr)
        return 2
    print("## SQL injection, XSS and command injection detectors\n")
    for family in FAMILIES:
        print(f"measuring {family} ...", file=sys.stderr)
        print("\n".join(_measure(args.corpora, family)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
