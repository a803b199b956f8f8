"""Send security events to the console (or any HTTPS endpoint) in batches, off the hot path.

The stdout copy of every event is written first by the reporter; the forwarder only adds a remote
copy. A background thread posts ``{"events": [...]}`` with ``Authorization: Bearer <key>``; at the end
of an invocation the middleware calls ``flush(budget_ms)``, which waits at most that long (a few
milliseconds) so Lambda does not freeze the environment with events still queued. Anything not sent
in time goes out with the next invocation; a full queue drops the oldest remote copies (counted).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections import deque
from typing import Any

from hullguard.runtime.state import STATE


class Forwarder:
    def __init__(self, url: str, api_key: str, *, console: bool = True, batch_size: int = 50,
                 timeout_ms: int = 2000, max_queue: int = 1000) -> None:
        parsed = urllib.parse.urlsplit(url)
        path = parsed.path.rstrip("/")
        if console and not path.endswith("/api/v1/events"):
            path += "/api/v1/events"
        self._scheme, self._netloc, self._path = parsed.scheme, parsed.netloc, path or "/"
        self._api_key = api_key
        self._batch_size = batch_size
        self._timeout = timeout_ms / 1000
        self._queue: deque[dict[str, Any]] = deque(maxlen=max_queue)
        self._wake = threading.Condition()
        self._idle = threading.Event()
        self._idle.set()
        self._thread: threading.Thread | None = None
        self.sent = 0
        self.failed = 0
        self.dropped = 0
        self.last_error = ""

    def enqueue(self, event: dict[str, Any]) -> None:
        with self._wake:
            if len(self._queue) == self._queue.maxlen:
                self.dropped += 1
            self._queue.append(event)
            self._idle.clear()
            self._wake.notify()
        if self._thread is None:
            self._start()

    def flush(self, budget_ms: float) -> bool:
        """Wait up to ``budget_ms`` for the queue to drain; True when everything was sent."""
        if self._idle.is_set():
            return True
        return self._idle.wait(budget_ms / 1000)

    def _start(self) -> None:
        thread = threading.Thread(target=self._run, name="hullguard-forwarder", daemon=True)
        self._thread = thread
        thread.start()

    def _run(self) -> None:
        STATE.internal_threads.add(threading.get_ident())
        while True:
            with self._wake:
                while not self._queue:
                    self._idle.set()
                    self._wake.wait()
                batch = [self._queue.popleft() for _ in range(min(self._batch_size, len(self._queue)))]
            try:
                self._post(batch)
                self.sent += len(batch)
            except Exception as exc:  # the console being down must never reach the function
                self.failed += len(batch)
                self.last_error = f"{type(exc).__name__}: {exc}"[:300]
                time.sleep(0.05)

    def _post(self, batch: list[dict[str, Any]]) -> None:
        import http.client  # imported on first send: keeps it out of the cold start

        body = json.dumps({"events": batch}, separators=(",", ":"), default=str).encode()
        conn_class = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        conn = conn_class(self._netloc, timeout=self._timeout)
        try:
            conn.request("POST", self._path, body, {
                "Authorization": f"Bearer {self._api_key}",
                "Content-Type": "application/json",
                "User-Agent": "hullguard-runtime",
            })
            resp = conn.getresponse()
            resp.read()
            if resp.status >= 300:
                raise OSError(f"collector answered {resp.status}")
        finally:
            conn.close()
