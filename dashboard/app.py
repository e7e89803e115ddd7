"""Entry point of the dashboard: `outagewatch dashboard` runs `streamlit run dashboard/app.py`.

Navigation is the PAGES list: adding a page is one file in pages/ and one line here. Start it
with `outagewatch dashboard` (or `python -m dashboard.serve run dashboard/app.py`), not a bare
`streamlit run`: see serve.py for why a deep link as first request would bypass this file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # `streamlit run` puts only dashboard/ on the path
    sys.path.insert(0, str(HERE.parent))

PAGES = [
    st.Page(HERE / "pages" / "overview.py", title="Overview", icon=":material/monitor_heart:", default=True),
    st.Page(HERE / "pages" / "map.py", title="Map", icon=":material/map:", url_path="map"),
    st.Page(HERE / "pages" / "trends.py", title="Trends", icon=":material/trending_up:", url_path="trends"),
    st.Page(HERE / "pages" / "posts.py", title="Posts", icon=":material/forum:", url_path="posts"),
    st.Page(HERE / "pages" / "incidents.py", title="Incidents", icon=":material/crisis_alert:", url_path="incidents"),
    st.Page(HERE / "pages" / "sources.py", title="Sources", icon=":material/sensors:", url_path="sources"),
    st.Page(HERE / "pages" / "model.py", title="Model", icon=":material/model_training:", url_path="model"),
    st.Page(HERE / "pages" / "labeling.py", title="Labeling", icon=":material/label:", url_path="labeling"),
    st.Page(HERE / "pages" / "export.py", title="Export", icon=":material/download:", url_path="export"),
]

st.set_page_config(page_title="OutageWatch", page_icon="🩺", layout="wide")
st.navigation(PAGES).run()
