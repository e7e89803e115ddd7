"""Recovering real-post texts from saved page text by SHA-256 (classifier/recover_texts.py)."""

from __future__ import annotations

import hashlib
import json

import pytest

from classifier.recover_texts import main, recover

POSTS = {
    "r0": "Not sure if it’s just us but the pharmacy system is down,",
    "r1": "We are back on paper charts.\nAgain.",
    "r2": "never saved anywhere",
}


def _manifest(tmp_path):
    rows = [
        {
            "id": post,
            "split": "dev",
            "source_url": f"https://example.org/{post}",
            "n_chars": len(text),
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
        }
        for post, text in POSTS.items()
    ]
    path = tmp_path / "manifest.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_texts_inside_longer_pages_are_found_even_with_other_whitespace(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text(f"One employee wrote: “{POSTS['r0']}” they said.\n", encoding="utf-8")
    excerpt = "   We are back on paper charts.\n\n   Again.\n"
    answer = {"results": [{"url": "https://example.org/r1", "excerpt": excerpt}]}
    (pages / "b.json").write_text(json.dumps(answer), encoding="utf-8")  # a saved search answer
    texts = tmp_path / "texts.jsonl"
    found, missing = recover(pages, texts, _manifest(tmp_path))
    assert found == {"r0": POSTS["r0"], "r1": POSTS["r1"]}
    assert [row["id"] for row in missing] == ["r2"]
    saved = [json.loads(line) for line in texts.read_text(encoding="utf-8").splitlines()]
    assert saved == [{"id": "r0", "text": POSTS["r0"]}, {"id": "r1", "text": POSTS["r1"]}]


def test_a_text_that_differs_is_not_found_and_found_ones_are_not_repeated(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text(POSTS["r0"].replace("’", "'"), encoding="utf-8")  # straight apostrophe
    texts = tmp_path / "texts.jsonl"
    texts.write_text(json.dumps({"id": "r1", "text": POSTS["r1"]}) + "\n", encoding="utf-8")
    found, missing = recover(pages, texts, _manifest(tmp_path))
    assert found == {}
    assert [row["id"] for row in missing] == ["r0", "r2"]
    assert len(texts.read_text(encoding="utf-8").splitlines()) == 1


def test_cli_refuses_a_missing_folder(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main([str(tmp_path / "nope"), str(tmp_path / "t.jsonl")])
    assert exc.value.code == 2
    assert "not a folder" in capsys.readouterr().err


def test_reruns_scan_only_new_pages_unless_the_found_texts_went_missing(tmp_path, monkeypatch):
    from classifier import recover_texts

    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text(f"quote: {POSTS['r0']} end", encoding="utf-8")
    texts, manifest = tmp_path / "texts.jsonl", _manifest(tmp_path)
    scanned_now: list[str] = []
    find_texts = recover_texts.find_texts

    def spy(page_strings, wanted):
        page_strings = list(page_strings)
        scanned_now[:] = page_strings
        return find_texts(page_strings, wanted)

    monkeypatch.setattr(recover_texts, "find_texts", spy)
    assert recover(pages, texts, manifest)[0] == {"r0": POSTS["r0"]}
    (pages / "b.txt").write_text(f"later: {POSTS['r1']}", encoding="utf-8")
    assert recover(pages, texts, manifest)[0] == {"r1": POSTS["r1"]}
    assert scanned_now == [f"later: {POSTS['r1']}"]  # a.txt was scanned by the first run
    texts.unlink()  # the texts found so far are gone: every page is wanted again
    assert recover(pages, texts, manifest)[0] == {"r0": POSTS["r0"], "r1": POSTS["r1"]}
    assert len(scanned_now) == 2
