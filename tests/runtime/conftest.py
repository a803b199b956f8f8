"""Fixtures for runtime tests: function directories copied from fixtures, run under awslambdaric."""

from __future__ import annotations

import copy
import json
import shutil
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from emulator import Function

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "runtime"

# The firewall would stop most of these payloads first; these tests prove the runtime stops them
# when it does not (defence in depth), so the families that would catch them are switched off.
FIREWALL_OFF = {"families": dict.fromkeys(("cmdi", "code", "path", "ssrf", "rfi", "deser", "ssti"), "off")}


def load_event(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "events" / name).read_text())
    return data


def api_event(body: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Powertools API Gateway REST sample with a JSON body of our choosing."""
    event = copy.deepcopy(load_event("apiGatewayProxyEvent.json"))
    event["body"] = json.dumps(body or {"action": "list"})
    return event


@pytest.fixture
def function(tmp_path: Path) -> Iterator[Callable[..., Function]]:
    started: list[Function] = []

    def start(handler: str = "app.handler", *, policy: dict[str, Any] | str | None = None,
              env: dict[str, str] | None = None, app: str = "orders", wrapper: Path | None = None,
              policy_file: str | None = None, pythonpath: list[Path] | None = None) -> Function:
        root = tmp_path / f"task{len(started)}"
        shutil.copytree(FIXTURES / "functions" / app, root)
        environ = dict(env or {})
        if policy is not None:
            environ["HULLGUARD_POLICY"] = policy if isinstance(policy, str) else json.dumps(policy)
        if policy_file is not None:
            (root / "hullguard.yml").write_text(policy_file)
        fn = Function(root, handler, environ, wrapper, pythonpath)
        started.append(fn)
        return fn

    yield start
    for fn in started:
        fn.close()


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"hello from an allowed host"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def web_servers() -> Iterator[tuple[int, int]]:
    """Two plain HTTP servers on 127.0.0.1 (free ports): one the policy lists, one it does not."""
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Hello) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield servers[0].server_address[1], servers[1].server_address[1]
    for server in servers:
        server.shutdown()
        server.server_close()
