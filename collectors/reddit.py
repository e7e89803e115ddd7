"""Reddit through praw: new submissions and comments of watched subreddits, plus search queries.

Read-only app credentials (client id + secret). State per channel is the newest ``created_utc``
seen; listings are read newest-first down to that (inclusive) cursor, so a crash mid-way
only re-reads pages, and the cursor moves once every newer page is stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from collectors.base import Batch, ClientErrors, Collector, RateLimited, SourceUnavailable, from_epoch, require
from outagewatch.models import Post

if TYPE_CHECKING:
    from outagewatch.config import Settings
    from outagewatch.watchlist import WatchList

DELETED_BODIES = {"[deleted]", "[removed]"}
RECHECK = 100  # fullnames re-read through /api/info/ each run to notice deletions


def _name(obj: Any) -> str | None:
    """The name of a praw Redditor/Subreddit without triggering a lazy fetch."""
    if obj is None or isinstance(obj, str):
        return obj
    data = vars(obj)
    return data.get("name") or data.get("display_name")


def to_post(thing: Any, channel: str) -> Post:
    """Map a praw Submission/Comment to a Post, reading only fields already fetched (vars)."""
    d = vars(thing)
    author = _name(d.get("author"))
    is_comment = "body" in d
    body = d.get("body", "") if is_comment else d.get("selftext", "")
    text = body if is_comment else "\n\n".join(p for p in (d.get("title", ""), body) if p)
    deleted = author is None or body in DELETED_BODIES
    permalink = d.get("permalink")
    return Post(
        source="reddit",
        native_id=d["name"],
        text=text,
        created_at=from_epoch(d["created_utc"]),
        url=f"https://www.reddit.com{permalink}" if permalink else None,
        kind="comment" if is_comment else "submission",
        channel=channel,
        thread_id=d.get("link_id") if is_comment else d["name"],
        parent_id=d.get("parent_id"),
        score=d.get("score"),
        reply_count=d.get("num_comments") if not is_comment else None,
        author_handle=author,
        deleted=deleted,
    )


class RedditCollector(Collector):
    """Subreddit /new and /comments plus searches, through the real praw client."""

    name = "reddit"

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        user_agent: str,
        *,
        subreddits: list[str],
        queries: list[str] = (),  # type: ignore[assignment]
        base_url: str = "https://oauth.reddit.com",
        auth_url: str = "https://www.reddit.com",
        timeout: float = 20.0,
        batch_size: int = 100,
        max_items: int = 1000,
    ) -> None:
        super().__init__()
        self.client_id, self.client_secret, self.user_agent = client_id, client_secret, user_agent
        self.subreddits, self.queries = list(subreddits), list(queries)
        self.base_url, self.auth_url = base_url.rstrip("/") + "/", auth_url.rstrip("/")
        self.timeout, self.batch_size, self.max_items = timeout, batch_size, max_items

    @classmethod
    def from_settings(cls, settings: Settings, watchlist: WatchList) -> RedditCollector:
        cid, secret = require(settings, "reddit_client_id", "reddit_client_secret")
        return cls(
            cid,
            secret,
            settings.get("reddit_user_agent"),
            subreddits=watchlist.all_subreddits(),
            queries=list(dict.fromkeys(q for o in watchlist.orgs for q in o.search_queries)),
            base_url=settings.get("reddit_base_url"),
            auth_url=settings.get("reddit_auth_url"),
            timeout=settings.get("http_timeout"),
        )

    def _client(self) -> Any:
        import praw
        import prawcore

        forced = self.timeout

        class Requestor(prawcore.Requestor):
            """praw never passes its timeout setting down (offline-clients.md §1): force ours."""

            def request(self, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
                return super().request(*args, timeout=forced, **kwargs)

        return praw.Reddit(
            client_id=self.client_id,
            client_secret=self.client_secret,
            user_agent=self.user_agent,
            oauth_url=self.base_url,
            reddit_url=self.auth_url,
            short_url=self.auth_url,
            check_for_updates=False,
            requestor_class=Requestor,
        )

    def _listings(self, reddit: Any) -> list[tuple[str, str, Any]]:
        """(state key, channel, zero-arg listing factory) for every configured channel."""
        out = []
        for sub in self.subreddits:
            out.append((f"r/{sub}/new", sub, lambda s=sub: reddit.subreddit(s).new(limit=self.max_items)))
            out.append((f"r/{sub}/comments", sub, lambda s=sub: reddit.subreddit(s).comments(limit=self.max_items)))
        for q in self.queries:
            out.append(
                (f"search:{q}", f"search:{q}", lambda q=q: reddit.subreddit("all").search(q, sort="new", limit=100))
            )
        return out

    def collect(self, state: dict[str, Any] | None) -> Iterator[Batch]:
        state = dict(state or {})
        self.problems = []
        reddit = self._client()
        for key, channel, listing in self._listings(reddit):
            try:
                yield from self._channel(state, key, channel, listing)
            except SourceUnavailable as exc:
                self.problem(f"{key}: {exc}")
        yield from self._recheck(reddit, state)
        self.raise_problems()

    def _channel(self, state: dict[str, Any], key: str, channel: str, listing: Any) -> Iterator[Batch]:
        cursor = state.get(key)
        newest = cursor
        batch: list[Post] = []
        seen: list[str] = []
        with _mapped_errors(key):
            for thing in listing():
                created = float(vars(thing)["created_utc"])
                if cursor is not None and created < cursor:
                    break
                batch.append(to_post(thing, channel))
                seen.append(batch[-1].native_id)
                newest = created if newest is None else max(newest, created)
                if len(batch) >= self.batch_size:
                    yield Batch(batch, dict(state))
                    batch = []
        recent = seen[:RECHECK] + list(state.get("recent", []))
        state[key] = newest
        state["recent"] = list(dict.fromkeys(recent))[:RECHECK]
        yield Batch(batch, dict(state))

    def _recheck(self, reddit: Any, state: dict[str, Any]) -> Iterator[Batch]:
        """Re-read recent items by fullname so deletions after collection reach the store."""
        names = state.get("recent") or []
        if not names:
            return
        try:
            with _mapped_errors("api/info"):
                gone = [to_post(t, _name(vars(t).get("subreddit")) or "") for t in reddit.info(fullnames=names)]
        except SourceUnavailable as exc:
            self.problem(f"recheck: {exc}")
            return
        gone = [p for p in gone if p.deleted]
        if gone:
            yield Batch(gone, dict(state))


class _mapped_errors(ClientErrors):
    """Translate praw/prawcore errors into the collector error types."""

    def translate(self, exc: BaseException) -> None:
        import prawcore

        if isinstance(exc, prawcore.TooManyRequests):
            retry = getattr(exc, "retry_after", None)
            raise RateLimited(f"Reddit {self.where}: HTTP 429", float(retry) if retry else None) from exc
        if isinstance(exc, prawcore.exceptions.BadJSON):
            raise SourceUnavailable(f"Reddit {self.where}: malformed JSON response") from exc
        if isinstance(exc, prawcore.PrawcoreException):
            raise SourceUnavailable(f"Reddit {self.where}: {type(exc).__name__}: {exc}") from exc
