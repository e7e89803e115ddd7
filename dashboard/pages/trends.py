"""Trends: reports over a chosen period, compared across services, regions or sources."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import baseline, charts, data, geo, widgets

EVERYTHING = "(all)"
COMPARE = {"nothing": None, "services": "service", "regions": "region", "sources": "source"}

st.title("Trends")
orgs, clock = widgets.watched_orgs_and_clock()
top = st.columns([2, 2, 3])
with top[0]:
    org = widgets.org_picker(orgs, key="trends_org")
with top[1]:
    first_day, last_day = data.trends_default_days(clock)
    picked = st.date_input("Dates (UTC)", (first_day, last_day), max_value=last_day, key="trends_dates")
with top[2]:
    compare = st.radio("Compare", list(COMPARE), horizontal=True, key="trends_compare")

start_day, end_day = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else (first_day, last_day)
since, until = data.day_window(start_day, end_day, clock)

dims: dict[str, str] = {}
filters = st.columns(3)
for column, by in zip(filters, ("service", "region", "source"), strict=True):
    with column:
        options = [EVERYTHING, *data.dimension_values(org.id, by)]
        choice = st.selectbox(by.capitalize(), options, format_func=geo.region_label, key=f"trends_{by}")
    if choice != EVERYTHING:
        dims[by] = choice

rule = "1h" if until - since > timedelta(days=3) else "5min"
by = COMPARE[compare]
if by:
    options = data.dimension_values(org.id, by)
    default = data.breakdown(org.id, since, until, by=by, limit=5)[by].tolist()
    chosen = st.multiselect(
        f"{compare.capitalize()} to compare",
        options,
        default=default,
        format_func=geo.region_label,
        key=f"trends_pick_{by}",
    )
    others = {k: v for k, v in dims.items() if k != by}
    shown = baseline.resample(data.series_by(org.id, since, until, by, chosen, **others), rule, by=by)
    chart = charts.series_chart(shown, color=by)
else:
    full = data.series(org.id, since, until, **dims)
    shown = baseline.resample(full, rule)
    chart = charts.series_chart(shown)

per = "hour" if rule == "1h" else "5 minutes"
st.subheader(f"{org.name}: reports per {per}")
if shown.empty or shown["posts"].sum() == 0:
    st.info("No reports match these filters in this period. Widen the dates or clear a filter.")
st.vega_lite_chart(*chart, width="stretch")
st.download_button(
    "Download these figures (CSV)",
    shown.to_csv(index=False).encode("utf-8"),
    file_name=f"outagewatch-{org.id}-{start_day}-{end_day}.csv",
    mime="text/csv",
    key="trends_csv",
)

st.subheader("Weekly rhythm")
rhythm_source = full if not by else data.series(org.id, since, until, **dims)
st.vega_lite_chart(*charts.rhythm_heatmap(baseline.weekly_rhythm(rhythm_source)), width="stretch")
st.caption("Mean reports per hour for each weekday and hour of day (UTC) over the chosen dates.")
