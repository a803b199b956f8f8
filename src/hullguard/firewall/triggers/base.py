"""What a trigger module hands the engine: the attacker-controlled parts of an event.

A trigger module (one per family of event sources) exposes::

    def identify(event: Mapping) -> str | None       # trigger type, e.g. "sqs", or None
    def fields(event: Mapping, trigger: str, prefix: str = "", record: int | None = None) -> Iterable[Field]

(the modules of common triggers return a list: a generator costs more than the fields it yields).
The package's ``ORDER`` lists the modules in recognition order with their anchors, the keys without
which ``identify`` answers None; a module is imported when an event first has one of them.

A ``Field`` is ``(path, value, hint, record, content_type)``: where the value is (``path``, e.g.
``Records[0].body``), the value itself (a string, or a dict/list the engine walks), how it is encoded
(``hint``), the batch record it belongs to, and the HTTP content type of a body. Trigger modules only
read the event (no copies, no decoding): the engine decodes each part once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

TYPE_CHECKING = False  # not typing's: importing typing costs about 3 ms of every cold start
if TYPE_CHECKING:
    from typing import Any

Field = tuple[str, "Any", int, "int | None", str]

PLAIN = 0  # text; decoders guess from markers (%, &, \\, JSON brackets, base64 shape...)
URL = 1  # percent-encoded with + for space (S3 keys, raw query strings, ALB query values)
BASE64 = 2  # declared base64; the bytes may be gzip; the text may be JSON or an envelope
BODY = 3  # an HTTP body: JSON, form, multipart, XML or text by content type and shape
B64_BODY = 4  # an HTTP body declared base64 (isBase64Encoded)
ENVELOPE = 5  # a string that may hold JSON of another event (SNS in SQS, S3 in SNS...)
KEY = 6  # a name chosen by the sender (header, query or form field name): scanned as a key
COOKIE = 7  # a Cookie header: name=value pairs
BYTES = 8  # a list of byte values (Kafka headers, RabbitMQ header bytes)
FLAT = 9  # a map of names to strings (query parameters): names and values scanned in one tight loop
FLAT_HEADERS = 10  # like FLAT, names lower-cased in locations and the Cookie header split
GRAPHQL = 11  # a GraphQL document: only its string literals are caller data
UNDECODED = 12  # the name of a content encoding a body arrived in that the firewall cannot undo (brotli)


def child(prefix: str, name: str | int) -> str:
    """``prefix`` + ``name`` as a location path: ``Records[0]`` for ints, ``a.b`` for names."""
    if isinstance(name, int):
        return f"{prefix}[{name}]"
    return f"{prefix}.{name}" if prefix else name


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one: events with wrong types are not errors here."""
    if type(value) is dict or isinstance(value, Mapping):
        return value
    return _EMPTY


_EMPTY: Mapping[str, Any] = {}


def plain_name(name: str) -> bool:
    """Header and parameter names made of letters, digits and dashes cannot carry an injection."""
    return name.isascii() and name.replace("-", "").isalnum()


def first(value: Any) -> Mapping[str, Any]:
    """The first record of a batch (``value`` a non-empty list of mappings), else an empty mapping."""
    if type(value) is list and value:
        item = value[0]
        if type(item) is dict or isinstance(item, Mapping):
            return item
    return _EMPTY


def records(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def header(headers: Any, name: str) -> str:
    """A header value, case-insensitively (first value of a multi-value header)."""
    if type(headers) is not dict and not isinstance(headers, Mapping):
        return ""
    size = len(name)
    for key, value in headers.items():
        if isinstance(key, str) and len(key) == size and key.lower() == name:
            if isinstance(value, list):
                value = value[0] if value else ""
            return value if isinstance(value, str) else ""
    return ""


def walk(path: str, value: Any, record: int | None = None, hint: int = PLAIN) -> Iterator[Field]:
    """One field the engine walks completely (every key and string inside)."""
    if value is not None:
        yield (path, value, hint, record, "")
