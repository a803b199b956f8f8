"""Path normalisation for the path-traversal detector: undo every encoding of dots and slashes.

The engine has already URL/HTML/unicode-decoded the value once or twice, but traversal lists use
encodings a generic decoder does not (or must not) undo: overlong UTF-8 (``%c0%ae``, ``%e0%80%ae``),
IIS ``%u2216``, doubled nibbles (``%%32%65``), ``0x2e`` literals and look-alike code points. This
module folds all of them into plain ``.`` and ``/`` so the detector only has to reason about one
spelling. Every step is a single left-to-right pass.
"""

from __future__ import annotations

import re
import unicodedata

_PERCENT_RUN = re.compile(r"(?:%[0-9a-f]{2})+")
_SPLIT_NIBBLES = re.compile(r"%([0-9a-f])%([0-9a-f])")
_PERCENT_U = re.compile(r"%u([0-9a-f]{4})")
_HEX_LITERAL = re.compile(r"0x(2e|2f|5c)")
_MAX_ROUNDS = 4

# Code points that path APIs or lenient decoders have been seen to treat as "." or a separator.
LOOKALIKES = str.maketrans(
    {
        "\uff0e": ".",  # fullwidth full stop
        "\u2024": ".",  # one dot leader
        "\ufe52": ".",  # small full stop
        "\u3002": ".",  # ideographic full stop
        "\u2215": "/",  # division slash
        "\u2044": "/",  # fraction slash
        "\uff0f": "/",  # fullwidth solidus
        "\u2216": "/",  # set minus (IIS treats it as a backslash)
        "\ufe68": "/",  # small reverse solidus
        "\uff3c": "/",  # fullwidth reverse solidus
        "\uefc8": "/",  # private-use separators emitted by dotdotpwn's unicode mode
        "\uf025": "/",
        "\\": "/",
        "\ufffd": "/",  # an overlong separator that a strict decoder replaced
    }
)
# str.translate looks every character up in the table unless both are ASCII: ~65 ns a character on a
# long value with one accented letter or a "(R)" sign, where a character-class search finds the first
# lookalike in ~4 ns (and most non-ASCII values hold none).
_LOOKALIKE_CHARS = re.compile("[" + re.escape("".join(map(chr, LOOKALIKES))) + "]")


def _fold_lookalikes(text: str) -> str:
    return text.translate(LOOKALIKES) if _LOOKALIKE_CHARS.search(text) else text


_OVERLONG_LEADS = frozenset((0xC0, 0xC1, 0xE0, 0xF0, 0xF8, 0xFC))
# ("%" alone before a dot or a blank is text: "Loading 50%...", printf's "%.1f"; before a separator, a
# fuzzer's leftover "%\\..")
_LEFTOVER_ESCAPES = re.compile(r"(?:%[0-9a-z]{1,2}|%(?=[\\/]|$))+")
_CONTROL = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]+")
_SEPARATOR_BITS = {0x2E: ".", 0x2F: "/", 0x1C: "/", 0x5C: "/"}


def _decode_bytes(run: str) -> str:
    """Decode one run of ``%xx`` escapes, folding overlong encodings of ``.``, ``/`` and ``\\``."""
    data = bytes(int(run[i + 1 : i + 3], 16) for i in range(0, len(run), 3))
    out: list[str] = []
    i = 0
    while i < len(data):
        byte = data[i]
        # Overlong forms: lead byte C0/C1 (2 bytes), E0 80 (3 bytes), F0 80 80 (4 bytes).
        width = 0
        if byte in (0xC0, 0xC1):
            width = 2
        elif byte == 0xE0 and data[i + 1 : i + 2] == b"\x80":
            width = 3
        elif byte == 0xF0 and data[i + 1 : i + 3] == b"\x80\x80":
            width = 4
        elif byte == 0xF8 and data[i + 1 : i + 4] == b"\x80\x80\x80":
            width = 5
        elif byte == 0xFC and data[i + 1 : i + 5] == b"\x80\x80\x80\x80":
            width = 6
        if width:
            last = data[i + width - 1 : i + width]
            if last:
                char = _SEPARATOR_BITS.get(last[0] & 0x3F) or _SEPARATOR_BITS.get(last[0])
                out.append(char or "")
                i += width
            else:
                i += 1  # a lead byte with nothing after it: drop it ("%c0." reads as ".")
            continue
        start = i
        while i < len(data) and data[i] not in _OVERLONG_LEADS:
            i += 1
        if i == start:
            i += 1
        out.append(data[start:i].decode("utf-8", errors="replace"))
    return "".join(out)


def _percent_u(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def _hex_literal(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def normalize_path(text: str) -> str:
    """Lower-cased ``text`` with every spelling of dot and separator folded to ``.`` and ``/``."""
    low = text.lower()
    for _ in range(_MAX_ROUNDS):
        if "%" not in low:
            break
        decoded = _PERCENT_U.sub(_percent_u, low)
        # "%%32%%66" decodes to "%2%f": IIS-style split nibbles that a second pass reads as "%2f".
        decoded = _SPLIT_NIBBLES.sub(r"%\1\2", decoded)
        decoded = _PERCENT_RUN.sub(lambda m: _decode_bytes(m.group(0)), decoded)
        if decoded == low:
            break
        low = decoded.lower()
    if "%" in low:
        # Escapes no decoder accepts ("%c0%qf", "%%35%%63", "%bg") are what fuzzers put where a
        # lenient server sees a separator; read them as one.
        low = _LEFTOVER_ESCAPES.sub("/", low)
    if "0x" in low:
        low = _HEX_LITERAL.sub(_hex_literal, low)
    if not low.isascii():
        low = _fold_lookalikes(unicodedata.normalize("NFKC", _fold_lookalikes(low)).lower())
    elif "\\" in low:
        low = low.replace("\\", "/")
    return _CONTROL.sub("", low) if not low.isprintable() else low
