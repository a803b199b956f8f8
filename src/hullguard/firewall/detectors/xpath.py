"""XPath injection detector.

XPath has no comments, so an injection must leave the query balanced: it closes the string, adds a
boolean clause and reopens a string (``' or '1'='1``), calls XPath functions to extract the document
blindly (``' or string-length(name(/*[1]))>0 or 'a'='b``, ``count(/child::node())``), or closes the
predicate and unions another node set (``']|//*|//*['``). The detector looks for those shapes.
"""

from __future__ import annotations

import re

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext
from hullguard.firewall.detectors.presearch import Presearch

FAMILY = "xpath"
# Necessary condition: a quote, a union bar, an axis "::", a function call on a path, a path from the root
# with a predicate or a node test, or XPath 2.0's doc() (the repeats here are unbounded where the detector's
# are counted: a superset, and no counter for the gate's automaton to track after every "//" of a URL;
# "doc(" without the word boundary, which costs the gate more on every word than the calls it would spare).
PREFILTER = (
    r"['\"|]|::|\(\s{0,4}/|//[a-z_*][\w.-]*\s*\[|/\s*(?:node|text)\s*\(|doc(?:ument)?\s*\("
)
_PREFILTER = re.compile(PREFILTER, re.IGNORECASE)
_REMEDIATION = (
    "Use parameterised XPath (variables bound through the XPath API, e.g. lxml's xpath(..., name=value)) "
    "instead of string concatenation, or escape quotes and reject XPath syntax in identifiers."
)
RULES: tuple[RuleInfo, ...] = (
    RuleInfo("HG-XPATH-001", FAMILY, "XPath boolean injection with functions", Severity.HIGH, "CWE-643",
             "A quote break followed by or/and and an XPath function (name(), count(), string-length(), "
             "substring(), contains()) or a balanced tautology that reopens the string: ' or '1'='1.",
             _REMEDIATION),
    RuleInfo("HG-XPATH-002", FAMILY, "XPath node-set union or axis traversal", Severity.HIGH, "CWE-643",
             "Predicate break-out with a union (']|//*|//*['), document-wide functions (count(/...), name(/*)) "
             "and axis steps (child::, descendant::, following-sibling::) in a value, a path from the root to a "
             "node test (//user/node()), or doc() reading a URL or a share (XPath 2.0 out-of-band extraction).",
             _REMEDIATION),
)
_FUNCTIONS = (
    r"(?:name|local-name|namespace-uri|count|string-length|substring(?:-before|-after)?|contains|starts-with"
    r"|position|last|text|node|string|normalize-space|translate|concat|boolean|not|number|sum|doc|document"
    r"|codepoints-to-string|string-to-codepoints|lower-case|upper-case|true|false)\s{0,4}\("
)
_QUOTE_BOOLEAN = Presearch(
    rf"['\"]\s{{0,4}}\)?\s{{0,8}}(?:or|and)(?:\s{{1,8}}|(?=['\"(]))(?:{_FUNCTIONS}|/|\(?\s{{0,4}}['\"][^'\"]{{0,20}}['\"]\s{{0,4}}=\s{{0,4}}['\"]"
    rf"|\(?\s{{0,4}}(\d{{1,6}})\s{{0,4}}=\s{{0,4}}\1\b)",
    re.IGNORECASE,
)
_UNION_AXIS = Presearch(
    r"\]\s{0,4}\|\s{0,4}/|\|\s{0,4}//\s{0,4}\*|\b(?:count|name|local-name|string-length|string)\s{0,4}\(\s{0,4}/"
    r"|\b(?:child|descendant|descendant-or-self|ancestor|ancestor-or-self|following|following-sibling|preceding"
    r"|preceding-sibling|parent|self|attribute|namespace)::(?:\*|node\s{0,4}\(|text\s{0,4}\(|[a-z])"
    r"|(?<![:\w/])//[a-z_*][\w.-]{0,40}\s{0,4}\[\s{0,4}(?:@|\d|[a-z_]{1,40}\s{0,4}(?:=|\(|/))"
    # a path from the root down to a node test: "//user/node()", "//*/text()"
    r"|(?<![:\w/])//[a-z_*][\w.-]{0,40}(?:/[a-z_*@][\w.-]{0,40}){0,8}/\s{0,4}(?:node|text)\s{0,4}\(\s{0,4}\)"
    # XPath 2.0 reading another document, a URL or a share, to send data out of band: doc('//host/share')
    r"|\bdoc(?:ument)?\s{0,4}\(\s{0,4}(?:concat\s{0,4}\(\s{0,4})?['\"](?:[a-z]{2,10}:|//|\\\\)",
    re.IGNORECASE,
)


def scan(text: str, ctx: ScanContext) -> Detection | None:
    if not _PREFILTER.search(text):  # the engine has checked it, and calls ``scan_unfiltered``
        return None
    return scan_unfiltered(text, ctx)


def scan_unfiltered(text: str, ctx: ScanContext) -> Detection | None:
    """``scan`` without the PREFILTER check (a necessary condition, which the engine has made)."""
    low = text.lower()
    if ("'" in text or '"' in text) and ("or" in low or "and" in low):
        match = _QUOTE_BOOLEAN.search(text)
        if match:
            return Detection("HG-XPATH-001", f"quote break {match.group(0)!r}", match.start(), match.end())
    # Each of its shapes needs a "|", a "::", a "(" or a "//" with a "[" after it: a URL alone (its "//")
    # leaves the long case-insensitive search out (about 16 us on a 120-character page URL).
    gated = "|" in text or "::" in text or "(" in text or ("//" in text and "[" in text)
    match = _UNION_AXIS.search(text) if gated else None
    if match:
        return Detection("HG-XPATH-002", f"xpath construct {match.group(0)!r}", match.start(), match.end())
    return None
