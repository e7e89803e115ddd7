"""Enqueue incident updates and dispatch them: never lost, and never delivered twice to a receiver that dedupes.

Delivery guarantee (why it is built this way):

* Enqueue is idempotent: one row per (incident, version, channel), ON CONFLICT DO NOTHING.
* A row is claimed (status ``sending``, attempts + 1, lease until now + ``lease``) in its own
  transaction immediately before its send, and its outcome is written right after. A row is
  only re-sent after a failure or when its lease expired, which means the dispatcher that
  claimed it died (or hung past every timeout) mid-send: the lease is longer than any channel's
  timeout, so a live dispatcher's send has ended before another may take the row over.
* Whether a receiver got a request whose sender died is unknowable to the sender, so no
  design can both never lose and never repeat a *request*. We choose at-least-once requests
  (marking sent first would lose the alert on a crash) and make the *effect* exactly-once
  with a key fixed at enqueue time and repeated on every attempt: the webhook sends it as
  ``Idempotency-Key`` (receivers dedupe, Stripe-style), e-mail derives its Message-ID from it.
  Slack's incoming webhooks cannot dedupe: there a crash inside the send window may repeat a
  message (its footer shows the same key). Ordinary failures (errors, timeouts, 5xx) never
  cause a repeat the receiver has not been told how to recognise.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection

from outagewatch.alerts.base import Channel, DeliveryError, configured_channels
from outagewatch.alerts.message import build_payload
from outagewatch.models import Alert, utcnow
from outagewatch.store import Store
from outagewatch.store import outbox as sql

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_POLICY",
    "DispatchStats",
    "RetryPolicy",
    "configured_channels",
    "dispatch_due",
    "dispatch_forever",
    "enqueue_incident_update",
]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, between ``base`` and ``cap`` seconds; give up after ``max_attempts``.

    ``lease`` (seconds) is how long a claimed row belongs to its dispatcher; keep it above
    every channel timeout (http_timeout, SMTP timeout).
    """

    base: float = 60.0
    cap: float = 3600.0
    jitter: float = 0.25
    max_attempts: int = 8
    lease: float = 120.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based): base*2^(n-1), +0..jitter, capped."""
        raw = min(self.cap, self.base * 2 ** max(0, attempt - 1))
        return min(self.cap, raw * (1.0 + self.jitter * rng.random()))


DEFAULT_POLICY = RetryPolicy()


@dataclass(slots=True)
class DispatchStats:
    """What one dispatcher pass did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def enqueue_incident_update(
    target: Connection | Store, incident_id: int, version: int, channels: Iterable[str], now: datetime | None = None
) -> int:
    """Queue one alert per channel for this incident version; returns how many rows were new.

    Pass the detector's open connection to enqueue in the same transaction that wrote the
    incident (the classic outbox), or a Store to use a transaction of its own.
    """
    if isinstance(target, Store):
        with target.engine.begin() as conn:
            return enqueue_incident_update(conn, incident_id, version, channels, now)
    names = list(dict.fromkeys(channels))
    if not names:
        return 0
    incident, examples = sql.incident_with_posts(target, incident_id)
    payloads = {name: build_payload(incident, examples, version, name) for name in names}
    return sql.enqueue(target, incident_id, version, payloads, now or utcnow())


def _alert(row: sql.OutboxRow) -> Alert:
    return Alert(
        incident_id=row.incident_id,
        incident_version=row.incident_version,
        channel=row.channel,
        payload=row.payload,
        id=row.id,
        attempts=row.attempts + 1,
        created_at=row.created_at,
    )


def _deliver(
    store: Store, row: sql.OutboxRow, channel: Channel, policy: RetryPolicy, rng: random.Random, now: datetime | None
) -> str:
    """Send one claimed row and record the outcome; returns sent, retried or failed."""
    attempts = row.attempts + 1
    try:
        channel.send(_alert(row))
    except Exception as exc:
        retryable = exc.retryable if isinstance(exc, DeliveryError) else True
        error = f"attempt {attempts}: {exc}" if isinstance(exc, DeliveryError) else f"attempt {attempts}: {exc!r}"
        stamp = now or utcnow()
        with store.engine.begin() as conn:
            if not retryable or attempts >= policy.max_attempts:
                reason = "not retryable" if not retryable else f"gave up after {attempts} attempts"
                sql.mark_failed(conn, row.id, attempts, f"{error} ({reason})")
                log.warning("alert %s via %s failed: %s (%s)", row.id, row.channel, exc, reason)
                return "failed"
            wait = policy.delay(attempts, rng)
            if isinstance(exc, DeliveryError) and exc.retry_after:
                wait = min(policy.cap, max(wait, exc.retry_after))
            sql.mark_retry(conn, row.id, attempts, error, stamp + timedelta(seconds=wait))
        log.info("alert %s via %s: %s; retry in %.0f s", row.id, row.channel, exc, wait)
        return "retried"
    with store.engine.begin() as conn:
        sql.mark_sent(conn, row.id, now or utcnow())
    return "sent"


def dispatch_due(
    store: Store,
    channels: Mapping[str, Channel],
    now: datetime | None = None,
    *,
    policy: RetryPolicy = DEFAULT_POLICY,
    limit: int = 100,
    rng: random.Random | None = None,
) -> DispatchStats:
    """Send every due alert for the given channels once; rows of other channels wait for a dispatcher that has them."""
    rng = rng or random.Random()
    stats = DispatchStats()
    start = now or utcnow()
    with store.engine.connect() as conn:
        candidates = sql.due_candidates(conn, start, list(channels), limit)
    for row in candidates:
        clock = now or utcnow()
        with store.engine.begin() as conn:
            if row.status == "sending" and row.attempts >= policy.max_attempts:
                error = f"dispatcher stopped during attempt {row.attempts}; outcome unknown, gave up"
                if sql.mark_failed(conn, row.id, row.attempts, error):
                    stats.failed += 1
                    stats.errors.append(f"#{row.id} {row.channel}: {error}")
                continue
            if not sql.claim(conn, row, clock + timedelta(seconds=policy.lease)):
                continue  # another dispatcher took it first
        stats.claimed += 1
        outcome = _deliver(store, row, channels[row.channel], policy, rng, now)
        if outcome == "sent":
            stats.sent += 1
        elif outcome == "retried":
            stats.retried += 1
        else:
            stats.failed += 1
    return stats


def dispatch_forever(
    store: Store,
    channels: Mapping[str, Channel],
    *,
    interval: float = 10.0,
    policy: RetryPolicy = DEFAULT_POLICY,
    stop: threading.Event | None = None,
) -> None:
    """Run a dispatcher pass every ``interval`` seconds until ``stop`` is set (or the process ends)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            stats = dispatch_due(store, channels, policy=policy)
            if stats.claimed:
                log.info("dispatched: %s", stats)
        except Exception:  # a database hiccup must not end a long-running dispatcher
            log.exception("dispatcher pass failed; trying again in %s s", interval)
        stop.wait(interval)
