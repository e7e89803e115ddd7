"""Backfill errors and chunk planning, without a cluster: each failure says what to do."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from outagewatch import backfill_commands, runtime
from outagewatch.backfill import BackfillError, _range_lines, plan_chunks
from outagewatch.backfill_commands import connect
from outagewatch.config import Settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    env = {"OUTAGEWATCH_AUTHOR_SALT": "s", "OUTAGEWATCH_DATA_DIR": str(tmp_path / "data")}
    flags = {"db_url": f"sqlite:///{tmp_path / 'e.db'}"}
    monkeypatch.setattr(runtime, "_settings", Settings.load(flags=flags, environ=env))
    app = typer.Typer()
    backfill_commands.register(app)
    app.command("noop")(lambda: None)
    return app


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    with (
        pytest.raises(BackfillError, match="cannot reach the Dask scheduler") as info,
        connect(scheduler=address, timeout=1),
    ):
        pass
    assert address in str(info.value)
    assert "leave out --scheduler" in str(info.value)


def test_cli_reports_an_unreachable_scheduler_and_a_missing_file(tmp_path, monkeypatch) -> None:
    app = _app(tmp_path, monkeypatch)
    archive = tmp_path / "a.ndjson"
    archive.write_text('{"subreddit": "x", "id": "1", "title": "t", "created_utc": 1}\n', encoding="utf-8")
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = CliRunner().invoke(app, ["backfill", str(archive), "--scheduler", address, "--timeout", "1"])
    assert result.exit_code == 1
    assert "cannot reach the Dask scheduler" in result.output
    with pytest.raises(FileNotFoundError, match=r"missing\.ndjson does not exist"):
        CliRunner().invoke(app, ["backfill", str(tmp_path / "missing.ndjson")], catch_exceptions=False)
    with pytest.raises(ValueError, match="unknown format"):
        plan_chunks([archive], "xml")


@pytest.mark.parametrize("chunk_bytes", [1, 7, 64, 1000, 1 << 20])
def test_byte_ranges_give_every_line_to_exactly_one_chunk(tmp_path, chunk_bytes) -> None:
    lines = [f'{{"n": {i}, "pad": "{"x" * (i % 13)}"}}\n'.encode() for i in range(200)]
    path = tmp_path / "lines.ndjson"
    path.write_bytes(b"".join(lines))
    chunks = plan_chunks([path], "auto", chunk_bytes)
    assert len(chunks) == -(-path.stat().st_size // chunk_bytes)
    got = []
    with path.open("rb") as fh:
        for chunk in chunks:
            got += list(_range_lines(fh, chunk.start, chunk.end))
    assert got == lines


def test_compressed_and_csv_files_are_streamed_whole(tmp_path) -> None:
    for name in ("a.ndjson.gz", "b.csv", "c.jsonl.zst"):
        (tmp_path / name).write_bytes(b"x" * 100)
    chunks = plan_chunks(sorted(tmp_path.iterdir()), "auto", 10)
    assert [(Path(c.path).name, c.end) for c in chunks] == [
        ("a.ndjson.gz", None),
        ("b.csv", None),
        ("c.jsonl.zst", None),
    ]
