"""Cross-site scripting detector: HTML tags that execute, event handlers, script URLs, attribute and
JavaScript-context breaks, client-side template escapes.

The engine gives each decoded view of a value (URL-, entity- and JS-decoded); attribute values are
entity-decoded again here so both the raw and the decoded view reveal ``&#x6A;avascript:``.
"""

from __future__ import annotations

import re

from hullguard.events.schema import Severity
from hullguard.firewall.decoders import url as url_decoding
from hullguard.firewall.detectors import xss_html as markup
from hullguard.firewall.detectors import xss_js as js
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext
from hullguard.firewall.detectors.presearch import Presearch
from hullguard.firewall.detectors.sqli_tokens import regex_alternation

FAMILY = "xss"

_CWE = "CWE-79"
_FIX = (
    "Encode output for the context it is written into (HTML body, attribute, JavaScript, URL) with a "
    "templating engine that escapes by default; sanitise HTML that must be kept with an allow-list "
    "sanitiser; set a Content-Security-Policy without 'unsafe-inline'."
)
RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "HG-XSS-001",
        FAMILY,
        "Script-capable HTML element",
        Severity.HIGH,
        _CWE,
        "The value contains an element that runs or loads code: script, iframe, frame, object, embed, "
        "applet, base, link rel=import/stylesheet, meta http-equiv, a style element with script, or an "
        "<?xml-stylesheet href=...?> instruction (XSLT output can carry script) or an <?import implementation=...?> "
        "of an IE behaviour file.",
        _FIX,
    ),
    RuleInfo(
        "HG-XSS-002",
        FAMILY,
        "HTML event handler attribute",
        Severity.HIGH,
        _CWE,
        "A tag carries an on* event handler attribute (onerror=, onload=, onfocus=, ...) or an XML Events "
        "listener (ev:event= with ev:handler=), which runs JavaScript when the event fires.",
        _FIX,
    ),
    RuleInfo(
        "HG-XSS-003",
        FAMILY,
        "Script URL",
        Severity.HIGH,
        _CWE,
        "A javascript:, vbscript: or data:text/html URL (also obfuscated with entities, tabs or "
        "newlines) runs code when a link, frame, form or style uses it; an SVG <set>/<animate> that "
        "rewrites an href or on* attribute, or a MathML element given an href, smuggles such a link past "
        "sanitisers.",
        _FIX,
    ),
    RuleInfo(
        "HG-XSS-004",
        FAMILY,
        "HTML attribute context break",
        Severity.HIGH,
        _CWE,
        "The value closes the attribute it is written into and adds an event handler "
        "(\" onmouseover=..., ' autofocus onfocus=...).",
        _FIX,
    ),
    RuleInfo(
        "HG-XSS-005",
        FAMILY,
        "JavaScript context injection",
        Severity.HIGH,
        _CWE,
        "The value closes a JavaScript string or script block (';alert(1)//, </script>) or calls a "
        "JavaScript sink used to prove or exploit XSS (alert(1), prompt`1`, top['al'+'ert'](1), ['alert'](1), "
        "document.write(...)), reads document.cookie into an expression ('+document.cookie), or is JSFuck.",
        _FIX,
    ),
    RuleInfo(
        "HG-XSS-006",
        FAMILY,
        "Client-side template sandbox escape",
        Severity.HIGH,
        _CWE,
        "A {{ ... }} expression or a framework directive (ng-focus=, v-on:, @click=, x-init=) reaches the "
        "Function constructor, a sink or the window (AngularJS/Vue/Alpine template injection: "
        "{{constructor.constructor('alert(1)')()}}, ng-focus=$event.view.alert(1)).",
        _FIX,
    ),
    RuleInfo(
        "HG-XSS-007",
        FAMILY,
        "CSS that executes script",
        Severity.MEDIUM,
        _CWE,
        "A style value uses expression(), behavior:, -moz-binding, a script URL, or an inline content:url() "
        "that replaces the element with a (scripted SVG) document (legacy browsers run it).",
        _FIX,
    ),
    RuleInfo(
        "HG-XSS-008",
        FAMILY,
        "Active HTML element (stricter)",
        Severity.LOW,
        _CWE,
        "svg, math, form, style, input, button, textarea, video or audio elements in a value are building "
        "blocks of XSS and HTML injection; reported from paranoia level 2.",
        _FIX,
        paranoia=2,
    ),
)

