"""Human labels as training and evaluation data, and the uncertainty rule of active learning.

``outagewatch train`` passes :func:`export_human_labels_jsonl`'s file to
``classifier.commands.train(extra_labeled=[path])``; ``outagewatch evaluate`` scores the model
against people with :func:`evaluate_against_humans`. When several people labeled a post, the
majority decides is_report (ties: the newest label), and the other fields come from the newest
label that agrees with it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from outagewatch.store import Store, queries


def _resolve(group: list[dict]) -> dict:
    """One training row from every human label of one post."""
    votes = [bool(g["is_report"]) for g in group]
    yes, no = votes.count(True), votes.count(False)
    decision = yes > no if yes != no else votes[-1]
    chosen = [g for g in group if bool(g["is_report"]) == decision][-1]
    return {
        "id": f"{chosen['source']}:{chosen['native_id']}",
        "text": chosen["text"],
        "is_report": decision,
        "services": list(chosen["services"] or []) if decision else [],
        "org": chosen["org"],
        "state": chosen["state"],
        "region": chosen["region"],
        "channel": chosen["channel"],
        "author_location": chosen["author_location"],
        "origin": "human",
        "labeling": "human",
        "annotators": sorted({g["annotator"] for g in group}),
    }


def human_training_rows(store: Store) -> list[dict]:
    """Every human-labeled, not-deleted post as a labeled record (the classifier's JSONL format)."""
    frame = queries.human_labels(store.engine)
    if frame.empty:
        return []
    rows = []
    for _, group in frame.groupby("post_id", sort=True):
        rows.append(_resolve(group.sort_values("labeled_at").to_dict("records")))
    return rows


def export_human_labels_jsonl(store: Store, path: Path | str) -> int:
    """Write the human training rows as labeled JSONL (for train's extra_labeled or evaluate); returns rows."""
    rows = human_training_rows(store)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(rows)


def train_with_human_labels(store: Store, workdir: Path, output_dir: Path | None = None, seed: int = 13) -> dict:
    """Retrain the classifier on its synthetic set plus every human label in the store."""
    from classifier.commands import train

    path = Path(workdir) / "human_labels.jsonl"
    n = export_human_labels_jsonl(store, path)
    result = train(output_dir=output_dir, extra_labeled=[path] if n else [], seed=seed)
    return {**result, "human_rows": n}


def evaluate_against_humans(store: Store, workdir: Path, model: object | None = None) -> dict:
    """Score the model on the store's human labels; raises ValueError when nobody has labeled yet."""
    from classifier.commands import evaluate

    path = Path(workdir) / "human_labels.jsonl"
    if export_human_labels_jsonl(store, path) == 0:
        raise ValueError("no human labels yet: label posts on the dashboard's Labeling page first")
    return evaluate(path, model)  # type: ignore[arg-type]


def uncertainty(p_report: Sequence[float] | np.ndarray) -> np.ndarray:
    """How unsure the model is: 1 at p = 0.5, 0 at p = 0 or 1."""
    return 1.0 - 2.0 * np.abs(np.asarray(p_report, dtype=float) - 0.5)


def most_uncertain(p_report: Sequence[float] | np.ndarray, k: int) -> np.ndarray:
    """Indices of the k posts the model is least sure about (the same rule as the Labeling queue)."""
    order = np.argsort(-uncertainty(p_report), kind="stable")
    return order[:k]
