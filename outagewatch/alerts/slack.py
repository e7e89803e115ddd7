"""Slack incoming webhook: a Block Kit message with a plain-text fallback.

Slack's incoming webhooks ignore idempotency keys, so a dispatcher that dies after Slack
accepted a message but before recording it will post it again (see alerts/outbox.py);
the alert's key is shown in the footer so people can tell a repeat from a new update.
"""

from __future__ import annotations

from typing import Any

import httpx

from outagewatch.alerts.base import Channel, idempotency_key
from outagewatch.alerts.message import Message, render
from outagewatch.alerts.webhook import post_json
from outagewatch.config import Settings
from outagewatch.models import Alert

SECTION_LIMIT = 2900  # Slack rejects section text over 3000 characters


def blocks(message: Message, key: str) -> list[dict[str, Any]]:
    """Header, facts, example posts, a dashboard button and a footer with the alert key."""
    out: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150], "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(message.lines)[:SECTION_LIMIT]}},
    ]
    if message.examples:
        quoted = "\n".join(f">{e}" for e in message.examples)
        out.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*Example posts*\n{quoted}"[:SECTION_LIMIT]}}
        )
    out.append(
        {
            "type": "actions",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Open in dashboard"}, "url": message.link}
            ],
        }
    )
    out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"OutageWatch alert {key}"}]})
    return out


class SlackChannel(Channel):
    """Posts to a Slack incoming webhook URL."""

    name = "slack"
    required_settings = ("slack_webhook_url",)

    def __init__(self, url: str, dashboard_url: str, timeout: float = 20.0) -> None:
        self.url = url
        self.dashboard_url = dashboard_url
        self.client = httpx.Client(timeout=timeout, follow_redirects=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> SlackChannel:
        """Needs slack_webhook_url (a secret: environment or secrets.toml)."""
        return cls(
            settings.require("slack_webhook_url"), settings.get("dashboard_url"), float(settings.get("http_timeout"))
        )

    def body(self, alert: Alert) -> dict[str, Any]:
        """The Slack payload: ``text`` is the notification and fallback, ``blocks`` the layout."""
        message = render(alert.payload, self.dashboard_url)
        return {"text": f"{message.title} {message.link}", "blocks": blocks(message, idempotency_key(alert))}

    def send(self, alert: Alert) -> None:
        """One POST (Slack answers 200 "ok", or 4xx with a reason such as invalid_payload)."""
        post_json(self.client, self.url, self.body(alert), {"User-Agent": "outagewatch"})

    def close(self) -> None:
        """Close pooled connections."""
        self.client.close()
