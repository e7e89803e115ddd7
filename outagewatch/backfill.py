"""Backfill: classify large archives with Dask, write Parquet partitioned by day, load counts into the store.

Two stages keep memory bounded and distinct authors exact:

1. chunk tasks parse a byte range of a plain NDJSON file (or stream a whole compressed or CSV file,
   which cannot be split) with ``collectors.archive``, label with ``classifier.labeling.label`` and
   write staging Parquet pieces split by UTC day;
2. day tasks read one day's pieces, drop repeated posts, write ``DIR/day=YYYY-MM-DD/part-0.parquet``
   and count that day with ``outagewatch.detect.counts.count_rows``. Every 5-minute bin lies in one
   day, so a bin's distinct authors are never summed across partitions.

The client only plans chunks, follows progress and writes each day's counts through the store, so a
huge archive never passes through it. Workers must see the inputs and DIR (a shared filesystem).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import delete

from collectors.archive import FORMATS, ImportReport, _base_name, _csv_records, _json_records, _open_binary, _posts
from collectors.archive import _Rejects as Rejects  # the importer's own parsing and reject files, reused
from outagewatch.models import CountRow, Post
from outagewatch.pseudonym import author_key
from outagewatch.store import Store, writes
from outagewatch.store.schema import counts

CHUNK_BYTES = 16 << 20  # ~20k Reddit records: a few seconds of work, a few hundred MB at most
LABEL_BATCH = 5000
FLUSH_ROWS = 50_000  # streamed files write their staging pieces every this many rows
LABEL_COLUMNS = ("is_report", "p_report", "org", "services", "state", "region", "model_version")
_str, _int, _bool = pa.string(), pa.int64(), pa.bool_()
SCHEMA = pa.schema(
    [("source", _str), ("native_id", _str), ("created_at", pa.timestamp("us", tz="UTC")), ("kind", _str)]
    + [(name, _str) for name in ("url", "channel", "thread_id", "parent_id", "language")]
    + [("score", _int), ("reply_count", _int), ("author_key", _str), ("author_location", _str), ("deleted", _bool)]
    + [("official_org", _str), ("synthetic", _bool), ("text", _str), ("is_report", _bool), ("p_report", pa.float64())]
    + [("org", _str), ("services", pa.list_(_str)), ("state", _str), ("region", _str), ("model_version", _str)]
)
# every Post field but the raw handle, the raw record and collected_at (which would differ per run)
POST_COLUMNS = tuple(name for name in SCHEMA.names if name not in LABEL_COLUMNS)
STAGING_SCHEMA = SCHEMA.append(pa.field("_order", _int))  # input position: the first copy of a post wins


class BackfillError(RuntimeError):
    """A backfill cannot start or finish; the message says what to do."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """One task's share of an input: bytes [start, end) of a plain file, or the whole file when end is None."""

    index: int
    path: str
    start: int
    end: int | None
    size: int


@dataclass
class ChunkResult:
    """What a chunk task did (small: it travels back to the client)."""

    chunk: Chunk
    lines: int = 0
    posts: int = 0
    rejected: int = 0
    reject_file: str | None = None
    model_version: str | None = None
    days: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DayResult:
    """One finished day: its rows in Parquet, its reports, and its count rows for the store."""

    day: str
    rows: int
    reports: int
    counts: list[CountRow]


@dataclass
class BackfillSummary:
    """Totals of one backfill run."""

    lines: int = 0
    posts: int = 0
    rejected: int = 0
    rows: int = 0
    reports: int = 0
    count_rows: int = 0
    days: list[str] = field(default_factory=list)
    reject_files: list[str] = field(default_factory=list)
    model_version: str | None = None


def _is_csv(path: Path, fmt: str) -> bool:
    return fmt == "csv" or (fmt == "auto" and _base_name(path).endswith(".csv"))


