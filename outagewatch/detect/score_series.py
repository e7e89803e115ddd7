"""Files in, files out: run the detector over a `timestamp,value` series.

`score_csv` is the whole job behind `outagewatch score-series IN.csv --output OUT.csv`, and
`benchmarks/nab.py` calls it too, so the benchmark measures exactly what users run. Scoring
goes through the streaming `SpikeDetector` one bin at a time, so batch and live agree.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd

from outagewatch.detect.detector import SpikeDetector
from outagewatch.detect.params import DEFAULT_PARAMS, DetectorParams

OUTPUT_COLUMNS = ["timestamp", "value", "expected", "upper", "score", "alert"]
DEFAULT_BIN = timedelta(minutes=5)


def infer_bin_width(timestamps: pd.Series) -> timedelta:
    """The median spacing of the timestamps (robust to a few gaps); 5 minutes for one row."""
    if len(timestamps) < 2:
        return DEFAULT_BIN
    step = timestamps.diff().dropna().median()
    return pd.Timedelta(step).to_pytimedelta()


def score_frame(
    df: pd.DataFrame, params: DetectorParams = DEFAULT_PARAMS, bin_width: timedelta | None = None
) -> pd.DataFrame:
    """Score a frame with `timestamp` (datetimes; naive means UTC) and `value`; adds detector columns.

    Adds expected, upper, p_value, score, alert, flagged. Rows must be sorted by time.
    """
    ts = pd.to_datetime(df["timestamp"], utc=True)
    width = bin_width or infer_bin_width(ts)
    det = SpikeDetector(params, bin_minutes=width.total_seconds() / 60.0)
    rows = [det.update(t, v) for t, v in zip(ts.dt.to_pydatetime(), df["value"].to_numpy(dtype=float), strict=True)]
    out = df.copy()
    out["expected"] = [r.expected for r in rows]
    out["upper"] = [r.upper for r in rows]
    out["p_value"] = [r.p_value for r in rows]
    out["score"] = [r.score for r in rows]
    out["alert"] = [r.alert for r in rows]
    out["flagged"] = [r.flagged for r in rows]
    return out


def _read_series(in_path: str | Path) -> tuple[pd.DataFrame, pd.Series]:
    """Read and validate; errors name the line (header = line 1) so a user can fix the file."""
    try:
        raw = pd.read_csv(in_path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError as exc:
        raise ValueError(f"{in_path}: the file is empty; expected a header 'timestamp,value'") from exc
    raw.columns = [str(c).strip() for c in raw.columns]
    missing = [c for c in ("timestamp", "value") if c not in raw.columns]
    if missing:
        raise ValueError(f"{in_path}: missing column(s) {missing}; found {list(raw.columns)}")
    if raw.empty:
        raise ValueError(f"{in_path}: no data rows")
    values = pd.to_numeric(raw["value"].str.strip(), errors="coerce")
    bad = values.isna() | (values < 0) | ~values.abs().lt(float("inf"))
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise ValueError(
            f"{in_path}, line {i + 2}: value {raw['value'].iloc[i]!r} is not a non-negative number "
            f"({int(bad.sum())} bad value(s) in total)"
        )
    ts = pd.to_datetime(raw["timestamp"].str.strip(), utc=True, errors="coerce", format="mixed")
    if ts.isna().any():
        i = int(ts.isna().to_numpy().nonzero()[0][0])
        raise ValueError(f"{in_path}, line {i + 2}: timestamp {raw['timestamp'].iloc[i]!r} cannot be parsed")
    steps = ts.diff().iloc[1:]
    if (steps <= pd.Timedelta(0)).any():
        i = int((steps <= pd.Timedelta(0)).to_numpy().nonzero()[0][0]) + 1
        raise ValueError(
            f"{in_path}, line {i + 2}: timestamps must be sorted and unique; "
            f"{raw['timestamp'].iloc[i]!r} does not come after {raw['timestamp'].iloc[i - 1]!r}"
        )
    return pd.DataFrame({"timestamp": ts, "value": values}), raw["timestamp"]


def score_csv(in_path: str | Path, out_path: str | Path, params: DetectorParams = DEFAULT_PARAMS) -> int:
    """Score IN (columns timestamp,value; regular bins of any width) into OUT; returns rows written.

    OUT has the input's timestamp text unchanged plus value, expected, upper, score, alert.
    Raises ValueError with the offending line for missing columns, non-numeric or negative
    values, unparsable or unsorted timestamps.
    """
    frame, ts_text = _read_series(in_path)
    scored = score_frame(frame, params)
    scored["timestamp"] = ts_text.str.strip().to_numpy()
    scored["expected"] = scored["expected"].round(4)
    scored["score"] = scored["score"].round(6)
    scored[OUTPUT_COLUMNS].to_csv(out_path, index=False)
    return len(scored)
