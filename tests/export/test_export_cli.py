"""`outagewatch export` end to end through Typer, on a seeded store."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from outagewatch import runtime
from outagewatch.config import Settings
from outagewatch.export import commands
from outagewatch.export.filters import ExportQueryError
from tests.export.conftest import SALT


@pytest.fixture
def cli(seeded, tmp_path, monkeypatch):
    store, _ = seeded
    url = store.engine.url.render_as_string(hide_password=False)
    env = {"OUTAGEWATCH_AUTHOR_SALT": SALT, "OUTAGEWATCH_DATA_DIR": str(tmp_path / "data")}
    monkeypatch.setattr(runtime, "_settings", Settings.load(flags={"db_url": url}, environ=env))
    app = typer.Typer()
    commands.register(app)
    app.command("noop")(lambda: None)  # two commands, so Typer keeps the command name
    return app


def test_export_command_writes_a_dataset(cli, tmp_path):
    out = tmp_path / "cli-export"
    args = ["export", "--format", "csv", "--out", str(out), "--org", "kaiser", "--posted-since", "2025-06-01"]
    result = CliRunner().invoke(cli, [*args, "--scrub-urls", "--label-source", "both"])
    assert result.exit_code == 0, result.output
    assert "Exported" in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["query"]["filters"]["posted_since"] == "2025-06-01T00:00:00+00:00"
    assert manifest["options"]["scrub_urls"] is True
    frame = pd.concat(pd.read_csv(out / f["path"]) for f in manifest["files"] if f["split"])
    assert len(frame) == manifest["rows"] > 0
    assert set(frame["model_org"]) | set(frame["human_org"].dropna()) == {"kaiser"}


def test_bad_time_names_the_option():
    with pytest.raises(ExportQueryError, match="--posted-since"):
        commands.parse_time("last tuesday", "--posted-since")
    assert commands.parse_fractions("8/1/1") == pytest.approx((0.8, 0.1, 0.1))
