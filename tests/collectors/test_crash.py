"""Crash safety: `outagewatch collect --once` killed with SIGKILL at random moments, then restarted,
ends with exactly the posts a clean run stores: none lost, none twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import scenario_lines, write_scenario
from sqlalchemy import func, select

from collectors.registry import REGISTRY
from collectors.replay import ReplayServer
from collectors.runner import run_all
from outagewatch.config import Settings
from outagewatch.store import Store
from outagewatch.store.schema import collector_runs, posts
from outagewatch.watchlist import load_watchlist

SOURCES = ["reddit", "jetstream", "mastodon", "rss"]  # Bluesky search: same runner path, slow SDK import


def command(db: str) -> list[str]:
    main = "from outagewatch.cli import main; main()"
    return [sys.executable, "-c", main, "--db-url", db, "collect", *SOURCES, "--once", "--idle-seconds", "0.5"]


def run_inprocess(db: str, env: dict[str, str], tmp_path: Path) -> None:
    """The same collectors and runner as `collect --once`, without a process start (keeps the test short)."""
    settings = Settings.load(environ=env, config_file=tmp_path / "none.toml")
    wl = load_watchlist(env["OUTAGEWATCH_WATCHLIST"])
    collectors = [REGISTRY[name].from_settings(settings, wl) for name in SOURCES]
    collectors[1].idle_seconds = 0.5
    store = Store.open(db, author_salt="s")
    results = run_all(store, collectors)
    store.close()
    assert all(r.status == "ok" for r in results), results


def snapshot(db: str) -> tuple[set, int, set, dict]:
    store = Store.open(db)
    with store.engine.connect() as conn:
        keys = {(r.source, r.native_id) for r in conn.execute(select(posts.c.source, posts.c.native_id))}
        total = conn.execute(select(func.count()).select_from(posts)).scalar()
        deleted = {(r.source, r.native_id) for r in conn.execute(select(posts).where(posts.c.deleted.is_(True)))}
        status = dict(
            conn.execute(select(collector_runs.c.status, func.count()).group_by(collector_runs.c.status)).all()
        )
    store.close()
    return keys, total, deleted, status


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_and_duplicates_nothing(tmp_path, capsys) -> None:
    folder = write_scenario(tmp_path / "scenario", scenario_lines(n_reddit=300, n_comments=100, n_bsky=150, n_masto=60))
    rng = random.Random(20250301)
    with ReplayServer(folder, page_cap=10) as srv:
        env = os.environ | srv.env() | {"OUTAGEWATCH_DATA_DIR": str(tmp_path), "OUTAGEWATCH_AUTHOR_SALT": "s"}
        env |= {"OUTAGEWATCH_HTTP_TIMEOUT": "2"}
        reference = "sqlite:///" + str(tmp_path / "reference.db")
        run_inprocess(reference, env, tmp_path)
        started = time.monotonic()
        clean = subprocess.run(
            command(str(reference) + "-timing"), env=env, cwd=tmp_path, capture_output=True, timeout=60
        )
        assert clean.returncode == 0, clean.stderr
        duration = time.monotonic() - started
        crashed = "sqlite:///" + str(tmp_path / "crashed.db")
        Store.open(crashed).close()  # migrate first: a kill during the very first migration is the store's concern
        killed = 0
        for _ in range(10):
            proc = subprocess.Popen(
                command(crashed), env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(0.25, 0.75) * duration)  # from start-up to the last source
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.wait(timeout=30)
        run_inprocess(crashed, env, tmp_path)  # the restart that finishes the job
    want, want_total, want_deleted, _ = snapshot(reference)
    got, got_total, got_deleted, statuses = snapshot(crashed)
    with capsys.disabled():
        print(
            f"\ncrash test (clean run {duration:.1f} s): {killed}/10 runs killed mid-way; "
            f"reference {want_total} posts, after crashes {got_total} "
            f"posts ({len(got)} distinct), missing {len(want - got)}, extra {len(got - want)}, "
            f"deleted {len(got_deleted)}/{len(want_deleted)}; run records by status {statuses}"
        )
    assert killed >= 5
    assert got == want
    assert got_total == len(got) == want_total
    assert got_deleted == want_deleted
