"""Negative-binomial dispersion per window scale, estimated online by moments.

Variance of a window sum S with expected M is modelled as M + phi * M^2: the Poisson part
covers sparse series, phi covers bursty busy ones and the baseline's own errors. phi is a
ratio of decayed sums, sum((S - M)^2 - M) / sum(M^2), which weighs busy periods most, with
winsorised residuals (heavy tails must not inflate it) and a prior worth `prior_weight` units
of M^2: a busy series outweighs it within a window, while on a sparse series (M ~ 0.04, where
the Poisson noise swamps any estimate of phi) the prior keeps phi sane.
Each scale gets its own phi because bursts are correlated across adjacent bins.
"""

from __future__ import annotations

import math
from typing import Any


class ScaleDispersion:
    """One phi per scale; update only with windows that contain no flagged bin."""

    def __init__(
        self, n_scales: int, memory_bins: float, prior: float, prior_weight: float, minimum: float, winsor_sd: float
    ) -> None:
        self.lam = 1.0 - 1.0 / max(memory_bins, 1.0)
        self.prior = prior
        self.prior_weight = prior_weight
        self.minimum = minimum
        self.winsor_sd = winsor_sd
        self.a = [0.0] * n_scales  # decayed sum of (S - M)^2 - M
        self.b = [0.0] * n_scales  # decayed sum of M^2

    def phi(self, k: int) -> float:
        """Current dispersion of scale k: the moment estimate shrunk towards the prior."""
        est = (self.a[k] + self.prior * self.prior_weight) / (self.b[k] + self.prior_weight)
        return max(est, self.minimum)

    def update(self, k: int, s: float, m: float) -> None:
        """Learn from one window sum s whose expectation was m."""
        if m <= 0:
            return
        sd = math.sqrt(m + self.phi(k) * m * m)
        lim = self.winsor_sd * sd + 2.0
        r = min(max(s - m, -lim), lim)
        self.a[k] = self.lam * self.a[k] + r * r - m
        self.b[k] = self.lam * self.b[k] + m * m

    def state_dict(self) -> dict[str, Any]:
        """JSON-serialisable state."""
        return {"a": list(self.a), "b": list(self.b)}

    def load_state(self, state: dict[str, Any]) -> None:
        """Restore state_dict output; the number of scales must match the parameters."""
        if not len(state["a"]) == len(state["b"]) == len(self.a):
            raise ValueError("dispersion state does not match the number of scales in the parameters")
        self.a = [float(x) for x in state["a"]]
        self.b = [float(x) for x in state["b"]]
