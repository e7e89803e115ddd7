"""Posts: find the posts behind a signal, with what the classifier said about each and why.

Post text comes from strangers on the internet: it is shown as plain text only (st.text and
the data grid), never through markdown or HTML, and only http(s) links are offered.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import data, widgets

PERIODS = {"last 24 hours": 1, "last 7 days": 7, "last 30 days": 30, "any time": None}
ANY = "(any)"

st.title("Posts")
clock = data.clock()
widgets.clock_note(clock)
orgs = data.orgs()

row = st.columns([3, 2, 2, 2])
query = row[0].text_input("Search the text", key="posts_query")
period = row[1].selectbox("Period", list(PERIODS), index=1, key="posts_period")
org_id = row[2].selectbox("Organization", [ANY, *(o.id for o in orgs)], key="posts_org")
reports_only = row[3].toggle("Reports only", value=False, key="posts_reports")
row = st.columns(4)
service = row[0].selectbox(
    "Service", [ANY, *(data.dimension_values(org_id, "service") if org_id != ANY else [])], key="posts_service"
)
source = row[1].text_input("Source (reddit, bluesky, ...)", key="posts_source")
state = row[2].text_input("State (CA, OR, ...)", key="posts_state", max_chars=2)
limit = row[3].number_input("Show at most", 10, 2000, 200, step=50, key="posts_limit")

days = PERIODS[period]
found = data.find_posts(
    since=clock.now - timedelta(days=days) if days else None,
    until=clock.now + timedelta(minutes=5) if days else None,
    org=None if org_id == ANY else org_id,
    service=None if service == ANY else service,
    source=source.strip() or None,
    state=state.strip().upper() or None,
    text=query.strip() or None,
    reports_only=reports_only,
    limit=int(limit),
)
if found.empty:
    widgets.empty_state(
        "No posts match. Clear a filter or widen the period; if the store is empty, run "
        "`outagewatch demo` or `outagewatch collect`."
    )
    st.stop()

table = found.assign(link=found["url"].map(widgets.safe_url))
st.caption(f"{len(found)} posts, newest first. Synthetic posts (demo and test data) are marked.")
st.dataframe(
    table[
        ["id", "created_at", "source", "synthetic", "org", "is_report", "p_report", "services", "state", "text", "link"]
    ],
    hide_index=True,
    width="stretch",
    column_config={
        "link": st.column_config.LinkColumn("original", display_text="open"),
        "p_report": st.column_config.NumberColumn("confidence", format="%.2f"),
        "synthetic": st.column_config.CheckboxColumn("synthetic"),
        **widgets.time_columns("created_at"),
    },
)

labels = {
    int(r["id"]): f"#{r['id']} · {r['source']} · {r['created_at']:%Y-%m-%d %H:%M}" for r in found.to_dict("records")
}
post_id = st.selectbox("Post details", list(labels), format_func=labels.__getitem__, key="posts_pick")
post = found[found["id"] == post_id].iloc[0]
with st.container(border=True):
    if post["synthetic"]:
        st.warning(
            "Synthetic post: generated for the demo or tests, not written by a person.", icon=":material/science:"
        )
    channel = post["channel"] if isinstance(post["channel"], str) else "no channel"
    st.text(f"{post['source']} · {channel} · {post['created_at']:%Y-%m-%d %H:%M} UTC")  # the channel is outside text
    st.text(post["text"])
    url = widgets.safe_url(post["url"])
    if url:
        st.link_button("Open the original post", url)
    post_labels = data.post_labels(post_id)
    if post_labels.empty:
        st.caption("Not labeled yet: run `outagewatch classify`.")
    else:
        st.caption("Labels (newest first): confidence is the probability that the post reports a problem.")
        shown = post_labels.assign(evidence=post_labels["evidence"].map(str), services=post_labels["services"].map(str))
        st.dataframe(shown, hide_index=True, width="stretch")
