"""The collector contract: typed errors, batches with resume points, backoff, and the registry.

A collector turns one public source into plain ``Post`` records. It never touches the database
and does no I/O in ``__init__``, so it can be built from settings cheaply and tested against the
replay server; the runner owns transactions and run records.
"""

from __future__ import annotations

import random
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from outagewatch.config import ConfigError
from outagewatch.models import Post

if TYPE_CHECKING:
    from outagewatch.config import Settings
    from outagewatch.watchlist import WatchList

__all__ = [
    "Batch",
    "Collector",
    "ConfigError",
    "RateLimited",
    "SourceUnavailable",
    "backoff_delay",
    "from_epoch",
    "keyword_matcher",
    "parse_time",
]


class Batch(NamedTuple):
    """Posts plus the resume point reached once they are stored (saved in the same transaction)."""

    posts: list[Post]
    state: dict[str, Any]


class RateLimited(Exception):
    """The source asked us to slow down; ``retry_after`` is in seconds (None when unknown)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SourceUnavailable(Exception):
    """The source failed (server error, timeout, bad payload); the next run resumes from saved state."""


class Collector(ABC):
    """One source. Subclasses set ``name`` and implement ``collect`` and ``from_settings``."""

    name: ClassVar[str]

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.recovered: list[str] = []

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings, watchlist: WatchList) -> Collector:
        """Build from the effective settings; raises ConfigError naming flag, env var and file key."""

    @abstractmethod
    def collect(self, state: dict[str, Any] | None) -> Iterator[Batch]:
        """Yield batches from ``state`` (None on the first run) onwards."""

    def problem(self, message: str) -> None:
        """Remember a failure that did not stop the run (another channel may still work)."""
        self.problems.append(message)

    def raise_problems(self) -> None:
        """End a run that kept going past failures: the runner records it as an error."""
        if self.problems:
            raise SourceUnavailable("; ".join(self.problems[:5]) + (" ..." if len(self.problems) > 5 else ""))


class ClientErrors(ABC):
    """A ``with`` block that turns a client library's exceptions into RateLimited/SourceUnavailable.

    Subclasses implement ``translate``: raise the collector error for ``exc``, or return to let it
    propagate unchanged. ``where`` names the call in the message ("r/x new", "searchPosts").
    """

    def __init__(self, where: str) -> None:
        self.where = where

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        if exc is not None:
            self.translate(exc)
        return False

    @abstractmethod
    def translate(self, exc: BaseException) -> None:
        """Raise the collector error that ``exc`` means (chained to it), or return."""


def backoff_delay(attempt: int, base: float = 1.0, cap: float = 60.0) -> float:
    """Exponential backoff with full jitter, so restarted collectors do not retry in lockstep."""
    return random.uniform(0, min(cap, base * 2 ** max(0, attempt)))


def from_epoch(seconds: float | int | str) -> datetime:
    """A UTC datetime from Unix seconds (Reddit's created_utc may be a float or a string)."""
    return datetime.fromtimestamp(float(seconds), UTC)


def parse_time(value: str | int | float | datetime) -> datetime:
    """Parse ISO-8601 (with Z) or Unix seconds into a UTC-aware datetime; naive means UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float) or (isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value.strip())):
        return from_epoch(value)
    text = str(value).strip().replace("Z", "+00:00")
    if " " in text and "T" not in text:
        text = text.replace(" ", "T", 1)
    parsed = datetime.fromisoformat(text)
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def keyword_matcher(keywords: Iterable[str]) -> re.Pattern[str] | None:
    """A case-insensitive whole-word pattern, so 'kp' does not match 'kpop' (None: keep everything)."""
    words = sorted({k.strip().lower() for k in keywords if k.strip()}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE)


def require(settings: Settings, *names: str) -> list[Any]:
    """Settings.require for several names; the ConfigError names the flag, env var and file key."""
    return [settings.require(n) for n in names]
