"""``label(posts)``: the one labeling path shared by the live pipeline and classify-file.

Per batch: one featurization (hash + cue counts), one predict per head, one pass over the hashed
columns that flags cue terms and candidate phrases of every index (organizations, places,
capital-only codes), then per post only the few candidate hits are confirmed and the Label is
built with its evidence.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import fields
from functools import cache
from itertools import pairwise
from weakref import WeakKeyDictionary

import numpy as np
import scipy.sparse as sp

from classifier.features import WIDE, PostFeaturizer
from classifier.gazetteer import load_gazetteer
from classifier.geo import TextPlaces, region_rules, resolve_geo_into
from classifier.model import OutageModel
from classifier.orgs import match_orgs_into, org_index
from classifier.phrases import Hit, PhraseIndex, _longest
from outagewatch.models import SERVICES, Label, Post, utcnow

# bits of the per-column flag table: which lookups a hashed column can take part in
CUE, ORG, PLACE, UPPER, LOCATION_UPPER = 1, 2, 4, 8, 16
NO_HITS: tuple[Hit, ...] = ()

# Labels are built positionally in the hot loop (a third cheaper than keywords); fail loudly at
# import if the dataclass's field order ever changes.
_LABEL_FIELDS = (
    "source",
    "native_id",
    "is_report",
    "p_report",
    "org",
    "services",
    "service_probs",
    "state",
    "region",
    "evidence",
    "origin",
    "model_version",
    "annotator",
    "labeled_at",
)
if tuple(f.name for f in fields(Label)) != _LABEL_FIELDS:  # pragma: no cover - guards the positional call
    raise ImportError("outagewatch.models.Label fields changed; update classifier.labeling")

_FLAGS: WeakKeyDictionary[PostFeaturizer, np.ndarray] = WeakKeyDictionary()


@cache
def _prepared() -> None:
    """Build the phrase indexes once, then freeze the long-lived heap (model, gazetteer, indexes)
    out of the cyclic garbage collector: they live as long as the process, and re-scanning them
    on every collection cost about a fifth of the labeling time."""
    org_index(), load_gazetteer(), region_rules()
    gc.freeze()


def _is_key(index: PhraseIndex) -> np.ndarray:
    slot = index.keys.indptr
    return np.flatnonzero(slot[:-1] < slot[1:])


def _column_flags(featurizer: PostFeaturizer) -> np.ndarray:
    """One byte per hashed column: bit set where it is a cue term or a key of a phrase index.

    Built once per model (a static index, like the phrase indexes themselves), so each batch needs
    a single gather over its nonzeros instead of one membership test per lookup."""
    flags = _FLAGS.get(featurizer)
    if flags is None:
        gaz = load_gazetteer()
        flags = np.zeros(WIDE, dtype=np.uint8)
        flags[featurizer.cue_columns_] |= CUE
        flags[_is_key(org_index().phrases)] |= ORG
        flags[_is_key(gaz.index)] |= PLACE
        flags[_is_key(gaz.upper_index)] |= UPPER
        flags[_is_key(gaz.location_upper_index)] |= LOCATION_UPPER
        _FLAGS[featurizer] = flags
    return flags


class _Scan:
    """The flagged nonzeros of a wide hashed matrix: their rows, columns and flag bits."""

    __slots__ = ("codes", "columns", "rows")

    def __init__(self, wide: sp.csr_matrix, flags: np.ndarray) -> None:
        codes = flags[wide.indices]
        where = np.flatnonzero(codes)
        self.codes = codes[where]
        self.columns = wide.indices[where]
        self.rows = np.searchsorted(wide.indptr, where, side="right") - 1

    def select(self, bit: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, columns) of the nonzeros carrying ``bit``, in matrix order."""
        mask = (self.codes & bit) != 0
        return self.rows[mask], self.columns[mask]


def _terms(scan: _Scan, cue_terms: dict[int, str], n: int) -> list[list[str]]:
    """The cue phrases of each row, as ``PostFeaturizer.matched_terms``."""
    rows, cols = scan.select(CUE)
    words = [cue_terms[c] for c in cols.tolist()]
    bounds = np.searchsorted(rows, np.arange(n + 1)).tolist()
    return [words[a:b] for a, b in pairwise(bounds)]


def _confirm(index: PhraseIndex, scan: _Scan, bit: int, texts: Sequence[str]) -> list[Sequence[Hit]]:
    """``PhraseIndex.find`` on the scanned candidates: only rows holding a key column are visited."""
    out: list[Sequence[Hit]] = [NO_HITS] * len(texts)
    rows, cols = scan.select(bit)
    if not len(rows):
        return out
    keys = index.keys.indptr[cols].tolist()
    key_phrases = index.key_phrases
    current, hits, text, size = -1, [], "", 0
    for row, key in zip(rows.tolist(), keys, strict=True):
        if row != current:
            if hits:
                out[current] = _longest(hits) if len(hits) > 1 else hits
            current, hits, text = row, [], texts[row]
            size = len(text)
        for phrase in key_phrases[key]:
            start = text.find(phrase)
            while start >= 0:
                end = start + len(phrase)
                before = text[start - 1] if start > 0 else " "
                after = text[end] if end < size else " "
                if not (before.isalnum() or before in "_@/.") and not (after.isalnum() or after == "_"):
                    hits.append((start, end, phrase))
                start = text.find(phrase, end)
    if hits:
        out[current] = _longest(hits) if len(hits) > 1 else hits
    return out


