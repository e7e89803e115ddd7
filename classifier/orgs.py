"""Organization matching: aliases, handles and domains from the watch list in one pattern.

Ambiguous phrases ("kaiser roll", "Epic Games") are compiled into the same trie; at any start
position the longest phrase wins, so "kaiser roll" swallows "kaiser" before it can count.
Two-letter aliases ("KP") count only in capitals; weak aliases (data/org_geo.toml) count only
when the post has a health or service context.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from classifier.features import make_vectorizer
from classifier.phrases import Hit, PhraseIndex
from outagewatch.resources import data_path
from outagewatch.watchlist import WatchList, load_watchlist

VENDOR_KINDS = frozenset({"ehr_vendor"})
# When a post names several organizations, the one whose own clause says it failed is the subject:
# "CVS is fine but the Walgreens app is down" is about Walgreens, not the first name.
_CLAUSE_END = re.compile(r"[.!?;\n]| but | while | and then | though ")
_FAILED = re.compile(
    r"\b(?:down|outage|offline|not working|isn't working|isnt working|broken|won't|wont|can't|cant|error\w*"
    r"|crash\w*|glitch\w*|stuck|fail\w*|not loading|dead)\b"
)
_JOINER = re.compile(r"[\s,&/+]*(?:and|or|n|&)?[\s,&/+]*")
_FINE = re.compile(r"\b(?:fine|works|working fine|is working|no problems?|no issues|up for me|back up|unaffected)\b")


@dataclass(frozen=True, slots=True)
class OrgIndex:
    """Phrase -> org id tables and the compiled pattern for one watch list."""

    phrases: PhraseIndex
    alias_org: dict[str, str]
    ambiguous_org: dict[str, str]
    weak: frozenset[str]
    capital_only: frozenset[str]
    kinds: dict[str, str]
    channel_org: dict[str, str]


def typo_variants(alias: str) -> set[str]:
    """Adjacent swaps ("kasier" for "kaiser") and, for 7+ letters, single deletions ("walgrens").

    People misspell names constantly; deriving the variants beats typing them. Short aliases are
    left alone, and deletions need 7+ letters, because shorter variants are real words too often
    ("human" from "humana").
    """
    if len(alias) < 6 or not alias.isalpha():
        return set()
    swaps = {alias[:i] + alias[i + 1] + alias[i] + alias[i + 2 :] for i in range(1, len(alias) - 1)}
    drops = {alias[:i] + alias[i + 1 :] for i in range(1, len(alias))} if len(alias) >= 7 else set()
    return (swaps | drops) - {alias}


@cache
def org_index(watchlist: WatchList | None = None) -> OrgIndex:
    """Compile the watch list (the shipped default when None) into an :class:`OrgIndex`."""
    wl = watchlist or load_watchlist()
    extras = tomllib.loads(data_path("org_geo.toml").read_text(encoding="utf-8"))
    weak_raw = extras.get("weak_aliases", {})
    alias_org: dict[str, str] = {}
    ambiguous_org: dict[str, str] = {}
    weak: set[str] = set()
    capital: set[str] = set()
    for org in wl.orgs:
        names = [*org.aliases, *(h.lstrip("@") for h in org.handles), *org.handles, *org.domains]
        for name in names:
            key = name.lower()
            alias_org.setdefault(key, org.id)
            if len(key) <= 2:
                capital.add(key)
        for phrase in org.ambiguous:
            ambiguous_org[phrase.lower()] = org.id
        weak.update(w.lower() for w in weak_raw.get(org.id, ()))
    fuzzy: dict[str, str] = {}
    for key, org_id in alias_org.items():
        if key not in weak:
            for variant in typo_variants(key):
                fuzzy.setdefault(variant, org_id)
    taken = {*alias_org, *ambiguous_org}
    for variant, org_id in fuzzy.items():
        if variant not in taken:
            alias_org[variant] = org_id
    channel_org = {s.lower(): o.id for o in wl.orgs for s in o.subreddits}
    channel_org.update({h.lower(): o.id for o in wl.orgs for h in o.hashtags})
    return OrgIndex(
        phrases=PhraseIndex.build([*alias_org, *ambiguous_org], make_vectorizer()),
        alias_org=alias_org,
        ambiguous_org=ambiguous_org,
        weak=frozenset(weak),
        capital_only=frozenset(capital),
        kinds={o.id: o.kind for o in wl.orgs},
        channel_org=channel_org,
    )


def _clause_score(low: str, end: int, limit: int) -> int:
    """2 when the clause after a mention (up to the next mention) says it failed and not that it is
    fine, 0 when it says it is fine, 1 otherwise."""
    tail = low[end : min(end + 80, limit)]
    stop = _CLAUSE_END.search(tail)
    clause = tail[: stop.start()] if stop else tail
    if _FINE.search(clause):
        return 0
    return 2 if _FAILED.search(clause) else 1


def _by_own_clause(low: str, found: list[tuple[str, str]], spans: list[tuple[int, int]], orgs: list[str]) -> list[str]:
    """Organizations ordered by how clearly their own clause reports a failure, then by first mention."""
    best: dict[str, int] = {}
    starts = sorted(start for start, _ in spans)
    mentions = sorted(zip(spans, (org for _, org in found), strict=True), reverse=True)
    following = 1  # "CVS and Walgreens are down": a bare "and" shares the next mention's clause
    for (_, end), org in mentions:
        limit = next((start for start in starts if start >= end), len(low))
        joined = limit < len(low) and _JOINER.fullmatch(low[end:limit])
        score = following if joined else _clause_score(low, end, limit)
        following = score
        best[org] = max(best.get(org, 0), score)
    return sorted(orgs, key=lambda o: (-best[o], orgs.index(o)))


def match_orgs(
    index: OrgIndex, text: str, low: str, hits: list[Hit], context: tuple[bool, bool], channel: str | None
) -> tuple[str | None, dict]:
    """Return (org id or None, evidence) for one post from its phrase ``hits`` in ``low``.

    ``context`` is (health words present, outage words present), from the batch's cue counts.

    The evidence's private ``_spans`` entry lists the matched character spans, so the place
    matcher can ignore "Providence" or "Cleveland" when they are part of an organization's name.
    """
    evidence: dict = {}
    org, spans = match_orgs_into(evidence, index, text, low, hits, context[0], context[1], channel)
    return org, {"_spans": spans, **evidence}


def match_orgs_into(
    evidence: dict,
    index: OrgIndex,
    text: str,
    low: str,
    hits: Sequence[Hit],
    health_context: bool,
    outage_context: bool,
    channel: str | None,
) -> tuple[str | None, list[tuple[int, int]]]:
    """:func:`match_orgs` for the labeling loop: adds the evidence entries to ``evidence`` and
    returns (org id or None, matched spans) instead of a private ``_spans`` entry."""
    spans: list[tuple[int, int]] = []
    if len(hits) == 1:  # the common case, without the bookkeeping for several mentions
        start, end, phrase = hits[0]
        org = index.alias_org.get(phrase) if phrase not in index.ambiguous_org else None
        if org is not None:
            lower_short = phrase in index.capital_only and len(text) == len(low) and not text[start:end].isupper()
            if (lower_short or phrase in index.weak) and not (health_context or (lower_short and outage_context)):
                org = None
        if org is not None:
            evidence["org_terms"] = [phrase]
            evidence["org_source"] = "text"
            spans.append((start, end))
            return org, spans
        evidence["org_ambiguous_terms"] = [phrase]
    elif hits:
        ambiguous_org = index.ambiguous_org
        found: list[tuple[str, str]] = []
        ambiguous: list[str] = []
        blocked = {ambiguous_org[phrase] for _, _, phrase in hits if phrase in ambiguous_org}
        alias_org, capital_only, weak = index.alias_org, index.capital_only, index.weak
        same_length = len(text) == len(low)
        for start, end, phrase in hits:
            if phrase in ambiguous_org:
                ambiguous.append(phrase)
                continue
            org = alias_org[phrase]
            lower_short = phrase in capital_only and same_length and not text[start:end].isupper()
            if lower_short or phrase in weak:
                has_context = health_context or (lower_short and outage_context)
                if not has_context or org in blocked:
                    ambiguous.append(phrase)
                    continue
            found.append((phrase, org))
            spans.append((start, end))
        if ambiguous:
            evidence["org_ambiguous_terms"] = ambiguous
        if found:
            orgs = list(dict.fromkeys(org for _, org in found))
            chosen = orgs[0]
            if len(orgs) > 1:
                orgs = _by_own_clause(low, found, spans, orgs)
                chosen = orgs[0]
                kinds = index.kinds
                if kinds.get(chosen) in VENDOR_KINDS:
                    non_vendor = [o for o in orgs if kinds.get(o) not in VENDOR_KINDS]
                    if non_vendor:
                        chosen = non_vendor[0]  # "MyChart is down at Sutter": the provider is the org
            evidence["org_terms"] = [phrase for phrase, _ in found]
            evidence["org_source"] = "text"
            if len(orgs) > 1:
                evidence["orgs_mentioned"] = orgs
            return chosen, spans
    if channel:
        key = channel.lower().removeprefix("r/").lstrip("#")
        org = index.channel_org.get(key)
        if org:
            evidence["org_source"] = f"channel:{channel}"
            return org, spans
    return None, spans
