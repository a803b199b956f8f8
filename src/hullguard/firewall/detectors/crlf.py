"""CRLF / header injection and log forging detector.

After the engine's decoding, ``%0d%0a`` is a real CR LF. It is an attack when it is followed by
something a header parser or a log reader will take as a new record: a header name and colon
(``Set-Cookie:``, ``Location:``), a status line (``HTTP/1.1 200``), an empty line and a body, or the
start of a forged log line (a timestamp, a level, Lambda's ``START RequestId:``), a mail header naming
an address or an SMTP command (``Bcc:``, ``RCPT TO:<``) for a function that sends mail. A raw newline
inside a header value is a finding on its own. Also recognised: the Unicode characters that old
Node.js versions truncated to CR/LF when writing headers (U+560A, U+560D, U+010A, U+010D).
"""

from __future__ import annotations

import re

from hullguard.events.schema import Severity
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext

FAMILY = "crlf"
# Necessary condition: a line break of some kind (or a character a header writer truncates to one).
PREFILTER = r"[\r\n\x85\u2028\u2029\u560a\u560d\u010a\u010d]"
_PREFILTER = re.compile(PREFILTER)
_REMEDIATION = (
    "Reject CR and LF (and their Unicode look-alikes) in anything written to a response header, a redirect "
    "location or a log line; log structured JSON (one event per record) instead of concatenated text."
)
RULES: tuple[RuleInfo, ...] = (
    RuleInfo("HG-CRLF-001", FAMILY, "HTTP header injection", Severity.HIGH, "CWE-113",
             "A line break followed by a response or request header (Set-Cookie:, Location:, Content-Length:, "
             "Access-Control-Allow-Origin:, X-...): input copied into a header adds headers of its own.",
             _REMEDIATION),
    RuleInfo("HG-CRLF-002", FAMILY, "HTTP response or request splitting", Severity.HIGH, "CWE-113",
             "A line break followed by a status line (HTTP/1.1 200 OK) or an empty line and a body, or by a "
             "request line (GET /admin HTTP/1.1): the attacker writes a second response, or smuggles a second "
             "request into one the function sends.", _REMEDIATION),
    RuleInfo("HG-CRLF-003", FAMILY, "Log forging", Severity.MEDIUM, "CWE-117",
             "A line break followed by what looks like the start of a new log record (timestamp, log level, "
             "START/END/REPORT RequestId:), to fake or hide entries in CloudWatch Logs.", _REMEDIATION),
    RuleInfo("HG-CRLF-004", FAMILY, "Line break inside a header value or the path", Severity.MEDIUM, "CWE-113",
             "A CR or LF in a request header value or in the request path: no legitimate client sends one "
             "(obsolete line folding aside), a function that forwards the header or path splits it, and PHP-FPM "
             "behind nginx read one in PATH_INFO as new settings (CVE-2019-11043).", _REMEDIATION),
    RuleInfo("HG-CRLF-005", FAMILY, "Mail header or SMTP command injection", Severity.HIGH, "CWE-93",
             "A line break followed by a mail header carrying an address (Bcc:, Cc:, To:, From:, Reply-To:) after a "
             "one-token value, or by an SMTP command (MAIL FROM:<...>, RCPT TO:<...>), an IMAP command (A1 FETCH 1) "
             "or a session command alone on its line (QUIT, RSET): a function that puts the value into a message "
             "it sends (SES, SMTP) mails whoever the attacker names, or into a mail session runs the commands.",
             "Pass addresses and subjects to the mail API as separate fields and reject CR and LF in them."),
    RuleInfo("HG-CRLF-006", FAMILY, "Cache protocol command injection", Severity.HIGH, "CWE-93",
             "A line break followed by a memcached storage command (set key 0 60 5) or a Redis command that "
             "rewrites the server (CONFIG SET dir, SLAVEOF host port, FLUSHALL, MODULE LOAD): a function that "
             "writes the value into a text protocol's request to its cache runs the attacker's command.",
             "Use the cache client's API, which frames keys and values, and reject CR and LF in cache keys."),
)
_BREAK = "[\r\n\x85\u2028\u2029\u560a\u560d\u010a\u010d]"
# Headers no prose line starts with: a break followed by one of these is an injection wherever it is.
_STRONG_HEADERS = (
    "set-cookie|content-length|content-type|content-disposition|content-security-policy|transfer-encoding"
    "|access-control-allow-[a-z-]{1,20}|x-[a-z0-9-]{1,40}|strict-transport-security|www-authenticate"
    "|proxy-authorization|refresh|set-cookie2|remote-addr|client-ip|true-client-ip"
)
# Header names that are also ordinary words at the start of a line ("Location: Tel Aviv"): they count
# when the text before the break is a single token, as it is when a parameter value is injected.
_WEAK_HEADERS = (
    "location|host|date|status|server|link|origin|via|expires|connection|vary|pragma|upgrade|cookie|referer"
    "|user-agent|etag|forwarded|authorization|cache-control|last-modified|referrer-policy"
)
_HEADER = re.compile(rf"{_BREAK}[ \t]{{0,4}}(?:{_STRONG_HEADERS})[ \t]{{0,4}}:", re.IGNORECASE)
# Any header name an injection may make up ("Header-Test:", "X-Injected-By:", "header:injected"): the
# hyphenated shape of HTTP header names, or a name with its value right after the colon. It counts when
# the value holds nothing but blanks or one token before the break, as a parameter value built for the
# injection does (a line of prose before it, and "Name: value" lines of a note, are text).
_ANY_HEADER = re.compile(
    rf"{_BREAK}[ \t]{{0,4}}(?:[a-z][a-z0-9]{{0,30}}(?:-[a-z0-9]{{1,30}}){{1,4}}[ \t]{{0,4}}:"
    rf"|[a-z][a-z0-9_]{{0,30}}:[^\s:/])",
    re.IGNORECASE,
)
# A value that opens with a line break and a "Name: value" line: what no text starts with, and how a
# scanner probes a header's value ("%0d%0aX-Probe: 1" in place of the value itself).
# (HTTP allows no blank before the colon, and ":=" is an assignment: sbt's "\nname := ...", Go's, Pascal's.)
_LEADING_HEADER = re.compile(
    rf"^[ \t]{{0,4}}{_BREAK}{{1,2}}[ \t]{{0,4}}[a-z][a-z0-9_-]{{0,40}}:[ \t]{{0,4}}[^\s:/=]", re.IGNORECASE
)
# Mail headers that name recipients or senders, with an address on their line: the value of a form's
# e-mail or subject field, broken to add recipients. "To:" and "From:" open lines of prose too ("From:
# the team"), so the address is required and, as for the weak headers, a single token before the break.
_MAIL_HEADER = re.compile(
    rf"{_BREAK}[ \t]{{0,4}}(?:bcc|cc|to|from|sender|reply-to)[ \t]{{0,4}}:[^\r\n@]{{0,256}}@", re.IGNORECASE
)
# SMTP's envelope commands with their address bracket, or RCPT TO: with an address: no prose writes
# "RCPT TO:<", wherever it is.
_SMTP_COMMAND = re.compile(
    rf"{_BREAK}[ \t]{{0,4}}(?:(?:mail[ \t]{{1,4}}from|rcpt[ \t]{{1,4}}to)[ \t]{{0,4}}:[ \t]{{0,4}}<"
    r"|rcpt[ \t]{1,4}to[ \t]{0,4}:[ \t]{0,4}[^\s@<>]{1,64}@)",
    re.IGNORECASE,
)
# IMAP's tagged commands ("A001 LOGIN", "V100 FETCH 1") after nothing but a token, and the session
# commands of SMTP, POP3 and IMAP alone on a line that opens the value ("\r\nQUIT\r\n"): the lines of a
# mail protocol added to the conversation a function holds with its mail server. (A list's "1 Select"
# has no letter in its number; "Steps:\nQuit" has words before the line.)
_IMAP_COMMAND = re.compile(
    rf"{_BREAK}[ \t]{{0,4}}[a-z]{{1,4}}\d{{1,6}}[ \t]{{1,4}}(?:capability|login|authenticate|select|examine"
    r"|fetch|store|copy|move|expunge|search|uid|list|lsub|status|append|create|delete|rename|logout|starttls)\b",
    re.IGNORECASE,
)
_SESSION_COMMAND = re.compile(
    rf"^[ \t]{{0,4}}{_BREAK}{{1,2}}[ \t]{{0,4}}(?:quit|rset|data|noop|starttls|stls|logout)[ \t]{{0,4}}(?:[\r\n]|$)",
    re.IGNORECASE,
)
# Commands of memcached's and Redis's text protocols on a line of their own. A memcached storage command
# names the key, flags, expiry and the length of the data line that follows it (``_stored_data``);
# Redis's are the commands an attack sends to take the server over.
_MEMCACHED_STORE = re.compile(
    rf"{_BREAK}[ \t]{{0,4}}(?:set|add|replace|append|prepend|cas)[ \t]{{1,4}}\S{{1,250}}[ \t]{{1,4}}\d{{1,10}}"
    r"[ \t]{1,4}-?\d{1,10}[ \t]{1,4}(\d{1,7})(?:[ \t]{1,4}\d{1,20})?(?:[ \t]{1,4}noreply)?[ \t]{0,4}\r?\n",
    re.IGNORECASE,
)
_REDIS_COMMAND = re.compile(
    rf"{_BREAK}[ \t]{{0,4}}(?:(?:flush_all|flushall|flushdb)\b|config[ \t]{{1,4}}set[ \t]{{1,4}}(?:dir|dbfilename)\b"
    r"|(?:slaveof|replicaof)[ \t]{1,4}\S{1,255}[ \t]{1,4}\d{1,5}|module[ \t]{1,4}load[ \t])",
    re.IGNORECASE,
)
_WEAK_HEADER = re.compile(rf"{_BREAK}[ \t]{{0,4}}(?:{_WEAK_HEADERS})[ \t]{{0,4}}:", re.IGNORECASE)
_SPLIT = re.compile(
    rf"{_BREAK}[ \t]{{0,4}}http/[0-9.]{{1,3}}[ \t]{{1,4}}\d{{3}}|(?P<blank_line>\r?\n\r?\n[ \t]{{0,4}}<[!a-z])"
    rf"|{_BREAK}[ \t]{{0,4}}(?:get|post|put|delete|head|options|patch|connect|trace)[ \t]{{1,4}}[^\s]{{1,2048}}"
    rf"[ \t]{{1,4}}http/[0-9]"
    # the end of a request line, then a header: a path value that finishes the request and adds its own
    rf"|\bhttp/[0-9.]{{1,3}}[ \t]{{0,4}}{_BREAK}{{1,2}}[ \t]{{0,4}}[a-z][a-z0-9-]{{0,40}}[ \t]{{0,4}}:",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"<[!/a-z]", re.IGNORECASE)
