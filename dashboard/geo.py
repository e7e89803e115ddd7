"""US states for the map: shipped shapes, FIPS ids, and an organization's regions as states."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pandas as pd
import us

from outagewatch.resources import data_path
from outagewatch.watchlist import Org

SHAPES = data_path("map", "states-10m.json")
STATE_PREFIX = "state:"  # how counts name a US state (outagewatch.detect.counts)


@cache
def topology() -> dict[str, Any]:
    """The us-atlas TopoJSON of the states (object "states"; ids are zero-padded FIPS strings)."""
    return json.loads(SHAPES.read_text(encoding="utf-8"))


def fips(state: str) -> str | None:
    """A state's FIPS id as us-atlas spells it ("06"), from a code or a name; None if unknown."""
    found = us.states.lookup(state) if state else None
    return found.fips if found is not None else None


def state_code(name: str) -> str | None:
    """The postal code of a state given by code, name or FIPS; None if it is not a state."""
    found = us.states.lookup(name) if name else None
    return found.abbr if found is not None else None


def states_of(region: str, org: Org | None) -> list[str]:
    """The states a counts region covers: ``state:XX``, one of the organization's regions, or a state name."""
    if region.startswith(STATE_PREFIX):
        code = state_code(region.removeprefix(STATE_PREFIX))
        return [code] if code else []
    if org is not None and region in org.regions:
        return list(org.regions[region])
    code = state_code(region)
    return [code] if code else []


def region_label(region: str) -> str:
    """How a counts region reads in a picker: "state:CA" becomes "CA (state)"."""
    return f"{region.removeprefix(STATE_PREFIX)} (state)" if region.startswith(STATE_PREFIX) else region


def state_table(regions: pd.DataFrame, org: Org | None) -> tuple[pd.DataFrame, list[str]]:
    """Per-state figures from per-region ones (region, posts, excess); also the regions left off.

    Counts hold each report under its state (``state:XX``) as well as its organization region, so
    states are read directly when present. Older data with organization regions only is spread:
    a region covering several states shades each with its whole figure, and a state in several
    regions (CA) adds them up.
    """
    by_state = regions[regions["region"].str.startswith(STATE_PREFIX)] if not regions.empty else regions
    source = by_state if not by_state.empty else regions
    rows, unmapped = [], []
    for record in source.to_dict("records"):
        states = states_of(record["region"], org)
        if not states:
            unmapped.append(record["region"])
        for code in states:
            rows.append(
                {"state": code, "region": record["region"], "posts": record["posts"], "excess": record["excess"]}
            )
    columns = ["id", "state", "name", "posts", "excess", "regions"]
    if not rows:
        return pd.DataFrame(columns=columns), unmapped
    table = (
        pd.DataFrame(rows)
        .groupby("state")
        .agg(posts=("posts", "sum"), excess=("excess", "sum"), regions=("region", lambda r: ", ".join(sorted(set(r)))))
        .reset_index()
    )
    table["id"] = table["state"].map(fips)
    table["name"] = table["state"].map(lambda c: us.states.lookup(c).name)
    table["regions"] = [", ".join(org_regions_of(c, org)) for c in table["state"]]
    return table.dropna(subset=["id"])[columns].reset_index(drop=True), unmapped


def org_regions_of(state: str, org: Org | None) -> list[str]:
    """The organization's regions that include a state."""
    return [name for name, states in (org.regions.items() if org else []) if state in states]


def org_states(org: Org | None) -> list[str]:
    """Every state in the organization's regions, sorted."""
    if org is None:
        return []
    return sorted({s for states in org.regions.values() for s in states})
