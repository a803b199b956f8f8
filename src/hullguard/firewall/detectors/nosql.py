"""NoSQL (MongoDB) injection detector: query operators in keys and values, and $where JavaScript.

MongoDB drivers turn ``{"user": {"$ne": ""}}`` or the form key ``user[$ne]=`` (qs/PHP bracket syntax)
into a query operator, so an operator name where the application expects a plain value is the attack.
Keys arrive with ``ctx.is_key``; values may carry the same object as text (``{$gt: ''}``) or the
JavaScript that a ``$where``/``mapReduce`` clause evaluates (``'; return true; var x='``).
"""

from __future__ import annotations

import re

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext
from hullguard.firewall.detectors.presearch import Presearch

FAMILY = "nosql"
# Necessary condition: an operator sigil or bracket, a JS statement break, a boolean operator, or a
# db./this. member access.
_SIGIL_OR_BREAK = r"[$&|;]"
PREFILTER = _SIGIL_OR_BREAK + r"|db\.|this\.|ep\s{0,4}\("
_PREFILTER = re.compile(PREFILTER, re.IGNORECASE)
# PREFILTER's character class alone is found by a fast scan (a search of the whole PREFILTER tries every
# alternative at every position); a User-Agent holds a ";". Testing it first gives the same answer.
_SIGIL_OR_BREAK_RE = re.compile(_SIGIL_OR_BREAK)

_REMEDIATION = (
    "Cast query inputs to the expected scalar type before building a query (reject objects and keys that "
    "start with '$'), disable server-side JavaScript ($where, mapReduce, $function) and use a schema "
    "validator such as mongo-sanitize or Pydantic models."
)
RULES: tuple[RuleInfo, ...] = (
    RuleInfo("HG-NOSQL-001", FAMILY, "MongoDB query operator in a key", Severity.HIGH, "CWE-943",
             "A JSON or form key that is a MongoDB operator ($ne, $gt, $regex, $where, $expr, $function, "
             "$lookup, ...) or its bracket form user[$ne], turning a value comparison into a query.",
             _REMEDIATION),
    RuleInfo("HG-NOSQL-002", FAMILY, "MongoDB operator object in a value", Severity.HIGH, "CWE-943",
             "A string value that carries an operator object ({\"$gt\": \"\"}, {$ne: 1}, $where: '1==1', "
             "[$ne]=1) for a handler that parses it into a query.", _REMEDIATION),
    RuleInfo("HG-NOSQL-003", FAMILY, "JavaScript injection into $where or mapReduce", Severity.CRITICAL,
             "CWE-943",
             "Statement breaks and expressions aimed at server-side JavaScript: '; return true; var x=', "
             "sleep(5000), this.password.match(/.*/), db.collection.insert(...) and findOne(), db.getName() and "
             "db.system.users, busy loops (do {...} while (...)), || 1==1 tautologies.",
             _REMEDIATION),
)

_OPERATORS = (
    "ne|eq|gt|gte|lt|lte|in|nin|regex|where|expr|function|accumulator|exists|mod|all|size|elemmatch|not"
    "|nor|or|and|text|search|jsonschema|lookup|graphlookup|match|project|group|unwind|merge|out|set|unset|push"
    "|pull|addtoset|inc|rename|comment|options|natural|slice|where|sample|facet|unionwith|replacewith|geowithin"
    "|near|nearsphere|bitsallset|rand|toString"
)
_KEY = re.compile(rf"\$(?:{_OPERATORS})", re.IGNORECASE)
_BRACKET = re.compile(rf"\[\s{{0,4}}\$(?:{_OPERATORS})\s{{0,4}}\]", re.IGNORECASE)
_OBJECT = Presearch(
    rf"(?:^|[^\w$])\s{{0,8}}['\"]?\$(?:{_OPERATORS})['\"]?\s{{0,8}}:", re.IGNORECASE
)
_MISTYPED_OBJECT = re.compile(rf"[{{,]\s{{0,8}}['\"]&(?:{_OPERATORS})['\"]\s{{0,8}}:", re.IGNORECASE)
_JS = Presearch(
    r"[;'\"]\s{0,4}return\s{0,4}(?:true\b|false\b|\d{1,6}\s{0,4}(?:;|$|[=<>!])|\(|'|\"|this\b|!|\w{1,20}\s{0,4}===?"
    r"|db\s{0,4}\.)"
    r"|[;'\"]\s{0,4}sleep\s{0,4}\(\s{0,4}\d|\bthis\s{0,4}\.\s{0,4}\w{1,40}\s{0,4}\.\s{0,4}match\s{0,4}\("
    r"|['\"]\s{0,4}(?:&&|\|\|)\s{0,4}this\s{0,4}\.|\bdb\s{0,4}\.\s{0,4}\w{1,64}\s{0,4}\.\s{0,4}(?:insert|find|update"
    r"|remove|drop|mapreduce|aggregate|delete|count|getcollection)\w{0,12}\s{0,4}\(|\bdb\.getsiblingdb\s{0,4}\("
    # the database's own name, collections and accounts, read one character at a time by a blind probe
    r"|\bdb\s{0,4}\.\s{0,4}(?:getname|getcollectionnames|getmongo|runcommand|admincommand|dropdatabase"
    r"|system\s{0,4}\.\s{0,4}(?:users|version|js))\b"
    r"|mapreduce\s{0,4}\(\s{0,4}function|while\s{0,4}\(\s{0,4}\w{1,10}\s{0,4}-\s{0,4}\w{1,10}\s{0,4}<\s{0,4}\d"
    r"|new\s{1,4}date\s{0,4}\(\s{0,4}\)\s{0,4};\s{0,4}do\s{0,4}\{|[;'\"]\s{0,4}while\s{0,4}\(\s{0,4}(?:true|1)\s{0,4}\)"
    # a busy loop that holds the server until a clock moves on (a timing probe), assigning in its body
    r"|\bdo\s{0,4}\{[^{}=]{0,300}=[^{}]{0,300}\}\s{0,4}while\s{0,4}\(",
    re.IGNORECASE,
)
_JS_GATES = ("return", "sleep", "this", "db", "mapreduce", "while", "date")  # (a busy loop's: "while")
_ANY_JS_GATE = re.compile("|".join(_JS_GATES))  # one search instead of a generator of substring tests
_TAUTOLOGY = re.compile(
    r"(?:\|\||&&)\s{0,4}(\d{1,10}|(['\"])[^'\"]{0,20}\2?)\s{0,4}===?\s{0,4}(\d{1,10}|(['\"])[^'\"]{0,20}\4?)"
)


