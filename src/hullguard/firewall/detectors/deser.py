"""Insecure deserialization detector: serialized objects and type tags that instantiate classes.

Covers the formats a Lambda function is likely to deserialize from an event: node-serialize
(``_$$ND_FUNC$$_``), Python pickle (raw GLOBAL opcodes such as ``cos\\nsystem``, protocol 2-5 streams,
and their base64 forms, which are decoded here), Java serialization (``rO0AB``, ``aced0005``, raw
``\\xac\\xed``) and known gadget classes, YAML language tags (``!!python/object/apply:``), .NET
``$type`` gadgets (``ObjectDataProvider``), PHP object notation (``O:8:"stdClass":``) and base64 Ruby
Marshal streams (``BAh...``) naming a gadget chain's classes, and jsonpickle's calling tags
(``{"py/reduce": ...}``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext

FAMILY = "deser"
# Necessary condition, led by rare characters where possible: a sigil or binary marker, an XML element
# that Java decoders instantiate (not any "<": markup is common and reaches the XSS detector), a base64 stream
# header (case-sensitive even under the engine's IGNORECASE), a hex Java header, PHP object notation, or a
# fully qualified gadget package (".sun.", ".apache.", ".windows." ...). The .NET type keys are "$type" and
# "__type" (one underscore is a field such as "content_type").
PREFILTER = (
    r"[\x80\xac]|<(?:java|object|dynamic-proxy)|\$\$nd|__js_function|\$type|__type|!!|!ruby|@type"
    r"|c(?:os|posix|nt|subprocess|builtins|__builtin__|sys|commands|pty|socket|shutil|importlib|runpy|webbrowser"
    r"|code|timeit|platform)\n|(?-i:rO0AB|gA[SJNRVW]|Y29z|Y3Bvc2l4|Y19f|Y3N1Yn|Y2J1aW|Y25ul|AAEAAAD|BAh[A-Za-z0-9+/])"
    r"|aced0005"
    r"|[oc]:\d|ysoserial|\.(?:sun|apache|springframework|mchange|hibernate|codehaus|qos|beans|management|reflect"
    r"|rowset|windows|diagnostics|visualstudio|security|identitymodel|configuration|activities|data|ui)\."
    r"|(?:java|javax|jdk|com|org|net|ch|io)\.[a-z][\w$]{0,40}\.[a-z]"  # a class named as a JSON type (_TYPE_KEYS)
    r"|py/(?:reduce|newobj|newargs|initargs|repr)"
)
_PREFILTER = re.compile(PREFILTER, re.IGNORECASE)
_REMEDIATION = (
    "Never deserialize event data with pickle, node-serialize, Java ObjectInputStream, BinaryFormatter, "
    "yaml.load/unsafe_load, PHP unserialize or Ruby Marshal.load: use JSON with a schema (yaml.safe_load at "
    "most) and sign any state that must round-trip through a client."
)
RULES: tuple[RuleInfo, ...] = (
    RuleInfo("HG-DESER-001", FAMILY, "node-serialize function payload", Severity.CRITICAL, "CWE-502",
             "_$$ND_FUNC$$_ marks a function that node-serialize's unserialize() evaluates (immediately, with a "
             "trailing '()'); __js_function is funcster's equivalent.", _REMEDIATION),
    RuleInfo("HG-DESER-002", FAMILY, "Python pickle stream", Severity.CRITICAL, "CWE-502",
             "Pickle GLOBAL opcodes importing os/posix/subprocess/builtins callables (cos\\nsystem, "
             "c__builtin__\\neval) or protocol 2-5 streams that do, raw or base64-encoded (gASV..., gAJj...).",
             _REMEDIATION),
    RuleInfo("HG-DESER-003", FAMILY, "Java serialized object or gadget class", Severity.CRITICAL, "CWE-502",
             "A Java serialization stream (rO0AB..., aced0005, \\xac\\xed\\x00\\x05), XMLDecoder/XStream markup, "
             "a known gadget class (InvokerTransformer, TemplatesImpl, JdbcRowSetImpl) or a JSON \"@type\" "
             "(fastjson) or \"@class\" (Jackson default typing) key naming a Java class to instantiate.",
             _REMEDIATION),
    RuleInfo("HG-DESER-004", FAMILY, "YAML language-specific tag", Severity.CRITICAL, "CWE-502",
             "!!python/object/apply:, !!python/name:, !!ruby/object:, !!js/function, !!javax.script."
             "ScriptEngineManager and similar tags that construct arbitrary objects in unsafe YAML loaders.",
             _REMEDIATION),
    RuleInfo("HG-DESER-005", FAMILY, ".NET type-name gadget", Severity.CRITICAL, "CWE-502",
             "Json.NET/JavaScriptSerializer $type/__type naming a gadget (ObjectDataProvider, Process, "
             "TextFormattingRunProperties, WindowsIdentity) or a BinaryFormatter stream (AAEAAAD/////).",
             _REMEDIATION),
    RuleInfo("HG-DESER-006", FAMILY, "PHP serialized object", Severity.HIGH, "CWE-502",
             "PHP object notation O:<len>:\"Class\":<n>:{...} or C:<len>:\"Class\": whose magic methods run on "
             "unserialize().", _REMEDIATION),
    RuleInfo("HG-DESER-007", FAMILY, "Ruby Marshal stream with a gadget class", Severity.CRITICAL, "CWE-502",
             "A base64 Ruby Marshal stream (BAh..., format 4.8) naming a class of a known gadget chain "
             "(Gem::Requirement, Gem::Installer, Gem::Package::TarReader, Net::WriteAdapter, ERB, "
             "DeprecatedInstanceVariableProxy) that Marshal.load instantiates: the Rails cookie and cache "
             "chains and the universal RubyGems ones.", _REMEDIATION),
    RuleInfo("HG-DESER-008", FAMILY, "jsonpickle tag that calls or evaluates", Severity.CRITICAL, "CWE-502",
             "A jsonpickle key that makes jsonpickle.decode() call a callable or evaluate text: \"py/reduce\" "
             "(the __reduce__ protocol, as pickle's), \"py/newobj\", \"py/newargs\", \"py/initargs\" or "
             "\"py/repr\" (eval in older versions); OWASP DVSA's admin function decodes its token so.",
             _REMEDIATION),
)
_PICKLE_MODULES = (
    r"(?:os|posix|nt|subprocess|builtins|__builtin__|sys|commands|pty|socket|shutil|importlib|runpy|webbrowser|code"
    r"|timeit|platform)"
)
_PICKLE_GLOBAL = re.compile(rf"(?:^|[\n(.\x80-\xff}}\]q)])c{_PICKLE_MODULES}\n\w{{1,40}}\n")
_PICKLE_NAMES = re.compile(
    rf"{_PICKLE_MODULES}[\s\S]{{0,8}}(?:system|popen|exec|eval|check_output|check_call|call|run|getoutput|spawn"
    r"|Popen|__import__|getattr|import_module|execfile|compile|_run_code)"
)
# Base64 of pickle protocol headers (\x80\x02-\x05) and of GLOBAL opcodes for command modules.
_PICKLE_B64 = re.compile(
    r"(?:gA[SJNRVW]|Y(?:29z|3Bvc2l4|19fYnVpbHRpbl9f|3N1YnByb2Nlc3|2J1aWx0aW5z|25ul))[A-Za-z0-9+/=_-]{12,}"
)
_JAVA = re.compile(
    r"ro0ab|aced0005|\xac\xed\x00\x05|<java\s[^>]{0,200}class\s{0,4}=\s{0,4}['\"]java\.beans\.xmldecoder"
    r"|<object\s[^>]{0,80}class\s{0,4}=\s{0,4}['\"]java\.lang\.(?:runtime|processbuilder)|<dynamic-proxy>"
    r"|java\.beans\.eventhandler|commons\.collections4?\.functors|invokertransformer|chainedtransformer"
    r"|instantiatetransformer|xalan\.internal\.xsltc\.trax\.templatesimpl|com\.sun\.rowset\.jdbcrowsetimpl"
    r"|annotationinvocationhandler|badattributevalueexpexception|ysoserial|groovy\.runtime\.convertedclosure"
    r"|com\.mchange\.v2\.c3p0|jndiconnectionsource|org\.apache\.xbean\.propertyeditor|springframework\.beans\.factory"
    r"\.objectfactory|[\"']@type[\"']\s{0,4}:\s{0,4}[\"'](?:com|org|java|javax|sun|ch|net)\."
    r"|springframework\.context\.support\.(?:classpath|filesystem)xmlapplicationcontext",
)
# A JSON key that makes fastjson ("@type") or Jackson with default typing ("@class") instantiate the class
# its value names: any class the classpath holds, so a JDK class (fastjson's java.lang.AutoCloseable
# bypass) counts as much as a gadget. JSON-LD's "@type": "Person" and protobuf's type URLs are no class.
_TYPE_KEYS = (".@type", ".@class")
_CLASS_NAME = re.compile(r"\s{0,8}(?:java|javax|jdk|sun|com|org|net|ch|io)(?:\.[a-z_$][\w$]{0,80}){2,12}\s{0,8}", re.I)
_YAML = re.compile(
    r"!!(?:python/|ruby/|js/|java|javax\.|com\.|org\.|sun\.|net\.|jdk\.)|!ruby/(?:object|hash|struct)"
    r"|tag:yaml\.org,2002:(?:python|ruby|js|java)"
)
_DOTNET = re.compile(
    r"objectdataprovider|system\.diagnostics\.process\b|assemblyinstaller|textformattingrunproperties"
    r"|typeconfusedelegate|system\.windows\.resourcedictionary|system\.activities\.presentation\.workflowdesigner"
    r"|system\.windows\.forms\.bindingsource|system\.security\.principal\.windowsidentity|rolesprincipal"
    r"|system\.identitymodel\.tokens\.sessionsecuritytoken|system\.management\.automation\.psobject"
    r"|system\.data\.services\.internal\.expandedwrapper|objectstateformatter|losformatter|^aaeaaad/////"
)
_GATED: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("HG-DESER-003", ("aced", "\xac", "<java", "<object", "dynamic-proxy", ".sun.", ".apache.", ".beans.",
                      ".management.", ".reflect.", ".springframework.", ".mchange.", ".codehaus.", ".qos.", "ysoserial",
                      "@type", "springframework."), _JAVA),
    ("HG-DESER-004", ("!",), _YAML),
    ("HG-DESER-005", ("system.", "microsoft.", "aaeaaad", "__type", "$type"), _DOTNET),
)
# jsonpickle's keys that call (py/reduce, py/newobj...) or evaluate (py/repr), as a key walked from JSON
# or quoted as one in JSON text that was not parsed
_JSONPICKLE_KEY = re.compile(r"py/(?:reduce|newobj|newargs(?:ex)?|initargs|repr)")
_JSONPICKLE_TEXT = re.compile(r"[\"']py/(?:reduce|newobj|newargs(?:ex)?|initargs|repr)[\"']\s{0,8}:")
_PHP = re.compile(r"\b[oc]:\d{1,4}:\"[a-z_\\][\w\\]{0,200}\":\d{1,5}:\{", re.IGNORECASE)
# A base64 run from its start, opening with Marshal's version bytes 4.8 ("BAh"), and, decoded, the classes
# of the published gadget chains. A Rails session cookie (a Marshal hash of strings and flash messages)
# names none of them.
_RUBY_MARSHAL_B64 = re.compile(r"(?<![A-Za-z0-9+/])BAh[A-Za-z0-9+/]{13,}")
_RUBY_GADGETS = re.compile(
    rb"Gem::(?:Requirement|DependencyList|Source::SpecificFile|StubSpecification|Specification|Installer"
    rb"|Package::TarReader|RequestSet|SpecFetcher)|Net::(?:WriteAdapter|BufferedIO)"
    rb"|DeprecatedInstanceVariableProxy|(?<![A-Za-z])ERB(?![A-Za-z])"
)


def _pickle(text: str) -> str | None:
    if "\n" in text and _PICKLE_GLOBAL.search(text):
        return "pickle GLOBAL opcode"
    header = max(text.find("\x80\x02"), text.find("\x80\x03"), text.find("\x80\x04"), text.find("\x80\x05"))
    if header >= 0 and _PICKLE_NAMES.search(text, header, header + 4096):
        return "pickle protocol stream importing a command callable"
    return None


def _decoded_runs(pattern: re.Pattern[str], text: str, limit: int) -> Iterator[tuple[int, bytes]]:
    """(offset, decoded bytes) of the first eight base64 runs ``pattern`` finds in ``text``, each cut to
    ``limit`` characters and to whole quanta; runs that do not decode are skipped."""
    for count, match in enumerate(pattern.finditer(text)):
        if count >= 8:
            break
        chunk = match.group(0)[:limit]
        chunk = chunk[: len(chunk) - len(chunk) % 4]
        try:
            raw = base64.b64decode(chunk, altchars=b"-_" if ("-" in chunk or "_" in chunk) else None)
        except (binascii.Error, ValueError):
            continue
        yield match.start(), raw


def _decoded_pickles(text: str) -> str | None:
    for _, raw in _decoded_runs(_PICKLE_B64, text, 8192):
        found = _pickle(raw.decode("latin-1"))
        if found:
            return "base64 " + found
    return None


def _ruby_marshal(text: str) -> tuple[str, int] | None:
    """(gadget class, offset) of the first base64 Ruby Marshal stream in ``text`` that names one."""
    for start, raw in _decoded_runs(_RUBY_MARSHAL_B64, text, 16384):
        gadget = _RUBY_GADGETS.search(raw)
        if gadget is not None:
            return gadget.group(0).decode("ascii"), start
    return None


def scan(text: str, ctx: ScanContext) -> Detection | None:
    if not _PREFILTER.search(text):  # the engine has checked it, and calls ``scan_unfiltered``
        return None
    return scan_unfiltered(text, ctx)


def scan_unfiltered(text: str, ctx: ScanContext) -> Detection | None:
    """``scan`` without the PREFILTER check (a necessary condition, which the engine has made)."""
    index = text.find("_$$ND_FUNC$$_")
    if index >= 0:
        return Detection("HG-DESER-001", "node-serialize function", index, index + 13)
    index = text.find("__js_function")
    if index >= 0:  # funcster's marker: deepDeserialize() compiles the function it holds
        return Detection("HG-DESER-001", "funcster serialized function", index, index + 13)
    found = _pickle(text) or _decoded_pickles(text)
    if found:
        return Detection("HG-DESER-002", found, 0, 0)
    if "rO0AB" in text:  # base64 is case-sensitive; the lower-case search below would also match noise
        index = text.find("rO0AB")
        return Detection("HG-DESER-003", "Java serialization stream (base64)", index, index + 5)
    if "BAh" in text:
        marshal = _ruby_marshal(text)
        if marshal is not None:
            gadget, index = marshal
            return Detection("HG-DESER-007", f"Ruby Marshal stream naming {gadget}", index, index + 3)
    if ctx.location.endswith(_TYPE_KEYS) and not ctx.is_key and _CLASS_NAME.fullmatch(text[:1024]):
        key = ctx.location.rsplit(".", 1)[1]
        return Detection("HG-DESER-003", f"JSON {key} names the Java class {text.strip()[:80]!r}", 0, len(text))
    if "py/" in text:
        match = _JSONPICKLE_KEY.fullmatch(text) if ctx.is_key else _JSONPICKLE_TEXT.search(text)
        if match:
            return Detection("HG-DESER-008", f"jsonpickle {match.group(0)[:20]!r}", match.start(), match.end())
    low = text.lower()
    for rule_id, gates, pattern in _GATED:
        if not any(gate in low for gate in gates):
            continue
        match = pattern.search(low)
        if match and not (rule_id == "HG-DESER-003" and match.group(0) == "ro0ab"):
            return Detection(rule_id, f"marker {match.group(0)[:60]!r}", match.start(), match.end())
    if ':"' not in text:
        return None
    match = _PHP.search(text)
    if match:
        return Detection("HG-DESER-006", f"PHP object {match.group(0)[:60]!r}", match.start(), match.end())
    return None
