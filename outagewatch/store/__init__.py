"""The store: schema, migrations, write API and read API over SQLAlchemy (SQLite or PostgreSQL).

``Store`` is the one door collectors, the classifier and the detector write through. It owns
the transaction boundaries (a collector's batch and its resume point commit together) and the
privacy rule (raw author handles become salted keys before anything is written).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine

from outagewatch.models import CountRow, Label, Post
from outagewatch.pseudonym import author_key
from outagewatch.store import writes
from outagewatch.store.engine import make_engine
from outagewatch.store.migrate import ensure_current


class Store:
    """Writes posts, labels, collector state and counts in bulk, idempotently."""

    def __init__(self, engine: Engine, author_salt: str = "", keep_author_handles: bool = False) -> None:
        self.engine = engine
        self.author_salt = author_salt
        self.keep_author_handles = keep_author_handles

    @classmethod
    def open(cls, url: str, *, migrate: bool = True, author_salt: str = "", keep_author_handles: bool = False) -> Store:
        """Open the database at ``url``; a fresh or older database is migrated first."""
        engine = make_engine(url)
        if migrate:
            ensure_current(engine)
        return cls(engine, author_salt=author_salt, keep_author_handles=keep_author_handles)

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()

    # -- posts -----------------------------------------------------------------------------
    def _private(self, post: Post) -> Post:
        if post.author_handle is None or (post.author_key and self.keep_author_handles):
            return post
        key = post.author_key or author_key(self.author_salt, post.source, post.author_handle)
        return replace(post, author_key=key, author_handle=post.author_handle if self.keep_author_handles else None)

    def _rows(self, batch: Sequence[Post]) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
        rows, deleted = [], []
        for post in batch:
            if post.deleted:  # flags the stored copy; a post first seen deleted is kept, flagged
                deleted.append(post.key)
            rows.append(writes.post_row(self._private(post)))
        return rows, deleted

    def upsert_posts(self, items: Iterable[Post]) -> int:
        """Write posts in chunks; posts already stored are left as they are. Returns posts seen."""
        seen = 0
        for batch in writes.chunked(items):
            rows, deleted = self._rows(batch)
            with self.engine.begin() as conn:
                writes.insert_posts(conn, rows)
                writes.mark_deleted(conn, deleted)
            seen += len(batch)
        return seen

    def save_batch(self, collector: str, batch: Sequence[Post], state: dict[str, Any]) -> int:
        """Write a collector's batch and the resume point it reached in ONE transaction."""
        rows, deleted = self._rows(batch)
        with self.engine.begin() as conn:
            for chunk in writes.chunked(rows):
                writes.insert_posts(conn, chunk)
            writes.mark_deleted(conn, deleted)
            writes.save_state(conn, collector, state)
        return len(batch)

    def mark_deleted(self, keys: Iterable[tuple[str, str]]) -> None:
        """Flag posts deleted at their source."""
        with self.engine.begin() as conn:
            writes.mark_deleted(conn, keys)

    def load_state(self, collector: str) -> dict[str, Any] | None:
        """A collector's resume point, or None before its first batch."""
        with self.engine.connect() as conn:
            return writes.load_state(conn, collector)

    # -- collector runs ----------------------------------------------------------------------
    def start_run(self, collector: str) -> int:
        """Record a run's start (the Sources page shows runs that never finished)."""
        with self.engine.begin() as conn:
            return writes.start_run(conn, collector)

    def finish_run(self, run_id: int, status: str, posts: int, batches: int, error: str | None = None) -> None:
        """Record a run's outcome."""
        with self.engine.begin() as conn:
            writes.finish_run(conn, run_id, status, posts, batches, error)

    # -- labels and counts -------------------------------------------------------------------
    def upsert_labels(self, items: Iterable[Label]) -> int:
        """Write labels in chunks; model and human labels of one post live side by side."""
        written = 0
        for batch in writes.chunked(items):
            with self.engine.begin() as conn:
                written += writes.upsert_labels(conn, batch)
        return written

    def upsert_counts(self, rows: Iterable[CountRow]) -> int:
        """Set the counts of the given bins."""
        with self.engine.begin() as conn:
            return writes.upsert_counts(conn, rows)
