"""LDAP filter injection detector: break-outs, absolute filters, NUL truncation, hex escapes."""

from __future__ import annotations

import pytest
from family_cases import family_suite

from hullguard.firewall.detectors import ldap, xpath
from hullguard.firewall.detectors.base import ScanContext

CTX = ScanContext()


@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ("*)(uid=*))(|(uid=*", "HG-LDAP-001"),
        ("admin)(&)", "HG-LDAP-001"),
        ("*)(objectClass=*", "HG-LDAP-001"),
        ("admin\\29\\28cn=\\2a", "HG-LDAP-001"),
        ("*(|(mail=*))", "HG-LDAP-002"),
        ("*))\x00", "HG-LDAP-002"),
        ("*()|&'", "HG-LDAP-002"),
    ],
)
def test_rules_fire_on_real_payloads(payload: str, rule_id: str) -> None:
    found = ldap.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, found


@pytest.mark.parametrize("value", ["*", "admin*", "Smith (Sales)", "Galaxy S22 (512GB)(5000)", "(c) 2024"])
def test_search_terms_pass(value: str) -> None:
    assert ldap.scan(value, CTX) is None


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(ldap, "ldap", [")(", "*)(", "(|(", "\\2a", "(", ")", "*))"], 20, corpus_companions=(xpath,))


@pytest.mark.parametrize("value", ["S7@+Ja2)(!odbv", "Q9)(&rT#2mx", "f(x)(|y|)"])
def test_an_operator_without_a_filter_after_it_is_no_break_out(value: str) -> None:
    """Random passwords hold ")(!" and ")(&": an LDAP operator takes filters, so "(" or ")" follows it."""
    assert ldap.scan(value, CTX) is None


@pytest.mark.parametrize("payload", ["*)(&", "x)(|)", "admin)(!(&(1=0", "*)(| (mail=*)"])
def test_an_operator_opening_filters_or_ending_the_value_is_a_break_out(payload: str) -> None:
    found = ldap.scan(payload, CTX)
    assert found is not None and found.rule_id == "HG-LDAP-001", (payload, found)
