"""What every reader shares: the "all" marker, rows to a DataFrame, the newest model label per post."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, Select, and_, func, select

from outagewatch.store.schema import (
    labels,
)

ALL = "*"


def _frame(engine: Engine, stmt: Select) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def latest_labels(engine: Engine, origin: str = "model") -> Select:
    """A subquery of the newest label of each post from one origin (newest labeled_at wins)."""
    newest = (
        select(labels.c.post_id, func.max(labels.c.labeled_at).label("labeled_at"))
        .where(labels.c.origin == origin)
        .group_by(labels.c.post_id)
        .subquery()
    )
    return (
        select(labels)
        .join(newest, and_(labels.c.post_id == newest.c.post_id, labels.c.labeled_at == newest.c.labeled_at))
        .where(labels.c.origin == origin)
    )
