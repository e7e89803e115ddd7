"""Shaping one page of posts into export rows: labels joined, filters applied, authors re-keyed.

The column list is declared once here (name and kind); writers, the dataset card's features
and the tests all read it, so a column cannot appear in the data without appearing in the card.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from outagewatch.export.filters import ExportFilters, ExportOptions
from outagewatch.export.pseudonymise import scrub_mentions, scrub_urls


@dataclass(frozen=True, slots=True)
class Column:
    """One exported column; ``kind`` is string, text, timestamp, bool, float, int or list."""

    name: str
    kind: str
    doc: str


POST_COLUMNS: tuple[Column, ...] = (
    Column("source", "string", "platform: reddit, bluesky, mastodon, rss, ..."),
    Column("native_id", "string", "the platform's id of the post (with source, its key)"),
    Column("url", "string", "link to the original post"),
    Column("text", "text", "post text (title and body for Reddit submissions)"),
    Column("created_at", "timestamp", "when the author posted it (UTC)"),
    Column("collected_at", "timestamp", "when OutageWatch fetched it (UTC)"),
    Column("kind", "string", "submission, comment, post, reply, article or status"),
    Column("channel", "string", "subreddit, feed, hashtag or search query that found it"),
    Column("thread_id", "string", "the thread's root post id, when the platform gives one"),
    Column("parent_id", "string", "the post it replies to"),
    Column("conversation", "string", "group key used for splitting (thread, else parent chain, else itself)"),
    Column("language", "string", "language code when the platform gives one"),
    Column("score", "int", "platform score or likes at collection time"),
    Column("reply_count", "int", "replies at collection time"),
    Column("author", "string", "pseudonymous author id (export-specific salted HMAC), stable within the project"),
    Column("synthetic", "bool", "true for generated demo/test posts, never written by a person"),
)
LABEL_PARTS: tuple[Column, ...] = (
    Column("is_report", "bool", "a first-hand report of a service problem"),
    Column("p_report", "float", "model probability of is_report (1/0 for human labels)"),
    Column("org", "string", "organization id from the watch list"),
    Column("services", "list", "affected services (taxonomy ids)"),
    Column("state", "string", "US state code"),
    Column("region", "string", "the organization's own region"),
)
SINGLE_LABEL: tuple[Column, ...] = (
    Column("label_origin", "string", "model or human"),
    Column("labeler", "string", "model version, or the annotator's name"),
    *LABEL_PARTS,
    Column("labeled_at", "timestamp", "when the label was made (UTC)"),
)
BOTH_LABELS: tuple[Column, ...] = (
    *(Column(f"model_{c.name}", c.kind, f"model: {c.doc}") for c in LABEL_PARTS),
    Column("model_version", "string", "version of the model that labeled the post"),
    *(Column(f"human_{c.name}", c.kind, f"human: {c.doc}") for c in LABEL_PARTS if c.name != "p_report"),
    Column("annotator", "string", "the person who labeled the post (newest human label)"),
    Column("human_labeled_at", "timestamp", "when the human label was made (UTC)"),
)
SPLIT = Column("split", "string", "train, validation or test (grouped by conversation)")
ID_COLUMNS: tuple[Column, ...] = POST_COLUMNS[:3]


def columns_for(fmt: str, label_source: str) -> tuple[Column, ...]:
    """The columns an export of this format and label source has, in order."""
    if fmt == "ids":
        return ID_COLUMNS
    return (*POST_COLUMNS, *(BOTH_LABELS if label_source == "both" else SINGLE_LABEL), SPLIT)


def newest_per_post(labels: pd.DataFrame, origin: str) -> pd.DataFrame:
    """The newest label of each post from one origin (ties broken by labeler, for determinism)."""
    mine = labels[labels["origin"] == origin]
    if mine.empty:
        return mine
    mine = mine.sort_values(["post_id", "labeled_at", "labeler"])
    return mine.drop_duplicates("post_id", keep="last").set_index("post_id")


def _attach(page: pd.DataFrame, labels: pd.DataFrame, origin: str, prefix: str) -> pd.DataFrame:
    newest = newest_per_post(labels, origin)
    names = ["labeler", "is_report", "p_report", "org", "services", "state", "region", "labeled_at"]
    for name in names:
        page[prefix + name] = page["id"].map(newest[name]) if not newest.empty else None
    page[prefix + "origin"] = page[prefix + "labeler"].map(lambda v: origin if isinstance(v, str) else None)
    return page


def _effective(page: pd.DataFrame, label_source: str) -> pd.DataFrame:
    """The label the filters look at: the human one when a person labeled the post, else the model's."""
    if label_source == "model":
        return page.filter(regex="^m_").rename(columns=lambda c: c[2:])
    if label_source == "human":
        return page.filter(regex="^h_").rename(columns=lambda c: c[2:])
    human = page["h_labeler"].notna()
    model = page.filter(regex="^m_").rename(columns=lambda c: c[2:])
    people = page.filter(regex="^h_").rename(columns=lambda c: c[2:])
    return pd.DataFrame({c: people[c].where(human, model[c]) for c in people.columns}, index=page.index)


