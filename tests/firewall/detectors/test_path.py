"""Path traversal / LFI detector: rules, encodings, corpus rates, PREFILTER property, adversarial input."""

from __future__ import annotations

import base64
import random
import re
import unicodedata

import pytest
from family_cases import detection_rate, family_suite, handwritten

from hullguard.firewall import Firewall
from hullguard.firewall.detectors import path
from hullguard.firewall.detectors.base import ScanContext
from hullguard.firewall.detectors.path_lookalikes import (
    FOLDING_CLASS,
    FOLDING_UNICODE,
    as_class_body,
    folding_characters,
)
from hullguard.firewall.detectors.path_normalize import normalize_path
from hullguard.firewall.prefilter import compile_joined, prefilter_source

CTX = ScanContext()


@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ("../../../app/settings.yml", "HG-PATH-001"),
        ("....//....//secret.txt", "HG-PATH-001"),
        ("..;/..;/admin", "HG-PATH-001"),
        ("..%c0%af..%c0%afapp.cfg", "HG-PATH-001"),
        ("%%32%65%%32%65/%%32%65%%32%65/x.conf", "HG-PATH-001"),
        ("0x2e0x2e0x2f0x2e0x2e0x2fapp.ini", "HG-PATH-001"),
        ("/etc/passwd", "HG-PATH-002"),
        ("..%5c..%5cwindows%5cwin.ini", "HG-PATH-002"),
        ("/proc/self/cmdline", "HG-PATH-002"),
        ("/proc/self/environ", "HG-PATH-003"),
        ("../../var/task/handler.py", "HG-PATH-003"),
        ("/opt/nodejs/node_modules/secret.js", "HG-PATH-003"),
        ("/var/www/html/index.php", "HG-PATH-004"),
        ("C:\\xampp\\apache\\conf\\httpd-ssl.conf.bak", "HG-PATH-004"),
        ("/.bashrc", "HG-PATH-004"),
        ("php://filter/read=convert.base64-encode/resource=config", "HG-PATH-005"),
        ("convert.iconv.UTF8.CSISO2022KR", "HG-PATH-005"),
        ("phar://uploads/x.jpg", "HG-PATH-005"),
        ("avatar.png\x00.php", "HG-PATH-006"),
    ],
)
def test_rules_fire_on_real_payloads(payload: str, rule_id: str) -> None:
    found = path.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, found


@pytest.mark.parametrize("value", handwritten("path", "benign"))
def test_benign_values_pass(value: str) -> None:
    assert path.scan(value, CTX) is None


@pytest.mark.parametrize("value", handwritten("path", "attacks"))
def test_handwritten_attacks_detected(value: str) -> None:
    assert detection_rate([path], [value])[0] == 1.0


@pytest.mark.parametrize(
    "value",
    [
        "Add /etc/ssh/sshd_config.d/ to openssh-server (closes: #952427).",
        "Parse /proc/meminfo in a single pass using shell builtins rather than",
        "/etc/login.defs to exclude system users from generating homedir",
        "/usr/lib/pam.d has been supported since at least 1.4.0 (Debian 11),",
        'debian/*.symbols.*: Remove "../../" workaround now that dh_makeshlibs',
        "Applying ACLs on /var/log/journal via systemd-tmpfiles requires a",
        "Always install the shell snippets into /etc/profile.d/.",  # the last word of a sentence
        "upstream patch to allow dd to use /dev/stdin",
    ],
)
def test_a_path_that_is_one_word_of_a_sentence_is_not_reported(value: str) -> None:
    """Changelogs and commit messages name system paths in sentences; no file is named so."""
    assert path.scan(value, CTX) is None


@pytest.mark.parametrize(
    "value",
    [
        "/etc/passwd",
        "cat /etc/passwd",  # the path ends the value
        "/etc/passwd and",  # one word after it is no sentence
        "see the notes; cat /etc/shadow",  # a later path that is not one word of a sentence
        "../../../etc/passwd%00 please",
        "c:/documents and settings/administrator/ntuser.dat",  # a Windows path holds blanks
        "{{ get_file('/etc/passwd') }} now",
        "x /etc/passwd | grep root",
        "file: /etc/passwd",  # the last word, but not after three words
        "x = 1 /etc/passwd",
        "please read /etc/passwd",  # two words before it
    ],
)
def test_paths_around_words_that_make_no_sentence_are_still_reported(value: str) -> None:
    assert path.scan(value, CTX) is not None, value


