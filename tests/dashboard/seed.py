"""A small, realistic store for dashboard tests: eight days of synthetic reports for two organizations.

Everything goes through the store's write API (posts, labels, counts, collector runs, incident
rows); the only direct statement backdates one collector run, which no write API does. Counts
follow the convention of outagewatch.detect.counts: every report adds to each combination of
its service, region (organization region and ``state:XX``) and source, and to the "*" totals.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import product

from sqlalchemy import update

from outagewatch.models import CountRow, Incident, Label, Post, utcnow
from outagewatch.store import Store
from outagewatch.store import incidents as incident_rows
from outagewatch.store.schema import collector_runs

END = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)  # the newest bin ends here: older than the real now
DAYS = 8
MODEL = "m-2025.05"
SPIKE_POSTS = 60
INJECTIONS = (
    "Kaiser pharmacy down <script>window.__pwned=1</script> again",
    'kp.org login broken <img src=x onerror="window.__pwned=1"> since noon',
    "Kaiser app outage, details [click](http://evil.example) here",
)
REGIONS = {
    "kaiser": [("Northern California", "CA"), ("Southern California", "CA"), ("Colorado", "CO"), ("Northwest", "OR")],
    "cvs": [(None, "TX"), (None, "NY"), (None, "FL")],
}
SERVICES = {"kaiser": ["pharmacy", "appointments", "login_app"], "cvs": ["pharmacy", "billing"]}
SOURCES = ["reddit", "bluesky", "mastodon"]


@dataclass
class Seeded:
    """What a test needs to know about the seeded store."""

    end: datetime = END
    open_incident: int = 0
    resolved_incident: int = 0
    injection_ids: list[int] = field(default_factory=list)
    posts: int = 0


def _reports(rng: random.Random) -> list[tuple[Post, Label]]:
    """Background reports with a daily rhythm, plus a pharmacy spike in Northern California."""
    out = []
    start = END - timedelta(days=DAYS)
    for org, hour in product(("kaiser", "cvs"), range(DAYS * 24)):
        at = start + timedelta(hours=hour)
        for _ in range(rng.choice((0, 1, 2, 3, 4) if 8 <= at.hour <= 22 else (0, 0, 1))):
            region, state = rng.choice(REGIONS[org])
            service = rng.choice(SERVICES[org])
            created = at + timedelta(minutes=rng.randrange(60))
            out.append(_pair(len(out), org, service, region, state, rng.choice(SOURCES), created))
    for i in range(SPIKE_POSTS):
        created = END - timedelta(minutes=75) + timedelta(seconds=70 * i)
        out.append(_pair(len(out), "kaiser", "pharmacy", "Northern California", "CA", "reddit", created, spike=True))
    return out


def _pair(
    i: int, org: str, service: str, region: str | None, state: str, source: str, at: datetime, spike: bool = False
) -> tuple[Post, Label]:
    text = f"{org} {service.replace('_', ' ')} not working in {region or state} #{i}"
    post = Post(
        source=source,
        native_id=f"{'spike' if spike else 'bg'}{i}",
        text=text,
        created_at=at,
        url=f"https://{source}.example/{i}",
        collected_at=at + timedelta(minutes=2),
        channel=f"r/{org}" if source == "reddit" else None,
        author_key=f"author{i % 37}",
        synthetic=True,
    )
    evidence = {"org": [org], "service_terms": [service], "region_from": "text"}
    label = Label(
        source, post.native_id, True, 0.9, org=org, services=(service,), service_probs={service: 0.8},
        state=state, region=region, evidence=evidence, model_version=MODEL, labeled_at=at + timedelta(minutes=3),
    )  # fmt: skip
    return post, label


def _counts(pairs: list[tuple[Post, Label]]) -> list[CountRow]:
    posts: dict[tuple, int] = defaultdict(int)
    authors: dict[tuple, set] = defaultdict(set)
    for post, label in pairs:
        minute = post.created_at.minute - post.created_at.minute % 5
        bin_start = post.created_at.replace(minute=minute, second=0, microsecond=0)
        regions = ["*", f"state:{label.state}", *([label.region] if label.region else [])]
        for service, region, source in product(["*", *label.services], regions, ["*", post.source]):
            key = (label.org, service, region, source, bin_start)
            posts[key] += 1
            authors[key].add(post.author_key)
    return [CountRow(*k, posts=n, authors=len(authors[k])) for k, n in posts.items()]


def _extras() -> list[tuple[Post, Label | None]]:
    """Posts that try to inject markup, an unsafe link, a non-report, and an unlabeled post."""
    out: list[tuple[Post, Label | None]] = []
    for i, text in enumerate(INJECTIONS):
        at = END - timedelta(minutes=10 - i)
        channel = "[channel](http://evil.example/c)"  # a channel name is outside text too
        post = Post(
            "bluesky", f"inject{i}", text, at, url=f"https://bsky.example/inject{i}", channel=channel, synthetic=True
        )
        out.append((post, Label("bluesky", post.native_id, True, 0.7, org="kaiser", state="CA", model_version=MODEL)))
    bad_link = Post(
        "reddit", "jslink", "kaiser lab results page blank", END - timedelta(minutes=30), url="javascript:alert(1)"
    )
    out.append((bad_link, Label("reddit", "jslink", True, 0.6, org="kaiser", services=("lab",), model_version=MODEL)))
    calm = Post("reddit", "calm", "Kaiser rolls are the best bread", END - timedelta(hours=2), synthetic=True)
    out.append((calm, Label("reddit", "calm", False, 0.05, org=None, model_version="m-2025.04")))
    out.append((Post("mastodon", "fresh", "anyone else seeing CVS app errors?", END - timedelta(minutes=4)), None))
    return out


def seed(store: Store, rng_seed: int = 7) -> Seeded:
    """Fill an empty store; returns ids the tests assert on."""
    pairs = _reports(random.Random(rng_seed))
    extras = _extras()
    store.upsert_posts([p for p, _ in pairs] + [p for p, _ in extras])
    labels = [lab for _, lab in pairs] + [lab for _, lab in extras if lab is not None]
    first_spike = next(p for p, _ in pairs if p.native_id.startswith("spike")).native_id
    labels.append(
        Label("reddit", first_spike, True, 1.0, org="kaiser", services=("pharmacy",), origin="human", annotator="ana")
    )
    store.upsert_labels(labels)
    store.upsert_counts(_counts(pairs))
    seeded = Seeded(posts=len(pairs) + len(extras))
    ids = _ids(store)
    seeded.injection_ids = [ids[("bluesky", f"inject{i}")] for i in range(len(INJECTIONS))]
    spike = [ids[(p.source, p.native_id)] for p, _ in pairs if p.native_id.startswith("spike")]
    seeded.open_incident, seeded.resolved_incident = _incidents(store, spike)
    _runs(store)
    return seeded


def _ids(store: Store) -> dict[tuple[str, str], int]:
    from outagewatch.store.queries import find_posts

    found = find_posts(store.engine, limit=100_000, include_deleted=True)
    return {(r["source"], r["native_id"]): int(r["id"]) for r in found.to_dict("records")}


def _incidents(store: Store, spike_ids: list[int]) -> tuple[int, int]:
    opened = END - timedelta(minutes=70)
    live = Incident(
        org="kaiser", opened_at=opened, updated_at=END - timedelta(minutes=5), level="likely",
        services=["pharmacy"], regions=["Northern California"], peak=14, baseline=1.2, p_value=1e-9,
        acknowledged_at=opened + timedelta(minutes=40), ack_url="https://status.kp.org/incidents/1",
        lead_minutes=40.0, lead_grade="A",
    )  # fmt: skip
    old_start = END - timedelta(days=3)
    past = Incident(
        org="cvs", opened_at=old_start, updated_at=old_start + timedelta(hours=2), status="resolved",
        resolved_at=old_start + timedelta(hours=2), services=["billing"], regions=["state:TX"], peak=6, baseline=0.8,
    )  # fmt: skip
    with store.engine.begin() as conn:
        live_id = incident_rows.save(conn, live, {})
        incident_rows.link_posts(conn, live_id, spike_ids)
        past_id = incident_rows.save(conn, past, {})
    return live_id, past_id


def _runs(store: Store) -> None:
    """reddit healthy, bluesky failing, mastodon silent for two days, rss running."""
    run = store.start_run("reddit")
    store.save_batch("reddit", [], {"after": "t3_abc"})
    store.finish_run(run, "ok", posts=120, batches=3)
    run = store.start_run("bluesky")
    store.finish_run(
        run,
        "error",
        posts=0,
        batches=0,
        error="RateLimited: retry after 60 s, see [status](http://evil.example/status)",
    )
    run = store.start_run("mastodon")
    store.finish_run(run, "ok", posts=40, batches=1)
    two_days_ago = utcnow() - timedelta(days=2)
    with store.engine.begin() as conn:  # no write API backdates a run
        conn.execute(
            update(collector_runs)
            .where(collector_runs.c.id == run)
            .values(started_at=two_days_ago, finished_at=two_days_ago + timedelta(minutes=1))
        )
    store.start_run("rss")
