"""Text in the charset its Content-Type declares, when that is not UTF-8, ASCII or Latin-1.

Body parsers honour a declared charset where the firewall read UTF-8 (or Latin-1, for bytes that are
not UTF-8): Node's body-parser decodes JSON and text bodies with any UTF-* charset iconv-lite knows
(UTF-7 included), Starlette decodes every multipart field with the request's charset and any Python
codec, and the ``email`` package a part's own. ``+ADw-script+AD4-`` is ``<script>`` in UTF-7; an
EBCDIC field reads as Latin-1 noise.
"""

from __future__ import annotations

from hullguard.firewall.decoders.b64 import mostly_printable

# Charsets whose reading is the one the firewall already has (Windows-1252 differs from Latin-1 only
# in printable punctuation at 0x80-0x9F).
_READ_ALREADY = frozenset({"utf-8", "ascii", "latin-1", "iso8859-1", "cp1252", "utf-8-sig"})


def codec(declared: str) -> str:
    """The codec a declared charset names when reading with it differs from the firewall's reading;
    "" for UTF-8, ASCII, Latin-1, no charset and one Python does not know."""
    if not declared:
        return ""
    import codecs  # on first use: almost no request declares such a charset

    try:
        name = codecs.lookup(declared).name
    except (LookupError, ValueError):
        return ""
    return "" if name in _READ_ALREADY else name


def recode(text: str, name: str) -> str | None:
    """``text`` read again as bytes in the codec ``name`` (from ``codec``); None when that changes
    nothing, the codec is no text encoding, or the result is not text."""
    if name.startswith(("utf-16", "utf-32")) and "\x00" not in text:
        return None  # wide text read as UTF-8 or Latin-1 keeps its zero bytes; without them it is not
    try:
        data = text.encode("latin-1")  # the bytes, when they were read as Latin-1 (or are ASCII)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "replace")  # (lone surrogates, from JSON escapes, have no bytes)
    try:
        recoded = data.decode(name, "replace")
    except (LookupError, UnicodeError, ValueError):  # "is not a text encoding", a codec that refuses
        return None
    if recoded == text or not recoded or recoded.count("\ufffd") * 10 > len(recoded):
        return None
    return recoded if mostly_printable(recoded) else None
