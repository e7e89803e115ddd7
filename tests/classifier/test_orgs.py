"""Organization head: aliases, handles, domains, typos, and the words that make a mention ambiguous."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "text",
    [
        "made kaiser rolls from scratch today, recipe in comments!",
        "Kaiser Chiefs were amazing last night, still know every word",
        "Epic Games servers down again, can't even log in to Fortnite",
        "what an epic fail, my team lost 40-0",
        "sang the national anthem at the game tonight",
    ],
)
def test_ambiguous_mentions_name_no_org(label_one, text):
    assert label_one(text).org is None


@pytest.mark.parametrize(
    ("text", "org"),
    [
        ("KP app down, can't log in", "kaiser"),
        ("kp.org is throwing a 503 for me rn", "kaiser"),
        ("Kasier pharmacy system is down again", "kaiser"),
        ("Aetna's site won't load my ID card", "aetna"),
        ("@cvspharmacy your app keeps crashing when I refill", "cvs"),
        ("MyChart is down at Sutter, can't see my results", "sutter"),
        ("our epic went down at the hospital, paper charting all night", "epic"),
        ("Change Healthcare outage means no claims are going through", "change_healthcare"),
    ],
)
def test_aliases_handles_domains_and_typos(label_one, text, org):
    assert label_one(text).org == org


def test_org_from_channel_when_text_names_none(label_one):
    lab = label_one("the app won't load my prescriptions at all", channel="r/KaiserPermanente")
    assert lab.org == "kaiser"
    assert lab.evidence["org_source"] == "channel:r/KaiserPermanente"


def test_evidence_names_terms(label_one):
    lab = label_one("made kaiser rolls and then the Kaiser pharmacy app crashed")
    assert lab.org == "kaiser"
    assert "kaiser rolls" in lab.evidence["org_ambiguous_terms"]
    assert lab.evidence["org_terms"] == ["kaiser"]