# Every rule needs "<" + letter, ":" (schemes, css), "=" (handlers), "(" or "`" (calls), "{{", "[" or
# UTF-7 markup.
# A colon alone matters only to the rules that read one: a script scheme (``javascript :``), a
# ``data:`` URL, CSS ``:expression`` and ``behavior:``/``-moz-binding:`` - so a plain URL, the most
# common header and parameter value, does not reach the detector (54k corpus lines and their decodings:
# every one the detector flags still passes).
_CALL_OR_ASSIGNMENT = r"[=(`]"
# "script:" of javascript:, vbscript:, livescript:, also with the tabs and line breaks a URL parser drops
# ("jav\tasc\tript:", ``_as_url_parser_reads``)
_SCRIPT_SCHEME_END = r"s[\t\n\r]{0,8}c[\t\n\r]{0,8}r[\t\n\r]{0,8}i[\t\n\r]{0,8}p[\t\n\r]{0,8}t[\s\x00]{0,8}:"
PREFILTER = (
    r"<[/a-z\x00]|" + _CALL_OR_ASSIGNMENT + "|" + _SCRIPT_SCHEME_END + r"|data:|:[\s\x00]{0,8}expression"
    r"|(?:binding|behaviou?r)[\s\x00]{0,8}:|\{\{|\[|\+AD[w4I]-|\u00bc[/a-z]"
    r"|\\u"  # \u: the detector also reads JS-unescaped text
    r"|document[\s]{0,8}(?:\.[\s]{0,8})?/\*"  # document/*x*/.cookie
)
_PREFILTER_RE = re.compile(PREFILTER, re.IGNORECASE)
# One alternative of PREFILTER alone: a character class is found by a fast scan, while a search of the
# whole PREFILTER tries every alternative at every position. Most values that reach the detector hold
# one of these characters, so testing it first answers them sooner with the same answer.
_CALL_OR_ASSIGNMENT_RE = re.compile(_CALL_OR_ASSIGNMENT)
_RULES_BY_ID = {rule.rule_id: rule for rule in RULES}

_EXECUTING_TAGS = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "layer", "ilayer", "vmlframe"}
)
# Legacy IE data binding and XML data islands render fetched markup as HTML.
# What a <meta http-equiv> may say without acting: an HTML e-mail's head declares its content type and
# language so (<meta http-equiv="Content-Type" content="text/html; charset=utf-8">); a refresh (to a
# javascript: URL), a cookie, a legacy document mode (X-UA-Compatible: IE=5 revives CSS expressions) or
# any other header is reported, and a UTF-7 charset is reported above whatever the header.
_PASSIVE_HTTP_EQUIV = frozenset({"content-type", "content-language", "content-security-policy"})


def _active_http_equiv(attributes: str) -> bool:
    value = markup.attribute_value(attributes, "http-equiv")
    if value is None:
        return False
    header = value.strip().lower()
    if header == "x-ua-compatible":  # the e-mail template's IE=edge asks for the newest mode, no legacy one
        return not _MODERN_DOCUMENT_MODE.fullmatch((markup.attribute_value(attributes, "content") or "").strip())
    return header not in _PASSIVE_HTTP_EQUIV


# IE=edge, IE=9 to IE=11 (each without CSS expressions), Chrome Frame; with ";"- or ","-separated lists
_MODERN_MODE = r"(?:ie=(?:edge|9|10|11)|chrome=1)"
_MODERN_DOCUMENT_MODE = re.compile(rf"{_MODERN_MODE}(?:\s{{0,4}}[;,]\s{{0,4}}{_MODERN_MODE}){{0,3}}", re.IGNORECASE)


