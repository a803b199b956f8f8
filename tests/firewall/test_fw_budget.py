"""Bad and hostile input: never an exception, never a hang; the verdict says what was not inspected."""

from __future__ import annotations

import base64
import gc
import gzip
import json
import sys
import time
import urllib.parse
from typing import Any

from fw_helpers import SQLI, TEST_DETECTORS, XSS, b64_gzip_json, event, requires_interpreted

from hullguard.firewall import Firewall

FW = Firewall(detectors=TEST_DETECTORS)


def _sqs(body: str) -> dict[str, Any]:
    ev = event("sqsEvent.json")
    ev["Records"][0]["body"] = body
    return ev


def test_ten_thousand_deep_json_object_is_cut_at_max_depth() -> None:
    deep: Any = SQLI
    for _ in range(10_000):
        deep = {"a": deep}
    verdict = FW.inspect(deep)
    assert verdict.budget_exhausted and "nesting deeper than 64" in verdict.incomplete_reason
    assert not verdict.error
    # what lies below the cut is still looked at, as found where the nesting was cut
    assert [finding.location for finding in verdict.findings] == ["a" + ".a" * 63]


def test_payload_nested_just_below_the_depth_limit_in_a_json_body_is_found() -> None:
    """JSON the parser accepts (70 levels: below every Python's recursion limit) but deeper than the
    walk goes: the cut subtree's strings are scanned, keys too."""
    body = "[" * 70 + json.dumps(SQLI) + "]" * 70
    verdict = FW.inspect(_sqs(body))
    assert verdict.blocked and verdict.budget_exhausted
    assert [finding.location for finding in verdict.findings] == ["Records[0].body" + "[0]" * 63]
    nested_key = json.dumps(json.loads('{"x":' * 80 + '{"$where": "sleep(5000)"}' + "}" * 80))
    verdict = Firewall().inspect(_sqs(nested_key))
    assert "nosql" in [finding.attack for finding in verdict.findings]


def test_ten_thousand_deep_json_text_in_a_body() -> None:
    body = "[" * 10_000 + json.dumps(SQLI) + "]" * 10_000
    verdict = FW.inspect(_sqs(body))
    # Before Python 3.14 the JSON parser's own depth limit ends as "not JSON", scanned as text; 3.14's
    # parser reads it, and the walk scans what lies below its depth limit (``Inspection.too_deep``).
    # On every version the cut is reported.
    assert not verdict.error
    assert verdict.findings and verdict.findings[0].location.startswith("Records[0].body")
    assert verdict.budget_exhausted
    if sys.version_info < (3, 14):
        assert verdict.incomplete_reason.startswith("JSON at Records[0].body nested deeper than the parser reads")


def test_json_deeper_than_the_parser_reads_in_a_decoded_view_is_reported() -> None:
    """A URL-encoded query value that decodes to JSON nested too deep for the parser (before 3.14)."""
    deep = "[" * 10_000 + json.dumps(SQLI) + "]" * 10_000
    ev = event("apiGatewayProxyEvent.json")
    ev["queryStringParameters"] = {"filter": urllib.parse.quote(deep)}
    ev["multiValueQueryStringParameters"] = {"filter": [urllib.parse.quote(deep)]}
    verdict = FW.inspect(ev)
    assert not verdict.error
    assert verdict.findings and verdict.findings[0].location.startswith("queryStringParameters.filter")
    assert verdict.budget_exhausted


def test_deep_list_nesting_and_payload_below_the_limit_is_found() -> None:
    shallow: Any = SQLI
    for _ in range(30):
        shallow = [shallow]
    verdict = FW.inspect({"data": shallow})
    assert verdict.findings and verdict.findings[0].location == "data" + "[0]" * 30


