"""Sources: is every collector alive? A collector that failed or went quiet shows up here."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, widgets

st.title("Sources")
health = data.collector_health()
if health.empty:
    widgets.empty_state(
        "No collector has run yet. Run `outagewatch collect` (or `outagewatch demo` for replayed data)."
    )
    st.stop()

bad = health[health["verdict"] != "ok"]
for row in bad.to_dict("records"):
    text = f"{row['collector']}: {row['verdict']}"
    if row["verdict"].startswith("error"):
        st.error(text, icon=":material/error:")
        st.text(f"Last error: {row['last_error'] or 'none recorded'}")  # plain: error text can quote a server
    else:
        st.warning(text, icon=":material/warning:")
if bad.empty:
    st.success("Every collector's last run succeeded recently.", icon=":material/check_circle:")


def _color(verdict: str) -> str:
    """Red for a failed run, amber for a quiet or never-successful collector."""
    if verdict.startswith("error"):
        return "background-color: #f8d7da"
    return "" if verdict == "ok" else "background-color: #fff3cd"


columns = [
    "collector",
    "verdict",
    "last_status",
    "last_run_started",
    "last_run_finished",
    "last_success",
    "last_posts",
    "posts_total",
    "runs",
    "errors_total",
    "last_error",
]
st.dataframe(
    health[columns].style.map(_color, subset=["verdict"]),
    hide_index=True,
    width="stretch",
    column_config=widgets.time_columns("last_run_started", "last_run_finished", "last_success"),
)
st.caption("Resume points (state) each collector saved with its last batch:")
for row in health.to_dict("records"):
    saved = "never" if pd.isna(row["state_updated"]) else f"{row['state_updated']:%Y-%m-%d %H:%M} UTC"
    with st.expander(f"{row['collector']} state (saved {saved})"):
        st.json(row["state"] or {})
