"""is_report and services heads on hard cases, with the shipped model."""

from __future__ import annotations

import numpy as np
import pytest

from outagewatch.models import SERVICES

NOT_REPORTS = [
    "I heard Kaiser's systems are down all over NorCal? Anyone confirm before I drive to the pharmacy",
    "my coworker told me CVS is having some kind of outage, not sure if true",
    "Change Healthcare cyberattack: pharmacies nationwide struggle to process prescriptions "
    "https://www.reuters.com/technology/change-healthcare-outage",
    "Reminder: kp.org and the app will be unavailable Sunday 12am-6am for scheduled maintenance.",
    "Heads up, Sutter's My Health Online will be down for an upgrade this Saturday night",
    "$612 for a month of my inhaler at Walgreens. With insurance. I'm going to scream",
    "CVS won't refill my prescription until Thursday because it's too early. rules are dumb",
    "kaiser app is back up for me! thanks to whoever was working on it all night",
    "Was anyone else affected by the CVS outage this morning? Mine was fine, no problems",
    "made kaiser rolls from scratch today, recipe in comments!",
]
REPORTS = [
    "kaiser pharmacy in san leandro told me their computers have been down since 9 and they can't fill anything",
    "our EHR is down, back to paper charting for the whole unit tonight",
    "mychart is down again??? cant see my test results and cant message my dr",
    "Walgreens app keeps logging me out and now the refill button does nothing",
    "Epic Games servers down again, can't even log in to Fortnite",
]


@pytest.mark.parametrize("text", NOT_REPORTS)
def test_hearsay_news_planned_complaints_are_not_reports(label_one, text):
    assert not label_one(text).is_report


@pytest.mark.parametrize("text", REPORTS)
def test_first_hand_disruptions_are_reports(label_one, text):
    lab = label_one(text)
    assert lab.is_report
    assert 0.5 <= lab.p_report <= 1.0


def test_non_watched_outage_is_a_report_without_org(label_one):
    lab = label_one("Fortnite down for anyone else? stuck on connecting, epic launcher says servers offline")
    assert lab.is_report
    assert lab.org is None


def test_multi_service_post(label_one):
    lab = label_one(
        "Tried to do my video visit with my Kaiser doctor and the link just loads forever. "
        "Called the appointment line and been on hold 50 min, then it disconnected."
    )
    assert {"e_visits", "phone"} <= set(lab.services)
    assert all(0.0 <= lab.service_probs[s] <= 1.0 for s in lab.services)


def test_staff_ehr_downtime_is_records(label_one):
    lab = label_one("ICU RN here. Epic has been down since 0200, we're on downtime procedures and paper charting")
    assert lab.is_report
    assert "records" in lab.services


def test_every_label_has_evidence_and_version(label_one):
    lab = label_one("kaiser pharmacy system is down again in Oakland")
    assert lab.evidence["terms"]
    assert lab.evidence["place_source"] == "text"
    assert lab.model_version
    assert lab.model_version.startswith("outagewatch-")


def test_a_named_service_is_chosen_even_below_its_threshold(model):
    """A service named outright counts; otherwise the head's own threshold decides."""
    phone = SERVICES.index("phone")
    threshold = model.service_thresholds_[phone]
    proba = np.zeros((3, len(SERVICES)))
    proba[:, phone] = [threshold, threshold - 0.01, 0.0]
    named = np.zeros_like(proba, dtype=bool)
    named[2, phone] = True
    assert model.service_decisions(proba, named)[:, phone].tolist() == [True, False, True]


def test_a_phrase_naming_its_service_outright_chooses_it(label_one):
    assert "phone" in label_one("Tried the advice line three times this morning, nothing").services


@pytest.mark.parametrize(
    ("text", "not_meant"),
    [
        ("The gang behind the hospital ransomware call themselves something dumb, naturally", "phone"),
        ("Whoever wrote this bill in the state senate never worked a pharmacy shift", "billing"),
    ],
)
def test_a_service_word_in_another_sense_does_not_choose_the_service(label_one, text, not_meant):
    assert not_meant not in label_one(text).services


def test_service_named_once_in_a_long_post(label_one):
    lab = label_one(
        "Long day. Got to the clinic at 8, waited forever, the nurse was lovely though. "
        "Then downstairs they couldn't fill anything, said the pharmacy computers were out."
    )
    assert "pharmacy" in lab.services
