"""Streaming spike detector: negative-binomial tail probabilities over several window lengths.

At every bin the detector compares the posts of the last 5, 15, 30, 60 and 120 minutes (default
scales) with what the seasonal baseline expected, under a negative binomial whose dispersion is
learned per scale. The p-value is the smallest scale's tail probability times the number of
scales (Bonferroni), so it stays an honest "probability of such a count under the baseline".
Tails are mid-p (P(X > k) + P(X = k) / 2): the plain tail of a discrete count wastes power on
sparse series, where a few posts are all the evidence there is.

A bin is hot when p < alpha at a window of at least two bins whose older and newer halves are
both above normal and which stays anomalous (p < protect_alpha) with its largest bin set to
normal (the duration rule) holding at least `min_count` posts. The one exception is a single bin
whose count is overwhelming (p < burst_alpha, alpha squared): that much evidence at once is an
alert in itself, and waiting for a second bin would only make it late. `AlertLifecycle` turns
hot bins into at most one alert per surge (episodes, refractory period, routine-surge gate).
Bins with p < protect_alpha are not learned from, and learning lags by `learn_delay_minutes` so
the unflagged rising edge of a surge is dropped too once the surge is flagged. Strictly causal:
bin t's outputs depend on bins <= t only.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from outagewatch.detect.baseline import SeasonalBaseline, nb_midp, nb_upper
from outagewatch.detect.dispersion import ScaleDispersion
from outagewatch.detect.lifecycle import AlertLifecycle, to_bins
from outagewatch.detect.params import DEFAULT_PARAMS, DetectorParams

STATE_VERSION = 1


@dataclass(frozen=True)
class BinScore:
    """What the detector says about one bin."""

    timestamp: datetime
    value: float
    expected: float
    upper: float  # a single bin above this is surprising at the alert level
    p_value: float  # probability of such a count (best window) under the baseline, scale-corrected
    score: float  # in [0, 1]; 0.5 = alert level, 1 = p at or below alpha squared
    alert: int  # 1 only on the bin where a new alert fires
    flagged: bool  # anomalous enough to be kept out of the baseline
    scale_minutes: float  # window that gave the smallest p
    episode_minutes: float  # how long the current anomalous episode has lasted (0 if none)


def score_from_p(p_value: float, alpha: float) -> float:
    """Map a tail probability to [0, 1] on a log scale: alpha -> 0.5, alpha^2 or less -> 1."""
    if p_value >= 1.0:
        return 0.0
    decades = -math.log10(max(p_value, 1e-300))
    return min(decades / (2.0 * -math.log10(alpha)), 1.0)


def evidence_level(score: float, episode_minutes: float, params: DetectorParams = DEFAULT_PARAMS) -> str | None:
    """'likely' for strong evidence that has lasted, 'possible' at alert level, else None.

    'confirmed' needs an official acknowledgement and is decided by the incident layer.
    """
    if score >= params.likely_score and episode_minutes >= params.likely_minutes:
        return "likely"
    if score >= 0.5:
        return "possible"
    return None


class SpikeDetector:
    """One series' detector. `update` one bin at a time, in time order."""

    def __init__(self, params: DetectorParams = DEFAULT_PARAMS, bin_minutes: float = 5.0) -> None:
        if bin_minutes <= 0:
            raise ValueError("bin_minutes must be positive")
        self.params = params
        self.bin_minutes = float(bin_minutes)
        self.scales = sorted({max(round(s / self.bin_minutes), 1) for s in params.scales_minutes})
        self.n_tests = len(self.scales)
        self.baseline = SeasonalBaseline(params, self.bin_minutes)
        bins_per_day = 1440.0 / self.bin_minutes
        self.dispersion = ScaleDispersion(
            n_scales=self.n_tests,
            memory_bins=params.dispersion_memory_days * bins_per_day,
            prior=params.dispersion_prior,
            prior_weight=params.dispersion_prior_weight,
            minimum=params.min_dispersion,
            winsor_sd=params.winsor_sd,
        )
        self._warmup = to_bins(params.warmup_hours * 60, self.bin_minutes)
        self._max_protect = max(to_bins(params.max_protect_hours * 60, self.bin_minutes), 1)
        self._keep = max(self.scales)
        self._delay = to_bins(params.learn_delay_minutes, self.bin_minutes)
        self._settle = max(to_bins(60.0, self.bin_minutes), self._keep)
        self.pending: deque[tuple[datetime, float, bool, list[tuple[float, float]], list[bool]]] = deque()
        self.lifecycle = AlertLifecycle(params, self.bin_minutes)
        self.hist_x: list[float] = []
        self.hist_mu: list[float] = []
        self.hist_flag: list[bool] = []
        self.n_bins = 0
        self.last_ts: datetime | None = None

    # ------------------------------------------------------------------ streaming
    def _advance(self, ts: datetime) -> datetime:
        if ts.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware (UTC)")
        ts = ts.astimezone(UTC)
        if self.last_ts is not None:
            steps = (ts - self.last_ts).total_seconds() / (self.bin_minutes * 60.0)
            if steps <= 0:
                raise ValueError(f"timestamps must increase: {ts.isoformat()} after {self.last_ts.isoformat()}")
            missing = min(max(round(steps) - 1, 0), self._keep)
            for _ in range(missing):  # unobserved bins: no posts and no expectation in the windows
                self._push(0.0, 0.0, False)
            gap = max(round(steps) - 1, 0)
            self.lifecycle.tick(gap)
            self.n_bins += gap
        self.last_ts = ts
        return ts

    def _push(self, x: float, mu: float, flag: bool) -> None:
        for hist, item in ((self.hist_x, x), (self.hist_mu, mu), (self.hist_flag, flag)):
            hist.append(item)
            if len(hist) > self._keep:
                del hist[0]

    def _learn_pending(self, force: bool) -> None:
        """Learn bins once they are `learn_delay_minutes` old, unless a flag was raised since.

        The delay is what protects the baseline from the slow rising edge of a surge on sparse
        series, whose first bins are not yet surprising on their own. `force` (warm-up, or a
        surge so long it is the new normal) learns everything pending at once.
        """
        while self.pending and (force or len(self.pending) > self._delay):
            ts, x, flagged, windows, clean = self.pending.popleft()
            if not force and (flagged or any(e[2] for e in self.pending)):
                continue
            self.baseline.update(ts, x)
            settled = self.baseline.n_learned > self._settle  # the first hour's level is a guess
            for k, window in enumerate(windows):
                if settled and (force or clean[k]):
                    self.dispersion.update(k, *window)

    def _half_ok(self, s: float, m: float, phi: float) -> bool:
        return s >= 1.0 and s > m + self.params.half_z * math.sqrt(m + phi * m * m)

    def _without_peak_ok(self, xs: list[float], ms: list[float], big_s: float, big_m: float, phi: float) -> bool:
        """The window is still anomalous (p < protect_alpha) with its largest bin set to normal.

        The halves rule alone lets one huge bin through whenever the rest of the window happens
        to sit a standard deviation above normal (about one time in three); an outage is many
        people over many minutes, so its evidence must not hang on a single bin.
        """
        j = max(range(len(xs)), key=lambda i: xs[i] - ms[i])
        rest = big_s - xs[j] + min(xs[j], ms[j])
        return nb_midp(rest, big_m, phi) < self.params.protect_alpha

    def update(self, timestamp: datetime, value: float) -> BinScore:
        """Score the bin starting at `timestamp` (UTC-aware) holding `value` posts, then learn."""
        value = float(value)
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"value must be a finite non-negative count, got {value!r}")
        ts = self._advance(timestamp)
        p, mu = self.params, self.baseline.expected(ts)
        self._push(value, mu, False)
        best_p, best_scale, hot = 1.0, self.scales[0], False
        windows = []
        for k, s in enumerate(self.scales):
            xs, ms = self.hist_x[-s:], self.hist_mu[-s:]
            big_s, big_m = sum(xs), sum(ms)
            phi = self.dispersion.phi(k)
            p_s = min(nb_midp(big_s, big_m, phi) * self.n_tests, 1.0)
            windows.append((big_s, big_m))
            if p_s < best_p:
                best_p, best_scale = p_s, s
            if s == 1 and p_s < p.burst_alpha and big_s >= p.min_count:
                hot = True  # overwhelming evidence in one bin needs no duration to be believed
            elif s >= 2 and len(xs) >= 2 and p_s < p.alpha and big_s >= p.min_count:
                h = len(xs) // 2
                new_s, new_m = sum(xs[-h:]), sum(ms[-h:])
                hot = hot or (
                    self._half_ok(new_s, new_m, phi)
                    and self._half_ok(big_s - new_s, big_m - new_m, phi)
                    and self._without_peak_ok(xs, ms, big_s, big_m, phi)
                )
        flagged = best_p < p.protect_alpha
        in_warmup = self.n_bins < self._warmup
        excess = max(value - mu, 0.0) / (self.baseline.level() * 60.0 / self.bin_minutes + 1e-9)
        alert = self.lifecycle.step(hot, flagged, excess, may_alert=not in_warmup)
        self.hist_flag[-1] = flagged
        sd = math.sqrt(mu + self.dispersion.phi(0) * mu * mu)
        clean = [not any(self.hist_flag[-s:]) for s in self.scales]
        # winsorised: the rising edge of a surge, not yet flagged, barely moves the baseline
        self.pending.append((ts, min(value, mu + p.learn_clip_sd * sd + 1.0), flagged, windows, clean))
        self._learn_pending(force=in_warmup or self.lifecycle.episode_bins > self._max_protect)
        self.n_bins += 1
        return BinScore(
            timestamp=ts,
            value=value,
            expected=mu,
            upper=nb_upper(mu, self.dispersion.phi(0), p.alpha / self.n_tests),
            p_value=best_p,
            score=score_from_p(best_p, p.alpha),
            alert=int(alert),
            flagged=flagged,
            scale_minutes=best_scale * self.bin_minutes,
            episode_minutes=self.lifecycle.episode_bins * self.bin_minutes,
        )

    # ------------------------------------------------------------------ persistence
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to continue later, as plain JSON types."""
        return {
            "version": STATE_VERSION,
            "params": self.params.to_dict(),
            "bin_minutes": self.bin_minutes,
            "baseline": self.baseline.state_dict(),
            "dispersion": self.dispersion.state_dict(),
            "hist_x": list(self.hist_x),
            "hist_mu": list(self.hist_mu),
            "hist_flag": list(self.hist_flag),
            "pending": [[t.isoformat(), x, f, [list(w) for w in ws], list(c)] for t, x, f, ws, c in self.pending],
            "n_bins": self.n_bins,
            "last_ts": None if self.last_ts is None else self.last_ts.isoformat(),
            "lifecycle": self.lifecycle.state_dict(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any], params: DetectorParams | None = None) -> SpikeDetector:
        """Rebuild a detector from state_dict output (e.g. after json.loads).

        With `params` (the live path passes the current defaults) a state saved under other
        parameters adopts them instead of silently running on with the old set: the learned
        baseline (level and seasonal factors, whose shape never depends on the parameters), the
        recent bins and the alert counters are kept; the per-scale dispersion and the pending
        window sums are kept only if the window scales are the same, else dispersion restarts
        from its prior (it relearns within days, and its prior is conservative).
        """
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unsupported detector state version {state.get('version')!r}")
        saved = DetectorParams.from_dict(state["params"])
        det = cls(params or saved, float(state["bin_minutes"]))
        same_scales = det.scales == cls(saved, det.bin_minutes).scales
        det.baseline.load_state(state["baseline"])
        if same_scales:
            det.dispersion.load_state(state["dispersion"])
        keep = det._keep
        det.hist_x = [float(x) for x in state["hist_x"]][-keep:]
        det.hist_mu = [float(x) for x in state["hist_mu"]][-keep:]
        det.hist_flag = [bool(x) for x in state["hist_flag"]][-keep:]
        det.pending = deque(
            (
                datetime.fromisoformat(t),
                float(x),
                bool(f),
                [(float(a), float(b)) for a, b in ws] if same_scales else [],
                [bool(c) for c in cs] if same_scales else [],
            )
            for t, x, f, ws, cs in state["pending"]
        )
        det.n_bins = int(state["n_bins"])
        det.last_ts = None if state["last_ts"] is None else datetime.fromisoformat(state["last_ts"])
        det.lifecycle.load_state(state["lifecycle"])
        return det
