"""The event forwarder: batched POSTs with a bearer key, a strict wait budget, stdout never lost."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from hullguard.runtime.forwarder import Forwarder

from .support import FIREWALL_OFF, api_event


class Collector:
    def __init__(self, delay: float = 0.0, status: int = 202) -> None:
        self.batches: list[dict[str, Any]] = []
        self.auth: list[str] = []
        self.paths: list[str] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(delay)
                collector.paths.append(self.path)
                collector.auth.append(self.headers.get("Authorization", ""))
                collector.batches.append(json.loads(body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def events(self) -> list[dict[str, Any]]:
        return [e for batch in self.batches for e in batch["events"]]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def collector() -> Iterator[Collector]:
    c = Collector()
    yield c
    c.close()


def wait_for(predicate: Any, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_batches_go_to_the_console_api_with_the_key(collector):
    fwd = Forwarder(collector.url, "key-1", batch_size=3)
    for i in range(7):
        fwd.enqueue({"n": i})
    assert wait_for(lambda: len(collector.events()) == 7)
    assert [e["n"] for e in collector.events()] == list(range(7))
    assert set(collector.paths) == {"/api/v1/events"} and set(collector.auth) == {"Bearer key-1"}
    assert all(len(b["events"]) <= 3 for b in collector.batches)
    assert fwd.flush(50) is True


def test_any_endpoint_is_posted_to_as_given(collector):
    fwd = Forwarder(collector.url + "/ingest/hullguard", "k", console=False)
    fwd.enqueue({"n": 1})
    assert wait_for(lambda: collector.paths == ["/ingest/hullguard"])


def test_flush_waits_no_longer_than_its_budget():
    slow = Collector(delay=1.0)
    try:
        fwd = Forwarder(slow.url, "k")
        fwd.enqueue({"n": 1})
        start = time.perf_counter()
        assert fwd.flush(5) is False
        assert time.perf_counter() - start < 0.25  # far from the collector's 1 s: the budget, not the network, decides
    finally:
        slow.close()


def test_unreachable_collector_is_counted_not_raised():
    fwd = Forwarder("http://127.0.0.1:9", "k", timeout_ms=200)  # discard port: nothing listens
    fwd.enqueue({"n": 1})
    assert wait_for(lambda: fwd.failed == 1)
    assert fwd.last_error


@pytest.mark.slow
def test_function_forwards_events_and_keeps_the_stdout_copy(function, collector):
    fn = function(
        policy={"firewall": FIREWALL_OFF, "network": {"allow": ["api.example.com:443"]},
                "forwarder": {"url": collector.url, "flush_budget_ms": 50}},
        env={"HULLGUARD_API_KEY": "fn-key"},
    )
    answer = fn.invoke(api_event({"action": "read", "path": "/proc/self/environ"}))
    assert answer.body["statusCode"] == 500
    # the collector is not on the network allow-list: the sender's own connections bypass it
    assert wait_for(lambda: {"HG-RT-FILE-002", "HG-RT-ERR-001"} <= {
        e["finding_info"]["analytic"]["uid"] for e in collector.events()})
    assert set(collector.auth) == {"Bearer fn-key"}
    stdout_uids = {e["finding_info"]["uid"] for e in fn.events()}
    assert {e["finding_info"]["uid"] for e in collector.events()} <= stdout_uids
    assert not any(e["finding_info"]["analytic"]["uid"] == "HG-RT-NET-001" for e in fn.events())
