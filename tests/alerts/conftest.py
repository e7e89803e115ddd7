"""Fixtures for alert tests: incidents with posts in a real store, fake and real receivers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from outagewatch.alerts.base import Channel, DeliveryError
from outagewatch.config import Settings
from outagewatch.models import Alert, Post
from outagewatch.store import Store
from outagewatch.store.schema import incident_posts, incidents
from outagewatch.store.writes import post_ids
from tests.alerts.receivers import MailSink, WebhookReceiver, start_smtp

T0 = datetime(2025, 5, 28, 14, 0, tzinfo=UTC)
HANDLES = ("kp_member_jane", "SoCalSteve", "bay_nurse_77")


def add_incident(store: Store, *, org: str = "Kaiser Permanente", n_posts: int = 5, tag: str = "a") -> int:
    """An incident with ``n_posts`` linked posts whose authors have real-looking handles (kept in the DB)."""
    keeping = Store(store.engine, author_salt="test-salt", keep_author_handles=True)
    batch = [
        Post(
            source="reddit",
            native_id=f"{tag}{i}",
            text=f"@{HANDLES[(i + 1) % 3]} {org} pharmacy refill page down in Oakland #{i} " + "x" * 300,
            created_at=T0 + timedelta(minutes=i),
            author_handle=HANDLES[i % 3],
            deleted=(i == 0),
        )
        for i in range(n_posts)
    ]
    keeping.upsert_posts(batch)
    with store.engine.begin() as conn:
        ids = post_ids(conn, [p.key for p in batch])
        incident_id = conn.execute(
            incidents.insert().values(
                org=org,
                status="open",
                level="likely",
                opened_at=T0,
                updated_at=T0 + timedelta(minutes=30),
                services=["pharmacy", "login_app"],
                regions=["Northern California", "CA"],
                peak=24.0,
                baseline=3.0,
                p_value=1.5e-6,
                co_spikes=[],
                version=1,
                details={"score": 0.97},
            )
        ).inserted_primary_key[0]
        conn.execute(incident_posts.insert(), [{"incident_id": incident_id, "post_id": i} for i in ids.values()])
    return int(incident_id)


class FakeChannel(Channel):
    """Records alerts; raises the queued exceptions first (None means succeed)."""

    name = "fake"

    def __init__(self, outcomes: list[Exception | None] | None = None) -> None:
        self.outcomes = list(outcomes or [])
        self.sent: list[Alert] = []
        self.calls = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> FakeChannel:
        return cls()

    def send(self, alert: Alert) -> None:
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        self.sent.append(alert)


def down(retryable: bool = True) -> DeliveryError:
    return DeliveryError("HTTP 503: unavailable" if retryable else "HTTP 400: bad", retryable=retryable)


@pytest.fixture
def incident_factory(store: Store) -> Callable[..., int]:
    return lambda **kw: add_incident(store, **kw)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()
    yield r
    r.stop()


@pytest.fixture
def mail() -> Iterator[tuple[MailSink, int]]:
    sink = MailSink()
    controller = start_smtp(sink)
    yield sink, controller.port
    controller.stop()


def settings_with(tmp_path, **values: str) -> Settings:
    """Settings from an explicit environment only (no user config leaks into tests)."""
    env = {f"OUTAGEWATCH_{k.upper()}": v for k, v in values.items()}
    env.setdefault("OUTAGEWATCH_DATA_DIR", str(tmp_path))
    return Settings.load(environ=env, config_file=tmp_path / "none.toml")
