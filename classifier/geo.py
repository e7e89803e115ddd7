"""State and organization-region resolution from text, channel and profile location.

Order of trust: places named in the text, then the channel (r/bayarea), then the author's
profile location. Within the text, places in a state where the organization operates win,
then the more specific kind (hospital > city > nickname > state). The organization's own
region follows from the state, and where one state holds several regions (Kaiser's Northern
vs Southern California) from the place's coordinates via the splits in data/org_geo.toml.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from classifier.gazetteer import Gazetteer, Place
from classifier.phrases import Hit
from outagewatch.resources import data_path
from outagewatch.watchlist import WatchList, load_watchlist

EMPTY: frozenset[str] = frozenset()
KIND_RANK = {"hospital": 0, "city": 1, "nickname": 2, "channel": 2, "state": 3}


@dataclass(frozen=True, slots=True)
class RegionRules:
    """Per-org region tables: state -> regions, coordinate splits, state-only defaults."""

    regions: dict[str, dict[str, tuple[str, ...]]]
    splits: dict[tuple[str, str], dict]
    defaults: dict[str, dict[str, str]]
    states: dict[str, frozenset[str]]


@cache
def region_rules(watchlist: WatchList | None = None) -> RegionRules:
    """Invert the watch list's regions and read the coordinate splits."""
    wl = watchlist or load_watchlist()
    extras = tomllib.loads(data_path("org_geo.toml").read_text(encoding="utf-8"))
    regions: dict[str, dict[str, tuple[str, ...]]] = {}
    for org in wl.orgs:
        by_state: dict[str, list[str]] = {}
        for region, states in org.regions.items():
            for state in states:
                by_state.setdefault(state, []).append(region)
        regions[org.id] = {s: tuple(r) for s, r in by_state.items()}
    splits = {(s["org"], s["state"]): s for s in extras.get("split", [])}
    states = {org: frozenset(by_state) for org, by_state in regions.items()}
    return RegionRules(regions, splits, extras.get("defaults", {}), states)


def _inside(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= start and end <= b for a, b in spans)


def _choose(places: Sequence[Place], tail: str, org_states: frozenset[str]) -> Place:
    """Pick among same-named places: an explicit ", ST" after the name, then the org's states, then size."""
    for candidate in places:
        if f", {candidate.state}" in tail or f" {candidate.state}" == tail[:3]:
            return candidate
    for candidate in places:
        if candidate.state in org_states:
            return candidate
    return places[0]


class TextPlaces(NamedTuple):
    """Phrase hits of one text: gazetteer phrases (lowercase) and capital-only codes ("CA", "LA")."""

    text: str
    low: str
    hits: list[Hit]
    upper_hits: list[Hit]


def find_places(
    gaz: Gazetteer,
    found: TextPlaces,
    strict: bool = True,
    skip: Sequence[tuple[int, int]] = (),
    org_states: frozenset[str] | None = None,
) -> list[tuple[Place, str]]:
    """Every place named in a text with the phrase that named it, in order of appearance.

    ``skip`` holds spans already claimed by an organization's name ("Providence", "Cleveland Clinic").
    ``strict`` (text, not a profile location) applies the capital-letter and comma rules.
    """
    return places_in(gaz, found.text, found.low, found.hits, found.upper_hits, strict, skip, org_states or EMPTY)


def places_in(
    gaz: Gazetteer,
    text: str,
    low: str,
    place_hits: Sequence[Hit],
    upper_hits: Sequence[Hit],
    strict: bool,
    skip: Sequence[tuple[int, int]],
    states: frozenset[str],
) -> list[tuple[Place, str]]:
    """:func:`find_places` on the parts of a :class:`TextPlaces` (the labeling loop's entry point)."""
    hits: list[tuple[int, Place, str]] = []
    if place_hits:
        same_length = len(text) == len(low)
        phrases, needs_capital = gaz.phrases, gaz.needs_capital
        for start, end, phrase in place_hits:
            if skip and _inside(start, end, skip):
                continue
            places = phrases[phrase]
            place = places[0] if len(places) == 1 else _choose(places, text[end : end + 24], states)
            if (
                strict
                and phrase in needs_capital
                and same_length
                and not text[start].isupper()
                and place.state not in states
            ):
                continue  # "riverside", "mobile": a lowercase word only counts where the org operates
            hits.append((start, place, phrase))
    for start, end, code in upper_hits:
        if skip and _inside(start, end, skip):
            continue
        if strict and code in gaz.ambiguous_codes and not text[:start].rstrip().endswith(","):
            continue
        hits.append((start, gaz.upper[code], code))
    if len(hits) > 1:
        hits.sort(key=_first)
    return [(p, phrase) for _, p, phrase in hits]


