"""Engine mechanics: prefilter rewriting for the joined views, dispatch, long texts, injected detectors."""

from __future__ import annotations

import os
import re
import types
from typing import Any

from fw_helpers import SQLI, TEST_DETECTORS, event

from hullguard.events.schema import Severity
from hullguard.firewall import Firewall, compiled, inspection
from hullguard.firewall.detectors.base import Detection, RuleInfo, ScanContext
from hullguard.firewall.prefilter import SEPARATOR, rewrite_pattern, split_passes, top_level_branches


def _detector(family: str, prefilter: str, seen: list[str]) -> types.ModuleType:
    module = types.ModuleType(f"probe_{family}")
    module.FAMILY = family  # type: ignore[attr-defined]
    module.PREFILTER = prefilter  # type: ignore[attr-defined]
    rule = RuleInfo(f"HG-{family.upper()}-001", family, "probe", Severity.LOW, "CWE-0", "probe", "none")
    module.RULES = (rule,)  # type: ignore[attr-defined]

    def scan(text: str, ctx: ScanContext) -> Detection | None:
        seen.append(text)
        return Detection(rule.rule_id, "probe", 0, min(len(text), 10))

    module.scan = scan  # type: ignore[attr-defined]
    return module


def test_rewrite_lower_cases_literals_and_keeps_escapes_and_classes() -> None:
    assert rewrite_pattern(r"SELECT\S+[A-Z]") == r"select\S+[a-z]"
    assert rewrite_pattern(r"[^A-Z]x") == r"[^a-z]x"
    assert rewrite_pattern(r"[]^x]") == r"[]^x]"
    start = rewrite_pattern(r"^cat\b")
    assert re.search(start, SEPARATOR.join(["hello", "cat x"]))
    assert not re.search(start, SEPARATOR.join(["hello", "a cat"]))
    end = rewrite_pattern(r"passwd\Z")
    assert re.search(end, SEPARATOR.join(["/etc/passwd", "next"]))
    assert not re.search(end, SEPARATOR.join(["passwd.bak", "next"]))


def test_anchored_prefilter_matches_in_any_view_not_only_the_first() -> None:
    seen: list[str] = []
    fw = Firewall(detectors=[_detector("cmdi", r"^\s*cat\s", seen)])
    verdict = fw.inspect({"a": "first value", "b": {"c": "cat /etc/hosts"}, "d": "concat x"})
    assert [f.location for f in verdict.findings] == ["b.c"]
    assert seen == ["cat /etc/hosts"]


def test_upper_case_payloads_meet_lower_case_prefilters_and_detectors_get_the_original() -> None:
    seen: list[str] = []
    fw = Firewall(detectors=[_detector("sqli", r"union\s+select", seen)])
    verdict = fw.inspect({"q": "1 UNION   SELECT x", "r": "union members"})
    assert [f.location for f in verdict.findings] == ["q"] and seen == ["1 UNION   SELECT x"]


def test_a_prefilter_that_cannot_be_lower_cased_still_works() -> None:
    seen: list[str] = []
    fw = Firewall(detectors=[_detector("xss", r"\N{LESS-THAN SIGN}script", seen)])
    assert [f.location for f in fw.inspect({"q": "<SCRIPT>x"}).findings] == ["q"]


def test_detectors_only_see_strings_their_prefilter_matches() -> None:
    seen_a: list[str] = []
    seen_b: list[str] = []
    fw = Firewall(detectors=[_detector("sqli", "alpha", seen_a), _detector("xss", "beta", seen_b)])
    fw.inspect({"x": "alpha one", "y": "beta two", "z": "gamma", "w": "alpha beta"})
    assert sorted(seen_a) == ["alpha beta", "alpha one"]
    assert sorted(seen_b) == ["alpha beta", "beta two"]


def test_long_text_is_scanned_in_windows_around_prefilter_matches() -> None:
    seen: list[str] = []
    fw = Firewall(detectors=[_detector("sqli", "needle", seen)])
    text = "x " * 50_000 + "needle" + " y" * 50_000
    verdict = fw.inspect({"doc": text})
    assert verdict.findings and all(len(window) < 10_000 for window in seen)
    assert "needle" in seen[0]


def test_placeholder_detectors_are_skipped() -> None:
    placeholder = types.ModuleType("placeholder")
    placeholder.FAMILY, placeholder.PREFILTER, placeholder.RULES = "ldap", r"(?!x)x", ()  # type: ignore[attr-defined]
    placeholder.scan = lambda text, ctx: None  # type: ignore[attr-defined]
    assert Firewall(detectors=[placeholder]).families == ()


def test_a_broken_detector_module_is_reported_not_raised() -> None:
    broken = types.ModuleType("broken")
    broken.FAMILY, broken.PREFILTER, broken.RULES = "xpath", "([unclosed", ()  # type: ignore[attr-defined]
    fw = Firewall(detectors=[broken, *TEST_DETECTORS])
    assert any("broken" in error for error in fw.load_errors)
    assert fw.inspect({"q": SQLI}).findings


def test_wrong_return_type_of_a_detector_is_an_internal_error() -> None:
    odd = types.ModuleType("odd")
    odd.FAMILY, odd.PREFILTER, odd.RULES = "crlf", "odd", ()  # type: ignore[attr-defined]
    odd.scan = lambda text, ctx: "yes"  # type: ignore[attr-defined]
    verdict = Firewall(detectors=[odd]).inspect({"q": "odd value"})
    assert verdict.findings[0].rule_id == "HG-INTERNAL-001" and "returned str" in verdict.error


