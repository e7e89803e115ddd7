"""Record -> Post mappers for archive imports: Reddit dumps, Bluesky/4CAT exports, plain NDJSON, CSV rows.

Each mapper raises ValueError with a short reason for a record it cannot use; the importer
writes that reason and the line number to the reject file and keeps going.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from collectors.base import parse_time
from collectors.bluesky import post_url, record_to_post
from outagewatch.models import Post

POST_FIELDS = set(Post.__slots__) - {"raw"}  # type: ignore[attr-defined]
DELETED = {"[deleted]", "[removed]"}


def _need(rec: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if rec.get(key) not in (None, ""):
            return rec[key]
    raise ValueError(f"missing field {' or '.join(repr(k) for k in keys)}")


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def reddit(rec: dict[str, Any], source: str | None = None) -> Post:
    """Pushshift / Arctic Shift submission or comment (also 4CAT's flattened Reddit export)."""
    is_comment = "body" in rec and "title" not in rec
    name = rec.get("name") or ("t1_" if is_comment else "t3_") + str(_need(rec, "id")).removeprefix("t1_")
    created = parse_time(_need(rec, "created_utc", "timestamp", "created"))
    author = rec.get("author")
    body = rec.get("body", "") if is_comment else rec.get("selftext", "") or ""
    text = body if is_comment else "\n\n".join(p for p in (rec.get("title", ""), body) if p)
    permalink = rec.get("permalink")
    url = f"https://www.reddit.com{permalink}" if permalink and permalink.startswith("/") else permalink
    return Post(
        source=source or "reddit",
        native_id=name,
        text=text,
        created_at=created,
        url=url,
        kind="comment" if is_comment else "submission",
        channel=rec.get("subreddit"),
        thread_id=rec.get("link_id") or rec.get("thread_id") or (None if is_comment else name),
        parent_id=rec.get("parent_id"),
        score=_int(rec.get("score")),
        reply_count=_int(rec.get("num_comments")),
        author_handle=None if author in (None, "[deleted]") else str(author),
        deleted=author == "[deleted]" or body in DELETED,
    )


def bluesky(rec: dict[str, Any], source: str | None = None) -> Post:
    """A Bluesky PostView / record export, a Jetstream event, or 4CAT's flattened Bluesky export."""
    if "commit" in rec and "did" in rec:  # a Jetstream event
        commit = rec["commit"]
        uri = f"at://{rec['did']}/{commit['collection']}/{commit['rkey']}"
        if commit.get("operation") == "delete":
            return Post("bluesky", uri, "", parse_time(int(rec["time_us"]) / 1e6), url=post_url(uri), deleted=True)
        return record_to_post(uri, _need(commit, "record"), handle=rec["did"], channel=None, fallback_us=rec["time_us"])
    if isinstance(rec.get("record"), dict):
        author = rec.get("author")
        handle = author.get("handle") if isinstance(author, dict) else author
        return record_to_post(_need(rec, "uri"), rec["record"], handle=handle, channel=rec.get("channel"))
    native = str(_need(rec, "uri", "id"))
    thread = rec.get("thread_id")
    return Post(
        source=source or "bluesky",
        native_id=native,
        text=str(_need(rec, "body", "text")),
        created_at=parse_time(_need(rec, "timestamp", "created_at", "unix_timestamp")),
        url=rec.get("url") or (post_url(native) if native.startswith("at://") else None),
        kind="reply" if thread and thread != native else "post",
        thread_id=thread,
        parent_id=rec.get("reply_to") or rec.get("parent_id"),
        language=rec.get("lang") or rec.get("language"),
        author_handle=rec.get("author") or rec.get("author_handle"),
    )


def ndjson(rec: dict[str, Any], source: str | None = None) -> Post:
    """A record already shaped like a Post (our own export, or any JSON with the same field names)."""
    fields = {k: v for k, v in rec.items() if k in POST_FIELDS and v not in (None, "")}
    text = str(_need(rec, "text"))
    created = parse_time(_need(rec, "created_at"))
    native = fields.pop("native_id", None) or rec.get("id")
    if native in (None, ""):
        native = hashlib.sha1(f"{created.isoformat()}|{text}".encode()).hexdigest()  # stable across re-runs
    for key in ("score", "reply_count"):
        if key in fields:
            fields[key] = _int(fields[key])
    for key in ("deleted", "synthetic"):
        if key in fields:
            fields[key] = str(fields[key]).lower() in {"1", "true", "yes"}
    if "author" in rec and "author_handle" not in fields:
        fields["author_handle"] = str(rec["author"])
    fields.update(text=text, created_at=created, native_id=str(native))
    fields["source"] = str(fields.get("source") or source or "archive")
    fields.pop("collected_at", None)
    return Post(**fields)


def detect(rec: dict[str, Any]) -> Callable[..., Post]:
    """Pick the mapper from a record's fields (auto mode decides per record)."""
    if "subreddit" in rec and ("created_utc" in rec or "body" in rec or "title" in rec):
        return reddit
    if ("uri" in rec and "record" in rec) or ("did" in rec and "commit" in rec):
        return bluesky
    if "thread_id" in rec and "body" in rec and "timestamp" in rec:
        return bluesky
    return ndjson


MAPPERS: dict[str, Callable[..., Post]] = {"reddit": reddit, "bluesky": bluesky, "ndjson": ndjson, "csv": ndjson}
