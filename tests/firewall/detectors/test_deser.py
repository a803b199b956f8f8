"""Insecure deserialization detector: node-serialize, pickle, Java, YAML tags, .NET, PHP objects."""

from __future__ import annotations

import base64
import os
import pickle
import re

import pytest
from family_cases import family_suite

from hullguard.firewall import Firewall
from hullguard.firewall.detectors import deser
from hullguard.firewall.detectors.base import ScanContext

CTX = ScanContext()


class _Gadget:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("id",))


@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ('{"x":"_$$ND_FUNC$$_function(){}()"}', "HG-DESER-001"),
        ("cos\nsystem\n(S'id'\ntR.", "HG-DESER-002"),
        ("gASVHQAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAJpZJSFlFKULg==", "HG-DESER-002"),
        ("rO0ABXNyABFqYXZhLnV0aWwuSGFzaE1hcA==", "HG-DESER-003"),
        ("aced00057372", "HG-DESER-003"),
        ('{"cb":{"__js_function":"function(){return 1}"}}', "HG-DESER-001"),
        ('["org.springframework.context.support.ClassPathXmlApplicationContext","http://x.example/a.xml"]',
         "HG-DESER-003"),
        ("!!python/object/apply:os.system ['id']", "HG-DESER-004"),
        ('{"$type":"System.Windows.Data.ObjectDataProvider, PresentationFramework"}', "HG-DESER-005"),
        ('O:8:"stdClass":0:{}', "HG-DESER-006"),
    ],
)
def test_rules_fire_on_real_payloads(payload: str, rule_id: str) -> None:
    found = deser.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, found


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_real_pickles_of_a_reduce_gadget_are_detected(protocol: int) -> None:
    raw = pickle.dumps(_Gadget(), protocol=protocol)  # never loaded: only scanned
    assert deser.scan(base64.b64encode(raw).decode(), CTX) is not None
    assert deser.scan(raw.decode("latin-1"), CTX) is not None


def test_pickle_of_plain_data_passes() -> None:
    assert deser.scan(base64.b64encode(pickle.dumps({"a": [1, 2]}, protocol=4)).decode(), CTX) is None


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(deser, "deser", ["$", "!!", "gASV", "rO0AB", 'O:8:"', "cos\n", "\x80\x04", "aced0005"])


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ('{"@type":"java.lang.AutoCloseable"}', "body.@type"),  # fastjson 1.2.68's autoType bypass probe
        ('{"a":{"@class":"java.util.logging.FileHandler","pattern":"/tmp/x"}}', "body.a.@class"),  # Jackson
        ('{"@type":"com.zaxxer.hikari.HikariConfig"}', "body.@type"),  # a library class, not the JDK's
    ],
)
def test_json_type_keys_naming_a_java_class_are_reported(body: str, location: str) -> None:
    verdict = Firewall().inspect(_json_post(body))
    assert [(f.rule_id, f.location) for f in verdict.findings] == [("HG-DESER-003", location)]


@pytest.mark.parametrize(
    "body",
    [
        '{"@context":"https://schema.org","@type":"Person","name":"Ann"}',  # JSON-LD
        '{"@type":"type.googleapis.com/google.protobuf.Duration","value":"1s"}',  # protobuf's JSON Any
        '{"language":"java.lang.String is immutable","@class":"premium"}',
    ],
)
def test_json_type_keys_of_other_vocabularies_pass(body: str) -> None:
    assert Firewall().inspect(_json_post(body)).findings == []


