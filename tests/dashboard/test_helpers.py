"""The pure parts of the dashboard: baselines, map placement, link safety, collector verdicts, the command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from dashboard import baseline, commands, geo, widgets
from dashboard.data import _verdict
from outagewatch.watchlist import Org

T0 = datetime(2025, 5, 26, 0, 0, tzinfo=UTC)
KP = Org("kaiser", "Kaiser Permanente", regions={"Northern California": ("CA",), "Mid-Atlantic States": ("MD", "VA")})


def test_fill_bins_puts_zeros_in_missing_bins():
    raw = pd.DataFrame({"bin_start": [T0 + timedelta(minutes=10)], "posts": [3]})
    filled = baseline.fill_bins(raw, T0, T0 + timedelta(minutes=20))
    assert filled["posts"].tolist() == [0, 0, 3, 0]
    assert str(filled["bin_start"].dt.tz) == "UTC"


def test_baseline_band_sits_below_a_spike_and_above_calm_bins():
    bins = pd.date_range(T0, periods=288 * 8, freq="5min", tz="UTC")
    posts = [1 if i % 3 == 0 else 0 for i in range(len(bins))]
    posts[-6:] = [12] * 6
    raw = pd.DataFrame({"bin_start": bins, "posts": posts})
    since = bins[-288].to_pydatetime()
    scored = baseline.with_baseline(raw, since, bins[-1].to_pydatetime() + timedelta(minutes=5))
    assert len(scored) == 288
    assert scored["bin_start"].iloc[0] == bins[-288]
    calm, spike = scored.iloc[:-6], scored.iloc[-6:]
    assert (calm["upper"] >= calm["posts"]).mean() > 0.95
    assert (spike["posts"] > spike["upper"]).all()
    assert baseline.excess(spike) > 60
    assert baseline.excess(calm) < 10


def test_status_is_the_strongest_open_level():
    assert baseline.status_of([]) is None
    assert baseline.status_of(["possible", "confirmed", "likely"]) == "confirmed"
    assert baseline.status_of(["possible", "likely"]) == "likely"


def test_weekly_rhythm_is_mean_per_hour_by_weekday():
    bins = pd.date_range(T0, periods=12 * 24 * 14, freq="5min", tz="UTC")  # two weeks from a Monday
    raw = pd.DataFrame({"bin_start": bins, "posts": [2 if t.hour == 9 else 0 for t in bins]})
    rhythm = baseline.weekly_rhythm(raw).set_index(["weekday", "hour"])
    assert rhythm.loc[("Mon", 9), "posts_per_hour"] == 24
    assert rhythm.loc[("Sun", 3), "posts_per_hour"] == 0
    assert len(rhythm) == 7 * 24


def test_fips_ids_are_zero_padded_strings():
    assert geo.fips("CA") == "06"
    assert geo.fips("California") == "06"
    assert geo.fips("state:CA") is None
    ids = {g["id"] for g in geo.topology()["objects"]["states"]["geometries"]}
    assert {"06", "01", "11"} <= ids


def test_state_table_reads_state_counts_directly():
    regions = pd.DataFrame(
        {"region": ["state:CA", "Northern California", "state:MD"], "posts": [5, 5, 2], "excess": [3.0, 3.0, 0.0]}
    )
    table, unmapped = geo.state_table(regions, KP)
    assert table.set_index("state")["posts"].to_dict() == {"CA": 5, "MD": 2}
    assert table.set_index("state").loc["CA", "id"] == "06"
    assert table.set_index("state").loc["MD", "regions"] == "Mid-Atlantic States"
    assert unmapped == []


def test_state_table_spreads_organization_regions_without_state_counts():
    regions = pd.DataFrame({"region": ["Mid-Atlantic States", "Atlantis"], "posts": [4, 1], "excess": [1.0, 0.0]})
    table, unmapped = geo.state_table(regions, KP)
    assert table.set_index("state")["posts"].to_dict() == {"MD": 4, "VA": 4}
    assert unmapped == ["Atlantis"]


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://reddit.com/r/x", True),
        ("HTTP://example.org", True),
        ("javascript:alert(1)", False),
        ("data:text/html,hi", False),
        (None, False),
    ],
)
def test_only_http_links_are_offered(url, safe):
    assert (widgets.safe_url(url) is not None) is safe


def test_collector_verdicts_make_silent_failures_visible():
    now = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
    ok = {"last_status": "ok", "last_success": now - timedelta(minutes=10)}
    assert _verdict(ok, now) == "ok"
    assert _verdict({**ok, "last_status": "error"}, now).startswith("error")
    assert _verdict({**ok, "last_success": now - timedelta(hours=7)}, now) == "warning: no successful run for 7 h"
    assert _verdict({**ok, "last_success": now - timedelta(days=3)}, now) == "warning: no successful run for 3 days"
    assert _verdict({"last_status": "ok", "last_success": None}, now).startswith("warning: never")


def test_dashboard_command_is_headless_without_telemetry(tmp_path):
    command = commands.streamlit_command(8765, "127.0.0.1")
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert command[1:4] == ["-m", "dashboard.serve", "run"]
    assert command[4].endswith("dashboard/app.py")
    assert flags == {
        "--server.port": "8765",
        "--server.address": "127.0.0.1",
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
        "--client.toolbarMode": "minimal",
    }
    env = commands.streamlit_env("sqlite:///x.db", tmp_path / "missing.toml")
    assert env["OUTAGEWATCH_DB_URL"] == "sqlite:///x.db"
    assert "OUTAGEWATCH_CONFIG" not in env


def test_model_metrics_pick_headline_figures_or_flatten_unknown_cards():
    from dashboard.data import model_metrics

    known = model_metrics({"metrics": {"heldout": {"n": 10, "is_report": {"f1": 0.9}, "org": {"accuracy": 0.8}}}})
    assert known.to_dict("records") == [
        {"evaluation set": "heldout", "posts": 10, "report F1": 0.9, "organization accuracy": 0.8}
    ]
    other = model_metrics({"metrics": {"dev": {"auc": 0.7, "by": {"x": 1}, "note": "text"}}})
    assert other.to_dict("records") == [{"evaluation set": "dev", "auc": 0.7, "by.x": 1}]
    assert model_metrics({}).empty
