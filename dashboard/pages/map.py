"""Map: where reports run above normal, by US state, with the organization's regions outlined."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import charts, data, geo, widgets

WINDOWS = {"last hour": 1, "last 6 hours": 6, "last 24 hours": 24, "last 7 days": 168}
MEASURES = {"reports above baseline": "excess", "all reports": "posts"}

st.title("Map")
orgs, clock = widgets.watched_orgs_and_clock()
left, middle, right = st.columns(3)
with left:
    org = widgets.org_picker(orgs, key="map_org")
with middle:
    window = st.selectbox("Window", list(WINDOWS), index=2, key="map_window")
with right:
    measure = st.selectbox("Shade by", list(MEASURES), key="map_measure")

since = clock.now - timedelta(hours=WINDOWS[window])
table, unmapped = geo.state_table(data.region_excess(org.id, since, clock.now), org)
org_fips = [f for f in map(geo.fips, geo.org_states(org)) if f]
event = st.altair_chart(
    charts.us_map(geo.topology(), table, MEASURES[measure], org_fips),
    width="stretch",
    on_select="rerun",
    key="map_chart",
)
st.caption(
    "Grey: no reports. Blue outline: the states of the organization's regions. "
    "Click a state, or pick it below, to see its reports."
)
if unmapped:
    st.caption("Regions not placed on the map: " + ", ".join(unmapped))

clicked = [p.get("state") for p in (event.selection.get("pick") or [])] if event else []
states = sorted(set(table["state"]) | set(geo.org_states(org)))
if clicked and clicked[0] in states and clicked[0] != st.session_state.get("map_last_click"):
    st.session_state["map_last_click"] = clicked[0]  # apply a click once, so the box stays usable
    st.session_state["map_state"] = clicked[0]
if st.session_state.get("map_state") not in (None, "(all)", *states):
    del st.session_state["map_state"]
state = st.selectbox("State", ["(all)", *states], key="map_state")

if state == "(all)":
    st.dataframe(table.drop(columns=["id"]), hide_index=True, width="stretch")
    st.subheader(f"{org.name} regions")
    per_region = data.breakdown(org.id, since, clock.now, by="region")
    own = per_region[~per_region["region"].str.startswith(geo.STATE_PREFIX)]
    own = own.assign(states=own["region"].map(lambda r: ", ".join(org.regions.get(r, ()))))
    st.dataframe(own, hide_index=True, width="stretch")
else:
    regions = geo.org_regions_of(state, org)
    st.subheader(f"{state}: {', '.join(regions) or 'not one of the organization regions'}")
    st.dataframe(table[table["state"] == state].drop(columns=["id"]), hide_index=True, width="stretch")
    found = data.find_posts(org=org.id, state=state, since=since, until=clock.now, reports_only=True, limit=100)
    st.caption(f"{len(found)} reports placed in {state} in the window (newest first, up to 100).")
    st.dataframe(
        found[["created_at", "source", "services", "region", "p_report", "synthetic", "text"]],
        hide_index=True,
        width="stretch",
    )
