"""Plain functions behind ``outagewatch train``, ``evaluate`` and ``classify-file``."""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import sklearn
import skops
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from classifier import EXTRA_WEIGHT
from classifier.baseline import keyword_baseline
from classifier.cues import cue_families
from classifier.features import CONJUNCTIONS
from classifier.jsonl import iter_jsonl, post_from_record, read_labeled
from classifier.labeling import label
from classifier.metrics import accuracy_where_known, binary_report, calibration, services_report
from classifier.model import OutageModel, _best_threshold
from classifier.model_card import write_model_card
from classifier.persist import DEFAULT_MODEL_DIR, default_model, save_model
from classifier.synthetic import LABELED_DIR, build
from classifier.word_vectors import WORD_VECTORS
from outagewatch import __version__
from outagewatch.models import SERVICES, utcnow

BATCH = 512
REAL_CALIBRATION = LABELED_DIR / "real_calibration.json"
CALIBRATION_FOLDS = 5
log = logging.getLogger(__name__)


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Platt (a, b) for p = 1 / (1 + exp(a * score + b)) and the F1-best threshold on p."""
    fit = LogisticRegression(C=1.0).fit(scores[:, None], y)
    a, b = -float(fit.coef_[0, 0]), -float(fit.intercept_[0])
    p = 1.0 / (1.0 + np.exp(a * scores + b))
    return a, b, _best_threshold(y, p)


def _binary(y: np.ndarray, pred: np.ndarray, p: np.ndarray) -> dict:
    tp, fp = int((pred & (y == 1)).sum()), int((pred & (y == 0)).sum())
    fn = int((~pred & (y == 1)).sum())
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    brier = float(np.mean((p - y) ** 2))
    return {"f1": round(f1, 4), "precision": round(precision, 4), "recall": round(recall, 4), "brier": round(brier, 4)}


def fit_real_calibration(model: OutageModel, labeled_jsonl_path: Path, training_digest: str) -> dict:
    """Fit the report head's Platt parameters and threshold on hand-labeled real posts.

    Synthetic reports score near 1 and real ones lower, so a sigmoid fitted on synthetic
    out-of-fold scores is overconfident and its 0.5 threshold misses real reports. Only three
    numbers are fitted here (no text is learned). The file's pages are split into
    ``CALIBRATION_FOLDS`` page-grouped folds to estimate, honestly, how the fit does on pages it
    did not see; the shipped values are then fitted on every page.
    """
    records = read_labeled(Path(labeled_jsonl_path))
    analysis = model.featurizer_.analyze([r["text"] for r in records])
    scores = model.report_score(analysis.hashed, analysis.dense)
    y = np.array([bool(r["is_report"]) for r in records], dtype=int)
    groups = [r.get("page") or r.get("source_url") or r["id"] for r in records]
    held_p, held_pred = np.zeros(len(y)), np.zeros(len(y), dtype=bool)
    for train_idx, test_idx in GroupKFold(CALIBRATION_FOLDS).split(scores, y, groups):
        a, b, t = _platt(scores[train_idx], y[train_idx])
        held_p[test_idx] = 1.0 / (1.0 + np.exp(a * scores[test_idx] + b))
        held_pred[test_idx] = held_p[test_idx] >= t
    a, b, t = _platt(scores, y)
    p = 1.0 / (1.0 + np.exp(a * scores + b))
    return {
        "platt_a": round(a, 6),
        "platt_b": round(b, 6),
        "report_threshold": round(t, 4),
        "training_digest": training_digest,
        "fitted_on": {
            "file": Path(labeled_jsonl_path).name,
            "n": len(y),
            "reports": int(y.sum()),
            "pages": len(set(groups)),
        },
        "page_grouped_cv": {"folds": CALIBRATION_FOLDS, **_binary(y, held_pred, held_p)},
        "in_sample": _binary(y, p >= t, p),
    }


def _apply_real_calibration(model: OutageModel, digest: str, path: Path = REAL_CALIBRATION) -> dict | None:
    """Apply the stored real-post calibration when it was fitted for this very training data."""
    if not path.exists():
        return None
    calibration = json.loads(path.read_text(encoding="utf-8"))
    if calibration.get("training_digest") != digest:
        log.warning("%s was fitted for other training data; keeping the synthetic calibration", path)
        return None
    model.set_report_calibration(calibration["platt_a"], calibration["platt_b"], calibration["report_threshold"])
    return calibration


def org_balanced_weights(records: Sequence[dict]) -> np.ndarray:
    """Report-head weights under which naming an organization says nothing about is_report.

    In the synthetic set, posts that name an organization are reports less often than posts
    that do not (news, statements and headlines name one; staff and terse reports often do not),
    so an unweighted head learns that "kaiser" or "cvs" argue against a report, the opposite of
    real streams. Each (names an org, is_report) cell is reweighted so that both groups keep their
    total weight and share the overall report rate.
    """
    named = np.array([r.get("org") is not None for r in records])
    y = np.array([bool(r["is_report"]) for r in records])
    rate = y.mean()
    weights = np.ones(len(records))
    for group in (named, ~named):
        for is_report, share in ((True, rate), (False, 1 - rate)):
            cell = group & (y == is_report)
            if cell.any():
                weights[cell] = group.sum() * share / cell.sum()
    return weights


def training_digest(
    texts: Sequence[str],
    model: OutageModel,
    families: Sequence[tuple[str, Sequence[str]]] | None = None,
) -> str:
    """What the model version and the stored real-post calibration are keyed on: the training
    texts, the model's parameters, the rule features (cue families and taxonomy phrases, from
    ``data/cues.toml`` and ``data/taxonomy.toml``, and their conjunctions) and the word-vector
    table, so changing any of them retires both."""
    sha = hashlib.sha256("\n".join(texts).encode())
    params = {k: v for k, v in model.get_params().items() if k != "n_jobs"}  # how fast, not what
    sha.update(json.dumps(params, sort_keys=True).encode())
    rules = {"families": cue_families() if families is None else families, "conjunctions": CONJUNCTIONS}
    sha.update(json.dumps(rules).encode())
    if model.vector_weight:
        sha.update(WORD_VECTORS.read_bytes())
    return sha.hexdigest()[:10]


def weighted_copies(extra: Sequence[dict], weight: int, n_synthetic: int) -> list[dict]:
    """Each hand-labeled post ``weight`` times, so that a team's few hundred real labels count
    beside the ~120,000 synthetic posts, capped so that they never outweigh the synthetic set.
    A post's copies stay next to each other: the calibration and service-threshold folds split
    the rows in order, so the copies share a fold (but for the few cut by a fold boundary) and
    out-of-fold scores stay out of fold."""
    if not extra:
        return []
    copies = max(1, min(weight, n_synthetic // len(extra)))
    return [record for record in extra for _ in range(copies)]


def _service_matrix(records: Sequence[dict]) -> np.ndarray:
    return np.array([[s in (r.get("services") or []) for s in SERVICES] for r in records], dtype=int)


def train(
    output_dir: Path | None = None,
    extra_labeled: Sequence[Path] = (),
    seed: int = 13,
    calibrate_on: Path | None = None,
    extra_weight: int = EXTRA_WEIGHT,
) -> dict:
    """Regenerate the seeded synthetic set, fit the model, evaluate it, save it with its card.

    The shipped data/labeled files are rewritten only when training the shipped model (default
    folder); training elsewhere writes its generated sets to ``OUTPUT_DIR/labeled``.
    ``calibrate_on`` (hand-labeled real posts, texts kept outside the repository) refits the report
    head's Platt parameters and threshold and stores them, without texts, in
    ``data/labeled/real_calibration.json`` (beside the generated sets); later runs on the same
    training data reuse that file, so training stays reproducible from the repository alone.
    """
    folder = Path(output_dir) if output_dir else DEFAULT_MODEL_DIR
    generated = LABELED_DIR if folder.resolve() == DEFAULT_MODEL_DIR.resolve() else folder / "labeled"
    sizes = build(generated, seed)
    records = read_labeled(generated / "synthetic_train.jsonl")
    extra = [record for path in extra_labeled for record in read_labeled(Path(path))]
    records += weighted_copies(extra, extra_weight, len(records))
    texts = [r["text"] for r in records]
    model = OutageModel(random_state=seed, n_jobs=-1)  # folds and services fit on every core
    digest = training_digest(texts, model)
    model.fit(texts, [bool(r["is_report"]) for r in records], _service_matrix(records), org_balanced_weights(records))
    calibration_path = generated / REAL_CALIBRATION.name
    if calibrate_on is not None:
        fitted = fit_real_calibration(model, Path(calibrate_on), digest)
        calibration_path.write_text(json.dumps(fitted, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    elif not calibration_path.exists():
        calibration_path = REAL_CALIBRATION  # training elsewhere reuses the shipped one (digest permitting)
    calibration = _apply_real_calibration(model, digest, calibration_path)
    model.version_ = f"outagewatch-{__version__}+{digest}"
    sets = {
        "heldout.jsonl": generated / "heldout.jsonl",
        "freeform_heldout.jsonl": generated / "freeform_heldout.jsonl",
        "handwritten_eval.jsonl": LABELED_DIR / "handwritten_eval.jsonl",
    }
    metrics = {name: evaluate(path, model) for name, path in sets.items() if path.exists()}
    card = {
        "model_version": model.version_,
        "trained_at": utcnow().isoformat(),
        "training_data": {
            "synthetic_train.jsonl": sizes["train"],
            "extra": [str(p) for p in extra_labeled],
            "extra_posts": len(extra),
            "extra_weight": extra_weight,
        },
        "n_training_examples": len(records),
        "report_calibration": (
            {k: calibration[k] for k in ("platt_a", "platt_b", "report_threshold", "fitted_on", "page_grouped_cv")}
            if calibration
            else "synthetic out-of-fold (Platt), threshold 0.5"
        ),
        "seed": seed,
        "metrics": metrics,
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "skops": skops.__version__,
            "numpy": np.__version__,
            "outagewatch": __version__,
        },
    }
    path = save_model(model, folder, card)
    write_model_card(folder, json.loads((folder / "model_card.json").read_text(encoding="utf-8")))
    return {"model_path": str(path), "model_version": model.version_, **metrics}


def evaluate(labeled_jsonl_path: Path, model: OutageModel | None = None) -> dict:
    """Score every head on a labeled JSONL file, with the keyword baseline beside the model."""
    model = model or default_model()
    records = read_labeled(Path(labeled_jsonl_path))
    posts = [post_from_record(r) for r in records]
    labels = [lab for i in range(0, len(posts), BATCH) for lab in label(posts[i : i + BATCH], model)]
    gold_report = [bool(r["is_report"]) for r in records]
    gold_services = [r.get("services") or [] for r in records]
    base_report, base_services = keyword_baseline([r["text"] for r in records])
    reports_only = [i for i, g in enumerate(gold_report) if g]
    return {
        "file": str(labeled_jsonl_path),
        "n": len(records),
        "is_report": binary_report(gold_report, [lab.is_report for lab in labels]),
        "calibration": calibration(gold_report, [lab.p_report for lab in labels]),
        "services": services_report(gold_services, [lab.services for lab in labels]),
        "services_on_reports": services_report(
            [gold_services[i] for i in reports_only], [labels[i].services for i in reports_only]
        ),
        "org": {
            "accuracy": round(
                float(np.mean([r.get("org") == lab.org for r, lab in zip(records, labels, strict=True)])), 4
            ),
            **{
                k: v
                for k, v in accuracy_where_known([r.get("org") for r in records], [lab.org for lab in labels]).items()
                if k != "accuracy"
            },
            "accuracy_where_named": accuracy_where_known([r.get("org") for r in records], [lab.org for lab in labels])[
                "accuracy"
            ],
        },
        "state": accuracy_where_known([r.get("state") for r in records], [lab.state for lab in labels]),
        "region": accuracy_where_known([r.get("region") for r in records], [lab.region for lab in labels]),
        "keyword_baseline": {
            "is_report": binary_report(gold_report, base_report),
            "services": {"macro_f1": services_report(gold_services, base_services)["macro_f1"]},
            "services_on_reports": {
                "macro_f1": services_report(
                    [gold_services[i] for i in reports_only], [base_services[i] for i in reports_only]
                )["macro_f1"]
            },
        },
    }


REAL_FIGURES = LABELED_DIR / "real_eval_figures.json"


def record_real_figures(sets: dict[str, Path], model: OutageModel | None = None, path: Path = REAL_FIGURES) -> dict:
    """Score the model on real-post files held outside the repository and keep only the figures
    (no text) in ``data/labeled/real_eval_figures.json``, which the model card quotes while the
    model version matches."""
    model = model or default_model()
    figures = {}
    for name, labeled in sets.items():
        m = evaluate(Path(labeled), model)
        figures[name] = {
            "n": m["n"],
            "is_report": {k: m["is_report"][k] for k in ("f1", "precision", "recall", "support")},
            "services_macro_f1": m["services"]["macro_f1"],
            "services_on_reports_macro_f1": m["services_on_reports"]["macro_f1"],
            "org_accuracy": m["org"]["accuracy"],
            "state": m["state"],
            "brier": m["calibration"]["brier"],
            "keyword_baseline": {
                "report_f1": m["keyword_baseline"]["is_report"]["f1"],
                "services_macro_f1": m["keyword_baseline"]["services"]["macro_f1"],
            },
        }
    record = {"model_version": getattr(model, "version_", "unversioned"), "sets": figures}
    path.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return record


def _output(record: dict, lab: object, version: str) -> dict:
    return {
        "id": record["id"],
        "is_report": lab.is_report,
        "p_report": lab.p_report,
        "org": lab.org,
        "services": list(lab.services),
        "state": lab.state,
        "region": lab.region,
        "evidence": lab.evidence,
        "model_version": version,
    }


def classify_file(
    in_path: Path,
    out_path: Path,
    progress: Callable[[int], None] | None = None,
    on_error: Callable[[int, str], None] | None = None,
) -> int:
    """Label every post of a JSONL file into another; returns how many posts were labeled.

    A malformed line never stops the run: it is logged (and passed to ``on_error``) with its
    line number, and all such lines are listed in ``OUT.errors.jsonl`` beside the output.
    """
    model = default_model()
    version = getattr(model, "version_", "unversioned")
    errors: list[dict] = []
    written = 0
    out_path = Path(out_path)
    with out_path.open("w", encoding="utf-8") as out:
        batch: list[tuple[dict, object]] = []

        def flush() -> None:
            nonlocal written
            labels = label([post for _, post in batch], model)
            for (record, _), lab in zip(batch, labels, strict=True):
                out.write(json.dumps(_output(record, lab, version), ensure_ascii=False) + "\n")
            written += len(batch)
            batch.clear()
            if progress:
                progress(written)

        for number, record, error in iter_jsonl(Path(in_path)):
            try:
                if error:
                    raise ValueError(error)
                batch.append((record, post_from_record(record)))
            except ValueError as exc:
                errors.append({"line": number, "error": str(exc)})
                log.warning("%s line %d skipped: %s", in_path, number, exc)
                if on_error:
                    on_error(number, str(exc))
                continue
            if len(batch) >= BATCH:
                flush()
        if batch:
            flush()
    error_path = out_path.with_name(out_path.name + ".errors.jsonl")
    if errors:
        error_path.write_text("".join(json.dumps(e) + "\n" for e in errors), encoding="utf-8")
    elif error_path.exists():
        error_path.unlink()
    return written
