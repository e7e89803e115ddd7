"""Warm a freshly started dashboard server before its first visitor arrives.

The first visit after a start used to pay for work no later visit repeats: first-use imports
inside Streamlit and Altair, building Altair's schema validator, and every query of the page
(the Overview's baseline scoring alone is ~0.2 s on a big store). ``preload`` runs in the
server process before it listens; ``prime`` runs in a background thread once the Streamlit
runtime exists, so the port opens without waiting for it and a visitor arriving meanwhile waits
only for the part still running (Streamlit computes each cached value once).

``prime`` asks for what the Overview and Trends pages show by default (first organization,
default windows), through the same cached functions the pages call, so the keys are the same.
Primed values live for ``data.TTL``, like any cached read.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

import pandas as pd

LOG = logging.getLogger(__name__)
QUIET = (
    # Cached functions defined or called outside a script run warn; expected here.
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.caching.cache_resource_api",
    "streamlit.runtime.scriptrunner_utils.script_run_context",
)


def preload() -> None:
    """Import and exercise what the pages need, then freeze the result out of the garbage collector.

    Streamlit runs a full collection after every script run; objects that live as long as the
    process (modules, schemas) are frozen here so those collections skip them.
    """
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.ERROR)
    import streamlit.emojis  # noqa: F401  (set_page_config's emoji icon: a large regex, ~0.3 s)
    from streamlit import delta_generator

    from dashboard import charts, data, geo, widgets  # noqa: F401

    geo.topology()
    _build_figures(charts)
    # Streamlit's once-per-process "not run with streamlit run" check walks the stack with
    # inspect (a few hundred ms with pandas and Altair loaded); this process is `streamlit run`.
    if hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True
    gc.collect()
    gc.freeze()


def _build_figures(charts) -> None:
    """Build the landing pages' chart specs (cached per process); Altair also builds its validator."""
    stamps = pd.date_range("2025-01-06", periods=3, freq="5min", tz="UTC")
    scored = pd.DataFrame({"bin_start": stamps, "posts": 1, "expected": 1.0, "upper": 2.0, "score": 0.0, "alert": 0})
    rhythm = pd.DataFrame({"weekday": ["Mon"], "hour": [0], "posts_per_hour": [1.0]})
    charts.baseline_chart(scored)
    charts.series_chart(scored[["bin_start", "posts"]])
    charts.rhythm_heatmap(rhythm)


def prime() -> None:
    """Run the Overview's and Trends' default reads through the dashboard's caches."""
    from dashboard import data

    orgs = data.orgs()
    if not orgs:
        return
    clock = data.clock()
    first = orgs[0].id  # the organization picker's default
    since, now = data.overview_window(clock)
    data.org_statuses([o.id for o in orgs])
    data.series_with_baseline(first, since, now)
    data.breakdown(first, since, now, by="service", limit=3)
    data.incidents(status="open", org_id=first)
    for by in ("service", "region", "source"):
        data.dimension_values(first, by)
    data.series(first, *data.day_window(*data.trends_default_days(clock), clock))


def start_priming(timeout: float = 60.0) -> threading.Thread:
    """Prime the caches from a daemon thread as soon as the Streamlit runtime exists."""

    def run() -> None:
        from streamlit import runtime

        deadline = time.monotonic() + timeout
        while not runtime.exists():
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)
        started = time.perf_counter()
        try:
            prime()
        except Exception:  # a page shows the same error to its reader; the server must stay up
            LOG.warning("dashboard warm-up failed", exc_info=True)
            return
        LOG.info("dashboard caches primed in %.2f s", time.perf_counter() - started)

    thread = threading.Thread(target=run, name="dashboard-warmup", daemon=True)
    thread.start()
    return thread
