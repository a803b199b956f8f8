"""``Presearch``: RE2 in front of a detector's regular expression must never change an answer.

Every ``Presearch`` of every detector module is asked about long texts (attack lines of every family
placed in real benign query-string values, the same with letters that Python's case folding takes for
ASCII ones and text beyond ASCII around them, and random mixes of the pattern's own words and
metacharacters) and must answer exactly as its Python pattern: the same first match, the same
``match`` at the start, the same ``finditer`` spans. RE2 is a necessary condition only; were its
translation ever to miss a text the pattern matches, the spans would differ here.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pytest
import re2
from family_cases import FIXTURES, benign_queries, corpus_lines, handwritten

from hullguard.firewall.detectors import nosql, path, presearch, xpath, xss_js
from hullguard.firewall.detectors.presearch import MIN_LENGTH, Presearch

FAMILIES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and p.name != "families-benign")


PRESEARCHES = presearch.instances()


def _benign_fillers() -> list[str]:
    """Long ASCII values from the real benign query strings (analytics beacons, tracking URLs)."""
    values = [part.partition("=")[2] for query in benign_queries() for part in query.split("&")]
    long_values = sorted({v for v in values if len(v) >= 200 and v.isascii()})
    return long_values[:: max(1, len(long_values) // 40)] or ["a=b;c:d/e " * 60]


def _attack_texts() -> Iterator[str]:
    """Attack lines of every family, sampled, inside benign filler: at the start, in the middle, at the end."""
    fillers = _benign_fillers()
    rng = random.Random(7)
    for family in FAMILIES:
        lines = [line for _, line in corpus_lines(family)] + handwritten(family, "attacks")
        for line in lines[:: max(1, len(lines) // 60)]:
            filler = rng.choice(fillers)
            while len(filler) < MIN_LENGTH:
                filler += " " + filler
            middle = len(filler) // 2
            yield from (line + " " + filler, filler[:middle] + line + filler[middle:], filler + line)
            yield from (line.lower() + filler, filler + line.upper())


def _mixes(pattern: re.Pattern[str], count: int) -> Iterator[str]:
    """Texts made of the pattern's own words and metacharacters, long enough for RE2 to be asked."""
    words = re.findall(r"[A-Za-z][A-Za-z.-]{1,20}", pattern.pattern) or ["x"]
    pieces = [*words, *"'\"()[]{}<>;:/\\=&|$`.,*+?#@!%-_ \t\n01", "  ", "://", "../", "${", "<?"]
    rng = random.Random(pattern.pattern)
    for _ in range(count):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(20, 300)))
        while len(text) < MIN_LENGTH:
            text += rng.choice(pieces)
        yield text


# Letters Python's case-insensitive matching takes for ASCII ones, and text beyond ASCII of every width.
_LOOKALIKES = str.maketrans({"i": "\u0131", "I": "\u0130", "s": "\u017f", "k": "\u212a", "K": "\u212a"})
_WIDE = ("caf\u00e9 \u00fcber \u00b5", "\u05e9\u05dc\u05d5\u05dd", "\u65e5\u672c\u8a9e", "\U0001f600", "\u00a0\u2028")


def _unicode_texts(texts: list[str]) -> Iterator[str]:
    """Each text with text beyond ASCII added, and every other one with its i, s and k folded."""
    for number, text in enumerate(texts):
        wide = _WIDE[number % len(_WIDE)]
        yield wide + text if number % 2 else text + wide
        if number % 2:
            yield text.translate(_LOOKALIKES) + wide


ATTACK_TEXTS = list(_attack_texts())
UNICODE_TEXTS = list(_unicode_texts(ATTACK_TEXTS[::3]))


def _spans(matches: Iterator[re.Match[str]]) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


def _same_answers(wrapped: Presearch, text: str) -> bool:
    pattern = wrapped.pattern
    found, expected = wrapped.search(text), pattern.search(text)
    if (found and found.span()) != (expected and expected.span()):
        return False
    at_start, expected_at_start = wrapped.match(text), pattern.match(text)
    if (at_start and at_start.span()) != (expected_at_start and expected_at_start.span()):
        return False
    return _spans(wrapped.finditer(text)) == _spans(pattern.finditer(text))


@pytest.mark.parametrize(("name", "wrapped"), PRESEARCHES, ids=[name for name, _ in PRESEARCHES])
def test_presearch_answers_as_its_python_pattern(name: str, wrapped: Presearch) -> None:
    mixes = list(_mixes(wrapped.pattern, 300))
    texts = ATTACK_TEXTS + UNICODE_TEXTS + mixes + list(_unicode_texts(mixes[::3]))
    differing = [text[:120] for text in texts if not _same_answers(wrapped, text)]
    assert not differing, (name, differing[:3])


def test_the_attack_texts_are_long_and_of_both_kinds() -> None:
    assert len(ATTACK_TEXTS) > 1000 and len(UNICODE_TEXTS) > 500
    assert all(len(text) >= MIN_LENGTH for text in ATTACK_TEXTS + UNICODE_TEXTS)
    assert sum(text.isascii() for text in ATTACK_TEXTS) > 0.8 * len(ATTACK_TEXTS)
    assert not any(text.isascii() for text in UNICODE_TEXTS)
    assert sum("\u0131" in text or "\u017f" in text for text in UNICODE_TEXTS) > 200


