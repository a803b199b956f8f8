"""A small, forgiving HTML tag scanner for the XSS detector.

It walks the text once and yields every start or end tag it finds: ``<`` followed by a letter (or
``/`` and a letter), the tag name, and the raw attribute text up to the next ``>``. It is more
forgiving than a browser on purpose: a ``<`` inside a tag ends the tag and starts a new one, so
filter-evasion nesting such as ``<scr<script>ipt>`` still shows the inner ``<script>``, and a tag
cut off by the end of the value (``<img src=x onerror=alert(1)``) is still a tag, because the page
around the value usually supplies the ``>``.

Attribute values are decoded (entities) and stripped of the characters browsers ignore inside URL
schemes before they are examined, so ``jav&#x09;ascript:`` and ``java\\tscript:`` read as
``javascript:``.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterator

from hullguard.events.record import FrozenRecord

# Characters that end a tag name (HTML: whitespace, "/" and ">"; we also stop at quotes and "<").
_NAME_END = frozenset(" \t\n\r\x0c\x0b/>'\"<`=")
# Browsers drop ASCII whitespace and control characters inside a URL scheme ("jav\tascript:").
_SCHEME_NOISE = re.compile(r"[\x00-\x20\x7f\u00ad\u200b-\u200f\u2028\u2029\ufeff\\]+")

# Attribute name (after whitespace, "/" or a quote) that starts with "on" and is given a value.
# (Browsers take any run of blanks around "="; 256 keeps the scan bounded and is past any padding seen.)
EVENT_ATTRIBUTE = re.compile(r"(?:^|[\s/\"'`;,+])(on[a-z][a-z0-9_:-]{1,40})[\s\x00]{0,256}=", re.IGNORECASE)
# XML Events (Opera, XHTML 2): an element listens with ev:event="load" ev:handler="file#script".
XML_EVENTS_HANDLER = re.compile(r"(?:^|[\s/\"'])(?:[\w-]{1,20}:)?handler[\s]{0,8}=", re.IGNORECASE)
XML_EVENTS_EVENT = re.compile(r"(?:^|[\s/\"'])(?:[\w-]{1,20}:)?event[\s]{0,8}=", re.IGNORECASE)
HREF_ATTRIBUTE = re.compile(r"(?:^|[\s/\"'])(?:xlink:)?href[\s]{0,8}=", re.IGNORECASE)
# Client-side framework directives that evaluate their value as an expression (AngularJS ng-*, Vue v-*/@,
# Alpine x-*), and what makes such an expression escape the framework sandbox or call a sink.
FRAMEWORK_DIRECTIVE = re.compile(
    r"(?:^|[\s/\"'])(?:data-)?(?:ng-[a-z-]{2,30}|v-[a-z-]{2,30}(?::[\w.-]{1,30})?|@[\w.-]{2,30}|x-[a-z-]{2,30}(?::[\w.-]{1,30})?)"
    r"[\s]{0,8}=[\s]{0,8}(\"[^\"]{0,1024}|'[^']{0,1024}|[^\s>]{1,1024})",
    re.IGNORECASE,
)
SANDBOX_ESCAPE = re.compile(
    r"constructor|\$eval|\$event\s{0,4}\.\s{0,4}(?:view|path|composedpath|target)|ownerdocument|defaultview"
    r"|(?<![\w$.])(?:alert|prompt|confirm|eval)(?![\w$])",
    re.IGNORECASE,
)
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "livescript:", "mocha:", "data:text/html", "data:application/xhtml")
SVG_DATA = ("data:image/svg+xml",)
CSS_EXECUTION = ("expression(", "behavior:", "behaviour:", "-moz-binding", "javascript:", "vbscript:", "@import")


class Tag(FrozenRecord):  # not a dataclass: ``dataclasses`` costs ms on the first invocation
    __slots__ = ("attributes", "closing", "end", "name", "start")
    _fields = ("name", "closing", "attributes", "start", "end")

    name: str  # lower-cased, namespace prefix removed ("svg:script" -> "script")
    closing: bool
    attributes: str  # raw text between the name and the end of the tag
    start: int
    end: int

    def __init__(self, name: str, closing: bool, attributes: str, start: int, end: int) -> None:
        put = object.__setattr__  # frozen: assignment goes around FrozenRecord.__setattr__
        put(self, "name", name)
        put(self, "closing", closing)
        put(self, "attributes", attributes)
        put(self, "start", start)
        put(self, "end", end)


def iter_tags(text: str) -> Iterator[Tag]:
    """Every tag in ``text``, left to right; each character is looked at a bounded number of times."""
    n = len(text)
    pos = text.find("<")
    while 0 <= pos < n - 1:
        i = pos + 1
        closing = text[i] == "/"
        if closing:
            i += 1
        if i >= n or not (text[i].isascii() and text[i].isalpha()):
            pos = text.find("<", pos + 1)
            continue
        name_start = i
        while i < n and text[i] not in _NAME_END:
            i += 1
        name = text[name_start:i].lower()
        body_end = i
        while body_end < n and text[body_end] not in "<>":
            body_end += 1
        yield Tag(name.rsplit(":", 1)[-1], closing, text[i:body_end], pos, min(body_end + 1, n))
        pos = body_end if body_end < n and text[body_end] == "<" else text.find("<", body_end)


_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\n]?")
# javascript: URLs that do nothing, common in real links: not an attack.
_INERT_SCRIPT_URLS = re.compile(r"javascript:(?:void\(0\)|void0|;|//|)(?:;|$|[\"'>\s])")
# The next parameter of a query string that holds such a URL as a value (an analytics beacon's
# "...&link_url=javascript:void(0);&link_domain=..."): a statement cannot start with "&", so as
# script the whole would not even parse, and the URL's code ends before it.
_NEXT_PARAMETER = re.compile(r"&[\w.\[\]-]{0,64}=")


def _css_unescape(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return chr(code) if 0 < code < 0x110000 else ""


def normalise_url_text(value: str) -> str:
    """Decode entities and CSS escapes, drop what browsers ignore inside a scheme; lower-cased."""
    decoded = html.unescape(value)
    if "\\" in decoded:
        decoded = _CSS_ESCAPE.sub(_css_unescape, decoded)
    return _INERT_SCRIPT_URLS.sub("", _SCHEME_NOISE.sub("", decoded).lower())


def find_scheme(value: str, schemes: tuple[str, ...] = DANGEROUS_SCHEMES) -> str | None:
    cleaned = normalise_url_text(value)
    for scheme in schemes:
        if scheme in cleaned:
            return scheme
    return None


def padded(match: re.Match[str]) -> bool:
    """Do more than 8 blanks stand between an event attribute's name and its "="? Browsers take it; so
    does column-aligned text ("one_shot          = true"), so then the name must be a known event."""
    return match.end() - match.end(1) > 9


def opens_quoted_value(text: str, at: int) -> bool:
    """Does the word at ``at`` start a quoted attribute value (a quote right before it, "=" before that)?"""
    if text[at - 1 : at] not in ("\"", "'", "`"):
        return False
    before = text[max(0, at - 9) : at - 1].rstrip(" \t\n\r\f")
    return before.endswith("=")


def find_event_attribute(attributes: str, known: frozenset[str]) -> str | None:
    """The first event handler's name; a word that opens a quoted value ('title="onion = good"') counts
    only when it is a ``known`` event (after a closing quote, '<img src="x"onerror=...>', it runs)."""
    for count, match in enumerate(EVENT_ATTRIBUTE.finditer(attributes)):
        name = match.group(1).lower()
        if name in known or (not opens_quoted_value(attributes, match.start(1)) and not padded(match)):
            return name
        if count == 7:  # bounded: a tag's attributes hold few handlers
            break
    return None


def attribute_value(attributes: str, name: str) -> str | None:
    """The value of attribute ``name`` (quoted or not) in raw attribute text, if present."""
    match = re.search(
        r"(?:^|[\s/\"'])" + re.escape(name) + r"\s*=\s*(\"[^\"]*\"?|'[^']*'?|[^\s>]*)", attributes, re.IGNORECASE
    )
    if match is None:
        return None
    return match.group(1).strip("\"'")


def is_inert_script_url(value: str) -> bool:
    """``javascript:void(0)``, ``javascript:;`` and ``javascript://`` alone do nothing."""
    cleaned = _SCHEME_NOISE.sub("", value).lower()
    next_parameter = _NEXT_PARAMETER.search(cleaned)
    if next_parameter is not None:
        cleaned = cleaned[: next_parameter.start()]
    return _INERT_SCRIPT_URLS.match(cleaned) is not None and not cleaned[len("javascript:") :].strip(";/").replace(
        "void(0)", ""
    ).replace("void0", "")


_DATA_BASE64 = re.compile(r"data:[\w/+.-]{0,80}(?:;[\w=-]{0,40}){0,4};base64,([a-z0-9+/=]{8,})", re.IGNORECASE)


def data_url_payload(attributes: str) -> str | None:
    """The decoded content (first 3 KB) of a base64 ``data:`` URL in the attributes, if any."""
    cleaned = _SCHEME_NOISE.sub("", html.unescape(attributes))
    match = _DATA_BASE64.search(cleaned)
    if match is None:
        return None
    chunk = match.group(1)[:4096]
    chunk = chunk[: len(chunk) - len(chunk) % 4]
    try:
        return base64.b64decode(chunk).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None