_DATA_BINDING = ("datasrc", "dataformatas", "datafld")
# SVG animation elements that can set another attribute of their target at run time.
_SVG_ANIMATIONS = frozenset({"set", "animate"})
# Animating a link target or an event handler injects a URL or code that sanitisers never saw in the markup.
_ANIMATED_ACTIVE_ATTRIBUTE = re.compile(r"(?:xlink:)?href|on[a-z]{3,40}", re.IGNORECASE)
_ACTIVE_TAGS = frozenset(
    {"svg", "math", "form", "style", "input", "button", "textarea", "video", "audio", "isindex", "marquee", "xml"}
)


def _check_tag(tag: markup.Tag, text: str) -> Detection | None:
    span = (tag.start, tag.end)
    name = tag.name
    if name == "script":
        rule = "HG-XSS-005" if tag.closing else "HG-XSS-001"
        what = "</script> closes the script block" if tag.closing else "<script> element"
        return Detection(rule, what, *span)
    if tag.closing:
        return None
    if name in _EXECUTING_TAGS:
        return Detection("HG-XSS-001", f"<{name}> element loads or runs active content", *span)
    if not tag.attributes.strip() and name not in _ACTIVE_TAGS and name != "style":
        return None  # <b>, <p>, "a <b": nothing to execute
    event = markup.find_event_attribute(tag.attributes, js.EVENT_NAMES)
    if event is not None:
        return Detection("HG-XSS-002", f"<{name}> with event handler {event}=", *span)
    scheme = markup.find_scheme(tag.attributes, markup.DANGEROUS_SCHEMES + markup.SVG_DATA)
    if scheme is not None:
        return Detection("HG-XSS-003", f"{scheme} URL in an attribute of <{name}>", *span)
    if markup.XML_EVENTS_HANDLER.search(tag.attributes) is not None and (
        name == "listener" or markup.XML_EVENTS_EVENT.search(tag.attributes) is not None
    ):
        return Detection("HG-XSS-002", f"<{name}> attaches an XML Events handler (event= + handler=)", *span)
    directive = _framework_escape(tag.attributes)
    if directive is not None:
        return Detection("HG-XSS-006", f"<{name}> framework directive {directive}= escapes the sandbox", *span)
    if name in _SVG_ANIMATIONS:
        target = markup.attribute_value(tag.attributes, "attributename")
        if target is not None and _ANIMATED_ACTIVE_ATTRIBUTE.fullmatch(target.strip()) is not None:
            return Detection("HG-XSS-003", f"<{name}> rewrites the {target.strip()} attribute at run time", *span)
    payload = markup.data_url_payload(tag.attributes)
    if payload is not None and _scan_tags(payload, 1) is not None:
        return Detection("HG-XSS-003", f"base64 data: URL in <{name}> carries script markup", *span)
    if name == "base" and "href" in tag.attributes.lower():
        return Detection("HG-XSS-001", "<base href> re-targets every relative script URL", *span)
    lowered = tag.attributes.lower()
    if name == "meta" and ("utf-7" in lowered or "imap4" in lowered or _active_http_equiv(tag.attributes)):
        return Detection("HG-XSS-001", "<meta> sets a refresh, cookie, header or a UTF-7 charset", *span)
    if name == "xml" and "src" in lowered:
        return Detection("HG-XSS-001", "<xml src> data island loads markup", *span)
    if any(attr in lowered for attr in _DATA_BINDING):
        return Detection("HG-XSS-001", f"<{name}> binds fetched data as HTML (datasrc/dataformatas)", *span)
    if name == "link":
        rel = (markup.attribute_value(tag.attributes, "rel") or "").lower()
        if "import" in rel or "stylesheet" in rel:
            return Detection("HG-XSS-001", f"<link rel={rel}> loads external active content", *span)
    style = markup.attribute_value(tag.attributes, "style")
    if style is not None and _css_executes(style):
        return Detection("HG-XSS-007", f"style attribute of <{name}> executes script", *span)
    if style is not None and "content:url(" in markup.normalise_url_text(style):
        # Opera (Presto) replaced the element with the URL's document, so an SVG there ran its scripts;
        # modern pages never set "content" in an inline style (it only applies to ::before/::after).
        return Detection("HG-XSS-007", f"style attribute of <{name}> replaces it with content:url()", *span)
    if name == "style":
        body = text[tag.end : tag.end + 2048]
        if _css_executes(body):
            return Detection("HG-XSS-007", "<style> block executes script", *span)
    if name in _ACTIVE_TAGS:
        return Detection("HG-XSS-008", f"<{name}> element", *span)
    return None


