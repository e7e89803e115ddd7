"""``label(posts)``: the one labeling path shared by the live pipeline and classify-file.

Per batch: one hashing pass, one pass over the hashed columns that flags cue terms and candidate
phrases of every index (organizations, places, capital-only codes) and also yields the cue
counts, the model's features from those, one product for all heads; then per post only the few
candidate hits are confirmed, and the Labels are built column by column.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import fields
from functools import cache
from itertools import pairwise, repeat
from weakref import WeakKeyDictionary

import numpy as np
import scipy.sparse as sp
from threadpoolctl import ThreadpoolController

from classifier.cues import normalize_phrase
from classifier.features import WIDE, PostFeaturizer, lower_all, phrase_column
from classifier.gazetteer import load_gazetteer
from classifier.geo import TextPlaces, region_rules, resolve_geo_into
from classifier.model import OutageModel
from classifier.orgs import match_orgs_into, org_index
from classifier.phrases import Hit, PhraseIndex, _longest
from classifier.taxonomy import load_taxonomy
from outagewatch.models import SERVICES, Label, Post, utcnow

# bits of the per-column flag table: which lookups a hashed column can take part in
CUE, ORG, PLACE, UPPER, LOCATION_UPPER = 1, 2, 4, 8, 16
NO_HITS: tuple[Hit, ...] = ()

# Labels are filled field by field in this order (see ``_build_labels``); fail loudly at import if
# the dataclass's fields or their order ever change.
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
if tuple(f.name for f in fields(Label)) != _LABEL_FIELDS:  # pragma: no cover - guards _build_labels
    raise ImportError("outagewatch.models.Label fields changed; update classifier.labeling")

# A frozen dataclass's __init__ sets each of its 14 fields through object.__setattr__, about 2 us
# a Label, a tenth of the labeling time. Setting each slot for the whole batch at once through its
# descriptor (what that object.__setattr__ ends in) costs a third of that. Only done while Label
# stays a slotted dataclass with no __post_init__ to skip; otherwise the plain constructor is used.
_SLOT_SETTERS = (
    tuple(Label.__dict__[name].__set__ for name in _LABEL_FIELDS)
    if getattr(Label, "__slots__", None) == _LABEL_FIELDS and not hasattr(Label, "__post_init__")
    else None
)

_FLAGS: WeakKeyDictionary[PostFeaturizer, np.ndarray] = WeakKeyDictionary()
_NAMING: WeakKeyDictionary[PostFeaturizer, sp.csr_matrix] = WeakKeyDictionary()
_WORDS: WeakKeyDictionary[PostFeaturizer, np.ndarray] = WeakKeyDictionary()


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
    """The flagged nonzeros of a wide hashed matrix: their rows, columns, values and flag bits.

    The values are copied, so they stay the raw counts after the matrix is folded and normalized."""

    __slots__ = ("codes", "columns", "rows", "values")

    def __init__(self, wide: sp.csr_matrix, flags: np.ndarray) -> None:
        codes = flags[wide.indices]
        where = np.flatnonzero(codes)
        self.codes = codes[where]
        self.columns = wide.indices[where]
        self.values = wide.data[where]
        per_row = np.diff(np.searchsorted(where, wide.indptr))  # flagged nonzeros of each row
        self.rows = np.repeat(np.arange(len(per_row)), per_row)

    def select(self, bit: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows, columns) of the nonzeros carrying ``bit``, in matrix order."""
        mask = (self.codes & bit) != 0
        return self.rows[mask], self.columns[mask]


def _cue_words(featurizer: PostFeaturizer) -> np.ndarray:
    """The cue phrase of each of ``cue_columns_`` (sorted), as an array: one take per batch."""
    words = _WORDS.get(featurizer)
    if words is None:
        words = np.array([featurizer.cue_terms_[c] for c in featurizer.cue_columns_.tolist()], dtype=object)
        _WORDS[featurizer] = words
    return words


