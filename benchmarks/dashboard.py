"""Dashboard speed on a big store: time until the Overview and Trends charts are drawn in Chromium.

    python benchmarks/dashboard.py [--posts 1000000] [--rebuild] [--runs 3] [--starts 3]

Builds (once, then reuses) a SQLite store of synthetic posts, model labels and the counts the
dashboard reads, in ~/.cache/outagewatch/ (or $XDG_CACHE_HOME). Starts `outagewatch dashboard` on
it and opens each page in headless Chromium (a new Streamlit session each visit), timing from
navigation until every chart of the page has drawn its marks. Per page, on a fresh server:

- first: the first visit after the server started, in a browser with an empty cache, as shipped:
  the launcher preloads imports before it listens and primes the default views' caches from a
  background thread; the clock starts as soon as the health check answers, as a user would;
- cold: the first visit of the page after the other page warmed the process (imports, vega in the
  browser cache), on a server started without cache priming: every query of this page runs;
- warm: the median of later visits (Streamlit's data cache answers the queries).

Each series is repeated on ``--starts`` fresh servers; the table shows medians, every sample is
printed below it. Target: <= 2 s per page, each of the three. The pages read the pre-aggregated
counts, never the posts.

Baseline in the same run ("floor"): a one-chart Streamlit page with no database, served and
timed the same way: what Streamlit and Vega alone cost on this machine at this load. The
machine's load average is printed too: timings on a busy machine are noisy.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert

from outagewatch.runtime import watchlist
from outagewatch.store import Store, queries
from outagewatch.store.schema import counts, labels, posts

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PAGES = {"Overview": ("", 1), "Trends": ("trends", 2)}  # url path, charts drawn on the page
TARGET_S = 2.0
END = datetime(2025, 6, 30, tzinfo=UTC)
DAYS = 60
SERVICES = ["pharmacy", "lab", "appointments", "login_app", "billing", "messaging", "phone", "records"]
SOURCES = ["reddit", "bluesky", "mastodon", "rss"]
CHUNK = 50_000


def cache_dir() -> Path:
    """Where the generated store is kept between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "outagewatch"


def synthetic_frame(n: int, seed: int = 11) -> pd.DataFrame:
    """n synthetic posts with their label fields: daily rhythm, uneven organizations and services."""
    rng = np.random.default_rng(seed)
    orgs = [o for o in watchlist().orgs if o.regions]
    hour_weight = np.array([0.3] * 7 + [1.0] * 15 + [0.6] * 2)
    day_hours = rng.choice(24, size=n, p=hour_weight / hour_weight.sum())
    seconds = rng.integers(0, DAYS, n) * 86400 + day_hours * 3600 + rng.integers(0, 3600, n)
    created = pd.Timestamp(END - timedelta(days=DAYS)) + pd.to_timedelta(seconds, unit="s")
    org_i = rng.choice(len(orgs), size=n, p=np.linspace(2, 1, len(orgs)) / np.linspace(2, 1, len(orgs)).sum())
    frame = pd.DataFrame({"created_at": created, "org": [orgs[i].id for i in org_i]})
    regions = {o.id: list(o.regions.items()) for o in orgs}
    pick = rng.random(n)
    frame["region"] = [regions[o][int(p * len(regions[o]))][0] for o, p in zip(frame["org"], pick, strict=True)]
    frame["state"] = [regions[o][int(p * len(regions[o]))][1][0] for o, p in zip(frame["org"], pick, strict=True)]
    frame["service"] = rng.choice(SERVICES, size=n, p=np.linspace(3, 1, len(SERVICES)) / np.linspace(3, 1, 8).sum())
    frame["source"] = rng.choice(SOURCES, size=n)
    frame["author"] = rng.integers(0, 50_000, n)
    frame["is_report"] = rng.random(n) < 0.8
    return frame.sort_values("created_at", ignore_index=True)


def write_posts_and_labels(store: Store, frame: pd.DataFrame) -> None:
    """Bulk Core inserts of posts (ids 1..n in frame order), then of one model label per post."""
    stamps = frame["created_at"].dt.to_pydatetime()
    records = frame.assign(created_at=stamps).to_dict("records")
    with store.engine.begin() as conn:
        for start in range(0, len(records), CHUNK):
            chunk = records[start : start + CHUNK]
            conn.execute(insert(posts), [_post(start + i, r) for i, r in enumerate(chunk)])
            conn.execute(insert(labels), [_label(start + i + 1, r) for i, r in enumerate(chunk)])


