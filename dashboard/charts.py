"""Figures: pure functions from DataFrames to charts, no Streamlit, no data access.

The fixed line, band and heatmap figures are (data, Vega-Lite spec) pairs for st.vega_lite_chart;
the map and the incident timeline are Altair charts for st.altair_chart.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import altair as alt
import pandas as pd

LEVEL_COLORS = {"possible": "#f2b134", "likely": "#e8702a", "confirmed": "#c0392b"}
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


BASELINE_COLUMNS = ["bin_start", "posts", "expected", "upper", "alert"]
Figure = tuple[pd.DataFrame, dict[str, Any]]  # (data, Vega-Lite spec): st.vega_lite_chart(*figure)


def _spec(chart: alt.TopLevelMixin) -> str:
    """A data-less Altair chart as Vega-Lite JSON, without the default theme's config.

    The line, band and heatmap figures are fixed: only their data changes. Building and
    validating them through Altair cost ~0.1 s per page run, so each is built once per process
    (``_template``) and drawn with its data by st.vega_lite_chart. The theme's config is dropped
    as st.altair_chart does, so Streamlit's own theme applies.
    """
    spec = chart.to_dict()
    spec.pop("config", None)
    return json.dumps(spec)


@cache
def _template(kind: str, height: int, color: str | None = None) -> str:
    if kind == "baseline":
        base = alt.Chart().encode(x=alt.X("bin_start:T", title="time (UTC)"))
        band = base.mark_area(opacity=0.25, color="#7f8c8d").encode(
            y=alt.Y("expected:Q", title="reports per 5 min"), y2="upper:Q", tooltip=_tips()
        )
        posts = base.mark_line(color="#1f77b4").encode(y="posts:Q", tooltip=_tips())
        alerts = (
            base.transform_filter(alt.datum.alert > 0)
            .mark_point(color=LEVEL_COLORS["confirmed"], size=80, filled=True)
            .encode(y="posts:Q", tooltip=_tips())
        )
        return _spec(alt.layer(band, posts, alerts).properties(height=height))
    if kind == "series":
        encoding: dict[str, Any] = {
            "x": alt.X("bin_start:T", title="time (UTC)"),
            "y": alt.Y("posts:Q", title="reports"),
            "tooltip": [alt.Tooltip("bin_start:T", format="%Y-%m-%d %H:%M"), "posts:Q"],
        }
        if color:
            encoding["color"] = alt.Color(f"{color}:N", title=color)
            encoding["tooltip"].append(f"{color}:N")
        return _spec(alt.Chart().mark_line().encode(**encoding).properties(height=height))
    if kind == "rhythm":
        chart = (
            alt.Chart()
            .mark_rect()
            .encode(
                x=alt.X("hour:O", title="hour of day (UTC)"),
                y=alt.Y("weekday:O", sort=WEEKDAYS, title=None),
                color=alt.Color("posts_per_hour:Q", title="reports / hour", scale=alt.Scale(scheme="blues")),
                tooltip=["weekday:O", "hour:O", alt.Tooltip("posts_per_hour:Q", format=".2f")],
            )
            .properties(height=height)
        )
        return _spec(chart)
    raise ValueError(f"unknown figure {kind!r}")


def baseline_chart(scored: pd.DataFrame, height: int = 260) -> Figure:
    """Reports per bin (line) against the normal band (expected to upper bound) and alert marks.

    Only the columns drawn are sent to the browser, and the band's lower edge is the expected
    level (no separate line): every layer is work for Vega on each page load.
    """
    return scored[BASELINE_COLUMNS], json.loads(_template("baseline", height))


def _tips() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("bin_start:T", title="bin", format="%Y-%m-%d %H:%M"),
        alt.Tooltip("posts:Q", title="reports"),
        alt.Tooltip("expected:Q", title="expected", format=".1f"),
        alt.Tooltip("upper:Q", title="upper bound", format=".1f"),
    ]


def series_chart(frame: pd.DataFrame, color: str | None = None, height: int = 300) -> Figure:
    """Reports over time, one line per value of ``color`` when comparing services or regions."""
    return frame, json.loads(_template("series", height, color))


def rhythm_heatmap(rhythm: pd.DataFrame, height: int = 220) -> Figure:
    """The weekly rhythm: mean reports per hour, weekday x hour of day."""
    return rhythm, json.loads(_template("rhythm", height))


def us_map(topo: dict[str, Any], table: pd.DataFrame, value: str, org_fips: list[str]) -> alt.LayerChart:
    """States shaded by ``value`` over a grey base of all states; the organization's states outlined.

    The shapes are inline TopoJSON (no URL), so the map draws with no network at all.
    """
    shapes = alt.Data(values=topo, format=alt.DataFormat(type="topojson", feature="states"))
    base = alt.Chart(shapes).mark_geoshape(fill="#e5e5e5", stroke="white", strokeWidth=0.5)
    outline = (
        alt.Chart(shapes)
        .mark_geoshape(fill=None, stroke="#1f77b4", strokeWidth=1.5)
        .transform_filter(alt.FieldOneOfPredicate(field="id", oneOf=org_fips or ["none"]))
    )
    pick = alt.selection_point(name="pick", fields=["state"], on="click")
    colored = (
        alt.Chart(shapes)
        .mark_geoshape(stroke="#333", strokeWidth=0.8)
        .transform_lookup(
            lookup="id", from_=alt.LookupData(table, key="id", fields=["state", "name", "posts", "excess", "regions"])
        )
        .transform_filter("isValid(datum.state)")
        .encode(
            color=alt.Color(f"{value}:Q", title=value, scale=alt.Scale(scheme="oranges")),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
            tooltip=[
                alt.Tooltip("name:N", title="state"),
                alt.Tooltip("regions:N", title="regions"),
                alt.Tooltip("posts:Q", title="reports"),
                alt.Tooltip("excess:Q", title="above baseline", format=".1f"),
            ],
        )
        .add_params(pick)
    )
    return alt.layer(base, colored, outline).project("albersUsa").properties(height=420)


def incident_timeline(frame: pd.DataFrame) -> alt.Chart:
    """Incidents as bars from opening to resolution (or last update), coloured by evidence level."""
    return (
        alt.Chart(frame)
        .mark_bar(height=14)
        .encode(
            x=alt.X("opened_at:T", title="time (UTC)"),
            x2="end:T",
            y=alt.Y("label:N", title=None, sort=None),
            color=alt.Color(
                "level:N",
                scale=alt.Scale(domain=list(LEVEL_COLORS), range=list(LEVEL_COLORS.values())),
                title="level",
            ),
            tooltip=["id:Q", "org:N", "level:N", "status:N", "opened_at:T", "end:T"],
        )
        .properties(height=50 + 30 * len(frame))
    )
