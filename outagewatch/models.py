"""The shared vocabulary: plain records that flow between collectors, store, classifier and detector.

They are frozen dataclasses, so no client-library object (praw, atproto, Mastodon.py) ever
escapes a collector, and every stage can be tested with records built by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

PostKind = Literal["submission", "comment", "post", "reply", "article", "status"]
LabelOrigin = Literal["model", "rules", "human"]
EvidenceLevel = Literal["possible", "likely", "confirmed"]
IncidentStatus = Literal["open", "resolved"]

SERVICES: tuple[str, ...] = (
    "pharmacy",
    "lab",
    "radiology",
    "appointments",
    "e_visits",
    "billing",
    "messaging",
    "records",
    "login_app",
    "phone",
    "insurance",
    "other",
)


def utcnow() -> datetime:
    """Return the current time, UTC-aware (the only clock the project reads)."""
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` as a UTC-aware datetime; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Post:
    """One public post, keyed on (source, native_id).

    ``official_org`` is set for entries of an organization's own status page: they are
    official acknowledgments, used to measure how early the social signal was.
    """

    source: str
    native_id: str
    text: str
    created_at: datetime
    url: str | None = None
    collected_at: datetime = field(default_factory=utcnow)
    kind: PostKind = "post"
    channel: str | None = None
    thread_id: str | None = None
    parent_id: str | None = None
    language: str | None = None
    score: int | None = None
    reply_count: int | None = None
    author_key: str | None = None
    author_handle: str | None = None
    author_location: str | None = None
    deleted: bool = False
    official_org: str | None = None
    synthetic: bool = False
    raw: dict[str, Any] | None = None

    @property
    def key(self) -> tuple[str, str]:
        """The identity of a post across runs and sources."""
        return (self.source, self.native_id)


@dataclass(frozen=True, slots=True)
class Label:
    """What a model, a rule set or a person says about one post.

    Model labels are never overwritten by human ones: both are kept, told apart by
    ``origin`` and ``annotator``.
    """

    source: str
    native_id: str
    is_report: bool
    p_report: float
    org: str | None = None
    services: tuple[str, ...] = ()
    service_probs: dict[str, float] = field(default_factory=dict)
    state: str | None = None
    region: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    origin: LabelOrigin = "model"
    model_version: str | None = None
    annotator: str | None = None
    labeled_at: datetime = field(default_factory=utcnow)

    @property
    def post_key(self) -> tuple[str, str]:
        """The key of the labeled post."""
        return (self.source, self.native_id)


@dataclass(frozen=True, slots=True)
class CountRow:
    """Reports in one 5-minute bin of one series (organization x service x region x source)."""

    org: str
    service: str
    region: str
    source: str
    bin_start: datetime
    posts: int
    authors: int


@dataclass(slots=True)
class Incident:
    """An outage the detector believes in, with the evidence behind it."""

    org: str
    opened_at: datetime
    updated_at: datetime
    status: IncidentStatus = "open"
    level: EvidenceLevel = "possible"
    services: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    peak: float = 0.0
    baseline: float = 0.0
    p_value: float = 1.0
    co_spikes: list[str] = field(default_factory=list)
    post_ids: list[int] = field(default_factory=list)
    resolved_at: datetime | None = None
    acknowledged_at: datetime | None = None
    ack_url: str | None = None
    lead_minutes: float | None = None
    lead_grade: str | None = None
    version: int = 1
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Alert:
    """One message about one incident update, bound for one channel through the outbox."""

    incident_id: int
    incident_version: int
    channel: str
    payload: dict[str, Any]
    id: int | None = None
    status: Literal["pending", "sent", "failed"] = "pending"
    attempts: int = 0
    created_at: datetime = field(default_factory=utcnow)


@dataclass(frozen=True, slots=True)
class CollectorRun:
    """One run of one collector, as the Sources page shows it."""

    collector: str
    started_at: datetime
    finished_at: datetime | None
    status: Literal["running", "ok", "error"]
    posts: int
    last_error: str | None = None
    id: int | None = None
