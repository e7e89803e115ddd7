"""The database schema, one SQLAlchemy Core table per record kind; Alembic migrations mirror it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-increments a plain INTEGER primary key.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator):
    """A timestamp that is always UTC-aware in Python, whatever the dialect stores."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given to the store; every timestamp must be UTC-aware")
        value = value.astimezone(UTC)
        # SQLite keeps text: store a naive UTC value so lexical order is time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


posts = Table(
    "posts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(32), nullable=False),
    Column("native_id", String(200), nullable=False),
    Column("url", Text),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("collected_at", UTCDateTime, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("channel", String(200)),
    Column("thread_id", String(200)),
    Column("parent_id", String(200)),
    Column("language", String(16)),
    Column("score", Integer),
    Column("reply_count", Integer),
    Column("author_key", String(64)),
    Column("author_handle", String(200)),
    Column("author_location", String(200)),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("official_org", String(64)),
    Column("synthetic", Boolean, nullable=False, default=False),
    Column("raw", JSON),
    UniqueConstraint("source", "native_id"),
    Index(None, "created_at"),
    Index(None, "collected_at"),
    Index(None, "official_org"),
)

labels = Table(
    "labels",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("post_id", Id, ForeignKey("posts.id", ondelete="CASCADE"), nullable=False),
    Column("origin", String(8), nullable=False),  # model | rules | human
    Column("labeler", String(100), nullable=False),  # model version, or annotator
    Column("is_report", Boolean, nullable=False),
    Column("p_report", Float, nullable=False),
    Column("org", String(64)),
    Column("services", JSON, nullable=False),
    Column("service_probs", JSON, nullable=False),
    Column("state", String(2)),
    Column("region", String(100)),
    Column("evidence", JSON, nullable=False),
    Column("labeled_at", UTCDateTime, nullable=False),
    UniqueConstraint("post_id", "origin", "labeler"),
    Index(None, "org", "is_report"),
    Index(None, "labeler"),
)

collector_state = Table(
    "collector_state",
    metadata,
    Column("collector", String(100), primary_key=True),
    Column("state", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

collector_runs = Table(
    "collector_runs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("collector", String(100), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(16), nullable=False),  # running | ok | error
    Column("posts", Integer, nullable=False, default=0),
    Column("batches", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Index(None, "collector", "started_at"),
)

# Reports per 5-minute bin of one series; "*" in org/service/region/source is the total over it.
counts = Table(
    "counts",
    metadata,
    Column("org", String(64), primary_key=True),
    Column("service", String(32), primary_key=True),
    Column("region", String(100), primary_key=True),
    Column("source", String(32), primary_key=True),
    Column("bin_start", UTCDateTime, primary_key=True),
    Column("posts", Integer, nullable=False),
    Column("authors", Integer, nullable=False),
    Index(None, "bin_start"),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("org", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # open | resolved
    Column("level", String(16), nullable=False),  # possible | likely | confirmed
    Column("opened_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("resolved_at", UTCDateTime),
    Column("services", JSON, nullable=False),
    Column("regions", JSON, nullable=False),
    Column("peak", Float, nullable=False),
    Column("baseline", Float, nullable=False),
    Column("p_value", Float, nullable=False),
    Column("co_spikes", JSON, nullable=False),
    Column("acknowledged_at", UTCDateTime),
    Column("ack_url", Text),
    Column("lead_minutes", Float),
    Column("lead_grade", String(1)),
    Column("version", Integer, nullable=False, default=1),
    Column("details", JSON),
    Index(None, "org", "status"),
    Index(None, "opened_at"),
)

incident_posts = Table(
    "incident_posts",
    metadata,
    Column("incident_id", Id, ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("post_id", Id, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
)

alert_outbox = Table(
    "alert_outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("incident_id", Id, ForeignKey("incidents.id", ondelete="CASCADE"), nullable=False),
    Column("incident_version", Integer, nullable=False),
    Column("channel", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # pending | sending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("incident_id", "incident_version", "channel"),
    Index(None, "status", "next_attempt_at"),
)

# The detector's learned state per series, so the live path resumes where it stopped.
detector_state = Table(
    "detector_state",
    metadata,
    Column("series", String(300), primary_key=True),
    Column("last_bin", UTCDateTime, nullable=False),
    Column("state", JSON, nullable=False),
)
