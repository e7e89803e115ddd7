"""The batch labeling path (``label``) against the plain per-post computation it must equal.

``label`` hashes with ``features.hash_ngrams`` instead of ``HashingVectorizer.transform``, counts
cues from its column scan instead of a sparse product, confirms phrases from that scan and fills
the Labels column by column; each shortcut is checked here against the straightforward way, so
the hashed features (and any model trained on them) and the labels stay exactly what they were.
"""

from __future__ import annotations

import dataclasses
from itertools import pairwise, repeat

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

from classifier.cues import TOKEN_RE, normalize_phrase
from classifier.features import CONJUNCTIONS, hash_ngrams, lower_all, make_vectorizer
from classifier.gazetteer import load_gazetteer
from classifier.geo import TextPlaces, region_rules, resolve_geo_into
from classifier.jsonl import post_from_record, read_labeled
from classifier.labeling import label
from classifier.orgs import match_orgs_into, org_index
from classifier.taxonomy import load_taxonomy
from outagewatch.models import SERVICES, Label
from outagewatch.resources import data_path
from tests.classifier.conftest import make_post

TEXTS = [
    "kaiser pharmacy in Fontana is down",
    "KP down in SoCal? can't log in",
    "Kaiser’s app won't load, São Paulo trip ruined, café wifi fine ☕",
    "made kaiser rolls and then the Kaiser pharmacy app crashed",
    "MyChart is down at Sutter, can't see my results https://x.y http://z",
    "",
    "???",
    "snake_case tokens_and 42 numbers 4.5 x",
    "down down down down kaiser kaiser",
    "Ünïcödé ТЕКСТ 東京 病院 kp.org\tnew\nline",
    "a",
]
EDGE_POSTS = [
    make_post("kaiser app won't load, anyone else?", channel="r/bayarea", native_id="c1"),
    make_post("kaiser pharmacy system is down again", location="Vancouver, WA", native_id="l1"),
    make_post("the app won't load my prescriptions at all", channel="r/KaiserPermanente", native_id="c2"),
    make_post("Anyone else's Providence MyChart showing a blank page?", channel="r/Portland", native_id="c3"),
    make_post("sutter portal down", location="somewhere, CA", native_id="l2"),
]


def shipped_posts() -> list:
    """The hand-written evaluation posts plus a few edge cases (channels, profile locations)."""
    records = read_labeled(data_path("labeled", "handwritten_eval.jsonl"))
    posts = [post_from_record(r) for r in records]
    return posts + EDGE_POSTS + [make_post(t, native_id=f"t{i}") for i, t in enumerate(TEXTS)]


def same_sparse(a: sp.spmatrix, b: sp.spmatrix) -> bool:
    """Same shape and the same value at every position (bit for bit)."""
    return a.shape == b.shape and (sp.csr_matrix(a) != sp.csr_matrix(b)).nnz == 0


def plain_word_vectors(featurizer, lowered: list[str]) -> np.ndarray:
    """Each text's word-vector block, one n-gram at a time: every token and token pair is hashed
    on its own, and those whose column is keyed to a word of the table add that word's vector
    (pairs only by collision, see ``word_vectors.pair_columns``); the sum is normalized and
    scaled by ``vector_weight``."""
    table = dict(zip(featurizer.vector_columns_.tolist(), featurizer.vector_table_.astype(np.float64), strict=True))
    single = {n: clone(featurizer.vectorizer_).set_params(ngram_range=(n, n)) for n in (1, 2)}
    out = np.zeros((len(lowered), featurizer.vector_table_.shape[1]))
    for i, text in enumerate(lowered):
        tokens = TOKEN_RE.findall(text)
        grams = [(1, t) for t in tokens] + [(2, f"{a} {b}") for a, b in pairwise(tokens)]
        known = [table[c] for n, g in grams if (c := int(single[n].transform([g]).indices[0])) in table]
        if known:
            total = np.sum(known, axis=0)
            out[i] = total / np.linalg.norm(total) * featurizer.vector_weight
    return out


def reference_features(featurizer, texts: list[str]) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
    """(features, wide counts, cue counts) computed the plain way: ``HashingVectorizer.transform``,
    a sparse product for the cue counts, ``sklearn.preprocessing.normalize`` for the fold, a
    per-token dictionary walk for the word vectors."""
    lowered = [t.lower().replace("\u2019", "'") for t in texts]
    wide = featurizer.vectorizer_.transform(lowered)
    counts = (wide @ featurizer.cue_matrix_).toarray()
    logs = np.log1p(counts)
    index = {name: i for i, name in enumerate(featurizer.family_names_)}
    conj = [np.minimum(logs[:, index[f"c_{a}"]], logs[:, index[f"c_{b}"]]) for a, b in CONJUNCTIONS]
    n = len(lowered)
    questions = np.fromiter(map(str.count, lowered, repeat("?", n)), np.float64, n)
    links = np.fromiter(map(str.count, lowered, repeat("http", n)), np.float64, n)
    lengths = np.fromiter(map(len, lowered), np.float64, n)
    extra = np.column_stack([np.log1p(questions), np.minimum(links, 1.0), np.log1p(lengths) / 7.0])
    rules = np.hstack([logs, np.column_stack(conj), extra]) * featurizer.rule_weight
    fold = featurizer.n_features - 1
    folded = sp.csr_matrix((wide.data.copy(), wide.indices & fold, wide.indptr), shape=(n, featurizer.n_features))
    blocks = [normalize(folded), sp.csr_matrix(rules)]
    if featurizer.vector_weight:
        blocks.append(sp.csr_matrix(plain_word_vectors(featurizer, lowered)))
    return sp.hstack(blocks, format="csr"), wide, counts


