"""Every page through Streamlit's AppTest, on a seeded store and on an empty one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard.seed import INJECTIONS, SPIKE_POSTS

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
PAGES = ["overview", "map", "trends", "posts", "incidents", "sources", "model"]


def open_page(url: str, page: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """Run the app on ``url`` and switch to one page."""
    monkeypatch.setenv("OUTAGEWATCH_DB_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(elements) -> list[str]:
    return [e.value for e in elements]


@pytest.mark.parametrize("page", PAGES)
def test_empty_store_says_what_to_run(page, empty_db, model_dir, monkeypatch):
    at = open_page(empty_db, page, monkeypatch)
    advice = " ".join(texts(at.info))
    expected = "outagewatch train" if page == "model" else "outagewatch demo"
    assert expected in advice
    if page in {"overview", "map", "trends"}:
        assert "outagewatch collect" in advice


def test_overview_shows_status_chart_services_and_incidents(seeded_db, monkeypatch):
    url, _ = seeded_db
    at = open_page(url, "overview", monkeypatch)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Kaiser Permanente"] == "Likely outage"
    assert metrics["CVS Health"] == "No problem detected"
    assert list(metrics)[2] == "pharmacy"  # the top service comes first
    assert int(metrics["pharmacy"].split()[0]) > SPIKE_POSTS
    assert any("treats that moment as now" in c for c in texts(at.caption))
    assert len(at.get("vega_lite_chart")) == 1
    assert len(at.dataframe) == 1
    assert len(at.dataframe[0].value) == 1


def test_overview_picker_switches_organization(seeded_db, monkeypatch):
    url, _ = seeded_db
    at = open_page(url, "overview", monkeypatch)
    at.selectbox(key="overview_org").set_value("cvs").run()
    assert not at.exception
    assert any(s.value.startswith("CVS Health") for s in at.subheader)
    assert any("No open incident" in c for c in texts(at.caption))


def test_map_filters_a_state(seeded_db, monkeypatch):
    url, _ = seeded_db
    at = open_page(url, "map", monkeypatch)
    assert len(at.get("vega_lite_chart")) == 1
    box = at.selectbox(key="map_state")
    assert {"CA", "CO", "OR"} <= set(box.options)
    box.set_value("CA").run()
    assert not at.exception
    assert any(s.value.startswith("CA: Northern California, Southern California") for s in at.subheader)
    posts = at.dataframe[-1].value
    assert len(posts) > SPIKE_POSTS
    assert set(posts["region"].dropna()) <= {"Northern California", "Southern California"}


def test_trends_filters_compares_and_offers_csv(seeded_db, monkeypatch):
    url, _ = seeded_db
    at = open_page(url, "trends", monkeypatch)
    assert len(at.get("vega_lite_chart")) == 2  # the series and the weekly rhythm
    assert len(at.get("download_button")) == 1
    at.selectbox(key="trends_service").set_value("pharmacy").run()
    at.radio(key="trends_compare").set_value("regions").run()
    assert not at.exception
    picked = at.multiselect(key="trends_pick_region").value
    assert "Northern California" in picked
    assert len(picked) == 5


def test_posts_show_injection_as_plain_text(seeded_db, monkeypatch):
    url, _ = seeded_db
    at = open_page(url, "posts", monkeypatch)
    at.text_input(key="posts_query").set_value("__pwned").run()
    box = at.selectbox(key="posts_pick")
    assert len(box.options) == 2
    shown = []
    for option in box.options:
        box.set_value(int(option.split()[0].lstrip("#"))).run()
        shown += texts(at.text)
        assert not any("evil.example" in m or "pwned" in m for m in texts(at.markdown))
    assert set(INJECTIONS[:2]) <= set(shown)
    assert any("Synthetic post" in w for w in texts(at.warning))


def test_posts_never_link_to_a_javascript_url(seeded_db, monkeypatch):
    url, _ = seeded_db
    at = open_page(url, "posts", monkeypatch)
    at.text_input(key="posts_query").set_value("lab results page").run()
    assert texts(at.text)[-1] == "kaiser lab results page blank"
    assert len(at.get("link_button")) == 0
    at.text_input(key="posts_query").set_value("evil.example").run()
    assert len(at.get("link_button")) == 1  # an https link is offered
    assert texts(at.text)[-1] == INJECTIONS[2]


def test_incident_detail_shows_lead_time_and_posts(seeded_db, monkeypatch):
    url, info = seeded_db
    at = open_page(url, "incidents", monkeypatch)
    assert at.selectbox(key="incidents_pick").value == info.open_incident
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Lead time"] == "40 min"
    assert metrics["Evidence"] == "likely"
    assert any(s.value == f"Posts behind it ({SPIKE_POSTS})" for s in at.subheader)
    at.selectbox(key="incidents_pick").set_value(info.resolved_incident).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Lead time"] == "not acknowledged"


def test_sources_flag_failing_and_silent_collectors(seeded_db, monkeypatch):
    url, _ = seeded_db
    at = open_page(url, "sources", monkeypatch)
    assert [e.value.split(":")[0] for e in at.error] == ["bluesky"]
    assert "Last error: RateLimited: retry after 60 s, see [status](http://evil.example/status)" in texts(at.text)
    warned = texts(at.warning)
    assert any(w.startswith("mastodon: warning: no successful run") for w in warned)
    assert not any(w.startswith("reddit") for w in warned)


def test_model_page_reads_the_card_and_counts_labels(seeded_db, model_dir, monkeypatch):
    figures = {"n": 400, "is_report": {"f1": 0.912}, "services": {"macro_f1": 0.8}, "calibration": {"brier": 0.07}}
    card = {"model_version": "m-2025.05", "trained_at": "2025-05-20", "metrics": {"heldout.jsonl": figures}}
    (model_dir / "model_card.json").write_text(json.dumps(card))
    url, _ = seeded_db
    at = open_page(url, "model", monkeypatch)
    assert at.text[0].value == "m-2025.05 · trained 2025-05-20"
    table = at.dataframe[0].value.set_index("evaluation set")
    assert table.loc["heldout.jsonl", "report F1"] == 0.912
    assert table.loc["heldout.jsonl", "posts"] == 400
    versions = at.dataframe[1].value.set_index("labeler")
    assert {"m-2025.05", "m-2025.04", "ana"} <= set(versions.index)
    stored = versions.loc["m-2025.05", "labels"]
    assert any(c == f"{stored:,} stored labels come from this version." for c in texts(at.caption))


@pytest.mark.postgres
def test_every_page_runs_on_postgresql(pg_url, monkeypatch):
    from outagewatch.store import Store
    from tests.dashboard.seed import seed

    store = Store.open(pg_url, author_salt="test-salt")
    seed(store)
    store.close()
    for page in PAGES:
        at = open_page(pg_url, page, monkeypatch)
        if page == "overview":
            assert {m.label: m.value for m in at.metric}["Kaiser Permanente"] == "Likely outage"