def plan_chunks(inputs: Iterable[Path], fmt: str = "auto", chunk_bytes: int = CHUNK_BYTES) -> list[Chunk]:
    """Cut the inputs into tasks; a missing input fails here, before any cluster starts."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    chunks: list[Chunk] = []
    for path in inputs:
        if not path.is_file():
            raise FileNotFoundError(f"input {path} does not exist or is not a file; check the path")
        size = path.stat().st_size
        if _is_csv(path, fmt) or path.name.lower().endswith((".gz", ".zst", ".zstd")):  # cannot cut at a byte
            chunks.append(Chunk(len(chunks), str(path.resolve()), 0, None, size))
            continue
        for start in range(0, max(size, 1), chunk_bytes):
            end = min(start + chunk_bytes, size)
            chunks.append(Chunk(len(chunks), str(path.resolve()), start, end, end - start))
    return chunks


def _range_lines(fh: IO[bytes], start: int, end: int) -> Iterator[bytes]:
    """The lines that START in [start, end): a line cut by ``start`` belongs to the previous chunk."""
    if start > 0:
        fh.seek(start - 1)
        fh.readline()  # just "\n" when start begins a line
    pos = fh.tell()
    while pos < end and (line := fh.readline()):
        yield line
        pos += len(line)


@cache
def _model(model_dir: str | None) -> Any:
    """The model, loaded once per worker process (cheaper than shipping 50 MB with every task)."""
    from classifier.persist import default_model, load_model

    return default_model() if model_dir is None else load_model(model_dir)


@lru_cache(maxsize=1 << 16)
def _author_key(salt: str, source: str, handle: str) -> str:
    return author_key(salt, source, handle)  # cached: authors post many times, and HMACs add up


def _rows(posts: list[Post], salt: str, model: Any) -> list[dict[str, Any]]:
    """Posts and their labels as Parquet rows; handles become salted keys and are dropped."""
    from classifier.labeling import label

    labeled = [p for p in posts if p.official_org is None]  # status-page entries are never labeled (as live)
    by_key = {lab.post_key: lab for lab in label(labeled, model)}
    rows = []
    for post in posts:
        row = {name: getattr(post, name) for name in POST_COLUMNS}
        if post.author_handle and not post.author_key:
            row["author_key"] = _author_key(salt, post.source, post.author_handle)
        lab = by_key.get(post.key)
        row.update(is_report=bool(lab and lab.is_report), p_report=lab and lab.p_report, services=[])
        if lab:
            row.update(org=lab.org, services=list(lab.services), state=lab.state, region=lab.region)
            row["model_version"] = lab.model_version
        rows.append(row)
    return rows


def _flush(pending: dict[str, list[dict[str, Any]]], staging: Path, chunk: Chunk, piece: int) -> None:
    for day, rows in pending.items():
        folder = staging / f"day={day}"
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(rows, schema=STAGING_SCHEMA)
        pq.write_table(table, folder / f"c{chunk.index:06d}-{piece:05d}.parquet")
    pending.clear()


def process_chunk(chunk: Chunk, *, fmt: str, salt: str, staging: str, rejects_dir: str, **opts: Any) -> ChunkResult:
    """Parse, label and stage one chunk (runs on a worker). opts: mapping (CSV), model_dir."""
    path, report, result = Path(chunk.path), ImportReport(), ChunkResult(chunk)
    model = _model(opts.get("model_dir"))
    reject_path = Path(rejects_dir) / f"{chunk.index:05d}-{path.name}.rejects.jsonl"
    reject_path.unlink(missing_ok=True)  # a re-run replaces, never appends to, its reject file
    rejects = Rejects(reject_path, Path(f"{path}@byte{chunk.start}"))  # line numbers count from that byte
    is_csv = _is_csv(path, fmt)
    pending: dict[str, list[dict[str, Any]]] = defaultdict(list)
    buffered = piece = 0
    with ExitStack() as stack:
        raw = stack.enter_context(path.open("rb"))
        if chunk.end is None:
            stream: Any = stack.enter_context(_open_binary(path, raw))
        else:
            stream = _range_lines(raw, chunk.start, chunk.end)
        stack.callback(rejects.close)
        records = _csv_records(stream, opts.get("mapping") or {}) if is_csv else _json_records(stream)
        for batch in writes.chunked(_posts(records, "ndjson" if is_csv else fmt, None, rejects, report), LABEL_BATCH):
            for row in _rows(batch, salt, model):
                day = row["created_at"].astimezone(UTC).date().isoformat()
                row["_order"] = (chunk.index << 40) + result.posts
                pending[day].append(row)
                result.days[day] = result.days.get(day, 0) + 1
                result.posts += 1
            buffered += len(batch)
            if buffered >= FLUSH_ROWS:
                _flush(pending, Path(staging), chunk, piece)
                buffered, piece = 0, piece + 1
        _flush(pending, Path(staging), chunk, piece)
    result.lines, result.rejected = report.lines, rejects.count
    result.reject_file = str(reject_path) if rejects.count else None
    result.model_version = getattr(model, "version_", None) or "unversioned"
    return result


def day_frame(table: pa.Table) -> pd.DataFrame:
    """A day's rows as the frame ``count_rows`` expects (the columns of ``effective_reports``), reports only."""
    frame = table.select(["source", "native_id", "created_at", "author_key", *LABEL_COLUMNS[:-1]]).to_pandas()
    frame = frame[frame["is_report"] & frame["org"].notna()].copy()
    frame["id"] = frame["source"] + ":" + frame["native_id"]  # "one voice per post" for unknown authors
    frame["services"] = frame["services"].map(list)
    return frame