def _framework_escape(attributes: str) -> str | None:
    """The name of an ng-*/v-*/@/x-* directive whose expression reaches a constructor or a sink."""
    if "-" not in attributes and "@" not in attributes:
        return None
    for match in markup.FRAMEWORK_DIRECTIVE.finditer(attributes):
        if markup.SANDBOX_ESCAPE.search(match.group(1)) is not None:
            return match.group(0).split("=", 1)[0].strip(" \t\n\r/\"'").lower()
    return None


def _css_executes(css: str) -> bool:
    cleaned = markup.normalise_url_text(re.sub(r"/\*.{0,200}?\*/", "", css[:4096]))
    return any(marker in cleaned for marker in markup.CSS_EXECUTION)


_SEVEN_BIT_BRACKETS = str.maketrans({"\u00bc": "<", "\u00be": ">", "\u00a2": '"'})
_TAG_REACH = 1024  # an event attribute this close after a tag opens belongs to it (quotes may hide ">")


def _scan_tags(text: str, paranoia: int) -> Detection | None:
    # Event attributes are found in one pass over the whole text, then matched to the tags before
    # them: a tag whose ">" sits inside a quoted value (<x 1=">" onxxx=1) still owns its handler.
    events = list(markup.EVENT_ATTRIBUTE.finditer(text)) if "=" in text else []  # a handler needs its "="
    next_event = 0
    in_math = False
    for tag in markup.iter_tags(text):
        found = _check_tag(tag, text)
        if found is not None and _RULES_BY_ID[found.rule_id].paranoia <= paranoia:
            return found
        if tag.name == "math":
            in_math = not tag.closing
        if in_math and not tag.closing and markup.HREF_ATTRIBUTE.search(tag.attributes) is not None:
            # Inside MathML any element with an href is a link (Firefox); sanitisers that only vet <a href>
            # in HTML miss it.
            return Detection("HG-XSS-003", f"<{tag.name}> inside <math> made a link", tag.start, tag.end)
        while next_event < len(events) and events[next_event].start() < tag.start:
            next_event += 1
        k = next_event
        while not tag.closing and k < min(len(events), next_event + 8) and events[k].start() < tag.start + _TAG_REACH:
            event = events[k]
            name = event.group(1).lower()
            # A word that opens a quoted value ('<p title="onion = good">') is text in an attribute, unless it
            # names an event a browser fires (after a closing quote: '<img src="x"onerror=...>')
            if name in js.EVENT_NAMES or not (markup.opens_quoted_value(text, event.start(1)) or markup.padded(event)):
                what = f"<{tag.name}> followed by event handler {name}="
                return Detection("HG-XSS-002", what, tag.start, event.end())
            k += 1
    return None


# Each context rule needs one of these characters (see the patterns in ``xss_js``): "=" an attribute
# break, a sink assigned or a CSS expression; ":" a script scheme, data: URL or CSS binding; "{" a
# template; "(" or "`" a call; "[" an index; a quote a string break; "+" UTF-7 or a cookie read; "</" a
# script close. A value with none of them - a placeholder Host "<url-id>.lambda-url...", a phrase in
# angle brackets - needs none of the dozen passes below.
_CONTEXT_CHARS = re.compile(r"[=:{(`\[\"'+]|</")
# The JavaScript-context patterns, each with the characters it cannot match without: a long value is
# read only by the patterns whose characters it holds.
_SCRIPT_PATTERNS: tuple[tuple[Presearch, str, str], ...] = (
    (js.SCRIPT_CLOSE, "<", "</script> closes the script block"),
    (js.SINK_CALL, "(`", "call of a JavaScript sink"),
    (js.SINK_REFERENCE, "(=", "JavaScript sink passed as a value"),
    (js.GLOBAL_INDEX_CALL, "[", "computed call on a global object"),
    (js.SINK_INDEX_CALL, "[", "JavaScript sink called by its quoted name"),
    (js.COOKIE_INDEX, "[", "document.cookie read by a computed member"),
    (js.BUILT_GLOBAL_INDEX, "[", "global object indexed by a name built at run time"),
    (js.FUNCTION_CONSTRUCTOR, "(", "Function constructor reached through a function's constructor"),
    (js.SINK_INDIRECT, "(=", "JavaScript sink called through call/apply or markup written through innerHTML"),
    (js.TEMPLATE_CALL, "`", "function called as a tagged template through call/apply"),
    (js.JS_STRING_BREAK, "\"'`", "quote closes a JavaScript string and a call follows"),
)


