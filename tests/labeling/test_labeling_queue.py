"""The human-label queue, saving decisions beside model labels, and Cohen's kappa per head."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from classifier.active import export_human_labels_jsonl, human_training_rows, most_uncertain
from classifier.jsonl import post_from_record, read_labeled
from outagewatch import labeling
from outagewatch.store import queries


def test_uncertain_queue_puts_the_least_sure_first_and_skips_done_and_deleted(labeled):
    store, info = labeled
    queue = labeling.next_posts(store, "carla", limit=500)
    margins = (queue["p_report"] - 0.5).abs().tolist()
    assert margins == sorted(margins)
    assert info.deleted_key[1] not in set(queue["native_id"])
    first = queue.iloc[0]
    labeling.save_human_label(store, first["source"], first["native_id"], "carla", is_report=True)
    after = labeling.next_posts(store, "carla", limit=500)
    assert first["native_id"] not in set(after["native_id"])
    assert len(after) == len(queue) - 1
    assert first["native_id"] in set(labeling.next_posts(store, "dana", limit=500)["native_id"])


def test_random_queue_is_seeded_and_agreement_queue_offers_others_posts(labeled):
    store, info = labeled
    one = labeling.next_posts(store, "carla", mode="random", limit=10, seed=1)["id"].tolist()
    assert one == labeling.next_posts(store, "carla", mode="random", limit=10, seed=1)["id"].tolist()
    assert one != labeling.next_posts(store, "carla", mode="random", limit=10, seed=2)["id"].tolist()
    shared = labeling.next_posts(store, "carla", mode="agreement", limit=50)
    assert sorted(zip(shared["source"], shared["native_id"], strict=True)) == sorted(info.human_keys)
    assert labeling.next_posts(store, "ana", mode="agreement", limit=50).empty  # ana labeled all of them


def test_human_label_lives_beside_the_model_label(labeled):
    store, _ = labeled
    post = labeling.next_posts(store, "carla", limit=1).iloc[0]
    before = queries.post_labels(store.engine, int(post["id"]))
    labeling.save_human_label(
        store, post["source"], post["native_id"], "carla", is_report=False, services=["pharmacy"], state="ca"
    )
    labeling.save_human_label(store, post["source"], post["native_id"], "carla", is_report=True, services=["lab"])
    after = queries.post_labels(store.engine, int(post["id"]))
    model_before = before[before["origin"] == "model"].reset_index(drop=True)
    model_after = after[after["origin"] == "model"].reset_index(drop=True)
    assert len(model_after) == 1
    assert model_after.equals(model_before)  # the model's label is untouched
    carla = after[after["labeler"] == "carla"]
    assert carla["origin"].tolist() == ["human"]  # the second decision replaced the first
    assert carla["is_report"].tolist() == [True]
    assert carla["services"].tolist() == [["lab"]]
    assert len(after) == len(before) + 1
    with pytest.raises(ValueError, match="annotator"):
        labeling.save_human_label(store, post["source"], post["native_id"], "  ", is_report=True)
    with pytest.raises(ValueError, match="unknown services"):
        labeling.save_human_label(store, post["source"], post["native_id"], "carla", is_report=True, services=["x"])


def frame(rows: list[tuple]) -> pd.DataFrame:
    cols = ["post_id", "annotator", "is_report", "org", "services", "state", "region", "labeled_at"]
    return pd.DataFrame([(*r, None, pd.Timestamp("2025-06-01", tz="UTC")) for r in rows], columns=cols)


def test_kappa_per_head_matches_a_hand_computed_value():
    rows = [
        (1, "a", True, "kaiser", ["pharmacy"], "CA"), (1, "b", True, "kaiser", ["pharmacy"], "CA"),
        (2, "a", True, "cvs", ["billing"], "CA"), (2, "b", False, "cvs", [], "CA"),
        (3, "a", False, "kaiser", [], "OR"), (3, "b", False, "kaiser", [], "OR"),
        (4, "a", False, None, [], None), (4, "b", False, None, [], None),
        (5, "a", True, "kaiser", ["lab"], "CA"),  # only one annotator: left out
    ]  # fmt: skip
    table = labeling.agreement(frame(rows), "a", "b").set_index("head")
    # is_report: a = TTFF, b = TFFF -> p_o = 0.75, p_e = 0.5 * 0.25 + 0.5 * 0.75 = 0.5 -> kappa 0.5
    assert table.loc["is_report", "kappa"] == pytest.approx(0.5)
    assert table.loc["is_report", "posts"] == 4
    assert table.loc["org", "kappa"] == pytest.approx(1.0)
    expected = cohen_kappa_score(
        ["pharmacy", "billing", "(none)", "(none)"], ["pharmacy", "(none)", "(none)", "(none)"]
    )
    assert table.loc["services (exact set)", "kappa"] == pytest.approx(round(expected, 3))
    assert table.loc["service: billing", "agree"] == pytest.approx(0.75)
    assert "service: lab" not in table.index  # only labeled on a post b never saw
    pairs = labeling.annotator_pairs(frame(rows))
    assert pairs[["a", "b", "shared"]].values.tolist() == [["a", "b", 4]]


def test_kappa_is_undefined_when_a_head_never_varies():
    rows = [(1, "a", True, "kaiser", [], "CA"), (1, "b", True, "kaiser", [], "CA")]
    table = labeling.agreement(frame(rows), "a", "b").set_index("head")
    assert pd.isna(table.loc["is_report", "kappa"])
    assert table.loc["is_report", "agree"] == 1.0


def test_human_labels_become_training_rows_by_majority(labeled, tmp_path):
    store, info = labeled
    labeling.save_human_label(store, *info.human_keys[0], "carla", is_report=False)
    rows = {r["id"]: r for r in human_training_rows(store)}
    assert len(rows) == 6
    first = rows[":".join(info.human_keys[0])]
    assert first["is_report"] is False  # ana yes, ben no, carla no
    assert first["annotators"] == ["ana", "ben", "carla"]
    second = rows[":".join(info.human_keys[1])]
    assert second["is_report"] is True  # ana yes, ben yes
    assert second["services"] == ["pharmacy"]
    path = tmp_path / "human.jsonl"
    assert export_human_labels_jsonl(store, path) == 6
    records = read_labeled(path)
    assert [post_from_record(r).text for r in records] == [r["text"] for r in rows.values()]
    assert json.loads(path.read_text(encoding="utf-8").splitlines()[0])["origin"] == "human"


def test_most_uncertain_is_the_queue_rule():
    assert most_uncertain([0.9, 0.52, 0.1, 0.45, 0.5], 3).tolist() == [4, 1, 3]