# GraphQL declares variables the same way ("query ($search: String!, $in: [ID])"): a type name after
# the colon is a declaration, not an operator value.
_GRAPHQL_TYPE = re.compile(r"\s{0,8}\[?\s{0,4}[A-Z][A-Za-z0-9_]{0,64}\s{0,4}[!\]),=]")


def _operator_object(text: str) -> re.Match[str] | None:
    for count, match in enumerate(_OBJECT.finditer(text)):
        if count >= 16:
            break
        if not _GRAPHQL_TYPE.match(text, match.end()):
            return match
    return None


def _harmless_key(key: str, location: str) -> bool:
    """A key that is another language's, harmless to MongoDB: OData's ``$search`` query option as a query
    parameter of its own (``?$search=bike``; MongoDB reads ``$search`` only inside a ``$text`` object or
    as an Atlas stage, never as a parameter's name), and ``$comment``, which JSON Schema documents carry
    and which, as a key of a MongoDB query, only labels it in the profiler. (Written after a break-out in
    a value, "' } ], $comment:'...'", it still marks the injection, as NOSQL-002.)"""
    lowered = key.lower()
    return lowered == "$comment" or (lowered == "$search" and location.lower() in _ODATA_SEARCH_LOCATIONS)


_ODATA_SEARCH_LOCATIONS = frozenset(
    ("querystringparameters.$search", "multivaluequerystringparameters.$search", "querystring.$search")
)


def scan(text: str, ctx: ScanContext) -> Detection | None:
    if _SIGIL_OR_BREAK_RE.search(text) is None and _PREFILTER.search(text) is None:
        return None  # the engine has checked the PREFILTER, and calls ``scan_unfiltered``
    return scan_unfiltered(text, ctx)


def scan_unfiltered(text: str, ctx: ScanContext) -> Detection | None:
    """``scan`` without the PREFILTER check (a necessary condition, which the engine has made)."""
    if "$" in text:
        if ctx.is_key:
            stripped = text.strip().strip("'\"")
            match = _KEY.match(stripped)
            if match and match.end() == len(stripped) and not _harmless_key(stripped, ctx.location):
                return Detection("HG-NOSQL-001", f"operator key {stripped!r}", 0, len(text))
            bracket = _BRACKET.search(text)
            if bracket:
                return Detection("HG-NOSQL-001", f"bracket operator {bracket.group(0)!r}", bracket.start(),
                                 bracket.end())
        else:
            match = _operator_object(text) or _BRACKET.search(text)
            if match:
                return Detection("HG-NOSQL-002", f"operator {match.group(0).strip()!r}", match.start(), match.end())
    elif "&" in text and ctx.is_key:
        stripped = text.strip().strip("'\"")
        match = _KEY.match("$" + stripped[1:]) if stripped.startswith("&") else None
        if match and match.end() == len(stripped):
            return Detection("HG-NOSQL-001", f"operator key with a mistyped sigil {stripped!r}", 0, len(text))
    elif "&" in text:
        match = _MISTYPED_OBJECT.search(text)  # {"&exists": false}: the same object with a mistyped sigil
        if match:
            return Detection("HG-NOSQL-002", f"operator {match.group(0).strip()!r}", match.start(), match.end())
    if ctx.is_key:
        return None
    low = text.lower()
    match = _JS.search(text) if _ANY_JS_GATE.search(low) is not None else None
    if match:
        return Detection("HG-NOSQL-003", f"server-side JS {match.group(0).strip()!r}", match.start(), match.end())
    for taut in _TAUTOLOGY.finditer(text) if ("||" in text or "&&" in text) else ():
        if taut.group(1).strip("'\"") == taut.group(3).strip("'\""):
            return Detection("HG-NOSQL-003", f"JS tautology {taut.group(0)!r}", taut.start(), taut.end())
    return None
