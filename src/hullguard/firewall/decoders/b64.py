"""Base64 (standard and URL-safe), when a field is declared base64 or clearly looks like it."""

from __future__ import annotations

from hullguard.firewall.decoders.overlong import fix_overlong

_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"  # what str.isprintable accepts, and blanks
_MIN_GUESS = 16  # shorter alphanumeric strings are ids and words far more often than base64


def looks_like(text: str) -> bool:
    """A guess for strings nobody declared: long enough, padded length, base64 alphabet, mixed case."""
    n = len(text)
    if n < _MIN_GUESS or n % 4:
        return False
    # identifiers in one case (hex digests, UUID-ish, SHOUTING_CASE) are not worth a decode; checked
    # before the alphabet, which costs more ("application/json" is in it)
    if text.islower() or text.isupper() or text.isdigit() or not text.isascii():
        return False
    # One alphabet, standard (+ /) or URL-safe (- _), then at most two "=": without its two other
    # characters, the rest is letters and digits (ASCII, so ``isalnum`` means [A-Za-z0-9]). Each step is
    # one scan in C.
    body = text.rstrip("=")
    if n - len(body) > 2:
        return False
    if body.isalnum():
        return True
    standard = body.replace("+", "").replace("/", "")
    if not standard or standard.isalnum():
        return True
    url_safe = body.replace("-", "").replace("_", "")
    return not url_safe or url_safe.isalnum()


def decode(text: str, limit: int) -> bytes | None:
    """Decode up to ``limit`` output bytes; tolerate missing padding and line breaks; None if invalid."""
    import binascii  # on first use: most events carry no base64, and the import costs 0.3 ms

    data = text.strip()
    if len(data) > limit * 4 // 3 + 4:
        data = data[: (limit * 4 // 3) & ~3]
    if "-" in data or "_" in data:
        data = data.replace("-", "+").replace("_", "/")
    if "\n" in data or "\r" in data:
        data = data.replace("\r", "").replace("\n", "")
    rem = len(data.rstrip("=")) % 4
    data = data.rstrip("=")
    if rem == 1:  # a truncated quantum carries no full byte
        data = data[:-1]
    data += "=" * (-len(data) % 4)
    try:
        return binascii.a2b_base64(data.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None


def as_text(data: bytes) -> str | None:
    """The decoded bytes as text when they are text (mostly printable UTF-8), else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text:
        return None
    return text if mostly_printable(text) else None


def wide_unicode(data: bytes) -> str | None:
    """UTF-32 or UTF-16 text, told apart as JSON readers tell them (RFC 4627's rule, which Python's
    ``json.loads(bytes)`` and Node's body parsers follow): a byte-order mark, or zero bytes among the
    first four. A handler that parses such a body reads what its UTF-8 reading hides between zeros."""
    head = data[:4]
    if head in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        encoding = "utf-32"
    elif head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    elif len(head) == 4 and not head[0]:
        encoding = "utf-16-be" if head[1] else "utf-32-be"
    elif len(head) == 4 and not head[1]:
        encoding = "utf-16-le" if head[2] or head[3] else "utf-32-le"
    else:
        return None
    text = data.decode(encoding, "replace")  # a truncated last unit is one replacement character
    if not text or text.count("\ufffd") * 10 > len(text):  # binary: code units out of Unicode's range
        return None
    return text if mostly_printable(text) else None


def to_text(data: bytes, declared: bool) -> str | None:
    """Decoded bytes as text: ``as_text``; and for a field declared base64 whose bytes are not UTF-8
    text, UTF-16 or UTF-32 text (``wide_unicode``) or whatever a lenient server would read
    (``bytes_to_text``), unless that is mostly not printable (an image, a protobuf...). Each decoding
    is tried once (a failed decode raises, which costs more than the decode)."""
    if data.isascii():
        text: str | None = data.decode("ascii")
    else:
        # Decoded with replacement characters rather than strictly: a failed strict decode raises,
        # which costs more than the decode, and most guessed base64 (random ids) is not UTF-8. The
        # bytes were UTF-8 when every replacement character was spelled out in them.
        text = data.decode("utf-8", "replace")
        if "\ufffd" in text and text.count("\ufffd") != data.count(b"\xef\xbf\xbd"):
            text = None
    if text is not None:
        if text and mostly_printable(text):
            return text
        if not declared or not data:
            return None
    elif not declared:
        return None
    # Declared bytes that are no printable UTF-8: UTF-16 or UTF-32 text (ASCII in them is zeros between
    # letters; a byte-order mark is no UTF-8), else what a lenient server reads.
    wide = wide_unicode(data)
    if wide is not None:
        return wide
    if text is None:
        fixed = fix_overlong(data)  # the same object when there is nothing to fix: not UTF-8 then
        try:
            text = fixed.decode("utf-8" if fixed is not data else "latin-1")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return text if mostly_printable(text, 256) else None


def mostly_printable(text: str, sample_size: int = 512) -> bool:
    """At least 90% of the first ``sample_size`` characters are printable or line breaks and tabs."""
    sample = text[:sample_size]
    if sample.isprintable():  # the common answer, found in C
        return True
    if sample.isascii():  # multi-line text: the others counted in C, as bytes deleted by translate
        others = len(sample.encode("ascii").translate(None, _PRINTABLE_ASCII))
        return others * 10 <= len(sample)
    printable = sum(map(str.isprintable, sample)) + sample.count("\r") + sample.count("\n") + sample.count("\t")
    return printable * 10 >= len(sample) * 9
