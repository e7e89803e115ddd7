"""Find the real evaluation posts' exact texts again in saved page text, by their SHA-256.

The manifest keeps no text, only each post's length and hash (data/README.md). Whoever collects
the texts again saves what the source pages show (a whole page, an excerpt, a quoted passage
with some text around it) as plain-text or JSON files in one folder; this slides a window of
every wanted length over them and keeps a text only when its hash matches, so nothing is ever
retyped or guessed. Pages are tried as saved and with their whitespace normalized (joined lines, collapsed
runs, stripped indentation), the usual differences between a page and a copy of it.

    python -m classifier.recover_texts PAGES_DIR TEXTS.jsonl   # appends {"id", "text"} lines

Run it again whenever more pages are saved: only pages not scanned before are scanned
(``TEXTS.jsonl.scanned`` remembers them).

Then ``python -m classifier.real_eval TEXTS.jsonl OUT_DIR`` writes the labeled files.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from classifier.real_eval import MANIFEST, text_sha256


def variants(page: str) -> set[str]:
    """The page as saved and with its whitespace normalized in the common ways."""
    unix = page.replace("\r\n", "\n")
    dedented = re.sub(r"(?m)^[ \t]+", "", unix)
    return {
        page,
        unix,
        dedented,
        re.sub(r"[ \t]*\n[ \t]*", " ", unix),
        re.sub(r"\s+", " ", unix),
        re.sub(r"\n{2,}", "\n", unix),
        re.sub(r"\n{2,}", "\n", dedented),
    }


def find_texts(pages: Iterable[str], wanted: dict[int, dict[str, str]]) -> dict[str, str]:
    """{id: text} for every window of a page whose SHA-256 is wanted; ``wanted`` maps a length to
    {sha256: id}. Windows start at the page's start or after a non-word character."""
    found: dict[str, str] = {}
    for page in pages:
        for text in variants(page):
            starts = [0, *(i for i in range(1, len(text)) if not text[i - 1].isalnum())]
            for length, hashes in wanted.items():
                for start in starts:
                    if start + length > len(text):
                        break
                    window = text[start : start + length]
                    post = hashes.get(text_sha256(window))
                    if post is not None:
                        found.setdefault(post, window)
    return found


def _read_ids(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict | list):
        for item in value.values() if isinstance(value, dict) else value:
            yield from _strings(item)


def _pages(folder: Path) -> Iterator[str]:
    """Every saved file's text; a JSON file (a saved search answer, say) gives its strings."""
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
        raw = path.read_text(encoding="utf-8", errors="replace")
        try:
            yield from _strings(json.loads(raw))
        except ValueError:
            yield raw


def _scanned_path(texts_path: Path) -> Path:
    return texts_path.with_name(texts_path.name + ".scanned")


def _read_scanned(texts_path: Path, manifest_sha: str, have: set[str]) -> set[str]:
    """Hashes of the page strings already scanned while no more posts were wanted than now (same
    manifest, and every text found then still in ``texts_path``); otherwise none."""
    path = _scanned_path(texts_path)
    if not path.exists():
        return set()
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("manifest") != manifest_sha or not set(record.get("found", ())) <= have:
        return set()
    return set(record["pages"])


def recover(pages_dir: Path, texts_path: Path, manifest_path: Path = MANIFEST) -> tuple[dict[str, str], list[dict]]:
    """Append newly found texts to ``texts_path``; returns (found now, manifest rows still missing).

    Run it again as pages are saved: the wanted set only shrinks, so a page string scanned before
    cannot match now, and only new ones are scanned (their hashes are kept beside ``texts_path``, in
    ``TEXTS.jsonl.scanned``;
    sliding every wanted length over every page takes minutes once a folder holds hundreds)."""
    texts_path = Path(texts_path)
    have = _read_ids(texts_path)
    manifest = Path(manifest_path).read_text(encoding="utf-8")
    manifest_sha = text_sha256(manifest)
    rows = [json.loads(line) for line in manifest.splitlines() if line.strip()]
    wanted: dict[int, dict[str, str]] = {}
    for row in rows:
        if row["id"] not in have:
            wanted.setdefault(row["n_chars"], {})[row["text_sha256"]] = row["id"]
    scanned = _read_scanned(texts_path, manifest_sha, have)
    pages = {text_sha256(page): page for page in _pages(pages_dir)}
    found = find_texts((page for key, page in pages.items() if key not in scanned), wanted)
    record = {"manifest": manifest_sha, "found": sorted(have | set(found)), "pages": sorted(scanned | set(pages))}
    _scanned_path(texts_path).write_text(json.dumps(record) + "\n", encoding="utf-8")
    with Path(texts_path).open("a", encoding="utf-8") as out:
        for post, text in sorted(found.items()):
            out.write(json.dumps({"id": post, "text": text}, ensure_ascii=False) + "\n")
    missing = [row for row in rows if row["id"] not in have and row["id"] not in found]
    return found, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m classifier.recover_texts",
        description="Find the texts of data/labeled/real_eval_manifest.jsonl in saved page text, by SHA-256.",
    )
    parser.add_argument("pages_dir", type=Path, help="folder of plain-text files copied from the source pages")
    parser.add_argument("texts", type=Path, help="JSONL of texts found so far; new ones are appended")
    args = parser.parse_args(argv)
    if not args.pages_dir.is_dir():
        parser.exit(2, f"error: {args.pages_dir} is not a folder of saved page text\n")
    found, missing = recover(args.pages_dir, args.texts)
    print(f"found {len(found)} new text(s); {len(missing)} post(s) still missing")
    for row in missing:
        print(f"  {row['id']} ({row['split']}, {row['n_chars']} chars): {row['source_url']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
