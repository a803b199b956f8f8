"""XML external entity (XXE) and XML-borne injection detector.

A document type declaration in untrusted XML is the attack surface: external entities and DTDs
(``SYSTEM``/``PUBLIC``) read files or reach internal URLs, parameter entities (``%xxe;``) build
out-of-band exfiltration, and nested entity references expand exponentially (billion laughs). Also
flagged: XInclude, XSLT that calls server-side functions, and UTF-7/UTF-16 declarations used to hide
the markup from filters. A plain XML document without a DTD is benign and passes.
"""

from __future__ import annotations

import re

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext

FAMILY = "xxe"
# Necessary condition: a markup declaration "<!", an encoding declaration, an XInclude or XSLT element,
# UTF-7 encoded markup, or NUL-interleaved (UTF-16 read as bytes) markup.
PREFILTER = r"<\x00?[!?]|<[\w-]{0,20}:?(?:include|xsl|stylesheet|transform)|\+adw-|xinclude"
_PREFILTER = re.compile(PREFILTER, re.IGNORECASE)
_REMEDIATION = (
    "Parse untrusted XML with DTDs and external entities disabled (defusedxml, lxml "
    "XMLParser(resolve_entities=False, no_network=True, load_dtd=False)); never apply user-supplied XSLT."
)
RULES: tuple[RuleInfo, ...] = (
    RuleInfo("HG-XXE-001", FAMILY, "External entity or external DTD", Severity.CRITICAL, "CWE-611",
             "<!ENTITY name SYSTEM|PUBLIC \"...\">, <!DOCTYPE x SYSTEM \"http://...\"> or a parameter entity "
             "(<!ENTITY % x ...>, %x;) that makes the parser read local files or fetch URLs.", _REMEDIATION),
    RuleInfo("HG-XXE-002", FAMILY, "Entity expansion (billion laughs)", Severity.HIGH, "CWE-776",
             "Entities whose values reference other entities, multiplying the document size on expansion.",
             _REMEDIATION),
    RuleInfo("HG-XXE-003", FAMILY, "Internal DTD subset with entity declarations", Severity.MEDIUM, "CWE-611",
             "A <!DOCTYPE ... [ <!ENTITY ...> ]> in input: entity processing probes that precede XXE.",
             _REMEDIATION),
    RuleInfo("HG-XXE-004", FAMILY, "XInclude", Severity.HIGH, "CWE-611",
             "xi:include / the XInclude namespace, which includes files or URLs where a DOCTYPE cannot be "
             "injected.", _REMEDIATION),
    RuleInfo("HG-XXE-005", FAMILY, "XSLT with server-side functions", Severity.HIGH, "CWE-91",
             "A stylesheet calling document(), unparsed-text(), php:function(), xsl:include/import or Java/.NET "
             "extension functions: file reads and code execution through the transformer.", _REMEDIATION),
    RuleInfo("HG-XXE-006", FAMILY, "Encoding declaration used to hide markup", Severity.HIGH, "CWE-611",
             "An XML declaration with encoding UTF-7 (or UTF-7 encoded '<!'), a common filter bypass for XXE; "
             "UTF-16/32 declarations inside a text field at paranoia 2.", _REMEDIATION),
    RuleInfo("HG-XXE-007", FAMILY, "Processing instruction that loads external code", Severity.HIGH, "CWE-829",
             "<?import namespace=... implementation=\"http://.../x.htc\"> (an HTML Component behaviour imported into "
             "an XML or HTML namespace): the document makes its reader fetch and run script from elsewhere.",
             _REMEDIATION),
)
_DECL_END = 4096
_ENTITY = re.compile(r"<!entity\s{1,16}(%\s{1,16})?([\w.:-]{1,100})\s{1,16}", re.IGNORECASE)
_DOCTYPE = re.compile(r"<!doctype\s{1,16}[\w.:-]{1,100}\s{0,16}(system|public|\[)?", re.IGNORECASE)
_EXTERNAL = re.compile(r"^(?:system|public)\b", re.IGNORECASE)
# The standard (X)HTML/SVG doctypes name w3.org DTDs; parsers do not fetch them and pages carry them.
_W3C_DTD = re.compile(r"\s{0,16}(?:\"[^\"]{0,120}\"\s{0,16})?\"https?://www\.w3\.org/[^\"]{0,160}\.dtd\"\s{0,16}>",
                      re.IGNORECASE)
