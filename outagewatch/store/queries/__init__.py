"""The read API: named, typed queries shared by the dashboard, exports and the CLI.

Each function takes an Engine and returns a pandas DataFrame (or plain values), so callers
never write SQL. Time bounds are half-open: ``since <= t < until``. One module per reader
(dashboard, incidents, health, export); every name is importable from here, as before.
"""

from __future__ import annotations

from outagewatch.store.queries._base import ALL, latest_labels
from outagewatch.store.queries.dashboard import (
    breakdown,
    count_series,
    count_series_by,
    dimension_values,
    find_posts,
    first_bin,
    label_versions,
    latest_bin,
    orgs_with_counts,
    post_labels,
)
from outagewatch.store.queries.export import (
    LABELING_MODES,
    human_labels,
    labeling_candidates,
    parent_post,
    post_sources,
)
from outagewatch.store.queries.health import collector_health, collector_last_success, label_count, post_count
from outagewatch.store.queries.incidents import acknowledgments, alert_list, incident, incident_list, incident_post_list

__all__ = [
    "ALL",
    "LABELING_MODES",
    "acknowledgments",
    "alert_list",
    "breakdown",
    "collector_health",
    "collector_last_success",
    "count_series",
    "count_series_by",
    "dimension_values",
    "find_posts",
    "first_bin",
    "human_labels",
    "incident",
    "incident_list",
    "incident_post_list",
    "label_count",
    "label_versions",
    "labeling_candidates",
    "latest_bin",
    "latest_labels",
    "orgs_with_counts",
    "parent_post",
    "post_count",
    "post_labels",
    "post_sources",
]
