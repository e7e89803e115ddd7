"""Counts per organization x service x region x source in 5-minute bins, recomputed from labels.

A bin is recounted whole (delete, then insert) so a relabeled post moves between series and
nothing is counted twice. Every post adds to each combination of its dimensions and the "*"
total of each dimension, so a chart of one service or one region never scans posts. Regions
hold both the organization's own region names and the US state as ``state:XX``.

The label that counts is a person's when one exists, else the newest model label.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import product

import pandas as pd
from sqlalchemy import Engine, delete, select

from outagewatch.models import CountRow
from outagewatch.store import Store, writes
from outagewatch.store.schema import counts, labels, posts

BIN = timedelta(minutes=5)
ALL = "*"


def bin_start(t: datetime) -> datetime:
    """The start of the 5-minute bin holding ``t``."""
    t = t.astimezone(UTC)
    return t.replace(minute=t.minute - t.minute % 5, second=0, microsecond=0)


def state_region(state: str) -> str:
    """The region value under which a US state is counted."""
    return f"state:{state}"


def effective_reports(engine: Engine, since: datetime, until: datetime) -> pd.DataFrame:
    """Report posts created in [since, until) with their effective label (human over model)."""
    stmt = (
        select(
            posts.c.id,
            posts.c.source,
            posts.c.created_at,
            posts.c.author_key,
            labels.c.origin,
            labels.c.labeled_at,
            labels.c.is_report,
            labels.c.org,
            labels.c.services,
            labels.c.state,
            labels.c.region,
        )
        .join(labels, labels.c.post_id == posts.c.id)
        .where(posts.c.created_at >= since, posts.c.created_at < until, labels.c.origin != "rules")
    )
    with engine.connect() as conn:
        result = conn.execute(stmt)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    if frame.empty:
        return frame
    frame["human"] = frame["origin"] == "human"
    frame = frame.sort_values(["human", "labeled_at"], ascending=False).drop_duplicates("id")
    return frame[frame["is_report"].astype(bool) & frame["org"].notna()]


def count_rows(reports: pd.DataFrame) -> list[CountRow]:
    """Posts and distinct authors for every dimension combination of every bin."""
    post_n: dict[tuple, int] = defaultdict(int)
    authors: dict[tuple, set] = defaultdict(set)
    for row in reports.itertuples(index=False):
        b = bin_start(row.created_at)
        services = [ALL, *(row.services or [])]
        regions = [ALL]
        if isinstance(row.region, str) and row.region:
            regions.append(row.region)
        if isinstance(row.state, str) and row.state:
            regions.append(state_region(row.state))
        # an unknown author (None, or NaN from pandas) is one voice per post
        author = row.author_key if isinstance(row.author_key, str) and row.author_key else f"post:{row.id}"
        for service, region, source in product(services, regions, (ALL, row.source)):
            key = (row.org, service, region, source, b)
            post_n[key] += 1
            authors[key].add(author)
    return [CountRow(*key, posts=n, authors=len(authors[key])) for key, n in post_n.items()]


def recount(store: Store, since: datetime, until: datetime) -> int:
    """Recount every bin touching [since, until); returns the number of count rows written."""
    start, end = bin_start(since), bin_start(until) + BIN
    reports = effective_reports(store.engine, start, end)
    rows = count_rows(reports) if not reports.empty else []
    with store.engine.begin() as conn:
        conn.execute(delete(counts).where(counts.c.bin_start >= start, counts.c.bin_start < end))
        writes.upsert_counts(conn, rows)
    return len(rows)