_LOG_LINE = re.compile(
    rf"{_BREAK}[ \t]{{0,4}}(?:\[?\d{{4}}-\d{{2}}-\d{{2}}[T ]\d{{2}}:\d{{2}}|\[?(?:INFO|WARN|WARNING|ERROR|DEBUG|FATAL"
    rf"|CRITICAL|NOTICE|TRACE|AUDIT|SUCCESS)\b[\]:\s]|(?:START|END|REPORT|INIT_START) RequestId:"
    rf"|\d{{1,3}}(?:\.\d{{1,3}}){{3}} - \S{{1,64}} \[|\[\d{{2}}/[A-Z][a-z]{{2}}/\d{{4}}"
    rf"|(?:user|admin|login|auth)\S{{0,20}}\s(?:logged in|authenticated|succeeded|granted))"
)


# Records whose shape is unmistakable whatever precedes them: Lambda's own lines, timestamp + level.
_LAMBDA_LOG_LINE = re.compile(
    rf"{_BREAK}[ \t]{{0,4}}(?:(?:START|END|REPORT|INIT_START) RequestId:|\[?\d{{4}}-\d{{2}}-\d{{2}}[T ]\d{{2}}:\d{{2}}"
    rf"[^\r\n]{{0,40}}\b(?:INFO|WARN|WARNING|ERROR|DEBUG|FATAL|CRITICAL)\b)"
)


