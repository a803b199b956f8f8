"""Path traversal and local file inclusion detector.

Works on the folded form from ``path_normalize`` (every encoding of ``.``/``/``/``\\`` reduced to
``.`` and ``/``) and reports, in order of strength: PHP stream wrappers, files a Lambda function must
never serve (its code, layers, environment), well-known system files, ``../`` sequences, a value that
is an absolute path into a system location, and null-byte truncation.
"""

from __future__ import annotations

import base64
import binascii
import re

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext
from hullguard.firewall.detectors.path_lookalikes import FOLDING_CLASS
from hullguard.firewall.detectors.path_normalize import normalize_path
from hullguard.firewall.detectors.presearch import Presearch

FAMILY = "path"
# Necessary condition for ``scan``, derived from what each rule needs in the folded text. Every ``.``
# and separator spelling that ``normalize_path`` folds except the plain ones ("%" escapes, "0x2e"
# literals, look-alike and NFKC-folding characters, control characters it deletes) passes outright:
# rare in benign values. Plain "." and "/" pass only in the shapes the rules look for, so URLs, user
# agents, dates, version numbers, MIME types and file names like "report.pdf" do not reach ``scan``.
# Branches start with a punctuation character where they can (keywords are checked by a lookbehind)
# so the regex engine skips from one candidate character to the next.
# Directories a rule names wherever they appear ("etc/passwd", "/var/task", "windows/win.ini"), each
# followed by a separator in the text. The other roots of an absolute path (/usr, /home, ...) count only
# as its first segment: see the anchored branch of PREFILTER.
_NAMED_DIRS = (
    "etc", "proc", "var", "opt", "tmp", "dev", "windows", "winnt", "system32", "inetpub", "library", r"\.ssh", r"\.git",
    r"\.aws", r"\.svn", r"\.hg", r"\.docker", r"\.kube", r"\.claude", "web-inf",
)


def _separator_after(names: tuple[str, ...]) -> str:
    """A separator preceded by one of ``names``: the separator is what re skips to, then one fixed-width
    lookbehind per name length checks the name."""
    by_width: dict[int, list[str]] = {}
    for name in names:
        by_width.setdefault(len(name.replace("\\", "")), []).append(name)
    checks = "|".join(f"(?<=(?:{'|'.join(group)}).)" for _, group in sorted(by_width.items()))
    return rf"[/\\](?:{checks})"


_SEP_AFTER = _separator_after(_NAMED_DIRS)
_ROOTS = (  # _STRONG_ROOTS | _WEAK_ROOTS, as the first segment of an absolute path
    r"(?:etc|proc|sys|var|usr|root|opt|boot|sbin|lib64|private|volumes|cores|srv|xampp|inetpub|apache2?"
    r"|nginx|httpd|lampp|wamp(?:64)?|mysql|windows|winnt|home|tmp|lib|bin|dev|run|mnt|media|library|system"
    r"|applications|users|logs?|www)[/\\]"
)
_ESCAPES = r"%\x00\x02-\x08\x0b\x0c\x0e-\x1f"  # "%" escapes, NUL, control characters normalize_path drops
PREFILTER = (
    # encodings that only normalize_path undoes; the wide class is checked by a lookbehind only on "%",
    # control and non-ASCII characters (as a plain class, re tests every character against ~120 ranges).
    # That first class is written as its complement: a range up to U+10FFFF takes re ~7 ms to compile.
    # Case-sensitive: with IGNORECASE, re lets "s" and "k" match U+017F and U+212A among the others.
    rf"(?-i:[^\x01\t\n\r\x20-\x24\x26-\x7f])(?<=[{_ESCAPES}{FOLDING_CLASS}])|0x(?:2e|2f|5c)"
    # HG-PATH-001: "../", "..;/", "??/", "/.." (and "..2f", read as "../" when "%" was stripped)
    r"|[.?][.?](?:[;/\\]|2f|5c)|[/\\]\.\."
    # HG-PATH-002/003: system and Lambda files
    rf"|{_SEP_AFTER}"
    r"|\.(?:ini|conf|cnf|config|env|ht(?:access|passwd)|pass|npmrc|pypirc|netrc|dockercfg|ds_store|git-credentials)"
    r"|_(?:history|config|log)"
    r"|\.(?:(?<=-config\.)php|(?<=\.inc\.)php|(?<=settings\.)php|(?<=autoexec\.)bat|(?<=-users\.)xml"
    r"|(?<=pass\.)dat|log(?<=access\.log)|log(?<=error\.log))"
    r"|[/\\](?:master\.|\.)?passwd|^(?:master\.|\.)?passwd|::\$(?:data|index_allocation)"
    # HG-PATH-005: stream wrappers and filter chains
    r"|:[/\\][/\\](?:(?<=php:..|zip:..|rar:..|ogg:..)|(?<=phar:..|glob:..|zlib:..)|(?<=bzip2:..)"
    r"|(?<=expect:..))|\.(?:(?<=ssh2\.)|(?<=compress\.)|(?<=convert\.)|(?<=string\.))"
    # HG-PATH-004: a value that is an absolute path ("~/", "C:\\", "/etc/", "/.bashrc"), or one after "//"
    rf"|^[\s'\"`]*(?:file:\s*)?(?:~[/\\]|[/\\]?[a-z]:[/\\]|[/\\]+(?:\.|{_ROOTS}))"
    rf"|[/\\][/\\](?:[a-z]:[/\\]|{_ROOTS})"
    # base64 of "/", "..", "etc/", "proc/", "C:\\" starting a token (the engine lower-cases the text, and
    # the Kelvin sign, which does not end a token, becomes "k"). After "L" (a first byte of ",-./") the
    # second character carries that byte's last two bits and the high half of the next byte, printable
    # ASCII in a decoded path: C-H, S-X, i-n, y, z or 0-3, so words such as "Language" and "Location"
    # ("a" and "o" would make a control or non-ASCII byte) are not taken for a path.
    r"|l(?<![a-jl-z0-9+]l)[c-ns-z0-3][a-z0-9+/]{6}|zxrjl|chjvyy|qzpc|yzpc"
)
# The engine prefilters a view holding its separator character (\x01) with that character made a
# control character the PREFILTER passes (see Scanner.separator_views); direct callers get the same.
_PREFILTER = re.compile(PREFILTER + r"|\x01", re.IGNORECASE)


