"""The one-pass RE2 gate: its translations never miss what a prefilter matches, exact ones locate the
same views, and the firewall detects the same attacks with the gate, without it and on text the gate
does not read (non-ASCII)."""

from __future__ import annotations

import itertools
import json
import random
import re
from pathlib import Path

import pytest

from hullguard.firewall import Firewall, gate
from hullguard.firewall.detectors.prefilters import GATES, PREFILTERS
from hullguard.firewall.gate_translate import EXACT, GATE_ONLY, VERIFY, Untranslatable, translate
from hullguard.firewall.prefilter import SEPARATOR, compile_joined, prefilter_source, view_starts

re2 = pytest.importorskip("re2")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "detectors"


def _fixture_texts() -> list[str]:
    """Every attack and benign string of the detector fixtures, lower-cased, ASCII only."""
    texts: list[str] = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            values = data if isinstance(data, list) else [v for vs in data.values() for v in vs]
            texts.extend(v for v in values if isinstance(v, str))
        elif path.suffix in (".tsv", ".txt"):
            texts.extend(line.split("\t")[-1] for line in path.read_text(encoding="utf-8").splitlines())
    return [t.lower() for t in texts if t and t.isascii()]


TEXTS = _fixture_texts()
_RANDOM_CHARS = "a0 ./\\:;'\"<>()[]{}$#%@!|&=+-_~*\n\r\tlocalhost169254etcpasswd\x00\x80"


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    ascii_chars = [c for c in _RANDOM_CHARS if c.isascii()]
    return ["".join(rng.choice(ascii_chars) for _ in range(rng.randint(1, 24))) for _ in range(count)]


def _gate_regex(family: str) -> re2._Regexp:
    return re2.compile(GATES[family][0].encode("ascii"))


@pytest.mark.parametrize("family", sorted(PREFILTERS))
def test_every_default_family_is_gated(family: str) -> None:
    assert family in GATES, f"{family}: its PREFILTER could not be translated for the gate"


@pytest.mark.parametrize("family", sorted(GATES))
def test_gate_matches_whenever_the_prefilter_does(family: str) -> None:
    exact, _ = compile_joined(prefilter_source(PREFILTERS[family]))
    gate_regex = _gate_regex(family)
    texts = TEXTS + _random_texts(3000, seed=len(family))
    # Also as joined views, where anchors and lookbehinds meet the separator.
    texts += [SEPARATOR.join(texts[i : i + 3]) for i in range(0, len(texts), 3)]
    missed = [t for t in texts if exact.search(t) and not gate_regex.search(t.encode("ascii"))]
    assert not missed, f"{family}: the gate misses {missed[:5]}"


@pytest.mark.parametrize("family", sorted(f for f, (_, mode) in GATES.items() if mode != GATE_ONLY))
def test_gate_locates_the_same_views_as_the_prefilter(family: str) -> None:
    """Exact translations locate the views alone; superset ones (VERIFY) with the prefilter's check."""
    exact, _ = compile_joined(prefilter_source(PREFILTERS[family]))
    firewall = Firewall()
    det = next(d for d in firewall._lowered if d.family == family)
    assert det.locator is not None
    from hullguard.firewall.scanner import Scanner

    texts = TEXTS + _random_texts(2000, seed=7)
    for start in range(0, len(texts), 5):
        views = texts[start : start + 5]
        joined = SEPARATOR.join(views)
        starts = view_starts(views)
        expected = {i for i, v in enumerate(views) if exact.search(joined, starts[i], starts[i] + len(v))}
        hits: dict[int, list[object]] = {}
        Scanner._locate(det.locator, det, joined.encode("ascii"), starts, hits, joined)  # type: ignore[arg-type]
        assert set(hits) == expected, (family, views)


# Patterns whose translation is compared exhaustively with Python over every short string of an
# alphabet: (pattern, how far the translation stands in for it).
_SHAPES = [
    (r"(?<![a-z])(?:and|or)(?![a-z])", EXACT),  # lookarounds at both edges
    (r"[/\\](?:(?<=(?:etc|var).)|(?<=proc.))", EXACT),  # lookbehinds after a consumed character
    (r"\.(?:(?<=a\.)b|c(?<=b\.c))", EXACT),
    (r"l(?<![a-c0-9]l)[a-z]{2}", EXACT),  # a negative lookbehind wider than what was consumed
    (r"(?-i:[^a-z])(?<=[0-9])x", EXACT),  # a flag group around the consumed character
    (r"(?:^|(?<=\x01))\s{0,2}x(?=\n?(?:\x01|\Z))", EXACT),  # anchors at view edges
    (r"x(?=a|$)", EXACT),  # an anchor inside a lookahead at the end
    (r"\w\W\d\D\s\S", EXACT),  # Python's classes on ASCII, \v and \x1c included in \s
    (r"x(?=y)z|q", VERIFY),  # a lookahead in the middle: dropped, a superset
    (r"(?:a{0,12}b){0,2}c", VERIFY),  # a wide count inside a count: unbounded, a superset
    (r"[0-9](?<=\x01[0-9])x", EXACT),  # the consumed lookbehind starts on a separator: located past it
    (r"[0-9](?<=[a-z]\x01[0-9])x", GATE_ONLY),  # the consumed lookbehind reaches into the previous view
]
_ALPHABET = "abcl0/\\.x\x01 \v\x1c\n"


