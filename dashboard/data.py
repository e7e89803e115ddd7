"""Every number the dashboard shows comes through here: cached calls into the store's read API.

Pages never touch the database. Cached results are keyed on the database URL as well as the
arguments, so two stores in one process (tests) never see each other's data. Times passed in
are floored to the 5-minute bin, so a rerun within a bin is served from the cache.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import baseline, geo
from outagewatch import runtime
from outagewatch.models import utcnow
from outagewatch.resources import data_path
from outagewatch.store import Store, queries
from outagewatch.watchlist import Org

TTL = 60  # seconds: counts change every 5 minutes at most, collectors run every few minutes
STALE = timedelta(hours=1)
OVERVIEW_WINDOW = timedelta(hours=24)
TRENDS_DAYS = 7
ALL = queries.ALL


def db_url() -> str:
    """The database the dashboard reads: OUTAGEWATCH_DB_URL (set by `outagewatch dashboard`) or settings."""
    return os.environ.get("OUTAGEWATCH_DB_URL") or runtime.settings().get("db_url")


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    """One store (engine and pool) per database for the whole server; migrated on first use."""
    return Store.open(url)


@st.cache_data(ttl=TTL, show_spinner=False)
def _run(url: str, name: str, args: tuple, kwargs: tuple) -> Any:
    return getattr(queries, name)(_store(url).engine, *args, **dict(kwargs))


def _query(name: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``queries.<name>`` on the dashboard's database, through the cache."""
    return _run(db_url(), name, args, tuple(sorted(kwargs.items())))


# -- what is watched, and what "now" is ----------------------------------------------------------
def orgs() -> list[Org]:
    """Watched organizations that have counts, in watch-list order."""
    watched = runtime.watchlist().orgs
    present = set(_query("orgs_with_counts", [o.id for o in watched]))
    return [o for o in watched if o.id in present]


def org(org_id: str) -> Org | None:
    """The watch-list entry of an organization, or None if it is not watched."""
    return next((o for o in runtime.watchlist().orgs if o.id == org_id), None)


@dataclass(frozen=True)
class Clock:
    """The time the dashboard treats as now: the real clock, or the newest data when that is old."""

    now: datetime
    latest: datetime | None
    replaying: bool  # the data stops well before the real now (demo or archive data)


def clock() -> Clock:
    """Now, floored to the bin, or the end of the newest bin when the data is older than an hour."""
    real = baseline.floor_bin(utcnow())
    latest = _query("latest_bin")
    if latest is None or latest + STALE >= real:
        return Clock(real, latest, False)
    return Clock(latest + baseline.BIN, latest, True)


# The default windows live here, not in the pages, so warmup.prime() fills the same cache keys.
def overview_window(clock: Clock) -> tuple[datetime, datetime]:
    """The Overview's window: the last 24 hours up to now."""
    return clock.now - OVERVIEW_WINDOW, clock.now


def trends_default_days(clock: Clock) -> tuple[date, date]:
    """The Trends page's default dates: the last seven days, today included."""
    last_day = clock.now.date()
    return last_day - timedelta(days=TRENDS_DAYS - 1), last_day


def day_window(start_day: date, end_day: date, clock: Clock) -> tuple[datetime, datetime]:
    """[start of start_day, end of end_day) in UTC, cut at now."""
    since = datetime.combine(start_day, time(), tzinfo=UTC)
    until = min(datetime.combine(end_day + timedelta(days=1), time(), tzinfo=UTC), clock.now)
    return since, until


# -- counts ---------------------------------------------------------------------------------------
def series(org_id: str, since: datetime, until: datetime, **dims: str) -> pd.DataFrame:
    """Posts per 5-minute bin of one series, zeros filled in."""
    raw = _query("count_series", org_id, since, until, **dims)
    return baseline.fill_bins(raw, since, until)


@st.cache_data(ttl=TTL, show_spinner=False)
def _scored(url: str, org_id: str, since: datetime, until: datetime, dims: tuple) -> pd.DataFrame:
    raw = _run(url, "count_series", (org_id, since - baseline.HISTORY, until), dims)
    return baseline.with_baseline(raw, since, until)


def series_with_baseline(org_id: str, since: datetime, until: datetime, **dims: str) -> pd.DataFrame:
    """One series in [since, until) with the detector's expected level and upper bound per bin."""
    return _scored(db_url(), org_id, since, until, tuple(sorted(dims.items())))


def dimension_values(org_id: str, by: str) -> list[str]:
    """The services, regions or sources an organization has counts for."""
    return _query("dimension_values", org_id, by)


def breakdown(org_id: str, since: datetime, until: datetime, by: str, limit: int | None = None) -> pd.DataFrame:
    """Reports per service, region or source in a window, largest first."""
    return _query("breakdown", org_id, since, until, by=by, limit=limit)


def series_by(org_id: str, since: datetime, until: datetime, by: str, values: list[str], **dims: str) -> pd.DataFrame:
    """Posts per bin for several services, regions or sources, to compare on one chart."""
    return _query("count_series_by", org_id, since, until, by=by, values=list(values), **dims)


