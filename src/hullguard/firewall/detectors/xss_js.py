"""JavaScript-context and attribute-context patterns for the XSS detector.

These cover payloads that contain no tag: a value that closes an attribute and adds an event handler
(``" autofocus onfocus=alert(1) x="``), a value that closes a JavaScript string (``';alert(1)//``),
canonical sink calls (``alert(1)``, ``prompt`1```), client-side template sandbox escapes
(``{{constructor.constructor('alert(1)')()}}``) and CSS expressions. Every regular expression here
has bounded repetition only, so matching is linear in the input length.
"""

from __future__ import annotations

import re

from hullguard.firewall.detectors.presearch import Presearch

# Event handler attribute names from the HTML, SVG and legacy IE specs. Outside a tag we only trust
# these names (an unknown "on..." word followed by "=" is too common in data to mean anything).
EVENT_NAMES = frozenset(
    [
        "onabort",
        "onactivate",
        "onafterprint",
        "onafterscriptexecute",
        "onafterupdate",
        "onanimationcancel",
        "onanimationend",
        "onanimationiteration",
        "onanimationstart",
        "onauxclick",
        "onbeforeactivate",
        "onbeforecopy",
        "onbeforecut",
        "onbeforedeactivate",
        "onbeforeeditfocus",
        "onbeforeinput",
        "onbeforematch",
        "onbeforepaste",
        "onbeforeprint",
        "onbeforescriptexecute",
        "onbeforetoggle",
        "onbeforeunload",
        "onbeforeupdate",
        "onbegin",
        "onblur",
        "onbounce",
        "oncancel",
        "oncanplay",
        "oncanplaythrough",
        "oncellchange",
        "onchange",
        "onclick",
        "onclose",
        "oncommand",
        "oncontentvisibilityautostatechange",
        "oncontextmenu",
        "oncontrolselect",
        "oncopy",
        "oncuechange",
        "oncut",
        "ondataavailable",
        "ondatasetchanged",
        "ondatasetcomplete",
        "ondblclick",
        "ondeactivate",
        "ondevicemotion",
        "ondeviceorientation",
        "ondrag",
        "ondragdrop",
        "ondragend",
        "ondragenter",
        "ondragleave",
        "ondragover",
        "ondragstart",
        "ondrop",
        "ondurationchange",
        "onemptied",
        "onend",
        "onended",
        "onerror",
        "onerrorupdate",
        "onfilterchange",
        "onfinish",
        "onfocus",
        "onfocusin",
        "onfocusout",
        "onformdata",
        "onfullscreenchange",
        "ongesturechange",
        "ongestureend",
        "ongesturestart",
        "ongotpointercapture",
        "onhashchange",
        "onhelp",
        "oninput",
        "oninvalid",
        "onkeydown",
        "onkeypress",
        "onkeyup",
        "onlanguagechange",
        "onlayoutcomplete",
        "onload",
        "onloadeddata",
        "onloadedmetadata",
        "onloadend",
        "onloadstart",
        "onlosecapture",
        "onlostpointercapture",
        "onmessage",
        "onmousedown",
        "onmouseenter",
        "onmouseleave",
        "onmousemove",
        "onmouseout",
        "onmouseover",
        "onmouseup",
        "onmousewheel",
        "onmove",
        "onmoveend",
        "onmovestart",
        "onmozfullscreenchange",
        "onmsgesturechange",
        "onoffline",
        "ononline",
        "onorientationchange",
        "onoutofsync",
        "onpagehide",
        "onpagereveal",
        "onpageshow",
        "onpageswap",
        "onpaste",
        "onpause",
        "onplay",
        "onplaying",
        "onpointercancel",
        "onpointerdown",
        "onpointerenter",
        "onpointerleave",
        "onpointerlockchange",
        "onpointerlockerror",
        "onpointermove",
        "onpointerout",
        "onpointerover",
        "onpointerrawupdate",
        "onpointerup",
        "onpopstate",
        "onprogress",
        "onpropertychange",
        "onratechange",
        "onreadystatechange",
        "onrejectionhandled",
        "onrepeat",
        "onreset",
        "onresize",
        "onresizeend",
        "onresizestart",
        "onresume",
        "onreverse",
        "onrowdelete",
        "onrowenter",
        "onrowexit",
        "onrowinserted",
        "onrowsdelete",
        "onrowsinserted",
        "onscroll",
        "onscrollend",
        "onscrollsnapchange",
        "onscrollsnapchanging",
        "onsearch",
        "onsecuritypolicyviolation",
        "onseek",
        "onseeked",
        "onseeking",
        "onselect",
        "onselectionchange",
        "onselectstart",
        "onshow",
        "onslotchange",
        "onstalled",
        "onstart",
        "onstop",
        "onstorage",
        "onsubmit",
        "onsuspend",
        "onsyncrestored",
        "ontimeerror",
        "ontimeupdate",
        "ontoggle",
        "ontouchcancel",
        "ontouchend",
        "ontouchmove",
        "ontouchstart",
        "ontrackchange",
        "ontransitioncancel",
        "ontransitionend",
        "ontransitionrun",
        "ontransitionstart",
        "onunhandledrejection",
        "onunload",
        "onurlflip",
        "onvisibilitychange",
        "onvolumechange",
        "onwaiting",
        "onwebkitanimationend",
        "onwebkitanimationiteration",
        "onwebkitanimationstart",
        "onwebkitfullscreenchange",
        "onwebkitmouseforcechanged",
        "onwebkitmouseforcedown",
        "onwebkitmouseforceup",
        "onwebkitmouseforcewillbegin",
        "onwebkitplaybacktargetavailabilitychanged",
        "onwebkittransitionend",
        "onwebkitwillrevealbottom",
        "onwheel",
        "onzoom",
        "fscommand",
        "seeksegmenttime",
    ]
)

