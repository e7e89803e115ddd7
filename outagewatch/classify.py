"""Label the stored posts that the current model has not labeled yet, then recount their bins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select

from outagewatch.detect.counts import recount
from outagewatch.models import Post
from outagewatch.store import Store
from outagewatch.store.schema import labels, posts

BATCH = 2000


@dataclass(frozen=True, slots=True)
class ClassifySummary:
    """What a classify pass did."""

    model_version: str
    labeled: int
    reports: int
    first: datetime | None
    last: datetime | None


def _unlabeled(store: Store, version: str, after_id: int, limit: int) -> list[tuple[int, Post]]:
    done = exists().where(and_(labels.c.post_id == posts.c.id, labels.c.origin == "model", labels.c.labeler == version))
    stmt = (
        select(
            posts.c.id,
            posts.c.source,
            posts.c.native_id,
            posts.c.text,
            posts.c.created_at,
            posts.c.channel,
            posts.c.author_location,
        )
        .where(posts.c.id > after_id, posts.c.official_org.is_(None), ~done)
        .order_by(posts.c.id)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        return [
            (
                r.id,
                Post(r.source, r.native_id, r.text, r.created_at, channel=r.channel, author_location=r.author_location),
            )
            for r in conn.execute(stmt)
        ]


def pending_count(store: Store, version: str) -> int:
    """Posts the model ``version`` has not labeled yet (for a progress bar)."""
    from sqlalchemy import func

    done = exists().where(and_(labels.c.post_id == posts.c.id, labels.c.origin == "model", labels.c.labeler == version))
    stmt = select(func.count()).select_from(posts).where(posts.c.official_org.is_(None), ~done)
    with store.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def model_version(model: object) -> str:
    """The version a model's labels are stored under."""
    return str(getattr(model, "version_", None) or "unversioned")


def classify_store(
    store: Store,
    model=None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH,
) -> ClassifySummary:
    """Label unlabeled posts in batches (each batch one transaction) and recount the bins they touch."""
    from classifier.labeling import label
    from classifier.persist import default_model

    model = model or default_model()
    version = model_version(model)
    after, labeled, reports = 0, 0, 0
    first: datetime | None = None
    last: datetime | None = None
    while batch := _unlabeled(store, version, after, batch_size):
        after = batch[-1][0]
        found = label([p for _, p in batch], model)
        store.upsert_labels(found)
        labeled += len(found)
        reports += sum(lab.is_report for lab in found)
        times = [p.created_at for _, p in batch]
        first = min([first, *times]) if first else min(times)
        last = max([last, *times]) if last else max(times)
        if progress:
            progress(len(batch))
    if first is not None and last is not None:
        recount(store, first, last)
    return ClassifySummary(version, labeled, reports, first, last)
