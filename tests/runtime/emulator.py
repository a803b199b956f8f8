"""A small AWS Lambda Runtime API emulator on 127.0.0.1, and a runner that starts the real
``awslambdaric`` client against it.

Implements the documented endpoints of the Runtime API (2018-06-01):

- ``GET  /2018-06-01/runtime/invocation/next``              long-polls for the next event
- ``POST /2018-06-01/runtime/invocation/{id}/response``     the handler's answer
- ``POST /2018-06-01/runtime/invocation/{id}/error``        the handler's error
- ``POST /2018-06-01/runtime/init/error``                   the cold start failed

with the documented ``Lambda-Runtime-*`` headers on ``next``. Tests call ``invoke(event)`` and get
the answer (or error document) the function posted.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:demo"
SRC = Path(__file__).resolve().parents[2] / "src"

# Credentials in the documented AWS example format: never real, but shaped like Lambda's own.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "ASIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEXAMPLEtokenAQoDYXdzEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ",
}


@dataclass
class Outcome:
    request_id: str
    kind: str = ""  # "response" or "error"
    body: Any = None
    error_type: str = ""
    done: threading.Event = field(default_factory=threading.Event)


class RuntimeApi:
    def __init__(self) -> None:
        self.pending: queue.Queue[tuple[str, bytes, dict[str, str]]] = queue.Queue()
        self.outcomes: dict[str, Outcome] = {}
        self.init_error: Any = None
        self.init_failed = threading.Event()
        self.next_calls = 0
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(status)
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client went away (the function was stopped)
                    pass

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def do_GET(self) -> None:
                if self.path != f"{PREFIX}/invocation/next":
                    self._reply(404, b'{"errorMessage":"unknown path"}')
                    return
                api.next_calls += 1
                while True:
                    try:
                        _request_id, body, headers = api.pending.get(timeout=0.5)
                        break
                    except queue.Empty:
                        if getattr(api, "closing", False):
                            self._reply(500, b"{}")
                            return
                self._reply(200, body, headers)

            def do_POST(self) -> None:
                body = self._body()
                parts = self.path[len(PREFIX):].strip("/").split("/")
                if parts == ["init", "error"]:
                    api.init_error = json.loads(body or b"null")
                    api.init_failed.set()
                    self._reply(202, b'{"status":"OK"}')
                    return
                if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                    outcome = api.outcomes.get(parts[1])
                    if outcome is None:
                        self._reply(400, b'{"errorMessage":"unknown request id"}')
                        return
                    outcome.kind = parts[2]
                    outcome.body = json.loads(body) if body else None
                    outcome.error_type = self.headers.get("Lambda-Runtime-Function-Error-Type", "")
                    self._reply(202, b'{"status":"OK"}')
                    outcome.done.set()
                    return
                self._reply(404, b'{"errorMessage":"unknown path"}')

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def invoke(self, event: Any, *, timeout: float = 20.0, deadline_ms: int = 30_000) -> Outcome:
        request_id = str(uuid.uuid4())
        outcome = self.outcomes[request_id] = Outcome(request_id)
        headers = {
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
            "Lambda-Runtime-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        }
        self.pending.put((request_id, json.dumps(event).encode(), headers))
        if not outcome.done.wait(timeout):
            raise TimeoutError(f"no answer for {request_id} within {timeout}s")
        return outcome

    def close(self) -> None:
        self.closing = True
        self.server.shutdown()
        self.server.server_close()


class Function:
    """The real runtime interface client running one function directory, talking to ``RuntimeApi``."""

    def __init__(self, task_root: Path, handler: str, env: dict[str, str] | None = None,
                 wrapper: Path | None = None, pythonpath: list[Path] | None = None,
                 command: list[str] | None = None) -> None:
        self.api = RuntimeApi()
        self.task_root = task_root
        self.stdout_path = task_root.parent / f"{task_root.name}.stdout"
        self.stderr_path = task_root.parent / f"{task_root.name}.stderr"
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("HULLGUARD_", "AWS_"))}
        environ.update(FAKE_CREDENTIALS)
        environ.update({
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
            "LAMBDA_TASK_ROOT": str(task_root),
            "PYTHONPATH": os.pathsep.join(str(p) for p in [task_root, *(pythonpath or [SRC])]),
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_LAMBDA_FUNCTION_NAME": "demo",
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
            "_HANDLER": handler,
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        environ.update(env or {})
        command = command or [sys.executable, "-m", "awslambdaric", handler]
        if wrapper is not None:
            command = ["/bin/sh", str(wrapper), *command]
        self.proc = subprocess.Popen(
            command, cwd=task_root, env=environ,
            stdout=self.stdout_path.open("wb"), stderr=self.stderr_path.open("wb"),
        )

    def invoke(self, event: Any, **kwargs: Any) -> Outcome:
        if self.proc.poll() is not None:
            raise RuntimeError(f"function exited with {self.proc.returncode}: {self.stderr()[-2000:]}")
        return self.api.invoke(event, **kwargs)

    def wait_init_error(self, timeout: float = 20.0) -> Any:
        if not self.api.init_failed.wait(timeout):
            raise TimeoutError(f"no init error; stderr: {self.stderr()[-2000:]}")
        return self.api.init_error

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def events(self) -> list[dict[str, Any]]:
        """The security events the function printed (one JSON line each)."""
        out = []
        for line in self.stdout().splitlines():
            start = line.find('{"schema":"hullguard.event/1"')
            if start >= 0:
                try:
                    out.append(json.loads(line[start:]))
                except json.JSONDecodeError:
                    continue
        return out

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.api.close()
