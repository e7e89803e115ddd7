"""Mastodon through Mastodon.py: hashtag timelines and status search on configured instances.

State per instance and hashtag (or query) is the newest status id stored. Later runs page
*forward* with ``min_id`` (the page just above the cursor), so the cursor can move after
every stored page and a crash re-reads at most one page.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from collectors.base import Batch, Collector, RateLimited, SourceUnavailable, parse_time
from outagewatch.models import Post

if TYPE_CHECKING:
    from outagewatch.config import Settings
    from outagewatch.watchlist import WatchList

TAG_RE = re.compile(r"<[^>]+>")
BREAK_RE = re.compile(r"</p>|<br\s*/?>", re.IGNORECASE)


def html_text(content: str) -> str:
    """Plain text of a status' HTML content (paragraphs and line breaks become newlines)."""
    return html.unescape(TAG_RE.sub("", BREAK_RE.sub("\n", content or ""))).strip()


def status_to_post(status: Any, channel: str) -> Post:
    """A Mastodon status (dict-like entity from Mastodon.py) as a plain Post."""
    account = status.get("account") or {}
    created = status["created_at"]
    spoiler = status.get("spoiler_text") or ""
    text = html_text(status.get("content", ""))
    return Post(
        source="mastodon",
        native_id=str(status.get("uri") or status["id"]),
        text=f"{spoiler}\n\n{text}" if spoiler else text,
        created_at=parse_time(created),
        url=status.get("url"),
        kind="reply" if status.get("in_reply_to_id") else "status",
        channel=channel,
        parent_id=str(status["in_reply_to_id"]) if status.get("in_reply_to_id") else None,
        language=status.get("language"),
        score=status.get("favourites_count"),
        reply_count=status.get("replies_count"),
        author_handle=account.get("acct"),
    )


class MastodonCollector(Collector):
    """Hashtag timelines (public) and status search (needs a token) on each instance."""

    name = "mastodon"

    def __init__(
        self,
        instances: list[str],
        *,
        hashtags: list[str],
        queries: list[str] = (),  # type: ignore[assignment]
        access_token: str | None = None,
        timeout: float = 20.0,
        page_size: int = 40,
        max_pages: int = 25,
    ) -> None:
        super().__init__()
        self.instances = [i.rstrip("/") for i in instances]
        self.hashtags, self.queries, self.access_token = list(hashtags), list(queries), access_token
        self.timeout, self.page_size, self.max_pages = timeout, page_size, max_pages

    @classmethod
    def from_settings(cls, settings: Settings, watchlist: WatchList) -> MastodonCollector:
        raw = settings.require("mastodon_instances")
        instances = [i.strip() for i in str(raw).split(",") if i.strip()]
        bad = [i for i in instances if not i.startswith(("http://", "https://"))]
        if bad:
            from outagewatch.config import ConfigError

            raise ConfigError(
                f"mastodon_instances needs full URLs with a scheme, got {bad}; "
                "set OUTAGEWATCH_MASTODON_INSTANCES=https://mastodon.social,... (flag --mastodon-instances)."
            )
        token = settings.get("mastodon_access_token")
        queries = list(dict.fromkeys(q for o in watchlist.orgs for q in o.search_queries)) if token else []
        return cls(
            instances, hashtags=watchlist.all_hashtags(), queries=queries, access_token=token,
            timeout=settings.get("http_timeout"),
        )  # fmt: skip

    def _client(self, instance: str) -> Any:
        from mastodon import Mastodon

        return Mastodon(
            api_base_url=instance,
            access_token=self.access_token,
            ratelimit_method="throw",
            request_timeout=self.timeout,
        )

    def collect(self, state: dict[str, Any] | None) -> Iterator[Batch]:
        state = dict(state or {})
        self.problems = []
        for instance in self.instances:
            client = self._client(instance)
            for tag in self.hashtags:
                fetch = partial(_tag_page, client, tag, self.page_size)
                yield from self._guarded(state, f"{instance}|tag:{tag}", f"#{tag}", fetch)
            for q in self.queries:
                fetch = partial(_search_page, client, q, self.page_size)
                yield from self._guarded(state, f"{instance}|search:{q}", f"search:{q}", fetch)
        self.raise_problems()

    def _guarded(self, state: dict[str, Any], key: str, channel: str, fetch: Any) -> Iterator[Batch]:
        try:
            yield from self._channel(state, key, channel, fetch)
        except SourceUnavailable as exc:
            self.problem(f"{key}: {exc}")

    def _channel(self, state: dict[str, Any], key: str, channel: str, fetch: Any) -> Iterator[Batch]:
        """First run: the newest page only. Later runs: forward pages above the saved id."""
        cursor = state.get(key)
        for _ in range(self.max_pages):
            page = _call(key, fetch, cursor)
            if not page:
                break
            posts = [status_to_post(s, channel) for s in page]
            newest = max((str(s["id"]) for s in page), key=_id_order)
            cursor = newest if cursor is None else max(cursor, newest, key=_id_order)
            state[key] = cursor
            yield Batch(posts, dict(state))
            if len(page) < self.page_size:
                break
        if key not in state:
            state[key] = "0" if cursor is None else cursor
            yield Batch([], dict(state))


def _tag_page(client: Any, tag: str, limit: int, min_id: str | None) -> Any:
    return client.timeline_hashtag(tag, min_id=min_id, limit=limit)


def _search_page(client: Any, query: str, limit: int, min_id: str | None) -> Any:
    return client.search_v2(query, result_type="statuses", min_id=min_id, limit=limit)["statuses"]


def _id_order(value: str) -> tuple[int, str]:
    """Snowflake ids compare as integers (longer is newer); other ids compare as text."""
    return (int(value), "") if value.isdigit() else (0, value)


def _call(key: str, fetch: Any, cursor: str | None) -> list[Any]:
    """One API call, with Mastodon.py errors mapped to collector errors."""
    from mastodon import errors

    try:
        return list(fetch(cursor) or [])
    except errors.MastodonRatelimitError as exc:
        raise RateLimited(f"Mastodon {key}: HTTP 429", None) from exc
    except errors.MastodonError as exc:
        raise SourceUnavailable(f"{type(exc).__name__}: {exc}") from exc
