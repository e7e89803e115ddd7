"""`outagewatch run` as a process: a collector that keeps failing, and SIGTERM (synthetic posts)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text

from collectors.replay import ReplayServer
from outagewatch.store.schema import collector_runs, posts

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
WATCHLIST = """
[general]
subreddits = []
[[org]]
id = "kaiser"
name = "Kaiser Permanente"
aliases = ["kaiser permanente", "kaiser"]
subreddits = ["KaiserPermanente"]
hashtags = ["kaiserpermanente"]
keywords = ["kaiser permanente"]
feeds = [{ url = "{base_url}/feeds/kp-status.atom", official = true, name = "KP status" }]
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def scenario(tmp_path):
    folder = tmp_path / "scenario"
    folder.mkdir()
    lines = []
    for i in range(60):
        at = (T0 + timedelta(minutes=i)).isoformat()
        lines.append({"source": "reddit", "id": f"s{i:03d}", "title": f"Kaiser pharmacy down {i}", "text": "no refills",
                      "created_at": at, "channel": "KaiserPermanente", "author": f"u{i}"})  # fmt: skip
        lines.append({"source": "rss", "id": f"r{i:03d}", "text": f"Investigating issue {i}", "created_at": at,
                      "channel": "kp-status", "author": "status"})  # fmt: skip
    (folder / "posts.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    (folder / "watchlist.toml").write_text(WATCHLIST)
    return folder


def _health(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read())


@pytest.mark.slow
def test_run_survives_a_failing_collector_and_stops_cleanly_on_sigterm(scenario, tmp_path):
    db = tmp_path / "run.db"
    health_port = _free_port()
    with ReplayServer(scenario) as server:
        env = {**os.environ, **server.env(), "OUTAGEWATCH_DB_URL": f"sqlite:///{db}",
               "OUTAGEWATCH_DATA_DIR": str(tmp_path / "data"),
               "OUTAGEWATCH_MASTODON_INSTANCES": f"http://127.0.0.1:{_free_port()}",  # nobody listens: always fails
               "OUTAGEWATCH_HTTP_TIMEOUT": "2"}  # fmt: skip
        process = subprocess.Popen(
            [sys.executable, "-c", "from outagewatch.cli import main; main()", "run", "--collect-interval", "1",
             "--pipeline-interval", "1", "--health-port", str(health_port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        try:
            engine = create_engine(f"sqlite:///{db}")
            deadline = time.monotonic() + 90
            health: dict = {}
            while time.monotonic() < deadline:
                time.sleep(1)
                try:
                    health = _health(health_port)
                except OSError:
                    continue
                mastodon = health["parts"].get("collect:mastodon", {})
                if mastodon.get("failures", 0) >= 2 and health["parts"]["collect:reddit"]["runs"] >= 2:
                    break
            assert health["parts"]["collect:mastodon"]["failures"] >= 2, health
            assert health["parts"]["collect:mastodon"]["alive"], "a failing part keeps being retried"
            assert health["parts"]["collect:reddit"]["consecutive_failures"] == 0, health
            assert health["parts"]["classify"]["runs"] >= 1, health
            with engine.connect() as conn:
                stored = conn.execute(select(func.count()).select_from(posts).where(posts.c.source == "reddit"))
                assert stored.scalar_one() == 60
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0, output
    assert "stopped cleanly" in output
    with engine.connect() as conn:
        running = conn.execute(
            select(func.count()).select_from(collector_runs).where(collector_runs.c.status == "running")
        )
        assert running.scalar_one() == 0, "every run that started was recorded as finished"
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        errors = conn.execute(select(collector_runs.c.last_error).where(collector_runs.c.collector == "mastodon"))
        assert all(e for (e,) in errors), "the failing source's runs carry their error"
