"""Real deliveries to a local webhook (ThreadingHTTPServer) and a local SMTP server (aiosmtpd)."""

from __future__ import annotations

import email
import json
import random
from datetime import timedelta
from email import policy as email_policy

import pytest

from outagewatch.alerts.email import EmailChannel
from outagewatch.alerts.outbox import RetryPolicy, dispatch_due, enqueue_incident_update
from outagewatch.alerts.slack import SlackChannel
from outagewatch.alerts.webhook import WebhookChannel
from outagewatch.store import outbox as sql
from tests.alerts.conftest import HANDLES, T0
from tests.alerts.receivers import MailSink, WebhookReceiver, free_port, self_signed_tls, start_smtp

DASH = "https://ow.example.org/"
POLICY = RetryPolicy(base=60, cap=3600, max_attempts=20, lease=120)


def all_rows(store) -> list[sql.OutboxRow]:
    with store.engine.connect() as conn:
        return sorted(sql.list_rows(conn, limit=1000), key=lambda r: r.id)


def run_until_quiet(store, channels, start, rounds=40):
    """Dispatch on a simulated clock, jumping to the next due time, until nothing is pending."""
    now = start
    for _ in range(rounds):
        dispatch_due(store, channels, now=now, policy=POLICY, rng=random.Random(0))
        waiting = [r for r in all_rows(store) if r.status in ("pending", "sending")]
        if not waiting:
            return now
        now = max(now, min(r.next_attempt_at for r in waiting))
    raise AssertionError("alerts still waiting")


def enqueue_many(store, n, channel="webhook"):
    from tests.alerts.conftest import add_incident

    for i in range(n):
        enqueue_incident_update(store, add_incident(store, tag=f"i{i}-"), 1, [channel], now=T0)


def test_webhook_503_for_a_while_then_every_alert_processed_exactly_once(sqlite_store, receiver):
    enqueue_many(sqlite_store, 4)
    receiver.behaviour.failures = 9  # the receiver answers 503 to its next 9 requests
    hook = WebhookChannel(receiver.url, DASH, timeout=5)
    run_until_quiet(sqlite_store, {"webhook": hook}, T0)
    rows = all_rows(sqlite_store)
    keys = [r.payload["idempotency_key"] for r in rows]
    assert all(r.status == "sent" for r in rows)
    # The receiver acted once per alert ...
    assert sorted(receiver.processed) == sorted(keys)
    # ... and on the wire each key got exactly one 2xx; every other request with it was a 503.
    for key, row in zip(keys, rows, strict=True):
        statuses = receiver.statuses(key)
        assert statuses.count(200) == 1
        assert statuses[-1] == 200
        assert set(statuses[:-1]) <= {503}
        assert len(statuses) == row.attempts
    assert sum(len(receiver.statuses(k)) for k in keys) == 4 + 9
    assert not any(a.duplicate for a in receiver.arrivals)  # plain failures never cause a repeat


def test_webhook_not_listening_then_started_gets_each_alert_once(sqlite_store):
    port = free_port()
    enqueue_many(sqlite_store, 3)
    hook = WebhookChannel(f"http://127.0.0.1:{port}/hook", DASH, timeout=2)
    stats = dispatch_due(sqlite_store, {"webhook": hook}, now=T0, policy=POLICY)
    assert (stats.claimed, stats.retried) == (3, 3)
    assert all("ConnectError" in r.last_error for r in all_rows(sqlite_store))
    receiver = WebhookReceiver(port).start()
    try:
        run_until_quiet(sqlite_store, {"webhook": hook}, T0 + timedelta(minutes=1))
    finally:
        receiver.stop()
    keys = sorted(r.payload["idempotency_key"] for r in all_rows(sqlite_store))
    assert sorted(receiver.processed) == keys
    assert sorted(a.key for a in receiver.arrivals) == keys  # one request each after recovery


@pytest.mark.parametrize(("status", "retryable"), [(400, False), (404, False), (408, True), (429, True), (500, True)])
def test_http_status_classification(sqlite_store, receiver, status, retryable):
    enqueue_many(sqlite_store, 1)
    receiver.behaviour = type(receiver.behaviour)(failures=1, fail_with=status, headers={"Retry-After": "300"})
    dispatch_due(sqlite_store, {"webhook": WebhookChannel(receiver.url, DASH)}, now=T0, policy=POLICY)
    [row] = all_rows(sqlite_store)
    assert row.status == ("pending" if retryable else "failed")
    assert f"HTTP {status}" in row.last_error
    if status == 429:
        assert row.next_attempt_at == T0 + timedelta(seconds=300)


def test_webhook_body_and_idempotency_header(sqlite_store, receiver):
    enqueue_many(sqlite_store, 1)
    dispatch_due(sqlite_store, {"webhook": WebhookChannel(receiver.url, DASH)}, now=T0, policy=POLICY)
    [row] = all_rows(sqlite_store)
    [arrival] = receiver.arrivals
    assert arrival.key == row.payload["idempotency_key"] == arrival.body["idempotency_key"]
    body = arrival.body
    assert body["type"] == "outagewatch.incident"
    assert body["url"] == f"https://ow.example.org/incidents?id={row.incident_id}"
    assert body["incident"]["services"] == ["pharmacy", "login_app"]
    assert "8.0x above baseline" in body["text"]
    assert "p-value 1.5e-06" in body["text"]
    assert "Evidence level: likely" in body["text"]
    assert "Started: 2025-05-28 14:00 UTC" in body["text"]
    assert not any(h.lower() in json.dumps(body).lower() for h in HANDLES)


