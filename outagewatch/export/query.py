"""The export's reads: posts page by page (keyset on id), their labels, and the collection context.

Memory stays bounded on any store size: each page is at most ``page_size`` posts and the labels
of exactly those posts (an index seek on labels.post_id), never a scan of every label per page.
Deleted posts are excluded in SQL, before anything else sees them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Select, select, tuple_

from outagewatch.export.filters import ExportFilters
from outagewatch.store.schema import collector_state, labels, posts

POST_FIELDS = (
    "id", "source", "native_id", "url", "text", "created_at", "collected_at", "kind", "channel",
    "thread_id", "parent_id", "language", "score", "reply_count", "author_key", "synthetic",
)  # fmt: skip
LABEL_FIELDS = (
    "post_id",
    "origin",
    "labeler",
    "is_report",
    "p_report",
    "org",
    "services",
    "state",
    "region",
    "labeled_at",
)


def _post_conditions(filters: ExportFilters) -> list[Any]:
    """Conditions on the posts table alone (labels are filtered after the join)."""
    conditions: list[Any] = [posts.c.deleted.is_(False)]
    bounds = (
        (posts.c.created_at, filters.posted_since, filters.posted_until),
        (posts.c.collected_at, filters.collected_since, filters.collected_until),
    )
    for column, since, until in bounds:
        if since is not None:
            conditions.append(column >= since)
        if until is not None:
            conditions.append(column < until)
    if filters.source:
        conditions.append(posts.c.source == filters.source)
    return conditions


def _frame(engine: Engine, stmt: Select) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def post_pages(engine: Engine, filters: ExportFilters, page_size: int = 5000) -> Iterator[pd.DataFrame]:
    """Posts matching the post-level filters, in id order, one page at a time."""
    columns = [posts.c[name] for name in POST_FIELDS]
    conditions = _post_conditions(filters)
    last_id = 0
    while True:
        stmt = select(*columns).where(*conditions, posts.c.id > last_id).order_by(posts.c.id).limit(page_size)
        page = _frame(engine, stmt)
        if page.empty:
            return
        yield page
        last_id = int(page["id"].iloc[-1])
        if len(page) < page_size:
            return


def labels_of(engine: Engine, post_ids: list[int], origins: tuple[str, ...]) -> pd.DataFrame:
    """Every label of the given posts from the given origins."""
    stmt = select(*(labels.c[name] for name in LABEL_FIELDS)).where(
        labels.c.post_id.in_(post_ids), labels.c.origin.in_(origins)
    )
    return _frame(engine, stmt)


def parent_lookup(engine: Engine) -> Any:
    """A function mapping stored (source, native_id) keys to their (thread_id, parent_id)."""

    def lookup(keys: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str | None, str | None]]:
        found: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        items = sorted(keys)
        with engine.connect() as conn:
            for start in range(0, len(items), 500):
                chunk = items[start : start + 500]
                stmt = select(posts.c.source, posts.c.native_id, posts.c.thread_id, posts.c.parent_id).where(
                    tuple_(posts.c.source, posts.c.native_id).in_(chunk)
                )
                found.update({(s, n): (t, p) for s, n, t, p in conn.execute(stmt)})
        return found

    return lookup


def collector_channels(engine: Engine) -> dict[str, list[str]]:
    """Per collector, the channels and queries it follows (its saved state's keys, never its cursors)."""
    with engine.connect() as conn:
        states = conn.execute(select(collector_state.c.collector, collector_state.c.state)).all()
    skip = {"recent", "kept", "cursor"}
    return {name: sorted(str(k) for k in (state or {}) if k not in skip) for name, state in states}
