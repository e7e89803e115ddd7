"""A dispatcher SIGKILLed while its request hangs at the receiver, then restarted: no duplicate effect.

What is guaranteed, precisely: the request that was in flight when the dispatcher died is sent
again (the dispatcher cannot know whether it arrived), after the lease expires and with the
same Idempotency-Key, so a receiver that dedupes on the key applies every alert exactly once.
No other alert is sent twice at all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from outagewatch.alerts.outbox import enqueue_incident_update
from outagewatch.models import utcnow
from outagewatch.store import Store
from outagewatch.store import outbox as sql
from tests.alerts.conftest import T0, add_incident

LEASE = 6


def dispatcher(tmp_path, url: str, db: str) -> subprocess.Popen:
    """`outagewatch alerts dispatch` through the real console entry point, in its own process."""
    env = {
        **os.environ,
        "OUTAGEWATCH_DB_URL": db,
        "OUTAGEWATCH_WEBHOOK_URL": url,
        "OUTAGEWATCH_DATA_DIR": str(tmp_path),
        "OUTAGEWATCH_AUTHOR_SALT": "test-salt",
        "OUTAGEWATCH_HTTP_TIMEOUT": "5",
    }
    args = [sys.executable, "-c", "from outagewatch.cli import main; main()"]
    args += ["alerts", "dispatch", "--channel", "webhook", "--lease", str(LEASE)]
    return subprocess.Popen(args, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def rows(store: Store) -> list[sql.OutboxRow]:
    with store.engine.connect() as conn:
        return sorted(sql.list_rows(conn), key=lambda r: r.id)


@pytest.mark.slow
def test_dispatcher_killed_mid_send_and_restarted_sends_no_duplicate(tmp_path, receiver):
    db = f"sqlite:///{tmp_path / 'crash.db'}"
    store = Store.open(db, author_salt="test-salt")
    for i in range(3):
        enqueue_incident_update(store, add_incident(store, tag=f"c{i}-"), 1, ["webhook"], now=T0)
    keys = [r.payload["idempotency_key"] for r in rows(store)]
    receiver.behaviour.hold_first = 60  # the receiver processes the first request, then sits on it

    first = dispatcher(tmp_path, receiver.url, db)
    assert receiver.held.wait(30), first.communicate(timeout=5)[0]
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    in_flight, *rest = rows(store)
    assert (in_flight.status, in_flight.attempts) == ("sending", 1)
    assert [(r.status, r.attempts) for r in rest] == [("pending", 0), ("pending", 0)]
    assert list(receiver.processed) == [keys[0]]

    # Restarted at once: the others go out; the in-flight one is still leased to the dead process.
    second = dispatcher(tmp_path, receiver.url, db)
    output = second.communicate(timeout=30)[0]
    assert second.returncode == 0, output
    assert [r.status for r in rows(store)] == ["sending", "sent", "sent"], output
    assert receiver.statuses(keys[0]) == [200]

    # After the lease: the in-flight alert is sent again with the same key and the receiver dedupes it.
    time.sleep(max(0.0, (rows(store)[0].next_attempt_at - utcnow()).total_seconds()) + 0.2)
    third = dispatcher(tmp_path, receiver.url, db)
    output = third.communicate(timeout=30)[0]
    assert third.returncode == 0, output
    final = rows(store)
    assert [r.status for r in final] == ["sent", "sent", "sent"], output
    assert [r.attempts for r in final] == [2, 1, 1]

    assert sorted(receiver.processed) == sorted(keys)  # each alert acted on exactly once
    on_wire = [a.key for a in receiver.arrivals]
    assert sorted(on_wire) == sorted([keys[0], *keys])  # only the in-flight alert crossed the wire twice
    assert [a.duplicate for a in receiver.arrivals if a.key == keys[0]] == [False, True]
    store.close()
