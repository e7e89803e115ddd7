"""Small pieces of UI shared by the pages: empty states, the clock note, the organization picker."""

from __future__ import annotations

import re

import streamlit as st

from dashboard import data
from dashboard.data import Clock
from outagewatch.watchlist import Org

NO_DATA = (
    "No data yet. Run `outagewatch demo` for an offline demo (replayed posts, no credentials), "
    "or `outagewatch collect` to gather public posts, then reload this page."
)
SAFE_SCHEMES = ("https://", "http://")
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:])")


def time_columns(*names: str) -> dict[str, object]:
    """Column settings that show timestamps to the minute (UTC) instead of microseconds."""
    return {n: st.column_config.DatetimeColumn(n, format="YYYY-MM-DD HH:mm", timezone="UTC") for n in names}


def empty_state(message: str = NO_DATA) -> None:
    """Say there is nothing to show and what to run to fix that."""
    st.info(message, icon=":material/info:")


def watched_orgs_and_clock() -> tuple[list[Org], Clock]:
    """The organizations with data and the dashboard's "now"; stops the page when there is no data."""
    orgs = data.orgs()
    if not orgs:
        empty_state()
        st.stop()
    clock = data.clock()
    clock_note(clock)
    return orgs, clock


def clock_note(clock: Clock) -> None:
    """Tell the reader when "now" is the newest data point rather than the real time."""
    if clock.replaying and clock.latest is not None:
        st.caption(
            f"The newest data is from {clock.latest:%Y-%m-%d %H:%M} UTC, older than the real time: "
            "the dashboard treats that moment as now (demo or archive data)."
        )


def org_picker(orgs: list[Org], key: str) -> Org:
    """Pick an organization; the choice is remembered across pages."""
    ids = [o.id for o in orgs]
    remembered = st.session_state.get("ow_org")
    index = ids.index(remembered) if remembered in ids else 0
    names = {o.id: o.name for o in orgs}
    chosen = st.selectbox("Organization", ids, index=index, format_func=names.__getitem__, key=key)
    st.session_state["ow_org"] = chosen
    return orgs[ids.index(chosen)]


def safe_url(url: object) -> str | None:
    """A link only for http(s) URLs: a post's URL comes from the outside and could be javascript:."""
    if isinstance(url, str) and url.lower().startswith(SAFE_SCHEMES):
        return url
    return None


def escape_markdown(text: object) -> str:
    """Text from outside (channels, error messages) made inert inside a caption or alert, which render markdown."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", str(text))
