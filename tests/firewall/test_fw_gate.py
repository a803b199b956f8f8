"""The RE2 gates: their translations never miss what a prefilter matches, exact ones locate the same
views, and the firewall detects the same attacks with the gates and without them, on ASCII text and on
text that is not (the Unicode gate)."""

from __future__ import annotations

import itertools
import json
import random
import re
from pathlib import Path

import pytest
from fw_helpers import requires_interpreted

from hullguard.firewall import Firewall, gate
from hullguard.firewall.detectors.prefilters import GATES, PREFILTERS, UNICODE_GATES
from hullguard.firewall.gate_translate import (
    EXACT,
    EXACT_LATIN1,
    GATE_ONLY,
    UNICODE,
    VERIFY,
    Untranslatable,
    translate,
)
from hullguard.firewall.prefilter import SEPARATOR, compile_joined, prefilter_source, view_starts

re2 = pytest.importorskip("re2")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "detectors"


def _fixture_strings() -> list[str]:
    """Every attack and benign string of the detector fixtures, as they are."""
    texts: list[str] = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            values = data if isinstance(data, list) else [v for vs in data.values() for v in vs]
            texts.extend(v for v in values if isinstance(v, str))
        elif path.suffix in (".tsv", ".txt"):
            texts.extend(line.split("\t")[-1] for line in path.read_text(encoding="utf-8").splitlines())
    return [t for t in texts if t]


def _fixture_texts() -> list[str]:
    """Every attack and benign string of the detector fixtures, lower-cased, ASCII only."""
    return [t.lower() for t in _fixture_strings() if t.isascii()]


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
        Scanner._locate(det.locator, det, joined.encode("ascii"), starts, hits, joined, float("inf"))  # type: ignore[arg-type]
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
    (r"(?:[^/]{0,64}/){0,8}cat", VERIFY),  # and so the count over it (no copy of "cat" per count)
    (r"(?:ab*){0,3}c", VERIFY),  # a count over a body that repeats without bound
    (r"(?:ab){0,3}c", EXACT),  # a count over a bounded body stays
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
    failing = gate.Gate([gate._Set(lambda data: [], 2, [0, 1])], [])  # RE2 failed: even the canary is missing
    assert failing.candidates(b"xxbxx") is None
    wrapped = gate.Gate([gate._Set(lambda data: None, 2, [0, 1])], [])  # the wrapper's answer for "nothing matched"
    assert wrapped.candidates(b"xxbxx") is None


def test_separate_sets_answer_as_one_set_does() -> None:
    """The path and command prefilters are matched in sets of their own (``gate.SEPARATE_SETS``): the
    gate names the same families as one set of every pattern would, and asked for some positions only,
    matches only the sets that hold them."""
    names = list(GATES)
    patterns = [GATES[name][0] for name in names]
    split = gate.Gate.build(patterns, names)
    whole = gate.Gate.build(patterns)
    assert split is not None and whole is not None
    assert len(split._sets) == len(gate.SEPARATE_SETS) + 1 and len(whole._sets) == 1
    texts = [*_fixture_strings(), "/orders", "lang=en", "", "ls -la /tmp", "..%2f..%2fetc/passwd"]
    for text in texts:
        data = text.lower().encode("ascii", "replace")
        assert split.candidates(data) == whole.candidates(data), text
    path = names.index("path")
    asked: list[bytes] = []
    for gate_set in split._sets:
        match = gate_set.match
        gate_set.match = lambda data, match=match: asked.append(data) or match(data)
    assert split.may_match(b"../../etc/passwd", frozenset({path})) is True
    assert len(asked) == 1  # the path set only


def test_an_extra_pattern_is_named_with_the_position_it_is_part_of_and_matched_in_its_set() -> None:
    built = gate.Gate.build(["[;&]", "b"], ["cmdi", "x"], [(0, "id")])
    assert built is not None
    assert built.candidates(b"a&c") == {0}  # the class only
    assert built.candidates(b"id") == {0, 2}  # the rest: the extra position and its owner's
    assert built.candidates(b"id&b") == {0, 1, 2}
    assert built.candidates(b"zzz") == set()
    assert [sorted(set(s.positions) - {-1}) for s in built._sets] == [[0, 2], [1]]


