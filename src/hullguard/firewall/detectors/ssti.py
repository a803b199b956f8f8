"""Server-side template injection detector (Jinja2/Twig, Freemarker, Velocity, ERB, Smarty, Handlebars,
Pug, Thymeleaf, Mako, SpEL/EL), and server-side and edge-side include directives (SSI, ESI).

The scanner finds template delimiters (``{{``, ``{%``, ``${``, ``#{``, ``*{``, ``<%``, ``[[``, ``@(`` ...),
takes the body up to the matching closer within a bounded window, and judges the body: arithmetic
probes (``7*7``), object-graph traversal (``''.__class__.__mro__``, ``self._TemplateReference__context``),
dangerous globals (``config``, ``request.application``, ``cycler``) and engine-specific directives
(``<#assign``, ``#set(``, ``{php}``, ``__${...}__``). Plain placeholders such as ``{{campaign.name}}``
or ``${USER_ID}``, which tracking URLs carry unexpanded, are not template injection.
"""

from __future__ import annotations

import re

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext

FAMILY = "ssti"
# Necessary condition: every finding starts at one of these delimiters or directives.
PREFILTER = (
    r"\{\{|\{%|[$#*@~]\{|<%|\[\[|\[#|<#|\{\$|\{/?php|#set|#foreach|#if|@\(|\[=|\{\{#|__\$|\[\(|\?new\b|\?api\b"
    r"|\{\s{0,4}(?:system|exec|passthru|shell_exec|if|smarty_internal|math)\b|%\{|\{\s{0,4}=?\s{0,4}\d|\.__|\{@"
    r"|<!--\s{0,4}#|<esi:|\{#\s{0,4}\d"
)
_PREFILTER = re.compile(PREFILTER, re.IGNORECASE)

_REMEDIATION = (
    "Never build template source from event data: pass input as template variables, use a sandboxed "
    "environment (jinja2.sandbox, Twig sandbox, Freemarker TemplateClassResolver.ALLOWS_NOTHING_RESOLVER)."
)
RULES: tuple[RuleInfo, ...] = (
    RuleInfo("HG-SSTI-001", FAMILY, "Template expression probe", Severity.HIGH, "CWE-1336",
             "An arithmetic expression inside template delimiters ({{7*7}}, ${7*7}, #{7*7}, <%= 7*7 %>, "
             "[[5*5]]), also wrapped ({{(7*7)|e}}, ${(7+7)?c}), a number printed as a string ({{\"49\"}}) or Go's "
             "{{print \"7\" \"7\"}}: the standard probe that reveals which engine renders input.", _REMEDIATION),
    RuleInfo("HG-SSTI-002", FAMILY, "Template object-graph traversal or dangerous global", Severity.CRITICAL,
             "CWE-1336",
             "Template code that walks Python/Java object graphs (__class__, __mro__, __subclasses__, "
             "__globals__, getClass().forName) or reads engine globals (config, self, request.application, "
             "cycler, lipsum, _self.env) to reach the interpreter; EL's request and session attribute maps, "
             "setAccessible, Groovy's new File()/new URL(), evaluate() and .execute(), Twig's _context and _charset, "
             "Mako's self.module, Django's request.META, get_admin_log tag and message signer key.", _REMEDIATION),
    RuleInfo("HG-SSTI-003", FAMILY, "Template engine directive", Severity.HIGH, "CWE-1336",
             "Engine directives injected into data: Freemarker <#assign>/?new(), Velocity #set/#foreach, "
             "Smarty {php} and {math}, ERB/JSP <% %>, Thymeleaf __${...}__ preprocessing, Handlebars block helpers "
             "with constructor access, FreeMarker <#-- comments --> between probes.", _REMEDIATION),
    RuleInfo("HG-SSTI-004", FAMILY, "Server-side or edge-side include directive", Severity.HIGH, "CWE-97",
             "An SSI directive (<!--#include virtual=...-->, <!--#echo var=...-->, <!--#printenv-->; "
             "<!--#exec is HG-CMDI-008) or an ESI tag (<esi:include src=...>, <esi:vars>) in data that a web "
             "server, CDN or caching proxy may render: it includes local files or fetches URLs server-side, or "
             "discloses the server's variables.",
             "Never store or reflect event data into pages that a server or CDN processes for includes: encode "
             "'<' on output, and turn SSI (mod_include 'IncludesNOEXEC' at most) and ESI processing off where "
             "they are not needed."),
)

