"""Generic JSON webhook: one POST per alert, with an Idempotency-Key header the receiver dedupes on."""

from __future__ import annotations

from typing import Any

import httpx

from outagewatch.alerts.base import Channel, DeliveryError, http_status_error, idempotency_key
from outagewatch.alerts.message import render
from outagewatch.config import Settings
from outagewatch.models import Alert


def post_json(client: httpx.Client, url: str, body: dict[str, Any], headers: dict[str, str]) -> None:
    """POST ``body``; network failures and 408/429/5xx are retryable, other non-2xx answers are not."""
    try:
        response = client.post(url, json=body, headers=headers)
    except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc or 'no answer'}", retryable=True) from exc
    except httpx.HTTPError as exc:  # a malformed URL or similar: trying again will not help
        raise DeliveryError(f"{type(exc).__name__}: {exc}", retryable=False) from exc
    if not 200 <= response.status_code < 300:
        raise http_status_error(response.status_code, response.text, response.headers)


class WebhookChannel(Channel):
    """POSTs the alert as JSON: the facts, the rendered text and the dashboard link."""

    name = "webhook"
    required_settings = ("webhook_url",)

    def __init__(self, url: str, dashboard_url: str, timeout: float = 20.0) -> None:
        self.url = url
        self.dashboard_url = dashboard_url
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookChannel:
        """Needs webhook_url."""
        return cls(settings.require("webhook_url"), settings.get("dashboard_url"), float(settings.get("http_timeout")))

    def body(self, alert: Alert) -> dict[str, Any]:
        """The JSON document: stable fields a receiver can route on, plus human text."""
        message = render(alert.payload, self.dashboard_url)
        return {
            "type": "outagewatch.test" if message.test else "outagewatch.incident",
            "idempotency_key": idempotency_key(alert),
            "title": message.title,
            "text": message.as_text(),
            "url": message.link,
            "incident": alert.payload,
        }

    def send(self, alert: Alert) -> None:
        """One POST; the same alert always carries the same Idempotency-Key."""
        key = idempotency_key(alert)
        post_json(self.client, self.url, self.body(alert), {"Idempotency-Key": key, "User-Agent": "outagewatch"})

    def close(self) -> None:
        """Close pooled connections."""
        self.client.close()
