"""`hullguard policy validate | suggest | pull`, run as a user would run them."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from .support import FIREWALL_OFF, api_event

SRC = Path(__file__).resolve().parents[2] / "src"
GOOD = "mode: block\nnetwork:\n  allow:\n    - api.example.com:443\n"


def hullguard(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hullguard", *args], capture_output=True, text=True, input=stdin,
                          env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}, timeout=60)


def test_validate_good_and_bad(tmp_path):
    good = tmp_path / "hullguard.yml"
    good.write_text(GOOD)
    ok = hullguard("policy", "validate", str(good))
    assert ok.returncode == 0 and "valid (mode block, network block with 1 allow rule" in ok.stdout
    bad = tmp_path / "broken.yml"
    bad.write_text("network:\n  allow: [a.example.com, b.example.com, 10.0.0.0/33]\nprocesses: {action: deny}\n")
    result = hullguard("policy", "validate", str(bad))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{bad}: network.allow[2]: '10.0.0.0/33' is not a valid CIDR",
        f"{bad}: processes.action: 'deny' is not one of block, alert, allow",
    ]
    missing = hullguard("policy", "validate", str(tmp_path / "nope.yml"))
    assert missing.returncode == 2 and "file not found" in missing.stderr and "Traceback" not in missing.stderr


def test_suggest_without_observations_is_bad_input(tmp_path):
    empty = tmp_path / "events.jsonl"
    empty.write_text("START RequestId: 1\nplain log line\n")
    result = hullguard("policy", "suggest", str(empty))
    assert result.returncode == 2 and "no runtime observations" in result.stderr


@pytest.mark.slow
def test_learn_mode_then_suggest(function, web_servers, tmp_path):
    port = web_servers[0]
    fn = function(policy={"firewall": FIREWALL_OFF, "learn": {"enabled": True}})
    for body in ({"action": "list"}, {"action": "fetch", "url": f"http://localhost:{port}/"},
                 {"action": "thumbnail", "file": "a.jpg"}, {"action": "export", "customer": f"learn{port}"}):
        answer = fn.invoke(api_event(body))
        assert answer.body["statusCode"] == 200  # learn mode never blocks
    log = tmp_path / "learn.jsonl"
    log.write_text(fn.stdout())
    result = hullguard("policy", "suggest", str(log), "-o", str(tmp_path / "suggested.yml"))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "suggested.yml").read_text()
    assert f'"localhost:{port}"' in text
    assert '"convert a.jpg thumb.png"' in text  # a shell command: exactly what ran, nothing more
    assert '"/tmp/*"' in text
    assert '"api-gateway-rest"' in text
    check = hullguard("policy", "validate", str(tmp_path / "suggested.yml"))
    assert check.returncode == 0, check.stderr
    # deployed, the suggestion lets the learned behaviour through and nothing else
    firewall = "firewall:\n  families: " + json.dumps(FIREWALL_OFF["families"]) + "\n"  # as during learning
    enforced = function(policy_file=text + firewall)
    assert enforced.invoke(api_event({"action": "fetch", "url": f"http://localhost:{port}/"})).body["statusCode"] == 200
    assert enforced.invoke(api_event({"action": "thumbnail", "file": "a.jpg"})).body["statusCode"] == 200
    assert enforced.invoke(api_event({"action": "thumbnail", "file": "c.jpg"})).body["statusCode"] == 500
    assert enforced.invoke(api_event({"action": "fetch", "url": "http://example.com/"})).body["statusCode"] == 500
    blocked = {e["finding_info"]["analytic"]["uid"] for e in enforced.events() if e["action"] == "blocked"}
    assert {"HG-RT-PROC-001", "HG-RT-NET-001"} <= blocked


class _Console(BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, Any]] = {}
    seen: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, self.headers.get("Authorization", "")))
        if self.headers.get("Authorization") != "Bearer k-123":
            status, payload = 401, {"detail": "bad key"}
        elif self.path in self.answers:
            status, payload = 200, self.answers[self.path]
        else:
            status, payload = 404, {"detail": "no such function"}
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def console() -> Iterator[str]:
    _Console.answers = {
        "/api/v1/functions/orders-api/policy": {"function": "orders-api", "policy": GOOD, "version": 3},
        "/api/v1/functions/broken/policy": {"function": "broken", "policy": "mode: loud\n", "version": 1},
    }
    _Console.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Console)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_pull_writes_the_validated_policy(console, tmp_path):
    out = tmp_path / "hullguard.yml"
    result = hullguard("policy", "pull", "orders-api", "--console", console, "--api-key", "k-123", "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text() == GOOD
    assert _Console.seen == [("/api/v1/functions/orders-api/policy", "Bearer k-123")]
    to_stdout = hullguard("policy", "pull", "orders-api", "--console", console, "--api-key", "k-123")
    assert to_stdout.stdout == GOOD


def test_pull_errors_are_clear(console):
    invalid = hullguard("policy", "pull", "broken", "--console", console, "--api-key", "k-123")
    assert invalid.returncode == 2 and "mode: 'loud' is not one of block, alert" in invalid.stderr
    unknown = hullguard("policy", "pull", "nope", "--console", console, "--api-key", "k-123")
    assert unknown.returncode == 2 and "404" in unknown.stderr
    denied = hullguard("policy", "pull", "orders-api", "--console", console, "--api-key", "wrong")
    assert denied.returncode == 2 and "401" in denied.stderr and "Traceback" not in denied.stderr
