"""Overview: is anything wrong right now, for each watched organization?"""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, widgets
from dashboard.baseline import STATUS_TEXT

REFRESH = "60s"

st.title("Overview")


@st.fragment(run_every=REFRESH)
def overview() -> None:
    """Redrawn every minute, so a wall screen follows new posts without a reload."""
    orgs = data.orgs()
    if not orgs:
        widgets.empty_state()
        return
    clock = data.clock()
    widgets.clock_note(clock)
    columns = st.columns(min(len(orgs), 4))
    statuses = data.org_statuses([o.id for o in orgs])
    for i, org in enumerate(orgs):
        columns[i % len(columns)].metric(org.name, STATUS_TEXT[statuses[org.id]], border=True)

    org = widgets.org_picker(orgs, key="overview_org")
    since, now = data.overview_window(clock)
    scored = data.series_with_baseline(org.id, since, now)
    st.subheader(f"{org.name}: reports in the last 24 hours")
    st.vega_lite_chart(*charts.baseline_chart(scored), width="stretch")
    st.caption("Grey band: the normal range learned by the detector (expected level to upper bound).")

    left, right = st.columns(2)
    with left:
        st.subheader("Most reported services")
        top = data.breakdown(org.id, since, now, by="service", limit=3)
        if top.empty:
            st.caption("No reports naming a service in the last 24 hours.")
        for row in top.to_dict("records"):
            st.metric(row["service"], f"{int(row['posts'])} reports")
    with right:
        st.subheader("Active incidents")
        active = data.incidents(status="open", org_id=org.id)
        if active.empty:
            st.caption("No open incident.")
        else:
            shown = active[["id", "level", "opened_at", "updated_at", "services", "regions", "peak"]]
            st.dataframe(shown, hide_index=True, width="stretch")


overview()
