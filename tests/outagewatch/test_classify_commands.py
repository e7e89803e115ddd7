"""The classification commands on a real store (synthetic posts)."""

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from classifier import EXTRA_WEIGHT
from outagewatch.models import Label, Post
from outagewatch.store import Store, queries

T0 = datetime(2025, 5, 28, 17, 0, tzinfo=UTC)
TEXTS = [
    ("Kaiser pharmacy in Oakland is down, they can't fill anything, writing scripts on paper", True),
    ("kp.org won't let me log in, app says service unavailable", True),
    ("Best kaiser roll recipe for sandwiches?", False),
    ("Kaiser says systems restored after outage, news at 11", False),
]


def cli(db_url: str, *args: str, tmp_path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "OUTAGEWATCH_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-c", "from outagewatch.cli import main; main()", "--db-url", db_url, *args],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip


@pytest.fixture
def seeded(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    store = Store.open(url, author_salt="s")
    store.upsert_posts(
        Post("reddit", f"p{i}", text, T0 + timedelta(minutes=i), author_handle=f"u{i}", channel="bayarea")
        for i, (text, _) in enumerate(TEXTS)
    )
    yield url, store
    store.close()


def test_classify_labels_stored_posts_and_counts_them(seeded, tmp_path):
    url, store = seeded
    result = cli(url, "classify", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert queries.label_count(store.engine, origin="model") == len(TEXTS)
    again = cli(url, "classify", tmp_path=tmp_path)
    assert "0 posts labeled" in again.stdout, "a second pass finds nothing new"
    found = queries.find_posts(store.engine, reports_only=True)
    assert set(found["native_id"]) >= {"p0", "p1"}
    series = queries.count_series(store.engine, "kaiser", T0, T0 + timedelta(hours=1))
    assert series["posts"].sum() >= 2


def _human_labels(store: Store) -> None:
    """What an annotator said on the Labeling page (only the report decision here)."""
    store.upsert_labels(
        Label("reddit", f"p{i}", truth, 1.0, origin="human", annotator="ana") for i, (_, truth) in enumerate(TEXTS)
    )


def test_evaluate_against_the_stores_human_labels(seeded, tmp_path):
    url, store = seeded
    _human_labels(store)
    result = cli(url, "evaluate", "--human", "--output", str(tmp_path / "report.json"), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["n"] == len(TEXTS)
    assert report["is_report"]["confusion"]["tp"] + report["is_report"]["confusion"]["fn"] == 2


def test_evaluate_needs_a_file_or_human(tmp_path):
    result = cli(f"sqlite:///{tmp_path / 'x.db'}", "evaluate", tmp_path=tmp_path)
    assert result.returncode == 2


@pytest.mark.slow
@pytest.mark.timeout(900)  # a full training run: about 5 minutes on two cores, near the 300 s default
def test_train_uses_the_stores_human_labels(seeded, tmp_path):
    url, store = seeded
    _human_labels(store)
    out = tmp_path / "model"
    result = cli(url, "train", "--output-dir", str(out), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{len(TEXTS)} human-labeled posts" in result.stdout
    card = json.loads((out / "model_card.json").read_text())
    assert any("human_labels" in path for path in card["training_data"]["extra"])
    assert card["training_data"]["extra_posts"] == len(TEXTS)
    assert card["training_data"]["extra_weight"] == EXTRA_WEIGHT
