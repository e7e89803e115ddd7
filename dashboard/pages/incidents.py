"""Incidents: what the detector opened, how strong the evidence is, and how early it was."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, data, widgets

STATUSES = {"all": None, "open": "open", "resolved": "resolved"}
BEFORE, AFTER = timedelta(hours=12), timedelta(hours=3)

st.title("Incidents")
clock = data.clock()
widgets.clock_note(clock)
status = st.segmented_control("Status", list(STATUSES), default="all", key="incidents_status") or "all"
found = data.incidents(status=STATUSES[status])
if found.empty:
    widgets.empty_state(
        "No incidents. They are opened by the detector (`outagewatch run` or `outagewatch detect`); "
        "if the store is empty, start with `outagewatch demo` or `outagewatch collect`."
    )
    st.stop()

sent = data.alerts()
if not sent.empty:
    delivered = int((sent["status"] == "sent").sum())
    st.caption(
        f"{delivered} alerts delivered, {int((sent['status'] != 'sent').sum())} pending or failed (all channels)."
    )

list_columns = ["id", "org", "status", "level", "opened_at", "resolved_at", "services", "regions", "lead_minutes"]
st.dataframe(
    found[list_columns],
    hide_index=True,
    width="stretch",
    column_config=widgets.time_columns("opened_at", "resolved_at"),
)
timeline = found.assign(
    end=found["resolved_at"].fillna(found["updated_at"]), label=found["org"] + " #" + found["id"].astype(str)
)
st.altair_chart(charts.incident_timeline(timeline), width="stretch")

names = {
    int(r["id"]): f"#{r['id']} {r['org']} · {r['level']} · {r['opened_at']:%Y-%m-%d %H:%M}"
    for r in found.to_dict("records")
}
linked = st.query_params.get("id", "")  # alert messages link to incidents?id=N
ids = list(names)
start = ids.index(int(linked)) if linked.isdigit() and int(linked) in names else 0
incident_id = st.selectbox("Incident", ids, index=start, format_func=names.__getitem__, key="incidents_pick")
chosen = data.incident(incident_id)
st.subheader(f"Incident #{incident_id}: {chosen['org']}")
cells = st.columns(4)
cells[0].metric("Evidence", chosen["level"])
cells[1].metric("Status", chosen["status"])
cells[2].metric("Peak / baseline", f"{chosen['peak']:.0f} / {chosen['baseline']:.1f}")
lead = chosen["lead_minutes"]
cells[3].metric(
    "Lead time",
    f"{lead:.0f} min" if lead is not None and not pd.isna(lead) else "not acknowledged",
    help="How long before the organization's official acknowledgment the social signal appeared.",
)
if chosen["acknowledged_at"] is not None:
    grade = chosen["lead_grade"] or "-"
    st.caption(f"Officially acknowledged at {chosen['acknowledged_at']:%Y-%m-%d %H:%M} UTC · lead grade {grade}")
    ack = widgets.safe_url(chosen["ack_url"])
    if ack:
        st.link_button("Official acknowledgment", ack)
st.text(f"Services: {', '.join(chosen['services']) or '-'}\nRegions: {', '.join(chosen['regions']) or '-'}")

since = chosen["opened_at"] - BEFORE
until = min((chosen["resolved_at"] or chosen["updated_at"]) + AFTER, clock.now)
scored = data.series_with_baseline(chosen["org"], since, max(until, chosen["opened_at"] + timedelta(minutes=5)))
st.vega_lite_chart(*charts.baseline_chart(scored), width="stretch")

behind = data.incident_posts(incident_id)
st.subheader(f"Posts behind it ({len(behind)})")
if behind.empty:
    st.caption("No posts are linked to this incident.")
else:
    st.dataframe(
        behind.assign(link=behind["url"].map(widgets.safe_url)).drop(columns=["url"]),
        hide_index=True,
        width="stretch",
        column_config={"link": st.column_config.LinkColumn("original", display_text="open")},
    )

st.subheader("Alerts for this incident")
mine = data.alerts(incident_id)
if mine.empty:
    st.caption("No alert was queued: configure a channel (webhook, Slack or e-mail) and run `outagewatch detect`.")
else:
    st.dataframe(
        mine[
            [
                "version",
                "channel",
                "status",
                "attempts",
                "created_at",
                "sent_at",
                "level",
                "incident_status",
                "services",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config=widgets.time_columns("created_at", "sent_at"),
    )
