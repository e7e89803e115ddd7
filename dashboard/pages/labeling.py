"""Labeling: people label posts, one click per decision, beside (never over) the model's labels.

The queue puts the model's least certain posts first (active learning), or draws a random
sample, or offers posts someone else labeled so agreement can be measured. Post text is from
strangers: it is shown with st.text only, never as markdown or HTML.
"""

from __future__ import annotations

import streamlit as st

from dashboard import export_data, widgets
from outagewatch.models import SERVICES

MODES = {
    "uncertain": "Model least sure first (active learning)",
    "random": "Random sample",
    "agreement": "Posts others labeled (for agreement)",
}
NONE = "(none)"

st.title("Labeling")
annotator = st.sidebar.text_input("Annotator (your name)", key="lab_annotator").strip()
mode = st.sidebar.radio("Queue", list(MODES), format_func=MODES.__getitem__, key="lab_mode")
seed = int(st.sidebar.number_input("Random seed", 0, 10_000, 0, key="lab_seed")) if mode == "random" else 0
skipped: set[int] = st.session_state.setdefault("lab_skipped", set())
done: int = st.session_state.setdefault("lab_done", 0)

if not annotator:
    widgets.empty_state("Enter your name as annotator in the sidebar: every label records who made it.")
    st.stop()

queue = export_data.queue(annotator, mode, limit=25 + len(skipped), seed=seed)
queue = queue[~queue["id"].isin(skipped)] if not queue.empty else queue
st.caption(f"{done} labeled this session. Keys: 1 = report, 2 = not a report, 3 = skip.")

if queue.empty:
    advice = {
        "agreement": "No post labeled by someone else is waiting for you.",
        "uncertain": "No post with a model label is waiting for you. Try the random sample, or run "
        "`outagewatch demo` or `outagewatch collect` and classify posts first.",
        "random": "No post is waiting for you. Run `outagewatch demo` or `outagewatch collect` to gather posts.",
    }[mode]
    widgets.empty_state(advice)
else:
    post = queue.iloc[0]
    post_id = int(post["id"])
    with st.container(border=True):
        meta = f"{post['source']} · {post['channel'] or 'no channel'} · {post['created_at']:%Y-%m-%d %H:%M} UTC"
        st.text(meta)
        if post["synthetic"]:
            st.text("Synthetic post (generated for demo or tests)")
        parent = export_data.parent(post["source"], post["parent_id"])
        if parent is not None:
            st.text("In reply to:")
            st.code(parent["text"], language=None, wrap_lines=True)
        st.text(post["text"])
        link = widgets.safe_url(post["url"])
        if link:
            st.link_button("Open the original", link)
    p = post["p_report"]
    if p == p and p is not None:
        st.caption(f"Model: p(report) = {p:.2f}, organization {widgets.escape_markdown(post['org'] or 'none')}.")

    orgs = export_data.watched_orgs()
    org_ids = [NONE, *orgs]
    regions = [NONE, *export_data.org_regions()]
    model_services = [s for s in (post["services"] or []) if s in SERVICES]
    with st.form(key=f"lab_form_{post_id}", border=False):
        row = st.columns([2, 3, 1, 2])
        org = row[0].selectbox(
            "Organization",
            org_ids,
            index=org_ids.index(post["org"]) if post["org"] in orgs else 0,
            format_func=lambda o: orgs.get(o, o),
            key=f"lab_org_{post_id}",
        )
        services = row[1].multiselect("Services", SERVICES, default=model_services, key=f"lab_services_{post_id}")
        state = row[2].text_input("State", value=post["state"] or "", max_chars=2, key=f"lab_state_{post_id}")
        region = row[3].selectbox(
            "Region",
            regions,
            index=regions.index(post["region"]) if post["region"] in regions else 0,
            key=f"lab_region_{post_id}",
        )
        buttons = st.columns(3)
        report = buttons[0].form_submit_button("Report (1)", type="primary", shortcut="1", width="stretch")
        not_report = buttons[1].form_submit_button("Not a report (2)", shortcut="2", width="stretch")
        skip = buttons[2].form_submit_button("Skip (3)", shortcut="3", width="stretch")

    if report or not_report:
        export_data.save_label(
            post["source"],
            post["native_id"],
            annotator,
            is_report=bool(report),
            org=None if org == NONE else org,
            services=services,
            state=state,
            region=None if region == NONE else region,
        )
        st.session_state["lab_done"] = done + 1
        st.rerun()
    if skip:
        skipped.add(post_id)
        st.rerun()

st.divider()
st.subheader("Agreement between annotators")
pairs = export_data.annotator_pairs()
if pairs.empty:
    st.caption("When two people label the same posts (queue: posts others labeled), Cohen's kappa per head shows here.")
else:
    options = [f"{r.a} + {r.b} ({r.shared} posts)" for r in pairs.itertuples()]
    chosen = st.selectbox("Annotators", range(len(options)), format_func=options.__getitem__, key="lab_pair")
    pair = pairs.iloc[chosen]
    table = export_data.agreement(pair["a"], pair["b"])
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "kappa": st.column_config.NumberColumn("Cohen's kappa", format="%.2f"),
            "agree": st.column_config.NumberColumn("raw agreement", format="%.2f"),
        },
    )
    st.caption("Kappa is empty when a head never varies; on few posts it is unstable, so raw agreement is shown too.")
