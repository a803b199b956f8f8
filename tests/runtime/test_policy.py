"""The runtime policy: validation messages, defaults, and where the policy comes from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hullguard.runtime.loader import load_policy, read_policy_file
from hullguard.runtime.policy import ALERT, BLOCK, RuntimePolicy, RuntimePolicyError

DOC = Path(__file__).resolve().parents[2] / "docs" / "runtime.md"


def problems(data: object) -> list[str]:
    with pytest.raises(RuntimePolicyError) as info:
        RuntimePolicy.from_dict(data, source="hullguard.yml")
    return info.value.problems


def test_defaults_match_the_issue():
    policy = RuntimePolicy.from_dict(None)
    assert policy.mode == BLOCK
    assert policy.network.action == ALERT  # reported until an allow-list is given
    assert policy.network.metadata == BLOCK
    assert policy.processes.action == BLOCK
    assert policy.files.source_read == BLOCK and policy.files.secrets == BLOCK
    assert policy.code.pickle == BLOCK and policy.code.event_eval == BLOCK
    assert policy.credentials.responses == BLOCK and policy.credentials.logs == BLOCK
    assert policy.errors.verbose == BLOCK
    assert not policy.seccomp.enabled and not policy.learn.enabled


def test_an_allow_list_turns_network_to_block():
    policy = RuntimePolicy.from_dict({"network": {"allow": ["api.example.com:443", "*.example.org", "10.0.0.0/8",
                                                            "[2001:db8::1]:5432", "192.0.2.7"]}})
    assert policy.network.action == BLOCK
    kinds = [(r.kind, r.value, r.port) for r in policy.network.allow]
    assert kinds == [("host", "api.example.com", 443), ("suffix", ".example.org", None),
                     ("cidr", "10.0.0.0/8", None), ("cidr", "2001:db8::1/128", 5432), ("cidr", "192.0.2.7/32", None)]


def test_every_problem_is_reported_with_its_key_path():
    found = problems({
        "mode": "off",
        "network": {"allow": ["ok.example.com", "bad host", "10.0.0.0/33", "a.example:0"], "alow": True},
        "processes": {"action": "deny"},
        "tmp": {"cleanup": "sometimes", "allow": ["relative/*"]},
        "invokers": {"accounts": ["12345"]},
        "limits": {"max_event_bytes": -1},
        "unknown": 1,
    })
    assert "mode: 'off' is not one of block, alert" in found
    assert "network.allow[1]: 'bad host' is not a valid host name, *.domain suffix, IP address or CIDR" in found
    assert "network.allow[2]: '10.0.0.0/33' is not a valid CIDR" in found
    assert "network.allow[3]: 'a.example:0': port '0' must be a number from 1 to 65535" in found
    assert any(p.startswith("network.alow: unknown key") for p in found)
    assert "processes.action: 'deny' is not one of block, alert, allow" in found
    assert "tmp.cleanup: 'sometimes' is not one of delete, warn, off" in found
    assert "tmp.allow[0]: 'relative/*' must be an absolute path or glob" in found
    assert "invokers.accounts[0]: '12345' is not a 12-digit AWS account id" in found
    assert "limits.max_event_bytes: -1 must be an integer >= 1" in found
    assert any(p.startswith("unknown: unknown key") for p in found)


def test_yaml_off_means_off():
    import yaml

    policy = RuntimePolicy.from_dict(yaml.safe_load("tmp:\n  cleanup: off\nnetwork:\n  action: off\n"))
    assert policy.tmp.cleanup == "off" and policy.network.action == "allow"
    assert problems(yaml.safe_load("processes:\n  action: yes\n")) == [
        "processes.action: True is not one of block, alert, allow"]


def test_error_text_names_the_file():
    with pytest.raises(RuntimePolicyError) as info:
        RuntimePolicy.from_dict({"network": {"allow": ["a.com", "b.com", "10.0.0.0/33"]}}, source="hullguard.yml")
    assert str(info.value) == "hullguard.yml: network.allow[2]: '10.0.0.0/33' is not a valid CIDR"


def test_firewall_section_is_checked_by_the_firewall():
    found = problems({"firewall": {"families": {"sqlx": "off"}}})
    assert found and found[0].startswith("firewall.families.sqlx")


def test_seccomp_refuses_syscalls_python_needs():
    found = problems({"seccomp": {"enabled": True, "deny": ["execve", "read", "nosuchcall"]}})
    assert "seccomp.deny[1]: 'read' cannot be denied: the Python runtime needs it" in found
    assert found[1].startswith("seccomp.deny[2]: 'nosuchcall' is not a system call hullguard knows")


def test_yaml_syntax_error_has_a_line(tmp_path):
    path = tmp_path / "hullguard.yml"
    path.write_text("network:\n  allow: [a.example.com\n")
    with pytest.raises(RuntimePolicyError) as info:
        read_policy_file(path)
    assert str(info.value).startswith(f"{path}: line ")
    assert "invalid YAML" in str(info.value)


def test_documented_example_is_valid(tmp_path):
    text = DOC.read_text()
    start = text.index("```yaml", text.index("## Policy reference")) + len("```yaml")
    example = tmp_path / "hullguard.yml"
    example.write_text(text[start:text.index("```", start)])
    policy = read_policy_file(example)
    assert [r.text for r in policy.network.allow] == ["api.stripe.com:443", "*.example.org", "10.0.0.0/16:5432"]
    assert policy.invokers.triggers == ("api-gateway-rest", "sqs") and policy.tmp.cleanup == "delete"


def test_precedence_explicit_then_env_then_file_then_defaults(tmp_path, monkeypatch):
    for var in ("HULLGUARD_POLICY", "HULLGUARD_MODE", "HULLGUARD_LEARN", "LAMBDA_TASK_ROOT"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "hullguard.yml").write_text("processes:\n  action: alert\n")
    assert load_policy(None, str(tmp_path)).processes.action == ALERT  # file
    assert load_policy(None, None).processes.action == BLOCK  # defaults
    monkeypatch.setenv("HULLGUARD_POLICY", json.dumps({"processes": {"action": "allow"}}))
    assert load_policy(None, str(tmp_path)).processes.action == "allow"  # env beats file
    monkeypatch.setenv("HULLGUARD_POLICY", "processes:\n  action: block\n")  # inline YAML
    assert load_policy(None, str(tmp_path)).processes.action == BLOCK
    explicit = {"processes": {"action": "alert"}, "mode": "block"}
    assert load_policy(explicit, str(tmp_path)).processes.action == ALERT  # explicit beats env
    monkeypatch.setenv("HULLGUARD_MODE", "alert")
    assert load_policy(explicit, str(tmp_path)).mode == ALERT  # the one roll-out switch wins
    monkeypatch.setenv("HULLGUARD_MODE", "loud")
    with pytest.raises(RuntimePolicyError, match="HULLGUARD_MODE: 'loud' is not one of block, alert"):
        load_policy(None, None)


def test_policy_path_in_env_is_found_next_to_the_handler(tmp_path, monkeypatch):
    monkeypatch.delenv("HULLGUARD_MODE", raising=False)
    (tmp_path / "strict.yaml").write_text("mode: alert\n")
    monkeypatch.setenv("HULLGUARD_POLICY", "strict.yaml")
    assert load_policy(None, str(tmp_path)).mode == ALERT


def test_yaml_is_imported_only_for_yaml(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from hullguard.runtime.loader import load_policy; "
            "load_policy({'mode': 'alert'}); print('yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
