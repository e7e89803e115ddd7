"""The live path on a real store: labels -> counts -> detectors -> incidents (synthetic posts)."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from outagewatch.detect.counts import recount
from outagewatch.detect.run import detect_once
from outagewatch.models import Label, Post
from outagewatch.store import queries
from outagewatch.store.schema import incident_posts

START = datetime(2025, 5, 20, tzinfo=UTC)
OUTAGE = datetime(2025, 5, 24, 15, 0, tzinfo=UTC)


def _scenario(seed: int = 3) -> tuple[list[Post], list[Label]]:
    """Three days of sparse background reports, then a two-hour outage at ~30 reports per 5 min."""
    rng = random.Random(seed)
    posts, labels = [], []

    def add(t: datetime, org: str, services: tuple[str, ...], region: str | None, state: str | None) -> None:
        i = len(posts)
        posts.append(Post("reddit", f"p{i}", "synthetic report", t, author_handle=f"u{rng.randrange(10**6)}"))
        labels.append(
            Label(
                "reddit",
                f"p{i}",
                True,
                0.9,
                org=org,
                services=services,
                region=region,
                state=state,
                model_version="test",
            )
        )

    t = START
    while t < OUTAGE + timedelta(hours=8):
        if rng.random() < 0.04:
            add(t, "kaiser", ("billing",), None, None)
        if rng.random() < 0.03:
            add(t, "cvs", ("pharmacy",), None, "TX")
        t += timedelta(minutes=5)
    for minute in range(0, 120):
        for _ in range(rng.randint(4, 8)):
            at = OUTAGE + timedelta(minutes=minute, seconds=rng.randrange(60))
            region, state = rng.choice([("Northern California", "CA"), ("Northwest", "OR")])
            add(at, "kaiser", rng.choice([("pharmacy",), ("pharmacy", "lab"), ("records",)]), region, state)
    posts.append(
        Post(
            "rss",
            "ack1",
            "We are investigating issues affecting pharmacy and lab systems.",
            OUTAGE + timedelta(minutes=75),
            url="https://status.example/1",
            official_org="kaiser",
            kind="status",
        )
    )
    return posts, labels


@pytest.fixture
def seeded(store):
    posts, labels = _scenario()
    store.upsert_posts(posts)
    store.upsert_labels(labels)
    recount(store, START, OUTAGE + timedelta(hours=9))
    return store


def test_outage_opens_one_confirmed_incident_with_its_services_and_regions(seeded):
    sent = []
    summary = detect_once(seeded, now=OUTAGE + timedelta(days=1), enqueue=lambda conn, i, v: sent.append((i, v)))
    incidents = queries.incident_list(seeded.engine)
    kaiser = incidents[incidents["org"] == "kaiser"]
    assert len(kaiser) == 1, incidents[["org", "opened_at", "status"]]
    inc = kaiser.iloc[0]
    assert OUTAGE <= inc["opened_at"] <= OUTAGE + timedelta(minutes=20)
    assert inc["status"] == "resolved"
    assert inc["level"] == "confirmed"
    assert {"pharmacy", "records"} <= set(inc["services"])
    assert "billing" not in inc["services"]
    assert {"Northern California", "Northwest"} <= set(inc["regions"])
    assert 60 <= inc["lead_minutes"] <= 80
    assert inc["lead_grade"] == "C"
    assert inc["peak"] > 5 * max(inc["baseline"], 0.2)
    assert incidents[incidents["org"] == "cvs"].empty, "background noise must not open incidents"
    with seeded.engine.connect() as conn:
        linked = conn.execute(select(func.count()).select_from(incident_posts)).scalar_one()
    assert linked >= 500
    assert summary.changed
    assert sent, "every new incident version is announced"
    assert len(set(sent)) == len(sent)


def test_detection_resumes_without_rescoring(seeded):
    first = detect_once(seeded, now=OUTAGE + timedelta(minutes=30))
    assert first.changed
    assert first.changed[0].status == "open"
    second = detect_once(seeded, now=OUTAGE + timedelta(minutes=30))
    assert second.hot_bins == 0
    assert not second.changed
    third = detect_once(seeded, now=OUTAGE + timedelta(days=1))
    incidents = queries.incident_list(seeded.engine, org="kaiser")
    assert len(incidents) == 1
    assert incidents.iloc[0]["status"] == "resolved"
    assert incidents.iloc[0]["version"] >= 2
    assert third.changed


def test_posts_without_a_known_author_count_as_one_voice_each():
    import pandas as pd

    from outagewatch.detect.counts import count_rows

    reports = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "source": ["reddit"] * 3,
            "created_at": [OUTAGE, OUTAGE + timedelta(minutes=1), OUTAGE + timedelta(minutes=2)],
            "author_key": [None, None, "a"],
            "org": ["kaiser"] * 3,
            "services": [["pharmacy"]] * 3,
            "state": [None] * 3,
            "region": [None] * 3,
        }
    )
    reports.loc[0, "author_key"] = float("nan")  # what pandas holds for a missing key
    total = next(r for r in count_rows(reports) if (r.service, r.region, r.source) == ("*", "*", "*"))
    assert (total.posts, total.authors) == (3, 3)


def test_saved_detector_states_adopt_changed_default_params(seeded):
    """States saved under other parameters run on with the current ones and keep their baseline."""
    from outagewatch.detect.live import run_detectors, save_states
    from outagewatch.detect.params import DEFAULT_PARAMS, DetectorParams
    from outagewatch.store import incidents as incident_rows

    old = DetectorParams(alpha=1e-6, refractory_hours=2.0)
    first = run_detectors(seeded, OUTAGE - timedelta(hours=6), params=old)
    with seeded.engine.begin() as conn:
        save_states(conn, first)
    with seeded.engine.connect() as conn:
        saved = incident_rows.load_detector_states(conn)
    assert saved
    assert all(state["params"] == old.to_dict() for _, state in saved.values())
    learned = {name: state["baseline"] for name, (_, state) in saved.items()}

    second = run_detectors(seeded, OUTAGE - timedelta(hours=6) + timedelta(minutes=5))
    assert {name for name, _, _ in second.states} == set(saved)
    for name, _, state in second.states:
        assert state["params"] == DEFAULT_PARAMS.to_dict()
        assert state["baseline"]["n_learned"] >= learned[name]["n_learned"]  # kept, not rebuilt
        assert state["n_bins"] == saved[name][1]["n_bins"] + 1
