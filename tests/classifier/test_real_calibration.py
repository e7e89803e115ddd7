"""The report head's real-post calibration: both scoring paths agree, stale files are ignored."""

from __future__ import annotations

import copy
import json

import numpy as np

from classifier.commands import _apply_real_calibration, fit_real_calibration, training_digest
from classifier.cues import cue_families
from classifier.jsonl import read_labeled
from classifier.model import OutageModel
from outagewatch.resources import data_path

TEXTS = [
    "kaiser pharmacy system is down, they cant fill my prescription",
    "I heard CVS had an outage yesterday",
    "mychart wont load for me at all, error 503",
    "scheduled maintenance on the portal this saturday",
]


def test_set_report_calibration_keeps_both_scoring_paths_equal(model):
    recalibrated = copy.deepcopy(model)
    recalibrated.set_report_calibration(-1.3, 0.4, 0.35)
    analysis = recalibrated.featurizer_.analyze(TEXTS)
    fast, _ = recalibrated.fast_proba(analysis.hashed, analysis.dense)
    assert np.allclose(fast, recalibrated.report_proba(analysis.features))
    assert np.allclose(fast, 1 / (1 + np.exp(-1.3 * recalibrated.report_score(analysis.hashed, analysis.dense) + 0.4)))
    assert recalibrated.report_threshold == 0.35


def test_stored_calibration_is_applied_only_to_the_training_data_it_was_fitted_for(model, tmp_path):
    path = tmp_path / "real_calibration.json"
    path.write_text(json.dumps({"platt_a": -0.9, "platt_b": 0.1, "report_threshold": 0.45, "training_digest": "aaa"}))
    stale = copy.deepcopy(model)
    assert _apply_real_calibration(stale, "bbb", path) is None
    assert stale.platt_ == model.platt_
    assert stale.report_threshold == model.report_threshold
    fresh = copy.deepcopy(model)
    assert _apply_real_calibration(fresh, "aaa", path) is not None
    assert fresh.platt_ == (-0.9, 0.1)
    assert fresh.report_threshold == 0.45


def test_fit_real_calibration_reports_page_grouped_figures(model, tmp_path):
    everything = read_labeled(data_path("labeled", "handwritten_eval.jsonl"))
    records = [r for r in everything if r["is_report"]][:30] + [r for r in everything if not r["is_report"]][:30]
    path = tmp_path / "labeled.jsonl"
    lines = [json.dumps({**r, "page": f"page-{i % 12}"}) for i, r in enumerate(records)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fitted = fit_real_calibration(model, path, "digest")
    assert fitted["fitted_on"] == {
        "file": "labeled.jsonl",
        "n": 60,
        "reports": sum(r["is_report"] for r in records),
        "pages": 12,
    }
    assert 0.2 <= fitted["report_threshold"] <= 0.7
    assert fitted["platt_a"] < 0  # a higher raw score means a likelier report
    assert 0.0 <= fitted["page_grouped_cv"]["f1"] <= 1.0


def test_training_digest_changes_with_texts_and_with_model_parameters():
    """A calibration (and a model version) belongs to one training set and one model configuration:
    adding the word vectors on the same texts must not reuse the old calibration."""
    texts = ["kaiser pharmacy is down", "nice day"]
    digest = training_digest(texts, OutageModel())
    assert digest == training_digest(list(texts), OutageModel())
    assert digest == training_digest(texts, OutageModel(n_jobs=-1))  # speed is not part of the model
    assert digest != training_digest([*texts, "x"], OutageModel())
    assert digest != training_digest(texts, OutageModel(vector_weight=0.0))
    assert digest != training_digest(texts, OutageModel(c_report=1.0))


def test_training_digest_changes_with_the_rule_features():
    """Editing data/cues.toml or a service's phrases changes the features the model was fitted on."""
    texts = ["kaiser pharmacy is down", "nice day"]
    families = cue_families()
    assert training_digest(texts, OutageModel()) == training_digest(texts, OutageModel(), families)
    name, phrases = families[0]
    edited = ((name, (*phrases, "went kaput")), *families[1:])
    assert training_digest(texts, OutageModel()) != training_digest(texts, OutageModel(), edited)
