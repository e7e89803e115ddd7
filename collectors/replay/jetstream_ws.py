"""The Jetstream v1 ``/subscribe`` WebSocket of the replay server (websockets.sync.server)."""

from __future__ import annotations

import json
import threading
import time
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from collectors.replay import payloads as pl
from collectors.replay.faults import FaultQueue
from collectors.replay.scenario import Scenario


def _events(scenario: Scenario, wanted: list[str], cursor: int | None) -> list[dict[str, Any]]:
    """Every released event at or after ``cursor``, oldest first, filtered like the real server."""
    now = scenario.clock.read()
    events = []
    for post in scenario.visible("bluesky")[::-1]:
        for event in pl.jetstream_events(post, scenario.is_deleted(post)):
            if now is not None and event["time_us"] > pl.time_us(now):
                continue
            collection = event["commit"]["collection"]
            if wanted and not any(
                collection == w or (w.endswith(".*") and collection.startswith(w[:-1])) for w in wanted
            ):
                continue
            if cursor is None or event["time_us"] >= cursor:
                events.append(event)
    return sorted(events, key=lambda e: e["time_us"])


class JetstreamServer:
    """Serves released events, then keeps streaming new ones as the scenario clock advances."""

    def __init__(
        self,
        scenario: Scenario,
        faults: FaultQueue,
        log: list[tuple[str, str, str]],
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        from websockets.sync.server import serve

        self.scenario, self.faults, self.log = scenario, faults, log
        self.stopping = threading.Event()
        self.server = serve(self.handle, host, port, process_request=self.process_request)
        self.port = self.server.socket.getsockname()[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="replay-jetstream", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.thread.join(timeout=5)

    def process_request(self, connection: Any, request: Any) -> Any:
        path = urlsplit(request.path).path
        self.log.append(("WS", path, urlsplit(request.path).query))
        if path != "/subscribe":
            return connection.respond(HTTPStatus.NOT_FOUND, f"the replay server does not serve {path}\n")
        fault = self.faults.take(path)
        if fault is None:
            return None
        if fault.kind in ("429", "500"):
            response = connection.respond(int(fault.kind), f"injected {fault.kind}\n")
            if fault.kind == "429":
                response.headers["Retry-After"] = str(int(fault.retry_after))
            return response
        connection.replay_fault = fault  # applied once the handshake is done
        return None

    def handle(self, ws: Any) -> None:
        query = parse_qs(urlsplit(ws.request.path).query)
        wanted = query.get("wantedCollections", [])
        cursor = int(query["cursor"][0]) if query.get("cursor") else None
        fault = getattr(ws, "replay_fault", None)
        if fault is not None and fault.kind == "timeout":
            time.sleep(fault.seconds)
        sent = 0
        last = cursor
        while not self.stopping.is_set():
            batch = _events(self.scenario, wanted, last)
            batch = [e for e in batch if last is None or e["time_us"] > last or sent == 0]
            for event in batch:
                if fault is not None and sent >= fault.after and fault.kind in ("disconnect", "malformed", "truncate"):
                    if fault.kind == "disconnect":
                        ws.close(1011, "injected disconnect")
                        return
                    text = json.dumps(event)
                    ws.send("{not json" if fault.kind == "malformed" else text[: len(text) // 2])
                    fault = None
                ws.send(json.dumps(event))
                sent += 1
                last = event["time_us"]
            try:
                ws.recv(timeout=0.05)  # nothing is expected from clients; this notices a close
            except TimeoutError:
                continue
            except Exception:
                return
