"""A seeded SQLite store and a helper that exports it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from outagewatch.export.build import ExportResult, export_dataset
from outagewatch.export.filters import ExportFilters, ExportOptions
from outagewatch.store import Store
from tests.export.seed_data import Seeded, seed

SALT = "project-salt-A"


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[Store, Seeded]]:
    """A store holding the export test data (salted like a project)."""
    store = Store.open(f"sqlite:///{tmp_path / 'export.db'}", author_salt=SALT)
    info = seed(store)
    yield store, info
    store.close()


def run_export(
    store: Store, out: Path, fmt: str = "parquet", *, salt: str = SALT, chunk: int = 1000, **filters: object
) -> ExportResult:
    """Export with the given format and filters."""
    return export_dataset(
        store,
        out,
        ExportFilters(**filters),
        ExportOptions(format=fmt, chunk_size=chunk),
        salt=salt,  # type: ignore[arg-type]
    )


@pytest.fixture
def export(seeded: tuple[Store, Seeded], tmp_path: Path):
    """Call as export(name, fmt, **filters) to export the seeded store into tmp_path/name."""
    store, _ = seeded

    def run(name: str, fmt: str = "parquet", **kw: object) -> ExportResult:
        return run_export(store, tmp_path / name, fmt, **kw)

    return run
