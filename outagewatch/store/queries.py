"""The read API: named, typed queries shared by the dashboard, exports and the CLI.

Each function takes an Engine and returns a pandas DataFrame (or plain values), so callers
never write SQL. Time bounds are half-open: ``since <= t < until``.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, Select, and_, case, func, select

from outagewatch.store.schema import collector_runs, collector_state, counts, incidents, labels, posts

ALL = "*"


def _frame(engine: Engine, stmt: Select) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


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


def count_series(
    engine: Engine,
    org: str,
    since: datetime,
    until: datetime,
    *,
    service: str = ALL,
    region: str = ALL,
    source: str = ALL,
) -> pd.DataFrame:
    """Posts and distinct authors per bin of one series (missing bins are absent, i.e. zero)."""
    stmt = (
        select(counts.c.bin_start, counts.c.posts, counts.c.authors)
        .where(
            counts.c.org == org,
            counts.c.service == service,
            counts.c.region == region,
            counts.c.source == source,
            counts.c.bin_start >= since,
            counts.c.bin_start < until,
        )
        .order_by(counts.c.bin_start)
    )
    return _frame(engine, stmt)


def breakdown(
    engine: Engine, org: str, since: datetime, until: datetime, *, by: str = "service", limit: int | None = None
) -> pd.DataFrame:
    """Reports per service, region or source of one organization in a window, largest first."""
    if by not in {"service", "region", "source"}:
        raise ValueError(f"breakdown by must be service, region or source, not {by!r}")
    column = counts.c[by]
    others = [c for c in ("service", "region", "source") if c != by]
    stmt = (
        select(column.label(by), func.sum(counts.c.posts).label("posts"))
        .where(
            counts.c.org == org,
            column != ALL,
            *(counts.c[o] == ALL for o in others),
            counts.c.bin_start >= since,
            counts.c.bin_start < until,
        )
        .group_by(column)
        .order_by(func.sum(counts.c.posts).desc(), column)
    )
    if limit:
        stmt = stmt.limit(limit)
    return _frame(engine, stmt)


def latest_labels(engine: Engine, origin: str = "model") -> Select:
    """A subquery of the newest label of each post from one origin (newest labeled_at wins)."""
    newest = (
        select(labels.c.post_id, func.max(labels.c.labeled_at).label("labeled_at"))
        .where(labels.c.origin == origin)
        .group_by(labels.c.post_id)
        .subquery()
    )
    return (
        select(labels)
        .join(newest, and_(labels.c.post_id == newest.c.post_id, labels.c.labeled_at == newest.c.labeled_at))
        .where(labels.c.origin == origin)
    )


def find_posts(
    engine: Engine,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    org: str | None = None,
    service: str | None = None,
    state: str | None = None,
    region: str | None = None,
    source: str | None = None,
    text: str | None = None,
    reports_only: bool = False,
    include_deleted: bool = False,
    limit: int = 200,
) -> pd.DataFrame:
    """Posts with their newest model label, newest first, filtered like the dashboard's Posts page."""
    lab = latest_labels(engine).subquery()
    stmt = select(
        posts.c.id,
        posts.c.source,
        posts.c.native_id,
        posts.c.url,
        posts.c.text,
        posts.c.created_at,
        posts.c.channel,
        posts.c.author_key,
        posts.c.synthetic,
        lab.c.is_report,
        lab.c.p_report,
        lab.c.org,
        lab.c.services,
        lab.c.state,
        lab.c.region,
        lab.c.evidence,
        lab.c.labeler.label("model_version"),
    ).select_from(posts.outerjoin(lab, lab.c.post_id == posts.c.id))
    conditions = []
    if since is not None:
        conditions.append(posts.c.created_at >= since)
    if until is not None:
        conditions.append(posts.c.created_at < until)
    if not include_deleted:
        conditions.append(posts.c.deleted.is_(False))
    for column, value in ((lab.c.org, org), (lab.c.state, state), (lab.c.region, region), (posts.c.source, source)):
        if value:
            conditions.append(column == value)
    if reports_only:
        conditions.append(lab.c.is_report.is_(True))
    if text:
        conditions.append(posts.c.text.ilike(f"%{text}%"))
    frame = _frame(
        engine, stmt.where(*conditions).order_by(posts.c.created_at.desc()).limit(limit * 4 if service else limit)
    )
    if service:
        # services is a JSON list: filter in Python, portable across dialects.
        frame = frame[frame["services"].map(lambda s: bool(s) and service in s)].head(limit)
    return frame.reset_index(drop=True)


def incident_list(engine: Engine, *, status: str | None = None, org: str | None = None) -> pd.DataFrame:
    """Incidents, newest first."""
    stmt = select(incidents).order_by(incidents.c.opened_at.desc())
    if status:
        stmt = stmt.where(incidents.c.status == status)
    if org:
        stmt = stmt.where(incidents.c.org == org)
    return _frame(engine, stmt)


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


def acknowledgments(engine: Engine, *, org: str | None = None, since: datetime | None = None) -> pd.DataFrame:
    """Official status-page entries (stored as posts with ``official_org``), oldest first."""
    stmt = select(posts.c.id, posts.c.official_org.label("org"), posts.c.created_at, posts.c.url, posts.c.text).where(
        posts.c.official_org.is_not(None)
    )
    if org:
        stmt = stmt.where(posts.c.official_org == org)
    if since is not None:
        stmt = stmt.where(posts.c.created_at >= since)
    return _frame(engine, stmt.order_by(posts.c.created_at))
