"""The single parameter set of the spike detector.

All durations are in wall-clock units (minutes, hours, days), never in bins, so the same
parameters work for any bin width. One instance is shared by every series (NAB rule and
design rule): the detector adapts online, parameters never change per series.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class DetectorParams:
    """Global, series-independent settings; defaults are the shipped parameter set."""

    # --- baseline (what is normal) ---
    level_halflife_hours: float = 12.0  # how fast the deseasonalised level follows slow drifts
    level_min_posts: float = 50.0  # ... but its memory always spans at least this many expected posts
    daily_memory_days: float = 14.0  # memory of the hour-of-day factors
    weekly_memory_weeks: float = 4.0  # memory of the day-of-week and hour-of-week factors
    season_min_posts: float = 50.0  # ... but a seasonal slot remembers at least this many expected posts
    prior_posts: float = 5.0  # shrinks seasonal factors to 1 until this many posts were expected in a slot
    floor_per_hour: float = 0.05  # expected rate never goes below this (posts/hour)
    # --- dispersion (how noisy normal is), one negative-binomial phi per window scale ---
    dispersion_memory_days: float = 14.0
    dispersion_prior: float = 0.1  # phi before data arrive
    dispersion_prior_weight: float = 20.0  # weight of that prior, in units of (expected posts per window)^2
    min_dispersion: float = 0.01
    winsor_sd: float = 4.0  # residuals beyond this many sd are clipped before estimating phi
    # --- evidence ---
    scales_minutes: tuple[float, ...] = (5.0, 15.0, 30.0, 60.0, 120.0)  # window lengths tested at every bin
    alpha: float = 1e-4  # alert-level tail probability (after multiplying by the number of scales)
    protect_alpha: float = 1e-3  # bins with p below this are not learned from (river's protect idea)
    learn_delay_minutes: float = 60.0  # bins are learned this late, and only if no flag came up meanwhile
    learn_clip_sd: float = 3.0  # values are clipped to expected + this many sd before they are learned
    max_protect_hours: float = 12.0  # a surge longer than this is a new normal: learning resumes
    half_z: float = 1.0  # duration rule: both halves of the window must exceed expected + half_z sd
    min_count: float = 5.0  # posts needed in the triggering window
    burst_alpha: float = 1e-8  # a single bin this improbable (alpha squared) alerts without the duration rule
    # --- alert lifecycle ---
    min_duration_minutes: float = 0.0  # hot this long before alerting (0: the halves rule is the duration rule)
    cooldown_minutes: float = 60.0  # this long without a flagged bin ends an episode
    refractory_hours: float = 12.0  # no new alert this soon after the previous one
    routine_days: float = 14.0  # memory for "this series surges like this routinely"
    routine_max: int = 3  # a surge alerts only once it outgrows all but routine_max - 1 of the recent ones
    warmup_hours: float = 24.0  # learn only, never alert, during the first hours of a series
    # --- evidence levels (helper for incidents) ---
    likely_score: float = 0.75
    likely_minutes: float = 30.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (tuples become lists)."""
        out = asdict(self)
        out["scales_minutes"] = list(self.scales_minutes)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DetectorParams:
        """Inverse of to_dict; unknown keys are an error so typos do not pass silently."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown detector parameter(s): {sorted(unknown)}")
        values = dict(data)
        if "scales_minutes" in values:
            values["scales_minutes"] = tuple(float(s) for s in values["scales_minutes"])
        return cls(**values)


DEFAULT_PARAMS = DetectorParams()
