"""The outbox on SQLite and PostgreSQL: idempotent enqueue, claims, leases, backoff, giving up."""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from outagewatch.alerts.base import DeliveryError
from outagewatch.alerts.outbox import RetryPolicy, dispatch_due, dispatch_forever, enqueue_incident_update
from outagewatch.store import outbox as sql
from outagewatch.store.schema import alert_outbox
from tests.alerts.conftest import HANDLES, T0, FakeChannel, add_incident, down

POLICY = RetryPolicy(base=60, cap=3600, jitter=0.25, max_attempts=4, lease=120)


def rows(store) -> list[sql.OutboxRow]:
    with store.engine.connect() as conn:
        return sorted(sql.list_rows(conn, limit=1000), key=lambda r: r.id)


def test_same_incident_update_enqueued_twice_gives_one_row_per_channel(store, incident_factory):
    inc = incident_factory()
    assert enqueue_incident_update(store, inc, 1, ["webhook", "email"], now=T0) == 2
    assert enqueue_incident_update(store, inc, 1, ["webhook", "email", "webhook"], now=T0) == 0
    with store.engine.begin() as conn:  # the detector's own transaction
        assert enqueue_incident_update(conn, inc, 1, ["email", "slack"], now=T0) == 1
    assert enqueue_incident_update(store, inc, 2, ["webhook"], now=T0) == 1
    got = sorted((r.incident_version, r.channel) for r in rows(store))
    assert got == [(1, "email"), (1, "slack"), (1, "webhook"), (2, "webhook")]
    keys = {r.payload["idempotency_key"] for r in rows(store)}
    assert len(keys) == 4


def test_first_payload_is_kept_when_an_update_is_enqueued_again(store, incident_factory):
    inc = incident_factory()
    enqueue_incident_update(store, inc, 1, ["webhook"], now=T0)
    first = rows(store)[0].payload
    enqueue_incident_update(store, inc, 1, ["webhook"], now=T0 + timedelta(minutes=5))
    assert rows(store)[0].payload == first  # the idempotency key never changes once stored


def test_enqueue_for_a_missing_incident_names_it(store):
    with pytest.raises(KeyError, match="incident 999"):
        enqueue_incident_update(store, 999, 1, ["webhook"], now=T0)


def test_payload_has_three_pseudonymous_examples_and_no_handles(store, incident_factory):
    inc = incident_factory(n_posts=6)
    enqueue_incident_update(store, inc, 1, ["webhook"], now=T0)
    payload = rows(store)[0].payload
    assert payload["org"] == "Kaiser Permanente"
    assert payload["ratio"] == 8.0
    assert payload["post_count"] == 6
    examples = payload["examples"]
    assert len(examples) == 3
    assert len({e["author"] for e in examples}) == 3  # distinct authors
    assert all(e["author"].startswith("author-") for e in examples)
    assert all("#0 " not in e["text"] for e in examples)  # post 0 was deleted at its source
    assert all(len(e["text"]) <= 200 for e in examples)
    assert not any(h.lower() in str(payload).lower() for h in HANDLES)


def test_due_alert_is_sent_once_and_marked_sent(store, incident_factory):
    inc = incident_factory()
    enqueue_incident_update(store, inc, 1, ["fake"], now=T0)
    fake = FakeChannel()
    stats = dispatch_due(store, {"fake": fake}, now=T0, policy=POLICY)
    assert (stats.claimed, stats.sent) == (1, 1)
    assert dispatch_due(store, {"fake": fake}, now=T0 + timedelta(days=1), policy=POLICY).claimed == 0
    [row] = rows(store)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, T0)
    assert [a.id for a in fake.sent] == [row.id]


def test_failed_send_backs_off_exponentially_with_bounded_jitter(store, incident_factory):
    inc = incident_factory()
    enqueue_incident_update(store, inc, 1, ["fake"], now=T0)
    fake = FakeChannel([down(), down(), down()])
    policy = RetryPolicy(base=60, cap=3600, jitter=0.25, max_attempts=10, lease=120)
    now = T0
    for attempt, base in enumerate([60, 120, 240], start=1):
        assert dispatch_due(store, {"fake": fake}, now=now, policy=policy).retried == 1
        [row] = rows(store)
        assert (row.status, row.attempts) == ("pending", attempt)
        wait = (row.next_attempt_at - now).total_seconds()
        assert base <= wait <= base * 1.25
        assert "HTTP 503" in row.last_error
        early = dispatch_due(store, {"fake": fake}, now=row.next_attempt_at - timedelta(seconds=1), policy=policy)
        assert early.claimed == 0  # not before its time
        now = row.next_attempt_at
    assert dispatch_due(store, {"fake": fake}, now=now, policy=policy).sent == 1
    assert fake.calls == 4