def test_the_fold_list_is_what_python_folds_and_re2_does_not() -> None:
    """Over every code point: the characters Python's case-insensitive ``re`` matches to an ASCII
    letter where RE2's case folding does not are in ``PYTHON_FOLDS``, mapped to that letter."""
    python_letter = re.compile("[a-z]", re.IGNORECASE)
    re2_letter = re2.compile("(?i:[a-z])")
    only_python = {
        chr(code)
        for code in range(0x80, 0x110000)
        if not 0xD800 <= code <= 0xDFFF
        and python_letter.fullmatch(chr(code))
        and not re2_letter.fullmatch(chr(code))
    }
    assert only_python <= set(presearch.PYTHON_FOLDS)
    for char, letter in presearch.PYTHON_FOLDS.items():
        assert re.fullmatch(letter, char, re.IGNORECASE), (char, letter)


def test_re2_decides_on_long_benign_text() -> None:
    """The slowest patterns on an analytics beacon's value are answered by RE2 (not silently left to
    Python because a translation or the RE2 wrapper changed), and they answer no."""
    beacon = (
        "event=pageView;hitId=3ce3b32c-045f;protocol=https:;hostName=www.example.com;pageUrl=https://www.example"
        ".com/homes/Miami_FL;pageTitle=Miami\\, FL Homes for Sale | example.com;browserName=5.0 (Windows NT 10.0\\;"
        " Win64\\; x64) AppleWebKit/537.36 (KHTML\\, like Gecko) Chrome/105.0.0.0 Safari/537.36;screenWidth=1920;"
        "timeZone=+0000;referrer=https://www.example.com/;searchRadius=srp:null;sortResults=relevant_listings;"
    )
    assert len(beacon) >= MIN_LENGTH and beacon.isascii()
    for wrapped in (nosql._JS, nosql._OBJECT, xpath._UNION_AXIS, path._SYSTEM_GATE, xss_js.SINK_CALL,
                    xss_js.SINK_REFERENCE, xss_js.CSS_EXPRESSION):
        assert wrapped.pattern.search(beacon) is None
        assert not wrapped._may_match(beacon), wrapped.pattern.pattern[:60]


def test_re2_decides_on_long_text_beyond_ascii() -> None:
    """The same beacon with a registered sign and a Hebrew title: the Unicode translations answer."""
    beacon = "pageTitle=Miami Homes for Sale | example.com\u00ae;lang=\u05e2\u05d1\u05e8\u05d9\u05ea;" * 6
    assert len(beacon) >= MIN_LENGTH and not beacon.isascii()
    for wrapped in (nosql._JS, nosql._OBJECT, xpath._UNION_AXIS, path._SYSTEM_GATE, xss_js.SINK_CALL):
        assert wrapped.pattern.search(beacon) is None
        assert not wrapped._may_match(beacon), wrapped.pattern.pattern[:60]
        assert wrapped._finds_unicode is not presearch._never_says_no


def test_python_answers_where_re2_cannot() -> None:
    """A back-reference has no RE2 form, a case-insensitive pattern with a character beyond ASCII is
    left to Python's case folding (ſ is s to it), and short or non-ASCII text never reaches RE2."""
    backreference = Presearch(r"(['\"])constructor\1")
    assert backreference._may_match("x" * MIN_LENGTH) and backreference._finds_ascii is presearch._never_says_no
    assert backreference.search("x" * MIN_LENGTH + "'constructor'") is not None

    folded = Presearch("\u017fystem", re.IGNORECASE)
    text = "y" * MIN_LENGTH + "system"
    assert folded.search(text) is not None and folded.pattern.search(text) is not None
    assert presearch.translatable(folded.pattern) is None
    ascii_word = Presearch(r"\be", re.ASCII)  # a boundary after "é" in ASCII mode, none in Unicode mode
    assert presearch.translatable(ascii_word.pattern) is None
    assert ascii_word.search("\u00e9e " * MIN_LENGTH) is not None

    plain = Presearch(r"etc/passwd")
    assert plain._may_match("short") and plain._finds_ascii is None  # never compiled for a short text
    assert not plain._may_match("a" * MIN_LENGTH)  # the first long ASCII text compiles and asks RE2
    assert plain._finds_unicode is None and not plain._may_match("\u00e9" * MIN_LENGTH)
    lone_surrogate = "\ud800" + "a" * MIN_LENGTH + "/etc/passwd"  # (JSON may carry one; UTF-8 cannot)
    assert plain.search(lone_surrogate) is not None


def test_an_re2_failure_leaves_the_answer_to_python() -> None:
    wrapped = Presearch(r"etc/passwd")

    def broken(data: bytes) -> bool:
        raise RuntimeError("RE2 failed")

    wrapped._finds_ascii = broken
    text = "a" * MIN_LENGTH + "/etc/passwd"
    assert wrapped.search(text) is not None
