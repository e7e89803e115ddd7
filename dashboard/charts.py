"""Altair figures: pure functions from DataFrames to charts, no Streamlit, no data access."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

LEVEL_COLORS = {"possible": "#f2b134", "likely": "#e8702a", "confirmed": "#c0392b"}
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def baseline_chart(scored: pd.DataFrame, height: int = 260) -> alt.LayerChart:
    """Reports per bin (line) against the normal band (expected to upper bound) and alert marks."""
    base = alt.Chart(scored).encode(x=alt.X("bin_start:T", title="time (UTC)"))
    band = base.mark_area(opacity=0.25, color="#7f8c8d").encode(
        y=alt.Y("expected:Q", title="reports per 5 min"), y2="upper:Q", tooltip=_tips()
    )
    expected = base.mark_line(strokeDash=[4, 3], color="#7f8c8d").encode(y="expected:Q")
    posts = base.mark_line(color="#1f77b4").encode(y="posts:Q", tooltip=_tips())
    alerts = (
        base.transform_filter(alt.datum.alert > 0)
        .mark_point(color=LEVEL_COLORS["confirmed"], size=80, filled=True)
        .encode(y="posts:Q", tooltip=_tips())
    )
    return alt.layer(band, expected, posts, alerts).properties(height=height)


def _tips() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("bin_start:T", title="bin", format="%Y-%m-%d %H:%M"),
        alt.Tooltip("posts:Q", title="reports"),
        alt.Tooltip("expected:Q", title="expected", format=".1f"),
        alt.Tooltip("upper:Q", title="upper bound", format=".1f"),
    ]


def series_chart(frame: pd.DataFrame, color: str | None = None, height: int = 300) -> alt.Chart:
    """Reports over time, one line per value of ``color`` when comparing services or regions."""
    encoding: dict[str, Any] = {
        "x": alt.X("bin_start:T", title="time (UTC)"),
        "y": alt.Y("posts:Q", title="reports"),
        "tooltip": [alt.Tooltip("bin_start:T", format="%Y-%m-%d %H:%M"), "posts:Q"],
    }
    if color:
        encoding["color"] = alt.Color(f"{color}:N", title=color)
        encoding["tooltip"].append(f"{color}:N")
    return alt.Chart(frame).mark_line().encode(**encoding).properties(height=height)


def rhythm_heatmap(rhythm: pd.DataFrame) -> alt.Chart:
    """The weekly rhythm: mean reports per hour, weekday x hour of day."""
    return (
        alt.Chart(rhythm)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title="hour of day (UTC)"),
            y=alt.Y("weekday:O", sort=WEEKDAYS, title=None),
            color=alt.Color("posts_per_hour:Q", title="reports / hour", scale=alt.Scale(scheme="blues")),
            tooltip=["weekday:O", "hour:O", alt.Tooltip("posts_per_hour:Q", format=".2f")],
        )
        .properties(height=220)
    )


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
