"""score_csv / score_frame: the file-in, file-out path behind `outagewatch score-series`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outagewatch.detect import SpikeDetector, score_csv, score_frame
from outagewatch.detect.score_series import OUTPUT_COLUMNS, infer_bin_width


def write_series(path: Path, step: timedelta, n: int, surge_at: int | None = None, seed: int = 0) -> list[str]:
    """A Poisson series (20 posts per bin) with an optional 10x surge of 12 bins; returns its timestamps."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(20, n)
    if surge_at is not None:
        counts[surge_at : surge_at + 12] *= 10
    start = datetime(2026, 3, 2, tzinfo=UTC)
    stamps = [(start + i * step).strftime("%Y-%m-%d %H:%M:%S") for i in range(n)]
    pd.DataFrame({"timestamp": stamps, "value": counts}).to_csv(path, index=False)
    return stamps


def test_score_csv_writes_the_documented_columns(tmp_path: Path) -> None:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    stamps = write_series(src, timedelta(minutes=5), 3 * 288, surge_at=2 * 288 + 40)
    assert score_csv(src, out) == 3 * 288
    got = pd.read_csv(out)
    assert list(got.columns) == OUTPUT_COLUMNS
    assert got["timestamp"].tolist() == stamps  # timestamp text is kept as given
    assert got["score"].between(0, 1).all()
    assert set(got["alert"].unique()) <= {0, 1}
    assert (got["upper"] >= got["expected"].round()).all()
    alerts = got.index[got["alert"] == 1].tolist()
    assert alerts
    assert 2 * 288 + 40 <= alerts[0] <= 2 * 288 + 44


def test_score_csv_is_the_streaming_detector(tmp_path: Path) -> None:
    """Batch and live share one code path: same numbers as feeding SpikeDetector by hand."""
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_series(src, timedelta(minutes=5), 2 * 288, surge_at=300)
    score_csv(src, out)
    frame = pd.read_csv(src)
    det = SpikeDetector()
    stamps = pd.to_datetime(frame["timestamp"], utc=True).dt.to_pydatetime()
    by_hand = [det.update(t, v) for t, v in zip(stamps, frame["value"], strict=True)]
    got = pd.read_csv(out)
    assert got["alert"].tolist() == [s.alert for s in by_hand]
    assert np.allclose(got["expected"], [s.expected for s in by_hand], atol=1e-4)


def test_bin_width_is_inferred(tmp_path: Path) -> None:
    src, out = tmp_path / "hourly.csv", tmp_path / "out.csv"
    write_series(src, timedelta(hours=1), 24 * 10, surge_at=24 * 8)
    frame = pd.read_csv(src)
    assert infer_bin_width(pd.to_datetime(frame["timestamp"], utc=True)) == timedelta(hours=1)
    score_csv(src, out)
    got = pd.read_csv(out)
    assert got["alert"].sum() >= 1
    assert got.loc[: 24 * 8 - 1, "alert"].sum() == 0


def test_score_frame_adds_p_value_and_flags() -> None:
    start = datetime(2026, 3, 2, tzinfo=UTC)
    df = pd.DataFrame({"timestamp": [start + timedelta(minutes=5 * i) for i in range(50)], "value": [3] * 50})
    out = score_frame(df)
    assert {"expected", "upper", "p_value", "score", "alert", "flagged"} <= set(out.columns)
    assert out["p_value"].between(0, 1).all()
    assert len(out) == 50
    assert out["alert"].sum() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("time,value\n2026-01-01 00:00:00,1\n", r"missing column\(s\) \['timestamp'\]"),
        ("timestamp,count\n2026-01-01 00:00:00,1\n", r"missing column\(s\) \['value'\]"),
        ("timestamp,value\n", "no data rows"),
        ("", "empty"),
        (
            "timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,abc\n2026-01-01 00:10:00,2\n",
            r"line 3: value 'abc' is not a non-negative number",
        ),
        ("timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,-4\n", "line 3: value '-4'"),
        ("timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,\n", "line 3: value ''"),
        ("timestamp,value\n2026-01-01 00:00:00,1\nyesterday,2\n", "line 3: timestamp 'yesterday' cannot be parsed"),
        (
            "timestamp,value\n2026-01-01 00:10:00,1\n2026-01-01 00:05:00,2\n",
            "line 3: timestamps must be sorted and unique",
        ),
        ("timestamp,value\n2026-01-01 00:10:00,1\n2026-01-01 00:10:00,2\n", "line 3: timestamps must be sorted"),
    ],
)
def test_bad_input_is_a_clear_value_error(tmp_path: Path, content: str, message: str) -> None:
    src = tmp_path / "bad.csv"
    src.write_text(content)
    with pytest.raises(ValueError, match=message):
        score_csv(src, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
