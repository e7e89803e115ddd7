"""Incident rows: open, update (each change a new version), link their posts, resolve."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from outagewatch.models import Incident
from outagewatch.store.schema import detector_state, incident_posts, incidents
from outagewatch.store.writes import _insert, chunked

FIELDS = (
    "org",
    "status",
    "level",
    "opened_at",
    "updated_at",
    "resolved_at",
    "services",
    "regions",
    "peak",
    "baseline",
    "p_value",
    "co_spikes",
    "acknowledged_at",
    "ack_url",
    "lead_minutes",
    "lead_grade",
    "version",
)


def _row(incident: Incident, details: dict[str, Any]) -> dict[str, Any]:
    row = {name: getattr(incident, name) for name in FIELDS}
    row["details"] = details
    return row


def load_open(conn: Connection) -> list[tuple[Incident, dict[str, Any]]]:
    """Every open incident with its working details (last hot bin, series seen, ...)."""
    rows = conn.execute(select(incidents).where(incidents.c.status == "open").order_by(incidents.c.id)).mappings()
    out = []
    for r in rows:
        inc = Incident(**{name: r[name] for name in FIELDS}, id=r["id"])
        out.append((inc, dict(r["details"] or {})))
    return out


def save(conn: Connection, incident: Incident, details: dict[str, Any]) -> int:
    """Insert a new incident or write the new version of an existing one; returns its id."""
    row = _row(incident, details)
    if incident.id is None:
        incident.id = int(conn.execute(incidents.insert().values(**row)).inserted_primary_key[0])
    else:
        conn.execute(update(incidents).where(incidents.c.id == incident.id).values(**row))
    return incident.id


def link_posts(conn: Connection, incident_id: int, post_ids: Sequence[int]) -> None:
    """Attach posts to an incident (already attached ones are skipped)."""
    for chunk in chunked(post_ids, 1000):
        stmt = _insert(conn, incident_posts).on_conflict_do_nothing(index_elements=["incident_id", "post_id"])
        conn.execute(stmt, [{"incident_id": incident_id, "post_id": p} for p in chunk])


def overlapping(conn: Connection, start: datetime, end: datetime, exclude_org: str) -> list[str]:
    """Organizations of other incidents active at some time in [start, end]."""
    stmt = select(incidents.c.org).where(
        incidents.c.org != exclude_org,
        incidents.c.opened_at <= end,
        (incidents.c.resolved_at.is_(None)) | (incidents.c.resolved_at >= start),
    )
    return sorted({r[0] for r in conn.execute(stmt)})


def load_detector_states(conn: Connection) -> dict[str, tuple[datetime, dict[str, Any]]]:
    """Every series' saved detector state and the last bin it has seen."""
    return {r.series: (r.last_bin, r.state) for r in conn.execute(select(detector_state))}


def save_detector_state(conn: Connection, series: str, last_bin: datetime, state: dict[str, Any]) -> None:
    """Upsert one series' detector state."""
    stmt = _insert(conn, detector_state).values(series=series, last_bin=last_bin, state=state)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["series"], set_={"last_bin": stmt.excluded.last_bin, "state": stmt.excluded.state}
        )
    )