def test_gzip_bomb_in_cloudwatch_logs_stops_at_the_decoded_budget() -> None:
    ev = event("cloudWatchLogEvent.json")
    bomb = gzip.compress(b'{"logEvents": [{"message": "' + b"A" * 50_000_000 + b'"}]}')
    ev["awslogs"]["data"] = base64.b64encode(bomb).decode()
    verdict = Firewall(detectors=TEST_DETECTORS, policy={"budget": {"max_decoded_bytes": 1_000_000}}).inspect(ev)
    assert verdict.budget_exhausted and "decoded data over" in verdict.incomplete_reason
    assert not verdict.error


def test_truncated_gzip_and_base64_are_inspected_as_far_as_possible() -> None:
    ev = event("cloudWatchLogEvent.json")
    full = base64.b64decode(b64_gzip_json({"messageType": "DATA_MESSAGE", "logEvents": [{"message": SQLI}]}))
    ev["awslogs"]["data"] = base64.b64encode(full[: len(full) - 12]).decode()[:-3]  # cut gzip and base64
    verdict = FW.inspect(ev)
    assert not verdict.error
    assert any("truncated" in p or "corrupt" in p for p in verdict.extra.get("decode_problems", []))


def test_cyclic_gc_is_paused_while_a_big_json_body_is_walked_and_the_hosts_setting_kept() -> None:
    body = json.dumps({"items": [{"id": i, "note": "order note " * 4, "tags": ["a", "b"]} for i in range(3000)]})
    assert len(body) > 64 * 1024
    ev = event("apiGatewayProxyEvent.json")
    ev["body"] = body[:-1] + ', "last": "' + SQLI + '"}'
    collections: list[str] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(phase)

    assert gc.isenabled()
    gc.callbacks.append(count)
    try:
        verdict = FW.inspect(ev)
    finally:
        gc.callbacks.remove(count)
    assert gc.isenabled()  # enabled again after the inspection
    # ~12,000 objects parsed and walked: collections would run over and over; one may run at the end
    assert len(collections) <= 1, collections
    assert any(f.location == "body.last" for f in verdict.findings)
    gc.disable()  # a host that turned the collector off keeps it off
    try:
        FW.inspect(ev)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_six_megabyte_payload_is_inspected_within_the_time_budget() -> None:
    body = json.dumps({"items": [{"id": i, "text": "lorem ipsum dolor sit amet " * 4} for i in range(50_000)]})
    assert len(body) > 6_000_000
    ev = event("apiGatewayProxyEvent.json")
    ev["body"] = body[:-1] + ', "last": "' + SQLI + '"}'
    verdict = FW.inspect(ev)
    assert not verdict.error and verdict.bytes_scanned > 0
    if not verdict.budget_exhausted:
        assert any(f.location == "body.last" for f in verdict.findings)


def test_time_budget_stops_a_huge_event_and_says_so() -> None:
    strings = {f"k{i}": f"value number {i}, with some text" for i in range(200_000)}
    fw = Firewall(detectors=TEST_DETECTORS, policy={"budget": {"time_budget_ms": 5, "max_strings": 1_000_000}})
    verdict = fw.inspect(strings)
    assert verdict.budget_exhausted and "time budget" in verdict.incomplete_reason


def test_huge_key_count_is_bounded_by_max_strings() -> None:
    keys = {f"key_{i}": i for i in range(300_000)}
    verdict = Firewall(detectors=TEST_DETECTORS, policy={"budget": {"max_strings": 10_000}}).inspect(keys)
    assert verdict.budget_exhausted and "more than" in verdict.incomplete_reason


def test_budget_exhaustion_can_block_when_the_policy_says_so() -> None:
    deep: Any = "x"
    for _ in range(100):
        deep = {"a": deep}
    assert not FW.inspect(deep).blocked
    strict = Firewall(detectors=TEST_DETECTORS, policy={"on_budget_exhausted": "block"})
    verdict = strict.inspect(deep)
    assert verdict.blocked and verdict.budget_exhausted