# Calls whose only everyday use in an injected value is proving or exploiting XSS.
SINKS = r"alert|prompt|confirm|eval|print|settimeout|setinterval|execscript|fetch|import|atob|btoa|fromcharcode"
_GLOBALS = r"top|window|self|parent|frames|globalthis|this|document|content|opener"

# Attribute break: a quote (or whitespace, for unquoted attributes) then a known handler name and "=".
ATTRIBUTE_BREAK = re.compile(r"(?:^|[\s\"'`/;])(on[a-z]{3,40}|fscommand|seeksegmenttime)[\s\x00]{0,256}=", re.I)
# JS string break: quote, operators/terminators, then a call of a sink, or a call of or an assignment to
# a global object's member or the location (';alert(1)//, '-alert(1)-', "};document.write(1)//,
# ';location='javascript:...) - not any call ("Smith", John (Jr.)), nor a sink's name given a value
# (Python's ``f("x", prompt="Name")``, which no script needs).
JS_STRING_BREAK = Presearch(
    r"[\"'`][\s)\]}]{0,8}[-+*/%;,|&^?:=]{1,3}[\s(]{0,8}"
    r"(?:(?:" + SINKS + r")[\w$.\[\]'\"]{0,60}[\s]{0,4}[(`]"
    r"|(?:(?:" + _GLOBALS + r"|location)[.\[]"
    r"|location(?=[\s]{0,4}=[\s]{0,4}[\"'`]?[\s]{0,4}(?:https?:|//|javascript:|data:|name\b)))"
    r"[\w$.\[\]'\"]{0,60}[\s]{0,4}[(`=])",
    re.I,
)
# A sink called: "alert(1)", "prompt`1`". With a space before "(" only when the argument looks like
# JavaScript, so "please confirm (yes/no)" is prose. ``print`` has a pattern of its own (below). Right
# after a backquote the name is a template literal's text, not a call: Markdown's "`confirm()` asks".
_CALLED_SINKS = "|".join(sink for sink in SINKS.split("|") if sink != "print")
SINK_CALL = Presearch(
    r"(?:(?<![\w$`])(?:alert|prompt|confirm)|(?<![\w$.`])(?:" + _CALLED_SINKS + r"|new[\s]{1,8}function))"
    r"(?:[\x00]{0,8}(?:\?\.)?[(`]|[\s\x00]{1,8}\([\s]{0,4}[\d'\"`/])",
    re.I,
)
# Sink calls that run nothing: a call with no argument (alert, prompt and confirm aside: they show a
# dialog), a timer given a function, a fetch of a same-origin path written whole.
HARMLESS_SINK_CALL = re.compile(
    r"(?!alert|prompt|confirm)[a-z]{1,16}[\s\x00]{0,8}(?:\?\.)?\([\s]{0,4}\)"
    r"|set(?:timeout|interval)[\s]{0,4}\([\s]{0,4}(?:\(|function\b|async\b)"
    r"|fetch[\s]{0,4}\([\s]{0,4}(['\"`])/[^/'\"`\s+][^'\"`\s+]{0,200}\1[\s]{0,4}[),]",
    re.I,
)
# ``print`` (window.print, the proof that works where alert is blocked) takes no argument: it counts
# called with none, a number, a template literal glued to it or a browser global's member
# (``print(document.domain)``), so a line of Python such as ``print("hello world")`` is not a script, nor
# prose that has a program print Markdown code (``will print `"Hello"` ``).
# (Searched only in a value that spells the word, see ``xss._WORD_PATTERNS``.)
PRINT_CALL = re.compile(
    r"print(?<![\w$.`]print)(?:[\s\x00]{0,8}(?:\?\.)?"
    r"\([\s]{0,4}(?:[)\d]|(?:document|window|top|self|this)[\s]{0,4}[.\[)])|[\x00]{0,8}(?:\?\.)?`)",
    re.I,
)
# A sink used as a value: passed to a call (``[1].find(alert)``), called through parentheses
# (``(alert)(1)``) or assigned for a later call (``a=alert,a(1)``).
SINK_REFERENCE = Presearch(
    r"[\w$\])][\s]{0,4}\([\s]{0,4}(?:alert|prompt|confirm|eval)[\s]{0,4}\)"
    r"|\([\s]{0,4}(?:alert|prompt|confirm|eval)[\s]{0,4}\)[\s]{0,4}[(`]"
    r"|=[\s]{0,4}(?:alert|prompt|confirm|eval)[\s]{0,4}[,;]"
    # handed to a gadget that calls it: Reflect.apply(alert,0,[1]), new Proxy(alert,{})(1), [alert][0](1),
    # (0,alert)(1) (a comma expression's value is the sink itself)
    r"|(?:reflect[\s]{0,4}\.[\s]{0,4}apply|new[\s]{1,4}proxy)\([\s]{0,4}(?:alert|prompt|confirm|eval|print)[\s]{0,4},"
    r"|\[[\s]{0,4}(?:alert|prompt|confirm|eval|print)[\s]{0,4}\][\s]{0,4}\["
    r"|\([\s]{0,4}\d{1,3}[\s]{0,4},[\s]{0,4}(?:alert|prompt|confirm|eval|print)[\s]{0,4}\)[(`]",
    re.I,
)
# A sink made the page's error handler, which a ``throw`` then calls without a parenthesis
# (``{onerror=alert}throw 1``: PortSwigger's vectors without parentheses), also by a destructuring
# assignment (``var{a:onerror}={a:alert};throw 1``); searched as PRINT_CALL is.
ERROR_HANDLER_SINK = re.compile(
    r"onerror(?<![\w$]onerror)[\s]{0,4}=[\s]{0,4}(?:alert|prompt|confirm|eval)(?![\w$])"
    r"|:[\s]{0,4}onerror[\s]{0,4}\}[\s]{0,4}=[\s]{0,4}\{[\s]{0,4}[\w$]{1,32}[\s]{0,4}:[\s]{0,4}"
    r"(?:alert|prompt|confirm|eval)(?![\w$])",
    re.I,
)
# The session cookie read into an expression ("'+document.cookie", "=document.cookie"): the exfiltration
# step of most XSS payloads; prose that names it ("read document.cookie") has no operator in front.
COOKIE_READ = re.compile(r"[+=,][\s]{0,4}(?:window[\s]{0,4}\.[\s]{0,4})?document[\s]{0,4}\.[\s]{0,4}cookie\b", re.I)
# Setting the page's cookie from an injected script fixes a session or plants a value for a later attack.
COOKIE_WRITE = re.compile(r"\bdocument[\s]{0,4}\.[\s]{0,4}cookie[\s]{0,4}=(?!=)", re.I)
# A script element built from code loads a remote script: the short form of every "load my payload" XSS.
SCRIPT_ELEMENT = re.compile(r"createelement[\s]{0,4}\([\s]{0,4}[\"'`]script[\"'`]", re.I)
# document.write(...) writes markup into the page: no everyday value calls it.
DOCUMENT_WRITE = re.compile(r"\bdocument[\s]{0,4}\.[\s]{0,4}write(?:ln)?[\s]{0,4}\(", re.I)
# A sink called by its quoted name through an index: ['alert'](1), window/**/["eval"](x).
SINK_INDEX_CALL = Presearch(
    r"\[[\s]{0,16}([\"'`])(?:alert|prompt|confirm|eval|settimeout|setinterval|execscript|fromcharcode|atob)\1[\s]{0,16}\]"
    r"[\s]{0,16}[(`]",
    re.I,
)
# A sink reached through Function.prototype (eval.call(this, x), alert.apply(null, [1])), or markup
# written into the page through the DOM (el.innerHTML = ..., outerHTML, insertAdjacentHTML): code, not prose.
SINK_INDIRECT = Presearch(
    r"(?<![\w$.])(?:eval|alert|prompt|confirm|settimeout|setinterval|function)[\s]{0,4}\.[\s]{0,4}(?:call|apply|bind)"
    r"[\s]{0,4}\(|\.[\s]{0,4}(?:inner|outer)html[\s]{0,4}=(?!=)|\.[\s]{0,4}insertadjacenthtml[\s]{0,4}\(",
    re.I,
)
# document.cookie with comments between the words (document/*x*/./*y*/cookie): code, whatever surrounds it.
_JS_COMMENT = r"/\*[^*\n]{0,40}\*/"
COOKIE_COMMENTED = re.compile(
    rf"document[\s]{{0,8}}(?:{_JS_COMMENT}[\s]{{0,8}}){{1,4}}\.[\s]{{0,8}}(?:{_JS_COMMENT}[\s]{{0,8}}){{0,4}}cookie"
    rf"|document[\s]{{0,8}}\.[\s]{{0,8}}(?:{_JS_COMMENT}[\s]{{0,8}}){{1,4}}cookie",
    re.I,
)
# The cookie read by a computed member: document["cookie"], (document)['cookie'] - code, never prose.
COOKIE_INDEX = Presearch(r"document[\s)]{0,16}\[[\s]{0,16}(?:([\"'`])cookie\1|/cookie/)", re.I)
# A global object indexed by a name built at run time: a regex literal's source, a spread, a string's
# method (top[/alert/.source], self['ale'.concat('rt')], top[[...'trela'].reverse().join('')],
# document.defaultView['ALERT'.toLowerCase()]) - how a sink is fetched without being spelled.
BUILT_GLOBAL_INDEX = Presearch(
    r"(?:(?<![\w$.])(?:" + _GLOBALS + r")|\.[\s]{0,4}defaultview)[\s]{0,16}\[[\s]{0,16}"
    r"(?:/[a-z]{2,20}/[\s]{0,4}\.|\[[\s]{0,4}\.\.\.|([\"'`])[\w$]{1,20}\1[\s]{0,4}\.[\s]{0,4}[a-z]{3,20}[\s]{0,4}\()",
    re.I,
)
# The Function constructor reached through a function value's constructor: (()=>1).constructor(...),
# Set.constructor(...), []['at']['constructor'](...) - the eval of a string without the word eval.
FUNCTION_CONSTRUCTOR = Presearch(
    r"(?:\)|\b(?:set|map|array|object|function|string|number|promise|symbol|date|regexp|boolean|json|reflect"
    r"|proxy|weakmap|weakset))[\s]{0,4}\.[\s]{0,4}constructor[\s]{0,4}\("
    r"|\[[\s]{0,4}([\"'`])constructor\1[\s]{0,4}\][\s]{0,4}\(",
    re.I,
)
# A function called as a tagged template through call/apply: [].sort.call`${alert}1`,
# Reflect.apply.call`${fn}${thisArg}${[args]}` - the template's parts become the call's arguments,
# a way to call a sink without "(" (spaces and comments between: "[ ] . /**/ sort . call `").
TEMPLATE_CALL = Presearch(r"\.[\s/*]{0,16}(?:call|apply)[\s/*]{0,16}`(?:`|[^`]{0,200}?\$\{)", re.I)
# JSFuck: JavaScript written with the six characters []()!+ only; a dozen of them in a row that hold
# both "![]" and "+[]" (checked by the detector) is never text: (![]+[])[+!+[]] is "a".
JSFUCK = re.compile(r"[\[\]()!+]{12,}")
# A plain number in the brackets names a frame, never a function ("window[0]"): prose writes a
# footnote mark there ("this [1] (Closes: #839721)").
_NUMBER_KEY = r"[\s]{0,16}[0-9]{1,16}[\s]{0,16}\]"
GLOBAL_INDEX_CALL = Presearch(
    r"(?<![\w$.])(?:" + _GLOBALS + rf")[\s]{{0,16}}\[(?!{_NUMBER_KEY})[^\]\n]{{1,80}}\][\s]{{0,16}}\(", re.I
)
SCRIPT_CLOSE = Presearch(r"</script[\s/>]|</script$", re.I)
# Words that reach the Function constructor or evaluate strings from an AngularJS/Vue expression; a plain
# "{{prompt}}" placeholder is no escape.
_TEMPLATE_TOKENS = re.compile(r"\{\{|\}|constructor|\$eval|\$on\b|\$parse|__proto__|fromcharcode", re.I)
# CSS that runs script: "width:expression(...)", "behavior:url(...)", "-moz-binding:url(...)" - in a
# declaration, so "regular expression (regex)" and "Behavior: calm" are prose.
CSS_EXPRESSION = Presearch(
    r"[:=][\s\x00]{0,8}expression[\s\x00]{0,8}(?:\(|\\0{0,4}28)|(?:-moz-binding|behaviou?r)[\s\x00]{0,8}:[\s\x00]{0,8}url",
    re.I,
)
BARE_SCHEME = re.compile(r"(?:^|[\s\"'=(,?#&])(?:javascript|vbscript|livescript)[\s\x00]{0,8}:", re.I)


