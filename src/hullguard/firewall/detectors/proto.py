"""Prototype pollution detector: ``__proto__`` and ``constructor.prototype`` in keys, paths and values.

Merge, clone and path-setting helpers (lodash.merge/set, qs, jQuery.extend, dot-prop) write through
these names into ``Object.prototype``, which every object of a Node.js function then inherits. They
arrive as JSON keys, form keys (``a[__proto__][isAdmin]=1``), dotted paths (``__proto__.isAdmin``) or
JSON text inside a string. JavaScript property names are case-sensitive, so matching is too.
"""

from __future__ import annotations

import re

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext

FAMILY = "proto"
# Necessary condition: one of the two property names (matched case-insensitively by the engine).
PREFILTER = r"_proto|prototype"
_REMEDIATION = (
    "Reject keys named __proto__, constructor and prototype before merging or path-setting, create lookup "
    "objects with Object.create(null) or Map, and freeze Object.prototype in the function's init code."
)
RULES: tuple[RuleInfo, ...] = (
    RuleInfo("HG-PROTO-001", FAMILY, "__proto__ property access", Severity.HIGH, "CWE-1321",
             "A key, bracket path (a[__proto__][x]), dotted path (__proto__.x) or JSON text that writes "
             "through __proto__ into Object.prototype.", _REMEDIATION),
    RuleInfo("HG-PROTO-002", FAMILY, "constructor.prototype path", Severity.HIGH, "CWE-1321",
             "constructor.prototype, constructor[prototype] or a {\"constructor\": {\"prototype\": ...}} object "
             "that reaches Object.prototype without naming __proto__.", _REMEDIATION),
)
_CONSTRUCTOR_PROTOTYPE = re.compile(
    r"constructor\s{0,4}(?:\.|/|\[\s{0,4}['\"]?|['\"]?\s{0,4}\]\s{0,4}\[\s{0,4}['\"]?"
    r"|['\"]\s{0,4}:\s{0,4}\{\s{0,4}['\"])\s{0,4}prototype\b"
)


def scan(text: str, ctx: ScanContext) -> Detection | None:
    index = text.find("__proto__")
    if index >= 0:
        return Detection("HG-PROTO-001", "__proto__", index, index + 9)
    if "prototype" not in text:
        return None
    match = _CONSTRUCTOR_PROTOTYPE.search(text)
    if match:
        return Detection("HG-PROTO-002", f"path {match.group(0)!r}", match.start(), match.end())
    if ctx.is_key and text.strip("'\" ") == "prototype":
        # The location names the parent (body.constructor), possibly followed by the key itself.
        segments = [s.strip("'\"") for s in ctx.location.replace("[", ".").replace("]", "").split(".") if s]
        if segments and segments[-1] == "prototype":
            segments.pop()
        if segments and segments[-1] == "constructor":
            return Detection("HG-PROTO-002", f"key prototype under {ctx.location}", 0, len(text))
    return None
