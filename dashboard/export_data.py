"""Data for the Labeling and Export pages: cached reads, label writes and export builds.

Pages call only this module (no SQL in pages). Reads are cached briefly and keyed on the
database URL; saving a label clears the caches it changes, so the queue moves on at once.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.data import db_url
from outagewatch import labeling, runtime
from outagewatch.export.build import export_dataset, zip_folder
from outagewatch.export.filters import ExportFilters, ExportOptions
from outagewatch.store import Store, queries

TTL = 30


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store.open(url)


def store() -> Store:
    """The dashboard's store."""
    return _store(db_url())


@st.cache_data(ttl=TTL, show_spinner=False)
def _queue(url: str, annotator: str, mode: str, limit: int, seed: int) -> pd.DataFrame:
    return labeling.next_posts(_store(url), annotator, mode=mode, limit=limit, seed=seed)


def queue(annotator: str, mode: str, limit: int = 25, seed: int = 0) -> pd.DataFrame:
    """The annotator's next posts (uncertain first, random, or for agreement)."""
    return _queue(db_url(), annotator, mode, limit, seed)


@st.cache_data(ttl=300, show_spinner=False)
def _parent(url: str, source: str, native_id: str) -> dict | None:
    return queries.parent_post(_store(url).engine, source, native_id)


def parent(source: str, native_id: str | None) -> dict | None:
    """The post a reply answers, when it was collected and not deleted."""
    if not native_id:
        return None
    found = _parent(db_url(), source, native_id)
    return None if found is None or found["deleted"] else found


@st.cache_data(ttl=TTL, show_spinner=False)
def _human_labels(url: str) -> pd.DataFrame:
    return queries.human_labels(_store(url).engine)


def human_labels() -> pd.DataFrame:
    """Every human label with its post."""
    return _human_labels(db_url())


def save_label(source: str, native_id: str, annotator: str, **fields: Any) -> None:
    """Save one decision and refresh the queue and the agreement figures."""
    labeling.save_human_label(store(), source, native_id, annotator, **fields)
    _queue.clear()
    _human_labels.clear()


def annotator_pairs() -> pd.DataFrame:
    """Pairs of annotators with posts in common."""
    return labeling.annotator_pairs(human_labels())


def agreement(a: str, b: str) -> pd.DataFrame:
    """Cohen's kappa per head for two annotators."""
    return labeling.agreement(human_labels(), a, b)


def watched_orgs() -> dict[str, str]:
    """Organization id -> name, in watch-list order."""
    return {o.id: o.name for o in runtime.watchlist().orgs}


def org_regions() -> list[str]:
    """Every organization region in the watch list, each once."""
    return list(dict.fromkeys(r for o in runtime.watchlist().orgs for r in o.regions))


@st.cache_data(ttl=TTL, show_spinner=False)
def _sources(url: str) -> list[str]:
    return queries.post_sources(_store(url).engine)


def sources() -> list[str]:
    """Sources with stored posts."""
    return _sources(db_url())


@st.cache_data(ttl=120, max_entries=4, show_spinner=False)
def _build(url: str, filters: ExportFilters, options: ExportOptions, name: str) -> tuple[bytes, dict]:
    s = runtime.settings()
    with tempfile.TemporaryDirectory() as tmp:
        result = export_dataset(
            _store(url), Path(tmp) / name, filters, options, salt=runtime.author_salt(s), watchlist=runtime.watchlist(s)
        )
        return zip_folder(result.folder), result.manifest


def build_export(
    filters: ExportFilters, options: ExportOptions, name: str = "outagewatch-export"
) -> tuple[bytes, dict]:
    """Run an export into a temporary folder and return it zipped, with its manifest."""
    return _build(db_url(), filters, options, name)
