"""`outagewatch demo`: the whole pipeline on a synthetic scenario, offline and without credentials.

The replay server serves the scenario to the real client libraries, the clock moving forward
in steps (a day at a time, then an hour at a time on the outage day) so collection, labeling,
detection and alerting run as they would live. Alerts go to a local webhook sink.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from outagewatch.demo import scenario
from outagewatch.demo.sink import WebhookSink
from outagewatch.resources import data_path
from outagewatch.store import Store
from outagewatch.store.schema import posts

SOURCES = ("reddit", "jetstream", "mastodon", "rss")


@dataclass(slots=True)
class DemoResult:
    """What the demo built, for its summary and for tests."""

    db_url: str
    posts: int = 0
    labeled: int = 0
    incidents: list[dict] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)
    collector_errors: list[str] = field(default_factory=list)


def steps() -> list[datetime]:
    """Clock stops: daily until two hours before the outage, then hourly to the end of the scenario."""
    hourly_from = scenario.KP_OUTAGE - timedelta(hours=2)
    out = []
    t = scenario.START + timedelta(days=1)
    while t < hourly_from:
        out.append(t)
        t += timedelta(days=1)
    t = out[-1] + timedelta(hours=1)
    while t < scenario.END:
        out.append(t)
        t += timedelta(hours=1)
    return [*out, scenario.END]


def run_demo(data_dir: Path, on_step: Callable[[int, int, datetime, str], None] | None = None) -> DemoResult:
    """Build the scenario, serve it, and run collect -> classify -> detect -> alert to its end."""
    from classifier.persist import default_model
    from collectors.registry import get
    from collectors.replay import ReplayServer
    from collectors.runner import run_all
    from outagewatch.alerts.base import configured_channels
    from outagewatch.alerts.outbox import dispatch_due, enqueue_incident_update
    from outagewatch.classify import classify_store
    from outagewatch.config import Settings
    from outagewatch.detect.run import detect_once
    from outagewatch.store import queries
    from outagewatch.watchlist import load_watchlist

    data_dir.mkdir(parents=True, exist_ok=True)
    db = data_dir / "demo.db"
    for stale in (db, db.with_name("demo.db-wal"), db.with_name("demo.db-shm"), data_dir / "demo-alerts.jsonl"):
        stale.unlink(missing_ok=True)
    folder = scenario.build(data_dir / "demo-scenario", data_path("watchlist.toml")).folder
    result = DemoResult(db_url=f"sqlite:///{db}")
    store = Store.open(result.db_url, author_salt="outagewatch-demo")
    model = default_model()
    with WebhookSink(data_dir / "demo-alerts.jsonl") as sink, ReplayServer(folder, now=scenario.START) as server:
        env = {**os.environ, **server.env(), "OUTAGEWATCH_WEBHOOK_URL": sink.url, "OUTAGEWATCH_DB_URL": result.db_url}
        settings = Settings.load(environ=env, config_file=data_dir / "demo-none.toml")
        watchlist = load_watchlist(server.watchlist_path)
        collectors = [get(name).from_settings(settings, watchlist) for name in SOURCES]
        for c in collectors:
            if hasattr(c, "idle_seconds"):
                c.idle_seconds = 0.3  # the replay server sends what it has at once
        channels = configured_channels(settings, ["webhook"])
        clock = steps()
        for i, now in enumerate(clock):
            server.scenario.clock.set(now)
            if on_step:
                on_step(i, len(clock), now, "collecting")
            for r in run_all(store, collectors, max_rate_wait=5):
                if r.status != "ok":
                    result.collector_errors.append(f"{now:%m-%d %H:%M} {r.name}: {r.error}")
            _mark_synthetic(store)
            if on_step:
                on_step(i, len(clock), now, "classifying")
            result.labeled += classify_store(store, model).labeled
            if on_step:
                on_step(i, len(clock), now, "detecting")
            detect_once(
                store, now=now, enqueue=lambda conn, inc, ver: enqueue_incident_update(conn, inc, ver, channels)
            )
            dispatch_due(store, channels)
        result.alerts = list(sink.received)
    result.posts = queries.post_count(store.engine)
    result.incidents = queries.incident_list(store.engine).to_dict("records")
    store.close()
    return result


def _mark_synthetic(store: Store) -> None:
    """Every post of the demo store comes from the synthetic scenario: say so wherever it is shown."""
    with store.engine.begin() as conn:
        conn.execute(update(posts).where(posts.c.synthetic.is_(False)).values(synthetic=True))
