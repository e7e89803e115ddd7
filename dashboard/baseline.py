"""Counts against what is normal: the detector's expected level and upper bound for a chart.

Pure pandas (no Streamlit), so it is tested directly. The detector learns each series' level
and weekly rhythm, so it is run over a history before the window shown; without that warm-up
the band would start at the prior and look alarming for every organization.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from outagewatch.detect import score_frame

BIN = timedelta(minutes=5)
HISTORY = timedelta(days=7)
LEVELS = ("confirmed", "likely", "possible")
STATUS_TEXT = {
    "confirmed": "Confirmed outage",
    "likely": "Likely outage",
    "possible": "Possible problem",
    None: "No problem detected",
}


def floor_bin(moment: datetime) -> datetime:
    """The start of the 5-minute bin holding ``moment``."""
    return moment - timedelta(minutes=moment.minute % 5, seconds=moment.second, microseconds=moment.microsecond)


def fill_bins(series: pd.DataFrame, since: datetime, until: datetime, value: str = "posts") -> pd.DataFrame:
    """A row for every bin in [since, until): the store leaves empty bins out, they mean zero."""
    index = pd.date_range(since, until, freq=BIN, inclusive="left", tz="UTC", name="bin_start")
    if series.empty:
        return pd.DataFrame({"bin_start": index, value: 0})
    values = series.assign(bin_start=pd.to_datetime(series["bin_start"], utc=True)).set_index("bin_start")[value]
    filled = values.groupby(level=0).sum().reindex(index, fill_value=0)
    return filled.astype("int64").reset_index()


def with_baseline(series: pd.DataFrame, since: datetime, until: datetime) -> pd.DataFrame:
    """Score a (bin_start, posts) series that starts before ``since``; return the rows in [since, until).

    Columns: bin_start, posts, expected, upper, score, alert.
    """
    start = pd.Timestamp(series["bin_start"].min()) if not series.empty else pd.Timestamp(since)
    start = min(start, pd.Timestamp(since))
    full = fill_bins(series, start.to_pydatetime(), until)
    scored = score_frame(full.rename(columns={"bin_start": "timestamp", "posts": "value"}))
    scored = scored.rename(columns={"timestamp": "bin_start", "value": "posts"})
    shown = scored[scored["bin_start"] >= pd.Timestamp(since)]
    return shown[["bin_start", "posts", "expected", "upper", "score", "alert"]].reset_index(drop=True)


def excess(scored: pd.DataFrame) -> float:
    """Reports in a scored window beyond what was expected over it (never negative).

    Netted over the window, not per bin: noise above and below the expected level cancels out.
    """
    if scored.empty:
        return 0.0
    return max(float(scored["posts"].sum() - scored["expected"].sum()), 0.0)


def status_of(levels: list[str]) -> str | None:
    """The strongest evidence level among an organization's open incidents (None: no problem)."""
    for level in LEVELS:
        if level in levels:
            return level
    return None


def weekly_rhythm(series: pd.DataFrame, value: str = "posts") -> pd.DataFrame:
    """Mean reports per hour for each weekday x hour-of-day (UTC) of a filled bin series."""
    if series.empty:
        return pd.DataFrame(columns=["weekday", "hour", "posts_per_hour"])
    stamps = pd.to_datetime(series["bin_start"], utc=True)
    hourly = series.assign(hour_start=stamps.dt.floor("h")).groupby("hour_start")[value].sum().reset_index()
    hourly["weekday"] = hourly["hour_start"].dt.day_name().str[:3]
    hourly["hour"] = hourly["hour_start"].dt.hour
    out = hourly.groupby(["weekday", "hour"])[value].mean().reset_index()
    return out.rename(columns={value: "posts_per_hour"})


def resample(series: pd.DataFrame, rule: str, by: str | None = None) -> pd.DataFrame:
    """Sum a bin series into coarser bins (``rule`` like "1h"), per value of ``by`` if given."""
    if series.empty:
        return series
    frame = series.assign(bin_start=pd.to_datetime(series["bin_start"], utc=True).dt.floor(rule))
    keys = ["bin_start", by] if by else ["bin_start"]
    return frame.groupby(keys, as_index=False)["posts"].sum()
