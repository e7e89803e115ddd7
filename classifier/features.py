"""Shared features: hashed word n-grams plus rule-cue counts, computed once per batch.

The batch is hashed once into a wide space (2**22 columns, so cue phrases rarely collide with
other n-grams). Cue families are a sparse phrase->family matrix, so counting every cue in the
batch is one sparse product. The wide rows are then folded (column index modulo
``n_features``) and L2-normalized for the linear heads, which keeps the shipped model small.

The hashing is ``HashingVectorizer``'s, fed more cheaply: :func:`hash_ngrams` builds the word
1-2 grams with C-level iterators (as bytes for ASCII texts) and hands them to ``FeatureHasher`` as
(feature, 1) pairs, which yields the very same matrix as ``vectorizer.transform`` (same murmurhash
columns and counts) at about 60% of its cost; any other vectorizer configuration falls back to
``transform``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import chain, pairwise, repeat
from typing import NamedTuple
from weakref import WeakKeyDictionary

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from classifier.cues import TOKEN_RE, cue_families
from classifier.word_vectors import column_positions, embed, keyed_by_column, load_word_vectors, pair_columns

WIDE = 2**22
CONJUNCTIONS: tuple[tuple[str, str], ...] = (
    ("first_person", "outage"),
    ("staff", "outage"),
    ("hearsay", "outage"),
    ("news", "outage"),
    ("planned", "outage"),
    ("restored", "outage"),
    ("unaffected", "outage"),
    ("question", "outage"),
    ("joke", "outage"),
    ("other_tech", "outage"),
    ("negation", "outage"),
    ("denial", "outage"),
    ("price", "first_person"),
    ("wait", "first_person"),
    ("policy", "first_person"),
)


class Analysis(NamedTuple):
    """Everything one featurization pass produces for a batch."""

    hashed: sp.csr_matrix
    dense: np.ndarray  # [rule features | word-vector block]
    wide: sp.csr_matrix
    lowered: list[str]
    counts: np.ndarray

    @property
    def features(self) -> sp.csr_matrix:
        """The model's feature matrix [hashed | dense], built only when an sklearn head needs it."""
        return sp.hstack([self.hashed, sp.csr_matrix(self.dense)], format="csr")


def make_vectorizer(n_features: int = WIDE) -> HashingVectorizer:
    """The raw word 1-2 gram hashing vectorizer (the benchmark's baseline uses the same one)."""
    return HashingVectorizer(
        n_features=n_features,
        ngram_range=(1, 2),
        token_pattern=TOKEN_RE.pattern,
        lowercase=False,
        alternate_sign=False,
        norm=None,
    )


_HASHERS: WeakKeyDictionary[HashingVectorizer, FeatureHasher | None] = WeakKeyDictionary()
_EMBEDDING: WeakKeyDictionary[PostFeaturizer, tuple[np.ndarray, np.ndarray]] = WeakKeyDictionary()
_ONE = repeat(1)  # the count of every n-gram occurrence; an endless iterator, safe to share
_SPACE_JOIN = " ".join


def _pair_hasher(vectorizer: HashingVectorizer) -> FeatureHasher | None:
    """A ``FeatureHasher`` equal to ``vectorizer``'s own, or None when :func:`hash_ngrams` cannot
    reproduce ``vectorizer`` (any configuration but :func:`make_vectorizer`'s)."""
    if vectorizer not in _HASHERS:
        same = vectorizer.get_params() == make_vectorizer(vectorizer.n_features).get_params()
        hasher = FeatureHasher(vectorizer.n_features, input_type="pair", dtype=vectorizer.dtype, alternate_sign=False)
        _HASHERS[vectorizer] = hasher if same else None
    return _HASHERS[vectorizer]


# For a text of ASCII characters only, the bytes pattern finds the same tokens as TOKEN_RE (\w and
# \b agree on ASCII), and bytes are what the hasher would encode the features to anyway.
_ASCII_TOKEN_RE = re.compile(rb"\b\w+\b") if TOKEN_RE.pattern == r"(?u)\b\w+\b" else None
_BYTES_JOIN = b" ".join


def _ngram_pairs(lowered: Sequence[str]) -> Iterator[zip]:
    """Per text, (n-gram, 1) pairs: its tokens, then its adjacent token pairs joined by a space,
    exactly the features (and order) of ``HashingVectorizer``'s word 1-2 gram analyzer. ASCII
    texts are tokenized as bytes, which spares the hasher one UTF-8 encoding per n-gram."""
    ascii_findall = _ASCII_TOKEN_RE.findall if _ASCII_TOKEN_RE is not None else None
    findall = TOKEN_RE.findall
    for text in lowered:
        if ascii_findall is not None and text.isascii():
            tokens = ascii_findall(text.encode())
            yield zip(chain(tokens, map(_BYTES_JOIN, pairwise(tokens))), _ONE, strict=False)
        else:
            tokens = findall(text)
            yield zip(chain(tokens, map(_SPACE_JOIN, pairwise(tokens))), _ONE, strict=False)