def _rule(num: int, title: str, severity: Severity, description: str, paranoia: int = 1) -> RuleInfo:
    return RuleInfo(
        rule_id=f"HG-PATH-{num:03d}",
        family=FAMILY,
        title=title,
        severity=severity,
        cwe="CWE-22" if num != 5 else "CWE-98",
        description=description,
        remediation=(
            "Never build file paths from event data: map the input to an allow-listed name, resolve the "
            "final path (os.path.realpath) and check it stays under the intended directory."
        ),
        paranoia=paranoia,
    )


RULES: tuple[RuleInfo, ...] = (
    _rule(1, "Directory traversal sequence", Severity.HIGH,
          "A '../' or '..\\' sequence in any encoding (URL, double URL, overlong UTF-8, %u, look-alike "
          "characters, '....//', '..;/') that climbs out of the intended directory."),
    _rule(2, "Reference to a sensitive system file", Severity.HIGH,
          "A well-known target of local file inclusion such as /etc/passwd, /etc/shadow, /proc/self/*, "
          "win.ini, boot.ini, SSH keys, AWS credential files, container secrets (/run/secrets/), a Java web "
          "application's WEB-INF/ or an NTFS stream (index.php::$DATA) that discloses a script's source."),
    _rule(3, "Reference to Lambda code, layers or process environment", Severity.CRITICAL,
          "Paths that expose the function itself: /var/task (deployment package), /opt (layers), "
          "/var/runtime, /proc/self/environ (holds the execution role's temporary credentials)."),
    _rule(4, "Absolute path into a system location", Severity.MEDIUM,
          "A parameter whose whole value is an absolute path into an operating-system or web-server "
          "directory (/etc, /var, /usr, C:\\Windows, C:\\xampp, ...)."),
    _rule(5, "PHP stream wrapper or filter chain", Severity.HIGH,
          "php://filter, php://input, phar://, zip://, expect:// and convert.iconv filter chains used to "
          "read source files or execute code through file inclusion."),
    _rule(6, "Null-byte truncation of a path", Severity.HIGH,
          "A NUL byte after a path or file name, used to cut off an extension the application appends."),
)
_BY_NUM = {int(rule.rule_id[-3:]): rule.rule_id for rule in RULES}

