"""A seeded store for labeling tests (the export test data: model labels and two annotators)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from outagewatch.store import Store
from tests.export.seed_data import Seeded, seed


@pytest.fixture
def labeled(tmp_path: Path) -> Iterator[tuple[Store, Seeded]]:
    """A seeded SQLite store."""
    store = Store.open(f"sqlite:///{tmp_path / 'labels.db'}", author_salt="salt")
    info = seed(store)
    yield store, info
    store.close()
