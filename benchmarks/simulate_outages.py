"""Simulated outages: how many are caught, how fast, and how many false alarms, per series level.

    python benchmarks/simulate_outages.py [--weeks 6] [--series-per-level 5] [--seed 7]

Each series is 5-minute counts with a daily and weekly rhythm, a slow drift, hour-long
multiplicative noise, negative-binomial (over-dispersed) counts, harmless short news bumps
(1.5-3x for 5-15 minutes), and injected outages of 3x to 20x that ramp up over 10-30 minutes
and last 30-120 minutes. Levels run from sparse (0.5 posts/hour) to busy (500/hour). The
detector runs with the default parameters (the same set as NAB and the live path). Seeded.
The oracle column bounds what a level allows: at 0.5 posts/hour a 5x outage of two hours is a
handful of posts, and a good share of them cannot be told from noise by any detector.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from scipy.stats import poisson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from outagewatch.detect.detector import SpikeDetector
from outagewatch.detect.params import DEFAULT_PARAMS, DetectorParams

BIN_MIN = 5
START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
LEVELS_PER_HOUR = (0.5, 5.0, 50.0, 500.0)
WARMUP_DAYS = 2  # no outages are injected and no false alarms counted before this
MATCH_AFTER_END_MIN = 60  # an alert this long after an outage ends still belongs to it


@dataclass(frozen=True)
class Outage:
    """An injected outage: bins [start, end) and its peak multiple of normal."""

    start: int
    end: int
    magnitude: float


def simulate(
    level_per_hour: float, weeks: int, rng: np.random.Generator
) -> tuple[np.ndarray, list[Outage], np.ndarray]:
    """One series of counts, the outages injected into it, and its true mean without them."""
    n = weeks * 7 * 288
    t = np.arange(n)
    hours = (t * BIN_MIN / 60.0) % 24
    weekday = (t // 288) % 7
    daily = 1.0 + rng.uniform(0.4, 0.8) * np.cos(2 * np.pi * (hours - rng.uniform(13, 20)) / 24)
    weekly = np.where(weekday >= 5, rng.uniform(0.6, 0.9), 1.0)
    drift = np.exp(rng.uniform(-0.4, 0.4) * t / n + 0.1 * np.sin(2 * np.pi * t / (288 * rng.uniform(7, 14))))
    hourly_noise = np.repeat(np.exp(rng.normal(0.0, 0.1, n // 12 + 1)), 12)[:n]
    rate = level_per_hour / 12.0 * daily * weekly * drift * hourly_noise
    mult = np.ones(n)
    for start in rng.choice(np.arange(WARMUP_DAYS * 288, n - 4), size=3 * weeks, replace=False):  # news bumps
        mult[start : start + rng.integers(1, 4)] *= rng.uniform(1.5, 3.0)
    normal = rate * mult  # the truth a perfect baseline would know (news bumps included)
    outages: list[Outage] = []
    start = WARMUP_DAYS * 288 + int(rng.integers(0, 288))
    while start < n - 288:
        mag = float(np.exp(rng.uniform(np.log(3.0), np.log(20.0))))
        ramp, plateau, decay = int(rng.integers(2, 7)), int(rng.integers(6, 25)), 6
        shape = np.concatenate(
            [np.linspace(1.0, mag, ramp + 1)[1:], np.full(plateau, mag), np.linspace(mag, 1.0, decay + 1)[1:]]
        )
        mult[start : start + len(shape)] = np.maximum(mult[start : start + len(shape)], shape)
        outages.append(Outage(start, start + len(shape), mag))
        start += int(rng.integers(3 * 288, 9 * 288))  # about one outage a week
    phi = rng.uniform(0.02, 0.2)
    mean = rate * mult
    counts = rng.negative_binomial(1.0 / phi, (1.0 / phi) / (1.0 / phi + mean))
    return counts.astype(float), outages, normal


def oracle_p(counts: np.ndarray, normal: np.ndarray, o: Outage) -> float:
    """Poisson tail of the outage's posts under the true normal mean, over exactly its bins.

    What a detector that knew the true rate and when the outage started and ended could claim
    (over-dispersion ignored, so optimistic): an outage with oracle p above alpha is not
    detectable at the alert level by any detector, and bounds what sparse series can show.
    """
    return float(poisson.sf(counts[o.start : o.end].sum() - 1, normal[o.start : o.end].sum()))


def run_detector(counts: np.ndarray, params: DetectorParams) -> np.ndarray:
    """Alert bins (indices) of one series, scored as a stream from scratch."""
    det = SpikeDetector(params, bin_minutes=BIN_MIN)
    step = timedelta(minutes=BIN_MIN)
    return np.array([i for i, v in enumerate(counts) if det.update(START + i * step, v).alert], dtype=int)


def evaluate(
    params: DetectorParams = DEFAULT_PARAMS, weeks: int = 6, per_level: int = 5, seed: int = 7
) -> dict[str, dict[str, float]]:
    """Figures per level and overall: caught share (>=5x and 3-5x), median delay, false alarms/week."""
    rng = np.random.default_rng(seed)
    stats: dict[str, dict[str, list[float]]] = {}
    for key in [*map(str, LEVELS_PER_HOUR), ">=5", "all"]:
        stats[key] = {"big": [], "small": [], "delay": [], "fa": [], "weeks": [], "oracle": []}
    for level in LEVELS_PER_HOUR:
        for _ in range(per_level):
            counts, outages, normal = simulate(level, weeks, rng)
            alerts = run_detector(counts, params)
            used = np.zeros(len(alerts), dtype=bool)
            for key in (str(level), ">=5", "all") if level >= 5 else (str(level), "all"):
                s = stats[key]
                for o in outages:
                    hit = (alerts >= o.start) & (alerts < o.end + MATCH_AFTER_END_MIN // BIN_MIN)
                    used |= hit
                    s["big" if o.magnitude >= 5 else "small"].append(float(hit.any()))
                    if o.magnitude >= 5:
                        s["oracle"].append(float(oracle_p(counts, normal, o) < params.alpha))
                    if hit.any() and o.magnitude >= 5:  # a bin's count is known when the bin ends
                        s["delay"].append(float((alerts[hit][0] - o.start + 1) * BIN_MIN))
                s["fa"].append(float(np.sum(~used & (alerts >= WARMUP_DAYS * 288))))
                s["weeks"].append(weeks - WARMUP_DAYS / 7)
    out: dict[str, dict[str, float]] = {}
    for key, s in stats.items():
        out[key] = {
            "caught_ge5x_pct": 100 * float(np.mean(s["big"])) if s["big"] else float("nan"),
            "caught_3to5x_pct": 100 * float(np.mean(s["small"])) if s["small"] else float("nan"),
            "oracle_ge5x_pct": 100 * float(np.mean(s["oracle"])) if s["oracle"] else float("nan"),
            "median_delay_min": float(np.median(s["delay"])) if s["delay"] else float("nan"),
            "false_alarms_per_series_week": float(np.sum(s["fa"]) / np.sum(s["weeks"])),
            "outages": float(len(s["big"]) + len(s["small"])),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the table and whether the targets are met."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weeks", type=int, default=6)
    ap.add_argument("--series-per-level", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    res = evaluate(DEFAULT_PARAMS, args.weeks, args.series_per_level, args.seed)
    print(
        f"{'posts/hour':>10} {'outages':>8} {'>=5x caught %':>14} {'3-5x caught %':>14} "
        f"{'median delay min':>17} {'false alarms/series-week':>25} {'>=5x oracle %':>14}"
    )
    for key, r in res.items():
        print(
            f"{key:>10} {r['outages']:>8.0f} {r['caught_ge5x_pct']:>14.1f} {r['caught_3to5x_pct']:>14.1f} "
            f"{r['median_delay_min']:>17.1f} {r['false_alarms_per_series_week']:>25.2f} {r['oracle_ge5x_pct']:>14.1f}"
        )
    for key in ("all", ">=5"):
        a = res[key]
        ok = a["caught_ge5x_pct"] >= 90 and a["median_delay_min"] <= 20 and a["false_alarms_per_series_week"] <= 0.5
        print(
            f"targets for {key} posts/hour (>=90% of >=5x caught, median delay <=20 min, <=0.5 false alarms per "
            f"series-week): {'met' if ok else 'NOT met'}"
        )
    print(
        "oracle %: share of >=5x outages whose posts, counted over exactly the outage's bins, have a Poisson tail "
        "below alpha under the true normal rate: the most any detector could flag at the alert level"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