_WRAPPER = re.compile(
    r"(?:php|phar|zip|expect|glob|rar|ogg|compress\.zlib|compress\.bzip2|zlib|bzip2|ssh2\.[a-z]{1,8})://"
    r"|convert\.(?:iconv|base64|quoted|utf)|string\.(?:rot13|toupper|tolower|strip_tags)\|"
)
_LAMBDA_FILES = re.compile(
    r"/var/(?:task|runtime|lang)(?:/|$)|/opt/(?:python|nodejs|java|ruby|extensions|lib|bin)(?:/|$)"
    r"|proc/(?:self|thread-self|\d{1,7})/environ|/tmp/\.?aws|\.aws/(?:credentials|config)"
)
_SYSTEM_FILES = re.compile(
    r"etc/(?:passwd|shadow|group|gshadow|hosts|hostname|issue|motd|fstab|crontab|sudoers|master\.passwd"
    r"|security/|ssh/|mysql/|httpd/|apache2?/|nginx/|php[0-9.]*/|resolv\.conf|profile|os-release|environment)"
    r"|proc/(?:self|thread-self|\d{1,7})/(?:cmdline|fd|maps|status|mounts|cwd|exe|root|stat|cgroup|net)"
    r"|proc/(?:version|cmdline|mounts|net/|sched_debug|cpuinfo|meminfo|kcore)"
    r"|boot\.ini|win\.ini|system\.ini|windows/(?:system32|repair|panther|debug|temp)|winnt/"
    r"|system32/(?:config|drivers|inetsrv|cmd\.exe|logfiles)|inetpub/|autoexec\.bat"
    r"|\.ssh/(?:id_|authorized_keys|known_hosts)|\.(?:bash|zsh|mysql|psql)_history|\.htpasswd|\.git/config"
    r"|wp-config\.php|web\.config|(?:^|/)\.htaccess|/library/webserver/"
    r"|(?:^/?|/)(?:php\.ini|httpd2?\.conf|apache2?\.conf|my\.cnf|my\.ini|nginx\.conf|php-fpm\.conf|lighttpd\.conf"
    r"|sshd?_config|proftpd\.conf"
    r"|vsftpd\.conf|pure-ftpd\.conf|tomcat-users\.xml|config\.inc\.php|localsettings\.php|(?:access|error)[._]log(?![a-z0-9_]))"
    r"|(?:^/?|/)(?:master\.passwd|\.?passwd(?:\.dat)?|\.pass|pass\.dat)$|/tmp/sess_|/var/lib/php/sess"
    r"|(?:^|/)\.env(?:\.local|\.prod)?$|^/root/|/var/log/|/var/mail/|/var/spool/"
    # (not /dev/null, which reads as empty: a diff of a new file starts "--- /dev/null")
    r"|/dev/(?:tcp|udp|fd|stdin|stdout|stderr|mem|kmem|random|urandom|zero)\b"
    # Repositories and developer tools' credentials left in a deployed tree: what scanners fetch first.
    r"|\.git/(?:head|index|logs/|refs/|objects/)|\.(?:svn|hg)/|\.git-credentials|\.(?:npmrc|pypirc|netrc|dockercfg)$"
    r"|\.docker/config\.json|\.kube/config|\.claude/|\.ds_store$"
    # Container secrets: Docker's and Kubernetes' (the service account token that calls the cluster's API).
    r"|(?:^|/)run/secrets/"
    # A Java web application's deployment descriptor, classes and libraries, which its server never serves.
    r"|web-inf/[\w.-]"
    # An NTFS stream name after a file name: IIS served a script's source for "index.php::$DATA".
    r"|::\$(?:data|index_allocation)\b"
)
# Substrings that must be present before the matching regex can match (gates, not temp-file use).
_LAMBDA_GATES = ("/var/", "/opt/", "environ", ".aws", "/tmp/")  # noqa: S108
_SYSTEM_GATES = (
    "etc/", "proc/", "boot.ini", "win.ini", "windows/", "winnt", "system.ini", "system32", "inetpub", ".ssh",
    "_history", ".hta", ".htp", "git/config", "web.config", "wp-config", "config.inc", "localsettings", "_config",
    "tomcat-users", ".env", "/root/", "/var/", "/dev/", "passwd", ".pass", "pass.", ".conf", ".cnf", ".ini", "_log",
    ".log", "/tmp/", "/library/", "autoexec", ".git", ".svn/", ".hg/", ".npmrc", ".pypirc", ".netrc", ".dockercfg",  # noqa: S108
    ".docker/", ".kube/", ".claude/", ".ds_store", "run/secrets/", "web-inf/", "::$",
)
_WRAPPER_GATES = (
    "php:", "phar:", "zip:", "expect:", "glob:", "rar:", "ogg:", "compress.", "zlib:", "bzip2:", "ssh2.", "convert.",
    "string.",
)
# Base64 of "/", "..", "etc/", "proc/", "C:\\", "c:\\" ("L", "ZXRjL", "cHJvYy", "Qzpc", "Yzpc") in a token.
_B64_PATH = Presearch(r"(?<![A-Za-z0-9+])(?:L|ZXRjL|cHJvYy|Qzpc|Yzpc)[A-Za-z0-9+/]{7,4096}={0,2}")
_EMBEDDED_ROOT = Presearch(r"(?<![:/])//(?=[a-z])")
_WRAPPER_GATE = Presearch("|".join(re.escape(gate) for gate in _WRAPPER_GATES))
_LAMBDA_GATE = Presearch("|".join(re.escape(gate) for gate in _LAMBDA_GATES))
_SYSTEM_GATE = Presearch("|".join(re.escape(gate) for gate in _SYSTEM_GATES))
# First segment of an absolute path that names an OS or server location rather than a web route.
_STRONG_ROOTS = frozenset(
    ("etc", "proc", "sys", "var", "usr", "root", "opt", "boot", "sbin", "lib64", "private", "volumes", "cores",
     "srv", "xampp", "inetpub", "apache", "apache2", "nginx", "httpd", "lampp", "wamp", "wamp64", "mysql",
     "windows", "winnt")
)
# What macOS keeps under /private (/etc, /var and /tmp link there): "/private/path/" is an API's route.
_MACOS_PRIVATE = frozenset(("etc", "var", "tmp", "cores"))
# Roots that are also common web routes (/home, /system/status): flagged only with a config-like file.
_WEAK_ROOTS = frozenset(
    ("home", "tmp", "lib", "bin", "dev", "run", "mnt", "media", "library", "system", "applications", "users",
     "logs", "log", "www")
)
_SENSITIVE_EXT = re.compile(
    r"\.(?:log|conf|cnf|cfg|config|ini|inf|xml|bak|old|sav|dat|sam|mdb|db|sqlite|pem|key|crt|properties"
    r"|yml|yaml|env|history|passwd|htaccess|sh|php\d?|inc|jsp|asp|aspx|err)(?:$|[\x00?#])"
)
# Libraries and packages under the roots that hold them (not /etc/mailman/mm_cfg.py, a configuration):
# what vulnerability scanners and SBOMs list by path, and no include reads.
_LIBRARY_ROOTS = frozenset(("usr", "opt", "lib64"))
_PACKAGE_FILE = re.compile(r"\.(?:jar|war|ear|so(?:\.\d{1,4}){0,4}|dll|whl|egg|pyc?|gem|deb|rpm|apk|nupkg|class)$")
# Server pages among _SENSITIVE_EXT: under a root that is also a web route they name a page, not a file.
_WEB_PAGES = (".php", ".jsp", ".asp")
_WINDOWS_DIRS = re.compile(
    r"^/?[a-z]:/+(?:windows|winnt|boot\.ini|inetpub|xampp|wamp|apache|php|mysql|programdata/|appserv"
    r"|opt|unattend|sysprep"
    r"|users/[^/]{1,64}/(?:appdata|ntuser)|documents and settings|system volume|\$recycle|log|logs|temp)"
)
# A climb: dots (or "?" wildcards) between separators, or a value that ends climbing ("a/..", "..;x"); an
# ellipsis of three dots that ends a value after a slash ("yes/...") is punctuation, no directory.
_TRAVERSAL = re.compile(
    r"(?:^|[/=\s'\"(:,;])[.?]{2,256}(?:;[^/]{0,32})?/|/(?:\.\.|\.{4,256})(?:;[^/]{0,32})?$"
)