_MAX_OPENERS = 64
_MAX_BODY = 4096
_MAX_TOTAL = 16_384  # characters of all bodies together (see ``_bodies``)
# opener -> closer; bodies are judged between them.
_PAIRS: tuple[tuple[str, str], ...] = (
    ("{{", "}}"), ("{%", "%}"), ("${", "}"), ("#{", "}"), ("*{", "}"), ("@{", "}"), ("~{", "}"),
    ("<%", "%>"), ("%{", "}"), ("[[", "]]"), ("[(", ")]"), ("@(", ")"), ("{$", "}"), ("[=", "]"),
)
_OPENER = re.compile(r"\{\{|\{%|[$#*@~%]\{|<%|\[\[|\[\(|@\(|\{\$|\[=")
_NUMBER = r"""\s{0,4}['"]?-?\d{1,12}(?:\.\d{1,6})?['"]?\s{0,4}"""
_ARITHMETIC = re.compile(
    rf"=?{_NUMBER}(?:[*+/%-]|\*\*){_NUMBER}(?:(?:[*+/%-]){_NUMBER}){{0,3}}-?"
    rf"|{_NUMBER}\|\s{{0,4}}(?:add|plus|minus|times|multiply|divided_by)\s{{0,4}}:?{_NUMBER}"
)
_TRAVERSAL = re.compile(
    r"__(?:class|mro|subclasses|globals|builtins|init|base|bases|import|getattribute|dict|module|loader"
    r"|spec|reduce)__|\\x5f\\x5f|\\u005f|\.mro\s{0,4}\(|\bsubclasses\s{0,4}\(|\.class\b|getclass\s{0,4}\("
    r"|forname\s{0,4}\(|getresource\s{0,4}\(|getruntime|processbuilder|scriptenginemanager|\|\s{0,4}attr\s{0,4}\(|\[\s{0,4}['\"]_"
    r"|_templatereference__context|\bos\s{0,4}\.\s{0,4}(?:system|popen)|\b(?:popen|subprocess|eval|exec|system)"
    r"\s{0,4}\(|\bimport\b|\bt\s{0,4}\(\s{0,4}[a-z]|new\s{0,4}\(\s{0,4}\)|\.getmethod|\.invoke\s{0,4}\("
    r"|\|\s{0,4}(?:filter|map|sort|reduce)\s{0,4}\(\s{0,4}['\"](?:system|exec|passthru|shell_exec|popen)"
    r"|registerundefinedfiltercallback|getfilter\s{0,4}\(|_self\s{0,4}\.\s{0,4}env|\bdump\s{0,4}\("
    r"|\bapp\s{0,4}\.\s{0,4}request|\bsmarty\s{0,4}\.|\.getclassloader|\bconstructor\b|\bprocess\s{0,4}\."
    r"|\brequire\s{0,4}\(|file\s{0,4}\.\s{0,4}(?:open|read)|\bio\s{0,4}\.\s{0,4}popen|`"
    # Java EL and Groovy: the request's and session's attribute maps, reflection past access checks, and
    # the I/O classes an expression builds to read files or fetch URLs; Groovy's evaluate() of a string;
    # Mako's template module, whose imports reach os.
    r"|\b(?:request|session|application)\s{0,4}\.\s{0,4}(?:get|set|remove)attribute\s{0,4}\(|\.setaccessible\s{0,4}\("
    r"|\bnew\s{1,4}(?:file|url|uri|socket|file(?:input|output)stream|file(?:reader|writer)|urlclassloader)\s{0,4}\("
    r"|\bevaluate\s{0,4}\(|\bself\s{0,4}\.\s{0,4}module\b"
    # Groovy runs a string as a command line ("id".execute(), cmd.execute().text); Twig's _context and
    # _charset are the variables its filter chains spell function names from.
    r"|\.execute\s{0,4}\(\s{0,4}\)|\b_(?:context|charset)\b"
    # Django: the admin log tag (every admin action, by user) and the message storage's signer (its key is
    # the SECRET_KEY).
    r"|\bget_admin_log\b|\.signer\s{0,4}\.\s{0,4}key\b",
    re.IGNORECASE,
)
# Names that give template code a path to the interpreter when they start an expression.
_DANGEROUS_HEADS = re.compile(
    r"\s{0,4}(?:(?:config|cycler|joiner|namespace|lipsum|url_for|get_flashed_messages|_self|applicationscope"
    r"|sessionscope|requestscope|pagecontext|facescontext|initparam)\s{0,4}(?:$|[.\[|(}])"
    r"|(?:self|request|application|settings|session|''|\"\"|\(\s{0,4}\)|\[\s{0,4}\])\s{0,4}$"
    r"|request\s{0,4}(?:\.\s{0,4}(?:application|environ|meta\b|__)|\|\s{0,4}attr|\[)"
    r"|settings\s{0,4}\.\s{0,4}(?:secret|databases?|aws|password)"
    r"|(?:''|\"\"|\(\s{0,4}\)|\[\s{0,4}\])\s{0,4}[.|\[]"
    r"|(?:'[^']{0,40}'|\"[^\"]{0,40}\"|\d{1,9})\s{0,4}\.\s{0,4}[a-z_]{1,40}\s{0,4}\()",
    re.IGNORECASE,
)
# Names whose value alone leaks the process: Ruby's ENV and ARGV, PHP's and Perl's environment, binding.
_PROCESS_GLOBALS = frozenset({"ENV", "ARGV", "binding", "environ", "process", "global", "globals"})
# In statement blocks ({% for x in config.items() %}) a dangerous global may appear anywhere.
_DANGEROUS_NAME = re.compile(
    r"\b(?:config|self|request|_self|cycler|joiner|lipsum|url_for|get_flashed_messages)\b", re.IGNORECASE
)
_DIRECTIVES = re.compile(
    r"<#(?:assign|include|import|global|local|function|macro|list|if|attempt)\b|\[#(?:assign|include|list)\b"
    r"|\?new\s{0,4}\(|\?api\b|freemarker\.template|#set\s{0,4}\(\s{0,4}\$|#foreach\s{0,4}\(\s{0,4}\$"
    r"|#if\s{0,4}\(\s{0,4}\$|\$class\s{0,4}\.|\{/?php\}|\{\s{0,4}(?:system|exec|passthru|shell_exec)\s{0,4}\("
    r"|\{smarty_internal|\{if\s{1,4}(?:system|exec|phpinfo)|__[$*]\{[^}]{0,2000}\}__|\[\[\s{0,4}\$\{"
    r"|\{%\s{0,4}debug\s{0,4}%\}|(?<![{$#*@~%])\{[#@]?\s{0,4}=?\s{0,4}\d{1,6}\s{0,4}\*\s{0,4}\d{1,6}\s{0,4}\}(?!\})"
    r"|\{@math\b|\{math\s{1,4}equation\s{0,4}=|<#--|\{%\s{0,4}(?:include|import|extends|from)\s{1,4}['\"]?(?:/|\.\.|[a-z]:\\\\|file:)"
    r"|\[\(\s{0,4}\$\{|\{\{#(?:with|each|if|unless|lookup)\b[^}]{0,200}\}\}[\s\S]{0,2000}(?:constructor|"
    r"process|require|string\.sub)|#\{\s{0,4}(?:function|root\.process|global\.process)",
    re.IGNORECASE,
)
# Apache/nginx/IIS SSI directives and Edge Side Includes tags: no value carries them except to have a
# server or a CDN run them (an ordinary HTML comment has no "#" and directive name after "<!--").
# <!--#exec runs a command: the command-injection family reports it (HG-CMDI-008).
_INCLUDE_DIRECTIVE = re.compile(
    r"<!--\s{0,4}#\s{0,4}(?:include|echo|config|fsize|flastmod|printenv|set|if|elif)\b"
    r"|<esi:(?:include|inline|vars|eval|debug|assign|choose|try|remove|comment)\b",
    re.IGNORECASE,
)
_CLOSERS = dict(_PAIRS)
# What follows "%" in a printf or Python format: an optional "(name)", flags, width, precision, a conversion
# letter that ends the word ("%(count)s", "%-5d", "%.2f"); no scriptlet starts so.
_PRINTF_CONVERSION = re.compile(r"(?:\(\w{1,40}\))?[-+ #0]{0,3}\d{0,3}(?:\.\d{1,3})?[sdifuxXc](?![\w(.])")
# A probe's number printed as a string ({{"4729"}}), and what probes wrap around their arithmetic: a
# group, JavaScript's typeof, a trailing filter or conversion ({{(7,7*7)|e}}, ${(7+7)?c}, #{(7*7).to_s}).
_LITERAL_PROBE = re.compile(r"""(['"])\d{1,12}\1""")
_PROBE_WRAPPING = re.compile(
    r"(?:\|\s{0,4}[a-z_]{1,20}|\?[a-z_]{1,20}|\.\s{0,4}(?:to_s|tostring\s{0,4}\(\s{0,4}\)))\s{0,4}$", re.IGNORECASE
)
_PROBE_GROUPING = re.compile(r"\btypeof\b|[()]")


