"""The generator is seeded and keeps held-out templates apart from training ones."""

from __future__ import annotations

import pytest
import us

from classifier.synthetic import FREEFORM, FREEFORM_COPIES, HELDOUT_EVERY, freeform_posts, generate
from outagewatch.models import SERVICES
from outagewatch.watchlist import load_watchlist


def test_generator_is_deterministic_and_split_by_template():
    train_a, heldout_a = generate(seed=5)
    train_b, _ = generate(seed=5)
    assert [r["text"] for r in train_a[:50]] == [r["text"] for r in train_b[:50]]
    assert {r["template"] for r in train_a}.isdisjoint({r["template"] for r in heldout_a})
    assert all(r["origin"] == "synthetic" for r in train_a + heldout_a)
    assert {r["is_report"] for r in train_a} == {True, False}


def test_freeform_posts_are_split_like_templates_and_copied_only_for_training():
    train, heldout = generate(seed=5)
    written_train = [r for r in train if r["labeling"] == "written" and not r["id"].endswith("-aug")]
    written_heldout = [r for r in heldout if r["labeling"] == "written"]
    assert written_heldout
    assert all(int(r["template"].split("/")[1]) % HELDOUT_EVERY == 2 for r in written_heldout)
    originals = {r["template"]: r for r in written_train if "-copy" not in r["id"]}
    assert all(int(t.split("/")[1]) % HELDOUT_EVERY != 2 for t in originals)
    assert len(written_train) == FREEFORM_COPIES * len(originals)
    labels = ("is_report", "org", "services", "state", "region")
    for copy in written_train:
        source = originals[copy["template"]]
        assert [copy[k] for k in labels] == [source[k] for k in labels]
    assert all(r["origin"] == "synthetic" for r in written_train + written_heldout)


@pytest.mark.parametrize("name", [FREEFORM.name, "freeform_next.jsonl"])
def test_shipped_freeform_posts_use_only_known_labels(name):
    """Also the posts waiting in freeform_next.jsonl, so they stay ready to train on."""
    orgs = {org.id: org for org in load_watchlist().orgs}
    states = {state.abbr for state in us.states.STATES_AND_TERRITORIES} | {"DC"}
    posts = freeform_posts(FREEFORM.parent / name)
    assert len(posts) > 1000
    for post in posts:
        assert isinstance(post["is_report"], bool)
        assert post["text"].strip()
        assert set(post["services"]) <= set(SERVICES)
        assert post["org"] is None or post["org"] in orgs
        assert post["state"] is None or post["state"] in states
        if post["region"] is not None:
            assert post["region"] in orgs[post["org"]].regions
        assert post["family"].startswith("freeform_")
