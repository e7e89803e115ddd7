"""Scenario posts rendered in the real API shapes (see /work/shared/fixtures for the originals)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

from collectors.replay.scenario import ScenarioPost

CID = "bafyreidigvwxmr6scm65svmcnsrozw7slsfirb2y4tcsu7aqxlmythzzgy"


def iso_z(when: datetime) -> str:
    """RFC 3339 with milliseconds and Z, as Bluesky and Mastodon write timestamps."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


# -- Reddit ----------------------------------------------------------------------------------
def reddit_fullname(post: ScenarioPost) -> str:
    return ("t1_" if post.kind == "comment" else "t3_") + post.id


def reddit_thing(post: ScenarioPost, deleted: bool) -> dict[str, Any]:
    """A t3 (submission) or t1 (comment) child, with the fields praw and our mapper read."""
    author = "[deleted]" if deleted else post.author
    created = post.created_at.timestamp()
    common = {
        "id": post.id,
        "name": reddit_fullname(post),
        "subreddit": post.channel,
        "subreddit_id": "t5_" + hashlib.sha1(post.channel.lower().encode()).hexdigest()[:5],
        "subreddit_name_prefixed": f"r/{post.channel}",
        "author": author,
        "author_flair_text": post.location,
        "created": created,
        "created_utc": created,
        "score": 1,
        "ups": 1,
        "downs": 0,
        "gilded": 0,
        "edited": False,
        "distinguished": None,
        "stickied": False,
        "archived": False,
        "over_18": False,
    }
    if post.kind == "comment":
        link = post.parent or "t3_unknown"
        permalink = f"/r/{post.channel}/comments/{link.removeprefix('t3_')}/_/{post.id}/"
        body = "[removed]" if deleted else post.text
        data = common | {"body": body, "link_id": link, "parent_id": link, "permalink": permalink, "replies": ""}
        return {"kind": "t1", "data": data}
    permalink = f"/r/{post.channel}/comments/{post.id}/post/"
    data = common | {
        "title": post.title or post.text[:80],
        "selftext": "[removed]" if deleted else post.text,
        "is_self": True,
        "domain": f"self.{post.channel}",
        "permalink": permalink,
        "url": "https://www.reddit.com" + permalink,
        "num_comments": 0,
        "selftext_html": None,
    }
    return {"kind": "t3", "data": data}


def reddit_listing(children: list[dict[str, Any]], after: str | None) -> dict[str, Any]:
    return {
        "kind": "Listing",
        "data": {"modhash": "", "dist": len(children), "children": children, "after": after, "before": None},
    }


# -- Bluesky ---------------------------------------------------------------------------------
def bluesky_did(author: str) -> str:
    return "did:plc:" + hashlib.sha256(author.encode()).hexdigest()[:24]


def bluesky_handle(author: str) -> str:
    return author if "." in author else f"{author}.bsky.social"


def bluesky_uri(post: ScenarioPost) -> str:
    return f"at://{bluesky_did(post.author)}/app.bsky.feed.post/{post.id}"


def bluesky_record(post: ScenarioPost) -> dict[str, Any]:
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": post.text, "createdAt": iso_z(post.created_at)}
    if post.lang:
        record["langs"] = [post.lang]
    return record


def bluesky_post_view(post: ScenarioPost) -> dict[str, Any]:
    """An app.bsky.feed.defs#postView as searchPosts returns it."""
    return {
        "uri": bluesky_uri(post),
        "cid": CID,
        "author": {"did": bluesky_did(post.author), "handle": bluesky_handle(post.author), "labels": []},
        "record": bluesky_record(post),
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 0,
        "indexedAt": iso_z(post.created_at),
        "labels": [],
    }


def time_us(when: datetime) -> int:
    return int(when.timestamp() * 1_000_000)


def jetstream_events(post: ScenarioPost, deleted: bool) -> list[dict[str, Any]]:
    """The v1 create event of a post, plus its delete event once the clock passed deleted_at."""
    did = bluesky_did(post.author)
    create = {
        "did": did,
        "time_us": time_us(post.created_at),
        "kind": "commit",
        "commit": {
            "rev": "3mptbypcq372f",
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": post.id,
            "record": bluesky_record(post),
            "cid": CID,
        },
    }
    events = [create]
    if deleted and post.deleted_at is not None:
        commit = {"rev": "3mptbypuw3t2q", "operation": "delete", "collection": "app.bsky.feed.post", "rkey": post.id}
        events.append({"did": did, "time_us": time_us(post.deleted_at), "kind": "commit", "commit": commit})
    return events


# -- Mastodon --------------------------------------------------------------------------------
def mastodon_id(post: ScenarioPost) -> str:
    """A snowflake-like id: milliseconds << 16 plus the line number, so ids sort by time."""
    return str((int(post.created_at.timestamp() * 1000) << 16) + post.seq % 65536)


def mastodon_status(post: ScenarioPost, base: str) -> dict[str, Any]:
    sid = mastodon_id(post)
    account = {
        "id": str(int(hashlib.sha1(post.author.encode()).hexdigest()[:12], 16)),
        "username": post.author,
        "acct": post.author,
        "display_name": post.author,
        "locked": False,
        "bot": False,
        "group": False,
        "created_at": "2024-01-01T00:00:00.000Z",
        "note": post.location or "",
        "url": f"{base}/@{post.author}",
        "avatar": f"{base}/avatars/original/missing.png",
        "avatar_static": f"{base}/avatars/original/missing.png",
        "header": f"{base}/headers/original/missing.png",
        "header_static": f"{base}/headers/original/missing.png",
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": 1,
        "emojis": [],
        "fields": [],
    }
    return {
        "id": sid,
        "created_at": iso_z(post.created_at),
        "in_reply_to_id": post.parent,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": post.lang or "en",
        "uri": f"{base}/users/{post.author}/statuses/{sid}",
        "url": f"{base}/@{post.author}/{sid}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "content": f"<p>{escape(post.text)}</p>",
        "reblog": None,
        "account": account,
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": post.channel, "url": f"{base}/tags/{post.channel}"}],
        "emojis": [],
        "card": None,
        "poll": None,
    }


# -- RSS/Atom --------------------------------------------------------------------------------
def atom_feed(name: str, posts: list[ScenarioPost], base: str) -> bytes:
    """A Statuspage-like Atom document for scenario posts of source "rss" in channel ``name``."""
    updated = iso_z(posts[0].created_at) if posts else "2024-01-01T00:00:00.000Z"
    entries = []
    for p in posts:
        link = f"{base}/incidents/{p.id}"
        entries.append(
            f"<entry><id>tag:replay,2005:Incident/{escape(p.id)}</id><published>{iso_z(p.created_at)}</published>"
            f'<updated>{iso_z(p.created_at)}</updated><link rel="alternate" type="text/html" href="{link}"/>'
            f'<title>{escape(p.title or p.text[:80])}</title><content type="html">{escape(p.text)}</content></entry>'
        )
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?><feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">'
        f"<id>tag:replay,2005:/{escape(name)}</id><title>{escape(name)} status</title><updated>{updated}</updated>"
        + "".join(entries)
        + "</feed>"
    )
    return doc.encode()


def http_date(when: datetime) -> str:
    return format_datetime(when, usegmt=True)
