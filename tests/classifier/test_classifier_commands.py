"""classify-file, evaluate, and the estimator contract (trained on a small subset)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold

from classifier.commands import classify_file, evaluate, org_balanced_weights, weighted_copies
from classifier.jsonl import read_labeled
from classifier.model import OutageModel
from outagewatch.models import SERVICES


def test_classify_file_survives_a_malformed_line(tmp_path):
    source = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "text": "kaiser pharmacy is down in Oakland, can't get my meds"}),
        "{this is not json",
        json.dumps({"id": "b"}),
        json.dumps(
            {"id": "c", "text": "made kaiser rolls today", "channel": "r/Baking", "created_at": "2026-01-05T10:00:00Z"}
        ),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors: list[tuple[int, str]] = []
    out = tmp_path / "out.jsonl"
    count = classify_file(source, out, on_error=lambda n, e: errors.append((n, e)))
    assert count == 2
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "c"]
    assert rows[0]["is_report"] is True
    assert rows[0]["org"] == "kaiser"
    assert rows[0]["state"] == "CA"
    assert rows[1]["is_report"] is False
    assert rows[1]["org"] is None
    assert set(rows[0]) >= {"p_report", "services", "region", "evidence", "model_version"}
    assert [n for n, _ in errors] == [2, 3]
    logged = (tmp_path / "out.jsonl.errors.jsonl").read_text(encoding="utf-8")
    assert '"line": 2' in logged
    assert '"line": 3' in logged


def test_evaluate_reports_every_head_with_baseline(tmp_path):
    records = read_labeled("data/labeled/handwritten_eval.jsonl")[:40]
    path = tmp_path / "small.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = evaluate(path)
    assert report["n"] == 40
    assert set(report["is_report"]) >= {"precision", "recall", "f1", "confusion"}
    assert report["calibration"]["brier"] is not None
    assert report["calibration"]["bins"]
    assert "macro_f1" in report["services"]
    assert report["keyword_baseline"]["is_report"]["f1"] >= 0
    assert report["state"]["n_known"] > 0


def test_model_follows_the_estimator_contract():
    records = read_labeled("data/labeled/synthetic_train.jsonl")[::20]
    texts = [r["text"] for r in records]
    y = np.array([r["is_report"] for r in records], dtype=int)
    y_services = np.array([[s in r["services"] for s in SERVICES] for r in records], dtype=int)
    model = OutageModel(n_features=2**12)
    assert clone(model).get_params() == model.get_params()
    assert not [k for k in vars(model) if k.endswith("_")]
    fitted = model.fit(texts, y, y_services)
    assert fitted is model
    proba = model.predict_proba(texts[:5])
    assert proba.shape == (5, 2)
    assert np.allclose(proba.sum(axis=1), 1)


def test_org_balanced_weights_make_naming_an_org_uninformative():
    records = (
        [{"org": "kaiser", "is_report": True}] * 2
        + [{"org": "kaiser", "is_report": False}] * 6
        + [{"org": None, "is_report": True}] * 9
        + [{"org": None, "is_report": False}] * 3
    )
    w = org_balanced_weights(records)
    named = np.array([r["org"] is not None for r in records])
    y = np.array([r["is_report"] for r in records])
    assert w[named].sum() == pytest.approx(8)
    assert w[~named].sum() == pytest.approx(12)
    rate_named = w[named & y].sum() / w[named].sum()
    rate_unnamed = w[~named & y].sum() / w[~named].sum()
    assert rate_named == pytest.approx(rate_unnamed) == pytest.approx(11 / 20)


def test_hand_labels_are_copied_next_to_each_other_and_capped():
    extra = [{"id": f"h{i}", "is_report": i % 3 == 0} for i in range(40)]
    copies = weighted_copies(extra, 20, n_synthetic=10_000)
    assert len(copies) == 800
    assert [r["id"] for r in copies[:21]] == ["h0"] * 20 + ["h1"]
    assert len(weighted_copies(extra, 20, n_synthetic=200)) == 200  # never outweigh the synthetic set
    assert len(weighted_copies(extra, 20, n_synthetic=10)) == 40  # but each post at least once
    assert weighted_copies([], 20, n_synthetic=10) == []


@pytest.mark.parametrize("splitter", [StratifiedKFold(5), KFold(4)])  # the report and service folds
def test_copies_of_a_hand_label_stay_in_one_fold_almost_always(splitter):
    synthetic = [{"id": f"s{i}", "is_report": i % 2 == 0} for i in range(3000)]
    extra = [{"id": f"h{i}", "is_report": i % 3 == 0} for i in range(60)]
    rows = synthetic + weighted_copies(extra, 20, len(synthetic))
    y = np.array([r["is_report"] for r in rows])
    fold_of = np.empty(len(rows), dtype=int)
    for k, (_, test) in enumerate(splitter.split(np.zeros(len(rows)), y)):
        fold_of[test] = k
    folds_per_post = {r["id"]: set() for r in rows if r["id"].startswith("h")}
    for r, k in zip(rows, fold_of, strict=True):
        if r["id"] in folds_per_post:
            folds_per_post[r["id"]].add(k)
    straddling = sum(len(f) > 1 for f in folds_per_post.values())
    assert straddling <= 2 * (splitter.get_n_splits() - 1)  # only where a fold boundary cuts a block
