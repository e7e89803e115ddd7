"""What an alert says: facts snapshotted at enqueue time, rendered for any channel at send time.

The payload stored in the outbox is a plain JSON snapshot of one incident version, so a retry
hours later says exactly what the first attempt said, and each channel only formats it.
Authors appear as short pseudonyms of their salted key; handles never leave the store.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outagewatch.models import ensure_utc, utcnow

TEXT_LIMIT = 200
_MENTION = re.compile(r"(?<![\w@])(?:@[\w.-]+|/?u/[\w-]+)")


@dataclass(frozen=True, slots=True)
class Message:
    """An alert ready for formatting: a title, summary lines, example posts and a link."""

    title: str
    lines: list[str]
    examples: list[str]
    link: str
    test: bool = False

    def as_text(self) -> str:
        """Plain text (e-mail body, Slack fallback)."""
        parts = [self.title, "", *self.lines]
        if self.examples:
            parts += ["", "Example posts:", *(f"- {e}" for e in self.examples)]
        parts += ["", f"Details: {self.link}"]
        return "\n".join(parts)


def clean_text(text: str, limit: int = TEXT_LIMIT) -> str:
    """One line, mentions of other users masked, cut to ``limit`` characters."""
    flat = _MENTION.sub("@user", " ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def pseudonym(author_key: str | None) -> str:
    """A short, stable label for an author: the start of the salted key (never the handle)."""
    return f"author-{author_key[:8]}" if author_key else "author-unknown"


def _iso(value: datetime | None) -> str | None:
    return ensure_utc(value).isoformat() if value else None


def build_payload(incident: dict[str, Any], examples: list[dict[str, Any]], version: int, channel: str) -> dict:
    """The JSON snapshot stored in the outbox for one incident version and one channel."""
    peak, baseline = float(incident["peak"]), float(incident["baseline"])
    details = incident.get("details") or {}
    return {
        "kind": "incident",
        "idempotency_key": f"outagewatch-i{incident['id']}-v{version}-{channel}-{secrets.token_hex(4)}",
        "incident_id": int(incident["id"]),
        "version": version,
        "org": incident["org"],
        "status": incident["status"],
        "level": incident["level"],
        "services": list(incident["services"] or []),
        "regions": list(incident["regions"] or []),
        "co_spikes": list(incident.get("co_spikes") or []),
        "peak": peak,
        "baseline": baseline,
        "ratio": round(peak / baseline, 2) if baseline > 0 else None,
        "p_value": float(incident["p_value"]),
        "score": details.get("score") if isinstance(details, dict) else None,
        "opened_at": _iso(incident["opened_at"]),
        "updated_at": _iso(incident["updated_at"]),
        "resolved_at": _iso(incident.get("resolved_at")),
        "post_count": int(incident.get("post_count", 0)),
        "examples": [
            {
                "author": pseudonym(p.get("author_key")),
                "source": p["source"],
                "created_at": _iso(p["created_at"]),
                "text": clean_text(p["text"]),
                "url": p.get("url"),
            }
            for p in examples
        ],
    }


def sample_payload(channel: str) -> dict[str, Any]:
    """A clearly marked test alert with made-up facts and a one-off key."""
    now = utcnow().isoformat()
    return {
        "kind": "test",
        "idempotency_key": f"outagewatch-test-{channel}-{secrets.token_hex(6)}",
        "incident_id": 0,
        "version": 0,
        "org": "TEST ORGANIZATION",
        "status": "open",
        "level": "possible",
        "services": ["pharmacy"],
        "regions": ["Test Region"],
        "co_spikes": [],
        "peak": 12.0,
        "baseline": 2.0,
        "ratio": 6.0,
        "p_value": 0.0001,
        "score": None,
        "opened_at": now,
        "updated_at": now,
        "resolved_at": None,
        "post_count": 1,
        "examples": [
            {"author": "author-00000000", "source": "test", "created_at": now, "text": "This is a test post."}
        ],
    }


def _when(value: str | None) -> str:
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M UTC") if value else "unknown"


def render(payload: dict[str, Any], dashboard_url: str) -> Message:
    """Turn a stored payload into the words every channel shows."""
    test = payload.get("kind") == "test"
    services = ", ".join(payload["services"]) or "unspecified services"
    regions = ", ".join(payload["regions"]) or "no region identified"
    state = "resolved" if payload["status"] == "resolved" else payload["level"]
    prefix = "[TEST - ignore] " if test else ""
    title = f"{prefix}{state.capitalize()} outage: {payload['org']} - {services} ({regions})"
    ratio = f"{payload['ratio']:.1f}x" if payload.get("ratio") is not None else "n/a (baseline 0)"
    significance = f"p-value {payload['p_value']:.2g}"
    if payload.get("score") is not None:
        significance += f", score {float(payload['score']):.2f}"
    lines = [
        f"Organization: {payload['org']}",
        f"Services: {services}",
        f"Regions: {regions}",
        f"Evidence level: {payload['level']} (status {payload['status']}, update {payload['version']})",
        f"Reports: peak {payload['peak']:g} per bin vs baseline {payload['baseline']:.2g} "
        f"({ratio} above baseline; {significance})",
        f"Started: {_when(payload.get('opened_at'))}; last update {_when(payload.get('updated_at'))}",
        f"Posts behind it: {payload.get('post_count', 0)}",
    ]
    if payload.get("resolved_at"):
        lines.append(f"Resolved: {_when(payload['resolved_at'])}")
    if payload.get("co_spikes"):
        lines.append(f"Also spiking: {', '.join(payload['co_spikes'])}")
    if test:
        lines.insert(0, "This is a TEST alert sent by `outagewatch alerts test`; no incident exists.")
    examples = [
        f'{e["author"]} on {e["source"]} at {_when(e.get("created_at"))}: "{e["text"]}"' for e in payload["examples"]
    ]
    base = f"{dashboard_url.rstrip('/')}/incidents"
    link = base if test else f"{base}?id={payload['incident_id']}"
    return Message(title=title, lines=lines, examples=examples, link=link, test=test)
