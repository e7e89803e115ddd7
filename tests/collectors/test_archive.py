"""Archive import: formats, compression, rejects with line numbers, idempotent re-runs, CSV mapping, CLI."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard
from conftest import stored

from collectors.archive import import_file, parse_mapping

REDDIT = [
    {"id": "abc1", "name": "t3_abc1", "subreddit": "KaiserPermanente", "title": "KP app down?",
     "selftext": "cannot log in", "author": "u1", "created_utc": 1700000000,
     "permalink": "/r/KaiserPermanente/comments/abc1/x/", "num_comments": 3},
    {"id": "def2", "subreddit": "bayarea", "body": "pharmacy line is huge", "author": "u2",
     "created_utc": "1700000100", "link_id": "t3_abc1", "parent_id": "t3_abc1",
     "permalink": "/r/bayarea/comments/abc1/x/def2/"},
    {"id": "ghi3", "subreddit": "bayarea", "body": "[removed]", "author": "[deleted]", "created_utc": 1700000200,
     "link_id": "t3_abc1", "parent_id": "t1_def2"},
]  # fmt: skip
BLUESKY = [
    {"uri": "at://did:plc:a/app.bsky.feed.post/1", "cid": "bafy", "author": {"handle": "a.bsky.social"},
     "record": {"text": "kaiser permanente is down", "createdAt": "2025-01-01T00:00:00.000Z", "langs": ["en"]}},
    {"id": "at://did:plc:b/app.bsky.feed.post/2", "thread_id": "at://did:plc:b/app.bsky.feed.post/2",
     "body": "mychart outage", "author": "b.bsky.social", "timestamp": "2025-01-01 00:05:00"},
]  # fmt: skip


def write_lines(path: Path, lines: list[str]) -> Path:
    data = ("\n".join(lines) + "\n").encode()
    if path.suffix == ".gz":
        data = gzip.compress(data)
    elif path.suffix == ".zst":
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".ndjson.zst"])
def test_reddit_dump_with_bad_lines_imports_good_ones_and_reports_bad(tmp_path, store, suffix) -> None:
    lines = [
        json.dumps(REDDIT[0]),
        "{broken json",
        json.dumps(REDDIT[1]),
        json.dumps({"subreddit": "x"}),
        json.dumps(REDDIT[2]),
    ]
    path = write_lines(tmp_path / f"RS_2023-11{suffix}", lines)
    report = import_file(store, path)
    assert (report.lines, report.posts, report.rejected) == (5, 3, 2)
    rejects = [json.loads(x) for x in Path(report.reject_files[0]).read_text().splitlines()]
    assert [r["line"] for r in rejects] == [2, 4]
    assert "not JSON" in rejects[0]["error"]
    rows = stored(store, "reddit")
    assert rows["t3_abc1"]["text"] == "KP app down?\n\ncannot log in"
    assert rows["t1_def2"]["kind"] == "comment"
    assert rows["t1_def2"]["created_at"].timestamp() == 1700000100
    assert rows["t1_ghi3"]["deleted"] is True
    again = import_file(store, path, rejects_path=tmp_path / "again.jsonl")
    assert again.posts == 3
    assert len(stored(store)) == 3  # idempotent: same keys, nothing new


def test_bluesky_and_4cat_records_auto_detected(tmp_path, store) -> None:
    path = write_lines(tmp_path / "bsky.ndjson", [json.dumps(r) for r in BLUESKY])
    report = import_file(store, path)
    assert report.rejected == 0
    rows = stored(store, "bluesky")
    assert set(rows) == {"at://did:plc:a/app.bsky.feed.post/1", "at://did:plc:b/app.bsky.feed.post/2"}
    assert rows["at://did:plc:a/app.bsky.feed.post/1"]["language"] == "en"


def test_csv_with_column_mapping(tmp_path, store) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(
        "post_id,message,when,user\n1,kaiser down,2025-01-01T00:00:00Z,x\n2,no date,,y\n3,ok,1735689600,z\n"
    )
    report = import_file(store, path, mapping=parse_mapping(["post_id=native_id", "message=text", "when=created_at",
                                                             "user=author_handle"]), source="survey")  # fmt: skip
    assert (report.posts, report.rejected) == (2, 1)
    assert set(stored(store, "survey")) == {"1", "3"}
    assert json.loads(Path(report.reject_files[0]).read_text())["line"] == 3
    with pytest.raises(ValueError, match="COLUMN=FIELD"):
        parse_mapping(["nonsense"])


def test_cli_import_prints_counts(tmp_path) -> None:
    path = write_lines(tmp_path / "dump.jsonl.gz", [json.dumps(r) for r in REDDIT] + ["oops"])
    db = "sqlite:///" + str(tmp_path / "cli.db")
    cmd = [sys.executable, "-c", "from outagewatch.cli import main; main()", "--db-url", db, "import", str(path)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "imported 3 posts from 4 lines" in out.stdout
    assert "1 rejected" in out.stdout
    assert (tmp_path / "dump.jsonl.gz.rejects.jsonl").is_file()
