"""Model: which classifier version labels the posts, how well it scored, and what it has labeled."""

from __future__ import annotations

import streamlit as st

from dashboard import data, widgets

st.title("Model")
folder = data.model_dir()
card = data.model_card(str(folder))
versions = data.label_versions()
if card is None:
    widgets.empty_state(
        f"No model card in {folder}. Train a model with `outagewatch train` "
        "(it writes the model and its card there), or set model_dir to a folder that holds one."
    )
else:
    version = str(card.get("model_version") or card.get("version") or "unknown")
    st.subheader("Active model")
    st.text(f"{version} · trained {card.get('trained_at', 'at an unknown time')}")
    if not versions.empty:
        labeled = versions[versions["labeler"] == version]["labels"].sum()
        st.caption(f"{int(labeled):,} stored labels come from this version.")
    metrics = data.model_metrics(card)
    if metrics.empty:
        st.caption("The card lists no metrics.")
    else:
        st.caption("Evaluation figures from the model card (measured when the model was trained).")
        st.dataframe(metrics, hide_index=True, width="stretch")
    with st.expander("Model card (full)"):
        st.json(card)

st.subheader("Labels per model version")
if versions.empty:
    st.caption("No labels stored yet: run `outagewatch classify` after collecting posts.")
else:
    st.dataframe(versions, hide_index=True, width="stretch", column_config=widgets.time_columns("last_labeled"))