# Patterns that each need a word (in the lower-cased value): searched only where it is spelled, as
# most values hold a "(" or "=" and few the word.
_WORD_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("print", js.PRINT_CALL, "call of a JavaScript sink"),
    ("onerror", js.ERROR_HANDLER_SINK, "JavaScript sink made the page's error handler"),
    ("document", js.COOKIE_READ, "document.cookie read into an expression (cookie theft)"),
    ("document", js.COOKIE_WRITE, "document.cookie set by injected script"),
    ("document", js.DOCUMENT_WRITE, "document.write() call"),
    ("createelement", js.SCRIPT_ELEMENT, "script element created from code (loads a remote script)"),
)


# What a value that closed an attribute's quotes writes before the handler: blanks or slashes and other
# attributes (``" type=image src=null onerror=``, ``x" autofocus onfocus=``). The classes alternate
# without overlapping and the repeats are counted, so a match tries at most about a thousand characters.
_ATTRIBUTES_BETWEEN = re.compile(r"[\s/]+(?:[\w:-]{1,40}(?:=[^\s\"'<>=/]{0,80})?[\s/]+){0,8}")


def _handler_outside_tag(text: str) -> Detection | None:
    """An event handler written where a value breaks out of an attribute (``" onmouseover=alert(1)``):
    with code after its "=", or with a bare name (``onerror=KCF``) when a quote and nothing but
    attributes come before it. The quotes are searched once, left to right, however many handlers."""
    last_quote, searched_to = -1, 0
    match = js.ATTRIBUTE_BREAK.search(text)
    while match is not None:
        name = match.group(1).lower()
        if name in js.EVENT_NAMES:
            if js.HANDLER_CODE.match(text, match.end()):
                return Detection("HG-XSS-004", f"event handler {name}= outside a tag", *match.span())
            name_at = match.start(1)
            last_quote = max(last_quote, text.rfind('"', searched_to, name_at), text.rfind("'", searched_to, name_at))
            searched_to = name_at
            if (
                last_quote >= 0
                and js.HANDLER_NAME.match(text, match.end())
                and _ATTRIBUTES_BETWEEN.fullmatch(text, last_quote + 1, name_at) is not None
            ):
                return Detection("HG-XSS-004", f"event handler {name}= outside a tag", *match.span())
        match = js.ATTRIBUTE_BREAK.search(text, match.end())
    return None


def _harmful_sink_call(text: str, match: re.Match[str]) -> re.Match[str] | None:
    """The first sink call from ``match`` on that does something (at most 8 looked at): not ``eval()``
    with nothing to run, ``setTimeout(() => done(), 100)`` with a function rather than a string, or
    ``fetch('/api/items')`` from the page's own origin - code samples in support tickets."""
    for _ in range(8):
        if not js.HARMLESS_SINK_CALL.match(text, match.start()):
            return match
        following = js.SINK_CALL.search(text, match.end())
        if following is None:
            return None
        match = following
    return match


def _holds_any(text: str, characters: str) -> bool:
    return any(character in text for character in characters)