def _naming(featurizer: PostFeaturizer) -> sp.csr_matrix:
    """(len(cue_columns_), len(SERVICES)) 0/1: the services each cue column names outright (a
    taxonomy phrase not listed as passing), built once per model like ``_column_flags``."""
    table = _NAMING.get(featurizer)
    if table is None:
        columns = featurizer.cue_columns_
        rows, services = [], []
        for service in load_taxonomy():
            for phrase in filter(None, map(normalize_phrase, service.naming)):
                col = phrase_column(featurizer.vectorizer_, phrase)
                at = int(np.searchsorted(columns, col)) if col is not None else len(columns)
                if at < len(columns) and columns[at] == col:  # a cue column of this model
                    rows.append(at)
                    services.append(SERVICES.index(service.id))
        shape = (len(columns), len(SERVICES))
        table = _NAMING[featurizer] = sp.csr_matrix((np.ones(len(rows)), (rows, services)), shape=shape)
    return table


def _named(rows: np.ndarray, positions: np.ndarray, featurizer: PostFeaturizer, n: int) -> np.ndarray:
    """(n, len(SERVICES)) bool: services each row names outright, from its cue nonzeros."""
    hits = sp.csr_matrix((np.ones(len(rows)), (rows, positions)), shape=(n, len(featurizer.cue_columns_)))
    return (hits @ _naming(featurizer)).toarray() > 0


def _evidences(rows: np.ndarray, positions: np.ndarray, featurizer: PostFeaturizer, n: int) -> list[dict]:
    """Each row's evidence dict, started with its cue phrases as ``PostFeaturizer.matched_terms``."""
    words = _cue_words(featurizer)[positions].tolist()
    bounds = np.searchsorted(rows, np.arange(n + 1)).tolist()
    return [{"terms": words[a:b]} for a, b in pairwise(bounds)]


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


# Profile locations repeat (one author's many posts; "California", "Los Angeles, CA"), so their
# gazetteer hits are kept by string; cleared when full, a plain bound on memory.
_LOCATION_HITS: dict[str, TextPlaces] = {}
_LOCATION_HITS_MAX = 50_000


def _locations(posts: Sequence[Post], model: OutageModel) -> list[TextPlaces | None]:
    """Place hits of the authors' profile locations; the ones not seen before are matched as one
    small batch."""
    out: list[TextPlaces | None] = [None] * len(posts)
    new: dict[str, list[int]] = {}
    for i, post in enumerate(posts):
        if post.author_location:
            found = _LOCATION_HITS.get(post.author_location)
            if found is None:
                new.setdefault(post.author_location, []).append(i)
            else:
                out[i] = found
    if not new:
        return out
    if len(_LOCATION_HITS) + len(new) > _LOCATION_HITS_MAX:
        _LOCATION_HITS.clear()
    gaz = load_gazetteer()
    texts = list(new)
    lows = [t.lower() for t in texts]
    scan = _Scan(model.featurizer_.hash(lows), _column_flags(model.featurizer_))
    hits = _confirm(gaz.index, scan, PLACE, lows)
    upper = _confirm(gaz.location_upper_index, scan, LOCATION_UPPER, texts)
    for k, text in enumerate(texts):
        found = _LOCATION_HITS[text] = TextPlaces(text, lows[k], hits[k], upper[k])
        for i in new[text]:
            out[i] = found
    return out


@cache
def _service_names(code: int) -> tuple[str, ...]:
    """The services of a bit pattern over ``SERVICES`` (bit j set: SERVICES[j] chosen), in order."""
    return tuple(name for j, name in enumerate(SERVICES) if code >> j & 1)


_SERVICE_BITS = 1 << np.arange(len(SERVICES), dtype=np.int64)


def _services(chosen: np.ndarray, p_services: np.ndarray) -> tuple[list[tuple[str, ...]], list[dict[str, float]]]:
    """Per row: the chosen services and their probabilities (rounded to 3 places).

    Rows share the (immutable) tuple of their pattern of choices; each gets its own dict."""
    names = list(map(_service_names, (chosen @ _SERVICE_BITS).tolist()))
    values = iter(np.round(p_services[chosen], 3).tolist())  # row by row, each row's in column order
    probs = [dict(zip(row_names, values, strict=False)) for row_names in names]  # stops at the names: none lost
    return names, probs


