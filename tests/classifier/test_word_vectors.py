"""The shipped word vectors and the block built from them (classifier/word_vectors.py)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from classifier.features import PostFeaturizer, make_vectorizer
from classifier.word_vectors import column_positions, embed, keyed_by_column, load_word_vectors, pair_columns


@pytest.fixture(scope="module")
def shipped():
    return load_word_vectors()


def unit(vectors: np.ndarray) -> np.ndarray:
    v = vectors.astype(np.float64)
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_shipped_vectors_put_related_words_together(shipped):
    """The distilled table carries meaning: each word is nearer its relative than an unrelated word."""
    words, vectors = shipped
    index = {w: i for i, w in enumerate(words)}
    assert vectors.dtype == np.float16
    assert vectors.shape == (len(words), 128)
    for word, near, far in [
        ("pharmacy", "prescription", "concert"),
        ("outage", "blackout", "sandwich"),
        ("crashed", "froze", "delicious"),
        ("portal", "login", "banana"),
    ]:
        v = unit(vectors[[index[word], index[near], index[far]]])
        assert v[0] @ v[1] > v[0] @ v[2] + 0.2, (word, near, far)
    assert {"mychart", "kaiser", "ehr"} <= set(index)  # health words from the training texts


def test_loading_refuses_pickled_objects(tmp_path):
    path = tmp_path / "vectors.npz"
    np.savez(path, words=np.array(["a", None], dtype=object), vectors=np.zeros((2, 4), np.float16))
    with pytest.raises(ValueError, match="pickle"):
        load_word_vectors(path)


def test_only_single_token_words_are_keyed_and_the_first_keeps_a_column():
    vectorizer = make_vectorizer()
    words = ["pharmacy", "don't", "down", "pharmacy"]
    vectors = np.arange(16, dtype=np.float16).reshape(4, 4)
    columns, table = keyed_by_column(vectorizer, words, vectors)
    assert len(columns) == 2
    assert np.all(np.diff(columns) > 0)
    by_column = dict(zip(columns.tolist(), table.tolist(), strict=True))
    pharmacy = vectorizer.transform(["pharmacy"]).indices[0]
    assert by_column[pharmacy] == vectors[0].tolist()


def test_words_whose_column_a_common_pair_takes_are_left_out():
    vectorizer = make_vectorizer()
    at_all = vectorizer.transform(["at all"]).indices.tolist()
    mayfair = vectorizer.transform(["mayfair"]).indices[0]
    assert mayfair in at_all  # the collision this guards against: "at all" hashes onto "mayfair"
    taken = pair_columns(vectorizer, ["not loading at all", "no signal at all", "at all"])
    assert mayfair in taken
    once = clone(vectorizer).set_params(ngram_range=(2, 2)).transform(["not loading"]).indices[0]
    assert once not in taken  # a pair seen once keeps its word
    columns, _ = keyed_by_column(vectorizer, ["mayfair", "loading"], np.ones((2, 3), np.float16), taken)
    assert columns.tolist() == vectorizer.transform(["loading"]).indices.tolist()


def test_embed_is_the_normalized_count_weighted_sum():
    vectorizer = make_vectorizer()
    words = ["pharmacy", "down", "app"]
    vectors = np.array([[1, 0, 0], [0, 2, 0], [0, 0, 3]], dtype=np.float32)
    columns, table = keyed_by_column(vectorizer, words, vectors)
    texts = ["pharmacy down down", "nothing known here", "", "app"]
    positions = column_positions(columns, vectorizer.n_features)
    assert positions[columns].tolist() == [0, 1, 2]
    assert (positions >= 0).sum() == 3
    block = embed(vectorizer.transform(texts), positions, table)
    expected = np.array([[1, 4, 0], [0, 0, 0], [0, 0, 0], [0, 0, 3]], dtype=np.float64)
    norms = np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(block, np.divide(expected, norms, out=np.zeros_like(expected), where=norms > 0))
    assert embed(sp.csr_matrix((2, vectorizer.n_features)), positions, table).shape == (2, 3)


def test_featurizer_appends_the_weighted_block_after_the_rules():
    with_vectors = PostFeaturizer(2**10, vector_weight=2.0).fit([])
    without = PostFeaturizer(2**10).fit([])
    texts = ["the pharmacy system is down", "lovely weather today"]
    a, b = with_vectors.analyze(texts), without.analyze(texts)
    rules = without.n_rule_features_
    assert np.array_equal(a.dense[:, :rules], b.dense)
    assert a.dense.shape[1] == rules + 128 == with_vectors.n_features_out_ - 2**10
    assert np.allclose(np.linalg.norm(a.dense[:, rules:], axis=1), 2.0)
    assert a.features.shape[1] == with_vectors.n_features_out_


def test_unseen_wording_lands_near_seen_wording(shipped):
    """What the block is for: a paraphrase in other words is closer than an unrelated post."""
    featurizer = PostFeaturizer(2**10, vector_weight=1.0).fit([])
    texts = ["pharmacy system is down", "cant fill my prescriptions, computers froze", "great concert last night"]
    block = featurizer.analyze(texts).dense[:, featurizer.n_rule_features_ :]
    assert block[0] @ block[1] > block[0] @ block[2] + 0.2
    assert np.allclose(featurizer.analyze(["PHARMACY System is DOWN"]).dense, featurizer.analyze(texts[:1]).dense)
