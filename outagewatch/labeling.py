"""Human labeling: what to label next, how a decision is saved, and how far two annotators agree.

Human labels are written with origin "human" and the annotator's name; the store keeps them
beside the model's labels (never over them), so the model can be evaluated against people
and retrained on their decisions.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pandas as pd
from sklearn.metrics import cohen_kappa_score

from outagewatch.models import SERVICES, Label, utcnow
from outagewatch.store import Store, queries

HEADS = ("is_report", "org", "state", "services (exact set)")
NONE = "(none)"


def next_posts(
    store: Store, annotator: str, *, mode: str = "uncertain", limit: int = 20, seed: int = 0
) -> pd.DataFrame:
    """The annotator's queue: most uncertain model decisions first, a seeded random sample, or
    posts others labeled (for agreement)."""
    if not annotator.strip():
        raise ValueError("enter your name as annotator first: labels record who made them")
    return queries.labeling_candidates(store.engine, annotator.strip(), mode=mode, limit=limit, seed=seed)


def save_human_label(
    store: Store,
    source: str,
    native_id: str,
    annotator: str,
    *,
    is_report: bool,
    org: str | None = None,
    services: Sequence[str] = (),
    state: str | None = None,
    region: str | None = None,
    labeled_at: datetime | None = None,
) -> Label:
    """Record one person's decision about one post (a second decision by the same person replaces the first)."""
    name = annotator.strip()
    if not name:
        raise ValueError("a human label needs the annotator's name")
    unknown = sorted(set(services) - set(SERVICES))
    if unknown:
        raise ValueError(f"unknown services {unknown}; choose from {', '.join(SERVICES)}")
    label = Label(
        source=source,
        native_id=native_id,
        is_report=bool(is_report),
        p_report=1.0 if is_report else 0.0,
        org=org or None,
        services=tuple(dict.fromkeys(services)) if is_report else (),
        state=(state or "").strip().upper() or None,
        region=region or None,
        evidence={"labeled_in": "dashboard"},
        origin="human",
        annotator=name,
        labeled_at=labeled_at or utcnow(),
    )
    store.upsert_labels([label])
    return label


def annotator_pairs(labels: pd.DataFrame) -> pd.DataFrame:
    """Pairs of annotators and how many posts both labeled, most shared first."""
    if labels.empty:
        return pd.DataFrame(columns=["a", "b", "shared"])
    sets = labels.groupby("annotator")["post_id"].agg(set)
    names = sorted(sets.index)
    rows = [(a, b, len(sets[a] & sets[b])) for i, a in enumerate(names) for b in names[i + 1 :]]
    frame = pd.DataFrame(rows, columns=["a", "b", "shared"])
    return frame[frame["shared"] > 0].sort_values(["shared", "a", "b"], ascending=[False, True, True])


def _value(head: str, row: pd.Series) -> str:
    if head.startswith("services"):
        return "|".join(sorted(row["services"] or [])) or NONE
    value = row[head]
    return NONE if value is None or value != value else str(value)


def _kappa(first: list[str], second: list[str]) -> float:
    """Cohen's kappa; NaN when it is undefined (both annotators gave one single value throughout)."""
    if len(set(first) | set(second)) < 2:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(cohen_kappa_score(first, second))


def agreement(labels: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Cohen's kappa per head (is_report, org, state, services as a set, and each service) for two annotators.

    Only posts both labeled count. ``agree`` is the raw share of identical answers, shown beside
    kappa because kappa is undefined when a head never varies and unstable on few posts.
    """
    newest = labels.sort_values("labeled_at").drop_duplicates(["post_id", "annotator"], keep="last")
    left = newest[newest["annotator"] == a].set_index("post_id")
    right = newest[newest["annotator"] == b].set_index("post_id")
    shared = left.index.intersection(right.index).sort_values()
    rows = []
    pairs = [(left.loc[p], right.loc[p]) for p in shared]
    for head in HEADS:
        x = [_value(head, la) for la, _ in pairs]
        y = [_value(head, lb) for _, lb in pairs]
        rows.append(_row(head, x, y))
    for service in SERVICES:
        x = ["yes" if service in (la["services"] or []) else "no" for la, _ in pairs]
        y = ["yes" if service in (lb["services"] or []) else "no" for _, lb in pairs]
        if "yes" in x or "yes" in y:
            rows.append(_row(f"service: {service}", x, y))
    return pd.DataFrame(rows, columns=["head", "posts", "kappa", "agree"])


def _row(head: str, x: list[str], y: list[str]) -> tuple[str, int, float, float]:
    if not x:
        return (head, 0, float("nan"), float("nan"))
    agree = float(np.mean([i == j for i, j in zip(x, y, strict=True)]))
    return (head, len(x), round(_kappa(x, y), 3), round(agree, 3))
