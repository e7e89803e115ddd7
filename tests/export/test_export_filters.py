"""Filters, pseudonyms, splits and text scrubbing, checked on the exported files."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from outagewatch.export.filters import ExportFilters, ExportQueryError
from outagewatch.export.pseudonymise import scrub_mentions, scrub_urls
from tests.export.conftest import run_export
from tests.export.seed_data import ARCHIVE_COLLECTED, THREADS


def rows(result) -> pd.DataFrame:
    parts = [pd.read_parquet(result.folder / f["path"]) for f in result.manifest["files"] if f["split"]]
    return pd.concat(parts, ignore_index=True)


def test_posted_and_collected_filters_differ_for_backfilled_posts(export):
    june = datetime(2025, 6, 1, tzinfo=UTC)
    posted = rows(export("posted", posted_since=june))
    collected = rows(export("collected", collected_since=june))
    archive = posted["channel"] == "archive"
    assert not archive.any()  # posted in 2024: outside a posted-at window starting in June 2025
    assert (collected["channel"] == "archive").sum() == 6  # but collected in June 2025
    assert len(collected) == len(posted) + 6
    late = rows(export("late", collected_since=ARCHIVE_COLLECTED, collected_until=datetime(2025, 7, 1, tzinfo=UTC)))
    assert set(late["channel"]) == {"archive"}
    assert late["created_at"].max() < pd.Timestamp("2024-02-01", tz="UTC")


def test_pseudonyms_stable_within_project_and_different_across_salts(seeded, tmp_path):
    store, _ = seeded
    first = rows(run_export(store, tmp_path / "a"))
    again = rows(run_export(store, tmp_path / "b", chunk=4))
    other = rows(run_export(store, tmp_path / "c", salt="another-project"))
    key = ["source", "native_id"]
    first, again, other = (f.sort_values(key).reset_index(drop=True) for f in (first, again, other))
    assert first["author"].tolist() == again["author"].tolist()
    assert first["author"].notna().all()
    assert not set(first["author"]) & set(other["author"])
    alice = first[first["native_id"].str.startswith("t3_") & (first["channel"] == "r/KaiserPermanente")]
    assert alice["author"].nunique() == 1  # one author, one pseudonym across posts
    internal = pd.read_sql("select author_key from posts", store.engine)["author_key"]
    assert not set(first["author"]) & set(internal)  # exported ids differ from the store's keys


def test_splits_never_share_a_conversation(export):
    data = rows(export("splits", chunk=5))
    assert data.groupby("conversation")["split"].nunique().max() == 1
    assert data["conversation"].nunique() == THREADS + 6
    root = data.set_index("native_id")
    for t in range(2, THREADS, 3):  # mastodon-like: no thread ids, replies found through parents
        assert root.loc[f"m{t}-2", "conversation"] == root.loc[f"m{t}", "conversation"] == f"mastodon:m{t}"
    assert set(data["split"]) == {"train", "validation", "test"}


def test_splits_are_deterministic_whatever_the_filters(export):
    everything = rows(export("all")).set_index("native_id")["split"]
    kaiser = rows(export("kaiser", org="kaiser")).set_index("native_id")["split"]
    assert (everything.loc[kaiser.index] == kaiser).all()


def test_label_filters(export):
    cvs = rows(export("cvs", org="cvs"))
    assert set(cvs["org"]) == {"cvs"}
    assert set(cvs["source"]) == {"bluesky"}
    reports = rows(export("reports", reports_only=True, service="pharmacy"))
    assert reports["is_report"].all()
    assert reports["services"].map(lambda s: "pharmacy" in s).all()
    sure = rows(export("sure", min_confidence=0.8))
    confidence = sure["p_report"].where(sure["is_report"], 1 - sure["p_report"])
    assert (confidence >= 0.8 - 1e-9).all()
    assert 0 < len(sure) < len(rows(export("any")))
    by_state = rows(export("state", region="ca"))
    assert len(by_state) == len(rows(export("any2")))  # every seeded label is in CA


def test_label_sources(export):
    human = rows(export("human", label_source="human"))
    assert len(human) == 6
    assert set(human["label_origin"]) == {"human"}
    assert set(human["labeler"]) <= {"ana", "ben"}
    both = rows(export("both", label_source="both"))
    assert both["model_version"].notna().all()
    assert both["annotator"].notna().sum() == 6
    assert "labeler" not in both.columns


def test_scrub_options(seeded, tmp_path):
    from outagewatch.export.build import export_dataset
    from outagewatch.export.filters import ExportOptions

    store, _ = seeded
    options = ExportOptions(scrub_mentions=True, scrub_urls=True)
    result = export_dataset(store, tmp_path / "scrubbed", ExportFilters(), options, salt="s")
    text = " ".join(rows(result)["text"])
    assert "@kp_help" not in text
    assert "kp.org/" not in text
    assert "www.cvs.com" not in text
    assert "<url>" in text
    assert "@user" in text


def test_scrubbers_keep_the_rest_of_the_text():
    assert scrub_mentions("email me at a@b.com, @bob") == "email me at a@b.com, @user"
    assert scrub_urls("see https://x.org/a).") == "see <url>)."


def test_bad_options_are_refused_with_the_option_named(export):
    with pytest.raises(ExportQueryError, match="--service"):
        ExportFilters(service="plumbing")
    with pytest.raises(ExportQueryError, match="--posted-since"):
        ExportFilters(posted_since=datetime(2025, 2, 1, tzinfo=UTC), posted_until=datetime(2025, 1, 1, tzinfo=UTC))
    export("once")
    with pytest.raises(FileExistsError, match="--overwrite"):
        export("once")