def _unwrapped_arithmetic(body: str) -> bool:
    """``body`` is an arithmetic probe once its grouping, typeof and trailing filter are taken off."""
    if "(" not in body and "|" not in body and "?" not in body:
        return False
    core = _PROBE_GROUPING.sub("", _PROBE_WRAPPING.sub("", body)).replace(",", "+")
    return _ARITHMETIC.fullmatch(core.strip()) is not None
# Go's text/template printing constants ({{print "7" "7"}}, {{printf "%d" 49}}): a probe whose output
# shows the engine; a page's template prints its data ({{print .Title}}), not a literal.
_GO_PRINT = re.compile(r"(?:print|printf|println)\s{1,4}(?:['\"`]|\d)")
# Python str.format() with a user-controlled format string: "{user.__class__.__init__.__globals__}".
_FORMAT_STRING = re.compile(
    r"(?<![{$#*@~%])\{\w{1,40}(?:\.\w{1,40}|\[\w{1,40}\]){0,6}\.__(?:class|init|globals|dict|mro|base|subclasses"
    r"|builtins)__"
)


# Heads of a dotted name that reach the process, the framework or its secrets rather than a page's data
_SENSITIVE_HEADS = frozenset({"constructor", "rails", "env", "config", "settings", "secrets", "application", "system",
                              "runtime", "kernel", "file", "io", "object", "class", "self", "this", "global"})