def test_the_engine_calls_scan_unfiltered_where_a_detector_has_one() -> None:
    """The engine asks a detector only about views its PREFILTER matched, so it calls the module's
    ``scan_unfiltered`` (no second PREFILTER check) when there is one; a module without a ``scan`` is
    an internal error, not an exception."""
    calls: list[str] = []
    both = types.ModuleType("both")
    both.FAMILY, both.PREFILTER, both.RULES = "crlf", "odd", ()  # type: ignore[attr-defined]
    both.scan = lambda text, ctx: calls.append("scan")  # type: ignore[attr-defined]
    both.scan_unfiltered = lambda text, ctx: calls.append("unfiltered")  # type: ignore[attr-defined]
    assert not Firewall(detectors=[both]).inspect({"q": "odd value"}).findings
    assert calls == ["unfiltered"]
    scanless = types.ModuleType("scanless")
    scanless.FAMILY, scanless.PREFILTER, scanless.RULES = "crlf", "odd", ()  # type: ignore[attr-defined]
    verdict = Firewall(detectors=[scanless]).inspect({"q": "odd value"})
    assert verdict.findings[0].rule_id == "HG-INTERNAL-001" and "crlf failed" in verdict.error


def test_scan_context_tells_keys_locations_and_content_types() -> None:
    contexts: list[ScanContext] = []
    module = types.ModuleType("ctx")
    module.FAMILY, module.PREFILTER, module.RULES = "xxe", "doctype|key_", ()  # type: ignore[attr-defined]

    def scan(text: str, ctx: ScanContext) -> Detection | None:
        contexts.append(ctx)
        return None

    module.scan = scan  # type: ignore[attr-defined]
    ev: Any = event("apiGatewayProxyEvent.json")
    ev["headers"]["Content-Type"] = "text/xml"
    ev["body"] = '<?xml version="1.0"?><!DOCTYPE a><a key_x="1">t</a>'
    Firewall(detectors=[module]).inspect(ev)
    assert any(c.location == "body" and c.content_type == "application/xml" for c in contexts)
    Firewall(detectors=[module]).inspect({"key_name": 1})
    assert contexts[-1].is_key and contexts[-1].location == "key_name"


def test_rewrite_refuses_what_lower_casing_would_break() -> None:
    import pytest

    assert rewrite_pattern(r"\x41BC") == "abc"
    assert rewrite_pattern(r"\u00C9T\u00C9") == "été"
    for source in (r"[A-z]", r"[\x41-\x5a]", r"\N{LATIN CAPITAL LETTER A}"):
        with pytest.raises(ValueError):
            rewrite_pattern(source)
    seen: list[str] = []
    fw = Firewall(detectors=[_detector("sqli", r"[A-z]{3}_", seen)])  # kept case-insensitive
    assert [f.location for f in fw.inspect({"q": "ab^_"}).findings] == ["q"]


def test_prefilter_branches_split_at_the_top_level_only() -> None:
    source = r"[;|&]|\$[(|]|^\s{0,4}(?:a|b)|[ps]:[\d\[]|x|\A\[|[]|]"
    assert top_level_branches(source) == [r"[;|&]", r"\$[(|]", r"^\s{0,4}(?:a|b)", r"[ps]:[\d\[]", "x", r"\A\[", "[]|]"]


def test_anchored_prefilter_branches_match_only_at_a_view_start() -> None:
    module = types.ModuleType("anchored")
    module.FAMILY, module.PREFILTER, module.RULES = "ldap", r"^\s{0,4}needle|;drop", ()  # type: ignore[attr-defined]
    module.scan = lambda text, ctx: Detection("HG-LDAP-001", "hit", 0, len(text))  # type: ignore[attr-defined]
    fw = Firewall(detectors=[module])
    assert len(fw._detectors[0].passes) == 2  # split into an anchored and a floating search
    verdict = fw.inspect({"a": "hay", "b": "  Needle in front", "c": "a needle inside", "d": "x;DROP", "e": "needle"})
    assert sorted(f.location for f in verdict.findings) == ["b", "d", "e"]


def test_split_prefilter_hits_the_same_views_as_the_whole_pattern() -> None:
    # Leading classes are expanded into literals ("$" and "|" escaped), anchored branches searched
    # apart, a leading lookbehind kept in a pass of its own.
    source = r"[$&|;]|(?<![a-z])or(?![a-z])|\A\s{0,4}\d{1,10}[.:]|c(?:os|sys)\n|[oc]:\d|(?-i:rO0AB)"
    passes = split_passes(source)
    assert passes is not None and [anchored for _, anchored in passes] == [True, False, False]
    views = ["plain", "a$b", "x|y", "order", "1 or 2", "10.0.0.1", "v 10.0.0.1", "cos\nsystem", "o:8", "ro0abxx", "oc"]
    whole = re.compile(rewrite_pattern(source))
    expected = [v for v in views if whole.search(v)]
    got = [v for v in views if any(p.search(SEPARATOR + v if a else v) for p, a in passes)]
    assert got == expected == ["a$b", "x|y", "1 or 2", "10.0.0.1", "cos\nsystem", "o:8", "ro0abxx"]


def test_compiled_tells_which_build_runs() -> None:
    """``make unit-compiled`` runs these tests on the mypyc build, ``make unit`` on the sources."""
    assert compiled() is (os.environ.get("HULLGUARD_TEST_COMPILED") == "1")
    assert compiled() is not inspection.__file__.endswith(".py")
