"""Builders of realistic records for store tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outagewatch.models import Post

T0 = datetime(2025, 5, 28, 14, 0, tzinfo=UTC)


def make_posts(n: int, *, source: str = "reddit", start: int = 0) -> list[Post]:
    """n distinct posts, one a minute from T0, with authors repeating every 7 posts."""
    return [
        Post(
            source=source,
            native_id=f"p{i}",
            text=f"kaiser pharmacy system down again #{i}",
            created_at=T0 + timedelta(minutes=i),
            url=f"https://example.org/p{i}",
            channel="KaiserPermanente",
            kind="submission",
            author_handle=f"user{i % 7}",
            raw={"i": i},
        )
        for i in range(start, start + n)
    ]