def _post(i: int, r: dict) -> dict:
    text = f"{r['org']} {r['service']} not working again in {r['region']} #{i}"
    return {
        "source": r["source"],
        "native_id": f"b{i}",
        "url": f"https://{r['source']}.example/{i}",
        "kind": "post",
        "synthetic": True,
        "text": text,
        "created_at": r["created_at"],
        "collected_at": END,
        "deleted": False,
        "author_key": f"a{r['author']}",
    }


def _label(post_id: int, r: dict) -> dict:
    return {
        "post_id": post_id,
        "origin": "model",
        "labeler": "bench-1",
        "is_report": bool(r["is_report"]),
        "p_report": 0.9 if r["is_report"] else 0.1,
        "org": r["org"],
        "services": [r["service"]],
        "service_probs": {r["service"]: 0.8},
        "state": r["state"],
        "region": r["region"],
        "evidence": {},
        "labeled_at": r["created_at"],
    }


def count_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as the detector's counter keeps them: every combination of each dimension and "*"."""
    reports = frame[frame["is_report"]].assign(bin_start=lambda f: f["created_at"].dt.floor("5min"))
    reports = reports.assign(state=["state:" + s for s in reports["state"]])
    parts = []
    for service in ("*", "service"):
        for region in ("*", "region", "state"):
            for source in ("*", "source"):
                part = pd.DataFrame(
                    {
                        "org": reports["org"],
                        "service": reports[service] if service != "*" else "*",
                        "region": reports[region] if region != "*" else "*",
                        "source": reports[source] if source != "*" else "*",
                        "bin_start": reports["bin_start"],
                        "author": reports["author"],
                    }
                )
                parts.append(part)
    keys = ["org", "service", "region", "source", "bin_start"]
    grouped = pd.concat(parts, ignore_index=True).groupby(keys)["author"]
    return grouped.agg(posts="size", authors="nunique").reset_index()


