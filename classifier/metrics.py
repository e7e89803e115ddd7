"""Per-head metrics for ``evaluate``: precision/recall/F1, confusion, calibration."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from outagewatch.models import SERVICES


def binary_report(y_true: Sequence[bool], y_pred: Sequence[bool]) -> dict:
    """Precision, recall, F1 and the confusion counts of a binary head."""
    t = np.asarray(y_true, dtype=bool)
    p = np.asarray(y_pred, dtype=bool)
    tp, fp = int((t & p).sum()), int((~t & p).sum())
    fn, tn = int((t & ~p).sum()), int((~t & ~p).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
        "support": int(t.sum()),
    }


def calibration(y_true: Sequence[bool], prob: Sequence[float], bins: int = 10) -> dict:
    """Brier score and reliability bins (mean predicted vs observed rate per probability bin)."""
    t = np.asarray(y_true, dtype=float)
    p = np.asarray(prob, dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            table.append(
                {
                    "bin": f"{edges[b]:.1f}-{edges[b + 1]:.1f}",
                    "n": int(mask.sum()),
                    "mean_predicted": round(float(p[mask].mean()), 4),
                    "observed_rate": round(float(t[mask].mean()), 4),
                }
            )
    ece = sum(row["n"] * abs(row["mean_predicted"] - row["observed_rate"]) for row in table) / max(len(t), 1)
    return {"brier": round(float(np.mean((p - t) ** 2)), 4) if len(t) else None, "ece": round(ece, 4), "bins": table}


def services_report(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> dict:
    """Per-service P/R/F1 and macro-F1 over services that occur in the gold labels."""
    per = {}
    for service in SERVICES:
        t = [service in g for g in gold]
        p = [service in q for q in pred]
        if any(t):
            per[service] = binary_report(t, p)
    macro = float(np.mean([m["f1"] for m in per.values()])) if per else 0.0
    return {"macro_f1": round(macro, 4), "per_service": per}


def accuracy_where_known(gold: Sequence[str | None], pred: Sequence[str | None]) -> dict:
    """Accuracy over items whose gold value is known, plus how often a value was predicted when none is known."""
    known = [(g, p) for g, p in zip(gold, pred, strict=True) if g]
    unknown = [p for g, p in zip(gold, pred, strict=True) if not g]
    acc = sum(g == p for g, p in known) / len(known) if known else None
    return {
        "accuracy": round(acc, 4) if acc is not None else None,
        "n_known": len(known),
        "predicted_when_unknown": round(sum(p is not None for p in unknown) / len(unknown), 4) if unknown else None,
    }
