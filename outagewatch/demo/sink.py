"""A local webhook receiver for the demo: it records each alert once, as a real receiver would."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    server: _SinkServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key = self.headers.get("Idempotency-Key") or ""
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            self.send_response(400)
            self.end_headers()
            return
        self.server.sink.record(key, payload)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:
        return


class _SinkServer(ThreadingHTTPServer):
    daemon_threads = True
    sink: WebhookSink


class WebhookSink:
    """Receives alerts on 127.0.0.1 and appends each new Idempotency-Key's payload to a JSONL file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.received: list[dict[str, Any]] = []
        self._keys: set[str] = set()
        self._lock = threading.Lock()
        self._server = _SinkServer(("127.0.0.1", 0), _Handler)
        self._server.sink = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/alerts"
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-sink", daemon=True)

    def record(self, key: str, payload: dict[str, Any]) -> None:
        with self._lock:
            if key and key in self._keys:
                return
            self._keys.add(key)
            self.received.append(payload)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(payload) + "\n")

    def __enter__(self) -> WebhookSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