def label_mask(effective: pd.DataFrame, filters: ExportFilters) -> pd.Series:
    """Which rows pass the label filters (organization, service, region, reports, confidence)."""
    keep = pd.Series(True, index=effective.index)
    if filters.label_source == "human":
        keep &= effective["labeler"].notna()
    if filters.org:
        keep &= effective["org"] == filters.org
    if filters.service:
        keep &= effective["services"].map(lambda s: isinstance(s, list) and filters.service in s)
    if filters.region:
        keep &= (effective["region"] == filters.region) | (effective["state"] == filters.region.upper())
    if filters.reports_only:
        keep &= effective["is_report"].map(lambda v: v is True or v == 1)
    if filters.min_confidence is not None:
        p = pd.to_numeric(effective["p_report"], errors="coerce")
        report = effective["is_report"].map(lambda v: v is True or v == 1)
        confidence = p.where(report, 1 - p)
        keep &= confidence >= filters.min_confidence
    return keep.fillna(False).astype(bool)


def shape(
    page: pd.DataFrame,
    labels: pd.DataFrame,
    filters: ExportFilters,
    options: ExportOptions,
    author: Callable[[str | None], str | None],
    conversations: dict[tuple[str, str], str],
    split: Callable[[str], str],
) -> pd.DataFrame:
    """Export rows of one page with every column (the ids format keeps three of them when written)."""
    page = _attach(page.copy(), labels, "model", "m_")
    page = _attach(page, labels, "human", "h_")
    page = page[label_mask(_effective(page, filters.label_source), filters).to_numpy()].copy()
    page["conversation"] = [conversations[(s, n)] for s, n in zip(page["source"], page["native_id"], strict=True)]
    page["split"] = page["conversation"].map(split)
    page["author"] = page["author_key"].map(author) if options.pseudonymise else page["author_key"]
    if options.scrub_mentions:
        page["text"] = page["text"].map(scrub_mentions)
    if options.scrub_urls:
        page["text"] = page["text"].map(scrub_urls)
    if filters.label_source == "both":
        for c in LABEL_PARTS:
            page[f"model_{c.name}"] = page[f"m_{c.name}"]
            page[f"human_{c.name}"] = page[f"h_{c.name}"]
        page["model_version"], page["annotator"] = page["m_labeler"], page["h_labeler"]
        page["human_labeled_at"] = page["h_labeled_at"]
    else:
        p = "m_" if filters.label_source == "model" else "h_"
        for name in ("labeler", *(c.name for c in LABEL_PARTS), "labeled_at"):
            page[name] = page[p + name]
        page["label_origin"] = page[p + "origin"]
    return page[[c.name for c in columns_for("full", filters.label_source)]].reset_index(drop=True)
