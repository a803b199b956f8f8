"""NoSQL injection detector: operator keys, operator objects in values, $where JavaScript."""

from __future__ import annotations

import pytest
from family_cases import family_suite

from hullguard.firewall.detectors import nosql
from hullguard.firewall.detectors.base import ScanContext

CTX = ScanContext()
KEY = ScanContext(is_key=True)


@pytest.mark.parametrize(
    ("payload", "ctx", "rule_id"),
    [
        ("$ne", KEY, "HG-NOSQL-001"),
        ("$where", KEY, "HG-NOSQL-001"),
        ("user[$gt]", KEY, "HG-NOSQL-001"),
        ('{"$gt": ""}', CTX, "HG-NOSQL-002"),
        ("[$ne]=1", CTX, "HG-NOSQL-002"),
        ("true, $where: '1 == 1'", CTX, "HG-NOSQL-002"),
        ("';return 'a'=='a' && ''=='", CTX, "HG-NOSQL-003"),
        ("' && this.password.match(/.*/)//", CTX, "HG-NOSQL-003"),
        ("|| 1==1", CTX, "HG-NOSQL-003"),
        ("db.injection.insert({success:1});", CTX, "HG-NOSQL-003"),
        ("';sleep(5000);", CTX, "HG-NOSQL-003"),
    ],
)
def test_rules_fire_on_real_payloads(payload: str, ctx: ScanContext, rule_id: str) -> None:
    found = nosql.scan(payload, ctx)
    assert found is not None and found.rule_id == rule_id, found


@pytest.mark.parametrize("key", ["name", "$V2$", "price$", "a[b]", "user[name]", "$", "$$hashKey", "$neighbour"])
def test_ordinary_keys_pass(key: str) -> None:
    assert nosql.scan(key, KEY) is None


def test_operator_name_as_a_value_is_not_a_key_finding() -> None:
    assert nosql.scan("$ne", CTX) is None


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(nosql, "nosql", ["$", "$ne", '{"$gt":', "[$ne]", "';return ", "|| 1==", "this."], 40)
