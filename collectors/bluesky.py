"""Bluesky search through the atproto SDK: authenticated ``searchPosts`` for a time window.

Bluesky disabled anonymous search in 2025, so this logs in with an app password. The client is
pinned to the configured base URL: a ``didDoc`` in the session answer pointing elsewhere is
refused rather than followed (offline-clients.md §2), so no request leaves for a public host.
State per query is the newest ``indexedAt`` seen; each run asks ``since`` that (inclusive).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from collectors.base import (
    Batch,
    ClientErrors,
    Collector,
    RateLimited,
    SourceUnavailable,
    from_epoch,
    parse_time,
    require,
)
from outagewatch.models import Post

if TYPE_CHECKING:
    from outagewatch.config import Settings
    from outagewatch.watchlist import WatchList


def post_url(uri: str) -> str | None:
    """The bsky.app link of an ``at://did/app.bsky.feed.post/rkey`` URI."""
    parts = uri.removeprefix("at://").split("/")
    return f"https://bsky.app/profile/{parts[0]}/post/{parts[2]}" if len(parts) == 3 else None


def record_to_post(
    uri: str, record: dict[str, Any], *, handle: str | None, channel: str, fallback_us: int | None = None, **extra: Any
) -> Post:
    """An ``app.bsky.feed.post`` record as a Post (shared by Jetstream, search and archives)."""
    try:
        created = parse_time(record["createdAt"])
    except (KeyError, ValueError):
        created = from_epoch((fallback_us or 0) / 1_000_000)
    reply = record.get("reply") or {}
    langs = record.get("langs") or []
    return Post(
        source="bluesky",
        native_id=uri,
        text=str(record.get("text", "")),
        created_at=created,
        url=post_url(uri),
        kind="reply" if reply else "post",
        channel=channel,
        thread_id=(reply.get("root") or {}).get("uri"),
        parent_id=(reply.get("parent") or {}).get("uri"),
        language=langs[0] if langs else None,
        author_handle=handle,
        **extra,
    )


class BlueskySearchCollector(Collector):
    """``app.bsky.feed.searchPosts`` per query, paginated by cursor, windowed by since/until."""

    name = "bluesky"

    def __init__(
        self,
        base_url: str,
        handle: str,
        app_password: str,
        *,
        queries: list[str],
        since: datetime | None = None,
        until: datetime | None = None,
        timeout: float = 20.0,
        page_size: int = 100,
        max_pages: int = 50,
    ) -> None:
        super().__init__()
        self.base_url, self.handle, self.app_password = base_url.rstrip("/"), handle, app_password
        self.queries, self.since, self.until = list(queries), since, until
        self.timeout, self.page_size, self.max_pages = timeout, page_size, max_pages

    @classmethod
    def from_settings(cls, settings: Settings, watchlist: WatchList) -> BlueskySearchCollector:
        handle, password = require(settings, "bluesky_handle", "bluesky_app_password")
        queries = list(dict.fromkeys(q for o in watchlist.orgs for q in o.search_queries))
        return cls(
            settings.get("bluesky_base_url"), handle, password, queries=queries, timeout=settings.get("http_timeout")
        )

    def _client(self) -> Any:
        from atproto import Client
        from atproto_client.request import Request

        client = Client(base_url=self.base_url, request=Request(timeout=self.timeout))
        with _mapped_errors("createSession"):
            client.login(self.handle, self.app_password, fetch_bsky_profile=False)
        if client._base_url.rstrip("/") != self.base_url + "/xrpc":
            raise SourceUnavailable(
                f"the Bluesky session points at {client._base_url}, not the configured {self.base_url}; "
                "refusing to follow it. Set OUTAGEWATCH_BLUESKY_BASE_URL to the PDS you mean to use."
            )
        return client

    def collect(self, state: dict[str, Any] | None) -> Iterator[Batch]:
        state = dict(state or {})
        self.problems = []
        client = self._client()
        for query in self.queries:
            try:
                yield from self._query(client, state, query)
            except SourceUnavailable as exc:
                self.problem(f"search {query!r}: {exc}")
        self.raise_problems()

    def _query(self, client: Any, state: dict[str, Any], query: str) -> Iterator[Batch]:
        since = state.get(query) or (self.since.isoformat() if self.since else None)
        newest = since
        cursor = None
        for _ in range(self.max_pages):
            params: dict[str, Any] = {"q": query, "sort": "latest", "limit": self.page_size}
            params.update({k: v for k, v in (("since", since), ("cursor", cursor)) if v})
            if self.until:
                params["until"] = self.until.isoformat()
            with _mapped_errors(f"searchPosts q={query!r}"):
                page = client.app.bsky.feed.search_posts(params)
            posts = []
            for view in page.posts:
                record = view.record.model_dump(by_alias=True, exclude_none=True)
                posts.append(record_to_post(view.uri, record, handle=view.author.handle, channel=f"search:{query}"))
                stamp = parse_time(view.indexed_at).isoformat()
                newest = stamp if newest is None or parse_time(stamp) > parse_time(newest) else newest
            yield Batch(posts, dict(state))
            cursor = page.cursor
            if not cursor or not page.posts:
                break
        state[query] = newest
        yield Batch([], dict(state))


class _mapped_errors(ClientErrors):
    """Translate atproto errors (and its plain ValueError on broken JSON) into collector errors."""

    def translate(self, exc: BaseException) -> None:
        from atproto_client import exceptions as ex

        if isinstance(exc, ex.RateLimitExceededError):
            headers = getattr(getattr(exc, "response", None), "headers", None) or {}
            reset = headers.get("ratelimit-reset") or headers.get("retry-after")
            retry = None
            if reset:
                value = float(reset)
                retry = max(0.0, value - from_epoch(0).timestamp() - _now()) if value > 1e9 else value
            raise RateLimited(f"Bluesky {self.where}: HTTP 429", retry) from exc
        if isinstance(exc, ex.AtProtocolError):
            raise SourceUnavailable(f"Bluesky {self.where}: {type(exc).__name__}: {exc}") from exc
        if isinstance(exc, ValueError):
            raise SourceUnavailable(f"Bluesky {self.where}: malformed response ({exc})") from exc


def _now() -> float:
    import time

    return time.time()
