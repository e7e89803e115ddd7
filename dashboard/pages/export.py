"""Export: the same dataset the `outagewatch export` command builds, as a zip to download.

A researcher picks the posts (time ranges, organization, service, region, source, labels) and
the format; the folder holds the data per split, the dataset card and the manifest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import streamlit as st

from dashboard import export_data, widgets
from outagewatch.export.filters import FORMATS, LABEL_SOURCES, ExportFilters, ExportOptions, ExportQueryError
from outagewatch.models import SERVICES

ANY = "(any)"
FORMAT_HELP = {
    "parquet": "Parquet (typed, compact)",
    "csv": "CSV",
    "jsonl": "JSON Lines",
    "ids": "ids only (source, native id, URL): for platforms whose terms forbid sharing text",
}


def _day(value: date | None) -> datetime | None:
    """A picked day as midnight UTC."""
    return None if value is None else datetime(value.year, value.month, value.day, tzinfo=UTC)


st.title("Export")
st.caption(
    "A research dataset: data files per split (grouped by thread), a dataset card (README.md) and a manifest "
    "with checksums. Authors are pseudonymised; posts deleted at the source are never exported."
)

with st.form("export_form"):
    row = st.columns(3)
    fmt = row[0].selectbox("Format", FORMATS, format_func=FORMAT_HELP.__getitem__, key="exp_format")
    label_source = row[1].radio("Labels", LABEL_SOURCES, horizontal=True, key="exp_labels")
    min_confidence = row[2].slider("Minimum confidence", 0.0, 1.0, 0.0, 0.05, key="exp_conf")
    row = st.columns(4)
    posted_since = row[0].date_input("Posted from", value=None, key="exp_posted_since")
    posted_until = row[1].date_input("Posted before", value=None, key="exp_posted_until")
    collected_since = row[2].date_input("Collected from", value=None, key="exp_collected_since")
    collected_until = row[3].date_input("Collected before", value=None, key="exp_collected_until")
    row = st.columns(4)
    orgs = export_data.watched_orgs()
    org = row[0].selectbox("Organization", [ANY, *orgs], format_func=lambda o: orgs.get(o, o), key="exp_org")
    service = row[1].selectbox("Service", [ANY, *SERVICES], key="exp_service")
    region = row[2].text_input("Region or state", key="exp_region", placeholder="Northern California, CA, ...")
    source = row[3].selectbox("Source", [ANY, *export_data.sources()], key="exp_source")
    row = st.columns(4)
    reports_only = row[0].checkbox("Reports only", key="exp_reports")
    scrub_mentions = row[1].checkbox("Scrub @mentions", key="exp_mentions")
    scrub_urls = row[2].checkbox("Scrub URLs", key="exp_urls")
    splits = row[3].text_input("Train/validation/test", value="80/10/10", key="exp_splits")
    submitted = st.form_submit_button("Build export", type="primary")

if submitted:
    from outagewatch.export.commands import parse_fractions

    try:
        filters = ExportFilters(
            posted_since=_day(posted_since),
            posted_until=_day(posted_until),
            collected_since=_day(collected_since),
            collected_until=_day(collected_until),
            org=None if org == ANY else org,
            service=None if service == ANY else service,
            region=region.strip() or None,
            source=None if source == ANY else source,
            reports_only=reports_only,
            min_confidence=min_confidence or None,
            label_source=label_source,
        )
        options = ExportOptions(
            format=fmt, scrub_mentions=scrub_mentions, scrub_urls=scrub_urls, split_fractions=parse_fractions(splits)
        )
    except (ExportQueryError, ValueError) as exc:
        st.error(widgets.escape_markdown(exc))
        st.stop()
    with st.spinner("Exporting posts..."):
        st.session_state["exp_result"] = export_data.build_export(filters, options)

result = st.session_state.get("exp_result")
if result is not None:
    data, manifest = result
    per_split = ", ".join(f"{k} {v}" for k, v in manifest["rows_per_split"].items())
    if manifest["rows"] == 0:
        st.warning("No post matched these filters. Widen the dates or clear a filter, then build again.")
    else:
        st.success(f"{manifest['rows']} posts ({per_split}), format {manifest['format']}.")
    stamp = manifest["exported_at"][:16].replace(":", "").replace("-", "")
    st.download_button(
        "Download the export (zip)",
        data=data,
        file_name=f"outagewatch-export-{stamp}.zip",
        mime="application/zip",
        type="primary",
        key="exp_download",
    )
    with st.expander("Manifest"):
        st.json(manifest, expanded=False)
