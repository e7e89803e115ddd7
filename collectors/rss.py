"""RSS/Atom news feeds and official status pages, fetched with httpx and parsed by feedparser.

feedparser's own fetching has no timeout (offline-clients.md §4), so bytes are fetched here and
parsed from memory. Entries of a feed marked ``official`` become ``kind="status"`` posts with
``official_org`` set: the organization's own acknowledgment, used to measure lead time.
A truncated feed keeps its good entries but the run is recorded as an error, and its ETag is
not saved so the next run reads it whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from collectors.base import Batch, Collector, RateLimited, SourceUnavailable
from collectors.mastodon import html_text
from outagewatch.models import Post, utcnow

if TYPE_CHECKING:
    from outagewatch.config import Settings
    from outagewatch.watchlist import WatchList


def _entry_time(entry: Any) -> datetime:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return datetime(*value[:6], tzinfo=UTC)
    return utcnow()


def entry_to_post(entry: Any, feed_url: str, org: str | None, official: bool) -> Post | None:
    """A feed entry as a Post keyed on its link (Atom ids and RSS guids differ for one incident)."""
    key = entry.get("link") or entry.get("id")
    if not key:
        return None
    body = entry.get("summary") or ""
    if entry.get("content"):
        body = entry["content"][0].get("value", body)
    title = entry.get("title", "")
    return Post(
        source="rss",
        native_id=key,
        text="\n\n".join(p for p in (title, html_text(body)) if p),
        created_at=_entry_time(entry),
        url=entry.get("link"),
        kind="status" if official else "article",
        channel=feed_url,
        official_org=org if official else None,
    )


class RssCollector(Collector):
    """Every feed of the watch list, with ETag/Last-Modified state per feed URL."""

    name = "rss"

    def __init__(self, feeds: list[tuple[str, str | None, bool]], *, timeout: float = 20.0) -> None:
        super().__init__()
        self.feeds = list(feeds)  # (url, org id or None, official)
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings, watchlist: WatchList) -> RssCollector:
        feeds = [(f.url, org, f.official) for f, org in watchlist.all_feeds()]
        return cls(feeds, timeout=settings.get("http_timeout"))

    def collect(self, state: dict[str, Any] | None) -> Iterator[Batch]:
        import httpx

        state = dict(state or {})
        self.problems = []
        with httpx.Client(timeout=self.timeout, follow_redirects=True) as http:
            for url, org, official in self.feeds:
                try:
                    yield from self._feed(http, state, url, org, official)
                except SourceUnavailable as exc:
                    self.problem(f"{url}: {exc}")
        self.raise_problems()

    def _feed(self, http: Any, state: dict[str, Any], url: str, org: str | None, official: bool) -> Iterator[Batch]:
        import feedparser
        import httpx

        saved = state.get(url) or {}
        headers = {"User-Agent": "outagewatch/0.1 (+status feed reader)"}
        if saved.get("etag"):
            headers["If-None-Match"] = saved["etag"]
        if saved.get("modified"):
            headers["If-Modified-Since"] = saved["modified"]
        try:
            resp = http.get(url, headers=headers)
        except httpx.HTTPError as exc:
            raise SourceUnavailable(f"{type(exc).__name__}: {exc or 'no answer'}") from exc
        if resp.status_code == 304:
            return
        if resp.status_code == 429:
            retry = resp.headers.get("Retry-After")
            raise RateLimited(f"feed {url}: HTTP 429", float(retry) if retry and retry.isdigit() else None)
        if resp.status_code >= 400:
            raise SourceUnavailable(f"HTTP {resp.status_code}")
        parsed = feedparser.parse(resp.content, response_headers=dict(resp.headers))
        entries = list(parsed.entries)
        if parsed.bozo and entries:
            entries.pop()  # the entry the document broke off in may be cut short; the next run reads it whole
        posts = {}
        for entry in entries:
            post = entry_to_post(entry, url, org, official)
            if post is not None:
                posts.setdefault(post.native_id, post)
        if parsed.bozo:
            # keep what parsed, but do not save validators: the next run must read the whole feed
            yield Batch(list(posts.values()), dict(state))
            raise SourceUnavailable(f"broken feed ({parsed.bozo_exception}); kept {len(posts)} entries")
        state[url] = {
            k: v for k, v in (("etag", resp.headers.get("ETag")), ("modified", resp.headers.get("Last-Modified"))) if v
        }
        yield Batch(list(posts.values()), dict(state))