def test_dev_null_is_no_file_worth_reading_but_other_devices_are() -> None:
    """A diff of a new file starts "--- /dev/null" (a GitLab webhook's note on a commit); reading it
    returns nothing. /dev/zero, /dev/random and /dev/stdin hang or flood a reader."""
    assert path.scan("--- /dev/null\n+++ b/src/app.py\n@@ -0,0 +1,3 @@", CTX) is None
    for value in ("/dev/zero", "/dev/stdin", "../../../../dev/null"):
        assert path.scan(value, CTX) is not None, value


def test_a_place_in_source_code_is_not_a_file_asked_for() -> None:
    """Stack frames and log lines name a file with a line and column ("index.js:18:18"): no file system
    opens that; the file alone still is one."""
    for value in (
        "    at Runtime.handler (/var/task/index.js:18:18)",
        "at /var/task/node_modules/sharp/lib/resize.js:5:10",
        "error in /var/task/app.py:12, retrying",
    ):
        assert path.scan(value, CTX) is None, value
    for value in ("/var/task/index.js", "../../var/task/index.js", "x (/var/task/index.js)"):
        assert path.scan(value, CTX) is not None, value


def test_a_word_that_starts_like_a_log_file_name_is_no_log_file() -> None:
    # An ELB attribute key (AWS's API examples): "access_logs." is no "access_log" file.
    assert path.scan("access_logs.s3.bucket", CTX) is None
    for value in ("/var/www/logs/access_log", "access.log", "../logs/error_log.1", "/usr/local/apache/logs/error.log"):
        assert path.scan(value, CTX) is not None, value


def test_keys_are_not_read_as_absolute_paths() -> None:
    assert path.scan("/etc/passwd", ScanContext(is_key=True)) is not None  # a system file is one anywhere
    assert path.scan("/var/www/site", ScanContext(is_key=True)) is None


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("%c0%ae%c0%ae%c0%af", "../"),
        ("%e0%80%ae%e0%80%ae\\", "../"),
        ("%%32%%65%%32%%65%%32%%66", "../"),
        ("%uff0e%uff0e%u2216", "../"),
        ("..\\..\\", "../../"),
    ],
)
def test_normalisation_folds_encodings(raw: str, folded: str) -> None:
    assert normalize_path(raw) == folded


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(path, "path", ["../", "..%c0%af", "%%32%65", "/etc/", "\x00", "%", "....", "%u2216"], min_corpus=300)


# As the engine runs it: on lower-cased text, case-sensitively (with IGNORECASE the class of folding
# characters would also match "s" and "k", whose case folds include U+017F and U+212A).
PREFILTER, _ON_LOWERED = compile_joined(prefilter_source(path.PREFILTER))


def prefilter_hits(value: str) -> bool:
    assert _ON_LOWERED
    return PREFILTER.search(value.lower()) is not None


@pytest.mark.parametrize(
    "value",
    [
        "https://aws.amazon.com/lambda/?nc=sn&loc=1",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8",
        "application/json",
        "2024-03-01T12:30:45.123Z",
        "Sat, 28 Nov 2026 19:10:46 GMT",
        "1.2.3-beta.4",
        "14.99",
        "api.example.co.uk",
        "report.pdf",
        "/my/path",
        "/v1/users/42/orders",
        "Test message.",
        "gzip, deflate, br",
    ],
)
def test_prefilter_lets_benign_values_through_without_a_scan(value: str) -> None:
    assert not prefilter_hits(value)


@pytest.mark.parametrize(
    "payload",
    [
        "／ｅｔｃ／ｐａｓｓｗｄ",  # fullwidth
        "/ｅｔｃ/passwd",  # fullwidth letters between plain separators
        "..\u2215..\u2215app.cfg",
        "L2V0Yy9wYXNzd2Q=",  # base64 of /etc/passwd
        "php%3a//filter/resource=index",
        "..%252f..%252fconfig.yml",
        "0x2e0x2e0x2fsecret.txt",
        "'/usr/local/app.conf'",
        "file:///var/www/html/x",
        "uploads//etc/nginx/nginx.conf",
        "~/.aws/credentials",
        "C:\\Windows\\win.ini",
        "passwd",
        "x.jpg\x00.php",
    ],
)
def test_prefilter_passes_what_scan_flags(payload: str) -> None:
    assert path.scan(payload, CTX) is not None
    assert prefilter_hits(payload)


