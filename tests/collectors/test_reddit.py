"""praw against the replay server: pagination, state, resume, deletes, config errors."""

from __future__ import annotations

import pytest
from conftest import SUB, T0, collect_all, make, stored

from collectors.base import ConfigError
from collectors.reddit import RedditCollector
from collectors.runner import run_one
from outagewatch.config import Settings
from outagewatch.watchlist import load_watchlist


def test_pages_through_listings_and_maps_fields(server, store) -> None:
    c = make(server, "reddit")
    result = run_one(store, c)
    assert result.status == "ok", result.error
    rows = stored(store, "reddit")
    assert len(rows) == 42  # 30 submissions + 12 comments, over pages of 10
    new_pages = [q for m, p, q in server.log if p == f"/r/{SUB}/new"]
    assert len(new_pages) >= 3
    assert any("after=t3_" in q for q in new_pages)
    sub = rows["t3_s0010"]
    assert sub["text"] == "Kaiser app down 10\n\nno login #10"
    assert sub["kind"] == "submission"
    assert sub["channel"] == SUB
    assert sub["author_key"]
    assert sub["author_handle"] is None
    comment = rows["t1_c0002"]
    assert comment["kind"] == "comment"
    assert comment["thread_id"] == "t3_s0001"
    assert rows["t3_s0003"]["deleted"] is True  # deleted_at passed: "[deleted]" author, "[removed]" body
    assert {p for _, p, _ in server.log} <= {"/api/v1/access_token", f"/r/{SUB}/new", f"/r/{SUB}/comments/",
                                            "/r/all/search/", "/api/info/"}  # fmt: skip


def test_resume_reads_only_newer_posts_and_notices_later_deletes(scenario_dir, store) -> None:
    from collectors.replay import ReplayServer

    with ReplayServer(scenario_dir, page_cap=10, now=T0 + __import__("datetime").timedelta(minutes=15)) as srv:
        assert run_one(store, make(srv, "reddit")).status == "ok"
        first = stored(store, "reddit")
        assert "t3_s0015" in first
        assert "t3_s0016" not in first
        assert first["t3_s0003"]["deleted"] is False
        state = store.load_state("reddit")
        assert state[f"r/{SUB}/new"] == (T0.timestamp() + 15 * 60)
        srv.scenario.clock.set(None)  # release everything, including the deletion of s0003
        before = len(srv.log)
        assert run_one(store, make(srv, "reddit")).status == "ok"
        rows = stored(store, "reddit")
        assert len(rows) == 42
        assert rows["t3_s0003"]["deleted"] is True
        # the resumed run stopped at the cursor: it did not page back to the oldest posts
        assert not any("after=t3_s0005" in q for _, _, q in srv.log[before:])


def test_collector_yields_no_praw_objects(server) -> None:
    posts, state = collect_all(make(server, "reddit"))
    assert posts
    assert all(type(p).__module__ == "outagewatch.models" for p in posts)
    assert all(isinstance(v, (int, float, str, list, type(None))) for v in state.values())


def test_missing_credentials_name_flag_env_and_file_key(tmp_path) -> None:
    settings = Settings.load(environ={}, config_file=tmp_path / "none.toml")
    with pytest.raises(ConfigError, match="OUTAGEWATCH_REDDIT_CLIENT_ID") as info:
        RedditCollector.from_settings(settings, load_watchlist())
    assert "--reddit-client-id" in str(info.value)
    assert "reddit_client_id" in str(info.value)


def test_from_settings_uses_configured_urls_no_public_host(server, store, tmp_path) -> None:
    settings = Settings.load(environ=server.env(), config_file=tmp_path / "none.toml")
    c = RedditCollector.from_settings(settings, load_watchlist(server.watchlist_path))
    assert c.base_url == server.reddit_url
    assert c.auth_url == server.base_url
    assert run_one(store, c).status == "ok"