_PARAM_REF = re.compile(r"%[\w.:-]{1,100};")
_ENTITY_REF = re.compile(r"&[\w.:-]{1,100};")
_XINCLUDE = re.compile(r"xi:include|w3\.org/2001/xinclude", re.IGNORECASE)
_XSLT = re.compile(r"<xsl:|w3\.org/1999/xsl/transform", re.IGNORECASE)
_XSLT_DANGER = re.compile(
    r"document\s{0,4}\(|unparsed-text|php:function|xsl:include|xsl:import|system-property\s{0,4}\(|msxsl:script"
    r"|java:|rt:exec|runtime|xmlns:[a-z]{1,20}=['\"](?:java|http://xml\.apache\.org/xalan/java|clitype|urn:schemas-"
    r"microsoft-com:xslt)",
    re.IGNORECASE,
)
_ENCODING = re.compile(r"<\?xml[^>]{0,200}encoding\s{0,4}=\s{0,4}['\"]\s{0,4}(utf-?7|utf-?16|utf-?32|ucs-?[24])",
                       re.IGNORECASE)
_IMPORT_PI = re.compile(r"<\?import\s[^>]{0,400}?implementation\s{0,4}=", re.IGNORECASE)
_UTF7_MARKUP = re.compile(r"\+adw-\s{0,4}(?:!|\+ace-)|\+adwaiq", re.IGNORECASE)


def _entities(text: str) -> Detection | None:
    declared = 0
    expanding = 0
    for match in _ENTITY.finditer(text):
        declared += 1
        body = text[match.end() : match.end() + _DECL_END]
        close = body.find(">")
        value = body if close < 0 else body[:close]
        if match.group(1):
            return Detection("HG-XXE-001", f"parameter entity {match.group(2)!r}", match.start(), match.end())
        if _EXTERNAL.match(value.lstrip()):
            return Detection("HG-XXE-001", f"external entity {match.group(2)!r}", match.start(), match.end())
        if len(_ENTITY_REF.findall(value[:1024])) >= 2 or _PARAM_REF.search(value[:1024]):
            expanding += 1
            if expanding >= 2 or len(_ENTITY_REF.findall(value[:1024])) >= 5:
                return Detection("HG-XXE-002", f"entity {match.group(2)!r} expands other entities", match.start(),
                                 match.end())
        if declared >= 64:
            break
    if declared and expanding:
        return Detection("HG-XXE-002", "nested entity references", 0, 0)
    return None


def _scan_markup(text: str, ctx: ScanContext) -> Detection | None:
    if "<!" in text:
        found = _entities(text)
        if found is not None:
            return found
        for doctype in _DOCTYPE.finditer(text):
            keyword = (doctype.group(1) or "").lower()
            if keyword in ("system", "public") and not _W3C_DTD.match(text, doctype.end(), doctype.end() + 200):
                return Detection("HG-XXE-001", "external DTD", doctype.start(), doctype.end())
            subset = text[doctype.end() : doctype.end() + _DECL_END]
            if _PARAM_REF.search(subset.split("]>", 1)[0]):
                return Detection("HG-XXE-001", "parameter entity reference in the DTD", doctype.start(), doctype.end())
            if keyword == "[" and "<!entity" in subset.lower():
                return Detection("HG-XXE-003", "DOCTYPE with entity declarations", doctype.start(), doctype.end())
    if _XINCLUDE.search(text):
        match = _XINCLUDE.search(text)
        assert match is not None
        return Detection("HG-XXE-004", "XInclude", match.start(), match.end())
    xslt = _XSLT.search(text)
    if xslt:
        danger = _XSLT_DANGER.search(text)
        if danger:
            return Detection("HG-XXE-005", f"XSLT {danger.group(0)!r}", danger.start(), danger.end())
    imported = _IMPORT_PI.search(text) if "<?" in text else None
    if imported:
        return Detection("HG-XXE-007", "<?import ... implementation=...>", imported.start(), imported.end())
    encoding = _ENCODING.search(text)
    if encoding:
        name = encoding.group(1).lower().replace("-", "")
        if name == "utf7" or ctx.paranoia >= 2:
            return Detection("HG-XXE-006", f"XML declared as {encoding.group(1)}", encoding.start(), encoding.end())
    utf7 = _UTF7_MARKUP.search(text)
    if utf7:
        return Detection("HG-XXE-006", "UTF-7 encoded markup declaration", utf7.start(), utf7.end())
    return None


def scan(text: str, ctx: ScanContext) -> Detection | None:
    if not _PREFILTER.search(text):  # the engine has checked it, and calls ``scan_unfiltered``
        return None
    return scan_unfiltered(text, ctx)


def scan_unfiltered(text: str, ctx: ScanContext) -> Detection | None:
    """``scan`` without the PREFILTER check (a necessary condition, which the engine has made)."""
    found = _scan_markup(text, ctx)
    if found is None and "\x00" in text:
        # UTF-16 bytes read as a narrow string: drop the NULs and look again.
        found = _scan_markup(text.replace("\x00", ""), ctx)
    return found
