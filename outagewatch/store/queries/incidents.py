"""Readers of incidents, the posts behind them, their alerts and official acknowledgments."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import Engine, select

from outagewatch.store.queries._base import _frame, latest_labels
from outagewatch.store.schema import (
    alert_outbox,
    incident_posts,
    incidents,
    posts,
)


def incident_list(engine: Engine, *, status: str | None = None, org: str | None = None) -> pd.DataFrame:
    """Incidents, newest first."""
    stmt = select(incidents).order_by(incidents.c.opened_at.desc())
    if status:
        stmt = stmt.where(incidents.c.status == status)
    if org:
        stmt = stmt.where(incidents.c.org == org)
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