def _json_post(body: str) -> dict[str, object]:
    return {
        "resource": "/orders",
        "path": "/orders",
        "httpMethod": "POST",
        "headers": {"Content-Type": "application/json"},
        "requestContext": {"stage": "prod", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"},
        "body": body,
        "isBase64Encoded": False,
    }


# A Marshal stream (format 4.8) built like the published universal RubyGems chain: the classes it names,
# with Marshal's type bytes and lengths around them. Never loaded: only scanned.
_RUBY_GADGET_CHAIN = (
    b"\x04\x08[\x08c\x15Gem::SpecFetcherc\x13Gem::InstallerU:\x15Gem::Requirement[\x06o:\x1cGem::Package::TarReader"
    b"\x06:\x08@ioo:\x14Net::BufferedIO\x07;\x07o:#Gem::Package::TarReader::Entry\x07:\n@readi\x00:\x0c@header"
    b"I\"\x06a\x06:\x06ET:\x12@debug_outputo:\x16Net::WriteAdapter\x07:\x0c@socketo:\x14Gem::RequestSet\x07"
)
# What a Rails cookie store keeps: a Marshal hash of the session id, the CSRF token and flash messages.
_RAILS_SESSION = (
    b"\x04\x08{\x08I\"\x0fsession_id\x06:\x06ETI\"%4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e\x06;\x00TI\"\x10_csrf_token"
    b"\x06;\x00FI\"1abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH=\x06;\x00FI\"\nflash\x06;\x00T{\x07I\"\x0cdiscard"
    b"\x06;\x00T[\x00I\"\x0cflashes\x06;\x00T{\x06I\"\x0bnotice\x06;\x00FI\"\x17Signed in successfully.\x06;\x00T"
)


@pytest.mark.parametrize("prefix", ["", "_app_session=", "x "])
def test_a_base64_ruby_marshal_gadget_chain_is_reported(prefix: str) -> None:
    found = deser.scan(prefix + base64.b64encode(_RUBY_GADGET_CHAIN).decode() + "--0f3a9c", CTX)
    assert found is not None and found.rule_id == "HG-DESER-007" and "Gem::" in found.detail, found
    erb = b"\x04\x08o:\x08ERB\x07:\t@srcI\"\x15`id` # system call\x06:\x06ET:\x0c@linenoi\x00"
    assert deser.scan(base64.b64encode(erb).decode(), CTX) is not None


@pytest.mark.parametrize("value", [
    base64.b64encode(_RAILS_SESSION).decode() + "--5a1b2c3d4e5f",  # a signed Rails session cookie
    "The Bahamas and Bahrain",
    "BAhamas",
    "xBAh" + base64.b64encode(_RUBY_GADGET_CHAIN).decode()[3:],  # "BAh" inside a longer run: no stream start
])
def test_ruby_marshal_data_without_a_gadget_passes(value: str) -> None:
    assert deser.scan(value, CTX) is None


@pytest.mark.parametrize(
    ("body", "location"),
    [
        # jsonpickle.decode() calls what a "py/reduce" names, as pickle's __reduce__ does
        ('{"user": {"py/reduce": [{"py/function": "os.system"}, {"py/tuple": ["id"]}]}}', "body.user.py/reduce"),
        ('{"py/object": "subprocess.Popen", "py/newargs": {"py/tuple": [["id"]]}}', "body.py/newargs"),
        ('{"a": {"py/repr": "os/os.system(1)"}}', "body.a.py/repr"),  # eval() in jsonpickle before 1.5
    ],
)
def test_jsonpickle_tags_that_call_or_evaluate_are_reported(body: str, location: str) -> None:
    verdict = Firewall().inspect(_json_post(body))
    assert ("HG-DESER-008", location) in {(f.rule_id, f.location) for f in verdict.findings}


@pytest.mark.parametrize(
    "body",
    [
        '{"py/object": "shop.models.Cart", "items": [1, 2]}',  # an application's own class: state, no call
        '{"note": "jsonpickle writes py/reduce for such objects"}',  # prose naming the tag
        '{"path": "lib/py/reduce.py"}',
    ],
)
def test_jsonpickle_state_and_prose_naming_its_tags_pass(body: str) -> None:
    assert Firewall().inspect(_json_post(body)).findings == []


def test_jsonpickle_tags_are_found_in_json_that_was_not_parsed() -> None:
    found = deser.scan('{"py/reduce": [{"py/function": "os.system"}', CTX)  # cut short: no JSON to walk
    assert found is not None and found.rule_id == "HG-DESER-008"


@pytest.mark.parametrize("value", ["content_type", "paypal_type", "collection_types", "cd[content_type]"])
def test_field_names_ending_in_type_skip_the_detector(value: str) -> None:
    """Json.NET's "$type" and JavaScriptSerializer's "__type" name a class; one underscore is a field."""
    assert re.search(deser.PREFILTER, value, re.IGNORECASE) is None


@pytest.mark.parametrize("key", ["$type", "__type"])
def test_dotnet_type_keys_still_reach_the_detector(key: str) -> None:
    body = '{"' + key + '": "System.Windows.Data.ObjectDataProvider, PresentationFramework", "MethodName": "Start"}'
    assert re.search(deser.PREFILTER, body, re.IGNORECASE) is not None
    found = deser.scan(body, ScanContext())
    assert found is not None and found.rule_id == "HG-DESER-005"
