"""The parts `outagewatch run` supervises, and the health endpoint it serves."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from outagewatch.config import Settings
from outagewatch.pipeline import Part, StepFailed, Supervisor
from outagewatch.store import Store
from outagewatch.watchlist import WatchList


def collector_parts(settings: Settings, watchlist: WatchList, store: Store, interval: float) -> list[Part]:
    """One part per configured collector; a source without credentials is left out and said so."""
    from collectors.registry import REGISTRY
    from collectors.runner import run_one

    parts = []
    for name, cls in REGISTRY.items():
        try:
            collector = cls.from_settings(settings, watchlist)
        except Exception as exc:  # a missing credential only disables that source
            parts.append(Part(f"collect:{name}", _disabled(str(exc)), interval=3600.0))
            continue

        def step(stop: threading.Event, collector: Any = collector) -> None:
            result = run_one(store, collector, stop=stop)
            if result.status != "ok":
                raise StepFailed(result.error or result.status)

        parts.append(Part(f"collect:{name}", step, interval=interval))
    return parts


def _disabled(reason: str) -> Any:
    def step(_stop: threading.Event) -> None:
        raise StepFailed(f"not configured: {reason}")

    return step


def pipeline_parts(settings: Settings, store: Store, interval: float) -> list[Part]:
    """Classify, detect and dispatch loops."""
    from classifier.persist import load_model
    from outagewatch.alerts.base import configured_channels
    from outagewatch.alerts.outbox import dispatch_due, enqueue_incident_update
    from outagewatch.classify import classify_store
    from outagewatch.detect.run import detect_once

    model = load_model(settings.get("model_dir"))
    channels = configured_channels(settings)

    def classify(_stop: threading.Event) -> None:
        classify_store(store, model)

    def detect(_stop: threading.Event) -> None:
        enqueue = (lambda conn, i, v: enqueue_incident_update(conn, i, v, channels)) if channels else None
        detect_once(store, enqueue=enqueue)

    def dispatch(_stop: threading.Event) -> None:
        if channels:
            dispatch_due(store, channels)

    return [Part("classify", classify, interval), Part("detect", detect, interval), Part("dispatch", dispatch, 10.0)]


def serve_health(supervisor: Supervisor, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """GET /health answers the supervisor's status as JSON (200 when ok, 503 otherwise)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.rstrip("/") not in ("/health", ""):
                self.send_error(404)
                return
            health = supervisor.health()
            body = json.dumps(health).encode()
            self.send_response(200 if health["status"] == "ok" else 503)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    return server
