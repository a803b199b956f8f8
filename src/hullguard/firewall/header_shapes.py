"""Standard request headers whose value has the shape its RFC gives it, which no injection fits.

Browsers and CDNs send ``Accept``, ``Accept-Language``, ``Accept-Encoding``, ``Via``, trace ids and
CloudFront flags on every request, and their ``;``, ``=``, ``,`` and ``/`` reach several detectors
each time (on a browser request, a third of the inspection). A value that matches its header's
grammar strictly - tokens of letters and digits joined by the grammar's own separators, with no
quote, parenthesis, ``$``, ``|``, ``&``, ``<``, backslash, percent sign or ``..`` - cannot carry a
command, a query, markup, a path or a host, so the detectors are skipped for it. Anything else in the
same header (an attack, or just an unusual value) is inspected as before: the grammars only ever
skip, and only whole values. Each grammar is unambiguous (separators are not token characters), so
matching is linear; values longer than ``MAX_VALUE`` are not matched at all.
"""

from __future__ import annotations

import re

MAX_VALUE = 512
_WORD = r"[a-z0-9]+(?:[.+-][a-z0-9]+)*"  # no leading, trailing or doubled dot: never ".."
_QVALUE = r"(?:\s*;\s*q\s*=\s*[01](?:\.[0-9]{0,3})?)?"
_LANGUAGE = r"(?:[a-z]{1,8}(?:-[a-z0-9]{1,8})*|\*)" + _QVALUE
_CODING = r"(?:[a-z0-9]+(?:-[a-z0-9]+)*|\*)" + _QVALUE
_PARAMETER = r"\s*;\s*[a-z0-9]+(?:[.-][a-z0-9]+)*\s*=\s*[\w.+-]{1,100}"  # no "/": no path in a value
_MEDIA = rf"(?:{_WORD}|\*)/(?:{_WORD}|\*)(?:{_PARAMETER})*"
_TRACE_PART = r"(?:root|parent|self|sampled|lineage)=[a-z0-9:.-]{1,64}"


def _list(item: str) -> str:
    return rf"{item}(?:\s*,\s*{item})*"


_GRAMMARS: dict[str, str] = {
    "accept": _list(_MEDIA),
    "content-type": _MEDIA,
    "accept-language": _list(_LANGUAGE),
    "accept-encoding": _list(_CODING),
    "via": _list(r"[0-9](?:\.[0-9])? [a-z0-9]+(?:[.-][a-z0-9]+)*(?: \([a-z0-9]+(?:[ .-][a-z0-9]+)*\))?"),
    "x-amzn-trace-id": rf"{_TRACE_PART}(?:;{_TRACE_PART})*",
    "x-amz-cf-id": r"[a-z0-9_-]{16,100}={0,2}",
    "cloudfront-is-desktop-viewer": "true|false",
    "cloudfront-is-mobile-viewer": "true|false",
    "cloudfront-is-smarttv-viewer": "true|false",
    "cloudfront-is-tablet-viewer": "true|false",
    "cloudfront-viewer-country": "[a-z]{2}",
    "cloudfront-forwarded-proto": "https?",
    "x-forwarded-proto": "https?",
    "x-forwarded-port": "[0-9]{1,5}",
}
_COMPILED: dict[str, re.Pattern[str]] = {}  # compiled on first use: most functions see few of them
PREFIX = "headers."


def fits(location: str, value: str) -> bool:
    """``value`` of the header at ``location`` (``headers.<lower-case name>``) has its standard shape."""
    if len(value) > MAX_VALUE or not location.startswith(PREFIX):
        return False
    shape = grammar(location[len(PREFIX) :])
    return shape is not None and shape.fullmatch(value) is not None


def grammar(name: str) -> re.Pattern[str] | None:
    """The compiled grammar of the header ``name`` (lower case), or None for a header without one. A
    value fits when ``fullmatch`` matches it and it is at most ``MAX_VALUE`` characters long."""
    pattern = _COMPILED.get(name)
    if pattern is None:
        source = _GRAMMARS.get(name)
        if source is None:
            return None
        pattern = _COMPILED[name] = re.compile(source, re.IGNORECASE | re.ASCII)
    return pattern


__all__ = ["MAX_VALUE", "PREFIX", "fits", "grammar"]
