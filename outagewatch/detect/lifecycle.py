"""When a hot bin becomes an alert: episodes, duration rule, refractory period, routine surges.

An episode is a run of anomalous bins that ends after `cooldown_minutes` without one; it gets
at most one alert, at its start. Its size is its cumulative excess: posts above expected, in
hours of normal volume (so a long surge outweighs a short spike of the same height). A surge
only alerts once it has grown larger than all but `routine_max - 1` of the surges that ended in
the last `routine_days`: a series whose mentions jump tenfold every day (bots, daily news
cycles) has not had an outage when it does it again, while a quiet series alerts on its first
surge. The price is delay on busy-but-spiky series: the alert waits until the surge outgrows
the routine ones. All counters are in bins.
"""

from __future__ import annotations

import math
from typing import Any

from outagewatch.detect.params import DetectorParams


def to_bins(minutes: float, bin_minutes: float) -> int:
    """Whole bins covering `minutes` (rounded up)."""
    return max(math.ceil(minutes / bin_minutes - 1e-9), 0)


class AlertLifecycle:
    """Turns per-bin 'hot'/'flagged' signals into at most one alert per surge."""

    def __init__(self, params: DetectorParams, bin_minutes: float) -> None:
        self.cooldown = max(to_bins(params.cooldown_minutes, bin_minutes), 1)
        self.refractory = to_bins(params.refractory_hours * 60, bin_minutes)
        self.min_run = max(to_bins(params.min_duration_minutes, bin_minutes), 1)
        self.routine_bins = to_bins(params.routine_days * 1440, bin_minutes)
        self.routine_max = params.routine_max
        self.clock = 0  # bins seen, including gaps
        self.hot_run = 0
        self.quiet = 0
        self.episode_bins = 0
        self.episode_excess = 0.0
        self.episode_hot = False
        self.episode_alerted = False
        self.since_alert = self.refractory
        self.past: list[list[float]] = []  # [clock at end, size]

    def tick(self, n: int = 1) -> None:
        """Let n bins pass (gaps in the series count as time)."""
        self.clock += n
        self.since_alert += n

    def similar_past(self, size: float) -> int:
        """Recent ended surges at least as large as `size`."""
        return sum(1 for _, past_size in self.past if past_size >= size)

    def step(self, hot: bool, flagged: bool, excess: float, may_alert: bool) -> bool:
        """Advance one bin; True when a new alert fires on this bin.

        `excess` is the bin's posts above expected, in hours of normal volume.
        """
        self.past = [e for e in self.past if self.clock - e[0] < self.routine_bins]
        if hot or flagged:
            self.quiet = 0
            self.episode_bins += 1
            self.episode_excess += excess
            self.episode_hot = self.episode_hot or hot
        else:
            self.quiet += 1
            if self.quiet >= self.cooldown and self.episode_bins:
                # only surges with alert-level evidence define what is routine; warm-up ones are
                # judged on a guessed baseline
                if self.episode_hot and may_alert:
                    self.past.append([float(self.clock), self.episode_excess])
                self.episode_bins, self.episode_excess = 0, 0.0
                self.episode_hot = self.episode_alerted = False
        self.hot_run = self.hot_run + 1 if hot else 0
        fire = (
            may_alert
            and hot
            and self.hot_run >= self.min_run
            and not self.episode_alerted
            and self.since_alert >= self.refractory
            and self.similar_past(self.episode_excess) < self.routine_max
        )
        if fire:
            self.episode_alerted = True
            self.since_alert = 0
        self.tick()
        return fire

    def state_dict(self) -> dict[str, Any]:
        """JSON-serialisable counters."""
        keys = ("clock", "hot_run", "quiet", "episode_bins", "episode_excess", "episode_hot", "episode_alerted")
        state = {k: getattr(self, k) for k in (*keys, "since_alert")}
        state["past"] = [list(e) for e in self.past]
        return state

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore state_dict output."""
        for k in ("clock", "hot_run", "quiet", "episode_bins", "since_alert"):
            setattr(self, k, int(state[k]))
        self.episode_excess = float(state["episode_excess"])
        self.episode_hot = bool(state["episode_hot"])
        self.episode_alerted = bool(state["episode_alerted"])
        self.past = [[float(c), float(size)] for c, size in state["past"]]