def _prints_a_variable(name: str) -> bool:
    """Is a scriptlet's body a variable or a short dotted read of one (``title``, ``order.id``,
    ``@user.name``), none of whose parts names the process, the framework or a private member?"""
    parts = name.removeprefix("@").split(".")
    if len(parts) == 1:  # "<%= _csrf %>", "<%= file %>": one variable, as before dotted reads were read
        return parts[0].isidentifier() and parts[0] not in _PROCESS_GLOBALS
    return len(parts) <= 3 and all(
        part.isidentifier() and not part.startswith("_") and part.lower() not in _SENSITIVE_HEADS
        and part not in _PROCESS_GLOBALS
        for part in parts
    )


def _bodies(text: str) -> list[tuple[int, str, str]]:
    """(position, opener, body) for the first ``_MAX_OPENERS`` delimited template expressions.

    Linear in ``len(text)``: a body without its closer ends where the next opener starts (so the
    bodies of unclosed openers never overlap: 4 KB of ``${`` is 2,000 one-character bodies, not
    64 of 4 KB each), and all bodies together are cut at ``_MAX_TOTAL`` characters (nested closed
    expressions such as ``{{{{...}}}}`` would otherwise repeat the same text once per opener)."""
    openers = []
    for match in _OPENER.finditer(text):
        openers.append(match)
        if len(openers) > _MAX_OPENERS:
            break
    found: list[tuple[int, str, str]] = []
    total = 0
    for number, match in enumerate(openers[:_MAX_OPENERS]):
        opener = match.group(0)
        closer = _CLOSERS[opener]
        start = match.end()
        end = text.find(closer, start, start + _MAX_BODY)
        if end < 0:
            following = openers[number + 1].start() if number + 1 < len(openers) else len(text)
            end = min(start + _MAX_BODY, max(following, start))
        end = min(end, start + _MAX_TOTAL - total)
        if end < start:
            break
        total += end - start
        found.append((match.start(), opener, text[start:end]))
    return found