def _scan_contexts(text: str) -> Detection | None:
    match = js.COOKIE_COMMENTED.search(text) if "/*" in text else None
    if match is not None:
        return Detection("HG-XSS-005", "document.cookie spelled with comments between its parts", *match.span())
    if _CONTEXT_CHARS.search(text) is None:
        return None
    if "=" in text:
        found = _handler_outside_tag(text)
        if found is not None:
            return found
    if ":" in text:
        match = js.BARE_SCHEME.search(text)
        if match is not None and _script_follows(text, match.end()):
            return Detection("HG-XSS-003", "script URL scheme followed by code", *match.span())
        if "data:text/html" in text.lower():
            return Detection("HG-XSS-003", "data:text/html URL", 0, min(len(text), 64))
    escape = js.template_escape(text) if "{{" in text else None
    if escape is not None:
        return Detection("HG-XSS-006", f"'{escape}' inside a {{{{ }}}} template expression", 0, min(len(text), 64))
    match = js.CSS_EXPRESSION.search(text) if ":" in text or "=" in text else None
    if match is not None:
        return Detection("HG-XSS-007", "CSS expression/binding", *match.span())
    for pattern, needs, why in _SCRIPT_PATTERNS:
        match = pattern.search(text) if _holds_any(text, needs) else None
        if match is not None and pattern is js.SINK_CALL:
            match = _harmful_sink_call(text, match)
        if match is not None:
            return Detection("HG-XSS-005", why, *match.span())
    lowered = text.lower()
    for word, word_pattern, why in _WORD_PATTERNS:
        match = word_pattern.search(text) if word in lowered else None
        if match is not None:
            return Detection("HG-XSS-005", why, *match.span())
    match = js.JSFUCK.search(text) if "![]" in text else None
    if match is not None and "![]" in match.group(0) and "+[]" in match.group(0):
        return Detection("HG-XSS-005", "JSFuck-encoded JavaScript ([]()!+ only)", *match.span())
    match = js.IE_BEHAVIOUR_IMPORT.search(text) if "<?" in text else None
    if match is not None:
        return Detection("HG-XSS-001", "<?import implementation=...?> binds an IE behaviour file (HTC)", *match.span())
    match = js.XSLT_STYLESHEET.search(text) if "<?" in text else None
    if match is not None:
        return Detection(
            "HG-XSS-001", "<?xml-stylesheet?> loads a stylesheet that can emit script (XSLT)", *match.span()
        )
    match = js.UTF7_MARKUP.search(text) if "+" in text else None
    if match is not None:
        return Detection("HG-XSS-001", "UTF-7 encoded markup (+ADw- is '<')", *match.span())
    return None


# Every rule needs markup ("<", or "¼" read as "<"), a quote or backtick, a bracket or brace, a
# backslash escape, or one of these words (a sink call or reference, a script scheme,
# document.cookie/write, a CSS expression or behavior, a data: URL); "=" matters only after an event
# handler name (``js.ATTRIBUTE_BREAK``: "on" and 3 letters, at the start or after a blank, "/" or ";",
# when quotes are ruled out), "+" only as UTF-7 ("+ADw-"). An ASCII value with none of them - a
# User-Agent, a Referer "https://shop.example.com/checkout?step=2", cookies "session=abc; theme=dark"
# - is answered without the context rules (NUL is excluded too: the detector drops it, which could
# join a word).
_SCRIPT_CHARS = re.compile(r"[<'\"`\[{\\\x00]")
# The words as a prefix tree: one search then tries only the positions holding a first letter.
_SCRIPT_WORDS = Presearch(
    regex_alternation(
        [
            *js.SINKS.split("|"), "function", "script", "document", "expression", "behavio", "binding", "data:",
            "+ac", "+ad", "innerhtml", "outerhtml", "insertadjacenthtml",
        ]
    )
)
_HANDLER_NAME = Presearch(r"(?:^|[\s/;])(?:on[a-z]{3}|fscommand|seeksegmenttime)")


# An attribute-less tag glued inside a word or before a call's parenthesis: what is left once a
# filter removes it is read too.
_TAG_INSIDE_WORD = re.compile(r"[a-z0-9]<[a-z][a-z0-9]{0,9}>[a-z0-9(`]", re.IGNORECASE)
# The end of a string literal, "+", and the start of the next in the same quotes: removed, the two are one.
_CONCATENATION = re.compile(r"(['\"])[ \t]{0,8}\+[ \t]{0,8}\1")
_BARE_TAG = re.compile(r"</?[a-z][a-z0-9]{0,9}>", re.IGNORECASE)


