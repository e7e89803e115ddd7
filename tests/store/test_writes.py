from dataclasses import replace
from datetime import UTC, timedelta

import pytest
from sqlalchemy import func, select

from outagewatch.models import CountRow, Label, Post
from outagewatch.pseudonym import author_key
from outagewatch.store import queries
from outagewatch.store.schema import collector_state, labels, posts
from tests.store.helpers import T0, make_posts


def test_same_10000_posts_written_twice_leave_10000_rows(store):
    batch = make_posts(10_000)
    assert store.upsert_posts(batch) == 10_000
    store.upsert_posts(batch)
    assert queries.post_count(store.engine) == 10_000
    with store.engine.connect() as conn:
        distinct = conn.execute(select(func.count(func.distinct(posts.c.native_id)))).scalar_one()
    assert distinct == 10_000


def test_first_version_of_a_post_is_kept(store):
    post = make_posts(1)[0]
    store.upsert_posts([post])
    store.upsert_posts([replace(post, text="edited later")])
    found = queries.find_posts(store.engine)
    assert found.loc[0, "text"] == post.text


def test_timestamps_round_trip_as_utc(store):
    post = make_posts(1)[0]
    store.upsert_posts([post])
    with store.engine.connect() as conn:
        created = conn.execute(select(posts.c.created_at)).scalar_one()
    assert created == post.created_at
    assert created.tzinfo is not None
    assert created.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(store):
    post = replace(make_posts(1)[0], created_at=T0.replace(tzinfo=None))
    with pytest.raises(Exception, match="UTC-aware"):
        store.upsert_posts([post])


def test_author_handles_become_salted_keys(store):
    store.upsert_posts(make_posts(3))
    with store.engine.connect() as conn:
        rows = conn.execute(select(posts.c.author_key, posts.c.author_handle).order_by(posts.c.id)).all()
    assert all(handle is None for _, handle in rows)
    assert rows[0][0] == author_key("test-salt", "reddit", "user0")
    assert len(rows[0][0]) == 32


def test_state_is_saved_with_its_batch(store):
    store.save_batch("reddit", make_posts(5), {"after": "p4"})
    assert store.load_state("reddit") == {"after": "p4"}
    assert queries.post_count(store.engine) == 5
    store.save_batch("reddit", make_posts(5, start=5), {"after": "p9"})
    assert store.load_state("reddit") == {"after": "p9"}


def test_a_failed_batch_saves_neither_posts_nor_state(store):
    store.save_batch("reddit", make_posts(2), {"after": "p1"})
    bad = [*make_posts(3, start=2), replace(make_posts(1, start=5)[0], created_at=None)]
    with pytest.raises(Exception):  # noqa: B017, PT011 (any DB or bind error must roll back)
        store.save_batch("reddit", bad, {"after": "p5"})
    assert store.load_state("reddit") == {"after": "p1"}
    assert queries.post_count(store.engine) == 2
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(collector_state)).scalar_one() == 1


def test_deleted_posts_are_flagged(store):
    store.upsert_posts(make_posts(3))
    store.save_batch("bluesky", [Post("reddit", "p1", "", T0, deleted=True)], {"cursor": 1})
    assert queries.post_count(store.engine, include_deleted=False) == 2
    assert set(queries.find_posts(store.engine)["native_id"]) == {"p0", "p2"}


def _label(native_id: str, **kw) -> Label:
    base = dict(is_report=True, p_report=0.9, org="kaiser", services=("pharmacy",), model_version="m1")
    base.update(kw)
    return Label("reddit", native_id, **base)


def test_model_and_human_labels_live_side_by_side(store):
    store.upsert_posts(make_posts(2))
    store.upsert_labels([_label("p0"), _label("p1")])
    store.upsert_labels([_label("p0", origin="human", annotator="ana", is_report=False, model_version=None)])
    store.upsert_labels([_label("p0", p_report=0.5)])  # relabel by the same model version replaces
    with store.engine.connect() as conn:
        rows = conn.execute(select(labels.c.origin, labels.c.labeler, labels.c.p_report).order_by(labels.c.id)).all()
    assert sorted(rows) == [("human", "ana", 0.9), ("model", "m1", 0.5), ("model", "m1", 0.9)]
    assert queries.label_count(store.engine, origin="human") == 1


def test_labels_for_unknown_posts_are_refused(store):
    with pytest.raises(KeyError, match="not stored"):
        store.upsert_labels([_label("nope")])


def test_counts_upsert_replaces_a_bin(store):
    row = CountRow("kaiser", "pharmacy", "*", "*", T0, posts=3, authors=2)
    store.upsert_counts([row, replace(row, bin_start=T0 + timedelta(minutes=5), posts=1, authors=1)])
    store.upsert_counts([replace(row, posts=7, authors=4)])
    series = queries.count_series(store.engine, "kaiser", T0, T0 + timedelta(hours=1), service="pharmacy")
    assert series["posts"].tolist() == [7, 1]
    assert series["authors"].tolist() == [4, 1]
    assert series["bin_start"].iloc[0] == T0.astimezone(UTC)
