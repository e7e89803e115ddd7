"""The prose of the dataset card: what the data is, where it came from, and how to use it fairly."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from outagewatch.export.card import when
from outagewatch.export.records import Column
from outagewatch.export.stats import ExportStats
from outagewatch.watchlist import WatchList

TERMS = """\
Posts belong to their authors and are shared under each platform's terms:

- **Reddit** (Data API Terms, Developer Terms): do not redistribute content at scale; share
  ids (`--format ids`) and let others rehydrate through the API. Content deleted on Reddit
  must be removed from copies: re-check ids before reuse.
- **Bluesky** (AT Protocol, Community Guidelines): posts are public records, but deletions
  must be honoured; respect authors' labels and blocks.
- **Mastodon**: each instance sets its own terms; many authors object to archiving. Share ids
  or URLs unless the instance and authors allow more.
- **RSS/Atom**: publishers keep copyright; excerpts for research only.

Posts deleted at the source before this export are never included. Deletions after the export
date are not reflected: re-check ids before publishing results.
"""

LIMITATIONS = """\
- Social posts are a biased, self-selected sample: people who post about outages are not all
  affected people, and platforms differ by age, region and language.
- Model labels are predictions with errors (see the model card); human labels cover few posts.
- Organization, state and region are inferred from text, channel and profile location and can be wrong.
- `synthetic = true` rows are generated demo or test posts, not written by people: drop them for research.
- Mastodon replies name their parent by a local id, so their parent chain may not be resolved;
  such replies are grouped by the parent id they name.
- Engagement counts (score, replies) are as of collection time.
"""


@dataclass(frozen=True, slots=True)
class CardContext:
    """Everything the body needs besides the counts."""

    pretty_name: str
    fmt: str
    columns: tuple[Column, ...]
    filters: dict[str, Any]
    options: dict[str, Any]
    exported_at: datetime
    watchlist: WatchList | None
    collectors: dict[str, list[str]]
    manifest_name: str = "manifest.json"


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    cell = lambda v: str(v).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _counter_table(name: str, counter: Counter, limit: int = 25) -> str:
    rows = counter.most_common(limit)
    more = f"\n\n({len(counter) - limit} more values not shown)" if len(counter) > limit else ""
    return _table((name, "rows"), rows) + more


def _general(watchlist: WatchList) -> list[str]:
    return [*(f"r/{s}" for s in watchlist.subreddits), *(f"#{h}" for h in watchlist.hashtags)]


def _window(window: list[datetime]) -> str:
    return f"{when(window[0])} to {when(window[1])}" if window else "n/a (no rows)"


def _sources(ctx: CardContext, stats: ExportStats) -> str:
    parts = [
        _counter_table("source", stats.sources),
        "Channels (subreddit, feed, hashtag or query) that found the posts:",
    ]
    parts.append(_counter_table("channel", stats.channels, 30))
    if ctx.watchlist is not None:
        rows = [
            (o.name, ", ".join(o.search_queries) or "-", ", ".join(f"r/{s}" for s in o.subreddits) or "-",
             ", ".join(f"#{h}" for h in o.hashtags) or "-", ", ".join(f.url for f in o.feeds) or "-")
            for o in ctx.watchlist.orgs
        ]  # fmt: skip
        parts += [
            f"Watch list ({ctx.watchlist.path.name if ctx.watchlist.path else 'default'}): organizations and queries.",
            _table(("organization", "search queries", "subreddits", "hashtags", "feeds"), rows),
            "General channels: " + (", ".join(_general(ctx.watchlist)) or "-"),
        ]
    if ctx.collectors:
        rows = [
            (name, ", ".join(keys[:40]) + (" ..." if len(keys) > 40 else "")) for name, keys in ctx.collectors.items()
        ]
        parts += ["Collectors and the channels/queries they follow:", _table(("collector", "follows"), rows)]
    return "\n\n".join(parts)


def _labels(ctx: CardContext, stats: ExportStats) -> str:
    source = ctx.filters.get("label_source", "model")
    how = {
        "model": "Labels are the newest **model** label of each post (origin `model`).",
        "human": "Labels are the newest **human** label of each post; only posts a person labeled are included.",
        "both": "Each row carries the newest model label (`model_*`) and the newest human label (`human_*`) side by "
        "side; filters look at the human label where one exists, else the model's.",
    }[source]
    rows = sorted((origin, who, n) for (origin, who), n in stats.labelers.items())
    made = _table(("origin", "model version or annotator", "rows"), rows) if rows else "No labels in this export."
    counts = "\n\n".join(f"**{head}**\n\n{_counter_table('value', c)}" for head, c in stats.labels.items())
    note = "Human labels come from the dashboard's Labeling page and never overwrite model labels."
    return f"{how} {note}\n\n{made}\n\n## Counts per label\n\n{counts}"


def body(ctx: CardContext, stats: ExportStats, files: dict[str, str]) -> str:
    """The Markdown body of README.md."""
    fields = _table(("column", "type", "meaning"), [(c.name, c.kind, c.doc) for c in ctx.columns])
    splits = _table(("split", "rows", "file"), [(s, stats.splits.get(s, 0), p) for s, p in files.items()])
    active = {k: v for k, v in ctx.filters.items() if v not in (None, False)}
    year = ctx.exported_at.year
    return f"""# {ctx.pretty_name}

## Description

Public social-media posts about service problems at healthcare organizations, collected by
OutageWatch and labeled for outage detection: is the post a first-hand report of a problem,
which organization, which services, and where. {stats.rows} rows, {stats.synthetic} of them synthetic.
Format: {ctx.fmt}. The exact query, file checksums and versions are in `{ctx.manifest_name}`.

Query: `{json.dumps(active, sort_keys=True)}`

## Collection window

- Posted (created_at): {_window(stats.posted)}
- Collected (collected_at): {_window(stats.collected)}
- Exported: {when(ctx.exported_at)}

## Sources and queries

{_sources(ctx, stats)}

## Fields (label schema)

{fields}

## How labels were made

{_labels(ctx, stats)}

## Splits

Deterministic: each conversation (thread, else parent chain, else the post itself) is hashed to
a split, so replies never leak across splits and a post keeps its split in every export.
Fractions (train, validation, test): {ctx.options.get("split_fractions")}.

{splits}

## Privacy

Authors are pseudonymised by default: `author` is an export-specific salted HMAC of the stored
author key, stable within this project and not reversible without the project's salt (the
manifest holds a fingerprint of the salt, never the salt). Raw handles, profile locations and
raw payloads are never exported. Mentions scrubbed: {ctx.options.get("scrub_mentions")}; URLs
scrubbed: {ctx.options.get("scrub_urls")}. Post text and ids can still lead back to authors:
share the `ids` format where platform terms require it.

## Known limitations

{LIMITATIONS}
## Terms of service

{TERMS}
## How to cite

```bibtex
@misc{{outagewatch_export_{ctx.exported_at:%Y%m%d%H%M},
  title  = {{{ctx.pretty_name}}},
  author = {{OutageWatch contributors}},
  year   = {{{year}}},
  note   = {{Exported {when(ctx.exported_at)}; see manifest.json for the query and SHA-256 checksums}}
}}
```
"""