def template_escape(text: str) -> str | None:
    """A sandbox-escape word inside an open ``{{ ... }}`` expression (AngularJS, Vue, Handlebars)."""
    open_at = -1
    for match in _TEMPLATE_TOKENS.finditer(text):
        word = match.group(0)
        if word == "{{":
            open_at = match.start()
        elif word == "}":
            open_at = -1
        elif open_at >= 0:
            return word.lower()
    return None


# What an injected handler value looks like: JS code (a call, member access, assignment, template
# string, script URL), optionally quoted - not a word of prose ("the onload= attribute").
HANDLER_CODE = re.compile(
    r"[\s\x00]{0,256}[\"'`]?[\s\x00]{0,8}(?:(?:new|void|typeof|await)\s{1,4})?"
    r"(?:javascript:|[\w$.\[\]'\"]{1,60}[\s\x00]{0,4}[(`=.\[]|[(\[{!~+-])",
    re.I,
)
# A handler given a bare name, quoted or not (onerror=KCF, onload='f'): the placeholder of a probe or a
# function of the page; enough once the value has broken out of an attribute's quotes. The optional
# quote is one character, so the back-reference costs nothing.
HANDLER_NAME = re.compile(r"[\s\x00]{0,256}([\"'`]?)[A-Za-z_$][\w$]{0,60}\1(?=[\s/>\"'`\\]|$)")
SCRIPT_BODY = re.compile(r"[\s\x00]{0,8}(?:[\w$.\\]{1,60}[\s]{0,4}[(`.\[=]|[/(\[{'\"`%\\!~+-]|[\w$]{1,60};)")
# An XML stylesheet processing instruction with an href: XSLT output may contain script.
XSLT_STYLESHEET = re.compile(r"<\?xml-stylesheet[^>]{0,200}?\bhref[\s]{0,8}=", re.IGNORECASE)
# IE's <?import implementation="x.htc"?> binds an element behaviour file, which runs script.
IE_BEHAVIOUR_IMPORT = re.compile(r"<\?import\b[^>]{0,200}?\bimplementation[\s]{0,8}=", re.IGNORECASE)
UTF7_MARKUP = re.compile(r"\+ADw-|\+AD4-|\+ACI-")
_UNICODE_ESCAPE = re.compile(r"\\u(?:\{([0-9a-fA-F]{1,6})\}|([0-9a-fA-F]{4}))")


def decode_unicode_escapes(text: str) -> str:
    """JavaScript identifiers may spell letters as \\uXXXX or \\u{X}: decode them."""

    def _char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code < 0x110000 else ""

    return _UNICODE_ESCAPE.sub(_char, text)