def _single_token_before(text: str, index: int) -> bool:
    """The value before the first line break is one token (a name, an id, a path), not prose."""
    head = text[:index]
    return 0 < len(head) <= 2048 and not any(ch.isspace() for ch in head.rstrip("\r\n"))


def _nothing_but_a_token_before(text: str, index: int) -> bool:
    """Before the first line break: nothing, blanks, or one token (see ``_single_token_before``)."""
    head = text[:index].strip()
    return len(head) <= 2048 and not any(ch.isspace() for ch in head)


def scan(text: str, ctx: ScanContext) -> Detection | None:
    if not _PREFILTER.search(text):  # the engine has checked it, and calls ``scan_unfiltered``
        return None
    return scan_unfiltered(text, ctx)


def scan_unfiltered(text: str, ctx: ScanContext) -> Detection | None:
    """``scan`` without the PREFILTER check (a necessary condition, which the engine has made)."""
    location = ctx.location.lower()
    if "logevents" in location or "awslogs" in location:
        return None  # CloudWatch Logs subscriptions deliver log lines: newlines and levels are their content
    match = _splitting(text)
    if match:
        return Detection("HG-CRLF-002", f"response splitting {match.group(0)!r}", match.start(), match.end())
    match = _HEADER.search(text)
    if match:
        return Detection("HG-CRLF-001", f"header after line break {match.group(0)!r}", match.start(), match.end())
    match = _WEAK_HEADER.search(text)
    if match and _single_token_before(text, match.start()):
        return Detection("HG-CRLF-001", f"header after line break {match.group(0)!r}", match.start(), match.end())
    match = _stored_data(text) or _REDIS_COMMAND.search(text)
    if match:
        why = f"cache command after line break {match.group(0).strip()[:60]!r}"
        return Detection("HG-CRLF-006", why, *match.span())
    # Before any header name: "Cc:victim@..." is also one, but what it does is send mail.
    match = _SMTP_COMMAND.search(text)
    if match:
        return Detection("HG-CRLF-005", f"SMTP command after line break {match.group(0)!r}", *match.span())
    match = _MAIL_HEADER.search(text)
    if match and _single_token_before(text, match.start()):
        return Detection("HG-CRLF-005", f"mail header after line break {match.group(0)[:60]!r}", *match.span())
    match = _IMAP_COMMAND.search(text)
    if match is None or not _nothing_but_a_token_before(text, match.start()):
        match = _SESSION_COMMAND.match(text)
    if match:
        return Detection("HG-CRLF-005", f"mail protocol command after line break {match.group(0)!r}", *match.span())
    match = _ANY_HEADER.search(text)
    if match and _nothing_but_a_token_before(text, match.start()):
        return Detection("HG-CRLF-001", f"header after line break {match.group(0)!r}", match.start(), match.end())
    match = _LEADING_HEADER.match(text)
    if match:
        return Detection("HG-CRLF-001", f"value opens with a header line {match.group(0)!r}", *match.span())
    match = _LAMBDA_LOG_LINE.search(text)
    if match:
        return Detection("HG-CRLF-003", f"forged Lambda log line {match.group(0)!r}", match.start(), match.end())
    match = _LOG_LINE.search(text)
    if match and match.start() > 0 and _single_token_before(text, match.start()):
        return Detection("HG-CRLF-003", f"forged log line {match.group(0)!r}", match.start(), match.end())
    if not ctx.is_key and ("\r" in text or "\n" in text):
        where = "header value" if "header" in location else "path" if _is_path(location) else ""
        if where:
            index = min(i for i in (text.find("\r"), text.find("\n")) if i >= 0)
            return Detection("HG-CRLF-004", f"line break in the {where}", index, index + 1)
    return None


def _splitting(text: str) -> re.Match[str] | None:
    """The first response-splitting construct, but a blank line before markup in a value that already
    holds markup before it: that is an HTML document's own blank line (an e-mail template, an attachment),
    where an injection puts its blank line after a header value, a token or header lines."""
    for count, match in enumerate(_SPLIT.finditer(text)):
        if match.group("blank_line") is None or not _MARKUP.search(text, 0, match.start()):
            return match
        if count >= 7:
            break
    return None


def _stored_data(text: str) -> re.Match[str] | None:
    """The first memcached storage command in ``text`` whose data line has the length it announces
    (``set injected 0 10 10`` then ten characters): the protocol's own framing, which no list of
    words and numbers in a note keeps."""
    for count, match in enumerate(_MEMCACHED_STORE.finditer(text)):
        end = text.find("\n", match.end())
        line = text[match.end() : end if end >= 0 else len(text)].removesuffix("\r")
        if len(line) == int(match.group(1)):
            return match
        if count >= 7:
            break
    return None


def _is_path(location: str) -> bool:
    """The request path of an HTTP event (lower-cased location): ``path``, ``rawPath`` or a path
    parameter, not a body field of the same name."""
    return location in ("path", "rawpath") or location.startswith("pathparameters.")