def test_slack_payload_is_block_kit_with_text_fallback(sqlite_store, receiver):
    enqueue_many(sqlite_store, 1, channel="slack")
    stats = dispatch_due(sqlite_store, {"slack": SlackChannel(receiver.url, DASH)}, now=T0, policy=POLICY)
    assert stats.sent == 1
    [arrival] = receiver.arrivals
    body = arrival.body
    assert set(body) == {"text", "blocks"}
    assert body["text"].startswith("Likely outage: Kaiser Permanente - pharmacy, login_app")
    types = [b["type"] for b in body["blocks"]]
    assert types == ["header", "section", "section", "actions", "context"]
    header, facts, examples, actions, context = body["blocks"]
    assert header["text"]["type"] == "plain_text"
    assert len(header["text"]["text"]) <= 150
    assert facts["text"]["type"] == "mrkdwn"
    assert "Regions: Northern California, CA" in facts["text"]["text"]
    assert examples["text"]["text"].count("\n>") == 3
    assert actions["elements"][0]["url"].endswith("/incidents?id=1")
    assert "outagewatch-i1-v1-slack-" in context["elements"][0]["text"]
    assert not any(h.lower() in json.dumps(body).lower() for h in HANDLES)


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email_policy.default)


def test_email_arrives_with_facts_examples_and_no_handles(sqlite_store, mail):
    sink, port = mail
    enqueue_many(sqlite_store, 1, channel="email")
    channel = EmailChannel("127.0.0.1", port, "ow@example.org", ["ops@example.org"], DASH, timeout=5)
    assert dispatch_due(sqlite_store, {"email": channel}, now=T0, policy=POLICY).sent == 1
    [(rcpts, raw)] = sink.messages
    msg = parse(raw)
    body = msg.get_content()
    assert rcpts == ["ops@example.org"]
    assert "Kaiser Permanente" in msg["Subject"]
    assert "pharmacy, login_app" in msg["Subject"]
    assert "Organization: Kaiser Permanente" in body
    assert "Services: pharmacy, login_app" in body
    assert body.count('"@user Kaiser Permanente pharmacy refill page down') == 3  # mentions masked too
    assert body.count("author-") == 3
    assert "https://ow.example.org/incidents?id=1" in body
    assert not any(h.lower() in raw.decode().lower() for h in HANDLES)
    [row] = all_rows(sqlite_store)
    assert msg["X-OutageWatch-Key"] == row.payload["idempotency_key"]


def test_email_message_id_is_stable_across_resends(sqlite_store, mail):
    sink, port = mail
    enqueue_many(sqlite_store, 1, channel="email")
    channel = EmailChannel("127.0.0.1", port, "ow@example.org", ["ops@example.org"], DASH)
    with sqlite_store.engine.connect() as conn:
        [row] = sql.list_rows(conn)
    from outagewatch.models import Alert

    alert = Alert(row.incident_id, row.incident_version, "email", row.payload, id=row.id)
    channel.send(alert)
    channel.send(alert)
    first, second = (parse(raw) for _, raw in sink.messages)
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"].endswith("@example.org>")


def test_email_refused_recipient_is_permanent_and_server_down_is_temporary(sqlite_store, mail):
    sink, port = mail
    sink.refuse.add("gone@example.org")
    enqueue_many(sqlite_store, 1, channel="email")
    refused = EmailChannel("127.0.0.1", port, "ow@example.org", ["gone@example.org"], DASH)
    assert dispatch_due(sqlite_store, {"email": refused}, now=T0, policy=POLICY).failed == 1
    enqueue_many(sqlite_store, 1, channel="email")
    closed = EmailChannel("127.0.0.1", free_port(), "ow@example.org", ["ops@example.org"], DASH, timeout=2)
    assert dispatch_due(sqlite_store, {"email": closed}, now=T0, policy=POLICY).retried == 1
    assert sink.messages == []


def test_email_upgrades_to_starttls_when_offered_and_logs_in(sqlite_store, tmp_path):
    sink = MailSink()
    server_tls, client_tls = self_signed_tls(tmp_path)
    controller = start_smtp(sink, tls_context=server_tls, require_starttls=True, authenticator=sink.authenticate)
    try:
        enqueue_many(sqlite_store, 1, channel="email")
        channel = EmailChannel(
            "127.0.0.1",
            controller.port,
            "ow@example.org",
            ["ops@example.org"],
            DASH,
            user="ops",
            password="s3cret",
            tls_context=client_tls,
        )
        assert dispatch_due(sqlite_store, {"email": channel}, now=T0, policy=POLICY).sent == 1
    finally:
        controller.stop()
    assert sink.encrypted == [True]
    assert sink.logins == [(b"ops", b"s3cret")]


def test_email_login_without_tls_to_a_remote_host_is_refused(sqlite_store):
    sink = MailSink()
    controller = start_smtp(sink, host="127.0.0.2")  # not a localhost name: treated as remote
    try:
        enqueue_many(sqlite_store, 1, channel="email")
        channel = EmailChannel("127.0.0.2", controller.port, "ow@x.org", ["ops@x.org"], DASH, user="ops", password="pw")
        assert dispatch_due(sqlite_store, {"email": channel}, now=T0, policy=POLICY).failed == 1
    finally:
        controller.stop()
    [row] = all_rows(sqlite_store)
    assert "does not offer STARTTLS" in row.last_error
    assert sink.messages == []
