"""Fixtures for runtime tests: function directories copied from fixtures, run under awslambdaric."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from .emulator import Function
from .support import FIXTURES


@pytest.fixture
def function(tmp_path: Path) -> Iterator[Callable[..., Function]]:
    started: list[Function] = []

    def start(handler: str = "app.handler", *, policy: dict[str, Any] | str | None = None,
              env: dict[str, str] | None = None, app: str = "orders", wrapper: Path | None = None,
              policy_file: str | None = None, pythonpath: list[Path] | None = None,
              command: list[str] | None = None) -> Function:
        root = tmp_path / f"task{len(started)}"
        shutil.copytree(FIXTURES / "functions" / app, root)
        environ = dict(env or {})
        if policy is not None:
            environ["HULLGUARD_POLICY"] = policy if isinstance(policy, str) else json.dumps(policy)
        if policy_file is not None:
            (root / "hullguard.yml").write_text(policy_file)
        fn = Function(root, handler, environ, wrapper, pythonpath, command)
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