def test_folding_class_is_current() -> None:
    """The prefilter's class of NFKC-folding characters is generated on the newest Unicode a Lambda
    runtime's Python has (``FOLDING_UNICODE``); an older Python's Unicode folds fewer, which leaves the
    class a superset there: the prefilter still passes every one. A Python with newer Unicode than
    the class's (a new Lambda runtime) must generate it again."""
    here = folding_characters()
    in_class = re.compile(f"[{FOLDING_CLASS}]")
    assert [hex(code) for code in here if not in_class.match(chr(code))] == []

    def version(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split("."))

    assert version(unicodedata.unidata_version) <= version(FOLDING_UNICODE), "generate FOLDING_CLASS again"
    if unicodedata.unidata_version == FOLDING_UNICODE:
        assert as_class_body(here) == FOLDING_CLASS


@pytest.mark.parametrize("value", ["..\x01/..\x01/app\x01/settings.yml", "wp-config\x01.php", "..\x02/x.yml"])
def test_control_characters_inside_a_value_do_not_hide_a_path(value: str) -> None:
    """normalize_path drops control characters; the prefilter must still send such values to ``scan``,
    including U+0001, which the engine also uses to join the views it prefilters."""
    verdict = Firewall().inspect({"Records": [{"messageId": "1", "body": value, "eventSource": "aws:sqs"}]})
    assert [finding.attack for finding in verdict.findings] == ["path"]


def test_scan_unfiltered_flags_nothing_the_prefilter_misses_on_encoded_mixes() -> None:
    """``scan`` checks the PREFILTER first, so only ``scan_unfiltered`` shows it is a necessary condition."""
    rng = random.Random(22)
    pieces = [
        "../", "..\\", "%2e", "%c0%af", "/etc/", "passwd", "\x00", "\x03", ".ini", "php://", "~/", "c:\\", "//",
        "/var/", "L2V0Yy9", "Li4v", "\uff0e", "\u00bd", "\u017f", "\u212a", "/usr/", "/.", "..;", "??/", "file:", " ",
        "'", "win", ".conf", "_log", "error", "a", "/", "0x2e", "wp-config", ".php", "convert.", "iconv", "proc/",
        "self/environ",
    ]
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        for ctx in (CTX, ScanContext(is_key=True, paranoia=3)):
            if path.scan_unfiltered(text, ctx) is not None:
                assert prefilter_hits(text), text


def test_every_base64_path_the_detector_decodes_passes_the_prefilter() -> None:
    """A base64 token is only decoded after the PREFILTER's "L" and second character: random paths of
    printable ASCII starting with ",", "-", "." or "/" (the first bytes "L" encodes), encoded, in every
    case the engine may see, reach the detector whenever it would flag them."""
    rng = random.Random(64)
    pieces = ["../", "./", "/", "etc/", "passwd", "..", "\\", "~", "proc/self/environ", ".env", "a", "-", ",", " ", "%"]
    flagged = 0
    for _ in range(5_000):
        decoded = rng.choice(",-./") + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))
        token = base64.b64encode(decoded.encode()).decode().rstrip("=")
        for text in (token, f"id={token}", token.lower()):
            if path.scan_unfiltered(text, CTX) is not None:
                flagged += 1
                assert prefilter_hits(text), (decoded, text)
    assert flagged > 1_000  # the encodings are decoded and judged, not skipped


@pytest.mark.parametrize("word", ["LargeView", "Language", "Location", "localhost", "Lorem ipsum"])
def test_words_that_cannot_start_base64_of_a_path_skip_the_detector(word: str) -> None:
    assert not prefilter_hits(word)


@pytest.mark.parametrize(
    "value",
    [
        "/run/secrets/kubernetes.io/serviceaccount/token",
        "/var/run/secrets/kubernetes.io/serviceaccount/namespace",
        "../../../run/secrets/db_password",
    ],
)
def test_container_secrets_are_sensitive_files(value: str) -> None:
    found = path.scan(value, CTX)
    assert found is not None and found.rule_id in ("HG-PATH-001", "HG-PATH-002"), (value, found)


@pytest.mark.parametrize("value", ["/run/user/1000", "how we run/secrets rotation"])
def test_other_run_paths_and_prose_pass(value: str) -> None:
    assert path.scan(value, CTX) is None
