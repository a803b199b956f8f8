"""NoSQL injection detector: operator keys, operator objects in values, $where JavaScript."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from family_cases import corpus_lines, family_suite
from fw_helpers import event

from hullguard.firewall import Firewall
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


def test_prefilter_and_js_gates_are_tested_as_before() -> None:
    """``scan`` tests PREFILTER's character class before the whole PREFILTER, and the JS gates with one
    search: both answer as one PREFILTER search and the substring tests did."""
    prefilter = re.compile(nosql.PREFILTER, re.IGNORECASE)
    pieces = [*nosql._JS_GATES, "$", "&", "|", ";", "DB.", "This.", "ep (", "ep\t(", "d", "b", ".", " ", "x"]
    pieces += ["Mozilla/5.0", "(Windows", "Mac OS X)"]
    rng = random.Random(41)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 5))) for _ in range(20000)]
    texts += [line for _name, line in corpus_lines("nosql")]
    for text in texts:
        by_parts = nosql._SIGIL_OR_BREAK_RE.search(text) is not None or nosql._PREFILTER.search(text) is not None
        assert by_parts == (prefilter.search(text) is not None), text
        low = text.lower()
        assert (nosql._ANY_JS_GATE.search(low) is not None) == any(gate in low for gate in nosql._JS_GATES), text


def test_keys_of_other_languages_that_mongodb_ignores_pass_and_operators_do_not() -> None:
    """OData's ``$search`` query option and JSON Schema's ``$comment`` are no query operators to MongoDB."""

    def query(name: str) -> Any:
        ev = event("apiGatewayProxyEvent.json")
        ev["queryStringParameters"] = {name: "bike"}
        ev["multiValueQueryStringParameters"] = {name: ["bike"]}
        return ev

    fw = Firewall()
    assert fw.inspect(query("$search")).findings == []
    assert {f.rule_id for f in fw.inspect(query("$ne")).findings} == {"HG-NOSQL-001"}
    post = event("apiGatewayProxyEvent.json")
    post["body"] = '{"$schema": "http://json-schema.org/draft-07/schema#", "$comment": "v2", "type": "object"}'
    assert fw.inspect(post).findings == []
    post["body"] = '{"q": {"$search": "bike"}, "user": {"$ne": null}}'
    assert {f.location for f in fw.inspect(post).findings} >= {"body.q.$search", "body.user.$ne"}