def test_non_utf8_bytes_and_wrong_types_do_not_raise() -> None:
    odd: list[Any] = [
        None,
        42,
        "plain string",
        b"\xff\xfe\x00bytes " + SQLI.encode(),
        ["list", "at", "top"],
        {"Records": "not a list"},
        {"Records": [None, 1, "x", {"eventSource": "aws:sqs", "body": None}]},
        {"Records": [{"eventSource": "aws:sqs", "body": 12, "messageAttributes": "no"}]},
        {"Records": [{"s3": {"object": {"key": 5}}}]},
        {"requestContext": {"elb": {}}, "headers": ["not", "a", "map"], "body": {"dict": "body"}},
        {"resource": "/", "httpMethod": "GET", "requestContext": None, "multiValueHeaders": {"a": "b"}},
        {"awslogs": {"data": "%%%not base64%%%"}},
        {"awslogs": {"data": None}},
        {"Records": [{"eventSource": "aws:kinesis", "kinesis": {"data": "////"}}]},
        {"Records": [{"eventSource": "aws:dynamodb", "dynamodb": {"NewImage": {"a": {"M": "x"}, "b": {"L": 3}}}}]},
        {"eventSource": "aws:kafka", "records": {"t-0": [{"value": 7, "headers": [{"h": [300, -1]}]}]}},
        {1: "int key", (1, 2): "tuple key"},
        float("nan"),
        {"surrogate": "\ud800 lone surrogate " + SQLI},
    ]
    for item in odd:
        verdict = FW.inspect(item)
        assert not verdict.error, (item, verdict.error)
    assert FW.inspect(b"\xff\xfe\x00bytes " + SQLI.encode()).findings


def test_recursive_structure_does_not_hang() -> None:
    loop: dict[str, Any] = {"name": "x"}
    loop["self"] = loop
    verdict = FW.inspect(loop)
    assert verdict.budget_exhausted and not verdict.error


def test_detectors_get_their_own_slice_after_prefilter_passes_that_used_the_scan_up(monkeypatch: Any) -> None:
    """Megabytes of views that match (3 MB of attack lines) had made the prefilter passes use the whole
    scan slice, so that no detector ran and an event full of attacks had no finding. The passes are made
    slow here: what they found is still looked at, within the detectors' own slice."""
    requires_interpreted("slows the prefilter passes by replacing Scanner.prefilter")
    from hullguard.firewall.scanner import Scanner

    passes = Scanner.prefilter

    def slow_passes(self: Scanner, joined: str, texts: list[str], hits: dict[int, Any], deadline: float) -> None:
        passes(self, joined, texts, hits, deadline)
        while time.perf_counter() <= deadline:  # the passes took all of the scan's slice
            pass

    monkeypatch.setattr(Scanner, "prefilter", slow_passes)
    fw = Firewall(detectors=TEST_DETECTORS, policy={"budget": {"time_budget_ms": 40}})
    verdict = fw.inspect(_sqs(json.dumps({"note": SQLI})))
    assert [f.attack for f in verdict.findings] == ["sqli"], verdict.incomplete_reason


def test_a_prefilter_pass_cut_at_its_deadline_leaves_the_other_families_their_share(monkeypatch: Any) -> None:
    """A pass over megabytes of views is stopped at its deadline (a 3 MB body had kept the passes busy for
    seconds); the families after it still get a share of their own, and what they find is looked at."""
    requires_interpreted("cuts the first family's pass by replacing Scanner._hit_views")
    from hullguard.firewall.scanner import Scanner

    passes = Scanner._hit_views
    asked: list[str] = []

    def first_pass_overruns(pattern: Any, subject: str, det: Any, starts: Any, hits: Any, until: float) -> bool:
        asked.append(det.family)
        if det.family == "sqli":  # the first family's pass runs to its deadline and is cut there
            while time.perf_counter() <= until:
                pass
            return True
        return bool(passes(pattern, subject, det, starts, hits, until))

    monkeypatch.setattr(Scanner, "_hit_views", staticmethod(first_pass_overruns))
    fw = Firewall(detectors=TEST_DETECTORS, policy={"budget": {"time_budget_ms": 40}})
    verdict = fw.inspect(_sqs(json.dumps({"note": XSS})))
    assert asked[0] == "sqli" and "xss" in asked
    assert [f.attack for f in verdict.findings] == ["xss"]
    assert verdict.budget_exhausted and "while scanning" in verdict.incomplete_reason