def test_may_match_agrees_with_the_candidates_it_is_asked_about() -> None:
    """``may_match`` (the header shapes' question: may one of these families match?) answers as
    ``candidates`` does for the same positions, extra patterns counting for their owner, and says it
    cannot tell when RE2 fails."""
    names = list(GATES)
    built = gate.Gate.build([GATES[name][0] for name in names], names, [(names.index("cmdi"), "id")])
    assert built is not None
    texts = [*_fixture_strings()[:400], "/orders", "lang=en", "", "ls -la /tmp", "id", "a;b"]
    wanted_sets = [frozenset({i}) for i in range(len(names))]
    wanted_sets += [frozenset({names.index("ssrf"), names.index("sqli")}), frozenset(range(len(names)))]
    # across the separate sets (a Referer leaves SQL, deserialization, path and file-name families)
    wanted_sets += [frozenset(names.index(f) for f in ("sqli", "deser", "path", "rfi"))]
    wanted_sets += [frozenset({names.index("cmdi"), names.index("xss")})]
    for text in texts:
        data = text.lower().encode("ascii", "replace")
        found = built.candidates(data)
        assert found is not None
        for wanted in wanted_sets:
            assert built.may_match(data, wanted) == (not found.isdisjoint(wanted)), (text, sorted(wanted))
    extra = gate.Gate.build(["[;&]", "b"], ["cmdi", "x"], [(0, "id")])
    assert extra is not None
    assert extra.may_match(b"id", frozenset({0})) is True  # the extra pattern answers for its owner
    assert extra.may_match(b"id", frozenset({1})) is False
    failing = gate.Gate([gate._Set(lambda data: [], 2, [0, 1])], [])
    assert failing.may_match(b"xxbxx", frozenset({1})) is None


def test_positions_held_by_several_sets_are_asked_in_one_match_of_a_set_of_their_own() -> None:
    """A header shape's question about families that ``SEPARATE_SETS`` keeps in different sets is one
    RE2 match, of a set compiled for those patterns on first use; where that set cannot be built, the
    gate's own sets answer."""
    names = list(GATES)
    built = gate.Gate.build([GATES[name][0] for name in names], names)
    assert built is not None
    referer_families = frozenset(names.index(f) for f in ("sqli", "deser", "path", "rfi"))
    asked: list[bytes] = []
    for gate_set in built._sets:
        match = gate_set.match
        gate_set.match = lambda data, match=match: asked.append(data) or match(data)
    assert built.may_match(b"https://shop.example.com/p/3fa9c1", referer_families) is False
    assert built.may_match(b"https://shop.example.com/../../etc/passwd", referer_families) is True
    assert asked == []  # neither of the gate's sets: the plan's own
    (plan_set, _), = built._plans[referer_families][1]
    assert plan_set not in built._sets
    unbuilt = gate.Gate.build([GATES[name][0] for name in names], names)
    assert unbuilt is not None
    unbuilt._patterns = {}  # nothing to build a set from: the two sets are asked
    assert unbuilt.may_match(b"https://shop.example.com/p/3fa9c1", referer_families) is False
    assert len(unbuilt._plans[referer_families][1]) == 2


def test_the_command_prefilter_is_split_and_finds_the_same_views_as_whole() -> None:
    """The command prefilter's separators are matched apart from the rest of it (``Firewall._split_gate``):
    where the rest matches no view, the views are found by searching for the separators. The findings
    are those of a gate that matches the prefilter whole, on views where a separator and the rest meet
    in one view, in different views, or only one of them occurs."""
    split = Firewall()
    assert [split._lowered[p].family for p in split._splits] == ["cmdi"]
    whole = Firewall()
    whole._splits = {}
    whole._gate = gate.Gate.build([d.gate for d in whole._lowered], [d.family for d in whole._lowered])
    events: list[dict[str, object]] = [
        *_attacks(),
        {"u": "https://shop.example/?a=1&b=2", "c": "$(id)"},  # a separator in one view, the rest in another
        {"u": "https://shop.example/?a=1&b=2", "c": "x; cat /etc/passwd"},
        {"u": "https://shop.example/?a=1&b=2", "ua": "Not)A;Brand"},  # separators only
        {"c": "x`id`", "d": "${IFS}"},
        {"c": "system('id')", "u": "https://shop.example/?a=1&b=2"},  # the rest only, then separators
        {"q": "bread & butter", "n": "plain"},
    ]
    for event in events:
        with_split = [(f.rule_id, f.location) for f in split.inspect(event).findings]
        assert with_split == [(f.rule_id, f.location) for f in whole.inspect(event).findings], event
    assert any(f.attack == "cmdi" for f in split.inspect(events[-5]).findings)


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
    requires_interpreted("replaces gate._re2_set to build a firewall without RE2")
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



