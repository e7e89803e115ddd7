"""Readers for human labeling and exports: what to label next, human labels with their posts, sources."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from outagewatch.store.queries._base import _frame, latest_labels
from outagewatch.store.schema import (
    labels,
    posts,
)

LABELING_MODES = ("uncertain", "random", "agreement")


def labeling_candidates(
    engine: Engine, annotator: str, *, mode: str = "uncertain", limit: int = 20, seed: int = 0
) -> pd.DataFrame:
    """Posts for one annotator to label next, with the newest model label as the starting point.

    ``uncertain``: smallest |p_report - 0.5| first (active learning); ``random``: a seeded,
    portable pseudo-random order; ``agreement``: posts other annotators labeled, so two people
    label the same posts and agreement can be measured. Deleted posts and posts this annotator
    already labeled are left out.
    """
    if mode not in LABELING_MODES:
        raise ValueError(f"labeling mode must be one of {LABELING_MODES}, not {mode!r}")
    lab = latest_labels(engine).subquery()
    mine = select(labels.c.id).where(
        labels.c.post_id == posts.c.id, labels.c.origin == "human", labels.c.labeler == annotator
    )
    others = select(labels.c.id).where(
        labels.c.post_id == posts.c.id, labels.c.origin == "human", labels.c.labeler != annotator
    )
    stmt = (
        select(
            posts.c.id,
            posts.c.source,
            posts.c.native_id,
            posts.c.url,
            posts.c.text,
            posts.c.created_at,
            posts.c.kind,
            posts.c.channel,
            posts.c.thread_id,
            posts.c.parent_id,
            posts.c.synthetic,
            lab.c.p_report,
            lab.c.is_report,
            lab.c.org,
            lab.c.services,
            lab.c.state,
            lab.c.region,
            lab.c.labeler.label("model_version"),
        )
        .select_from(posts.outerjoin(lab, lab.c.post_id == posts.c.id))
        .where(posts.c.deleted.is_(False), ~mine.exists())
    )
    if mode == "uncertain":
        stmt = stmt.where(lab.c.p_report.is_not(None)).order_by(func.abs(lab.c.p_report - 0.5), posts.c.id)
    elif mode == "random":
        stmt = stmt.order_by((posts.c.id * 2654435761 + seed * 40503 + 7) % 1000003, posts.c.id)
    else:
        stmt = stmt.where(others.exists()).order_by(posts.c.id)
    return _frame(engine, stmt.limit(limit))


def parent_post(engine: Engine, source: str, native_id: str) -> dict | None:
    """The stored post a reply answers (text, time, channel), or None when it was not collected."""
    stmt = select(posts.c.text, posts.c.created_at, posts.c.channel, posts.c.deleted).where(
        posts.c.source == source, posts.c.native_id == native_id
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def human_labels(engine: Engine, *, include_deleted: bool = False) -> pd.DataFrame:
    """Every human label with its post's text and context, oldest first (for agreement and training)."""
    stmt = (
        select(
            labels.c.post_id,
            labels.c.labeler.label("annotator"),
            labels.c.is_report,
            labels.c.org,
            labels.c.services,
            labels.c.state,
            labels.c.region,
            labels.c.labeled_at,
            posts.c.source,
            posts.c.native_id,
            posts.c.text,
            posts.c.channel,
            posts.c.author_location,
            posts.c.created_at,
        )
        .join(posts, posts.c.id == labels.c.post_id)
        .where(labels.c.origin == "human")
        .order_by(labels.c.labeled_at, labels.c.id)
    )
    if not include_deleted:
        stmt = stmt.where(posts.c.deleted.is_(False))
    return _frame(engine, stmt)


def post_sources(engine: Engine) -> list[str]:
    """The distinct sources of stored posts (for export pickers)."""
    with engine.connect() as conn:
        return [s for (s,) in conn.execute(select(posts.c.source).distinct().order_by(posts.c.source))]
