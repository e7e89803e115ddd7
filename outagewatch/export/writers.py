"""File writers, one per format, registered like datasette's output renderers.

Each writer appends page after page to one file per split, so an export of any size runs in
bounded memory. Types per format: Parquet keeps real types (UTC timestamps, lists, booleans);
CSV and JSONL write timestamps as ISO 8601 UTC strings, and CSV writes the services list as
a JSON array string.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from outagewatch.export.records import Column

ARROW = {
    "string": pa.string(),
    "text": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "bool": pa.bool_(),
    "float": pa.float64(),
    "int": pa.int64(),
    "list": pa.list_(pa.string()),
}


def arrow_schema(columns: tuple[Column, ...]) -> pa.Schema:
    """The Parquet schema of an export."""
    return pa.schema([pa.field(c.name, ARROW[c.kind]) for c in columns])


def _missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _plain(value: Any, kind: str) -> Any:
    """A JSON-ready value of one cell."""
    if _missing(value):
        return None
    if kind == "timestamp":
        return pd.Timestamp(value).tz_convert("UTC").isoformat().replace("+00:00", "Z")
    if kind == "list":
        return [str(v) for v in value]
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return str(value)


def _plain_rows(frame: pd.DataFrame, columns: tuple[Column, ...]) -> list[list[Any]]:
    kinds = [c.kind for c in columns]
    return [[_plain(v, k) for v, k in zip(row, kinds, strict=True)] for row in frame.itertuples(index=False)]


class SplitWriter:
    """Appends pages to one file; ``rows`` counts what was written."""

    def __init__(self, path: Path, columns: tuple[Column, ...]) -> None:
        self.path, self.columns, self.rows = path, columns, 0

    def write(self, frame: pd.DataFrame) -> None:
        """Append one page (columns in schema order)."""
        raise NotImplementedError

    def close(self) -> None:
        """Flush and close the file (an empty split still gets a valid, header-only file)."""


class CsvWriter(SplitWriter):
    """RFC 4180 CSV with a header; lists as JSON arrays, timestamps as ISO 8601 UTC."""

    def __init__(self, path: Path, columns: tuple[Column, ...]) -> None:
        super().__init__(path, columns)
        self._handle = path.open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._handle)
        self._csv.writerow([c.name for c in columns])

    def write(self, frame: pd.DataFrame) -> None:
        for row in _plain_rows(frame, self.columns):
            self._csv.writerow(
                ["" if v is None else json.dumps(v) if isinstance(v, list) else str(v).lower() if isinstance(v, bool)
                 else v for v in row]
            )  # fmt: skip
        self.rows += len(frame)

    def close(self) -> None:
        self._handle.close()


class JsonlWriter(SplitWriter):
    """One JSON object per line, UTF-8."""

    def __init__(self, path: Path, columns: tuple[Column, ...]) -> None:
        super().__init__(path, columns)
        self._handle = path.open("w", encoding="utf-8")
        self._names = [c.name for c in columns]

    def write(self, frame: pd.DataFrame) -> None:
        for row in _plain_rows(frame, self.columns):
            self._handle.write(json.dumps(dict(zip(self._names, row, strict=True)), ensure_ascii=False) + "\n")
        self.rows += len(frame)

    def close(self) -> None:
        self._handle.close()


class ParquetWriter(SplitWriter):
    """Parquet (zstd) with one row group per page and a fixed schema."""

    def __init__(self, path: Path, columns: tuple[Column, ...]) -> None:
        super().__init__(path, columns)
        self._schema = arrow_schema(columns)
        self._writer = pq.ParquetWriter(path, self._schema, compression="zstd")

    def write(self, frame: pd.DataFrame) -> None:
        rows = _plain_rows(frame, self.columns)
        arrays = []
        for j, column in enumerate(self.columns):
            values = [r[j] for r in rows]
            if column.kind == "timestamp":
                values = [None if v is None else pd.Timestamp(v).to_pydatetime() for v in values]
            arrays.append(pa.array(values, type=self._schema.field(j).type))
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        self.rows += len(frame)

    def close(self) -> None:
        self._writer.close()


@dataclass(frozen=True, slots=True)
class Format:
    """An export format: file extension, the writer, and how the HF loader names it."""

    extension: str
    writer: Callable[[Path, tuple[Column, ...]], SplitWriter]
    description: str


FORMATS: dict[str, Format] = {
    "csv": Format("csv", CsvWriter, "CSV (UTF-8, header row; services as a JSON array)"),
    "parquet": Format("parquet", ParquetWriter, "Apache Parquet (typed columns, zstd)"),
    "jsonl": Format("jsonl", JsonlWriter, "JSON Lines (one post per line)"),
    "ids": Format("csv", CsvWriter, "ids only (source, native_id, url), for rehydration where terms require it"),
}
