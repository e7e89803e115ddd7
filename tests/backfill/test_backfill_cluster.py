"""`outagewatch backfill` on a 2-process LocalCluster: Parquet by day, labels, privacy, counts, re-runs."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds
import pytest
import typer
from backfill_data import CHUNK, HANDLES, SALT, write_archive
from sqlalchemy import insert, select
from typer.testing import CliRunner

from collectors.archive import import_file
from outagewatch import backfill_commands, runtime
from outagewatch.backfill import SCHEMA, run_backfill
from outagewatch.backfill_commands import connect
from outagewatch.classify import classify_store
from outagewatch.config import Settings
from outagewatch.store import Store
from outagewatch.store.schema import counts

pytestmark = pytest.mark.slow  # the module's cluster and model loads take ~15 s together


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], int]:
    """The archive's files and its number of good post lines (repeats included)."""
    return write_archive(tmp_path_factory.mktemp("archive"))


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A LocalCluster of 2 worker processes, as `outagewatch backfill --workers 2` makes it."""
    with connect(workers=2) as c:
        yield c


def _days(folder: Path) -> dict[str, Path]:
    return {p.name.removeprefix("day="): p / "part-0.parquet" for p in sorted(folder.glob("day=*"))}


def _counts(store: Store) -> list[tuple]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(counts).order_by(*counts.primary_key.columns)).all()
    return [tuple(r) for r in rows]


def _expected_days(paths: list[Path]) -> Counter:
    """Posts per UTC day straight from the archive's good lines, each (kind, id) once."""
    import gzip

    seen, days = set(), Counter()
    for path in paths:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                    key, stamp = ("body" in rec, rec["id"]), rec["created_utc"]
                except (ValueError, KeyError, TypeError):
                    continue
                if key not in seen:
                    seen.add(key)
                    days[datetime.fromtimestamp(stamp, UTC).date().isoformat()] += 1
    return days


@pytest.fixture(scope="module")
def done(client, archive, tmp_path_factory):
    """One backfill of the archive: its summary, Parquet folder and store."""
    paths, _ = archive
    folder = tmp_path_factory.mktemp("backfill")
    store = Store.open(f"sqlite:///{folder / 'store.db'}", author_salt=SALT)
    summary = run_backfill(client, paths, folder / "out", store, salt=SALT, chunk_bytes=CHUNK)
    yield summary, folder / "out", store
    store.close()


def test_parquet_is_partitioned_by_day_with_every_post_once_and_its_labels(done, archive) -> None:
    summary, out, _ = done
    paths, good_lines = archive
    expected = _expected_days(paths)
    assert set(_days(out)) == set(expected)
    assert len(expected) == 4
    dataset = ds.dataset(out, format="parquet", partitioning="hive", exclude_invalid_files=True)
    table = dataset.to_table()
    per_day = Counter(table.column("day").to_pylist())
    assert dict(per_day) == dict(expected)
    assert summary.posts == good_lines + 2
    assert summary.rows == good_lines
    assert summary.rejected == 4
    assert summary.lines == good_lines + 2 + 4
    for path in _days(out).values():
        assert ds.dataset(path).schema.names == SCHEMA.names
    frame = table.to_pandas()
    assert not frame.duplicated(["source", "native_id"]).any()
    assert frame["model_version"].notna().all()
    assert frame["p_report"].between(0, 1).all()
    reports = frame[frame["is_report"]]
    assert 0.2 < len(reports) / len(frame) < 0.5  # the archive is ~35% reports
    assert {"kaiser", "sutter", "providence"} <= set(reports["org"].dropna())
    assert reports["services"].map(len).gt(0).mean() > 0.8
    assert reports["state"].notna().any()
    assert summary.reports == int((frame["is_report"] & frame["org"].notna()).sum())


def test_no_raw_handle_reaches_parquet(done) -> None:
    _, out, _ = done
    frame = ds.dataset(out, format="parquet", partitioning="hive").to_table().to_pandas()
    assert "author_handle" not in frame.columns
    keys = frame["author_key"].dropna()
    assert keys.str.fullmatch(r"[0-9a-f]{32}").all()
    assert 40 <= keys.nunique() <= len(HANDLES)
    text_columns = [c for c in frame.columns if frame[c].dtype == object and c != "services"]
    values = {v for c in text_columns for v in frame[c].dropna().astype(str)}
    assert not any(h in v for v in values for h in HANDLES)


def test_counts_equal_what_the_live_path_makes_from_the_same_posts(done, archive, tmp_path) -> None:
    _, _, store = done
    paths, _ = archive
    live = Store.open(f"sqlite:///{tmp_path / 'live.db'}", author_salt=SALT)
    try:
        for path in paths:  # the live path: import into the store, classify, recount
            import_file(live, path, rejects_path=tmp_path / "rejects.jsonl")
        classify_store(live)
        expected = _counts(live)
    finally:
        live.close()
    assert len(expected) > 1000
    assert any(row[-1] < row[-2] for row in expected)  # some bins have repeat authors: authors were not summed
    assert _counts(store) == expected


def test_a_rerun_gives_the_same_files_and_replaces_the_days_it_covers(done, client, archive) -> None:
    summary, out, store = done
    paths, _ = archive
    before_files = {day: hashlib.sha256(p.read_bytes()).hexdigest() for day, p in _days(out).items()}
    before_counts = _counts(store)
    stale = {"org": "kaiser", "service": "*", "region": "*", "source": "*", "posts": 99, "authors": 99}
    with store.engine.begin() as conn:
        conn.execute(insert(counts).values(bin_start=datetime(2026, 3, 2, 3, 1, tzinfo=UTC), **stale))
    (out / "day=2026-03-02" / "part-7.parquet").write_bytes(b"left over from an older run")
    again = run_backfill(client, paths, out, store, salt=SALT, chunk_bytes=CHUNK)
    assert {day: hashlib.sha256(p.read_bytes()).hexdigest() for day, p in _days(out).items()} == before_files
    assert not (out / "day=2026-03-02" / "part-7.parquet").exists()
    assert _counts(store) == before_counts
    assert (again.rows, again.count_rows, again.days) == (summary.rows, summary.count_rows, summary.days)
    assert not (out / "_staging").exists()


def test_cli_runs_on_a_cluster_given_by_address(client, archive, tmp_path, monkeypatch) -> None:
    paths, good_lines = archive
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {"OUTAGEWATCH_AUTHOR_SALT": SALT, "OUTAGEWATCH_DATA_DIR": str(tmp_path / "data")}
    monkeypatch.setattr(runtime, "_settings", Settings.load(flags={"db_url": url}, environ=env))
    app = typer.Typer()
    backfill_commands.register(app)
    app.command("noop")(lambda: None)
    args = ["backfill", *map(str, paths), "--scheduler", client.scheduler.address, "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"{good_lines + 2} posts from" in result.output
    assert "4 days" in result.output
    assert len(_days(tmp_path / "o")) == 4
    store = Store.open(url)
    try:
        assert len(_counts(store)) > 1000
    finally:
        store.close()
