"""The Labeling page through Streamlit's AppTest, on a seeded SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from outagewatch import labeling, runtime
from outagewatch.store import queries

PAGE = str(Path(__file__).resolve().parents[2] / "dashboard" / "pages" / "labeling.py")


@pytest.fixture
def page(labeled, tmp_path, monkeypatch):
    store, _ = labeled
    monkeypatch.setenv("OUTAGEWATCH_DB_URL", store.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("OUTAGEWATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(runtime, "_settings", None)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at, store


def button(at: AppTest, prefix: str):
    return next(b for b in at.button if b.label.startswith(prefix))


def test_asks_for_the_annotator_first(page):
    at, _ = page
    assert any("annotator" in i.value for i in at.info)
    assert not at.button


def test_one_click_saves_a_human_label_and_moves_on(page):
    at, store = page
    at.sidebar.text_input(key="lab_annotator").set_value("carla").run()
    first = labeling.next_posts(store, "carla", limit=1).iloc[0]
    assert first["text"] in [t.value for t in at.text]  # shown as plain text
    button(at, "Report").click().run()
    assert not at.exception, [e.value for e in at.exception]
    mine = queries.human_labels(store.engine)
    mine = mine[mine["annotator"] == "carla"]
    assert mine["native_id"].tolist() == [first["native_id"]]
    assert mine["is_report"].tolist() == [True]
    assert first["text"] not in [t.value for t in at.text]  # the queue moved on
    button(at, "Skip").click().run()
    button(at, "Not a report").click().run()
    saved = queries.human_labels(store.engine)
    assert (saved["annotator"] == "carla").sum() == 2
    assert saved[saved["annotator"] == "carla"]["is_report"].tolist() == [True, False]


def test_shows_the_parent_and_kappa_between_annotators(page):
    at, _ = page
    at.sidebar.text_input(key="lab_annotator").set_value("carla").run()
    at.sidebar.radio(key="lab_mode").set_value("agreement").run()
    assert not at.exception
    assert not at.code  # the first shared post (a thread root) has no parent
    button(at, "Skip").click().run()  # the next one replies to it
    assert [c.value for c in at.code] == ["Kaiser pharmacy down again @kp_help https://kp.org/0"]
    assert "same here, refills fail" in [t.value for t in at.text]
    table = at.dataframe[-1].value
    assert "is_report" in set(table["head"])
    assert table.set_index("head").loc["is_report", "posts"] == 6