def test_retry_policy_schedule_is_capped_and_jittered_within_bounds():
    exact = RetryPolicy(base=60, cap=3600, jitter=0.0)
    rng = random.Random(1)
    assert [exact.delay(n, rng) for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    jittered = RetryPolicy(base=60, cap=3600, jitter=0.25)
    samples = [jittered.delay(2, random.Random(seed)) for seed in range(200)]
    assert all(120 <= s <= 150 for s in samples)
    assert max(samples) - min(samples) > 10  # the jitter spreads retries of many alerts
    assert jittered.delay(20, rng) == 3600


def test_receiver_retry_after_hint_is_respected(store, incident_factory):
    inc = incident_factory()
    enqueue_incident_update(store, inc, 1, ["fake"], now=T0)
    fake = FakeChannel([DeliveryError("HTTP 429", retryable=True, retry_after=900)])
    dispatch_due(store, {"fake": fake}, now=T0, policy=POLICY)
    assert rows(store)[0].next_attempt_at == T0 + timedelta(seconds=900)


def test_alert_is_failed_after_max_attempts_with_its_last_error(store, incident_factory):
    inc = incident_factory()
    enqueue_incident_update(store, inc, 1, ["fake"], now=T0)
    fake = FakeChannel([down()] * 10)
    for hour in range(10):
        dispatch_due(store, {"fake": fake}, now=T0 + timedelta(hours=hour * 2), policy=POLICY)
    [row] = rows(store)
    assert (row.status, row.attempts, fake.calls) == ("failed", POLICY.max_attempts, POLICY.max_attempts)
    assert "gave up after 4 attempts" in row.last_error
    assert "HTTP 503" in row.last_error


def test_non_retryable_error_fails_at_once(store, incident_factory):
    inc = incident_factory()
    enqueue_incident_update(store, inc, 1, ["fake"], now=T0)
    fake = FakeChannel([down(retryable=False)])
    stats = dispatch_due(store, {"fake": fake}, now=T0, policy=POLICY)
    assert stats.failed == 1
    dispatch_due(store, {"fake": fake}, now=T0 + timedelta(days=1), policy=POLICY)
    [row] = rows(store)
    assert (row.status, row.attempts, fake.calls) == ("failed", 1, 1)
    assert "not retryable" in row.last_error


def test_unexpected_channel_exception_is_retried_not_lost(store, incident_factory):
    inc = incident_factory()
    enqueue_incident_update(store, inc, 1, ["fake"], now=T0)
    fake = FakeChannel([RuntimeError("bug")])
    assert dispatch_due(store, {"fake": fake}, now=T0, policy=POLICY).retried == 1
    assert dispatch_due(store, {"fake": fake}, now=T0 + timedelta(hours=1), policy=POLICY).sent == 1


def test_claimed_row_is_left_alone_until_its_lease_expires(store, incident_factory):
    inc = incident_factory()
    enqueue_incident_update(store, inc, 1, ["fake"], now=T0)
    with store.engine.begin() as conn:  # a dispatcher claims the row, then dies mid-send
        [row] = sql.due_candidates(conn, T0, ["fake"], 10)
        assert sql.claim(conn, row, T0 + timedelta(seconds=POLICY.lease))
    fake = FakeChannel()
    assert dispatch_due(store, {"fake": fake}, now=T0 + timedelta(seconds=60), policy=POLICY).claimed == 0
    stats = dispatch_due(store, {"fake": fake}, now=T0 + timedelta(seconds=POLICY.lease), policy=POLICY)
    assert stats.sent == 1
    [row] = rows(store)
    assert (row.status, row.attempts) == ("sent", 2)
    assert fake.sent[0].payload["idempotency_key"] == row.payload["idempotency_key"]


def test_expired_claim_at_max_attempts_is_failed_not_resent(store, incident_factory):
    inc = incident_factory()
    enqueue_incident_update(store, inc, 1, ["fake"], now=T0)
    policy = RetryPolicy(max_attempts=1, lease=120)
    with store.engine.begin() as conn:
        [row] = sql.due_candidates(conn, T0, ["fake"], 10)
        sql.claim(conn, row, T0 + timedelta(seconds=120))
    fake = FakeChannel()
    assert dispatch_due(store, {"fake": fake}, now=T0 + timedelta(hours=1), policy=policy).failed == 1
    [row] = rows(store)
    assert row.status == "failed"
    assert "outcome unknown" in row.last_error
    assert fake.calls == 0


def test_only_one_of_two_racing_claims_wins(store, incident_factory):
    inc = incident_factory()
    enqueue_incident_update(store, inc, 1, ["fake"], now=T0)
    with store.engine.connect() as conn:
        [seen_by_a] = sql.due_candidates(conn, T0, ["fake"], 10)
        [seen_by_b] = sql.due_candidates(conn, T0, ["fake"], 10)
    with store.engine.begin() as conn:
        won_a = sql.claim(conn, seen_by_a, T0 + timedelta(minutes=2))
    with store.engine.begin() as conn:
        won_b = sql.claim(conn, seen_by_b, T0 + timedelta(minutes=2))
    assert (won_a, won_b) == (True, False)


def test_rows_of_channels_this_dispatcher_lacks_stay_pending(store, incident_factory):
    inc = incident_factory()
    enqueue_incident_update(store, inc, 1, ["fake", "email"], now=T0)
    dispatch_due(store, {"fake": FakeChannel()}, now=T0, policy=POLICY)
    with store.engine.connect() as conn:
        by_channel = dict(conn.execute(select(alert_outbox.c.channel, alert_outbox.c.status)).all())
        assert conn.execute(select(func.count()).select_from(alert_outbox)).scalar_one() == 2
    assert by_channel == {"fake": "sent", "email": "pending"}


def test_follow_loop_keeps_dispatching_until_stopped(sqlite_store):
    inc = add_incident(sqlite_store)
    fake = FakeChannel()
    stop = threading.Event()
    loop = threading.Thread(
        target=dispatch_forever, args=(sqlite_store, {"fake": fake}), kwargs={"interval": 0.05, "stop": stop}
    )
    loop.start()
    try:
        enqueue_incident_update(sqlite_store, inc, 1, ["fake"])  # queued while the loop already runs
        enqueue_incident_update(sqlite_store, inc, 2, ["fake"])
        deadline = time.monotonic() + 10
        while len(fake.sent) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        loop.join(5)
    assert not loop.is_alive()
    assert sorted(a.incident_version for a in fake.sent) == [1, 2]
