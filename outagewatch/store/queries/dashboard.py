"""Readers for the dashboard's charts and post lists: counts (never all posts), posts and their labels."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, case, func, select

from outagewatch.store.queries._base import ALL, _frame, latest_labels
from outagewatch.store.schema import (
    counts,
    labels,
    posts,
)

_DIMENSIONS = ("service", "region", "source")


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
    # Naming the values lets the primary key (org, service, region, source, bin_start) drive the
    # scan, instead of reading every row of the organization (see dimension_values).
    values = dimension_values(engine, org, by)
    if not values:
        return pd.DataFrame({by: pd.Series(dtype=object), "posts": pd.Series(dtype="int64")})
    stmt = (
        select(column.label(by), func.sum(counts.c.posts).label("posts"))
        .where(
            counts.c.org == org,
            column.in_(values),
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


def _dimension_filter(org: str, by: str) -> list:
    """Equality on every primary-key column before ``by``, so min(by) is one index seek."""
    before = _DIMENSIONS[: _DIMENSIONS.index(by)]
    return [counts.c.org == org, *(counts.c[c] == ALL for c in before)]


def dimension_values(engine: Engine, org: str, by: str = "service") -> list[str]:
    """The distinct services, regions or sources an organization has counts for (never "*").

    A loose index scan: one seek per value on the counts primary key, so it costs the same on
    a thousand rows as on millions (a plain DISTINCT reads every row of the organization).
    "*" is stepped over like any value rather than excluded with ``!=``: SQLite cannot seek on
    ``!=``, and would read every "*" row of the organization before the first real value.
    """
    if by not in _DIMENSIONS:
        raise ValueError(f"dimension must be one of {_DIMENSIONS}, not {by!r}")
    column = counts.c[by]
    where = _dimension_filter(org, by)
    found: list[str] = []
    last: str | None = None
    with engine.connect() as conn:
        while True:
            stmt = select(func.min(column)).where(*where)
            if last is not None:
                stmt = stmt.where(column > last)
            value = conn.execute(stmt).scalar()
            if value is None:
                return found
            if value != ALL:
                found.append(value)
            last = value


def orgs_with_counts(engine: Engine, candidates: list[str]) -> list[str]:
    """The organizations among ``candidates`` that have any counts (index seeks, not a scan)."""
    with engine.connect() as conn:
        return [
            org
            for org in candidates
            if conn.execute(select(counts.c.org).where(counts.c.org == org).limit(1)).first() is not None
        ]


def latest_bin(engine: Engine, org: str | None = None) -> datetime | None:
    """The newest bin with counts (of one organization's totals), or None for an empty store."""
    stmt = select(func.max(counts.c.bin_start))
    if org is not None:
        stmt = stmt.where(counts.c.org == org, *(counts.c[c] == ALL for c in _DIMENSIONS))
    with engine.connect() as conn:
        return conn.execute(stmt).scalar()


def first_bin(engine: Engine, org: str) -> datetime | None:
    """The oldest bin of one organization's totals, or None when it has none."""
    stmt = select(func.min(counts.c.bin_start)).where(counts.c.org == org, *(counts.c[c] == ALL for c in _DIMENSIONS))
    with engine.connect() as conn:
        return conn.execute(stmt).scalar()


def count_series_by(
    engine: Engine,
    org: str,
    since: datetime,
    until: datetime,
    *,
    by: str,
    values: list[str],
    service: str = ALL,
    region: str = ALL,
    source: str = ALL,
) -> pd.DataFrame:
    """Posts per bin for several values of one dimension at once (to compare them on one chart)."""
    if by not in _DIMENSIONS:
        raise ValueError(f"by must be one of {_DIMENSIONS}, not {by!r}")
    fixed = {"service": service, "region": region, "source": source}
    fixed.pop(by)
    stmt = (
        select(counts.c.bin_start, counts.c[by].label(by), counts.c.posts, counts.c.authors)
        .where(
            counts.c.org == org,
            counts.c[by].in_(values),
            *(counts.c[c] == v for c, v in fixed.items()),
            counts.c.bin_start >= since,
            counts.c.bin_start < until,
        )
        .order_by(counts.c.bin_start, counts.c[by])
    )
    return _frame(engine, stmt)


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


def post_labels(engine: Engine, post_id: int) -> pd.DataFrame:
    """Every label of one post (model, rules and human), newest first, with evidence."""
    stmt = (
        select(
            labels.c.origin,
            labels.c.labeler,
            labels.c.is_report,
            labels.c.p_report,
            labels.c.org,
            labels.c.services,
            labels.c.service_probs,
            labels.c.state,
            labels.c.region,
            labels.c.evidence,
            labels.c.labeled_at,
        )
        .where(labels.c.post_id == post_id)
        .order_by(labels.c.labeled_at.desc())
    )
    return _frame(engine, stmt)


def label_versions(engine: Engine) -> pd.DataFrame:
    """Labels per origin and labeler (model version or annotator): how many, how many reports, newest."""
    stmt = (
        select(
            labels.c.origin,
            labels.c.labeler,
            func.count().label("labels"),
            func.sum(case((labels.c.is_report.is_(True), 1), else_=0)).label("reports"),
            func.max(labels.c.labeled_at).label("last_labeled"),
        )
        .group_by(labels.c.origin, labels.c.labeler)
        .order_by(func.max(labels.c.labeled_at).desc())
    )
    return _frame(engine, stmt)
