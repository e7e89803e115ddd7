"""Shared fixtures: a scenario folder, the replay server, a real SQLite store, fast clients, no internet."""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import prawcore
import pytest
from sqlalchemy import select

from collectors.bluesky import BlueskySearchCollector
from collectors.jetstream import JetstreamCollector
from collectors.mastodon import MastodonCollector
from collectors.reddit import RedditCollector
from collectors.replay import ReplayServer
from collectors.rss import RssCollector
from outagewatch.store import Store
from outagewatch.store.schema import collector_runs, posts

CLIENT_TIMEOUT = 2.0
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SUB = "KaiserPermanente"
TAG = "kaiserpermanente"

WATCHLIST = """
[general]
subreddits = []
[[org]]
id = "kaiser"
name = "Kaiser Permanente"
aliases = ["kaiser permanente"]
subreddits = ["KaiserPermanente"]
search_queries = ["kaiser down"]
hashtags = ["kaiserpermanente"]
keywords = ["kaiser permanente"]
feeds = [{ url = "{base_url}/feeds/kp-status.atom", official = true, name = "KP status" }]
"""


def scenario_lines(n_reddit: int = 30, n_comments: int = 12, n_bsky: int = 25, n_masto: int = 15) -> list[dict]:
    """Posts of the default test scenario (kept small; the crash test asks for more)."""
    at = lambda minutes: (T0 + timedelta(minutes=minutes)).isoformat()  # noqa: E731
    lines: list[dict[str, Any]] = []
    for i in range(n_reddit):
        line = {"source": "reddit", "id": f"s{i:04d}", "title": f"Kaiser app down {i}", "text": f"no login #{i}"}
        line |= {"created_at": at(i), "channel": SUB, "author": f"user{i}"}
        if i == 3:
            line["deleted_at"] = at(10_000)  # deleted later: the recheck through /api/info/ must notice
        lines.append(line)
    for i in range(n_comments):
        line = {"source": "reddit", "id": f"c{i:04d}", "kind": "comment", "parent": "t3_s0001", "text": f"same {i}"}
        lines.append(line | {"created_at": at(i + 0.5), "channel": SUB, "author": f"c{i}"})
    for i in range(n_bsky):
        text = f"kaiser permanente outage again {i}" if i % 2 == 0 else f"nice weather {i}"
        line = {"source": "bluesky", "id": f"3k{i:011d}", "text": text, "created_at": at(i), "author": f"b{i}"}
        if i == 4:
            line["deleted_at"] = at(i + 0.5)
        lines.append(line)
    for i in range(n_masto):
        text = f"kaiser down #{TAG} {i}"
        lines.append(
            {"source": "mastodon", "id": f"m{i}", "text": text, "created_at": at(i), "channel": TAG, "author": f"m{i}"}
        )
    for i in range(5):
        line = {"source": "rss", "id": f"inc{i}", "title": f"Pharmacy degraded {i}", "text": f"Investigating {i}"}
        lines.append(line | {"created_at": at(i * 10), "channel": "kp-status", "author": "kp"})
    return lines


def write_scenario(folder: Path, lines: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "posts.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    (folder / "watchlist.toml").write_text(WATCHLIST, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach the internet: refuse every non-loopback connection; no praw retry sleeps."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(prawcore.sessions.FiniteRetryStrategy, "_sleep_seconds", lambda self: None)
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
                raise AssertionError(f"a test tried to reach {address}: only 127.0.0.1 is allowed")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    return write_scenario(tmp_path / "scenario", scenario_lines())


@pytest.fixture
def server(scenario_dir: Path) -> Iterator[ReplayServer]:
    with ReplayServer(scenario_dir, page_cap=10) as srv:
        yield srv


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open("sqlite:///" + str(tmp_path / "t.db"), author_salt="test-salt")
    yield s
    s.close()


def make(srv: ReplayServer, name: str, **overrides: Any) -> Any:
    """A collector pointed at the replay server, with short timeouts and small pages.

    Timeouts are short but not tight: on a loaded CI machine a 0.5 s timeout let requests expire
    before the server read them, so a queued fault was sometimes never served.
    """
    if name == "reddit":
        kw = {"subreddits": [SUB], "queries": ["kaiser down"], "base_url": srv.reddit_url, "auth_url": srv.base_url}
        return RedditCollector(
            "id", "secret", "outagewatch-test/0.1", **(kw | {"timeout": CLIENT_TIMEOUT, "batch_size": 10} | overrides)
        )
    if name == "bluesky":
        kw = {"queries": ["kaiser permanente"], "timeout": CLIENT_TIMEOUT, "page_size": 5}
        return BlueskySearchCollector(srv.bluesky_url, "h.example", "app-pw", **(kw | overrides))
    if name == "jetstream":
        kw = {"keywords": ["kaiser permanente"], "idle_seconds": 0.4, "max_seconds": 10, "max_reconnects": 1}
        return JetstreamCollector(srv.jetstream_url, **(kw | {"timeout": 2.0} | overrides))
    if name == "mastodon":
        kw = {"hashtags": [TAG], "queries": ["kaiser down"], "access_token": "t", "timeout": CLIENT_TIMEOUT}
        kw["page_size"] = 5
        return MastodonCollector([srv.mastodon_url], **(kw | overrides))
    if name == "rss":
        feeds = [(srv.feed_url("kp-status.atom"), "kaiser", True)]
        return RssCollector(feeds, **({"timeout": CLIENT_TIMEOUT} | overrides))
    raise KeyError(name)


@pytest.fixture
def collector(server: ReplayServer) -> Callable[..., Any]:
    return lambda name, **kw: make(server, name, **kw)


def stored(store: Store, source: str | None = None) -> dict[str, dict[str, Any]]:
    """native_id -> row of the stored posts (optionally of one source)."""
    stmt = select(posts)
    if source:
        stmt = stmt.where(posts.c.source == source)
    with store.engine.connect() as conn:
        return {r.native_id: dict(r._mapping) for r in conn.execute(stmt)}


def runs(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(collector_runs).order_by(collector_runs.c.id))]


def collect_all(c: Any, state: dict | None = None) -> tuple[list, dict | None]:
    """Run a collector to the end; returns its posts and the last state."""
    out = []
    for batch in c.collect(state):
        out.extend(batch.posts)
        state = batch.state
    return out, state
