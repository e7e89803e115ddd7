"""Each format reads back with pandas and pyarrow, the card loads with `datasets`, the manifest verifies."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
import pytest
import yaml

from outagewatch.export.manifest import verify
from outagewatch.export.records import columns_for
from tests.export.seed_data import DELETED_TEXT

LIVE_AND_ARCHIVE = 72 + 6  # every stored post except the deleted one


def read_pandas(path, fmt: str) -> pd.DataFrame:
    if fmt == "parquet":
        return pd.read_parquet(path)
    if fmt == "jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def read_arrow(path, fmt: str) -> pa.Table:
    return {"parquet": pq.read_table, "jsonl": pajson.read_json, "csv": pacsv.read_csv, "ids": pacsv.read_csv}[fmt](
        path
    )


def front_matter(folder) -> dict:
    text = (folder / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_round_trip_with_pandas_and_pyarrow(export, fmt):
    result = export(fmt, fmt)
    assert result.rows == LIVE_AND_ARCHIVE
    names = [c.name for c in columns_for(fmt, "model")]
    total = 0
    for entry in result.manifest["files"]:
        if entry["split"] is None:
            continue
        path = result.folder / entry["path"]
        frame, table = read_pandas(path, fmt), read_arrow(path, fmt)
        assert len(frame) == table.num_rows == entry["rows"] > 0
        assert list(frame.columns) == names
        assert set(frame["split"]) == {entry["split"]}
        created = pd.to_datetime(frame["created_at"], utc=True)
        assert created.min() >= pd.Timestamp("2024-01-01", tz="UTC")
        assert frame["is_report"].dropna().map(type).isin([bool]).all()
        assert frame["p_report"].dtype == float
        if fmt == "parquet":
            assert table.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
            assert table.schema.field("services").type == pa.list_(pa.string())
            assert table.schema.field("synthetic").type == pa.bool_()
        elif fmt == "csv":
            assert all(isinstance(json.loads(s), list) for s in frame["services"])
        else:
            assert frame["services"].map(lambda s: isinstance(s, list)).all()
        total += len(frame)
    assert total == result.rows
    assert verify(result.folder) == []


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl", "ids"])
def test_card_loads_with_datasets_offline(export, fmt, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    datasets = pytest.importorskip("datasets")
    result = export(f"hf-{fmt}", fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = datasets.load_dataset(str(result.folder), cache_dir=str(tmp_path / "hf-cache"))
    assert {name: split.num_rows for name, split in loaded.items()} == result.rows_per_split
    features = loaded["train"].features
    assert list(features) == [c.name for c in columns_for(fmt, "model")]
    if fmt == "parquet":
        assert str(features["created_at"].dtype).startswith("timestamp")


def test_card_front_matter_and_body(export):
    result = export("card", "parquet", label_source="both")
    meta = front_matter(result.folder)
    for key in ("pretty_name", "license", "task_categories", "language", "configs", "dataset_info"):
        assert meta[key], key
    files = meta["configs"][0]["data_files"]
    assert {f["split"]: f["path"] for f in files} == {s: f"data/{s}.parquet" for s in result.rows_per_split}
    assert [f["name"] for f in meta["dataset_info"]["features"]] == [c.name for c in columns_for("parquet", "both")]
    body = (result.folder / "README.md").read_text(encoding="utf-8")
    for heading in ("Collection window", "Sources and queries", "Fields (label schema)", "How labels were made",
                    "Counts per label", "Known limitations", "Terms of service", "How to cite"):  # fmt: skip
        assert f"## {heading}" in body, heading
    assert "m-test-1" in body  # the model version that made the labels
    assert "2024-01-10 09:00 UTC" in body  # the posted-at window starts with the archive posts


def test_manifest_records_query_versions_and_checksums(export):
    result = export("manifest", "jsonl", org="kaiser", reports_only=True)
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["query"]["filters"]["org"] == "kaiser"
    assert manifest["query"]["filters"]["reports_only"] is True
    assert manifest["model_versions"] == ["m-test-1"]
    assert {"outagewatch", "python", "pandas", "pyarrow"} <= set(manifest["software"])
    assert len(manifest["author_salt_fingerprint"]) == 16
    assert "project-salt-A" not in json.dumps(manifest)
    assert sum(f["rows"] for f in manifest["files"] if f["split"]) == manifest["rows"] == result.rows
    (result.folder / "data" / "train.jsonl").write_text("{}\n", encoding="utf-8")
    assert verify(result.folder) == ["data/train.jsonl does not match its SHA-256"]


def test_ids_format_has_only_ids(export):
    result = export("ids", "ids")
    for entry in result.manifest["files"]:
        if entry["split"]:
            frame = pd.read_csv(result.folder / entry["path"])
            assert list(frame.columns) == ["source", "native_id", "url"]
    raw = "".join(p.read_text(encoding="utf-8") for p in (result.folder / "data").iterdir())
    full = export("ids-full", "parquet")
    authors = set(pd.concat(pd.read_parquet(p) for p in (full.folder / "data").iterdir())["author"].dropna())
    assert authors
    assert not any(a in raw for a in authors)
    assert "refills fail" not in raw


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl", "ids"])
def test_deleted_posts_are_never_exported(export, fmt):
    result = export(f"del-{fmt}", fmt)
    for path in (result.folder / "data").iterdir():
        data = path.read_bytes()
        assert b"t3_gone" not in data
        assert DELETED_TEXT.encode() not in data
