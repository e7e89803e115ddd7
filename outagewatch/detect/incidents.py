"""Incident lifecycle: open when an organization's series alert, grow, confirm, resolve.

An incident belongs to one organization. It opens on a detector alert of any of its series,
merges the services and regions whose series run hot while it is open, is confirmed by an
official acknowledgment, and resolves after a quiet period. Every change a reader would care
about (level, services, regions, status) is a new version, and each version is announced once
through the alert outbox.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from outagewatch.detect.counts import BIN, effective_reports
from outagewatch.detect.lead_time import UNACKNOWLEDGED_MINUTES, lead_grade
from outagewatch.detect.live import DetectionRun, SeriesScore, save_states
from outagewatch.models import Incident
from outagewatch.store import Store, queries
from outagewatch.store import incidents as rows

QUIET = timedelta(hours=2)  # no hot bin for this long resolves an incident
LOOKBACK = timedelta(minutes=30)  # posts this long before the first alert belong to the incident
ACK_EARLY = timedelta(hours=1)  # an acknowledgment this long before opening still confirms it
SHARE = 0.10  # a service or region with this share of the incident's reports is part of it
LEVELS = ("possible", "likely", "confirmed")

Enqueue = Callable[[Connection, int, int], None]


def _signature(inc: Incident) -> tuple:
    """What a reader would call a change (the order of services by volume is not one)."""
    return (
        inc.status,
        inc.level,
        tuple(sorted(inc.services)),
        tuple(sorted(inc.regions)),
        inc.acknowledged_at is not None,
    )


def _opens(scores: list[SeriesScore]) -> bool:
    """Only a detector alert opens an incident: its minimum count and duration rules apply."""
    return any(s.alert for s in scores)


def _absorb(inc: Incident, details: dict[str, Any], scores: Iterable[SeriesScore]) -> None:
    for s in scores:
        details["last_hot"] = max(details.get("last_hot", s.bin_start.isoformat()), s.bin_start.isoformat())
        hot = details.setdefault("hot_series", [])
        if [s.service, s.region] not in hot:
            hot.append([s.service, s.region])
        inc.p_value = min(inc.p_value, s.p_value)
        if s.service == "*" and s.region == "*" and s.value > inc.peak:
            inc.peak, inc.baseline = s.value, s.expected
        if s.score >= 0.75 and s.episode_minutes >= 30 and inc.level == "possible":
            inc.level = "likely"
        inc.updated_at = max(inc.updated_at, s.bin_start)


def _describe(store: Store, conn: Connection, inc: Incident, details: dict[str, Any], until: datetime) -> None:
    """Posts, top services and regions, acknowledgment, lead time and co-spikes of an incident."""
    last_hot = datetime.fromisoformat(details["last_hot"])
    end = inc.resolved_at or (last_hot + BIN)
    reports = effective_reports(store.engine, inc.opened_at - LOOKBACK, end)
    reports = reports[reports["org"] == inc.org]
    rows.link_posts(conn, inc.id, [int(i) for i in reports["id"]])
    service_n = Counter(s for services in reports["services"] for s in (services or []))
    region_n = Counter(r for r in reports["region"].dropna())
    state_n = Counter(s for s in reports["state"].dropna())
    hot = details.get("hot_series", [])
    hot_services = {svc for svc, reg in hot if svc != "*"}
    hot_regions = {reg.removeprefix("state:") for svc, reg in hot if reg != "*"}
    n = max(len(reports), 1)
    inc.services = sorted(
        hot_services | {s for s, c in service_n.items() if c / n >= SHARE}, key=lambda s: -service_n[s]
    )
    places = region_n + state_n
    inc.regions = sorted(hot_regions | {r for r, c in places.items() if c / n >= SHARE}, key=lambda r: -places[r])
    details["top_services"] = service_n.most_common(3)
    details["top_regions"] = region_n.most_common(3)
    details["top_states"] = state_n.most_common(3)
    details["posts"] = len(reports)
    surge = datetime.fromisoformat(details.get("surge_start", inc.opened_at.isoformat()))
    in_surge = reports[reports["created_at"] >= surge]
    if len(in_surge):
        details["first_report_at"] = min(in_surge["created_at"]).isoformat()
    acks = queries.acknowledgments(store.engine, org=inc.org, since=inc.opened_at - ACK_EARLY)
    acks = acks[acks["created_at"] <= (inc.resolved_at or until)]
    first_report = datetime.fromisoformat(details.get("first_report_at", inc.opened_at.isoformat()))
    if len(acks) and inc.acknowledged_at is None:
        inc.acknowledged_at = acks.iloc[0]["created_at"].to_pydatetime()
        inc.ack_url = acks.iloc[0]["url"]
        inc.level = "confirmed"
    if inc.acknowledged_at is not None:
        inc.lead_minutes = (inc.acknowledged_at - first_report).total_seconds() / 60.0
        inc.lead_grade = lead_grade(inc.lead_minutes)
    elif inc.status == "resolved":
        inc.lead_minutes, inc.lead_grade = UNACKNOWLEDGED_MINUTES, lead_grade(UNACKNOWLEDGED_MINUTES)
    inc.co_spikes = rows.overlapping(conn, inc.opened_at, end, inc.org)


def update_incidents(
    store: Store, run: DetectionRun, until: datetime, enqueue: Enqueue | None = None
) -> list[Incident]:
    """Apply one detection pass to the incidents, in one transaction with the detector states."""
    by_org: dict[str, dict[datetime, list[SeriesScore]]] = defaultdict(lambda: defaultdict(list))
    for s in run.hot:
        by_org[s.org][s.bin_start].append(s)
    changed: list[Incident] = []
    with store.engine.begin() as conn:
        open_now = {inc.org: (inc, details, _signature(inc)) for inc, details in rows.load_open(conn)}
        touched: list[tuple[Incident, dict[str, Any], tuple | None]] = list(open_now.values())
        for org, bins in sorted(by_org.items()):
            for t in sorted(bins):
                scores = bins[t]
                current = open_now.get(org)
                if current and t - datetime.fromisoformat(current[1]["last_hot"]) > QUIET:
                    _resolve(current[0], current[1])
                    open_now.pop(org)
                    current = None
                if current is None:
                    if not _opens(scores):
                        continue
                    inc = Incident(org=org, opened_at=t, updated_at=t, p_value=1.0)
                    surge = t - timedelta(minutes=max(s.episode_minutes for s in scores))
                    current = (inc, {"last_hot": t.isoformat(), "surge_start": surge.isoformat()}, None)
                    open_now[org] = current
                    touched.append(current)
                _absorb(current[0], current[1], scores)
        for inc, details, _ in open_now.values():
            if until - datetime.fromisoformat(details["last_hot"]) > QUIET:
                _resolve(inc, details)
        for inc, details, before in touched:
            rows.save(conn, inc, details)  # an id first, so posts can be linked
            _describe(store, conn, inc, details, until)
            if before is None or _signature(inc) != before:
                inc.version = 1 if before is None else inc.version + 1
                changed.append(inc)
            rows.save(conn, inc, details)
            if enqueue is not None and inc in changed:
                enqueue(conn, inc.id, inc.version)
        save_states(conn, run)
    return changed


def _resolve(inc: Incident, details: dict[str, Any]) -> None:
    inc.status = "resolved"
    inc.resolved_at = datetime.fromisoformat(details["last_hot"]) + BIN
    inc.updated_at = inc.resolved_at