def scan(text: str, ctx: ScanContext) -> Detection | None:
    if not _PREFILTER.search(text):  # the engine has checked it, and calls ``scan_unfiltered``
        return None
    return scan_unfiltered(text, ctx)


def scan_unfiltered(text: str, ctx: ScanContext) -> Detection | None:
    """``scan`` without the PREFILTER check (a necessary condition, which the engine has made)."""
    include = _INCLUDE_DIRECTIVE.search(text) if "<" in text else None
    if include:
        return Detection("HG-SSTI-004", f"include directive {include.group(0)[:40]!r}", include.start(), include.end())
    directive = _DIRECTIVES.search(text)
    if directive:
        return Detection("HG-SSTI-003", f"template directive {directive.group(0)[:60]!r}",
                         directive.start(), directive.end())
    for position, opener, body in _bodies(text):
        stripped = body.strip().lstrip("=-#{").strip()
        if opener == "@(" and not re.fullmatch(r"\s{0,2}\d{1,4}\s{0,2}[*+]\s{0,2}\d{1,4}\s{0,2}", body):
            continue  # Razor's @( is also how people write "@(555-1234)"; only a clear probe counts
        if _ARITHMETIC.fullmatch(stripped) or _LITERAL_PROBE.fullmatch(stripped) or _unwrapped_arithmetic(stripped):
            return Detection("HG-SSTI-001", f"arithmetic probe {opener}{body[:40]}", position, position + len(body))
        if opener == "{{" and _GO_PRINT.match(stripped):
            return Detection("HG-SSTI-001", f"Go template print probe {body[:40]!r}", position, position + len(body))
        traversal = _TRAVERSAL.search(body)
        if traversal:
            return Detection("HG-SSTI-002", f"object traversal {traversal.group(0)[:40]!r} in {opener}",
                             position, position + len(body))
        if opener == "{%" and _DANGEROUS_NAME.search(body):
            return Detection("HG-SSTI-002", "dangerous template global in a statement", position,
                             position + len(body))
        if opener in ("{{", "{%", "${", "#{", "<%") and _DANGEROUS_HEADS.match(stripped):
            return Detection("HG-SSTI-002", f"dangerous template global {stripped[:40]!r}", position,
                             position + len(body))
        if opener == "<%" and _PRINTF_CONVERSION.match(body):
            continue  # "<%(count)s rooms>", "<%s>": a printf or Python placeholder inside angle brackets
        if opener == "<%" and stripped and (body.startswith("=") or any(ch in body for ch in "(.`;@[")):
            if _prints_a_variable(stripped.rstrip("%").strip()):
                continue  # "<%= title %>", "<%= @user.name %>": a placeholder printing data, no probe or call
            return Detection("HG-SSTI-003", "ERB/JSP scriptlet", position, position + len(body))
    if "__" in text and (match := _FORMAT_STRING.search(text)):
        return Detection("HG-SSTI-002", f"format-string traversal {match.group(0)[:60]!r}", match.start(), match.end())
    return None
