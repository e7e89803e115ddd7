"""The alert outbox in SQL: idempotent enqueue, leased claims and outcome marks (SQLite and PostgreSQL).

The dispatcher's policy (which error is retried, how long to wait) lives in
``outagewatch.alerts.outbox``; this module only moves rows between states, with compare-and-set
updates so two dispatchers (or a restarted one) never both own the same row.

States: ``pending`` (due at next_attempt_at) -> ``sending`` (claimed; next_attempt_at is the
lease expiry) -> ``sent`` | ``pending`` (retry later) | ``failed`` (gave up).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from outagewatch.store.schema import alert_outbox, incident_posts, incidents, posts
from outagewatch.store.writes import _insert


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One claimed or listed outbox row."""

    id: int
    incident_id: int
    incident_version: int
    channel: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def _row(mapping: Mapping[str, Any]) -> OutboxRow:
    return OutboxRow(**{name: mapping[name] for name in OutboxRow.__slots__})


def enqueue(
    conn: Connection, incident_id: int, version: int, payloads: Mapping[str, dict[str, Any]], now: datetime
) -> int:
    """Insert one pending row per channel; an update already queued for a channel is left alone.

    Returns how many rows were new. ON CONFLICT DO NOTHING on (incident_id, incident_version,
    channel) is what makes "at most one alert per incident update per channel" hold even when
    the detector runs twice or two detectors race.
    """
    stmt = _insert(conn, alert_outbox).on_conflict_do_nothing(
        index_elements=["incident_id", "incident_version", "channel"]
    )
    added = 0
    for channel, payload in payloads.items():
        row = {
            "incident_id": incident_id,
            "incident_version": version,
            "channel": channel,
            "payload": payload,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        # RETURNING, not rowcount: drivers disagree on rowcount for INSERT ... ON CONFLICT.
        added += len(conn.execute(stmt.values(**row).returning(alert_outbox.c.id)).all())
    return added


def due_candidates(conn: Connection, now: datetime, channels: Collection[str], limit: int) -> list[OutboxRow]:
    """Rows a dispatcher may claim: pending and due, or sending with an expired lease (a dead dispatcher)."""
    stmt = (
        select(alert_outbox)
        .where(
            alert_outbox.c.status.in_(("pending", "sending")),
            alert_outbox.c.next_attempt_at <= now,
            alert_outbox.c.channel.in_(list(channels)),
        )
        .order_by(alert_outbox.c.next_attempt_at, alert_outbox.c.id)
        .limit(limit)
    )
    return [_row(m) for m in conn.execute(stmt).mappings()]


def claim(conn: Connection, row: OutboxRow, lease_until: datetime) -> bool:
    """Take ``row`` for sending: status sending, one more attempt, lease until ``lease_until``.

    A compare-and-set on (status, attempts): only one of several racing dispatchers gets
    rowcount 1, on SQLite (single writer) and PostgreSQL (the UPDATE re-checks after a lock wait).
    """
    result = conn.execute(
        update(alert_outbox)
        .where(
            alert_outbox.c.id == row.id,
            alert_outbox.c.status == row.status,
            alert_outbox.c.attempts == row.attempts,
        )
        .values(status="sending", attempts=row.attempts + 1, next_attempt_at=lease_until)
    )
    return result.rowcount == 1


def mark_sent(conn: Connection, outbox_id: int, now: datetime) -> None:
    """Record a delivery; the first sent_at wins if a stale dispatcher also finishes the same row."""
    conn.execute(
        update(alert_outbox)
        .where(alert_outbox.c.id == outbox_id, alert_outbox.c.status != "sent")
        .values(status="sent", sent_at=now, last_error=None)
    )


def mark_retry(conn: Connection, outbox_id: int, attempts: int, error: str, next_attempt_at: datetime) -> bool:
    """Put a claimed row back to pending for a later attempt; a no-op if another claim superseded ours."""
    result = conn.execute(
        update(alert_outbox)
        .where(_owned(outbox_id, attempts))
        .values(status="pending", next_attempt_at=next_attempt_at, last_error=error)
    )
    return result.rowcount == 1


def mark_failed(conn: Connection, outbox_id: int, attempts: int, error: str) -> bool:
    """Give up on a claimed row; it stays in the table (and in `alerts list`) with its last error."""
    result = conn.execute(
        update(alert_outbox).where(_owned(outbox_id, attempts)).values(status="failed", last_error=error)
    )
    return result.rowcount == 1


def _owned(outbox_id: int, attempts: int) -> Any:
    return and_(alert_outbox.c.id == outbox_id, alert_outbox.c.status == "sending", alert_outbox.c.attempts == attempts)


def list_rows(conn: Connection, *, status: str | None = None, limit: int = 50) -> list[OutboxRow]:
    """The newest outbox rows, for `alerts list` and tests."""
    stmt = select(alert_outbox).order_by(alert_outbox.c.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(alert_outbox.c.status == status)
    return [_row(m) for m in conn.execute(stmt).mappings()]


def incident_with_posts(conn: Connection, incident_id: int, examples: int = 3) -> tuple[dict[str, Any], list[dict]]:
    """The incident row and a few of its posts (distinct authors, earliest first, none deleted).

    Only the columns an alert may show are read: author_key, never author_handle.
    """
    found = conn.execute(select(incidents).where(incidents.c.id == incident_id)).mappings().first()
    if found is None:
        raise KeyError(f"incident {incident_id} does not exist")
    stmt = (
        select(posts.c.source, posts.c.text, posts.c.url, posts.c.created_at, posts.c.author_key)
        .join(incident_posts, incident_posts.c.post_id == posts.c.id)
        .where(incident_posts.c.incident_id == incident_id, or_(posts.c.deleted.is_(False), posts.c.deleted.is_(None)))
        .order_by(posts.c.created_at, posts.c.id)
        .limit(200)
    )
    chosen: list[dict[str, Any]] = []
    authors: set[str | None] = set()
    rows: Sequence[Mapping[str, Any]] = conn.execute(stmt).mappings().all()
    for post in rows:
        if post["author_key"] in authors and post["author_key"] is not None:
            continue
        authors.add(post["author_key"])
        chosen.append(dict(post))
        if len(chosen) == examples:
            break
    total = conn.execute(
        select(func.count()).select_from(incident_posts).where(incident_posts.c.incident_id == incident_id)
    ).scalar_one()
    incident = dict(found)
    incident["post_count"] = int(total)
    return incident, chosen
