"""The write API: bulk, idempotent Core statements that run the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from outagewatch.models import CountRow, Label, Post, utcnow
from outagewatch.store.schema import collector_runs, collector_state, counts, labels, posts

T = TypeVar("T")
CHUNK = 2000
POST_COLUMNS = [c.name for c in posts.columns if c.name != "id"]


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Yield lists of at most ``size`` items, so memory stays bounded on any input size."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(conn: Connection, table: Table):
    """The dialect's INSERT, which knows ON CONFLICT."""
    module = postgresql if conn.dialect.name == "postgresql" else sqlite
    return module.insert(table)


def post_row(post: Post) -> dict[str, Any]:
    """A Post as a row of the posts table."""
    return {
        "source": post.source,
        "native_id": post.native_id,
        "url": post.url,
        "text": post.text,
        "created_at": post.created_at,
        "collected_at": post.collected_at,
        "kind": post.kind,
        "channel": post.channel,
        "thread_id": post.thread_id,
        "parent_id": post.parent_id,
        "language": post.language,
        "score": post.score,
        "reply_count": post.reply_count,
        "author_key": post.author_key,
        "author_handle": post.author_handle,
        "author_location": post.author_location,
        "deleted": post.deleted,
        "official_org": post.official_org,
        "synthetic": post.synthetic,
        "raw": post.raw,
    }


def insert_posts(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows, skipping those whose (source, native_id) is already stored."""
    if rows:
        stmt = _insert(conn, posts).on_conflict_do_nothing(index_elements=["source", "native_id"])
        conn.execute(stmt, list(rows))


def mark_deleted(conn: Connection, keys: Iterable[tuple[str, str]]) -> None:
    """Flag posts deleted at the source; they stay for counts already made but are never exported."""
    for chunk in chunked(keys, 500):
        conn.execute(update(posts).where(tuple_(posts.c.source, posts.c.native_id).in_(chunk)).values(deleted=True))


def save_state(conn: Connection, collector: str, state: dict[str, Any]) -> None:
    """Upsert a collector's resume point."""
    stmt = _insert(conn, collector_state).values(collector=collector, state=state, updated_at=utcnow())
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["collector"], set_={"state": stmt.excluded.state, "updated_at": stmt.excluded.updated_at}
        )
    )


def load_state(conn: Connection, collector: str) -> dict[str, Any] | None:
    """A collector's saved resume point, or None before its first batch."""
    return conn.execute(select(collector_state.c.state).where(collector_state.c.collector == collector)).scalar()


def post_ids(conn: Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Map (source, native_id) keys to row ids."""
    found: dict[tuple[str, str], int] = {}
    for chunk in chunked(dict.fromkeys(keys), 500):
        stmt = select(posts.c.source, posts.c.native_id, posts.c.id).where(
            tuple_(posts.c.source, posts.c.native_id).in_(chunk)
        )
        found.update({(s, n): i for s, n, i in conn.execute(stmt)})
    return found


def label_row(label: Label, post_id: int) -> dict[str, Any]:
    """A Label as a row of the labels table; ``labeler`` is the model version or the annotator."""
    labeler = label.annotator if label.origin == "human" else label.model_version
    if not labeler:
        raise ValueError(f"a {label.origin} label needs {'an annotator' if label.origin == 'human' else 'a version'}")
    return {
        "post_id": post_id,
        "origin": label.origin,
        "labeler": labeler,
        "is_report": label.is_report,
        "p_report": float(label.p_report),
        "org": label.org,
        "services": list(label.services),
        "service_probs": dict(label.service_probs),
        "state": label.state,
        "region": label.region,
        "evidence": label.evidence,
        "labeled_at": label.labeled_at,
    }


def upsert_labels(conn: Connection, batch: Sequence[Label]) -> int:
    """Write labels; a second label from the same labeler replaces the first, others stay beside it."""
    ids = post_ids(conn, [lab.post_key for lab in batch])
    missing = [lab.post_key for lab in batch if lab.post_key not in ids]
    if missing:
        raise KeyError(f"{len(missing)} labels name posts that are not stored, e.g. {missing[0]}")
    rows = [label_row(lab, ids[lab.post_key]) for lab in batch]
    if not rows:
        return 0
    stmt = _insert(conn, labels)
    keep = {"post_id", "origin", "labeler", "id"}
    stmt = stmt.on_conflict_do_update(
        index_elements=["post_id", "origin", "labeler"],
        set_={c.name: stmt.excluded[c.name] for c in labels.columns if c.name not in keep},
    )
    conn.execute(stmt, rows)
    return len(rows)


def count_row(r: CountRow) -> dict[str, Any]:
    """A CountRow as a row of the counts table (a plain dict: asdict's deep copy is slow in bulk)."""
    return {"org": r.org, "service": r.service, "region": r.region, "source": r.source,
            "bin_start": r.bin_start, "posts": r.posts, "authors": r.authors}  # fmt: skip


def upsert_counts(conn: Connection, rows: Iterable[CountRow]) -> int:
    """Set the counts of the given bins (a recount replaces the old figure)."""
    written = 0
    for chunk in chunked(map(count_row, rows), CHUNK):
        stmt = _insert(conn, counts)
        stmt = stmt.on_conflict_do_update(
            index_elements=["org", "service", "region", "source", "bin_start"],
            set_={"posts": stmt.excluded.posts, "authors": stmt.excluded.authors},
        )
        conn.execute(stmt, chunk)
        written += len(chunk)
    return written


def start_run(conn: Connection, collector: str, started_at: datetime | None = None) -> int:
    """Record that a collector run began; returns the run id.

    A run of the same collector still marked running belongs to a process that died (one
    process runs a collector at a time): it is closed as an error so the Sources page says so.
    """
    conn.execute(
        update(collector_runs)
        .where(collector_runs.c.collector == collector, collector_runs.c.status == "running")
        .values(status="error", finished_at=utcnow(), last_error="interrupted: the process stopped mid-run")
    )
    result = conn.execute(
        collector_runs.insert().values(
            collector=collector, started_at=started_at or utcnow(), status="running", posts=0, batches=0
        )
    )
    return int(result.inserted_primary_key[0])


def finish_run(conn: Connection, run_id: int, status: str, posts_seen: int, batches: int, error: str | None) -> None:
    """Record how a collector run ended."""
    conn.execute(
        update(collector_runs)
        .where(collector_runs.c.id == run_id)
        .values(finished_at=utcnow(), status=status, posts=posts_seen, batches=batches, last_error=error)
    )