def finish_day(day: str, staging: str, out: str) -> DayResult:
    """Merge a day's pieces, keep each post once, write its Parquet file and count it (runs on a worker)."""
    from outagewatch.detect.counts import count_rows

    pieces = sorted(Path(staging, f"day={day}").glob("*.parquet"))
    frame = pa.concat_tables([pq.read_table(p, schema=STAGING_SCHEMA) for p in pieces]).to_pandas()
    frame = frame.sort_values("_order").drop_duplicates(["source", "native_id"])
    frame = frame.sort_values(["created_at", "source", "native_id"], kind="stable").drop(columns="_order")
    table = pa.Table.from_pandas(frame, schema=SCHEMA, preserve_index=False).replace_schema_metadata(None)
    folder = Path(out, f"day={day}")
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".part-0.{uuid.uuid4().hex}.tmp"
    pq.write_table(table, tmp)
    for old in folder.glob("part-*.parquet"):
        old.unlink()
    os.replace(tmp, folder / "part-0.parquet")
    reports = day_frame(table)
    return DayResult(day, table.num_rows, len(reports), count_rows(reports) if len(reports) else [])


def write_day_counts(store: Store, day: str, rows: list[CountRow]) -> int:
    """Replace the counts of one whole UTC day (the backfill owns the days it covers)."""
    start = datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=UTC)
    with store.engine.begin() as conn:
        conn.execute(delete(counts).where(counts.c.bin_start >= start, counts.c.bin_start < start + timedelta(days=1)))
        return writes.upsert_counts(conn, rows)


def run_backfill(client: Any, paths: list[Path], out: Path, store: Store, *, salt: str, **opts: Any) -> BackfillSummary:
    """Run both stages on ``client``'s cluster. opts: fmt, mapping, model_dir, chunk_bytes, and
    progress(stage, advance, total) called as tasks finish."""
    from distributed import as_completed

    fmt, progress = opts.get("fmt", "auto"), opts.get("progress") or (lambda *_: None)
    chunks = plan_chunks(paths, fmt, opts.get("chunk_bytes", CHUNK_BYTES))
    out = out.resolve()
    staging, rejects_dir = out / "_staging" / uuid.uuid4().hex, out / "_rejects"
    staging.mkdir(parents=True)
    rejects_dir.mkdir(exist_ok=True)
    summary, days, futures = BackfillSummary(), set(), []
    extra = {k: opts[k] for k in ("mapping", "model_dir") if opts.get(k) is not None}
    try:
        args = {"fmt": fmt, "salt": salt, "staging": str(staging), "rejects_dir": str(rejects_dir), **extra}
        futures = client.map(process_chunk, chunks, pure=False, **args)
        for _, res in as_completed(futures, with_results=True):
            summary.lines += res.lines
            summary.posts += res.posts
            summary.rejected += res.rejected
            summary.reject_files += [res.reject_file] if res.reject_file else []
            summary.model_version = summary.model_version or res.model_version
            days.update(res.days)
            progress("parse + label (chunks)", 1, len(chunks))
        summary.days = sorted(days)
        futures = client.map(finish_day, summary.days, staging=str(staging), out=str(out), pure=False)
        for future, done in as_completed(futures, with_results=True):
            summary.count_rows += write_day_counts(store, done.day, done.counts)
            future.release()  # the day's count rows leave the worker's memory now, not at the end
            summary.rows, summary.reports = summary.rows + done.rows, summary.reports + done.reports
            progress("days", 1, len(summary.days))
    except FileNotFoundError as exc:  # on a worker: plan_chunks saw the file here
        msg = f"a worker cannot open {exc.filename}: workers need the inputs and --out at the same paths"
        raise BackfillError(msg) from exc
    finally:
        client.cancel(futures)  # after a failure, stop the rest before removing their staging files
        shutil.rmtree(staging, ignore_errors=True)
        with suppress(OSError):
            staging.parent.rmdir()  # only when no other run is staging there
    return summary