@pytest.mark.parametrize(("pattern", "expected_mode"), _SHAPES)
def test_translation_against_python_on_every_short_string(pattern: str, expected_mode: str) -> None:
    translated, mode = translate(pattern)
    assert mode == expected_mode
    python = re.compile(pattern)
    rx = re2.compile(translated.encode("ascii"))
    for length in range(0, 6):
        for chars in itertools.product(_ALPHABET, repeat=length):
            text = "".join(chars)
            py, gt = python.search(text) is not None, rx.search(text.encode("ascii")) is not None
            assert gt or not py, (pattern, translated, text)
            if mode == EXACT:
                assert py == gt, (pattern, translated, text)


def test_back_references_are_not_translated() -> None:
    with pytest.raises(Untranslatable):
        translate(r"(a)\1")


def test_gate_says_it_cannot_tell_when_re2_gives_up() -> None:
    built = gate.Gate.build(["a", "b"])
    assert built is not None
    assert built.candidates(b"xxbxx") == {1}
    failing = gate.Gate(lambda data: [], 2, [0, 1], [])  # RE2 failed: even the canary is missing
    assert failing.candidates(b"xxbxx") is None


def _attacks() -> list[dict[str, object]]:
    return [
        {"body": "id=1' UNION SELECT password FROM users --"},
        {"q": "<script>alert(1)</script>"},
        {"file": "../../../../etc/passwd"},
        {"url": "http://169.254.169.254/latest/meta-data/"},
        {"cmd": "x; cat /etc/passwd"},
        {"a": "x", "page": "http://evil.example/shell.txt", "b": "y"},  # a prefilter ending at a view's end
        {"name": "José; cat /etc/passwd"},  # not ASCII: the gate stands aside
        # ASCII views through the gate, the accented ones through the exact passes, hits merged back
        {"name": "José", "q": "1' OR '1'='1", "note": "Zoë <svg onload=alert(1)>", "path": "../../etc/passwd"},
        {"v": "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e"},
    ]


def test_firewall_detects_the_same_with_and_without_the_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    gated = Firewall()
    assert gated._gate is not None
    monkeypatch.setattr(gate, "_re2_set", lambda patterns: None)  # as without the google-re2 wheel
    plain = Firewall()
    assert plain._gate is None
    for event in _attacks():
        with_gate = [(f.attack, f.location) for f in gated.inspect(event).findings]
        without = [(f.attack, f.location) for f in plain.inspect(event).findings]
        assert with_gate and with_gate == without, event


def test_header_answers_are_remembered_and_still_reported() -> None:
    """A repeated header value is judged once; its finding is reported on every event that has it."""
    firewall = Firewall()
    attack = {"headers": {"User-Agent": "() { :; }; /bin/bash -c 'cat /etc/passwd'"}, "httpMethod": "GET",
              "resource": "/", "path": "/", "requestContext": {"requestId": "r"}}
    first = [(f.attack, f.location) for f in firewall.inspect(attack).findings]
    hits_before = firewall._memo.hits
    second = [(f.attack, f.location) for f in firewall.inspect(attack).findings]
    assert first and first == second
    assert firewall._memo.hits > hits_before
    firewall.forget()
    assert [(f.attack, f.location) for f in firewall.inspect(attack).findings] == first


def test_memo_stays_bounded_under_ever_new_header_values() -> None:
    from hullguard.firewall.memo import MAX_ENTRIES

    firewall = Firewall()
    for i in range(MAX_ENTRIES + 500):
        firewall.inspect({"headers": {"Accept-Language": f"en;q=0.{i}"}, "httpMethod": "GET", "resource": "/",
                          "path": "/", "requestContext": {"requestId": "r"}})
    assert len(firewall._memo._answers) <= MAX_ENTRIES