# What a browser's URL parser drops: tabs and line breaks anywhere, C0 controls and blanks before the URL.
_URL_INVISIBLE = str.maketrans("", "", "\t\n\r")
_URL_LEADING = "".join(map(chr, range(0x21)))


def _as_url_parser_reads(text: str) -> str | None:
    """``text`` as the URL a browser makes of it, when that is a script URL (``\\x01jav\\tascript:con\\tfirm%281%29``
    is ``javascript:confirm(1)``: the body of a javascript: URL is percent-decoded before it runs, after the
    tabs are gone); None when it is none."""
    url = text.translate(_URL_INVISIBLE).lstrip(_URL_LEADING)
    scheme = js.BARE_SCHEME.match(url)
    if scheme is None or url == text:
        return None
    body = url[scheme.end() :]
    return url[: scheme.end()] + (url_decoding.decode(body) or body)


def _reads_as_no_script(text: str) -> bool:
    if not text.isascii() or _SCRIPT_CHARS.search(text) is not None:
        return False
    lowered = text.lower()
    if "=" in lowered and _HANDLER_NAME.search(lowered) is not None:
        return False
    if _holds_any(lowered, "\t\n\r"):
        lowered = lowered.translate(_URL_INVISIBLE)  # "con\tfirm" in a URL: see _as_url_parser_reads
    return _SCRIPT_WORDS.search(lowered) is None


def _script_follows(text: str, pos: int) -> bool:
    """After ``javascript:``: code (a call, assignment, comment, ...) and not prose like ``JavaScript: The``."""
    rest = text[pos : pos + 256]
    if markup.is_inert_script_url("javascript:" + rest):
        return False
    # Code, not prose ("JavaScript: The Good Parts"): a call/member/assignment, a comment, a bracket.
    return js.SCRIPT_BODY.match(rest) is not None


def scan(text: str, ctx: ScanContext) -> Detection | None:
    """The engine entry point: :func:`detect`, guarded so that a detector bug never escapes."""
    try:
        return detect(text, ctx)
    except Exception:  # the contract: a detector never raises (tests fuzz detect() unguarded)
        return None


def detect(text: str, ctx: ScanContext) -> Detection | None:
    """First detection in ``text`` (unguarded; see :func:`scan`)."""
    if not text or (_CALL_OR_ASSIGNMENT_RE.search(text) is None and _PREFILTER_RE.search(text) is None):
        return None
    if _reads_as_no_script(text):
        return None
    if "\x00" in text:
        text = text.replace("\x00", "")  # browsers skip NUL inside tags and schemes
    if "\u00bc" in text:
        text = text.translate(_SEVEN_BIT_BRACKETS)  # US-ASCII pages drop the 8th bit: "¼" is "<"
    found = _scan_tags(text, ctx.paranoia) if "<" in text else None
    if found is None:
        found = _scan_contexts(text)
    if found is None and "\\u" in text:
        found = _scan_contexts(js.decode_unicode_escapes(text))  # al\u0065rt(1) is alert(1) in JS
    if found is None and "+" in text and ("'" in text or '"' in text) and _CONCATENATION.search(text) is not None:
        # 'ale'+'rt(1)', "java"+"script:": string literals joined in JavaScript read as the one string they make
        found = _scan_contexts(_CONCATENATION.sub("", text))
    if found is None and ":" in text and _holds_any(text, "\t\n\r"):
        url = _as_url_parser_reads(text)  # "jav\tascript:" is a script URL to a browser
        found = None if url is None else _scan_contexts(url)
    if found is None and "<" in text and _TAG_INSIDE_WORD.search(text) is not None:
        # "o<x>nmouseover=alert<x>(1)": a sanitizer that strips tags once hands the page the handler.
        found = _scan_contexts(_BARE_TAG.sub("", text))
    if found is not None and _RULES_BY_ID[found.rule_id].paranoia <= ctx.paranoia:
        return found
    return None
