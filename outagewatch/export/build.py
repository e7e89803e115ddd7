"""``export_dataset``: stream the store into a folder of data files, a dataset card and a manifest.

The folder is written beside its destination and renamed into place at the end, so a failed
export never leaves a half-written dataset that looks complete.
"""

from __future__ import annotations

import io
import shutil
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from outagewatch.export import card, card_body, query
from outagewatch.export.filters import ExportFilters, ExportOptions
from outagewatch.export.manifest import build_manifest, write_manifest
from outagewatch.export.pseudonymise import AuthorPseudonymiser, salt_fingerprint
from outagewatch.export.records import columns_for, shape
from outagewatch.export.splits import SPLITS, resolve_roots, split_of
from outagewatch.export.stats import ExportStats
from outagewatch.export.writers import FORMATS
from outagewatch.models import utcnow
from outagewatch.store import Store
from outagewatch.watchlist import WatchList

PRETTY_NAME = "OutageWatch social-media outage reports"


@dataclass(frozen=True, slots=True)
class ExportResult:
    """Where the export went and what it holds."""

    folder: Path
    rows: int
    rows_per_split: dict[str, int]
    files: list[str]
    manifest: dict[str, Any]


def _prepare(out: Path, overwrite: bool) -> None:
    if not out.exists() or not any(out.iterdir()):
        return
    if overwrite and (out / "manifest.json").is_file():
        shutil.rmtree(out)
        return
    hint = "pass --overwrite to replace it" if (out / "manifest.json").is_file() else "choose a new or empty folder"
    raise FileExistsError(f"{out} is not empty; {hint}")


def _license_text() -> str:
    return "# Terms for this dataset\n\n" + card_body.TERMS


def export_dataset(
    store: Store,
    out_dir: Path | str,
    filters: ExportFilters,
    options: ExportOptions,
    *,
    salt: str,
    watchlist: WatchList | None = None,
    overwrite: bool = False,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Export posts matching ``filters`` into ``out_dir`` (data/, README.md, LICENSE.md, manifest.json)."""
    out = Path(out_dir)
    _prepare(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial-{uuid.uuid4().hex[:8]}")
    (tmp / "data").mkdir(parents=True)
    try:
        stats, files = _write_data(store, tmp, filters, options, salt, progress)
        exported_at = now or utcnow()
        columns = columns_for(options.format, filters.label_source)
        sizes = {split: (tmp / path).stat().st_size for split, path in files.items()}
        meta = card.front_matter(
            fmt=options.format, columns=columns, files=files, sizes=sizes, stats=stats, pretty_name=PRETTY_NAME
        )
        context = card_body.CardContext(
            pretty_name=PRETTY_NAME,
            fmt=FORMATS[options.format].description,
            columns=columns,
            filters=filters.to_dict(),
            options=options.to_dict(),
            exported_at=exported_at,
            watchlist=watchlist,
            collectors=query.collector_channels(store.engine),
        )
        (tmp / "README.md").write_text(card.render(meta, card_body.body(context, stats, files)), encoding="utf-8")
        (tmp / "LICENSE.md").write_text(_license_text(), encoding="utf-8")
        manifest = build_manifest(
            folder=tmp,
            data_files=files,
            other_files=["README.md", "LICENSE.md"],
            stats=stats,
            filters=filters.to_dict(),
            options=options.to_dict(),
            exported_at=exported_at,
            salt_fingerprint=salt_fingerprint(salt) if salt else "none",
            store_dialect=store.engine.dialect.name,
        )
        write_manifest(tmp, manifest)
        if out.exists():
            out.rmdir()  # empty (checked by _prepare)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ExportResult(out, stats.rows, manifest["rows_per_split"], [*files.values(), "README.md", "LICENSE.md"],
                        manifest)  # fmt: skip


def _write_data(
    store: Store,
    folder: Path,
    filters: ExportFilters,
    options: ExportOptions,
    salt: str,
    progress: Callable[[int], None] | None,
) -> tuple[ExportStats, dict[str, str]]:
    """Stream pages into one file per split; returns the counts and the split -> file map."""
    fmt = FORMATS[options.format]
    columns = columns_for(options.format, filters.label_source)
    names = [c.name for c in columns]
    active = [s for s, f in zip(SPLITS, options.split_fractions, strict=True) if f > 0]
    paths = {s: f"data/{s}.{fmt.extension}" for s in active}
    writers = {s: fmt.writer(folder / paths[s], columns) for s in active}
    author = AuthorPseudonymiser(salt) if options.pseudonymise else (lambda key: key)
    lookup = query.parent_lookup(store.engine)
    stats = ExportStats(filters.label_source)
    try:
        for page in query.post_pages(store.engine, filters, options.chunk_size):
            labels = query.labels_of(store.engine, page["id"].tolist(), ("model", "human"))
            keys = zip(page["source"], page["native_id"], page["thread_id"], page["parent_id"], strict=True)
            conversations = resolve_roots(keys, lookup)
            rows = shape(page, labels, filters, options, author, conversations,
                         lambda key: split_of(key, options.split_fractions))  # fmt: skip
            stats.add(rows)
            for split, part in rows.groupby("split", sort=False):
                writers[str(split)].write(part[names])
            if progress:
                progress(stats.rows)
    finally:
        for writer in writers.values():
            writer.close()
    keep = [s for s in active if writers[s].rows > 0] or active[:1]  # empty splits leave the card
    for split in active:
        if split not in keep:
            (folder / paths.pop(split)).unlink()
    return stats, paths


def zip_folder(folder: Path) -> bytes:
    """The export folder as zip bytes (for the dashboard's download button)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, Path(folder.name) / file.relative_to(folder))
    return buffer.getvalue()
