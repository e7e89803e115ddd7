"""`outagewatch collect` as operators run it: --once records every run, --follow stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import runs

from outagewatch.store import Store


def cli(db: str, *args: str) -> list[str]:
    return [sys.executable, "-c", "from outagewatch.cli import main; main()", "--db-url", db, *args]


def test_collect_once_then_follow_until_sigterm(server, tmp_path) -> None:
    env = os.environ | server.env() | {"OUTAGEWATCH_DATA_DIR": str(tmp_path), "OUTAGEWATCH_HTTP_TIMEOUT": "2"}
    db = "sqlite:///" + str(tmp_path / "cli.db")
    once = subprocess.run(
        cli(db, "collect", "reddit", "rss", "--once"), env=env, capture_output=True, text=True, timeout=60
    )
    assert once.returncode == 0, once.stderr
    assert "reddit ok: " in once.stdout
    follow = subprocess.Popen(cli(db, "collect", "rss", "--follow", "--interval", "0.2"), env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    store = Store.open(db)
    deadline = time.monotonic() + 30
    while sum(r["collector"] == "rss" for r in runs(store)) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    follow.send_signal(signal.SIGTERM)
    _out, err = follow.communicate(timeout=30)
    assert follow.returncode == 0, err
    assert "SIGTERM received" in err
    records = runs(store)
    assert all(r["status"] == "ok" for r in records), records
    assert sum(r["collector"] == "rss" for r in records) >= 3
    store.close()


def test_named_source_without_credentials_fails_with_a_clear_message(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTAGEWATCH_")}
    db = "sqlite:///" + str(tmp_path / "cli.db")
    out = subprocess.run(cli(db, "collect", "reddit", "--once"), env=env, capture_output=True, text=True, timeout=60,
                         cwd=tmp_path)  # fmt: skip
    assert out.returncode == 1
    assert "OUTAGEWATCH_REDDIT_CLIENT_ID" in out.stderr
