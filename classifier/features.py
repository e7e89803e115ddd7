"""Shared features: hashed word n-grams plus rule-cue counts, computed once per batch.

The batch is hashed once into a wide space (2**22 columns, so cue phrases rarely collide with
other n-grams). Cue families are a sparse phrase->family matrix, so counting every cue in the
batch is one sparse product. The wide rows are then folded (column index modulo
``n_features``) and L2-normalized for the linear heads, which keeps the shipped model small.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise, repeat
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

from classifier.cues import TOKEN_RE, cue_families

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
    rules: np.ndarray
    wide: sp.csr_matrix
    lowered: list[str]
    counts: np.ndarray

    @property
    def features(self) -> sp.csr_matrix:
        """The model's feature matrix [hashed | rules], built only when an sklearn head needs it."""
        return sp.hstack([self.hashed, sp.csr_matrix(self.rules)], format="csr")


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
    """Texts -> sparse [folded hashed n-grams | rule features]; ``rule_weight`` scales the rules."""

    def __init__(self, n_features: int = 2**18, rule_weight: float = 1.0) -> None:
        self.n_features = n_features
        self.rule_weight = rule_weight

    def fit(self, X: Sequence[str], y: object = None) -> PostFeaturizer:
        """Build the phrase -> family matrix; nothing is learned from the data itself."""
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
        self.n_features_out_ = self.n_features + self.n_rule_features_
        return self

    def counts(self, wide: sp.csr_matrix) -> np.ndarray:
        """Raw per-family cue counts, (n, len(family_names_))."""
        return (wide @ self.cue_matrix_).toarray()

    def rules(self, counts: np.ndarray, lowered: Sequence[str]) -> np.ndarray:
        """Bounded rule features from cue counts: log counts, conjunctions, '?', links, length."""
        logs = np.log1p(counts)
        index = {name: i for i, name in enumerate(self.family_names_)}
        conj = [np.minimum(logs[:, index[f"c_{a}"]], logs[:, index[f"c_{b}"]]) for a, b in CONJUNCTIONS]
        n = len(lowered)
        questions = np.fromiter(map(str.count, lowered, repeat("?", n)), np.float64, n)
        links = np.fromiter(map(str.count, lowered, repeat("http", n)), np.float64, n)
        lengths = np.fromiter(map(len, lowered), np.float64, n)
        extra = np.column_stack([np.log1p(questions), np.minimum(links, 1.0), np.log1p(lengths) / 7.0])
        return np.hstack([logs, np.column_stack(conj), extra]) if len(lowered) else np.zeros((0, self.n_rule_features_))

    def fold(self, wide: sp.csr_matrix) -> sp.csr_matrix:
        """Fold the wide hashed rows into ``n_features`` columns and L2-normalize them."""
        folded = sp.csr_matrix(
            (wide.data, wide.indices & (self.n_features - 1), wide.indptr), shape=(wide.shape[0], self.n_features)
        )
        return normalize(folded, copy=False)

    def analyze(self, X: Sequence[str]) -> Analysis:
        """Model features plus the intermediate products the labeling path reuses for evidence."""
        lowered = lower_all(X)
        wide = self.vectorizer_.transform(lowered)
        counts = self.counts(wide)
        rules = self.rules(counts, lowered) * self.rule_weight
        return Analysis(self.fold(wide), rules, wide, lowered, counts)

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