def same_features(featurizer, a: sp.spmatrix, b: sp.spmatrix) -> bool:
    """Hashed and rule columns equal bit for bit; word-vector columns equal up to float32 sums."""
    exact = featurizer.n_features + featurizer.n_rule_features_
    a, b = sp.csr_matrix(a), sp.csr_matrix(b)
    return same_sparse(a[:, :exact], b[:, :exact]) and np.allclose(
        a[:, exact:].toarray(), b[:, exact:].toarray(), atol=1e-5
    )


@pytest.mark.parametrize("config", [{}, {"n_features": 2**10}])
def test_hash_ngrams_equals_hashing_vectorizer(config):
    vectorizer = make_vectorizer(**config)
    lowered = lower_all(TEXTS + [p.text for p in shipped_posts()])
    fast, plain = hash_ngrams(vectorizer, lowered), vectorizer.transform(lowered)
    assert fast.dtype == plain.dtype
    assert np.array_equal(fast.indptr, plain.indptr)
    assert np.array_equal(fast.indices, plain.indices)
    assert np.array_equal(fast.data, plain.data)


def test_hash_ngrams_falls_back_for_another_configuration():
    vectorizer = HashingVectorizer(n_features=2**12, alternate_sign=False, norm=None)  # unigrams, own pattern
    lowered = lower_all(TEXTS)
    assert same_sparse(hash_ngrams(vectorizer, lowered), vectorizer.transform(lowered))


def test_features_equal_the_plain_featurization(model):
    texts = [p.text for p in shipped_posts()]
    features, _, counts = reference_features(model.featurizer_, texts)
    analysis = model.featurizer_.analyze(texts)
    assert np.array_equal(analysis.counts, counts)
    assert same_features(model.featurizer_, analysis.features, features)
    assert same_features(model.featurizer_, model.featurizer_.transform(texts), features)
    assert model.featurizer_.vector_weight  # the shipped model uses its word vectors


def named_by_tokens(texts: list[str]) -> np.ndarray:
    """The services each text names outright, by plain token and token-pair membership."""
    naming = {s.id: {normalize_phrase(p) for p in s.naming} for s in load_taxonomy()}
    out = np.zeros((len(texts), len(SERVICES)), dtype=bool)
    for i, text in enumerate(texts):
        tokens = TOKEN_RE.findall(text.lower())
        grams = {*tokens, *(" ".join(pair) for pair in pairwise(tokens))}
        out[i] = [bool(naming.get(service, set()) & grams) for service in SERVICES]
    return out


def test_labels_equal_the_plain_per_post_path(model):
    """Every field of every Label equals what the plain, one-post-at-a-time path gives."""
    posts = shipped_posts()
    featurizer = model.featurizer_
    texts = [p.text for p in posts]
    features, wide, counts = reference_features(featurizer, texts)
    p_report = model.report_proba(features)
    family = {name: j for j, name in enumerate(featurizer.family_names_)}
    chosen = model.service_decisions(model.service_proba(features), named_by_tokens(texts))
    index, gaz, rules = org_index(), load_gazetteer(), region_rules()
    lowered = lower_all(texts)
    labels = label(posts, model)
    assert [type(lab) for lab in labels] == [Label] * len(posts)
    for i, (post, lab) in enumerate(zip(posts, labels, strict=True)):
        row = wide[i]
        low, text = lowered[i], texts[i]
        evidence: dict = {"terms": featurizer.matched_terms(row)[0]}
        health = bool(counts[i, family["c_health"]] > 0)
        outage = bool(counts[i, family["c_outage"]] + counts[i, family["s_login_app"]] > 0)
        org_hits = index.phrases.find(row, [low])[0]
        org, spans = match_orgs_into(evidence, index, text, low, org_hits, health, outage, post.channel)
        location = None
        if post.author_location:
            where = post.author_location
            where_low = where.lower()
            where_row = featurizer.vectorizer_.transform([where_low])
            location = TextPlaces(
                where,
                where_low,
                gaz.index.find(where_row, [where_low])[0],
                gaz.location_upper_index.find(where_row, [where])[0],
            )
        state, region = resolve_geo_into(
            evidence,
            gaz,
            rules,
            org,
            text,
            low,
            gaz.index.find(row, [low])[0],
            gaz.upper_index.find(row, [text])[0],
            post.channel,
            location,
            spans,
        )
        assert (lab.source, lab.native_id) == (post.source, post.native_id)
        assert lab.p_report == pytest.approx(p_report[i], abs=1e-4)
        assert lab.is_report == bool(p_report[i] >= model.report_threshold)
        assert lab.services == tuple(s for s, c in zip(SERVICES, chosen[i], strict=True) if c)
        assert list(lab.service_probs) == list(lab.services)
        assert (lab.org, lab.state, lab.region) == (org, state, region), text
        assert lab.evidence == evidence, text
        assert list(lab.evidence) == list(evidence)  # same key order, so the JSON output is identical
        assert (lab.origin, lab.model_version, lab.annotator) == ("model", model.version_, None)


