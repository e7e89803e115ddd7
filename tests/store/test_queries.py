from datetime import timedelta

from outagewatch.models import CountRow, Label, Post
from outagewatch.store import queries
from tests.store.helpers import T0, make_posts


def _seed(store) -> None:
    store.upsert_posts(make_posts(6))
    store.upsert_labels(
        [
            Label(
                "reddit",
                "p0",
                True,
                0.95,
                org="kaiser",
                services=("pharmacy", "lab"),
                state="CA",
                region="Northern California",
                model_version="m1",
            ),
            Label("reddit", "p1", True, 0.8, org="kaiser", services=("lab",), state="OR", model_version="m1"),
            Label("reddit", "p2", False, 0.1, org="kaiser", model_version="m1"),
            Label("reddit", "p3", True, 0.9, org="cvs", services=("pharmacy",), model_version="m1"),
        ]
    )
    rows = []
    for minutes, service, n in ((0, "pharmacy", 4), (5, "pharmacy", 2), (0, "lab", 1), (0, "*", 5), (5, "*", 2)):
        rows.append(CountRow("kaiser", service, "*", "*", T0 + timedelta(minutes=minutes), n, n))
    rows.append(CountRow("kaiser", "*", "Northern California", "*", T0, 3, 3))
    store.upsert_counts(rows)


def test_find_posts_filters(store):
    _seed(store)
    assert set(queries.find_posts(store.engine, org="kaiser")["native_id"]) == {"p0", "p1", "p2"}
    assert set(queries.find_posts(store.engine, reports_only=True, org="kaiser")["native_id"]) == {"p0", "p1"}
    assert set(queries.find_posts(store.engine, service="lab")["native_id"]) == {"p0", "p1"}
    assert set(queries.find_posts(store.engine, state="OR")["native_id"]) == {"p1"}
    assert queries.find_posts(store.engine, text="#5")["native_id"].tolist() == ["p5"]
    window = queries.find_posts(store.engine, since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=4))
    assert window["native_id"].tolist() == ["p3", "p2"]


def test_breakdown_ranks_services_and_regions(store):
    _seed(store)
    top = queries.breakdown(store.engine, "kaiser", T0, T0 + timedelta(hours=1), by="service", limit=3)
    assert top.to_dict("records") == [{"service": "pharmacy", "posts": 6}, {"service": "lab", "posts": 1}]
    regions = queries.breakdown(store.engine, "kaiser", T0, T0 + timedelta(hours=1), by="region")
    assert regions["region"].tolist() == ["Northern California"]


def test_collector_health_shows_the_last_run_and_state(store):
    run = store.start_run("reddit")
    store.finish_run(run, "error", posts=0, batches=0, error="429 Too Many Requests")
    run = store.start_run("reddit")
    store.save_batch("reddit", make_posts(2), {"after": "p1"})
    store.finish_run(run, "ok", posts=2, batches=1)
    store.start_run("rss")
    health = queries.collector_health(store.engine).set_index("collector")
    assert health.loc["reddit", "last_status"] == "ok"
    assert health.loc["reddit", "runs"] == 2
    assert health.loc["reddit", "errors_total"] == 1
    assert health.loc["reddit", "state"] == {"after": "p1"}
    assert health.loc["rss", "last_status"] == "running"


def test_acknowledgments_are_official_posts(store):
    store.upsert_posts([Post("rss", "ack1", "Investigating pharmacy issues", T0, official_org="kaiser", kind="status")])
    store.upsert_posts(make_posts(2))
    acks = queries.acknowledgments(store.engine, org="kaiser")
    assert acks["native_id" if "native_id" in acks else "text"].tolist() == ["Investigating pharmacy issues"]
    assert acks.loc[0, "created_at"] == T0


def test_a_run_left_running_by_a_dead_process_is_closed_as_interrupted(store):
    store.start_run("reddit")  # the process is killed here
    store.start_run("reddit")
    health = queries.collector_health(store.engine).set_index("collector")
    assert health.loc["reddit", "last_status"] == "running"
    assert health.loc["reddit", "errors_total"] == 1