_PROSE_WORD = re.compile(r"[a-z]{2,}[.,;:!?)]?")  # a word of a sentence, with the punctuation after it
_DRIVE = re.compile(r"(?:^|[\s'\"(])[a-z]:/")


def _elision(folded: str, match: re.Match[str]) -> bool:
    """One "..." standing for the folders left out between two names ("Dokumente/…/Rechnungen",
    "src/.../main.py"): three dots name no parent directory on any system a function runs on, and a
    breadcrumb writes one such step; traversal lists repeat it ("/.../.../") or start with it."""
    start, end = match.span()
    return (
        match.group(0) == "/.../"
        and start > 0
        and folded[start - 1].isalnum()
        and folded[end : end + 1].isalnum()
        and folded.count("...") == 1
    )


def _in_prose(folded: str, start: int, end: int) -> bool:
    """The path matched at ``folded[start:end]`` is one word of a sentence ("Add /etc/ssh/sshd_config.d/
    to openssh-server", "Parse /proc/meminfo in a single pass"): its blank-separated token is followed by
    a word of letters, and at least one more such word stands around it. No file is named so, and a shell
    reading the sentence is the command-injection family's business. A Windows drive path may hold
    blanks ("c:/documents and settings/"), so a value with one is never prose here."""
    if " " not in folded or _DRIVE.search(folded):
        return False
    token_end = folded.find(" ", end)
    if token_end < 0:
        return False
    token_start = folded.rfind(" ", 0, start) + 1
    after = folded[token_end + 1 :].split()
    if not after or not _PROSE_WORD.fullmatch(after[0]):
        return False
    words = sum(1 for word in (*folded[:token_start].split(), *after) if _PROSE_WORD.fullmatch(word))
    return words >= 2


