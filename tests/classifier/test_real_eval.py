"""Rebuilding the real-post evaluation files from collected texts, checked by SHA-256."""

from __future__ import annotations

import hashlib
import json

import pytest

from classifier.real_eval import MANIFEST, TextMismatchError, join_texts, main


def _manifest(tmp_path, texts):
    rows = [
        {"id": f"r{i}", "split": split, "is_report": i % 2 == 0, "text_sha256": hashlib.sha256(t.encode()).hexdigest()}
        for i, (split, t) in enumerate(texts)
    ]
    path = tmp_path / "manifest.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _texts(tmp_path, pairs):
    path = tmp_path / "texts.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in pairs), encoding="utf-8")
    return path


def test_texts_join_their_labels_by_split_and_missing_ones_are_left_out(tmp_path):
    manifest = _manifest(tmp_path, [("dev", "pharmacy is down"), ("test3", "we’re on paper"), ("dev", "gone")])
    texts = _texts(tmp_path, [("r0", "pharmacy is down"), ("r1", "we’re on paper")])
    splits = join_texts(texts, manifest)
    assert {k: [r["id"] for r in v] for k, v in splits.items()} == {"dev": ["r0"], "test3": ["r1"]}
    assert splits["test3"][0]["text"] == "we’re on paper"
    assert splits["dev"][0]["is_report"] is True


def test_a_text_that_differs_by_one_character_is_refused(tmp_path):
    manifest = _manifest(tmp_path, [("dev", "we’re on paper")])
    texts = _texts(tmp_path, [("r0", "we're on paper")])  # straight apostrophe: not the labeled text
    with pytest.raises(TextMismatchError, match="r0"):
        join_texts(texts, manifest)


def test_the_shipped_manifest_has_no_texts_and_unique_ids():
    rows = [json.loads(line) for line in MANIFEST.read_text(encoding="utf-8").splitlines()]
    assert all("text" not in r and len(r["text_sha256"]) == 64 for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)
    assert {r["split"] for r in rows} == {"dev", "test", "test2", "test3", "test4", "test5", "test6", "test7"}


def test_command_line_reports_a_mismatch_with_exit_code_1(tmp_path, capsys):
    texts = _texts(tmp_path, [("real-001", "not the labeled text")])
    with pytest.raises(SystemExit) as exc:
        main([str(texts), str(tmp_path / "out")])
    assert exc.value.code == 1
    assert "real-001" in capsys.readouterr().err