# -- the Unicode gate (views that are not ASCII) ----------------------------------------------------

# Characters where Python's Unicode classes, case mappings or RE2's UTF-8 handling could part ways:
# accented letters, Unicode spaces and digits, the case-fold specials (long s, Kelvin, dotless and
# dotted i, micro), full-width forms, combining marks, astral characters (a math digit, an emoji),
# superscripts and fractions (Python: word characters, not digits), the separator and its stand-in.
_UNICODE_CHARS = (
    "éÉñüßàçøÿ\u00aa\u00b5\u00b2\u00bc\u00d7\u00f7"
    "\u00a0\u0085\u1680\u2003\u2028\u3000\u180e\u200b"
    "\u0660\u0663\u06f5\u0966\uff10\uff19\U0001d7ce"
    "\u017f\u212a\u0131\u0130\u03bc\u1e9e"
    "\uff1c\uff0f\uff07\uff1b\uff41\uff3c"
    "\u0301\u0327\u20dd"
    "\U0001f600\U00010400\U000e0041"
    "\u0100\u0142\u010d\u0391\u0436\u4e16\u05d0\u0627"
    "\x01\x02"
)
_ASCII_CHARS = "a0 ./\\:;'\"<>()[]{}$#%@!|&=+-_~*\n\r\tx"
_WORDS = ["select", "union", "cat", "/etc/passwd", "{{", "?new", "?api", "{system", "169.254.169.254",
          "script", "php", "localhost", "1.2", ".ssh/", "..", "%2e", "l0000000", "0x2e", "data:", "ep ("]


def _mixed_texts(count: int, seed: int) -> list[str]:
    """Lower-cased mixes of ASCII, characters that are not, and prefilter words."""
    rng = random.Random(seed)
    chars = list(_ASCII_CHARS) + list(_UNICODE_CHARS)
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.3:
                parts.append(rng.choice(_WORDS))
            else:
                parts.append("".join(rng.choice(chars) for _ in range(rng.randint(1, 6))))
        texts.append("".join(parts).lower())
    return texts


@pytest.mark.parametrize("family", sorted(PREFILTERS))
def test_every_default_family_has_a_unicode_gate(family: str) -> None:
    assert family in UNICODE_GATES, f"{family}: its PREFILTER could not be translated for text that is not ASCII"


@pytest.mark.parametrize("family", sorted(UNICODE_GATES))
def test_unicode_gate_against_python_on_mixed_text(family: str) -> None:
    """Never a miss; no match more than Python's where the translation says it is exact."""
    exact, _ = compile_joined(prefilter_source(PREFILTERS[family]))
    pattern, mode = UNICODE_GATES[family]
    gate_regex = re2.compile(pattern)
    texts = _mixed_texts(6000, seed=len(family)) + [t.lower() for t in _fixture_strings() if not t.isascii()]
    missed, extra = [], []
    for text in texts:
        python, ours = exact.search(text) is not None, gate_regex.search(text.encode("utf-8")) is not None
        if python and not ours:
            missed.append(text)
        if ours and not python and (mode == EXACT or (mode == EXACT_LATIN1 and max(text) <= "\xff")):
            extra.append(text)
    assert not missed, f"{family}: the Unicode gate misses {missed[:5]}"
    assert not extra, f"{family}: said to be exact, the Unicode gate matches more on {extra[:5]}"