def _first(hit: tuple[int, Place, str]) -> int:
    return hit[0]


def _pick(hits: list[tuple[Place, str]], org_states: frozenset[str]) -> tuple[Place, str] | None:
    if not hits:
        return None
    in_org = [h for h in hits if h[0].state in org_states] or hits
    return min(in_org, key=lambda h: KIND_RANK.get(h[0].kind, 4))


def org_region(rules: RegionRules, org: str | None, place: Place) -> str | None:
    """The organization's own region for a place, or None when it cannot be told."""
    if not org:
        return None
    candidates = rules.regions.get(org, {}).get(place.state, ())
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        return None
    split = rules.splits.get((org, place.state))
    if split and place.lat is not None and place.lon is not None:
        if split["rule"] == "latitude":
            return split["north"] if place.lat >= split["threshold"] else split["south"]
        inside = place.lat < split["lat_max"] and place.lon < split["lon_max"]
        return split["inside"] if inside else split["outside"]
    return rules.defaults.get(org, {}).get(place.state)


def channel_place(gaz: Gazetteer, channel: str | None) -> Place | None:
    """The place a channel stands for (r/bayarea, r/Portland, #maryland), if any."""
    if not channel:
        return None
    key = channel.lower().removeprefix("r/").lstrip("#").replace("_", "").replace(" ", "")
    return gaz.channels.get(key)


def resolve_geo(
    gaz: Gazetteer,
    rules: RegionRules,
    org: str | None,
    found: TextPlaces,
    channel: str | None,
    location: TextPlaces | None,
    skip: Sequence[tuple[int, int]] = (),
) -> tuple[str | None, str | None, dict]:
    """Return (state, region, evidence) for one post."""
    evidence: dict = {}
    state, region = resolve_geo_into(
        evidence, gaz, rules, org, found.text, found.low, found.hits, found.upper_hits, channel, location, skip
    )
    return state, region, evidence


def resolve_geo_into(
    evidence: dict,
    gaz: Gazetteer,
    rules: RegionRules,
    org: str | None,
    text: str,
    low: str,
    place_hits: Sequence[Hit],
    upper_hits: Sequence[Hit],
    channel: str | None,
    location: TextPlaces | None,
    skip: Sequence[tuple[int, int]] = (),
) -> tuple[str | None, str | None]:
    """:func:`resolve_geo` on a post's parts, adding its evidence entries to ``evidence``."""
    org_states = rules.states.get(org, EMPTY) if org else EMPTY
    chosen = None
    if place_hits or upper_hits:
        chosen = _pick(places_in(gaz, text, low, place_hits, upper_hits, True, skip, org_states), org_states)
    source = "text"
    if chosen is None and channel:
        place = channel_place(gaz, channel)
        if place is not None:
            chosen, source = (place, channel), "channel"
    if chosen is None and location is not None:
        chosen = _pick(find_places(gaz, location, strict=False, org_states=org_states), org_states)
        source = "author_location"
    if chosen is None and len(org_states) == 1:
        # an organization that operates in one state only (Sutter, Northwell) places the post there
        state = next(iter(org_states))
        chosen, source = (Place(state, state, None, None, "state"), f"org:{org}"), "org_footprint"
    if chosen is None:
        return None, None
    place, phrase = chosen
    region = org_region(rules, org, place)
    evidence["place_term"] = phrase
    evidence["place_source"] = source
    evidence["place"] = f"{place.name}, {place.state}"
    if region:
        evidence["region_rule"] = "split by coordinates" if org and (org, place.state) in rules.splits else "state"
    return place.state, region
