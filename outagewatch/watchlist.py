"""The watch list: which organizations to follow, what they are called, and where to look.

It is configuration (``data/watchlist.toml`` by default, any TOML file through the
``watchlist`` setting): healthcare is the default, not a limit.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from outagewatch.resources import data_path

DEFAULT_WATCHLIST = data_path("watchlist.toml")


class WatchListError(ValueError):
    """The watch list file is missing or malformed; the message says where."""


@dataclass(frozen=True, slots=True)
class Feed:
    """An RSS/Atom feed; ``official`` feeds are the organization's own status page."""

    url: str
    official: bool = False
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Org:
    """One watched organization."""

    id: str
    name: str
    kind: str = "other"
    aliases: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    regions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    subreddits: tuple[str, ...] = ()
    search_queries: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    feeds: tuple[Feed, ...] = ()


@dataclass(frozen=True, slots=True)
class WatchList:
    """All watched organizations, plus channels that follow no single organization."""

    orgs: tuple[Org, ...]
    subreddits: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    feeds: tuple[Feed, ...] = ()
    path: Path | None = None

    def org(self, org_id: str) -> Org:
        """Return the organization with this id, or raise KeyError naming the known ids."""
        for org in self.orgs:
            if org.id == org_id:
                return org
        known = ", ".join(o.id for o in self.orgs)
        raise KeyError(f"unknown organization {org_id!r}; the watch list has: {known}")

    def all_subreddits(self) -> list[str]:
        """Every subreddit to follow, each once, in watch-list order."""
        return _unique([*self.subreddits, *(s for o in self.orgs for s in o.subreddits)])

    def all_hashtags(self) -> list[str]:
        """Every hashtag to follow, each once."""
        return _unique([*self.hashtags, *(h for o in self.orgs for h in o.hashtags)])

    def all_keywords(self) -> list[str]:
        """Terms that make a post worth keeping from an unfiltered stream (Jetstream)."""
        terms = [t for o in self.orgs for t in (*o.keywords, *o.aliases, *o.domains)]
        return _unique([t.lower() for t in terms])

    def all_feeds(self) -> list[tuple[Feed, str | None]]:
        """Every feed with the organization it belongs to (None for general news feeds)."""
        pairs: list[tuple[Feed, str | None]] = [(f, None) for f in self.feeds]
        pairs += [(f, o.id) for o in self.orgs for f in o.feeds]
        return pairs


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _tuple(raw: dict, key: str) -> tuple[str, ...]:
    value = raw.get(key, ())
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _feeds(raw: list) -> tuple[Feed, ...]:
    feeds = []
    for item in raw:
        if isinstance(item, str):
            feeds.append(Feed(url=item))
        else:
            feeds.append(Feed(url=item["url"], official=bool(item.get("official", False)), name=item.get("name")))
    return tuple(feeds)


def parse_watchlist(doc: dict, path: Path | None = None) -> WatchList:
    """Build a WatchList from a parsed TOML document."""
    orgs = []
    for index, raw in enumerate(doc.get("org", [])):
        if "id" not in raw or "name" not in raw:
            raise WatchListError(f"{path or 'watch list'}: [[org]] number {index + 1} needs both 'id' and 'name'")
        orgs.append(
            Org(
                id=raw["id"],
                name=raw["name"],
                kind=raw.get("kind", "other"),
                aliases=_tuple(raw, "aliases"),
                handles=_tuple(raw, "handles"),
                domains=_tuple(raw, "domains"),
                ambiguous=_tuple(raw, "ambiguous"),
                regions={name: tuple(states) for name, states in raw.get("regions", {}).items()},
                subreddits=_tuple(raw, "subreddits"),
                search_queries=_tuple(raw, "search_queries"),
                hashtags=_tuple(raw, "hashtags"),
                keywords=_tuple(raw, "keywords"),
                feeds=_feeds(raw.get("feeds", [])),
            )
        )
    ids = [o.id for o in orgs]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise WatchListError(f"{path or 'watch list'}: organization ids must be unique, repeated: {duplicates}")
    general = doc.get("general", {})
    return WatchList(
        orgs=tuple(orgs),
        subreddits=_tuple(general, "subreddits"),
        hashtags=_tuple(general, "hashtags"),
        feeds=_feeds(general.get("feeds", [])),
        path=path,
    )


@cache
def load_watchlist(path: Path | str | None = None) -> WatchList:
    """Read a watch list file (the shipped default when ``path`` is None)."""
    file = Path(path) if path else DEFAULT_WATCHLIST
    try:
        doc = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WatchListError(f"watch list {file} not found; set OUTAGEWATCH_WATCHLIST to a TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise WatchListError(f"watch list {file} is not valid TOML: {exc}") from None
    return parse_watchlist(doc, file)