def build_store(path: Path, n: int) -> None:
    """Generate the benchmark store at ``path`` (replacing any old one)."""
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    store = Store.open(f"sqlite:///{path}")
    frame = synthetic_frame(n)
    write_posts_and_labels(store, frame)
    table = count_frame(frame)
    table["bin_start"] = table["bin_start"].dt.to_pydatetime()
    rows = table.to_dict("records")
    with store.engine.begin() as conn:
        for start in range(0, len(rows), CHUNK):
            conn.execute(insert(counts), rows[start : start + CHUNK])
    store.close()
    print(f"built {n:,} posts, {n:,} labels, {len(table):,} count rows in {time.perf_counter() - started:.0f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(proc: subprocess.Popen, port: int) -> subprocess.Popen:
    """Return ``proc`` as soon as its health check answers (polled every 50 ms: the clock starts then)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return proc
        except OSError:
            time.sleep(0.05)
    proc.terminate()
    raise TimeoutError("the server did not start")


def start_dashboard(url: str, port: int, prime: bool = True) -> subprocess.Popen:
    """`outagewatch dashboard` on the store (caches primed or not), waiting until it answers."""
    exe = Path(sys.executable).with_name("outagewatch")
    proc = subprocess.Popen(
        [str(exe), "--db-url", url, "dashboard", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=dict(os.environ, OUTAGEWATCH_DASHBOARD_PRIME="1" if prime else "0"),
    )
    return wait_healthy(proc, port)


FLOOR_APP = """import altair as alt
import pandas as pd
import streamlit as st

st.title("Floor")
frame = pd.DataFrame({"x": range(288), "y": range(288)})
st.altair_chart(alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q"), width="stretch")
"""
FLOOR_SERVE = """import sys
import altair, pandas  # imported before serving, as the dashboard's launcher does
from streamlit.web import cli
sys.argv = ["streamlit", "run", *sys.argv[1:]]
cli.main()
"""


def start_floor(folder: Path, port: int) -> subprocess.Popen:
    """A one-chart Streamlit page, no database: what Streamlit and Vega alone cost on this machine now."""
    (folder / "floor.py").write_text(FLOOR_APP, encoding="utf-8")
    command = [sys.executable, "-c", FLOOR_SERVE, str(folder / "floor.py"), "--server.port", str(port)]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return wait_healthy(proc, port)


def time_page(context, base: str, path: str, charts: int) -> float:
    """Seconds from navigation until ``charts`` vega charts have drawn marks, in a new session."""
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{base}/{path}")
    page.locator("h1").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "(n) => Array.from(document.querySelectorAll('.vega-embed svg'))"
        ".filter(s => s.querySelector('g.role-mark path, g.role-mark rect')).length >= n",
        arg=charts,
        timeout=60_000,
    )
    elapsed = time.perf_counter() - started
    errors = page.locator('[data-testid="stException"]').count()
    page.close()
    if errors:
        raise RuntimeError(f"{path or 'overview'} shows an exception")
    return elapsed


@contextmanager
def served(start: Callable[[int], subprocess.Popen], browser) -> Iterator[tuple[str, Any]]:
    """A freshly started server and a browser context with an empty cache; both closed after."""
    port = free_port()
    server = start(port)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        yield f"http://127.0.0.1:{port}", context
    finally:
        context.close()
        server.terminate()
        server.wait(timeout=10)


@dataclass
class Figures:
    """Seconds to the charts: first visits (one per server start), cold visits, warm visits (medians per start)."""

    first: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)


def measure_page(browser, url: str, page: str, runs: int, starts: int) -> Figures:
    """First / cold / warm for one dashboard page, each series on freshly started servers."""
    path, charts = PAGES[page]
    other = next(v for k, v in PAGES.items() if k != page)
    figures = Figures()
    for _ in range(starts):
        with served(lambda port: start_dashboard(url, port, prime=True), browser) as (base, context):
            figures.first.append(time_page(context, base, path, charts))
        with served(lambda port: start_dashboard(url, port, prime=False), browser) as (base, context):
            time_page(context, base, *other)
            figures.cold.append(time_page(context, base, path, charts))
            figures.warm.append(statistics.median(time_page(context, base, path, charts) for _ in range(runs)))
    return figures


def measure_floor(browser, folder: Path, runs: int, starts: int) -> Figures:
    """First and warm visits of the one-chart page (it has no queries, so no cold)."""
    figures = Figures()
    for _ in range(starts):
        with served(lambda port: start_floor(folder, port), browser) as (base, context):
            figures.first.append(time_page(context, base, "", 1))
            figures.warm.append(statistics.median(time_page(context, base, "", 1) for _ in range(runs)))
    return figures


def _cell(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}" if values else "-"


def report(results: dict[str, Figures]) -> None:
    """Medians per page and verdict, then every sample so noisy runs can be seen."""
    print(f"{'page':<10} {'first s':>8} {'cold s':>8} {'warm s':>8}   target <= {TARGET_S:.1f} s each (medians)")
    for name, f in results.items():
        worst = max(statistics.median(v) for v in (f.first, f.cold, f.warm) if v)
        verdict = "reference" if name == "floor" else ("ok" if worst <= TARGET_S else "SLOW")
        print(f"{name:<10} {_cell(f.first):>8} {_cell(f.cold):>8} {_cell(f.warm):>8}   {verdict}")
    for name, f in results.items():
        samples = {k: " ".join(f"{v:.2f}" for v in getattr(f, k)) for k in ("first", "cold", "warm")}
        print(f"  {name}: first [{samples['first']}]  cold [{samples['cold']}]  warm [{samples['warm']}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="regenerate the store")
    parser.add_argument("--runs", type=int, default=3, help="warm visits per server start")
    parser.add_argument("--starts", type=int, default=3, help="fresh server starts per page and series")
    args = parser.parse_args()
    path = cache_dir() / f"bench-dashboard-{args.posts}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    if args.rebuild or not path.exists():
        build_store(path, args.posts)
    url = f"sqlite:///{path}"
    store = Store.open(url)
    print(f"store: {path} ({path.stat().st_size / 1e6:.0f} MB), {queries.post_count(store.engine):,} posts")
    store.close()

    from playwright.sync_api import sync_playwright

    load = os.getloadavg()
    with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        results = {name: measure_page(browser, url, name, args.runs, args.starts) for name in PAGES}
        results["floor"] = measure_floor(browser, Path(folder), args.runs, args.starts)
        browser.close()
    report(results)
    after = os.getloadavg()
    print(f"load average (1 min) before {load[0]:.2f}, after {after[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
