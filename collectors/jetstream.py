"""Bluesky's Jetstream v1 firehose (JSON over WebSocket), filtered to watched keywords.

The cursor is Jetstream's ``time_us``; a run resumes a few seconds before the saved cursor
(duplicates are harmless) and reconnects after drops. In ``once`` mode it reads until it is
caught up (no event for ``idle_seconds``) or ``max_seconds`` passed, then ends.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from collectors.base import Batch, Collector, RateLimited, SourceUnavailable, backoff_delay, from_epoch, keyword_matcher
from collectors.bluesky import post_url, record_to_post
from outagewatch.models import Post

if TYPE_CHECKING:
    from outagewatch.config import Settings
    from outagewatch.watchlist import WatchList

COLLECTION = "app.bsky.feed.post"
REWIND_US = 5_000_000
KEEP_URIS = 500  # URIs of kept posts remembered so a later delete of one of them reaches the store


class JetstreamCollector(Collector):
    """Consume ``/subscribe?wantedCollections=app.bsky.feed.post`` with plain websockets."""

    name = "jetstream"

    def __init__(
        self,
        url: str,
        *,
        keywords: list[str],
        idle_seconds: float = 5.0,
        max_seconds: float | None = 60.0,
        batch_size: int = 200,
        batch_seconds: float = 2.0,
        max_reconnects: int = 3,
        timeout: float = 20.0,
    ) -> None:
        super().__init__()
        self.url, self.keywords = url, list(keywords)
        self.idle_seconds, self.max_seconds = idle_seconds, max_seconds
        self.batch_size, self.batch_seconds = batch_size, batch_seconds
        self.max_reconnects, self.timeout = max_reconnects, timeout

    @classmethod
    def from_settings(cls, settings: Settings, watchlist: WatchList) -> JetstreamCollector:
        return cls(
            settings.require("jetstream_url"), keywords=watchlist.all_keywords(), timeout=settings.get("http_timeout")
        )

    def subscribe_url(self, cursor: int | None) -> str:
        """The v1 subscribe URL with our collection filter and the resume cursor."""
        parts = urlsplit(self.url)
        params = [("wantedCollections", COLLECTION)]
        if cursor is not None:
            params.append(("cursor", str(max(0, cursor - REWIND_US))))
        query = "&".join(p for p in (parts.query, urlencode(params)) if p)
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/subscribe", query, ""))

    def collect(self, state: dict[str, Any] | None) -> Iterator[Batch]:
        from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException
        from websockets.sync.client import connect

        self.problems, self.recovered = [], []
        self._last_time_us: int | None = None
        state = dict(state or {})
        matcher = keyword_matcher(self.keywords)
        kept: list[str] = list(state.get("kept", []))
        started = time.monotonic()
        drops = 0
        batch: list[Post] = []
        last_flush = time.monotonic()
        while True:
            try:
                with connect(self.subscribe_url(state.get("cursor")), open_timeout=self.timeout) as ws:
                    received = 0
                    while True:
                        if self.max_seconds is not None and time.monotonic() - started > self.max_seconds:
                            break
                        try:
                            frame = ws.recv(timeout=self.idle_seconds)
                        except TimeoutError:
                            if not received:  # the firehose is never silent, and a resume replays a few s
                                self.problem(f"Jetstream sent nothing for {self.idle_seconds} s after connecting")
                            break  # caught up: nothing new for idle_seconds
                        received += 1
                        post = self._event(frame, matcher, kept)
                        if post is not None:
                            batch.append(post)
                        if self._last_time_us is not None:
                            state["cursor"] = self._last_time_us
                        if len(batch) >= self.batch_size or time.monotonic() - last_flush > self.batch_seconds:
                            state["kept"] = kept[-KEEP_URIS:]
                            yield Batch(batch, dict(state))
                            batch, last_flush = [], time.monotonic()
                break
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status == 429:
                    retry = exc.response.headers.get("Retry-After")
                    raise RateLimited(
                        "Jetstream refused the connection: HTTP 429", float(retry) if retry else None
                    ) from exc
                failure = f"handshake HTTP {status}"
            except ConnectionClosed as exc:
                failure = f"connection closed ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
            except (OSError, WebSocketException) as exc:
                failure = f"{type(exc).__name__}: {exc}"
            drops += 1
            if drops > self.max_reconnects:
                state["kept"] = kept[-KEEP_URIS:]
                yield Batch(batch, dict(state))
                raise SourceUnavailable(f"Jetstream {self.url}: {failure}; gave up after {drops - 1} reconnects")
            self.recovered.append(f"Jetstream {failure}; reconnected at cursor {state.get('cursor')}")
            time.sleep(backoff_delay(drops, 0.1, 5.0))
        state["kept"] = kept[-KEEP_URIS:]
        yield Batch(batch, dict(state))
        self.raise_problems()

    def _event(self, frame: str | bytes, matcher: Any, kept: list[str]) -> Post | None:
        """One frame -> a kept Post, a delete of a kept Post, or None (filtered out / malformed)."""
        try:
            event = json.loads(frame)
            time_us = int(event["time_us"])
        except (ValueError, KeyError, TypeError):
            self.problem(f"Jetstream sent a malformed event, skipped: {str(frame)[:80]!r}")
            return None
        self._last_time_us = time_us
        commit = event.get("commit") or {}
        if event.get("kind") != "commit" or commit.get("collection") != COLLECTION:
            return None
        uri = f"at://{event['did']}/{COLLECTION}/{commit.get('rkey')}"
        op = commit.get("operation")
        if op == "delete":
            if uri not in kept:
                return None
            return Post(
                "bluesky",
                uri,
                "",
                from_epoch(time_us / 1_000_000),
                url=post_url(uri),
                deleted=True,
                channel="jetstream",
            )
        record = commit.get("record") or {}
        text = str(record.get("text", ""))
        if op not in ("create", "update") or (matcher is not None and not matcher.search(text)):
            return None
        kept.append(uri)
        return record_to_post(uri, record, handle=event["did"], channel="jetstream", fallback_us=time_us)
