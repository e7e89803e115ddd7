"""The API routes of the replay server: Reddit, Bluesky XRPC, Mastodon and feeds.

Each route takes the parsed request and returns (status, headers, JSON-able body or bytes).
Only what the real clients call is served; anything else is a loud 404.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any
from urllib.parse import urlencode

from collectors.base import parse_time
from collectors.replay import payloads as pl
from collectors.replay.scenario import Scenario, ScenarioPost

Response = tuple[int, dict[str, str], Any]
REDDIT_HEADERS = {"x-ratelimit-remaining": "599.0", "x-ratelimit-used": "1", "x-ratelimit-reset": "525"}
SUB_RE = re.compile(r"^/r/([^/]+)/(new|comments|search)/?$")


def _jwt(kind: str) -> str:
    """An unsigned but decodable JWT that expires in 2100 (the SDK reads ``exp`` before each call)."""

    def b64(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    payload = {
        "scope": f"com.atproto.{kind}",
        "sub": "did:plc:replayuser0000000000000",
        "iat": 1767225600,
        "exp": 4102444800,
    }
    return f"{b64({'typ': 'at+jwt', 'alg': 'ES256K'})}.{b64(payload)}.cmVwbGF5LW5vdC1zaWduZWQ"


def not_found(path: str) -> Response:
    return 404, {}, {"error": "NotFound", "message": f"the replay server does not serve {path}"}


def _matches(post: ScenarioPost, query: str) -> bool:
    words = [w for w in re.findall(r"\w+", query.lower()) if w not in {"and", "or"}]
    text = f"{post.title or ''} {post.text}".lower()
    return all(w in text for w in words)


def _page(items: list[Any], start: int, limit: int) -> tuple[list[Any], bool]:
    return items[start : start + limit], start + limit < len(items)


class Apis:
    """Routes over one scenario; ``base`` is the server's own URL (for links it renders)."""

    def __init__(self, scenario: Scenario, base: str, page_cap: int = 100) -> None:
        self.scenario, self.base, self.page_cap = scenario, base, page_cap

    def route(self, method: str, path: str, query: dict[str, str]) -> Response:
        if method == "POST" and path == "/api/v1/access_token":
            return 200, {}, {"access_token": "replay-token", "token_type": "bearer", "expires_in": 86400, "scope": "*"}
        if match := SUB_RE.match(path):
            return self.reddit_listing(match.group(1), match.group(2), query)
        if path.rstrip("/") == "/api/info":
            return self.reddit_info(query)
        if path.startswith("/xrpc/"):
            return self.xrpc(method, path.removeprefix("/xrpc/"), query)
        if path.startswith("/api/v"):
            return self.mastodon(path.rstrip("/"), query)
        if path.startswith("/feeds/"):
            return self.feed(path.removeprefix("/feeds/"))
        return not_found(path)

    # -- Reddit ----------------------------------------------------------------------------
    def reddit_listing(self, sub: str, what: str, query: dict[str, str]) -> Response:
        channel = None if sub.lower() == "all" else sub
        posts = self.scenario.visible("reddit", channel)
        if what == "comments":
            posts = [p for p in posts if p.kind == "comment"]
        else:
            posts = [p for p in posts if p.kind != "comment"]
        if what == "search":
            posts = [p for p in posts if _matches(p, query.get("q", ""))]
        names = [pl.reddit_fullname(p) for p in posts]
        if query.get("before") in names:
            posts = posts[: names.index(query["before"])]
            names = names[: len(posts)]
        start = names.index(query["after"]) + 1 if query.get("after") in names else 0
        limit = min(int(query.get("limit", 25) or 25), self.page_cap)
        page, more = _page(posts, start, limit)
        children = [pl.reddit_thing(p, self.scenario.is_deleted(p)) for p in page]
        after = pl.reddit_fullname(page[-1]) if page and more else None
        return 200, REDDIT_HEADERS, pl.reddit_listing(children, after)

    def reddit_info(self, query: dict[str, str]) -> Response:
        wanted = [n for n in query.get("id", "").split(",") if n]
        by_name = {pl.reddit_fullname(p): p for p in self.scenario.visible("reddit")}
        children = [pl.reddit_thing(by_name[n], self.scenario.is_deleted(by_name[n])) for n in wanted if n in by_name]
        return 200, REDDIT_HEADERS, pl.reddit_listing(children, None)

    # -- Bluesky ---------------------------------------------------------------------------
    def xrpc(self, method: str, nsid: str, query: dict[str, str]) -> Response:
        if nsid in ("com.atproto.server.createSession", "com.atproto.server.refreshSession") and method == "POST":
            return (
                200,
                {},
                {
                    "accessJwt": _jwt("access"),
                    "refreshJwt": _jwt("refresh"),
                    "handle": "replay-user.example",
                    "did": "did:plc:replayuser0000000000000",
                    "active": True,
                },
            )  # no didDoc: it would move the client to another host
        if nsid == "app.bsky.feed.searchPosts":
            return self.search_posts(query)
        return 404, {}, {"error": "NotFound", "message": f"{nsid} is not served by the replay server"}

    def search_posts(self, query: dict[str, str]) -> Response:
        posts = [p for p in self.scenario.visible("bluesky") if _matches(p, query.get("q", ""))]
        posts = [p for p in posts if not self.scenario.is_deleted(p)]
        if query.get("since"):
            posts = [p for p in posts if p.created_at >= parse_time(query["since"])]
        if query.get("until"):
            posts = [p for p in posts if p.created_at < parse_time(query["until"])]
        start = int(query.get("cursor") or 0)
        limit = min(int(query.get("limit", 25) or 25), self.page_cap)
        page, more = _page(posts, start, limit)
        body: dict[str, Any] = {"posts": [pl.bluesky_post_view(p) for p in page]}
        if more:
            body["cursor"] = str(start + limit)
        return 200, {}, body

    # -- Mastodon --------------------------------------------------------------------------
    def mastodon(self, path: str, query: dict[str, str]) -> Response:
        if path == "/api/v1/instance":
            return 200, {}, {"uri": "127.0.0.1", "title": "replay", "version": "4.3.0", "languages": ["en"]}
        if path == "/api/v2/instance":
            access = {"local": "public", "remote": "public"}
            config = {"timelines_access": {k: access for k in ("live_feeds", "hashtag_feeds", "trending_link_feeds")}}
            return (
                200,
                {},
                {
                    "domain": "127.0.0.1",
                    "title": "replay",
                    "version": "4.3.0",
                    "api_versions": {"mastodon": 2},
                    "configuration": config,
                },
            )
        if path.startswith("/api/v1/timelines/tag/"):
            tag = path.rsplit("/", 1)[1]
            return self.statuses(self.scenario.visible("mastodon", tag), path, query)
        if path == "/api/v2/search":
            posts = [p for p in self.scenario.visible("mastodon") if _matches(p, query.get("q", ""))]
            status, headers, statuses = self.statuses(posts, path, query)
            return status, headers, {"accounts": [], "statuses": statuses, "hashtags": []}
        return not_found(path)

    def statuses(self, posts: list[ScenarioPost], path: str, query: dict[str, str]) -> Response:
        """Newest first, honouring max_id / since_id / min_id, with Mastodon's Link header."""
        posts = [p for p in posts if not self.scenario.is_deleted(p)]
        ids = [int(pl.mastodon_id(p)) for p in posts]
        keep = list(range(len(posts)))
        if query.get("max_id"):
            keep = [i for i in keep if ids[i] < int(query["max_id"])]
        if query.get("since_id"):
            keep = [i for i in keep if ids[i] > int(query["since_id"])]
        if query.get("min_id"):
            keep = [i for i in keep if ids[i] > int(query["min_id"])]
        limit = min(int(query.get("limit", 20) or 20), self.page_cap)
        keep = keep[-limit:] if query.get("min_id") else keep[:limit]
        page = [pl.mastodon_status(posts[i], self.base) for i in keep]
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299"}
        if page:
            link = f"{self.base}{path}?"
            headers["Link"] = (
                f'<{link}{urlencode({"limit": limit, "max_id": page[-1]["id"]})}>; rel="next", '
                f'<{link}{urlencode({"limit": limit, "min_id": page[0]["id"]})}>; rel="prev"'
            )
        return 200, headers, page

    # -- Feeds -----------------------------------------------------------------------------
    def feed(self, name: str) -> Response:
        if name in self.scenario.feeds:
            body = self.scenario.feeds[name]
        else:
            channel = name.rsplit(".", 1)[0]
            posts = self.scenario.visible("rss", channel)
            if not posts and not any(p.channel == channel for p in self.scenario.posts if p.source == "rss"):
                return not_found("/feeds/" + name)
            body = pl.atom_feed(channel, [p for p in posts if not self.scenario.is_deleted(p)], self.base)
        kind = "application/rss+xml" if name.endswith(".rss") else "application/atom+xml"
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        return 200, {"Content-Type": kind, "ETag": etag}, body
