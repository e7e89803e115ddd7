"""The dataset card: README.md with Hugging Face front matter, and a body a researcher can cite.

The front matter (configs with data_files per split, dataset_info features, license, task
categories, language, pretty_name) lets ``datasets.load_dataset(folder)`` load the export
offline. It is emitted by a tiny YAML writer (JSON-quoted scalars are valid YAML), so the
export needs no YAML library.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from outagewatch.export.records import Column
from outagewatch.export.stats import ExportStats

HF_DTYPES = {"string": "string", "text": "string", "bool": "bool", "float": "float64", "int": "int64"}


def _yaml(value: Any, indent: int = 0) -> list[str]:
    """Block-style YAML lines for dicts, lists and scalars."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                lines.append(f"{pad}{key}:")
                lines.extend(_yaml(item, indent + 2))
            else:
                lines.append(f"{pad}{key}: {_scalar(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                first, *rest = _yaml(item, indent + 2)
                lines.append(f"{pad}- {first.lstrip()}")
                lines.extend(rest)
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    return lines


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps("" if value is None else str(value))


def hf_feature(column: Column, fmt: str) -> dict[str, Any]:
    """How the HF loader should type one column, given how the format stores it."""
    if column.kind == "list":
        return {"name": column.name, "list": "string"} if fmt in {"parquet", "jsonl"} else _string(column)
    if column.kind == "timestamp":
        return {"name": column.name, "dtype": "timestamp[us, tz=UTC]"} if fmt == "parquet" else _string(column)
    return {"name": column.name, "dtype": HF_DTYPES[column.kind]}


def _string(column: Column) -> dict[str, Any]:
    return {"name": column.name, "dtype": "string"}


def size_category(rows: int) -> str:
    """The HF size bucket of a row count."""
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if rows < limit:
            return name
    return "1M<n<10M"


def front_matter(
    *,
    fmt: str,
    columns: tuple[Column, ...],
    files: dict[str, str],
    sizes: dict[str, int],
    stats: ExportStats,
    pretty_name: str,
) -> dict[str, Any]:
    """The YAML metadata block as a dict (``files`` maps split -> relative path, ``sizes`` split -> bytes)."""
    languages = sorted(stats.languages) or ["en"]
    return {
        "pretty_name": pretty_name,
        "license": "other",
        "license_name": "third-party-posts-platform-terms",
        "license_link": "LICENSE.md",
        "language": languages,
        "task_categories": ["text-classification"],
        "task_ids": ["multi-class-classification", "multi-label-classification"],
        "size_categories": [size_category(stats.rows)],
        "tags": ["outage-detection", "social-media", "healthcare", "pseudonymised"],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": split, "path": path} for split, path in files.items()],
            }
        ],
        "dataset_info": {
            "config_name": "default",
            "features": [hf_feature(c, fmt) for c in columns],
            "splits": [
                {"name": split, "num_bytes": int(sizes.get(split, 0)), "num_examples": int(stats.splits.get(split, 0))}
                for split in files
            ],
        },
    }


def render(meta: dict[str, Any], body: str) -> str:
    """README.md text: front matter between --- lines, then the body."""
    return "---\n" + "\n".join(_yaml(meta)) + "\n---\n\n" + body


def when(value: datetime | None) -> str:
    """A UTC time for prose."""
    return "n/a" if value is None else f"{value:%Y-%m-%d %H:%M} UTC"
