"""HTML character references: named (``&lt;``, ``&colon;``), decimal and hex, with or without ``;``.

The standard library's ``html.unescape`` does the decoding. Most ``&`` in event data separate URL
parameters (``...&utm_medium=cpc&gclid=...``), and there ``unescape`` tries every prefix of the up to
32 characters after each ``&`` as a name (10 µs for a tracking URL) to find nothing. ``_MAYBE``
first asks whether any ``&`` could start a reference ``unescape`` replaces, and only then is it
called, so its answer is unchanged:

* ``&#``: a numeric reference (``unescape`` decides whether digits follow);
* ``&`` and one of the HTML5 names that need no ``;`` (``amp``, ``lt``, ``copy``... 106 of them, at most
  six characters): ``unescape`` replaces the longest such prefix of what follows. Its name run holds no
  ``;`` before its end, so a name that needs one can only match the whole run, never a prefix;
* ``&``, a name and ``;``: every other reference (``&colon;``; any such spelling is let through to
  ``unescape``, which knows the 2,231 names).
"""

from __future__ import annotations

import re

MARKER = "&"
_MAYBE: list[re.Pattern[str]] = []  # compiled on the first "&": most events have none


def _maybe_reference() -> re.Pattern[str]:
    if not _MAYBE:
        from html.entities import html5

        from hullguard.firewall.detectors.sqli_tokens import regex_alternation

        legacy = sorted(name for name in html5 if not name.endswith(";"))  # a prefix tree: linear time
        _MAYBE.append(re.compile(r"&(?:#|(?:" + regex_alternation(legacy) + r")|[A-Za-z][A-Za-z0-9]{0,31};)"))
    return _MAYBE[0]


def decode(text: str) -> str | None:
    if "&" not in text or _maybe_reference().search(text) is None:
        return None
    import html  # on first use: html.entities is a large table

    out = html.unescape(text)
    return None if out == text else out
