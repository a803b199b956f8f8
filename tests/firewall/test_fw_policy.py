"""Policy parsing (errors name the key path) and what each knob does to a verdict."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from fw_helpers import SQLI, TEST_DETECTORS, XSS, event, requires_interpreted

from hullguard.firewall import Firewall, FirewallPolicy, PolicyError


def _body(obj: dict[str, Any]) -> dict[str, Any]:
    import json

    ev = event("apiGatewayProxyEvent.json")
    ev["body"] = json.dumps(obj)
    return ev


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"families": {"sqlx": True}}, "firewall.families.sqlx: unknown attack family"),
        ({"families": {"xss": "maybe"}}, "firewall.families.xss: expected true, false, block, alert or off"),
        ({"mode": "deny"}, "firewall.mode: expected one of block, alert"),
        ({"paranoia": 4}, "firewall.paranoia: expected an integer from 1 to 3"),
        ({"paranoia": True}, "firewall.paranoia"),
        ({"fail_mode": "maybe"}, "firewall.fail_mode: expected one of open, closed"),
        ({"budget": {"max_depth": -1}}, "firewall.budget.max_depth: expected a positive number"),
        ({"budget": {"max_size": 5}}, "firewall.budget.max_size: unknown budget"),
        ({"budget": {"count": 5}}, "firewall.budget.count: unknown budget"),
        ({"allow": [{"families": ["xss"]}]}, "firewall.allow[0].location: expected a non-empty location glob"),
        (
            {"allow": [{"location": "body.x", "rules": ["SQLI-1"]}]},
            "firewall.allow[0].rules: 'SQLI-1' is not a rule id",
        ),
        (
            {"allow": [{"location": "body.x", "families": ["nope"]}]},
            "firewall.allow[0].families: unknown attack family",
        ),
        ({"allow": {"location": "x"}}, "firewall.allow: expected a list"),
        ({"report_batch_item_failures": "yes"}, "firewall.report_batch_item_failures: expected true or false"),
        ({"colour": "red"}, "firewall.colour: unknown key"),
    ],
)
def test_bad_policies_name_the_key_path(data: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError) as err:
        FirewallPolicy.from_dict(data)
    assert str(err.value).startswith(message)


def test_whole_hullguard_yml_and_yaml_file(tmp_path: Path) -> None:
    policy_file = tmp_path / "hullguard.yml"
    policy_file.write_text(
        "runtime:\n  network: deny\nfirewall:\n  mode: alert\n  paranoia: 2\n  families:\n    ldap: off\n"
        "  allow:\n    - location: body.article.*\n      families: [xss]\n",
        encoding="utf-8",
    )
    policy = FirewallPolicy.from_file(policy_file)
    assert policy.mode == "alert" and policy.paranoia == 2
    assert "ldap" in policy.disabled_families and "ldap" not in policy.enabled_families
    assert policy.allows("body.article.html", "xss", "HG-XSS-001")
    assert not policy.allows("body.article.html", "sqli", "HG-SQLI-001")
    assert not policy.allows("body.comment", "xss", "HG-XSS-001")


def test_unreadable_and_malformed_policy_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read policy file"):
        FirewallPolicy.from_file(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("firewall: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        FirewallPolicy.from_file(bad)


def test_alert_mode_reports_without_blocking() -> None:
    verdict = Firewall(detectors=TEST_DETECTORS, policy={"mode": "alert"}).inspect(_body({"q": SQLI}))
    assert verdict.findings and not verdict.blocked


def test_family_switches() -> None:
    ev = _body({"q": SQLI, "c": XSS})
    off = Firewall(detectors=TEST_DETECTORS, policy={"families": {"sqli": False}}).inspect(ev)
    assert [f.attack for f in off.findings] == ["xss"]
    alert = Firewall(detectors=TEST_DETECTORS, policy={"families": {"xss": "alert", "sqli": "off"}}).inspect(ev)
    assert [f.attack for f in alert.findings] == ["xss"] and not alert.blocked


def test_allow_rule_by_location_glob_family_and_rule_id() -> None:
    ev = _body({"article": {"html": XSS}, "comment": XSS, "items": [{"note": SQLI}]})
    policy = {
        "allow": [
            {"location": "body.article.*", "families": ["xss"]},
            {"location": "body.items[*].note", "rules": ["HG-SQLI-001"]},
        ]
    }
    verdict = Firewall(detectors=TEST_DETECTORS, policy=policy).inspect(ev)
    assert [f.location for f in verdict.findings] == ["body.comment"]
    assert verdict.allowed == 2


def test_paranoia_level_enables_strict_rules() -> None:
    ev = _body({"q": "strict-only"})
    assert not Firewall(detectors=TEST_DETECTORS).inspect(ev).findings
    strict = Firewall(detectors=TEST_DETECTORS, policy={"paranoia": 3}).inspect(ev)
    assert [f.rule_id for f in strict.findings] == ["HG-LDAP-001"]


def test_detector_bug_becomes_internal_finding_and_fail_mode_decides() -> None:
    ev = _body({"q": "boom!"})
    open_verdict = Firewall(detectors=TEST_DETECTORS).inspect(ev)
    assert [f.rule_id for f in open_verdict.findings] == ["HG-INTERNAL-001"]
    assert "detector bug" in open_verdict.error and not open_verdict.blocked
    closed = Firewall(detectors=TEST_DETECTORS, policy={"fail_mode": "closed"}).inspect(ev)
    assert closed.blocked and closed.error


def test_engine_bug_is_caught_by_inspect(monkeypatch: pytest.MonkeyPatch) -> None:
    from hullguard.firewall.inspection import Inspection

    requires_interpreted("replaces Inspection.walk")

    def broken(self: Any) -> None:
        raise MemoryError("simulated")

    monkeypatch.setattr(Inspection, "walk", broken)
    closed = Firewall(detectors=TEST_DETECTORS, policy={"fail_mode": "closed"}).inspect(_body({"q": "x"}))
    assert closed.blocked and closed.trigger == "api-gateway-rest"
    assert closed.findings[0].rule_id == "HG-INTERNAL-001" and "MemoryError" in closed.error
    assert not Firewall(detectors=TEST_DETECTORS).inspect(_body({"q": "x"})).blocked


class _FailingMapping(Mapping[str, str]):
    """A value that fails while the walk reads it, as an engine bug would (in both builds)."""

    def __getitem__(self, key: str) -> str:
        raise MemoryError("simulated")

    def __iter__(self) -> Iterator[str]:
        raise MemoryError("simulated")

    def __len__(self) -> int:
        return 1

    def items(self) -> Any:
        raise MemoryError("simulated")


def test_a_failure_while_walking_is_caught_by_inspect() -> None:
    event = {"order": {"note": "x"}, "extra": _FailingMapping()}
    closed = Firewall(detectors=TEST_DETECTORS, policy={"fail_mode": "closed"}).inspect(event)
    assert closed.blocked and closed.findings[0].rule_id == "HG-INTERNAL-001"
    assert "MemoryError" in closed.error
    opened = Firewall(detectors=TEST_DETECTORS).inspect(event)
    assert not opened.blocked and "MemoryError" in opened.error


def test_policy_can_be_given_as_policy_object_dict_or_path(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"firewall": {"mode": "alert"}}', encoding="utf-8")
    for given in (FirewallPolicy(mode="alert"), {"mode": "alert"}, str(path), path):
        assert Firewall(detectors=TEST_DETECTORS, policy=given).policy.mode == "alert"
    with pytest.raises(PolicyError):
        Firewall(policy=42)  # type: ignore[arg-type]


def test_policy_types_behave_as_named_tuples_without_importing_typing() -> None:
    import pickle

    from hullguard.firewall.policy import Budget

    policy = FirewallPolicy.from_dict({"mode": "alert", "budget": {"max_depth": 10}})
    assert isinstance(policy, tuple) and policy.mode == "alert" and policy.budget.max_depth == 10
    assert Budget._fields[:2] == ("max_bytes", "max_depth") and Budget().max_findings == 50
    assert policy._replace(mode="block") == FirewallPolicy(budget=Budget(max_depth=10))
    assert pickle.loads(pickle.dumps(policy)) == policy
    assert repr(Budget(max_depth=3)).startswith("Budget(max_bytes=8388608, max_depth=3, ")
    assert Budget.__doc__ == "Upper bounds on the work of one ``inspect`` call."


def test_named_tuple_stand_in_rejects_what_typing_rejects() -> None:
    from hullguard.events.record import NamedTuple

    with pytest.raises(TypeError, match="without a default follows"):

        class Bad(NamedTuple):
            a: int = 1
            b: int

    with pytest.raises(AttributeError, match="cannot overwrite"):

        class Worse(NamedTuple):
            a: int = 1

            def _replace(self) -> None: ...
