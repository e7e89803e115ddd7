"""Archive import: stream JSONL/NDJSON (plain, .gz, .zst), Reddit dumps, Bluesky/4CAT exports and CSV
into the store in bounded memory.

Lines are read one at a time and written in chunks through ``Store.upsert_posts``, so a 1 GB
dump never sits in memory; re-running an import writes nothing new (posts are keyed). Lines that
cannot be used go to a reject file with their line number and the reason.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from collectors.archive_formats import MAPPERS, detect
from outagewatch.models import Post
from outagewatch.store import Store

FORMATS = ("auto", "reddit", "bluesky", "ndjson", "csv")


@dataclass
class ImportReport:
    """Counts of one import, per file and in total."""

    lines: int = 0
    posts: int = 0
    rejected: int = 0
    reject_files: list[str] = field(default_factory=list)


def _open_binary(path: Path, raw: IO[bytes]) -> IO[bytes]:
    """Decompress by suffix; zstd with a 2 GB window because Reddit dumps need it."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    if name.endswith(".zst") or name.endswith(".zstd"):
        import zstandard

        reader = zstandard.ZstdDecompressor(max_window_size=2**31).stream_reader(raw, read_across_frames=True)
        return io.BufferedReader(reader, buffer_size=1 << 20)  # type: ignore[arg-type]
    return raw


def _base_name(path: Path) -> str:
    name = path.name.lower()
    for suffix in (".gz", ".zst", ".zstd"):
        name = name.removesuffix(suffix)
    return name


def parse_mapping(items: list[str]) -> dict[str, str]:
    """``["col=field", ...]`` -> {column: post field}; the error says what a good item looks like."""
    mapping = {}
    for item in items:
        column, sep, target = item.partition("=")
        if not sep or not column or not target:
            raise ValueError(f"--map {item!r} must look like COLUMN=FIELD, e.g. --map body=text")
        mapping[column.strip()] = target.strip()
    return mapping


class _Rejects:
    """Writes rejected lines to a JSONL file, opened only when the first bad line appears."""

    def __init__(self, path: Path, source_file: Path) -> None:
        self.path, self.source_file, self.count = path, source_file, 0
        self._fh: IO[str] | None = None

    def add(self, line_no: int, reason: str, content: str) -> None:
        if self._fh is None:
            self._fh = self.path.open("a", encoding="utf-8")
        record = {"file": str(self.source_file), "line": line_no, "error": reason, "content": content[:2000]}
        self._fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.count += 1

    def close(self) -> None:
        if self._fh:
            self._fh.close()


def _json_records(stream: IO[bytes]) -> Iterator[tuple[int, Any, bytes]]:
    for line_no, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            yield line_no, json.loads(line), line
        except ValueError as exc:
            yield line_no, exc, line


def _csv_records(stream: IO[bytes], mapping: dict[str, str]) -> Iterator[tuple[int, Any, bytes]]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    for row in reader:
        record = {mapping.get(k, k): v for k, v in row.items() if k is not None}
        yield reader.line_num, record, json.dumps(row, ensure_ascii=False).encode()


def _posts(
    records: Iterator[tuple[int, Any, bytes]], fmt: str, source: str | None, rejects: _Rejects, report: ImportReport
) -> Iterator[Post]:
    fixed = None if fmt == "auto" else MAPPERS[fmt]
    for line_no, record, line in records:
        report.lines += 1
        if isinstance(record, Exception):
            rejects.add(line_no, f"not JSON: {record}", line.decode("utf-8", "replace"))
            continue
        if not isinstance(record, dict):
            rejects.add(
                line_no, f"expected a JSON object, got {type(record).__name__}", line.decode("utf-8", "replace")
            )
            continue
        mapper = fixed or detect(record)
        try:
            post = mapper(record, source)
        except (ValueError, KeyError, TypeError, OverflowError) as exc:
            rejects.add(line_no, f"{mapper.__name__}: {exc}", line.decode("utf-8", "replace"))
            continue
        report.posts += 1
        yield post


def import_file(
    store: Store,
    path: Path,
    *,
    fmt: str = "auto",
    mapping: dict[str, str] | None = None,
    source: str | None = None,
    rejects_path: Path | None = None,
    on_bytes: Callable[[int], None] | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Import one file; ``on_bytes`` gets the position in the (compressed) file for progress bars."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    report = report or ImportReport()
    is_csv = fmt == "csv" or (fmt == "auto" and _base_name(path).endswith(".csv"))
    rejects = _Rejects(rejects_path or path.with_name(path.name + ".rejects.jsonl"), path)
    before = report.rejected
    with ExitStack() as stack:
        raw = stack.enter_context(path.open("rb"))
        stream = stack.enter_context(_open_binary(path, raw))
        stack.callback(rejects.close)
        records = _csv_records(stream, mapping or {}) if is_csv else _json_records(stream)
        posts = _posts(records, "ndjson" if is_csv else fmt, source, rejects, report)
        if on_bytes is not None:
            posts = _tick(posts, raw, on_bytes)
        store.upsert_posts(posts)
    report.rejected = before + rejects.count
    if rejects.count:
        report.reject_files.append(str(rejects.path))
    return report


def _tick(posts: Iterator[Post], raw: IO[bytes], on_bytes: Callable[[int], None]) -> Iterator[Post]:
    for n, post in enumerate(posts):
        if n % 2000 == 0:
            on_bytes(raw.tell())
        yield post
    on_bytes(raw.tell())


def total_bytes(paths: list[Path]) -> int:
    return sum(os.path.getsize(p) for p in paths)
