"""One detection pass, as `outagewatch detect` and the production loop run it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from outagewatch.detect.incidents import Enqueue, update_incidents
from outagewatch.detect.live import detection_clock, run_detectors
from outagewatch.models import Incident
from outagewatch.store import Store


@dataclass(frozen=True, slots=True)
class DetectSummary:
    """What a pass did, for the log and the CLI."""

    until: datetime | None
    series: int
    hot_bins: int
    changed: list[Incident]


def detect_once(store: Store, now: datetime | None = None, enqueue: Enqueue | None = None) -> DetectSummary:
    """Score the bins completed since the last pass and update incidents (and the outbox)."""
    until = detection_clock(store, now)
    if until is None:
        return DetectSummary(None, 0, 0, [])
    run = run_detectors(store, until)
    changed = update_incidents(store, run, until, enqueue)
    return DetectSummary(until, len(run.states), len(run.hot), changed)
