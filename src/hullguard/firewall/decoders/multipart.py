"""``multipart/*`` bodies: each part's names, file names, content type, transfer encoding and content,
read as the parsers behind a function read them (python-multipart, Werkzeug, Starlette, busboy, the
``email`` package): a WAF that reads a body differently from the application is bypassed by the
difference. So the boundary is the ``boundary`` parameter itself (not a longer name ending in it, not
one inside a quoted value), a delimiter counts only at the start of a line, a quoted parameter may hold
escaped quotes, and RFC 5987's ``filename*=UTF-8''...`` names a file as much as ``filename=`` does.
"""

from __future__ import annotations

MAX_PARTS = 1000  # a form of more fields than this is cut (and the inspection says so)
MAX_HEAD = 16_384  # a part's header block read (browsers write a few hundred bytes); a longer one is cut
_MAX_BOUNDARY = 200  # RFC 2046 allows 70 characters
# Characters of a header value whose parameters are read: real ones are under a hundred, and each one
# costs Python time (a padded value would spend it outside the time budget).
_MAX_HEADER = 2048


class Part:
    """One part of a multipart body."""

    __slots__ = ("content", "content_type", "filenames", "names", "transfer_encoding")

    def __init__(
        self, names: list[str], filenames: list[str], content_type: str, transfer_encoding: str, content: str
    ) -> None:
        self.names = names  # ``name`` and ``name*``, each once
        self.filenames = filenames  # ``filename`` and ``filename*``, each once
        self.content_type = content_type
        self.transfer_encoding = transfer_encoding  # lower case: "base64", "quoted-printable" or ""
        self.content = content


def media_type(content_type: str) -> str:
    """The media type of a Content-Type value, lower case, without its parameters."""
    return content_type.partition(";")[0].strip().lower()


def parameters(header: str) -> list[tuple[str, str]]:
    """A header value's parameters after its first ``;``, in order and repeated names kept: (name in
    lower case, value with its quotes removed and the backslash escapes of a quoted string undone).
    Blanks around ``=`` are allowed, as the common parsers allow them. Linear in the header, of which the
    first ``_MAX_HEADER`` characters are read."""
    found: list[tuple[str, str]] = []
    header = header[:_MAX_HEADER]
    n = len(header)
    i = header.find(";")
    while 0 <= i < n:
        start = i + 1
        equals = header.find("=", start)
        following = header.find(";", start)
        if equals < 0:
            break
        if 0 <= following < equals:  # a parameter without a value
            i = following
            continue
        name = header[start:equals].strip().lower()
        j = equals + 1
        while j < n and header[j] in " \t":
            j += 1
        if j < n and header[j] == '"':
            value, j = _quoted_string(header, j + 1)
            i = header.find(";", j)
        else:
            i = header.find(";", j)
            value = header[j : i if i >= 0 else n].strip()
        found.append((name, value))
    return found


def _quoted_string(text: str, i: int) -> tuple[str, int]:
    """The content of a quoted string whose opening quote is before ``i``, and the index after its
    closing quote; an unterminated one runs to the end of the text."""
    pieces: list[str] = []
    n = len(text)
    while i < n:
        close = text.find('"', i)
        escape = text.find("\\", i)
        if 0 <= escape < close or (close < 0 <= escape):
            pieces.append(text[i:escape])
            if escape + 1 < n:
                pieces.append(text[escape + 1])
            i = escape + 2
            continue
        if close < 0:
            pieces.append(text[i:])
            return "".join(pieces), n
        pieces.append(text[i:close])
        return "".join(pieces), close + 1
    return "".join(pieces), n


def boundaries(content_type: str) -> list[str]:
    """Every distinct ``boundary`` parameter: parsers disagree on which of two counts (most take the
    last, some the first), so the body is read with each."""
    found: list[str] = []
    for name, value in parameters(content_type):
        if name == "boundary" and value and len(value) <= _MAX_BOUNDARY and value not in found:
            found.append(value)
    return found


def charset(content_type: str) -> str:
    """The ``charset`` parameter of a Content-Type value, lower case ("" when there is none)."""
    if "charset" not in content_type.lower():
        return ""
    for name, value in parameters(content_type):
        if name == "charset":
            return value.strip().lower()
    return ""


def parse(body: str, boundary: str) -> tuple[list[Part], bool]:
    """The parts of ``body`` between the delimiter lines of ``boundary``, and whether some of it was left
    unread: parts beyond ``MAX_PARTS``, or a part's header block beyond ``MAX_HEAD`` characters (parsing
    parameters costs Python time per character, which a padded header would spend outside the time
    budget). A part without a blank line after its headers is skipped."""
    delimiter = "--" + boundary
    if body.startswith(delimiter):
        rest = body[len(delimiter) :]
    else:
        first = body.find("\n" + delimiter)
        if first < 0:
            return [], False
        rest = body[first + 1 + len(delimiter) :]
    chunks = rest.split("\n" + delimiter, MAX_PARTS)
    parts: list[Part] = []
    cut = False
    for chunk in chunks[:MAX_PARTS]:
        if chunk.startswith("--"):  # the close delimiter: what follows is the epilogue
            return parts, cut
        head, sep, content = chunk.partition("\r\n\r\n")
        if not sep:
            head, sep, content = chunk.partition("\n\n")
            if not sep:
                continue
        if len(head) > MAX_HEAD:
            head, cut = head[:MAX_HEAD], True
        elif len(head) > _MAX_HEADER and any(len(line) > _MAX_HEADER for line in head.splitlines()):
            cut = True  # a header line whose parameters are read only in part
        # the line break before the next delimiter belongs to the delimiter
        if content.endswith("\r"):
            content = content[:-1]
        parts.append(_part(head, content))
    return parts, cut or (len(chunks) > MAX_PARTS and not chunks[MAX_PARTS].startswith("--"))


def _part(head: str, content: str) -> Part:
    names: list[str] = []
    filenames: list[str] = []
    content_type = ""
    transfer_encoding = ""
    for line in head.splitlines():
        field, colon, value = line.partition(":")
        if not colon:
            continue
        field = field.strip().lower()
        if field == "content-disposition":
            for name, text in parameters(value):
                if name in ("name", "name*"):
                    target = names
                elif name in ("filename", "filename*"):
                    target = filenames
                else:
                    continue
                text = _extended_value(text) if name.endswith("*") else text
                if text not in target:
                    target.append(text)
        elif field == "content-type":
            content_type = value.strip()
        elif field == "content-transfer-encoding":
            transfer_encoding = value.strip().lower()
    return Part(names, filenames, content_type, transfer_encoding, content)


def _extended_value(text: str) -> str:
    """An RFC 5987 value, ``charset'language'percent-encoded``, as the text it encodes."""
    from urllib.parse import unquote

    encoding, quote, rest = text.partition("'")
    if not quote:
        return text
    rest = rest.partition("'")[2]
    try:
        return unquote(rest, encoding=encoding or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return unquote(rest, errors="replace")
