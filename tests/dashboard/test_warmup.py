"""The launcher's warm-up: priming fills exactly the caches the landing pages read by default."""

from __future__ import annotations

import streamlit as st

from dashboard import data, warmup
from tests.dashboard.test_pages import open_page


class Recorder:
    """Stands in for outagewatch.store.queries in dashboard.data and notes every query run."""

    def __init__(self, real) -> None:
        self.real, self.ran = real, []

    def __getattr__(self, name: str):
        self.ran.append(name)
        return getattr(self.real, name)


def test_priming_answers_every_read_of_the_overview_and_trends(seeded_db, model_dir, monkeypatch):
    url, _ = seeded_db
    monkeypatch.setenv("OUTAGEWATCH_DB_URL", url)
    st.cache_data.clear()
    warmup.prime()
    recorder = Recorder(data.queries)
    monkeypatch.setattr(data, "queries", recorder)
    for page in ("overview", "trends"):
        at = open_page(url, page, monkeypatch)
        assert at.get("vega_lite_chart")
    assert recorder.ran == []  # a page default the warm-up misses would show up here


def test_without_priming_the_pages_do_query(seeded_db, model_dir, monkeypatch):
    url, _ = seeded_db
    st.cache_data.clear()
    recorder = Recorder(data.queries)
    monkeypatch.setattr(data, "queries", recorder)
    open_page(url, "overview", monkeypatch)
    assert "count_series" in recorder.ran  # the recorder does see cache misses


def test_priming_an_empty_store_does_nothing(empty_db, monkeypatch):
    monkeypatch.setenv("OUTAGEWATCH_DB_URL", empty_db)
    st.cache_data.clear()
    warmup.prime()
