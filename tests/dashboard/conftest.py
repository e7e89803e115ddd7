"""Databases shared by the dashboard tests: one seeded and one empty SQLite store per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from outagewatch.store import Store
from tests.dashboard.seed import Seeded, seed


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Seeded]:
    """The URL of a seeded SQLite store and what was seeded."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'seeded.db'}"
    store = Store.open(url, author_salt="test-salt")
    info = seed(store)
    store.close()
    return url, info


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a migrated, empty SQLite store."""
    url = f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'empty.db'}"
    Store.open(url).close()
    return url


@pytest.fixture
def model_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty model folder the dashboard reads instead of data/model."""
    monkeypatch.setenv("OUTAGEWATCH_MODEL_DIR", str(tmp_path))
    return tmp_path
