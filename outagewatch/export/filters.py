"""What to export: the researcher's query, validated once and recorded verbatim in the manifest."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from outagewatch.models import SERVICES, ensure_utc

LabelSource = Literal["model", "human", "both"]
FORMATS: tuple[str, ...] = ("csv", "parquet", "jsonl", "ids")
LABEL_SOURCES: tuple[str, ...] = ("model", "human", "both")


class ExportQueryError(ValueError):
    """The export options contradict each other; the message names the option to change."""


@dataclass(frozen=True, slots=True)
class ExportFilters:
    """Which posts to export. Time bounds are half-open (``since <= t < until``), all UTC.

    ``posted_*`` bound when the author posted (created_at); ``collected_*`` bound when we
    fetched it (archives are collected long after posting, so the two differ).
    """

    posted_since: datetime | None = None
    posted_until: datetime | None = None
    collected_since: datetime | None = None
    collected_until: datetime | None = None
    org: str | None = None
    service: str | None = None
    region: str | None = None
    source: str | None = None
    reports_only: bool = False
    min_confidence: float | None = None
    label_source: LabelSource = "model"

    def __post_init__(self) -> None:
        for name in ("posted_since", "posted_until", "collected_since", "collected_until"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, ensure_utc(value))
        self.validate()

    def validate(self) -> None:
        """Refuse options that would silently export nothing or mean something else."""
        if self.label_source not in LABEL_SOURCES:
            raise ExportQueryError(
                f"--label-source must be one of {', '.join(LABEL_SOURCES)}, not {self.label_source!r}"
            )
        if self.service is not None and self.service not in SERVICES:
            raise ExportQueryError(f"--service must be one of {', '.join(SERVICES)}, not {self.service!r}")
        if self.min_confidence is not None and not 0.0 <= self.min_confidence <= 1.0:
            raise ExportQueryError(f"--min-confidence must be between 0 and 1, not {self.min_confidence}")
        for kind in ("posted", "collected"):
            since, until = getattr(self, f"{kind}_since"), getattr(self, f"{kind}_until")
            if since is not None and until is not None and since >= until:
                raise ExportQueryError(f"--{kind}-since ({since:%Y-%m-%d %H:%M}) must be before --{kind}-until")

    def to_dict(self) -> dict[str, Any]:
        """The filters as JSON-ready values (times as ISO 8601 UTC), for the manifest and the card."""
        out = asdict(self)
        return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in out.items()}


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """How to write the export: format, privacy options and split fractions."""

    format: str = "parquet"
    pseudonymise: bool = True
    scrub_mentions: bool = False
    scrub_urls: bool = False
    split_fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
    chunk_size: int = 5000
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ExportQueryError(f"--format must be one of {', '.join(FORMATS)}, not {self.format!r}")
        fractions = tuple(float(f) for f in self.split_fractions)
        if len(fractions) != 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-6:
            raise ExportQueryError(f"split fractions must be three non-negative numbers summing to 1, not {fractions}")
        object.__setattr__(self, "split_fractions", fractions)
        if self.chunk_size < 1:
            raise ExportQueryError("chunk size must be at least 1")

    def to_dict(self) -> dict[str, Any]:
        """The options as JSON-ready values, for the manifest."""
        out = asdict(self)
        out["split_fractions"] = list(self.split_fractions)
        return out
