"""manifest.json: what is in the folder, how to verify it, and exactly how it was made."""

from __future__ import annotations

import json
import platform
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from outagewatch import __version__
from outagewatch.checksums import sha256_file
from outagewatch.export.stats import ExportStats

PACKAGES = ("pandas", "pyarrow", "sqlalchemy", "scikit-learn")


def software_versions() -> dict[str, str]:
    """Versions of the software that shaped the export."""
    versions = {"outagewatch": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def build_manifest(
    *,
    folder: Path,
    data_files: dict[str, str],
    other_files: list[str],
    stats: ExportStats,
    filters: dict[str, Any],
    options: dict[str, Any],
    exported_at: datetime,
    salt_fingerprint: str,
    store_dialect: str,
) -> dict[str, Any]:
    """The manifest as a dict; every listed file gets its size and SHA-256."""
    files = [
        {"path": path, "split": split, "rows": int(stats.splits.get(split, 0))} for split, path in data_files.items()
    ]
    files += [{"path": path, "split": None, "rows": None} for path in other_files]
    for entry in files:
        file = folder / entry["path"]
        entry["bytes"] = file.stat().st_size
        entry["sha256"] = sha256_file(file)
    return {
        "manifest_version": 1,
        "exported_at": exported_at.isoformat(),
        "format": options["format"],
        "rows": stats.rows,
        "rows_per_split": {split: int(stats.splits.get(split, 0)) for split in data_files},
        "files": files,
        "query": {"filters": filters, "deleted_posts": "excluded (never exported)"},
        "options": options,
        "model_versions": sorted({who for origin, who in stats.labelers if origin == "model"}),
        "annotators": sorted({who for origin, who in stats.labelers if origin == "human"}),
        "software": software_versions(),
        "store_dialect": store_dialect,
        "author_salt_fingerprint": salt_fingerprint,
    }


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write manifest.json (sorted keys, so two identical exports differ only in time)."""
    path = folder / "manifest.json"
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
    return path


def verify(folder: Path) -> list[str]:
    """Problems found re-checking a folder against its manifest (empty list: all files intact)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    problems = []
    for entry in manifest["files"]:
        file = folder / entry["path"]
        if not file.is_file():
            problems.append(f"{entry['path']} is missing")
        elif sha256_file(file) != entry["sha256"]:
            problems.append(f"{entry['path']} does not match its SHA-256")
    return problems