def _ends_sentence(folded: str, start: int) -> bool:
    """The path matched at ``start`` is the last word of a sentence ("Always install the snippets into
    /etc/profile.d/.", "allow dd to use /dev/stdin"): an absolute path, alone in its blank-separated
    token at the end of the value, right after three words of letters ("see the notes; cat /etc/shadow"
    is a command after a separator). ``_in_prose`` needs a word after the path, which a sentence's last
    one lacks."""
    token_start = folded.rfind(" ", 0, start) + 1
    if not token_start or folded[token_start : token_start + 1] != "/" or folded.find(" ", start) >= 0:
        return False
    before = folded[:token_start].split()
    return len(before) >= 3 and all(word.isalpha() and len(word) > 1 for word in before[-3:])


# The rest of a path followed by a line (and column) number: a place in source code, as a stack frame
# or a log line writes it ("at handler (/var/task/index.js:18:18)"), which no file system opens.
_SOURCE_POSITION = re.compile(r"[^\s():'\"]{0,200}:\d{1,7}(?::\d{1,7})?(?:\)|,|\s|$)")


def _outside_prose(pattern: re.Pattern[str], folded: str) -> re.Match[str] | None:
    """The first of ``pattern``'s first eight matches in ``folded`` that is not a word of a sentence
    nor a place in source code."""
    for count, match in enumerate(pattern.finditer(folded)):
        start, end = match.start(), match.end()
        if not (_in_prose(folded, start, end) or _ends_sentence(folded, start) or _SOURCE_POSITION.match(folded, end)):
            return match
        if count >= 7:
            break
    return None


def _detect(rule_num: int, detail: str, match: re.Match[str] | None = None) -> Detection:
    start, end = (match.start(), match.end()) if match else (0, 0)
    return Detection(rule_id=_BY_NUM[rule_num], detail=detail, start=start, end=end)


def _absolute_path(folded: str) -> str | None:
    """The reason ``folded`` (a whole value) is an absolute path into a system location, if it is one."""
    value = folded.strip().strip("'\"` ").removeprefix("file:").lstrip()
    if value.startswith("~/"):
        return "home-relative path"
    if _WINDOWS_DIRS.match(value):
        return "windows system path"
    if len(value) > 3 and value[0] == "/" and value[1].isalpha() and value[2:4] == ":/":
        return "drive path behind a leading slash"  # "/C:\..." is how LFI probes reach Windows roots
    if len(value) > 3 and value[1:3] == ":/" and value[0].isalpha() and _SENSITIVE_EXT.search(value):
        return "windows path to a config or log file"
    if not value.startswith("/"):
        return None
    parts = [part for part in value[:512].split("/") if part]
    if not parts:
        return None
    root = parts[0]
    # A dot file at the root ("/.bashrc", "/.ssh/id_rsa"); not "/..foo" (a name that starts with two
    # dots), nor RFC 8615's "/.well-known/" (OpenID discovery, ACME challenges, security.txt).
    if root.startswith(".") and len(root) > 1 and root[1] != "." and root != ".well-known":
        return "absolute path to a hidden file"
    # ("/usr/local/jetty/lib/http2-hpack-9.4.27.jar" is a dependency in a scan report or an SBOM.)
    below_root = len(parts) > 1 or value.rstrip("\x00").endswith("/")
    if (
        root in _STRONG_ROOTS
        and below_root
        and not (root in _LIBRARY_ROOTS and _PACKAGE_FILE.search(value))
        and (root != "private" or (len(parts) > 1 and parts[1] in _MACOS_PRIVATE))
    ):
        return f"absolute path under /{root}"
    sensitive = _SENSITIVE_EXT.search(value)
    if sensitive is not None and sensitive.group(0).startswith(_WEB_PAGES):
        sensitive = None  # "/www/delivery/lg.php", "/home/index.jsp": a route to a page, read by a server
    if (root in _WEAK_ROOTS or root in _STRONG_ROOTS) and len(parts) > 1 and (
        sensitive or any(part.startswith(".") and len(part) > 1 for part in parts[1:])
    ):
        return f"absolute path to a config or log file under /{root}"
    return None


