"""atproto search and the Jetstream firehose against the replay server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import T0, collect_all, make, stored

from collectors.base import SourceUnavailable
from collectors.replay import ReplayServer
from collectors.runner import run_one

KEPT = {f"3k{i:011d}" for i in range(0, 25, 2)}  # posts that mention "kaiser permanente"


def rkeys(rows: dict) -> set[str]:
    return {k.rsplit("/", 1)[1] for k in rows}


def test_search_paginates_with_cursor_and_logs_in(server, store) -> None:
    assert run_one(store, make(server, "bluesky")).status == "ok"
    rows = stored(store, "bluesky")
    assert rkeys(rows) == KEPT - {"3k00000000004"}  # the deleted one is no longer searchable
    calls = [q for _, p, q in server.log if p == "/xrpc/app.bsky.feed.searchPosts"]
    assert any("cursor=5" in q for q in calls)
    assert ("POST", "/xrpc/com.atproto.server.createSession", "") in server.log
    state = store.load_state("bluesky")
    assert state["kaiser permanente"].startswith("2025-03-01T12:24")


def test_search_window_since_until(server) -> None:
    c = make(server, "bluesky", since=T0 + timedelta(minutes=10), until=T0 + timedelta(minutes=20))
    posts, _ = collect_all(c)
    assert {p.native_id.rsplit("/", 1)[1] for p in posts} == {f"3k{i:011d}" for i in (10, 12, 14, 16, 18)}


def test_session_pointing_elsewhere_is_refused(server, monkeypatch) -> None:
    """The didDoc pitfall: a session naming another PDS must not move the client off the configured URL."""
    original = server.apis.xrpc

    def with_diddoc(method: str, nsid: str, query: dict) -> tuple:
        status, headers, body = original(method, nsid, query)
        if nsid == "com.atproto.server.createSession":
            service = {
                "id": "#atproto_pds",
                "type": "AtprotoPersonalDataServer",
                "serviceEndpoint": "https://pds.example.com",
            }
            body["didDoc"] = {"id": body["did"], "service": [service]}
        return status, headers, body

    monkeypatch.setattr(server.apis, "xrpc", with_diddoc)
    with pytest.raises(SourceUnavailable, match="refusing to follow"):
        collect_all(make(server, "bluesky"))
    assert all(p.startswith("/xrpc/com.atproto.server") for _, p, _ in server.log)


def test_jetstream_filters_keywords_and_propagates_deletes(server, store) -> None:
    result = run_one(store, make(server, "jetstream"))
    assert result.status == "ok", result.error
    rows = stored(store, "bluesky")
    assert rkeys(rows) == KEPT
    deleted = [k for k, r in rows.items() if r["deleted"]]
    assert [k.rsplit("/", 1)[1] for k in deleted] == ["3k00000000004"]
    state = store.load_state("jetstream")
    assert state["cursor"] == int((T0 + timedelta(minutes=24)).timestamp() * 1e6)


def test_jetstream_resumes_from_cursor_a_few_seconds_back(scenario_dir, store) -> None:
    with ReplayServer(scenario_dir, now=T0 + timedelta(minutes=9)) as srv:
        assert run_one(store, make(srv, "jetstream")).status == "ok"
        assert rkeys(stored(store, "bluesky")) == {k for k in KEPT if int(k[2:]) <= 9}
        srv.scenario.clock.set(None)
        assert run_one(store, make(srv, "jetstream")).status == "ok"
        assert rkeys(stored(store, "bluesky")) == KEPT
    subscribes = [q for m, p, q in srv.log if m == "WS" and p == "/subscribe"]
    expected = int((T0 + timedelta(minutes=9)).timestamp() * 1e6) - 5_000_000
    assert "cursor" not in subscribes[0]
    assert subscribes[1].endswith(f"cursor={expected}")


def test_jetstream_subscribe_url_rewinds(server) -> None:
    c = make(server, "jetstream")
    url = c.subscribe_url(10_000_000)
    assert url.endswith("/subscribe?wantedCollections=app.bsky.feed.post&cursor=5000000")
    assert "cursor" not in c.subscribe_url(None)
