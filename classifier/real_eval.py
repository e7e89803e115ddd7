"""Rebuild the real-post evaluation files from texts collected again, checked against the manifest.

The texts of real posts are not redistributed (data/README.md): the manifest keeps each post's
source URL, labels, split and the SHA-256 of its exact text. Whoever collects the texts again from
the source URLs keeps them locally as JSONL lines ``{"id": ..., "text": ...}``; this joins them
with the labels, refusing any text that is not byte-for-byte the one that was labeled.

    python -m classifier.real_eval TEXTS.jsonl OUT_DIR    # writes OUT_DIR/real_<split>.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from outagewatch.resources import data_path

MANIFEST = data_path("labeled", "real_eval_manifest.jsonl")


class TextMismatchError(ValueError):
    """A collected text differs from the one that was labeled."""


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def join_texts(texts_path: Path, manifest_path: Path = MANIFEST) -> dict[str, list[dict]]:
    """Manifest rows with their ``text`` added, grouped by split; posts without a text are left out.

    Raises ``TextMismatchError`` naming every id whose text does not hash to the manifest's value,
    so a post is never scored under the labels of a different text.
    """
    texts: dict[str, str] = {}
    for line in Path(texts_path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            texts[record["id"]] = record["text"]
    splits: dict[str, list[dict]] = {}
    mismatched = []
    for line in Path(manifest_path).read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = texts.get(row["id"])
        if text is None:
            continue
        if text_sha256(text) != row["text_sha256"]:
            mismatched.append(row["id"])
            continue
        splits.setdefault(row["split"], []).append({**row, "text": text})
    if mismatched:
        raise TextMismatchError(
            f"{len(mismatched)} text(s) differ from the labeled ones (SHA-256 mismatch): {', '.join(mismatched)}; "
            "copy each post exactly as shown at its source_url"
        )
    return splits


def write_splits(texts_path: Path, out_dir: Path, manifest_path: Path = MANIFEST) -> dict[str, int]:
    """Write ``real_<split>.jsonl`` files (labels + text) into ``out_dir``; returns posts per split."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {}
    for split, rows in join_texts(texts_path, manifest_path).items():
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        (out_dir / f"real_{split}.jsonl").write_text(lines, encoding="utf-8")
        counts[split] = len(rows)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m classifier.real_eval",
        description="Join locally collected real-post texts with the labels of "
        "data/labeled/real_eval_manifest.jsonl (every text is checked against its SHA-256).",
    )
    parser.add_argument("texts", type=Path, help='JSONL of {"id": ..., "text": ...} lines')
    parser.add_argument("out_dir", type=Path, help="folder for real_<split>.jsonl (keep it outside the repository)")
    args = parser.parse_args(argv)
    try:
        counts = write_splits(args.texts, args.out_dir)
    except TextMismatchError as exc:
        parser.exit(1, f"error: {exc}\n")
    total = sum(1 for line in MANIFEST.read_text(encoding="utf-8").splitlines() if line.strip())
    for split, n in sorted(counts.items()):
        print(f"{split}: {n} posts -> {args.out_dir / f'real_{split}.jsonl'}")
    print(f"{sum(counts.values())} of {total} manifest posts have a text")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
