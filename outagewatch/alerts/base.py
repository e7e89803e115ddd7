"""The alert channel interface and the registry of channels.

A channel turns one ``Alert`` into one delivery and raises ``DeliveryError`` when it could not;
it never retries by itself (the outbox dispatcher owns retries, backoff and bookkeeping).
Adding a channel is one module with a ``Channel`` subclass and one line in ``REGISTRY``.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from outagewatch.config import ConfigError, Settings
from outagewatch.models import Alert

# name -> "module:Class", imported on first use so one channel's dependencies never load another's.
REGISTRY: dict[str, str] = {
    "webhook": "outagewatch.alerts.webhook:WebhookChannel",
    "slack": "outagewatch.alerts.slack:SlackChannel",
    "email": "outagewatch.alerts.email:EmailChannel",
}


class DeliveryError(Exception):
    """A delivery failed; ``retryable`` says whether trying again later can help.

    ``retry_after`` (seconds) is the receiver's own hint (HTTP Retry-After), if it gave one.
    """

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Channel(ABC):
    """One way of telling people about an incident update."""

    name: ClassVar[str]
    # Settings without which the channel cannot be built (named in the error when missing).
    required_settings: ClassVar[tuple[str, ...]] = ()

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> Channel:
        """Build the channel from the effective settings; raises ConfigError naming a missing setting."""

    @abstractmethod
    def send(self, alert: Alert) -> None:
        """Deliver ``alert`` once; return on success, raise ``DeliveryError`` on failure."""

    def close(self) -> None:  # noqa: B027 - optional hook, most channels hold nothing open
        """Release connections held between sends."""


def idempotency_key(alert: Alert) -> str:
    """The key a receiver dedupes on: fixed when the alert was enqueued, so every retry repeats it."""
    key = alert.payload.get("idempotency_key")
    if key:
        return str(key)
    return f"outagewatch-{alert.id}-i{alert.incident_id}-v{alert.incident_version}-{alert.channel}"


def channel_class(name: str) -> type[Channel]:
    """The class registered under ``name``."""
    try:
        target = REGISTRY[name]
    except KeyError:
        raise ConfigError(f"unknown alert channel {name!r}; known channels: {', '.join(sorted(REGISTRY))}") from None
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def build_channel(name: str, settings: Settings) -> Channel:
    """One channel from settings; raises ConfigError naming the missing setting."""
    return channel_class(name).from_settings(settings)


def configured_channels(settings: Settings, names: list[str] | None = None) -> dict[str, Channel]:
    """Every channel whose required settings are all present (or the named ones, which must be)."""
    if names:
        return {name: build_channel(name, settings) for name in names}
    found: dict[str, Channel] = {}
    for name in REGISTRY:
        cls = channel_class(name)
        if all(settings.get(s) not in (None, "") for s in cls.required_settings):
            found[name] = cls.from_settings(settings)
    return found


def http_status_error(status: int, body: str, headers: Any) -> DeliveryError:
    """Classify an HTTP answer: 408, 429 and 5xx are worth retrying, other 4xx (and 3xx) are not."""
    retryable = status in (408, 429) or status >= 500
    retry_after = None
    raw = headers.get("retry-after") if headers is not None else None
    if raw:
        try:
            retry_after = max(0.0, float(raw))
        except ValueError:
            retry_after = None  # an HTTP date: our own backoff is good enough
    snippet = " ".join(body.split())[:200]
    return DeliveryError(f"HTTP {status}: {snippet}", retryable=retryable, retry_after=retry_after)
