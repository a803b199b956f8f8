"""Log4j lookup resolution for the code-injection detector.

Log4Shell payloads hide ``${jndi:`` behind nested lookups that Log4j itself resolves before it sees
the ``jndi`` prefix: ``${${lower:j}ndi:...}``, ``${${::-j}${::-n}di:...}``, ``${${env:X:-j}ndi:...}``,
``${${date:'j'}ndi...}``. This module resolves those innermost-first, exactly as Log4j would, with a
stack of open ``${`` positions, and reports the first lookup whose resolved name is dangerous. Work is
bounded: at most ``_MAX_DEPTH`` open lookups and ``_MAX_BODY`` characters per lookup body, so the whole
pass is linear in the input.
"""

from __future__ import annotations

import base64
import binascii

_MAX_DEPTH = 32
_MAX_BODY = 512
# Lookups that run code or leak secrets when an attacker controls a logged string.
DANGEROUS_PREFIXES = ("jndi:",)
# Apache Commons Text's interpolator (CVE-2022-42889, "Text4Shell") runs a script, fetches a URL or
# resolves a host through these default lookups; "${url:-x}" is a shell's default value, no lookup.
TEXT4SHELL_PREFIXES = ("script:", "url:", "dns:")
LEAKING_PREFIXES = ("env:", "sys:", "java:", "ctx:", "main:", "bundle:", "k8s:", "docker:", "spring:", "web:")


def is_dangerous(body: str) -> bool:
    """A lookup body (stripped, lower-cased) that runs code or reaches the network when resolved."""
    if body.startswith(DANGEROUS_PREFIXES):
        return True
    return body.startswith(TEXT4SHELL_PREFIXES) and not body[body.find(":") + 1 :].startswith("-")


def _resolve_body(body: str) -> str | None:
    """Value Log4j substitutes for ``${body}``, or None when the lookup stays as written."""
    default = body.find(":-")
    if default >= 0:
        return body[default + 2 :]  # Log4j splits the default off before it resolves the lookup
    lowered = body.lower()
    if lowered.startswith("lower:"):
        return body[6:].lower()
    if lowered.startswith("upper:"):
        return body[6:].upper()
    if lowered.startswith("date:"):
        return body[5:].strip("'\"")
    if lowered.startswith("base64:"):
        try:
            return base64.b64decode(body[7:].strip() + "==", validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return None
    return None


def find_lookup(text: str) -> tuple[str, int] | None:
    """(resolved lookup text, position) of the first JNDI or secret-leaking lookup in ``text``."""
    out: list[str] = []
    opens: list[int] = []  # indexes into ``out`` where an unresolved "${" starts
    origin: list[int] = []  # matching positions in ``text`` for evidence
    first_resolved = -1  # position of the first lookup that resolved to other text
    i = 0
    length = len(text)
    while i < length:
        ch = text[i]
        if ch == "$" and i + 1 < length and text[i + 1] == "{":
            if len(opens) < _MAX_DEPTH:
                opens.append(len(out))
                origin.append(i)
            out.append("${")
            i += 2
            continue
        if ch == "}" and opens:
            start = opens.pop()
            position = origin.pop()
            body = "".join(out[start + 1 :]) if len(out) - start <= _MAX_BODY else ""
            stripped = body.strip().lower()
            # "${env:X:-j}" is obfuscation (resolves to its default); "${env:AWS_SECRET_ACCESS_KEY}" leaks.
            if is_dangerous(stripped) or (
                stripped.startswith(LEAKING_PREFIXES) and ":-" not in stripped
            ):
                return "${" + body[:120] + "}", position
            resolved = _resolve_body(body) if body else None
            if resolved and "${" in resolved and len(resolved) <= _MAX_BODY:
                nested = find_lookup(resolved)  # ${base64:...} can decode to a whole new lookup
                if nested is not None:
                    return nested[0], position
            del out[start:]
            out.append(resolved if resolved is not None else "${" + body + "}")
            if resolved is not None and first_resolved < 0:
                first_resolved = position
            i += 1
            continue
        out.append(ch)
        i += 1
    # An unterminated lookup still reaches JNDI in Log4j's lenient parser when it is the last thing logged.
    for start, position in zip(opens, origin, strict=True):
        body = "".join(out[start + 1 : start + 1 + _MAX_BODY]).strip().lower()
        if is_dangerous(body):
            return "${" + body[:120], position
    # Lookups that spell "jndi:" into the surrounding text (``${:a:d:-${lower:j}n}di:``,
    # ``${lower:${:-}jndi:}``): a filter-bypass spelling that only needs its own ``${`` ... ``}`` around it
    # to be a JNDI lookup. No template a function logs resolves to that word.
    if first_resolved >= 0:
        flat = "".join(out)
        at = flat.lower().find("jndi:")
        if at >= 0:
            return "${" + flat[at : at + 118], first_resolved
    return None