def test_batches_of_any_size_give_the_same_labels(model):
    posts = shipped_posts()
    whole = label(posts, model)
    for size in (1, 7, 64):
        parts = [lab for i in range(0, len(posts), size) for lab in label(posts[i : i + size], model)]
        assert [dataclasses.replace(p, labeled_at=w.labeled_at) for p, w in zip(parts, whole, strict=True)] == whole


def test_labels_are_ordinary_frozen_labels(model):
    lab = label([make_post("kaiser pharmacy in Fontana is down")], model)[0]
    fields = {f.name: getattr(lab, f.name) for f in dataclasses.fields(Label)}
    assert Label(**fields) == lab
    with pytest.raises(dataclasses.FrozenInstanceError):
        lab.org = "cvs"  # type: ignore[misc]


def test_pinned_fields(model):
    """A few outputs that depend on the watch list and gazetteer only, not on the trained weights."""
    fontana, bay, vancouver, rolls = label(
        [
            make_post("kaiser pharmacy in Fontana is down"),
            make_post("kaiser app won't load, anyone else?", channel="r/bayarea"),
            make_post("kaiser pharmacy system is down again", location="Vancouver, WA"),
            make_post("made kaiser rolls and then the Kaiser pharmacy app crashed"),
        ],
        model,
    )
    assert (fontana.org, fontana.state, fontana.region) == ("kaiser", "CA", "Southern California")
    assert {k: fontana.evidence[k] for k in ("org_terms", "org_source", "place_term", "place_source", "place")} == {
        "org_terms": ["kaiser"],
        "org_source": "text",
        "place_term": "fontana",
        "place_source": "text",
        "place": "Fontana, CA",
    }
    assert (bay.state, bay.region, bay.evidence["place_source"]) == ("CA", "Northern California", "channel")
    assert (vancouver.state, vancouver.region) == ("WA", "Northwest")
    assert vancouver.evidence["place_source"] == "author_location"
    assert rolls.org == "kaiser"
    assert rolls.evidence["org_terms"] == ["kaiser"]
    assert "kaiser rolls" in rolls.evidence["org_ambiguous_terms"]


def test_blas_runs_on_the_calling_thread_while_labeling(model, monkeypatch):
    """Waking BLAS threads for a batch's small products cost more than the products (label's
    docstring); the limit must hold inside label and be lifted after it."""
    from threadpoolctl import threadpool_info

    def blas_threads() -> set[int]:
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    before = blas_threads()
    seen: list[set[int]] = []
    fast_proba = type(model).fast_proba

    def spy(self, hashed, dense):
        seen.append(blas_threads())
        return fast_proba(self, hashed, dense)

    monkeypatch.setattr(type(model), "fast_proba", spy)
    label([make_post("kaiser pharmacy is down")], model)
    assert seen == [{1}]
    assert blas_threads() == before


def test_profile_locations_seen_before_give_the_same_labels(model, monkeypatch):
    """Profile locations' place hits are kept by string (``_LOCATION_HITS``): a repeated or
    remembered location, or one matched again after the memory was cleared, labels alike."""
    from classifier import labeling

    places = ["Oakland, CA", "Oakland, CA", "Portland, OR", "somewhere", "Oakland, CA"]
    posts = [make_post("pharmacy is down again", location=p, native_id=str(i)) for i, p in enumerate(places)]
    monkeypatch.setattr(labeling, "_LOCATION_HITS", {})

    def geo(labels):
        return [(lab.state, lab.evidence.get("place")) for lab in labels]

    first = geo(label(posts, model))
    assert [state for state, _ in first] == ["CA", "CA", "OR", None, "CA"]
    assert set(labeling._LOCATION_HITS) == set(places)
    assert geo(label(posts, model)) == first
    assert geo([lab for post in posts for lab in label([post], model)]) == first
    monkeypatch.setattr(labeling, "_LOCATION_HITS_MAX", 3)  # one more location overflows it
    fresno = make_post("pharmacy is down again", location="Fresno, CA", native_id="f")
    assert geo(label([*posts[::-1], fresno], model)) == [*first[::-1], ("CA", "Fresno, CA")]
    assert set(labeling._LOCATION_HITS) == {"Fresno, CA"}
