"""NAB realTweets benchmark for the spike detector: one command, published detectors beside ours.

    python benchmarks/nab.py [--shared PATH] [--keep DIR] [--per-window]

Runs `score_csv` (the code path of `outagewatch score-series`) on every realTweets file, each
from scratch with the default parameters, then scores the `alert` column with the shared
`nab_score.py` for NAB's three profiles. The alert column means no threshold is tuned on the
test data.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from outagewatch.detect.score_series import score_csv  # noqa: E402

PROFILES = ("standard", "reward_low_FP_rate", "reward_low_FN_rate")
# SCOREBOARD.md, published thresholds, realTweets subset: (standard, low FP, low FN)
PUBLISHED = {
    "ARTime": (81.8, 70.1, 87.9),
    "CAD OSE (contextOSE)": (74.5, 73.1, 76.5),
    "earthgeckoSkyline": (68.9, 45.3, 78.3),
    "Numenta HTM": (68.0, 61.1, 72.6),
    "HTM Java": (65.0, 52.4, 70.6),
    "KNN CAD": (64.3, 42.2, 73.2),
    "NumentaTM HTM": (62.4, 57.7, 67.9),
    "relativeEntropy": (59.8, 55.0, 63.1),
    "Twitter ADVec": (59.6, 35.8, 69.0),
    "windowedGaussian": (51.4, 16.3, 64.6),
    "randomCutForest": (48.1, 46.9, 62.2),
    "Etsy Skyline": (29.4, 31.8, 50.9),
    "random": (21.3, 13.0, 31.4),
}


def score_all(data_dir: Path, out_dir: Path) -> int:
    """Score each data file into out_dir/<same name>.csv (the name nab_score.py looks for)."""
    files = sorted(data_dir.glob("*.csv"))
    if not files:
        raise SystemExit(f"no CSV files in {data_dir}")
    total = 0
    for path in files:
        total += score_csv(path, out_dir / path.name)
    return total


def run_scorer(shared: Path, out_dir: Path, per_window: bool) -> dict:
    """Run the shared scorer on our alert column; returns its JSON results."""
    json_path = out_dir / "nab_results.json"
    cmd = [sys.executable, str(shared / "benchmarks" / "nab_score.py"), "--data", "nab-realtweets"]
    cmd += ["--detections", str(out_dir), "--json", str(json_path)]
    if per_window:
        cmd += ["--per-window"]
    proc = subprocess.run(cmd, cwd=shared / "benchmarks", capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"nab_score.py failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    if per_window:
        print(proc.stdout)
    return json.loads(json_path.read_text())


def profile_scores(results: dict) -> dict[str, tuple[float, int, int, int]]:
    """(normalised score, windows detected, windows, FP alerts) per profile from nab_score.py's JSON."""
    return {p: (r["normalized"], r["detected"], r["windows"], r["fp_alerts"]) for p, r in results.items()}


def main(argv: list[str] | None = None) -> int:
    """Score, evaluate, print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared", help="the shared folder (default ../shared)")
    ap.add_argument("--keep", type=Path, help="write the per-file detections here instead of a temp dir")
    ap.add_argument("--per-window", action="store_true", help="also print each window's first alert")
    args = ap.parse_args(argv)
    data_dir = args.shared / "benchmarks" / "nab-realtweets" / "data"
    with tempfile.TemporaryDirectory(prefix="nab_outagewatch_") as tmp:
        out_dir = args.keep or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        rows = score_all(data_dir, out_dir)
        elapsed = time.perf_counter() - t0
        results = run_scorer(args.shared, out_dir, args.per_window)
    ours = profile_scores(results)
    print(f"scored {rows} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s), default parameters, alert column")
    std = ours["standard"]
    print(f"standard profile: {std[1]}/{std[2]} windows detected, {std[3]} false-positive alert rows")
    print(f"{'detector':<24}{'standard':>10}{'low FP':>10}{'low FN':>10}")
    print(f"{'OutageWatch (ours)':<24}" + "".join(f"{ours[p][0]:>10.1f}" for p in PROFILES))
    for name, scores in PUBLISHED.items():
        print(f"{name:<24}" + "".join(f"{s:>10.1f}" for s in scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
