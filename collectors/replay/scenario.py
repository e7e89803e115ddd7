"""A replay scenario: posts on a timeline, feeds, and a clock that releases posts progressively.

Format (a folder):
  posts.jsonl     one post per line: {"source": "reddit"|"bluesky"|"mastodon"|"rss", "id", "text",
                  "created_at" (ISO or Unix s), "channel" (subreddit, hashtag, feed name),
                  "author", "title"?, "kind"? ("submission"|"comment"), "parent"?, "lang"?,
                  "location"?, "deleted_at"? (the post is deleted at that time)}
  feeds/*.xml     RSS/Atom documents served verbatim at /feeds/<file name>
  watchlist.toml  optional; "{base_url}" is replaced by the server's URL when it starts
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from collectors.base import parse_time
from outagewatch.models import utcnow


@dataclass(frozen=True, slots=True)
class ScenarioPost:
    """One post of a scenario, in source-neutral terms; payloads.py renders it per API."""

    source: str
    id: str
    text: str
    created_at: datetime
    channel: str
    author: str
    seq: int
    title: str | None = None
    kind: str | None = None
    parent: str | None = None
    lang: str | None = None
    location: str | None = None
    deleted_at: datetime | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any], seq: int) -> ScenarioPost:
        return cls(
            source=str(raw["source"]),
            id=str(raw["id"]),
            text=str(raw.get("text", "")),
            created_at=parse_time(raw["created_at"]),
            channel=str(raw.get("channel", "")),
            author=str(raw.get("author") or "someone"),
            seq=seq,
            title=raw.get("title"),
            kind=raw.get("kind"),
            parent=raw.get("parent"),
            lang=raw.get("lang"),
            location=raw.get("location"),
            deleted_at=parse_time(raw["deleted_at"]) if raw.get("deleted_at") else None,
        )


@dataclass
class Clock:
    """Scenario time. ``now=None`` releases everything; otherwise only posts created <= now."""

    now: datetime | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self) -> datetime | None:
        with self.lock:
            return self.now

    def set(self, when: datetime | None) -> None:
        with self.lock:
            self.now = when

    def advance(self, seconds: float) -> datetime:
        from datetime import timedelta

        with self.lock:
            self.now = (self.now or utcnow()) + timedelta(seconds=seconds)
            return self.now


class Scenario:
    """Posts and feeds, plus the clock deciding which of them exist yet."""

    def __init__(self, posts: list[ScenarioPost], feeds: dict[str, bytes] | None = None, root: Path | None = None):
        self.posts = sorted(posts, key=lambda p: (p.created_at, p.seq))
        self.feeds = dict(feeds or {})
        self.root = root
        self.clock = Clock()
        self.lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path | str) -> Scenario:
        """Read a scenario folder; a bad line fails with its line number."""
        root = Path(folder)
        posts: list[ScenarioPost] = []
        file = root / "posts.jsonl"
        if file.is_file():
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    try:
                        posts.append(ScenarioPost.from_dict(json.loads(line), number))
                    except (ValueError, KeyError) as exc:
                        raise ValueError(f"{file}:{number}: bad scenario post ({exc}); see scenario.py") from None
        feeds = {p.name: p.read_bytes() for p in sorted((root / "feeds").glob("*")) if p.is_file()}
        return cls(posts, feeds, root)

    def add(self, raw: dict[str, Any]) -> ScenarioPost:
        """Add a post while serving (tests use it to make new posts appear)."""
        with self.lock:
            post = ScenarioPost.from_dict(raw, len(self.posts) + 1)
            self.posts = sorted([*self.posts, post], key=lambda p: (p.created_at, p.seq))
            return post

    def visible(self, source: str, channel: str | None = None) -> list[ScenarioPost]:
        """Posts of ``source`` (and ``channel``, case-insensitive) released by the clock, newest first."""
        now = self.clock.read()
        with self.lock:
            posts = list(self.posts)
        out = [
            p
            for p in posts
            if p.source == source
            and (now is None or p.created_at <= now)
            and (channel is None or p.channel.lower() == channel.lower())
        ]
        return out[::-1]

    def is_deleted(self, post: ScenarioPost) -> bool:
        """Whether the clock has passed the post's deletion time."""
        now = self.clock.read()
        return post.deleted_at is not None and (now is None or post.deleted_at <= now)

    def watchlist_text(self, base_url: str) -> str | None:
        """The scenario's watch list with {base_url} filled in, if it has one."""
        if self.root is None or not (self.root / "watchlist.toml").is_file():
            return None
        return (self.root / "watchlist.toml").read_text(encoding="utf-8").replace("{base_url}", base_url)