def _build_labels(n: int, columns: Sequence[Iterable]) -> list[Label]:
    """``n`` Labels from one iterable per field, in ``_LABEL_FIELDS`` order (see ``_SLOT_SETTERS``)."""
    if _SLOT_SETTERS is None:  # pragma: no cover - only if Label stops being a plain slotted dataclass
        return list(map(Label, *columns))
    labels = list(map(Label.__new__, repeat(Label, n)))
    for setter, column in zip(_SLOT_SETTERS, columns, strict=True):
        deque(map(setter, labels, column), maxlen=0)
    return labels


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def label(posts: Sequence[Post], model: OutageModel | None = None) -> list[Label]:
    """Label posts: is_report with probability, org, services, state, region, evidence.

    A batch's matrix products are small (a few hundred rows by a few hundred columns), so BLAS
    runs on the calling thread while labeling: its worker threads spun on every core for no gain
    in wall time (benchmarks/classify.py --clock cpu: labeling at 0.40 of raw hashing's speed in
    CPU time with them, 0.56 without, on two cores), CPU the collectors and dashboard need.
    """
    if model is None:
        from classifier.persist import default_model

        model = default_model()
    if not posts:
        return []
    with _blas().limit(limits=1, user_api="blas"):
        return _label(posts, model)


def _label(posts: Sequence[Post], model: OutageModel) -> list[Label]:
    _prepared()
    n = len(posts)
    featurizer = model.featurizer_
    texts = [p.text for p in posts]
    lowered = lower_all(texts)
    wide = featurizer.hash(lowered)
    scan = _Scan(wide, _column_flags(featurizer))
    cue = (scan.codes & CUE) != 0
    cue_rows, cue_cols = scan.rows[cue], scan.columns[cue]
    counts = featurizer.cue_counts(cue_rows, cue_cols, scan.values[cue], n)
    analysis = featurizer.finish(wide, lowered, counts)
    p_report, p_services = model.fast_proba(analysis.hashed, analysis.dense)
    family = {name: j for j, name in enumerate(featurizer.family_names_)}
    positions = np.searchsorted(featurizer.cue_columns_, cue_cols)  # cue_columns_ index of each cue nonzero
    named = _named(cue_rows, positions, featurizer, n)
    services, service_probs = _services(model.service_decisions(p_services, named), p_services)
    evidences = _evidences(cue_rows, positions, featurizer, n)
    health = (counts[:, family["c_health"]] > 0).tolist()
    outage = (counts[:, family["c_outage"]] + counts[:, family["s_login_app"]] > 0).tolist()
    index, gaz, rules = org_index(), load_gazetteer(), region_rules()
    org_hits = _confirm(index.phrases, scan, ORG, lowered)
    place_hits = _confirm(gaz.index, scan, PLACE, lowered)
    upper_hits = _confirm(gaz.upper_index, scan, UPPER, texts)
    locations = _locations(posts, model)
    single_state = {org for org, states in rules.states.items() if len(states) == 1}
    channels = [p.channel for p in posts]
    orgs: list[str | None] = [None] * n
    states: list[str | None] = [None] * n
    regions: list[str | None] = [None] * n
    rows = zip(
        texts, lowered, evidences, org_hits, place_hits, upper_hits, locations, channels, health, outage, strict=True
    )
    for i, (text, low, evidence, ohits, phits, uhits, location, channel, in_health, in_outage) in enumerate(rows):
        org, spans = None, ()
        if ohits or channel:
            org, spans = match_orgs_into(evidence, index, text, low, ohits, in_health, in_outage, channel)
            orgs[i] = org
        if phits or uhits or channel or location is not None or org in single_state:
            states[i], regions[i] = resolve_geo_into(
                evidence, gaz, rules, org, text, low, phits, uhits, channel, location, spans
            )
    columns = (
        [p.source for p in posts],
        [p.native_id for p in posts],
        (p_report >= model.report_threshold).tolist(),
        np.round(p_report, 4).tolist(),
        orgs,
        services,
        service_probs,
        states,
        regions,
        evidences,
        repeat("model"),
        repeat(_version(model)),
        repeat(None),
        repeat(utcnow()),
    )
    return _build_labels(n, columns)
