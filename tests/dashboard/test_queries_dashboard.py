"""The read functions the dashboard added to outagewatch.store.queries, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from outagewatch.store import queries
from tests.dashboard.seed import END, MODEL, SPIKE_POSTS, seed


def test_dimension_values_and_orgs_come_from_counts(store):
    seed(store)
    engine = store.engine
    assert queries.dimension_values(engine, "kaiser", "service") == ["appointments", "login_app", "pharmacy"]
    assert queries.dimension_values(engine, "cvs", "region") == ["state:FL", "state:NY", "state:TX"]
    assert queries.dimension_values(engine, "kaiser", "source") == ["bluesky", "mastodon", "reddit"]
    assert queries.dimension_values(engine, "nobody", "service") == []
    assert queries.orgs_with_counts(engine, ["hca", "cvs", "kaiser"]) == ["cvs", "kaiser"]
    assert queries.latest_bin(engine) == END - timedelta(minutes=5)
    assert queries.first_bin(engine, "kaiser") < END - timedelta(days=7)
    assert queries.latest_bin(engine, "nobody") is None


def test_breakdown_and_series_by_agree_with_the_totals(store):
    seed(store)
    since = END - timedelta(hours=24)
    top = queries.breakdown(store.engine, "kaiser", since, END, by="service")
    total = queries.count_series(store.engine, "kaiser", since, END)["posts"].sum()
    assert top["posts"].sum() == total
    assert top["service"].iloc[0] == "pharmacy"
    per = queries.count_series_by(
        store.engine, "kaiser", since, END, by="region", values=["state:CA", "state:CO"], service="pharmacy"
    )
    assert set(per["region"]) <= {"state:CA", "state:CO"}
    ca = queries.count_series(store.engine, "kaiser", since, END, service="pharmacy", region="state:CA")
    assert per[per["region"] == "state:CA"]["posts"].sum() == ca["posts"].sum() >= SPIKE_POSTS


def test_incident_posts_labels_versions_and_collector_success(store):
    info = seed(store)
    engine = store.engine
    assert queries.incident(engine, info.open_incident)["lead_grade"] == "A"
    assert queries.incident(engine, 999) is None
    behind = queries.incident_post_list(engine, info.open_incident)
    assert len(behind) == SPIKE_POSTS
    assert behind["created_at"].is_monotonic_increasing
    assert behind["services"].iloc[0] == ["pharmacy"]
    labels = queries.post_labels(engine, int(behind["id"].iloc[0]))
    assert set(labels["origin"]) == {"model", "human"}
    versions = queries.label_versions(engine).set_index("labeler")
    assert versions.loc[MODEL, "labels"] == versions.loc[MODEL, "reports"] > SPIKE_POSTS
    assert versions.loc["m-2025.04", "reports"] == 0
    success = queries.collector_last_success(engine).set_index("collector")["last_success"]
    assert set(success.index) == {"reddit", "mastodon"}
    assert success["reddit"] - success["mastodon"] > timedelta(days=1)
