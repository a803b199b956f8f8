"""XPath injection detector: quote-break booleans with XPath functions, unions and axes."""

from __future__ import annotations

import pytest
from family_cases import family_suite

from hullguard.firewall.detectors import xpath
from hullguard.firewall.detectors.base import ScanContext

CTX = ScanContext()


@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ("' or '1'='1", "HG-XPATH-001"),
        ("x' or name()='username' or 'x'='y", "HG-XPATH-001"),
        ("' and string-length(name(/*[1]))>0 and '1'='1", "HG-XPATH-001"),
        ("') or contains(name(), 'pass') or ('", "HG-XPATH-001"),
        ("']|//*|//*['", "HG-XPATH-002"),
        ("count(/child::node())", "HG-XPATH-002"),
        ("//user[name/text()='admin']", "HG-XPATH-002"),
    ],
)
def test_rules_fire_on_real_payloads(payload: str, rule_id: str) -> None:
    found = xpath.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, found


@pytest.mark.parametrize("value", ["O'Reilly", "don't or won't", "https://example.com//a[1]", "a | b"])
def test_text_with_quotes_passes(value: str) -> None:
    assert xpath.scan(value, CTX) is None


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(xpath, "xpath", ["'", "' or ", "//a[", "|//", "::", "count(/"])
