"""Mastodon.py and feedparser against the replay server: paging, state, official feeds, ETags."""

from __future__ import annotations

from datetime import timedelta

from conftest import T0, TAG, collect_all, make, stored

from collectors.replay import ReplayServer
from collectors.runner import run_one


def test_mastodon_first_run_takes_newest_page_then_pages_forward(scenario_dir, store) -> None:
    with ReplayServer(scenario_dir, now=T0 + timedelta(minutes=6)) as srv:
        assert run_one(store, make(srv, "mastodon")).status == "ok"
        first = {r["text"] for r in stored(store, "mastodon").values()}
        assert first == {f"kaiser down #{TAG} {i}" for i in range(2, 7)}  # newest page of 5
        srv.scenario.clock.set(None)  # 8 more statuses appear: two forward pages above the cursor
        assert run_one(store, make(srv, "mastodon")).status == "ok"
        rows = stored(store, "mastodon")
        assert {r["text"] for r in rows.values()} == {f"kaiser down #{TAG} {i}" for i in range(2, 15)}
        tag_calls = [q for _, p, q in srv.log if p == f"/api/v1/timelines/tag/{TAG}"]
        assert sum("min_id=" in q for q in tag_calls) >= 3
        assert ("GET", "/api/v2/search", "") not in srv.log
    row = next(iter(rows.values()))
    assert row["channel"] == f"#{TAG}"
    assert row["created_at"].tzinfo is not None
    state = store.load_state("mastodon")
    assert set(state) == {f"{srv.mastodon_url}|tag:{TAG}", f"{srv.mastodon_url}|search:kaiser down"}


def test_rss_official_feed_becomes_status_posts_and_etag_skips_unchanged(server, store) -> None:
    assert run_one(store, make(server, "rss")).status == "ok"
    rows = stored(store, "rss")
    assert len(rows) == 5
    row = rows[f"{server.base_url}/incidents/inc2"]
    assert row["kind"] == "status"
    assert row["official_org"] == "kaiser"
    assert row["text"] == "Pharmacy degraded 2\n\nInvestigating 2"
    posts, _ = collect_all(make(server, "rss"), store.load_state("rss"))
    assert posts == []  # 304 Not Modified


def test_rss_dedupes_on_link_and_reads_real_statuspage_feeds(tmp_path, store) -> None:
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "rss"  # ../shared beside the clone
    folder = tmp_path / "feeds_only"
    (folder / "feeds").mkdir(parents=True)
    atom = fixture / "github_status_history.atom"
    if atom.is_file():
        (folder / "feeds" / "gh.atom").write_bytes(atom.read_bytes())
        (folder / "feeds" / "gh.rss").write_bytes((fixture / "github_status_history.rss").read_bytes())
    else:  # outside this workspace: a tiny feed of our own
        entry = '<entry><id>x</id><link href="https://s.example/i/1"/><title>t</title><updated>2025-01-01T00:00:00Z</updated></entry>'
        doc = f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>f</title>{entry}</feed>'
        for name in ("gh.atom", "gh.rss"):
            (folder / "feeds" / name).write_text(doc)
    with ReplayServer(folder) as srv:
        from collectors.rss import RssCollector

        c = RssCollector(
            [(srv.feed_url("gh.atom"), "github", True), (srv.feed_url("gh.rss"), "github", True)], timeout=1
        )
        assert run_one(store, c).status == "ok"
    rows = stored(store, "rss")
    assert len(rows) == (25 if atom.is_file() else 1)  # the Atom and RSS copies of an incident share its link
