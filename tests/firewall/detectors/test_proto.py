"""Prototype pollution detector: __proto__ and constructor.prototype in keys, paths and JSON text."""

from __future__ import annotations

import pytest
from family_cases import family_suite

from hullguard.firewall.detectors import proto
from hullguard.firewall.detectors.base import ScanContext

CTX = ScanContext()


@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ("__proto__", "HG-PROTO-001"),
        ("a[__proto__][admin]", "HG-PROTO-001"),
        ('{"__proto__":{"x":1}}', "HG-PROTO-001"),
        ("constructor.prototype.x", "HG-PROTO-002"),
        ("constructor[prototype][x]", "HG-PROTO-002"),
        ('{"constructor": {"prototype": {"x": 1}}}', "HG-PROTO-002"),
    ],
)
def test_rules_fire_on_real_payloads(payload: str, rule_id: str) -> None:
    found = proto.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, found


def test_prototype_key_under_constructor_location() -> None:
    for location in ("body.constructor", "body.constructor.prototype"):
        found = proto.scan("prototype", ScanContext(is_key=True, location=location))
        assert found is not None and found.rule_id == "HG-PROTO-002"
    assert proto.scan("prototype", ScanContext(is_key=True, location="body.library")) is None


def test_property_names_are_case_sensitive() -> None:
    assert proto.scan("__PROTO__", CTX) is None


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(proto, "proto", ["__proto__", "_proto", "constructor.", "prototype", "constructor["])