# (pattern, how far its Unicode translation stands in for it); compared exhaustively with Python.
_UNICODE_SHAPES = [
    (r"\w\W", EXACT_LATIN1),
    (r"\d\D", EXACT_LATIN1),
    (r"\s\S", EXACT_LATIN1),
    (r"[^\W\d]x", EXACT_LATIN1),  # a negated class of negated classes: "a letter"
    (r"[\s\x00]{0,2}:", EXACT_LATIN1),
    (r"(?:ab|x)\b", EXACT_LATIN1),  # a boundary after an ASCII word character at the end
    (r"\bx", VERIFY),  # elsewhere a boundary is dropped
    (r"x\B", VERIFY),
    (r"(?<![a-z\d])x", EXACT_LATIN1),  # a negative lookbehind of a class at the start
    (r"l(?<![a-c\w]l)x", EXACT_LATIN1),
    (r"[^\x01\t\n\r\x20-\x7f](?<=[\x00-\x1f\u00b5\u017f\u2003])", EXACT),  # a lookbehind after a class
    (r"[^a]\.", EXACT),
    (r".x$", EXACT),
    (r"(?:^|(?<=\x01))\s{0,2}x(?=\n?(?:\x01|\Z))", EXACT_LATIN1),  # anchors at view edges
]
_UNICODE_ALPHABET = "ax0_ \x01\n\u00e9\u00b5\u00a0\u0663\u017f\u2003\u4e16\U0001d7ce"


@pytest.mark.parametrize(("pattern", "expected_mode"), _UNICODE_SHAPES)
def test_unicode_translation_against_python_on_every_short_string(pattern: str, expected_mode: str) -> None:
    translated, mode = translate(pattern, UNICODE)
    assert mode == expected_mode
    python = re.compile(pattern)
    rx = re2.compile(translated)
    for length in range(0, 5):
        for chars in itertools.product(_UNICODE_ALPHABET, repeat=length):
            text = "".join(chars)
            py, gt = python.search(text) is not None, rx.search(text.encode("utf-8")) is not None
            assert gt or not py, (pattern, translated, text)
            if mode == EXACT or (mode == EXACT_LATIN1 and max(text, default="a") <= "\xff"):
                assert py == gt, (pattern, translated, text)


def test_case_insensitive_groups_are_not_translated_for_unicode_text() -> None:
    """Python's IGNORECASE has equivalences RE2's folding lacks (i/ı, s/ſ): no guessing."""
    assert re.search(r"(?i:s)", "\u017f") and re.search(r"(?i:i)", "\u0131")
    with pytest.raises(Untranslatable):
        translate(r"(?i:select)", UNICODE)
    assert translate(r"(?i:select)")[1] == EXACT  # on ASCII text the folding agrees


def test_unicode_gate_names_certain_families_and_those_to_confirm() -> None:
    word = translate(r"a\w", UNICODE)
    assert word[1] == EXACT_LATIN1
    built = gate.UnicodeGate.build([word, ("b", EXACT), None, ("c", VERIFY)])
    assert built is not None
    assert built.candidates("xa\u00e9 b c".encode()) == ([0, 1], [2, 3])
    # A character beyond Latin-1: the Latin-1-exact translation is confirmed by the prefilter.
    assert built.candidates("xa\u4e16 b".encode()) == ([1], [2, 0])
    assert built.candidates(b"nothing") == ([], [2])
    for failed in ([], None):  # RE2 failed: the canary is missing (None: the wrapper's empty answer)
        failing = gate.UnicodeGate(lambda data, answer=failed: answer, 2, [("a", EXACT)])
        assert failing.candidates(b"a") is None


_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}
# Ways an attack string arrives next to (or made of) characters that are not ASCII.
_NON_ASCII_SHAPES = [
    lambda text: f"Jos\u00e9 {text}",
    lambda text: f"{text} \u2014 \u00bfqu\u00e9? \U0001f600",
    lambda text: f"\u0130stanbul \u212aelvin \u017f{text}\u00b5",
    lambda text: text.replace(" ", "\u00a0", 1) + " \u4e16",
    lambda text: "e\u0301" + text.translate(_FULL_WIDTH) + "\x01\u00e9",
]


def _findings(firewall: Firewall, event: dict[str, object]) -> list[tuple[str, str, str]]:
    return [(f.rule_id, f.location, f.evidence) for f in firewall.inspect(event).findings]


