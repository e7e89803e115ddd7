"""The read API: named, typed queries shared by the dashboard, exports and the CLI.

Each function takes an Engine and returns a pandas DataFrame (or plain values), so callers
never write SQL. Time bounds are half-open: ``since <= t < until``.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, Select, and_, case, func, select

from outagewatch.store.schema import (
    alert_outbox,
    collector_runs,
    collector_state,
    counts,
    incident_posts,
    incidents,
    labels,
    posts,
)

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


# -- read functions for the dashboard ------------------------------------------------------------
_DIMENSIONS = ("service", "region", "source")


def _dimension_filter(org: str, by: str) -> list:
    """Equality on every primary-key column before ``by``, so min(by) is one index seek."""
    before = _DIMENSIONS[: _DIMENSIONS.index(by)]
    return [counts.c.org == org, *(counts.c[c] == ALL for c in before)]


def dimension_values(engine: Engine, org: str, by: str = "service") -> list[str]:
    """The distinct services, regions or sources an organization has counts for (never "*").

    A loose index scan: one seek per value on the counts primary key, so it costs the same on
    a thousand rows as on millions (a plain DISTINCT reads every row of the organization).
    """
    if by not in _DIMENSIONS:
        raise ValueError(f"dimension must be one of {_DIMENSIONS}, not {by!r}")
    column = counts.c[by]
    where = _dimension_filter(org, by)
    found: list[str] = []
    with engine.connect() as conn:
        while True:
            stmt = select(func.min(column)).where(*where, column != ALL)
            if found:
                stmt = stmt.where(column > found[-1])
            value = conn.execute(stmt).scalar()
            if value is None:
                return found
            found.append(value)


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


def incident(engine: Engine, incident_id: int) -> dict | None:
    """One incident as a dict, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(incidents).where(incidents.c.id == incident_id)).mappings().first()
    return dict(row) if row else None


def incident_post_list(engine: Engine, incident_id: int, *, limit: int = 500) -> pd.DataFrame:
    """The posts behind one incident, with their newest model label, oldest first."""
    lab = latest_labels(engine).subquery()
    stmt = (
        select(
            posts.c.id,
            posts.c.source,
            posts.c.url,
            posts.c.text,
            posts.c.created_at,
            posts.c.synthetic,
            lab.c.p_report,
            lab.c.services,
            lab.c.state,
            lab.c.region,
        )
        .select_from(
            incident_posts.join(posts, posts.c.id == incident_posts.c.post_id).outerjoin(
                lab, lab.c.post_id == posts.c.id
            )
        )
        .where(incident_posts.c.incident_id == incident_id)
        .order_by(posts.c.created_at)
        .limit(limit)
    )
    return _frame(engine, stmt)


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


def collector_last_success(engine: Engine) -> pd.DataFrame:
    """Per collector, when its last successful run finished (a silent failure shows as an old time)."""
    stmt = (
        select(collector_runs.c.collector, func.max(collector_runs.c.finished_at).label("last_success"))
        .where(collector_runs.c.status == "ok")
        .group_by(collector_runs.c.collector)
    )
    return _frame(engine, stmt)


# -- read functions for human labeling and exports (outagewatch.labeling, classifier.active) -------
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


def alert_list(engine: Engine, *, incident_id: int | None = None, limit: int = 500) -> pd.DataFrame:
    """Alerts in the outbox (pending, sent or failed), newest first, with what each one said."""
    stmt = select(
        alert_outbox.c.id,
        alert_outbox.c.incident_id,
        alert_outbox.c.incident_version.label("version"),
        alert_outbox.c.channel,
        alert_outbox.c.status,
        alert_outbox.c.attempts,
        alert_outbox.c.created_at,
        alert_outbox.c.sent_at,
        alert_outbox.c.last_error,
        alert_outbox.c.payload,
    ).order_by(alert_outbox.c.created_at.desc(), alert_outbox.c.id.desc())
    if incident_id is not None:
        stmt = stmt.where(alert_outbox.c.incident_id == incident_id)
    frame = _frame(engine, stmt.limit(limit))
    payloads = frame.pop("payload") if not frame.empty else pd.Series(dtype=object)
    frame["org"] = [p.get("org") for p in payloads]
    frame["level"] = [p.get("level") for p in payloads]
    frame["incident_status"] = [p.get("status") for p in payloads]
    frame["services"] = [", ".join(p.get("services") or []) for p in payloads]
    return frame
