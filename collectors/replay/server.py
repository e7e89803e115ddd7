"""The replay server: one HTTP port for Reddit, Bluesky XRPC, Mastodon and feeds, one WebSocket
port for Jetstream, a fault queue and a scenario clock, so the REAL client libraries can be run
offline (tests, demo, benchmarks).

    with ReplayServer("scenario/") as srv:
        srv.fault("/r/test/new", "429", retry_after=1)
        ... OUTAGEWATCH_REDDIT_BASE_URL=srv.reddit_url ...

Control endpoints: POST /__fault {"path", "kind", "count", "retry_after"?, "seconds"?, "after"?},
POST /__advance {"seconds"} or {"to": ISO or null}, POST /__post {scenario post}, GET /__log.
"""

from __future__ import annotations

import contextlib
import json
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from collectors.base import parse_time
from collectors.replay.apis import Apis
from collectors.replay.faults import FaultQueue
from collectors.replay.jetstream_ws import JetstreamServer
from collectors.replay.scenario import Scenario


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        replay = self.server.replay
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        replay.log.append((method, parts.path, parts.query))
        if parts.path.startswith("/__"):
            return self._send(*replay.control(method, parts.path, body))
        status, headers, payload = replay.apis.route(method, parts.path, query)
        fault = replay.faults.take(parts.path)
        if fault is None:
            if headers.get("ETag") and headers["ETag"] == self.headers.get("If-None-Match"):
                return self._send(304, headers, b"")
            return self._send(status, headers, payload)
        if fault.kind == "429":
            reset = str(int(time.time() + fault.retry_after))
            return self._send(
                429,
                {"Retry-After": str(int(fault.retry_after)), "ratelimit-remaining": "0", "ratelimit-reset": reset},
                {"error": "RateLimitExceeded", "message": "injected rate limit"},
            )  # fmt: skip
        if fault.kind == "500":
            return self._send(500, {}, {"error": "InternalServerError", "message": "injected server error"})
        if fault.kind == "timeout":
            time.sleep(fault.seconds)
            return self._drop()
        if fault.kind == "disconnect":
            return self._drop()
        raw = _encode(payload)
        if fault.kind == "malformed":
            raw = (
                b'{"kind": "Listing", "data": <<not json>>'
                if raw[:1] in b"{["
                else b"<?xml version='1.0'?><feed><entry"
            )
        else:  # truncate: the real page cut off half way
            raw = raw[: max(1, len(raw) // 2)]
        return self._send(200, headers, raw)

    def _send(self, status: int, headers: dict[str, str], payload: Any) -> None:
        raw = _encode(payload)
        try:
            self.send_response(status)
            headers = {"Content-Type": "application/json; charset=utf-8", **headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _drop(self) -> None:
        """Close the TCP connection without an answer."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _encode(payload: Any) -> bytes:
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    replay: ReplayServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that vanish (killed collectors, dropped connections) are part of the game."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ReplayServer:
    """Serve a scenario on 127.0.0.1 to the real clients; a context manager for tests."""

    def __init__(
        self, scenario: Scenario | Path | str, *, port: int = 0, ws_port: int = 0, page_cap: int = 100, now: Any = None
    ) -> None:
        self.scenario = scenario if isinstance(scenario, Scenario) else Scenario.load(scenario)
        if now is not None:
            self.scenario.clock.set(parse_time(now))
        self.faults = FaultQueue()
        self.log: list[tuple[str, str, str]] = []
        self.httpd = _HTTPServer(("127.0.0.1", port), _Handler)
        self.httpd.replay = self
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.apis = Apis(self.scenario, self.base_url, page_cap)
        self.jetstream = JetstreamServer(self.scenario, self.faults, self.log, port=ws_port)
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="replay-http", daemon=True)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.watchlist_path: Path | None = None

    # -- URLs -------------------------------------------------------------------------------
    @property
    def reddit_url(self) -> str:
        return self.base_url + "/"

    @property
    def bluesky_url(self) -> str:
        return self.base_url

    @property
    def mastodon_url(self) -> str:
        return self.base_url

    @property
    def jetstream_url(self) -> str:
        return f"ws://127.0.0.1:{self.jetstream.port}/subscribe"

    def feed_url(self, name: str) -> str:
        return f"{self.base_url}/feeds/{name}"

    def env(self) -> dict[str, str]:
        """The environment variables that point OutageWatch at this server."""
        env = {
            "OUTAGEWATCH_REDDIT_BASE_URL": self.reddit_url,
            "OUTAGEWATCH_REDDIT_AUTH_URL": self.base_url,
            "OUTAGEWATCH_REDDIT_CLIENT_ID": "replay-id",
            "OUTAGEWATCH_REDDIT_CLIENT_SECRET": "replay-secret",
            "OUTAGEWATCH_BLUESKY_BASE_URL": self.bluesky_url,
            "OUTAGEWATCH_BLUESKY_HANDLE": "replay-user.example",
            "OUTAGEWATCH_BLUESKY_APP_PASSWORD": "replay-app-password",
            "OUTAGEWATCH_JETSTREAM_URL": self.jetstream_url,
            "OUTAGEWATCH_MASTODON_INSTANCES": self.mastodon_url,
            "OUTAGEWATCH_MASTODON_ACCESS_TOKEN": "replay-token",
            "NO_PROXY": "127.0.0.1,localhost",
        }
        if self.watchlist_path:
            env["OUTAGEWATCH_WATCHLIST"] = str(self.watchlist_path)
        return env

    # -- control ----------------------------------------------------------------------------
    def fault(self, path: str, kind: str, count: int = 1, **options: Any) -> None:
        """Queue ``count`` faults of ``kind`` for requests to ``path``."""
        self.faults.add(path, kind, count, **options)

    def advance(self, seconds: float) -> None:
        self.scenario.clock.advance(seconds)

    def control(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, str], Any]:
        try:
            data = json.loads(body or b"{}")
            if method == "POST" and path == "/__fault":
                self.fault(data.pop("path"), str(data.pop("kind")), int(data.pop("count", 1)), **data)
            elif method == "POST" and path == "/__advance":
                if "to" in data:
                    self.scenario.clock.set(parse_time(data["to"]) if data["to"] else None)
                else:
                    self.advance(float(data.get("seconds", 0)))
            elif method == "POST" and path == "/__post":
                self.scenario.add(data)
            elif method == "POST" and path == "/__reset":
                self.faults.clear()
            elif not (method == "GET" and path == "/__log"):
                return 404, {}, {"error": "NotFound", "message": f"unknown control endpoint {path}"}
        except (ValueError, KeyError, TypeError) as exc:
            return 400, {}, {"error": "BadRequest", "message": str(exc)}
        now = self.scenario.clock.read()
        return 200, {}, {"ok": True, "now": now.isoformat() if now else None, "requests": len(self.log)}

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> ReplayServer:
        text = self.scenario.watchlist_text(self.base_url)
        if text is not None:
            self._tmp = tempfile.TemporaryDirectory(prefix="outagewatch-replay-")
            self.watchlist_path = Path(self._tmp.name) / "watchlist.toml"
            self.watchlist_path.write_text(text, encoding="utf-8")
        self._thread.start()
        self.jetstream.start()
        return self

    def stop(self) -> None:
        self.jetstream.stop()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
        if self._tmp:
            self._tmp.cleanup()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