def test_firewall_detects_the_same_with_and_without_the_unicode_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    """On every fixture string in shapes that are not ASCII: the Unicode gate, the exact passes on the
    views that are not ASCII (no Unicode gate), and no gate at all find exactly the same."""
    requires_interpreted("replaces gate._re2_set to build a firewall without RE2")
    unicode_gated = Firewall()
    exact_passes = Firewall()
    assert exact_passes._gate is not None
    exact_passes._gate._unicode_tried = True  # as when the Unicode set cannot be built: no Unicode gate
    with monkeypatch.context() as patched:
        patched.setattr(gate, "_re2_set", lambda patterns, max_mem=0: None)  # no google-re2
        ungated = Firewall()
    assert ungated._gate is None
    rng = random.Random(5)
    strings = rng.sample(_fixture_strings(), 600)  # of about 6,000: all of them take minutes
    found = 0
    for number, text in enumerate(strings):
        shape = _NON_ASCII_SHAPES[number % len(_NON_ASCII_SHAPES)]
        event = {"name": "Zo\u00eb", "q": shape(text), "ascii": "plain", "n": rng.choice(["1", "\u00e91"])}
        expected = _findings(ungated, event)
        assert _findings(unicode_gated, event) == expected, event
        assert _findings(exact_passes, event) == expected, event
        found += bool(expected)
    assert unicode_gated._gate is not None and unicode_gated._gate._unicode is not None
    assert found > len(strings) // 3  # the shapes keep many attacks attacks


def test_unicode_gate_is_built_on_the_first_view_that_is_not_ascii() -> None:
    firewall = Firewall()
    assert firewall._gate is not None
    firewall.inspect({"q": "1' OR '1'='1", "name": "Jose"})
    assert not firewall._gate._unicode_tried
    assert firewall.inspect({"q": "1' OR '1'='1", "name": "Jos\u00e9"}).findings
    assert firewall._gate._unicode is not None


def test_views_the_unicode_gate_cannot_read_take_the_exact_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """RE2 giving up on a view, or a lone surrogate UTF-8 cannot carry: the same findings, no error."""
    firewall = Firewall()
    events = [{"q": "Jos\u00e9' OR '1'='1"}, {"q": "\ud800<script>alert(1)</script>", "n": "\u00e9"}]
    expected = [_findings(firewall, event) for event in events]
    assert all(expected)
    unicode_gate = firewall._gate.unicode(firewall._lowered)  # type: ignore[union-attr]
    assert unicode_gate is not None
    monkeypatch.setattr(unicode_gate, "_match", lambda data: [])  # as when its DFA runs out of memory
    assert [_findings(firewall, event) for event in events] == expected
    assert not any(firewall.inspect(event).error for event in events)


def test_a_detector_given_by_module_gets_no_registry_unicode_gate() -> None:
    """A module given to ``Firewall(detectors=...)`` may declare another prefilter for a family name."""
    from fw_helpers import SQLI_DETECTOR

    custom = Firewall(detectors=[SQLI_DETECTOR])
    default = Firewall()
    assert gate.unicode_gates(custom._lowered) == [None] * len(custom._lowered)
    assert gate.unicode_gates(default._lowered) == [UNICODE_GATES[d.family] for d in default._lowered]
    assert custom.inspect({"name": "Jos\u00e9", "q": "x 1' OR '1'='1"}).findings


def test_unicode_views_stop_at_the_scan_deadline() -> None:
    """Past the deadline no view is judged or handed on: the inspection is marked incomplete."""
    from time import perf_counter

    from hullguard.firewall.budget import Meter
    from hullguard.firewall.scanner import Scanner

    firewall = Firewall()
    texts = ["jos\u00e9' or '1'='1", "plain", "\u00e9<script>"]
    scanner = Scanner(firewall, Meter(firewall.policy.budget, perf_counter()))
    hits: dict[int, list[object]] = {}
    assert scanner._prefilter_unicode([0, 2], texts, hits, deadline=perf_counter() + 60) == []  # type: ignore[arg-type]
    assert sorted(hits) == [0, 2] and not scanner.meter.exhausted
    late: dict[int, list[object]] = {}
    assert scanner._prefilter_unicode([0, 2], texts, late, deadline=0.0) == []  # type: ignore[arg-type]
    assert not late and scanner.meter.exhausted and "time budget" in scanner.meter.reason


def test_a_count_over_an_unbounded_body_is_dropped_in_the_translation() -> None:
    # The command-injection gate's "(?:[^/]{0,64}/){0,8}" before its command names: RE2 kept the names
    # eight times, and its DFA met new states on almost every new text.
    translated, mode = translate(r"(?:[^/]{0,64}/){0,8}cat")
    assert mode == VERIFY and "{0,8}" not in translated and "{0,64}" not in translated
    assert translate(r"(?:ab){0,3}c") == ("(?:ab){0,3}c", EXACT)
