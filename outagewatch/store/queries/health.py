"""Readers of what is stored and how the collectors are doing (dashboard Sources page, CLI, demo)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, case, func, select

from outagewatch.store.queries._base import _frame
from outagewatch.store.schema import (
    collector_runs,
    collector_state,
    labels,
    posts,
)


def post_count(engine: Engine, *, include_deleted: bool = True) -> int:
    """How many posts are stored."""
    stmt = select(func.count()).select_from(posts)
    if not include_deleted:
        stmt = stmt.where(posts.c.deleted.is_(False))
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def label_count(engine: Engine, *, origin: str | None = None) -> int:
    """How many labels are stored (of one origin: model, rules or human)."""
    stmt = select(func.count()).select_from(labels)
    if origin:
        stmt = stmt.where(labels.c.origin == origin)
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def collector_health(engine: Engine) -> pd.DataFrame:
    """Per collector: its last run (status, posts, error), totals, and its saved state."""
    last = select(collector_runs.c.collector, func.max(collector_runs.c.id).label("id")).group_by(
        collector_runs.c.collector
    )
    last_sub = last.subquery()
    totals = (
        select(
            collector_runs.c.collector,
            func.count().label("runs"),
            func.sum(collector_runs.c.posts).label("posts_total"),
            func.sum(case((collector_runs.c.status == "error", 1), else_=0)).label("errors_total"),
        )
        .group_by(collector_runs.c.collector)
        .subquery()
    )
    stmt = (
        select(
            collector_runs.c.collector,
            collector_runs.c.started_at.label("last_run_started"),
            collector_runs.c.finished_at.label("last_run_finished"),
            collector_runs.c.status.label("last_status"),
            collector_runs.c.posts.label("last_posts"),
            collector_runs.c.last_error,
            totals.c.runs,
            totals.c.posts_total,
            totals.c.errors_total,
            collector_state.c.state,
            collector_state.c.updated_at.label("state_updated"),
        )
        .join(last_sub, last_sub.c.id == collector_runs.c.id)
        .join(totals, totals.c.collector == collector_runs.c.collector)
        .outerjoin(collector_state, collector_state.c.collector == collector_runs.c.collector)
        .order_by(collector_runs.c.collector)
    )
    return _frame(engine, stmt)


def collector_last_success(engine: Engine) -> pd.DataFrame:
    """Per collector, when its last successful run finished (a silent failure shows as an old time)."""
    stmt = (
        select(collector_runs.c.collector, func.max(collector_runs.c.finished_at).label("last_success"))
        .where(collector_runs.c.status == "ok")
        .group_by(collector_runs.c.collector)
    )
    return _frame(engine, stmt)