def hash_ngrams(vectorizer: HashingVectorizer, lowered: Sequence[str]) -> sp.csr_matrix:
    """``vectorizer.transform(lowered)``, bit for bit, without the analyzer's per-token Python
    work: the labeling path's hashing is most of its time."""
    hasher = _pair_hasher(vectorizer)
    if hasher is None or not len(lowered):
        return vectorizer.transform(lowered)
    return hasher.transform(_ngram_pairs(lowered))


def phrase_column(vectorizer: HashingVectorizer, phrase: str) -> int | None:
    """The hashed column of a one- or two-token phrase, found through the public transform."""
    cols = set(vectorizer.transform([phrase]).indices.tolist())
    tokens = phrase.split(" ")
    if len(tokens) == 2:
        cols -= set(vectorizer.transform(tokens).indices.tolist())
    return min(cols) if len(cols) == 1 else None


def lower_all(texts: Sequence[str]) -> list[str]:
    """Lowercase and straighten apostrophes, the only text normalization the model sees."""
    return [t.lower().replace("\u2019", "'") for t in texts]


class PostFeaturizer(TransformerMixin, BaseEstimator):
    """Texts -> sparse [folded hashed n-grams | rule features | word-vector block];
    ``rule_weight`` scales the rules, ``vector_weight`` the word vectors (0 leaves them out)."""

    def __init__(self, n_features: int = 2**18, rule_weight: float = 1.0, vector_weight: float = 0.0) -> None:
        self.n_features = n_features
        self.rule_weight = rule_weight
        self.vector_weight = vector_weight

    def fit(self, X: Sequence[str], y: object = None) -> PostFeaturizer:
        """Build the phrase -> family matrix and key the word vectors by hashed column; the texts
        are used only to leave out words whose column a common word pair takes."""
        self.vectorizer_ = make_vectorizer()
        families = cue_families()
        self.family_names_ = tuple(name for name, _ in families)
        rows, cols, terms = [], [], {}
        for j, (_, phrases) in enumerate(families):
            for phrase in phrases:
                col = phrase_column(self.vectorizer_, phrase)
                if col is not None:
                    rows.append(col)
                    cols.append(j)
                    terms.setdefault(col, phrase)
        data = np.ones(len(rows))
        self.cue_matrix_ = sp.csr_matrix((data, (rows, cols)), shape=(WIDE, len(families)))
        self.cue_terms_ = terms
        self.cue_columns_ = np.array(sorted(terms), dtype=np.int64)
        self.n_rule_features_ = len(families) + len(CONJUNCTIONS) + 3
        self.vector_columns_ = np.zeros(0, dtype=np.int64)
        self.vector_table_ = np.zeros((0, 0), dtype=np.float16)
        if self.vector_weight:
            taken = pair_columns(self.vectorizer_, lower_all(X))
            self.vector_columns_, self.vector_table_ = keyed_by_column(self.vectorizer_, *load_word_vectors(), taken)
        self.n_features_out_ = self.n_features + self.n_rule_features_ + self.vector_table_.shape[1]
        return self

    def counts(self, wide: sp.csr_matrix) -> np.ndarray:
        """Raw per-family cue counts, (n, len(family_names_))."""
        return (wide @ self.cue_matrix_).toarray()

    def cue_counts(self, rows: np.ndarray, columns: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
        """:meth:`counts` from the batch's nonzeros on cue columns only (row, column, count), for a
        caller that has already picked them out: one gather and one ``bincount`` instead of a sparse
        product over every nonzero. Counts are whole numbers, so the sums are exactly equal."""
        slot = self.cue_matrix_.indptr
        starts, ends = slot[columns], slot[columns + 1]
        per = ends - starts  # families per cue column (one for almost all)
        where = np.repeat(np.arange(len(columns)), per)
        offsets = np.arange(len(where)) - np.repeat(np.cumsum(per) - per, per) + starts[where]
        n_families = self.cue_matrix_.shape[1]
        flat = rows[where] * n_families + self.cue_matrix_.indices[offsets]
        weights = values[where] * self.cue_matrix_.data[offsets]
        return np.bincount(flat, weights=weights, minlength=n * n_families).reshape(n, n_families)

    def rules(self, counts: np.ndarray, lowered: Sequence[str]) -> np.ndarray:
        """Bounded rule features from cue counts: log counts, conjunctions, '?', links, length."""
        n = len(lowered)
        if not n:
            return np.zeros((0, self.n_rule_features_))
        n_families = len(self.family_names_)
        out = np.empty((n, self.n_rule_features_))
        logs = np.log1p(counts, out=out[:, :n_families])
        left, right = self._conjunction_columns()
        np.minimum(logs[:, left], logs[:, right], out=out[:, n_families : n_families + len(CONJUNCTIONS)])
        extra = out[:, n_families + len(CONJUNCTIONS) :]
        extra[:, 0] = np.fromiter(map(str.count, lowered, repeat("?", n)), np.float64, n)
        extra[:, 1] = np.fromiter(map(str.count, lowered, repeat("http", n)), np.float64, n)
        extra[:, 2] = np.fromiter(map(len, lowered), np.float64, n)
        np.log1p(extra[:, 0], out=extra[:, 0])
        np.minimum(extra[:, 1], 1.0, out=extra[:, 1])
        extra[:, 2] = np.log1p(extra[:, 2]) / 7.0
        return out

    def _conjunction_columns(self) -> tuple[list[int], list[int]]:
        """Family columns of the two sides of every conjunction, in ``CONJUNCTIONS`` order."""
        index = {name: i for i, name in enumerate(self.family_names_)}
        return [index[f"c_{a}"] for a, _ in CONJUNCTIONS], [index[f"c_{b}"] for _, b in CONJUNCTIONS]

    def fold(self, wide: sp.csr_matrix) -> sp.csr_matrix:
        """Fold the wide hashed rows into ``n_features`` columns and L2-normalize them.

        The normalization is ``sklearn.preprocessing.normalize``'s own kernel, called directly to
        skip its input validation. Like ``normalize(copy=False)`` before it, it rescales the data
        array ``wide`` shares with the result, so read ``wide``'s counts before folding."""
        folded = sp.csr_matrix(
            (wide.data, wide.indices & (self.n_features - 1), wide.indptr), shape=(wide.shape[0], self.n_features)
        )
        inplace_csr_row_normalize_l2(folded)
        return folded

    def hash(self, lowered: Sequence[str]) -> sp.csr_matrix:
        """The wide hashed n-gram counts of lowercased texts (see :func:`hash_ngrams`)."""
        return hash_ngrams(self.vectorizer_, lowered)

    def word_vectors(self, wide: sp.csr_matrix) -> np.ndarray:
        """The word-vector block, ``vector_weight`` times a unit vector per row (no columns when
        the featurizer has no vectors)."""
        lookup = _EMBEDDING.get(self)
        if lookup is None:
            positions = column_positions(self.vector_columns_, self.vectorizer_.n_features)
            lookup = _EMBEDDING[self] = (positions, self.vector_table_.astype(np.float32))
        block = embed(wide, *lookup)
        if self.vector_weight != 1.0:
            block *= self.vector_weight
        return block

    def finish(self, wide: sp.csr_matrix, lowered: list[str], counts: np.ndarray) -> Analysis:
        """The model's features from a batch's wide hashed rows and cue counts (folds ``wide``)."""
        dense = self.rules(counts, lowered)
        if self.rule_weight != 1.0:
            dense *= self.rule_weight
        if self.vector_table_.shape[1]:
            dense = np.hstack([dense, self.word_vectors(wide)])  # before fold rescales wide's counts
        return Analysis(self.fold(wide), dense, wide, lowered, counts)

    def analyze(self, X: Sequence[str]) -> Analysis:
        """Model features plus the intermediate products the labeling path reuses for evidence."""
        lowered = lower_all(X)
        wide = self.hash(lowered)
        return self.finish(wide, lowered, self.counts(wide))

    def transform(self, X: Sequence[str]) -> sp.csr_matrix:
        """Return the feature matrix for texts ``X``."""
        return self.analyze(X).features

    def matched_terms(self, wide: sp.csr_matrix) -> list[list[str]]:
        """Cue phrases present in each row (one vectorized membership test for the batch)."""
        hit = np.isin(wide.indices, self.cue_columns_)
        terms = self.cue_terms_
        words = [terms[c] for c in wide.indices[hit].tolist()]
        bounds = np.concatenate([[0], np.cumsum(hit)])[wide.indptr].tolist()
        return [words[a:b] for a, b in pairwise(bounds)]
