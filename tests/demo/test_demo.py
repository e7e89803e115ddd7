"""`outagewatch demo` end to end: the modeled outage is found, the hard negatives are not (synthetic data)."""

import json

import pandas as pd
import pytest
from sqlalchemy import func, select

from outagewatch.demo import scenario
from outagewatch.store import Store, queries
from outagewatch.store.schema import posts

pytestmark = pytest.mark.slow

KP_SERVICES = {"pharmacy", "lab", "radiology", "e_visits", "billing", "messaging", "records", "phone"}
KP_REGIONS = {"Northern California", "Northwest", "Southern California", "Mid-Atlantic States"}


def _incidents(demo):
    result, _ = demo
    return {(i["org"], i["opened_at"].date().isoformat()): i for i in result.incidents}


def test_the_kaiser_outage_is_one_confirmed_incident_with_its_services_and_regions(demo):
    incidents = _incidents(demo)
    kp = incidents[("kaiser", "2025-05-28")]
    assert scenario.KP_OUTAGE <= kp["opened_at"] <= scenario.KP_OUTAGE + scenario.timedelta(minutes=30)
    assert kp["level"] == "confirmed"
    assert set(kp["services"]) >= KP_SERVICES, kp["services"]
    assert set(kp["regions"]) >= KP_REGIONS, kp["regions"]
    assert kp["acknowledged_at"] == scenario.KP_ACK
    assert kp["lead_grade"] == "C"


def test_the_walgreens_incident_is_found_and_nothing_else(demo):
    incidents = _incidents(demo)
    walgreens = incidents[("walgreens", "2025-05-21")]
    assert {"pharmacy", "login_app"} <= set(walgreens["services"])
    assert pd.isna(walgreens["acknowledged_at"])
    assert walgreens["lead_minutes"] == 240.0
    assert set(incidents) == {("kaiser", "2025-05-28"), ("walgreens", "2025-05-21")}, (
        "hard negatives (strike news, kaiser rolls, hearsay) and background noise opened no incident"
    )


def test_alerts_reached_the_local_webhook_once_per_incident_update(demo):
    result, folder = demo
    delivered = [json.loads(line) for line in (folder / "demo-alerts.jsonl").read_text().splitlines()]
    assert len(delivered) == len(result.alerts) >= 2
    incidents = [a["incident"] for a in delivered]
    keys = [(i["incident_id"], i["version"]) for i in incidents]
    assert len(keys) == len(set(keys)), "one alert per incident update"
    assert {i["org"] for i in incidents} == {"kaiser", "walgreens"}
    handles = {json.loads(line)["author"] for line in (folder / "demo-scenario" / "posts.jsonl").open()}
    examples = [e for i in incidents for e in i["examples"]]
    assert examples
    assert not any(e["author"] in handles for e in examples), "alerts show pseudonyms, never handles"
    store = Store.open(result.db_url)
    sent = queries.alert_list(store.engine)
    assert set(sent["status"]) == {"sent"}
    store.close()


def test_every_post_is_marked_synthetic_and_collected_by_the_real_clients(demo):
    result, _ = demo
    store = Store.open(result.db_url)
    with store.engine.connect() as conn:
        by_source = dict(conn.execute(select(posts.c.source, func.count()).group_by(posts.c.source)).all())
        real = conn.execute(select(func.count()).select_from(posts).where(posts.c.synthetic.is_(False))).scalar_one()
    health = queries.collector_health(store.engine)
    store.close()
    assert real == 0
    assert set(by_source) == {"reddit", "bluesky", "mastodon", "rss"}
    assert sum(by_source.values()) == result.posts
    assert set(health["last_status"]) == {"ok"}