def _base64_paths(text: str) -> list[str]:
    """Printable decodings of base64 tokens that start like an encoded path ("Li4v" is "../")."""
    decoded = []
    for count, match in enumerate(_B64_PATH.finditer(text)):
        if count >= 4:
            break
        token = match.group(0)
        try:
            raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
        except (binascii.Error, ValueError):
            continue
        value = raw.decode("latin-1")
        # Random base64 decodes to binary; an encoded path is printable ASCII with a separator in it.
        if value.isascii() and value.isprintable() and ("/" in value or "\\" in value):
            decoded.append(value)
    return decoded


def scan(text: str, ctx: ScanContext) -> Detection | None:
    if not _PREFILTER.search(text):  # the engine has checked it; this keeps direct callers as fast
        return None
    return scan_unfiltered(text, ctx)


def scan_unfiltered(text: str, ctx: ScanContext) -> Detection | None:
    """``scan`` without the PREFILTER check, so a test can show the PREFILTER is a necessary condition."""
    found = _scan(text, ctx)
    if found is None and ("L" in text or "ZXRjL" in text or "cHJvYy" in text or "zpc" in text):
        for decoded in _base64_paths(text):
            found = _scan(decoded, ctx)
            if found is not None:
                return Detection(found.rule_id, f"base64: {found.detail}", 0, 0)
    return found


def _scan(text: str, ctx: ScanContext) -> Detection | None:
    folded = normalize_path(text)
    if "..2f" in folded or "..5c" in folded:  # "%" stripped by a broken decoder: ..2f..2fetc2fpasswd
        folded = folded.replace("..2f", "../").replace("..5c", "../").replace("2f", "/")
    # Cheap substring gates keep the common case (a URL or a file name) to a few passes of str.find.
    if _WRAPPER_GATE.search(folded) and (match := _WRAPPER.search(folded)):
        return _detect(5, f"stream wrapper {match.group(0)!r}", match)
    # A path that is one word of a sentence names no file (``_in_prose``): the checks below pass over it.
    if _LAMBDA_GATE.search(folded) and (match := _outside_prose(_LAMBDA_FILES, folded)):
        return _detect(3, f"Lambda file {match.group(0)!r}", match)
    if _SYSTEM_GATE.search(folded) and (match := _outside_prose(_SYSTEM_FILES, folded)):
        return _detect(2, f"system file {match.group(0)!r}", match)
    if ("./" in folded or "?/" in folded or "/.." in folded or ".;" in folded or "?;" in folded) and (
        match := _outside_prose(_TRAVERSAL, folded)
    ):
        if _elision(folded, match):  # the rest of the value, with the elision's dots written out
            start, end = match.span()
            match = _outside_prose(_TRAVERSAL, folded[:start] + folded[start:end].replace("...", "___") + folded[end:])
        if match:
            # Benign values (URLs, file names, text) essentially never climb a directory; one step is enough.
            return _detect(1, f"traversal segment {match.group(0).strip()!r}", match)
    if not ctx.is_key:
        reason = _absolute_path(folded)
        if reason is None and "//" in folded:
            # A prefix before the absolute path ("uploads//etc/nginx/nginx.conf" in an S3 key).
            match = _EMBEDDED_ROOT.search(folded)
            reason = _absolute_path(folded[match.start() + 1 :]) if match else None
        path_start = len(folded) - len(folded.lstrip(" '\"`"))  # past the blanks and quotes _absolute_path strips
        if reason and not _in_prose(folded, path_start, path_start + 1):
            return _detect(4, reason)
    nul = folded.find("\x00")
    if nul > 0 and any(ch in folded[max(0, nul - 256):nul] for ch in "./"):
        return Detection(rule_id=_BY_NUM[6], detail="NUL after a path", start=nul, end=nul + 1)
    return None