def region_excess(org_id: str, since: datetime, until: datetime) -> pd.DataFrame:
    """Per state (or, without state counts, per region): reports in the window and how many were above baseline."""
    regions = dimension_values(org_id, "region")
    states = [r for r in regions if r.startswith(geo.STATE_PREFIX)]
    rows = []
    for region in states or regions:
        scored = series_with_baseline(org_id, since, until, region=region)
        rows.append({"region": region, "posts": int(scored["posts"].sum()), "excess": baseline.excess(scored)})
    return pd.DataFrame(rows, columns=["region", "posts", "excess"])


# -- incidents, posts, sources, model ---------------------------------------------------------------
def incidents(status: str | None = None, org_id: str | None = None) -> pd.DataFrame:
    """Incidents, newest first."""
    return _query("incident_list", status=status, org=org_id)


def org_statuses(org_ids: list[str]) -> dict[str, str | None]:
    """Per organization, the strongest level among its open incidents (None: no problem).

    One cached read of every open incident for all of them: the Overview shows every watched
    organization, and a read per organization cost a query each on a cold cache.
    """
    open_ = incidents(status="open")
    levels: dict[str, list[str]] = {}
    for org_id, level in zip(open_.get("org", []), open_.get("level", []), strict=True):
        levels.setdefault(org_id, []).append(level)
    return {org_id: baseline.status_of(levels.get(org_id, [])) for org_id in org_ids}


def incident(incident_id: int) -> dict | None:
    """One incident."""
    return _query("incident", incident_id)


def incident_posts(incident_id: int) -> pd.DataFrame:
    """The posts behind an incident."""
    return _query("incident_post_list", incident_id)


def alerts(incident_id: int | None = None) -> pd.DataFrame:
    """Alerts in the outbox (all, or one incident's), newest first."""
    return _query("alert_list", incident_id=incident_id)


def find_posts(**filters: Any) -> pd.DataFrame:
    """Posts with their newest model label (filters as in queries.find_posts)."""
    return _query("find_posts", **filters)


def post_labels(post_id: int) -> pd.DataFrame:
    """All labels of one post, with evidence."""
    return _query("post_labels", post_id)


def collector_health() -> pd.DataFrame:
    """Per collector: last run, totals, state, last success, and a verdict (ok / warning / error).

    Judged against the real clock, not the data's: a collector silent since yesterday is stale
    even when the posts it collects are old.
    """
    now = baseline.floor_bin(utcnow())
    health = _query("collector_health")
    if health.empty:
        return health
    success = _query("collector_last_success")
    health = health.merge(success, on="collector", how="left")
    health["verdict"] = [_verdict(row, now) for row in health.to_dict("records")]
    return health


def _verdict(row: dict, now: datetime, stale: timedelta = timedelta(hours=6)) -> str:
    """Why a collector needs attention, so a silent failure is seen: error, stale or stuck."""
    if row["last_status"] == "error":
        return "error: last run failed"
    last_ok = row.get("last_success")
    if last_ok is None or pd.isna(last_ok):
        return "warning: never succeeded" if row["last_status"] != "running" else "running: first run"
    if now - last_ok > stale:
        return f"warning: no successful run for {_age(now - last_ok)}"
    return "ok"


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} days"


def label_versions() -> pd.DataFrame:
    """Labels per origin and model version or annotator."""
    return _query("label_versions")


def model_dir() -> Path:
    """Where the classifier's model and card live (setting model_dir, else the shipped data/model)."""
    configured = os.environ.get("OUTAGEWATCH_MODEL_DIR") or runtime.settings().get("model_dir")
    return Path(configured) if configured else data_path("model")


@st.cache_data(ttl=TTL, show_spinner=False)
def model_card(folder: str) -> dict | None:
    """The model card (model_card.json, or the newest *card*.json) in the model folder, or None."""
    path = Path(folder)
    newest_first = sorted(path.glob("*card*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    candidates = [path / "model_card.json", *newest_first]
    for file in candidates:
        if file.is_file():
            return json.loads(file.read_text(encoding="utf-8"))
    return None


PREFERRED_METRICS = {
    "n": "posts",
    "is_report.f1": "report F1",
    "keyword_baseline.is_report.f1": "report F1 (keyword baseline)",
    "services.macro_f1": "service macro-F1",
    "calibration.brier": "Brier",
    "org.accuracy": "organization accuracy",
}


def model_metrics(card: dict) -> pd.DataFrame:
    """One row per evaluation set of the card, with the headline figures (all numbers if unknown layout)."""
    rows = []
    for name, figures in (card.get("metrics") or {}).items():
        flat = _flatten(figures) if isinstance(figures, dict) else {"value": figures}
        known = {label: flat[key] for key, label in PREFERRED_METRICS.items() if key in flat}
        rows.append({"evaluation set": name, **(known or flat)})
    return pd.DataFrame(rows)


def _flatten(tree: dict, prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[f"{prefix}{key}"] = value
    return out
