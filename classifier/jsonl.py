"""Reading posts and labeled examples from JSONL, tolerating bad lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from outagewatch.models import Post, ensure_utc, utcnow


def _parse_time(value: object) -> datetime:
    if isinstance(value, str) and value:
        try:
            return ensure_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            pass
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=ensure_utc(utcnow()).tzinfo)
    return utcnow()


def post_from_record(record: dict, source: str = "file") -> Post:
    """Build a Post from a JSONL record with ``id`` and ``text`` (others optional); ValueError if unusable."""
    if not isinstance(record, dict):
        raise ValueError("line is not a JSON object")
    if "id" not in record or not isinstance(record.get("text"), str):
        raise ValueError("needs 'id' and a string 'text'")
    location = record.get("author_location")
    channel = record.get("channel")
    return Post(
        source=str(record.get("source") or source),
        native_id=str(record["id"]),
        text=record["text"],
        created_at=_parse_time(record.get("created_at")),
        channel=channel if isinstance(channel, str) else None,
        author_location=location if isinstance(location, str) else None,
        synthetic=record.get("origin") == "synthetic",
    )


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    """Yield (line number, record or None, error or None) for each non-blank line."""
    with Path(path).open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line), None
            except json.JSONDecodeError as exc:
                yield number, None, f"invalid JSON: {exc.msg}"


def read_labeled(path: Path) -> list[dict]:
    """All valid labeled records of a file (labeled files are ours, so a bad line is an error)."""
    records = []
    for number, record, error in iter_jsonl(path):
        if error or not isinstance(record, dict):
            raise ValueError(f"{path}:{number}: {error or 'not an object'}")
        records.append(record)
    return records
