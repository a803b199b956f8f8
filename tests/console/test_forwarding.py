"""SIEM forwarding against fake receivers on 127.0.0.1 that fail, then recover: nothing is lost."""

from __future__ import annotations

import json
import re
import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from hullguard.console.forwarding.formats import cef_message, syslog_line, verify_webhook
from hullguard.console.forwarding.worker import Forwarder, RetryPolicy, add_destination
from hullguard.console.models import DeadLetter, Destination

from .conftest import Console, make_event


class FlakyReceiver:
    """An HTTP endpoint that answers 503 to the first ``failures`` requests, then 200."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.failures > 0:
                    receiver.failures -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"text":"Success","code":0}')

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/collector/event"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[FlakyReceiver]:
    made = FlakyReceiver(failures=3)
    yield made
    made.close()


def _ingest(console: Console, count: int) -> set[str]:
    events = [make_event(evidence=f"payload {i} | a=b \\ c\nnext") for i in range(count)]
    assert console.api("/api/v1/events", {"events": [e.to_dict() for e in events]}).status_code == 200
    return {e.uid for e in events}


def _drive(forwarder: Forwarder, rounds: int, start: int) -> int:
    """Run passes with the clock moved past every backoff, as the background thread would over time."""
    delivered = 0
    for i in range(rounds):
        delivered += forwarder.run_once(now=start + i * 10 * 60 * 1000)
    return delivered


def test_webhook_outage_is_retried_with_backoff_and_signed(sqlite_console: Console, receiver: FlakyReceiver) -> None:
    with sqlite_console.state.transaction() as session:
        add_destination(session, "hook", "webhook", receiver.url, "s3cret-hmac-key")
    uids = _ingest(sqlite_console, 5)
    forwarder = Forwarder(sqlite_console.state.sessions, RetryPolicy(max_attempts=10, grace_ms=0))
    now = int(time.time() * 1000) + 1000
    assert forwarder.run_once(now=now) == 0  # receiver down
    with sqlite_console.state.sessions() as session:
        dest = session.scalars(select(Destination)).one()
        assert dest.attempts == 1 and "503" in dest.last_error and dest.next_attempt_ms == now + 1000
    assert forwarder.run_once(now=now + 500) == 0  # still backing off: no request made
    assert receiver.failures == 2
    assert _drive(forwarder, 4, now + 2000) == 5
    headers, body = receiver.requests[-1]
    assert verify_webhook(
        "s3cret-hmac-key",
        headers["x-hullguard-timestamp"],
        headers["x-hullguard-signature"],
        body,
        now_s=int(time.time()),
    )
    assert not verify_webhook(
        "other-key", headers["x-hullguard-timestamp"], headers["x-hullguard-signature"], body, now_s=int(time.time())
    )
    assert {e["finding_info"]["uid"] for e in json.loads(body)["events"]} == uids


def test_long_outage_goes_to_dead_letters_then_is_delivered(sqlite_console: Console, receiver: FlakyReceiver) -> None:
    with sqlite_console.state.transaction() as session:
        add_destination(session, "splunk", "splunk", receiver.url, "hec-token-123")
    uids = _ingest(sqlite_console, 4)
    forwarder = Forwarder(sqlite_console.state.sessions, RetryPolicy(max_attempts=2, grace_ms=0))
    now = int(time.time() * 1000) + 1000
    _drive(forwarder, 2, now)  # two failures: the batch is dead-lettered, the cursor moves on
    with sqlite_console.state.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DeadLetter)) == 4
    later = _ingest(sqlite_console, 2)
    delivered = _drive(forwarder, 3, now + 3_600_000)  # receiver back: new events, then the dead letters
    assert delivered == 6
    received = set()
    for headers, body in receiver.requests:
        assert headers["authorization"] == "Splunk hec-token-123"
        decoder = json.JSONDecoder()
        text, pos = body.decode(), 0
        while pos < len(text):
            obj, pos = decoder.raw_decode(text, pos)
            received.add(obj["event"]["finding_info"]["uid"])
    assert received == uids | later
    with sqlite_console.state.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DeadLetter)) == 0
        assert session.scalars(select(Destination)).one().delivered == 6


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_syslog_tcp_outage_then_recovery_with_octet_counting(sqlite_console: Console) -> None:
    port = _free_port()
    with sqlite_console.state.transaction() as session:
        add_destination(session, "syslog", "syslog", f"tcp://127.0.0.1:{port}")
    uids = _ingest(sqlite_console, 3)
    forwarder = Forwarder(sqlite_console.state.sessions, RetryPolicy(max_attempts=10, grace_ms=0))
    now = int(time.time() * 1000) + 1000
    assert forwarder.run_once(now=now) == 0  # nothing listens yet: connection refused
    received = bytearray()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            while chunk := self.request.recv(65536):
                received.extend(chunk)

    with socketserver.TCPServer(("127.0.0.1", port), Handler) as server:
        thread = threading.Thread(target=server.handle_request, daemon=True)
        thread.start()
        assert forwarder.run_once(now=now + 600_000) == 3
        thread.join(timeout=5)
    messages = []
    data = bytes(received)
    while data:
        length, _, rest = data.partition(b" ")
        messages.append(rest[: int(length)].decode())
        data = rest[int(length) :]
    assert len(messages) == 3
    pattern = re.compile(r"^<107>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ hullguard - hullguard-event - CEF:0\|")
    for message in messages:
        assert pattern.match(message), message
    assert {re.search(r"externalId=(\w+)", m).group(1) for m in messages} == uids  # type: ignore[union-attr]


def test_syslog_udp_delivers_datagrams(sqlite_console: Console) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind(("127.0.0.1", 0))
        sink.settimeout(5)
        with sqlite_console.state.transaction() as session:
            add_destination(session, "udp", "syslog", f"udp://127.0.0.1:{sink.getsockname()[1]}")
        uids = _ingest(sqlite_console, 2)
        forwarder = Forwarder(sqlite_console.state.sessions, RetryPolicy(grace_ms=0))
        assert forwarder.run_once(now=int(time.time() * 1000) + 1000) == 2
        got = {re.search(r"externalId=(\w+)", sink.recv(65536).decode()).group(1) for _ in range(2)}  # type: ignore[union-attr]
    assert got == uids


def test_cef_escapes_header_and_extension_characters() -> None:
    event = make_event(evidence="a|b=c\\d\nEVIL=1", location="body.x").to_dict()
    event["finding_info"]["title"] = "pipe | in title"
    message = cef_message(event)
    header = message.split("|")
    assert header[0] == "CEF:0" and header[1] == "hullguard"
    assert "pipe \\| in title" in message
    assert "msg=a|b\\=c\\\\d\\nEVIL\\=1" in message  # an injected key=value cannot become a field
    line = syslog_line(event, hostname="host with spaces")
    assert line.startswith("<107>1 ") and " hostwithspaces hullguard " in line and "\n" not in line


def test_destinations_are_checked_when_added(sqlite_console: Console) -> None:
    with sqlite_console.state.transaction() as session:
        with pytest.raises(ValueError, match="udp://host:port"):
            add_destination(session, "bad", "syslog", "http://x")
        with pytest.raises(ValueError, match="needs a secret"):
            add_destination(session, "bad", "webhook", "http://127.0.0.1:1/hook")
        with pytest.raises(ValueError, match="kind must be"):
            add_destination(session, "bad", "kafka", "http://127.0.0.1:1/")


def test_the_served_console_forwards_in_the_background(tmp_path, receiver: FlakyReceiver) -> None:  # type: ignore[no-untyped-def]
    """End to end: events posted to the API reach the webhook through the app's own forwarder thread."""
    from fastapi.testclient import TestClient

    from hullguard.console.accounts import create_api_key
    from hullguard.console.app import create_app
    from hullguard.console.settings import ConsoleSettings, database_url_for

    receiver.failures = 1  # the first delivery fails and is retried after the backoff
    app = create_app(ConsoleSettings(database_url=database_url_for(tmp_path), forward_interval_s=0.2))
    state = app.state.console
    with state.transaction() as session:
        _, key = create_api_key(session, "fw", "events:write")
        add_destination(session, "hook", "webhook", receiver.url, "k" * 32)
    events = [make_event() for _ in range(3)]
    with TestClient(app) as client:
        answer = client.post(
            "/api/v1/events", json={"events": [e.to_dict() for e in events]}, headers={"Authorization": f"Bearer {key}"}
        )
        assert answer.status_code == 200
        deadline = time.monotonic() + 20
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.2)
    state.engine.dispose()
    assert receiver.requests, "nothing was forwarded within 20 s"
    delivered = {e["finding_info"]["uid"] for _, body in receiver.requests for e in json.loads(body)["events"]}
    assert delivered == {e.uid for e in events}


def test_dead_letter_retries_back_off_while_the_destination_is_down(sqlite_console: Console) -> None:
    calls: list[int] = []

    def down(kind: str, target: str, secret: str, events: list[dict[str, object]]) -> None:
        calls.append(len(events))
        from hullguard.console.forwarding.senders import DeliveryError

        raise DeliveryError("connection refused")

    with sqlite_console.state.transaction() as session:
        add_destination(session, "hook", "webhook", "http://127.0.0.1:9/hook", "key")
    _ingest(sqlite_console, 2)
    forwarder = Forwarder(sqlite_console.state.sessions, RetryPolicy(max_attempts=1, grace_ms=0), sender=down)
    now = int(time.time() * 1000) + 1000
    forwarder.run_once(now=now)  # fails once: dead-lettered at once (max_attempts=1)
    forwarder.run_once(now=now + 1500)  # nothing new: tries the dead letters, fails, backs off
    tries = len(calls)
    forwarder.run_once(now=now + 1600)  # within the backoff: no request at all
    assert len(calls) == tries == 2
    with sqlite_console.state.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DeadLetter)) == 2  # kept, not lost
