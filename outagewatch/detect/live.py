"""The live path: run each series' detector over the bins counted since its last run.

Series are the organization total and each service and region of an organization (source
"*"), valued by distinct authors per bin (one person posting twenty times is one voice). A
detector's state is saved with the last bin it saw, so every bin is scored exactly once and a
restart resumes where it stopped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, func, select

from outagewatch.detect.counts import ALL, BIN, bin_start
from outagewatch.detect.detector import SpikeDetector
from outagewatch.detect.params import DEFAULT_PARAMS, DetectorParams
from outagewatch.models import utcnow
from outagewatch.store import Store
from outagewatch.store import incidents as incident_rows
from outagewatch.store.schema import counts, posts

log = logging.getLogger(__name__)

# Bins keep being scored this long after the newest post, so quiet time can close incidents
# even when the data stop (a replayed scenario, a collector outage) without scoring years of zeros.
TRAILING = timedelta(hours=6)
NEW_SERIES_HISTORY = timedelta(days=28)


@dataclass(frozen=True, slots=True)
class SeriesScore:
    """One scored bin of one series."""

    org: str
    service: str
    region: str
    bin_start: datetime
    value: float
    expected: float
    p_value: float
    score: float
    alert: bool
    episode_minutes: float


def series_name(org: str, service: str, region: str) -> str:
    """The key of a series in detector_state."""
    return f"{org}|{service}|{region}"


def detection_clock(store: Store, now: datetime | None = None) -> datetime | None:
    """The end (exclusive) of the bins that are complete and worth scoring; None with no posts."""
    now = now or utcnow()
    with store.engine.connect() as conn:
        latest = conn.execute(select(func.max(posts.c.created_at))).scalar()
    if latest is None:
        return None
    return bin_start(min(now, latest + TRAILING))


def _series_counts(store: Store, since: datetime, until: datetime) -> pd.DataFrame:
    stmt = select(counts.c.org, counts.c.service, counts.c.region, counts.c.bin_start, counts.c.authors).where(
        counts.c.source == ALL,
        (counts.c.service == ALL) | (counts.c.region == ALL),
        counts.c.bin_start >= since,
        counts.c.bin_start < until,
    )
    with store.engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


@dataclass(slots=True)
class DetectionRun:
    """What one pass found: the hot bins, and the detector states to save with the incidents."""

    hot: list[SeriesScore]
    states: list[tuple[str, datetime, dict]]


def run_detectors(
    store: Store, until: datetime, params: DetectorParams = DEFAULT_PARAMS, min_score: float = 0.5
) -> DetectionRun:
    """Score every series' new bins up to ``until``, keeping the bins at or above ``min_score``."""
    with store.engine.connect() as conn:
        states = incident_rows.load_detector_states(conn)
        first = conn.execute(select(func.min(counts.c.bin_start))).scalar()
    run = DetectionRun(hot=[], states=[])
    if first is None:
        return run
    since = min([first, *(last + BIN for last, _ in states.values())])
    frame = _series_counts(store, since, until)
    values: dict[str, pd.Series] = {
        series_name(*key): group.set_index("bin_start")["authors"]
        for key, group in frame.groupby(["org", "service", "region"], sort=True)
    }
    # A new series starts where counting started (at most NEW_SERIES_HISTORY back): its baseline
    # has then learned the quiet before the surge that created it.
    new_start = max(first, until - NEW_SERIES_HISTORY)
    current = params.to_dict()
    adopted = sorted(name for name, (_, state) in states.items() if state.get("params") != current)
    if adopted:
        log.info("%d detector state(s) saved under other parameters adopt the current ones", len(adopted))
    for name in sorted(set(values) | set(states)):
        saved = states.get(name)
        series = values.get(name, pd.Series(dtype=float))
        # saved states adopt the current parameters (keeping what they learned): a change of the
        # defaults must reach every series, not only the new ones
        detector = SpikeDetector.from_state(saved[1], params) if saved else SpikeDetector(params)
        org, service, region = name.split("|", 2)
        start = saved[0] + BIN if saved else new_start
        t = start
        while t < until:
            r = detector.update(t, float(series.get(t, 0.0)))
            if r.score >= min_score or r.alert:
                run.hot.append(
                    SeriesScore(
                        org,
                        service,
                        region,
                        t,
                        r.value,
                        r.expected,
                        r.p_value,
                        r.score,
                        bool(r.alert),
                        r.episode_minutes,
                    )
                )
            t += BIN
        if t > start:
            run.states.append((name, t - BIN, detector.state_dict()))
    return run


def save_states(conn: Connection, run: DetectionRun) -> None:
    """Persist the detectors (in the caller's transaction, together with the incidents)."""
    for name, last, state in run.states:
        incident_rows.save_detector_state(conn, name, last, state)