def test_decoding_a_body_of_many_encoded_values_stops_at_the_time_budget(monkeypatch: Any) -> None:
    """The strings a body's walk queued are decoded in one go; the clock is read every 256 of them, as the
    walk reads it (a 6 MB body of encoded attack lines had taken seconds past a 1 s budget there)."""
    requires_interpreted("slows each decoding by replacing Inspection.derive")
    from hullguard.firewall.inspection import Inspection

    derive = Inspection.derive
    calls: list[str] = []

    def slow_derive(self: Inspection, text: str, *args: Any) -> None:
        calls.append(text)
        time.sleep(0.0002)
        derive(self, text, *args)

    monkeypatch.setattr(Inspection, "derive", slow_derive)
    fw = Firewall(detectors=TEST_DETECTORS, policy={"budget": {"time_budget_ms": 20}})
    ev = event("apiGatewayProxyEvent.json")
    ev["body"] = json.dumps({"items": [f"%3Cb%3E{i}" for i in range(2_000)]})
    verdict = fw.inspect(ev)
    assert verdict.budget_exhausted and "time budget" in verdict.incomplete_reason
    assert 0 < len(calls) < 1_000


def test_slow_detector_on_a_dense_long_text_is_stopped_by_the_deadline() -> None:
    import types

    from hullguard.events.schema import Severity
    from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext
    from hullguard.firewall.prefilter import MAX_WINDOWS

    calls: list[int] = []

    def slow_scan(text: str, ctx: ScanContext) -> Detection | None:
        calls.append(len(text))
        deadline = time.perf_counter() + 0.02  # a detector that needs 20 ms per window
        while time.perf_counter() < deadline:
            pass
        return None

    slow = types.ModuleType("slow")
    slow.FAMILY, slow.PREFILTER, slow.scan = "ssti", r"\$\{", slow_scan  # type: ignore[attr-defined]
    slow.RULES = (RuleInfo("HG-SSTI-999", "ssti", "slow", Severity.LOW, "CWE-0", "slow", "none"),)  # type: ignore[attr-defined]
    fw = Firewall(detectors=[slow], policy={"budget": {"time_budget_ms": 100}})
    verdict = fw.inspect({"a": "${" * 100_000, "b": "${" * 100_000})
    assert verdict.budget_exhausted and "time budget" in verdict.incomplete_reason
    assert len(calls) < 2 * MAX_WINDOWS  # stopped between windows, not after every one of them
    assert all(size <= 4_100 for size in calls)  # fixed-size windows, not the whole 200 KB text


def test_name_caches_hold_no_long_names_and_stay_bounded() -> None:
    """Object keys and parameter names are cached across events; an attacker chooses them, so long
    ones are not kept and the count is capped (otherwise a stream of events could grow memory)."""
    from hullguard.firewall import inspection

    long_name = "k" * 100_000
    FW.inspect({"order": {long_name: "v"}})
    ev = event("apiGatewayProxyEvent.json")
    ev["queryStringParameters"] = {long_name + "q": "1"}
    ev["multiValueQueryStringParameters"] = None
    FW.inspect(ev)
    assert long_name not in inspection._PLAIN_KEYS
    assert all(long_name + "q" not in names for by_path in inspection._NAMES for names in by_path.values())
    for i in range(3):
        FW.inspect({"order": {f"key{i}x{j}": "v" for j in range(3000)}})
    assert len(inspection._PLAIN_KEYS) <= inspection._MAX_NAMES
