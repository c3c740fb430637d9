"""A real webhook receiver on 127.0.0.1: records every request and answers from a script."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """Answers each request with the next status of SCRIPT, then 200 once the script is used up."""

    def __init__(self, script: list[int] | None = None) -> None:
        self.script = list(script or [])
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/readiness"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The first COUNT requests, once they arrived; fails after TIMEOUT seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return self.requests[:count]
            time.sleep(0.02)
        raise AssertionError(f"expected {count} requests within {timeout} s, got {len(self.requests)}")

    def _answer(self, received: Received) -> int:
        with self._lock:
            self.requests.append(received)
            return self.script.pop(0) if self.script else 200

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status = receiver._answer(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                reply = f"answered {status}".encode()
                self.send_response(status)
                self.send_header("content-length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep the test output quiet

        return Handler

    @contextmanager
    def running(self) -> Iterator[Receiver]:
        thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join()


def eventually(check: Any, timeout: float = 10.0) -> Any:
    """CHECK's first truthy result, polling; fails after TIMEOUT seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: last result {result!r}")
        time.sleep(0.02)
