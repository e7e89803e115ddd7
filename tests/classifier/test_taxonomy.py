"""The service taxonomy file: its ids are the Label's, and a passing phrase is one of the phrases."""

from __future__ import annotations

import pytest

from classifier.taxonomy import load_taxonomy
from outagewatch.models import SERVICES


def test_the_shipped_taxonomy_covers_every_service_and_leaves_most_phrases_naming():
    services = load_taxonomy()
    assert [s.id for s in services] == list(SERVICES)
    for service in services:
        assert set(service.passing) <= set(service.phrases)
        assert len(service.naming) > len(service.passing)
    phone = next(s for s in services if s.id == "phone")
    assert "call" in phone.passing
    assert "phone lines" in phone.naming


def test_an_unknown_service_id_is_refused(tmp_path):
    path = tmp_path / "taxonomy.toml"
    path.write_text('[[service]]\nid = "teleportation"\nphrases = ["beam me up"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="teleportation"):
        load_taxonomy(path)


def test_a_passing_phrase_missing_from_the_phrases_is_refused(tmp_path):
    path = tmp_path / "taxonomy.toml"
    path.write_text('[[service]]\nid = "phone"\nphrases = ["phone"]\npassing = ["call"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="'call'"):
        load_taxonomy(path)
