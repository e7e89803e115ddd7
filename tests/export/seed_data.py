"""A small store for export and labeling tests: threads on three platforms, an archive backfill,
a deleted post, model labels for every post and human labels from two annotators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from outagewatch.models import Label, Post
from outagewatch.store import Store

LIVE = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ARCHIVE_POSTED = datetime(2024, 1, 10, 9, 0, tzinfo=UTC)
ARCHIVE_COLLECTED = datetime(2025, 6, 3, 8, 0, tzinfo=UTC)
MODEL = "m-test-1"
DELETED_TEXT = "DELETED-SECRET kaiser pharmacy down"
THREADS = 24


@dataclass(frozen=True)
class Seeded:
    """What the tests need to know."""

    live: int
    archive: int
    deleted_key: tuple[str, str]
    human_keys: list[tuple[str, str]]


def _post(source: str, native_id: str, text: str, at: datetime, **kw: object) -> Post:
    kw.setdefault("collected_at", at + timedelta(minutes=3))
    kw.setdefault("author_handle", f"user{len(native_id) % 5}")
    return Post(
        source=source, native_id=native_id, text=text, created_at=at, url=f"https://{source}.example/{native_id}", **kw
    )


def live_posts() -> list[Post]:
    """Threads of three posts on reddit and bluesky, parent chains on mastodon."""
    out = []
    for t in range(THREADS):
        at = LIVE + timedelta(minutes=10 * t)
        if t % 3 == 0:
            root = f"t3_{t}"
            out += [
                _post(
                    "reddit",
                    root,
                    f"Kaiser pharmacy down again @kp_help https://kp.org/{t}",
                    at,
                    thread_id=root,
                    kind="submission",
                    channel="r/KaiserPermanente",
                    author_handle="alice",
                ),
                _post(
                    "reddit",
                    f"t1_{t}a",
                    "same here, refills fail",
                    at + timedelta(minutes=1),
                    thread_id=root,
                    parent_id=root,
                    kind="comment",
                    channel="r/KaiserPermanente",
                    author_handle="bob",
                ),
                _post(
                    "reddit",
                    f"t1_{t}b",
                    "still down for me",
                    at + timedelta(minutes=2),
                    thread_id=root,
                    parent_id=f"t1_{t}a",
                    kind="comment",
                    channel="r/KaiserPermanente",
                ),
            ]
        elif t % 3 == 1:
            root = f"at://did:plc:x/app.bsky.feed.post/{t}"
            out += [
                _post("bluesky", root, f"CVS app login broken, u/someone says www.cvs.com is fine #{t}", at),
                _post(
                    "bluesky",
                    f"{root}r1",
                    "yep cannot sign in",
                    at + timedelta(minutes=1),
                    thread_id=root,
                    parent_id=root,
                    kind="reply",
                ),
                _post(
                    "bluesky",
                    f"{root}r2",
                    "works now",
                    at + timedelta(minutes=2),
                    thread_id=root,
                    parent_id=f"{root}r1",
                    kind="reply",
                ),
            ]
        else:  # Mastodon-like: parents only, no thread ids
            root = f"m{t}"
            out += [
                _post("mastodon", root, f"kaiser phone lines jammed @ana@mastodon.social {t}", at, language="en"),
                _post("mastodon", f"{root}-1", "same in oakland", at + timedelta(minutes=1), parent_id=root),
                _post("mastodon", f"{root}-2", "hold music forever", at + timedelta(minutes=2), parent_id=f"{root}-1"),
            ]
    return out


def archive_posts() -> list[Post]:
    """Posted in January 2024, collected in June 2025 (a backfill)."""
    return [
        _post(
            "reddit",
            f"t3_old{i}",
            f"old kaiser outage story {i}",
            ARCHIVE_POSTED + timedelta(hours=i),
            thread_id=f"t3_old{i}",
            collected_at=ARCHIVE_COLLECTED + timedelta(minutes=i),
            channel="archive",
        )
        for i in range(6)
    ]


def _model_label(post: Post, i: int) -> Label:
    report = i % 4 != 3
    org = "cvs" if post.source == "bluesky" else "kaiser"
    services = ("login_app",) if org == "cvs" else ("pharmacy",) if post.source == "reddit" else ("phone",)
    p = (0.55 + (i % 9) * 0.05) if report else (0.05 + (i % 5) * 0.08)
    return Label(
        source=post.source,
        native_id=post.native_id,
        is_report=report,
        p_report=round(p, 2),
        org=org,
        services=services if report else (),
        state="CA",
        region="Northern California" if org == "kaiser" else None,
        origin="model",
        model_version=MODEL,
        labeled_at=LIVE + timedelta(days=3),
    )


def human(post: Post, annotator: str, is_report: bool, services: tuple[str, ...] = ("pharmacy",)) -> Label:
    """A human label as the Labeling page writes it."""
    return Label(
        source=post.source,
        native_id=post.native_id,
        is_report=is_report,
        p_report=1.0 if is_report else 0.0,
        org="kaiser",
        services=services if is_report else (),
        state="CA",
        origin="human",
        annotator=annotator,
        labeled_at=LIVE + timedelta(days=4),
    )


def seed(store: Store) -> Seeded:
    """Fill the store; returns counts and keys the tests check against."""
    live, archive = live_posts(), archive_posts()
    deleted = _post("reddit", "t3_gone", DELETED_TEXT, LIVE + timedelta(hours=1), thread_id="t3_gone", deleted=True)
    store.upsert_posts([*live, *archive, deleted])
    everything = [*live, *archive, deleted]
    store.upsert_labels(_model_label(p, i) for i, p in enumerate(everything))
    reddit = [p for p in live if p.source == "reddit"][:6]
    labels = [human(p, "ana", True) for p in reddit]
    labels += [human(p, "ben", i % 3 != 0) for i, p in enumerate(reddit)]
    store.upsert_labels(labels)
    return Seeded(len(live), len(archive), deleted.key, [p.key for p in reddit])