def _version(model: OutageModel) -> str:
    return getattr(model, "version_", "unversioned")


def _locations(posts: Sequence[Post], model: OutageModel) -> list[TextPlaces | None]:
    """Place hits of the authors' profile locations, matched as one small batch."""
    rows = [i for i, p in enumerate(posts) if p.author_location]
    out: list[TextPlaces | None] = [None] * len(posts)
    if not rows:
        return out
    gaz = load_gazetteer()
    texts = [posts[i].author_location or "" for i in rows]
    lows = [t.lower() for t in texts]
    scan = _Scan(model.featurizer_.vectorizer_.transform(lows), _column_flags(model.featurizer_))
    hits = _confirm(gaz.index, scan, PLACE, lows)
    upper = _confirm(gaz.location_upper_index, scan, LOCATION_UPPER, texts)
    for k, i in enumerate(rows):
        out[i] = TextPlaces(texts[k], lows[k], hits[k], upper[k])
    return out


def _services(chosen: np.ndarray, p_services: np.ndarray) -> tuple[list[tuple[str, ...]], list[dict[str, float]]]:
    """Per row: the chosen services and their probabilities (rounded to 3 places)."""
    n = len(chosen)
    picked: list[list[str]] = [[] for _ in range(n)]
    probs: list[dict[str, float]] = [{} for _ in range(n)]
    rows, cols = np.nonzero(chosen)
    values = np.round(p_services[rows, cols], 3).tolist()
    for row, col, value in zip(rows.tolist(), cols.tolist(), values, strict=True):
        name = SERVICES[col]
        picked[row].append(name)
        probs[row][name] = value
    return [tuple(p) for p in picked], probs


def label(posts: Sequence[Post], model: OutageModel | None = None) -> list[Label]:
    """Label posts: is_report with probability, org, services, state, region, evidence."""
    if model is None:
        from classifier.persist import default_model

        model = default_model()
    if not posts:
        return []
    _prepared()
    featurizer = model.featurizer_
    texts = [p.text for p in posts]
    analysis = featurizer.analyze(texts)
    lowered = analysis.lowered
    p_report, p_services = model.fast_proba(analysis.hashed, analysis.rules)
    services, service_probs = _services(model.service_decisions(p_services), p_services)
    scan = _Scan(analysis.wide, _column_flags(featurizer))
    terms = _terms(scan, featurizer.cue_terms_, len(posts))
    family = {name: j for j, name in enumerate(featurizer.family_names_)}
    counts = analysis.counts
    health = (counts[:, family["c_health"]] > 0).tolist()
    outage = (counts[:, family["c_outage"]] + counts[:, family["s_login_app"]] > 0).tolist()
    index, gaz, rules = org_index(), load_gazetteer(), region_rules()
    org_hits = _confirm(index.phrases, scan, ORG, lowered)
    place_hits = _confirm(gaz.index, scan, PLACE, lowered)
    upper_hits = _confirm(gaz.upper_index, scan, UPPER, texts)
    locations = _locations(posts, model)
    reports = (p_report >= model.report_threshold).tolist()
    p_list = np.round(p_report, 4).tolist()
    version, now = _version(model), utcnow()
    single_state = {org for org, states in rules.states.items() if len(states) == 1}
    labels = []
    append = labels.append
    rows = zip(
        posts,
        texts,
        lowered,
        terms,
        org_hits,
        place_hits,
        upper_hits,
        locations,
        health,
        outage,
        reports,
        p_list,
        services,
        service_probs,
        strict=True,
    )
    for post, text, low, words, ohits, phits, uhits, location, in_health, in_outage, report, p, names, probs in rows:
        evidence: dict = {"terms": words}
        channel = post.channel
        org, spans = None, ()
        if ohits or channel:
            org, spans = match_orgs_into(evidence, index, text, low, ohits, in_health, in_outage, channel)
        state = region = None
        if phits or uhits or channel or location is not None or org in single_state:
            state, region = resolve_geo_into(
                evidence, gaz, rules, org, text, low, phits, uhits, channel, location, spans
            )
        append(
            Label(
                post.source,
                post.native_id,
                report,
                p,
                org,
                names,
                probs,
                state,
                region,
                evidence,
                "model",
                version,
                None,
                now,
            )
        )
    return labels
