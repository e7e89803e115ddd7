"""The Export page through Streamlit's AppTest: build, then download a zip of the dataset folder."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from outagewatch import runtime
from tests.export.conftest import SALT

PAGE = str(Path(__file__).resolve().parents[2] / "dashboard" / "pages" / "export.py")


def test_export_page_builds_a_downloadable_zip(seeded, tmp_path, monkeypatch):
    store, _ = seeded
    monkeypatch.setenv("OUTAGEWATCH_DB_URL", store.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("OUTAGEWATCH_AUTHOR_SALT", SALT)
    monkeypatch.setenv("OUTAGEWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(runtime, "_settings", None)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.get("download_button")
    at.selectbox(key="exp_format").set_value("jsonl")
    at.selectbox(key="exp_org").set_value("kaiser")
    at.checkbox(key="exp_reports").check()
    next(b for b in at.button if b.label == "Build export").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.success
    assert len(at.get("download_button")) == 1
    data, manifest = at.session_state["exp_result"]
    assert manifest["query"]["filters"]["org"] == "kaiser"
    assert manifest["query"]["filters"]["reports_only"] is True
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        inner = json.loads(archive.read(next(n for n in names if n.endswith("manifest.json"))))
        assert any(n.endswith("README.md") for n in names)
        rows = sum(len(archive.read(n).splitlines()) for n in names if n.endswith(".jsonl"))
    assert rows == inner["rows"] == manifest["rows"] > 0


def test_export_page_names_a_bad_option(seeded, tmp_path, monkeypatch):
    store, _ = seeded
    monkeypatch.setenv("OUTAGEWATCH_DB_URL", store.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("OUTAGEWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(runtime, "_settings", None)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    at.text_input(key="exp_splits").set_value("80/20")
    next(b for b in at.button if b.label == "Build export").click().run()
    assert not at.exception
    assert any("three numbers" in e.value for e in at.error)  # the message (markdown-escaped) names the fix
