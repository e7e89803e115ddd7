"""Name -> collector class. Adding a source is one module and one line here.

Importing this module is cheap: each collector imports its client library (praw, atproto,
Mastodon.py, feedparser) only when it runs.
"""

from __future__ import annotations

from collectors.base import Collector
from collectors.bluesky import BlueskySearchCollector
from collectors.jetstream import JetstreamCollector
from collectors.mastodon import MastodonCollector
from collectors.reddit import RedditCollector
from collectors.rss import RssCollector

REGISTRY: dict[str, type[Collector]] = {
    "reddit": RedditCollector,
    "jetstream": JetstreamCollector,
    "bluesky": BlueskySearchCollector,
    "mastodon": MastodonCollector,
    "rss": RssCollector,
}


def get(name: str) -> type[Collector]:
    """The collector class called ``name``; the error lists the known names."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known sources: {', '.join(REGISTRY)}") from None
