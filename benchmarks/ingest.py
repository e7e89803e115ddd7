"""Ingest speed: the store's bulk upsert against raw sqlite3 executemany, in the same run.

    python benchmarks/ingest.py [--posts 200000] [--pg URL]

Prints posts/s for the store on SQLite (and PostgreSQL when reachable) and for
``sqlite3.executemany(INSERT OR IGNORE)`` of the same rows into the same schema, and the ratio.
The posts are synthetic: realistic lengths and fields, made up text.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from outagewatch.models import Post
from outagewatch.store import Store
from outagewatch.store.writes import POST_COLUMNS, post_row

WORDS = [
    "kaiser",
    "pharmacy",
    "down",
    "again",
    "cant",
    "refill",
    "my",
    "prescription",
    "app",
    "login",
    "error",
    "portal",
    "mychart",
    "lab",
    "results",
    "appointment",
    "cancelled",
    "phone",
    "line",
    "busy",
    "hours",
    "outage",
    "system",
    "paper",
    "charts",
    "nurse",
    "said",
    "computers",
]


def synthetic_posts(n: int, seed: int = 7) -> list[Post]:
    """n posts shaped like collected Reddit/Bluesky posts (synthetic text)."""
    rng = random.Random(seed)
    t0 = datetime(2025, 5, 1, tzinfo=UTC)
    sources = ("reddit", "bluesky", "mastodon")
    return [
        Post(
            source=sources[i % 3],
            native_id=f"{i:09d}",
            text=" ".join(rng.choices(WORDS, k=rng.randint(8, 60))),
            created_at=t0 + timedelta(seconds=i * 7),
            url=f"https://example.org/post/{i}",
            kind="post",
            channel=rng.choice(("KaiserPermanente", "bayarea", "pharmacy", "kaiser")),
            thread_id=f"t{i // 5}",
            language="en",
            score=rng.randint(0, 500),
            author_key=f"{rng.getrandbits(128):032x}",
            author_location=rng.choice((None, "Oakland, CA", "Portland OR")),
        )
        for i in range(n)
    ]


def raw_executemany(path: Path, posts: list[Post]) -> float:
    """Seconds to write ``posts`` with plain sqlite3 into the same (migrated) schema."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    placeholders = ", ".join("?" for _ in POST_COLUMNS)
    sql = f"INSERT OR IGNORE INTO posts ({', '.join(POST_COLUMNS)}) VALUES ({placeholders})"
    start = time.perf_counter()
    for i in range(0, len(posts), 2000):
        rows = []
        for p in posts[i : i + 2000]:
            row = post_row(p)
            row["created_at"] = row["created_at"].replace(tzinfo=None).isoformat(sep=" ")
            row["collected_at"] = row["collected_at"].replace(tzinfo=None).isoformat(sep=" ")
            rows.append(tuple(row[c] for c in POST_COLUMNS))
        with conn:
            conn.executemany(sql, rows)
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def store_upsert(url: str, posts: list[Post]) -> float:
    """Seconds to write ``posts`` through Store.upsert_posts (migration excluded)."""
    store = Store.open(url, author_salt="bench")
    start = time.perf_counter()
    store.upsert_posts(posts)
    elapsed = time.perf_counter() - start
    store.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    posts = synthetic_posts(args.posts)
    with tempfile.TemporaryDirectory() as tmp:
        store_s = store_upsert(f"sqlite:///{tmp}/store.db", posts)
        Store.open(f"sqlite:///{tmp}/raw.db").close()  # same schema, created by the migrations
        raw_s = raw_executemany(Path(tmp) / "raw.db", posts)
    n = len(posts)
    print(f"posts: {n} (synthetic)")
    print(f"raw sqlite3.executemany (INSERT OR IGNORE): {n / raw_s:10.0f} posts/s")
    print(f"store upsert, SQLite:                       {n / store_s:10.0f} posts/s")
    print(f"ratio store/raw on SQLite: {raw_s / store_s:.2f} (target >= 0.5)")
    try:
        pg_s = _pg_run(args.pg, posts)
        print(f"store upsert, PostgreSQL:                   {n / pg_s:10.0f} posts/s")
    except Exception as exc:  # reported, not fatal: PostgreSQL is optional here
        print(f"PostgreSQL skipped: {type(exc).__name__}: {str(exc).splitlines()[0]}")


def _pg_run(url: str, posts: list[Post]) -> float:
    """Time the store on a throwaway schema of the PostgreSQL server."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    schema = "bench_" + uuid.uuid4().hex[:8]
    admin = create_engine(url, connect_args={"connect_timeout": 3})
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        return store_upsert(scoped.render_as_string(hide_password=False), posts)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
