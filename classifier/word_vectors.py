"""Static word vectors as a dense feature block: a post's meaning, not only its exact words.

The model learns from synthetic text; real posts describe the same failures in other words. The
vectors (``data/word_vectors/``, distilled from a pretrained sentence encoder by
``scripts/distill_word_vectors.py``) place unseen words near seen ones. A post's block is the
L2-normalized sum of its words' vectors, read straight off the batch's hashed counts: each word is
keyed by its own hashed column, so the block costs one sorted lookup and one sparse product per
batch, and no second tokenization.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.feature_extraction.text import HashingVectorizer

from outagewatch.resources import data_path

WORD_VECTORS = data_path("word_vectors", "minilm_words.npz")


def load_word_vectors(path: Path = WORD_VECTORS) -> tuple[list[str], np.ndarray]:
    """(words, float16 vectors); plain arrays only, never pickled objects."""
    with np.load(path, allow_pickle=False) as stored:
        return stored["words"].tolist(), stored["vectors"]


def pair_columns(vectorizer: HashingVectorizer, lowered: Sequence[str], min_count: int = 2) -> np.ndarray:
    """Hashed columns of the word pairs that occur at least ``min_count`` times in ``lowered``.

    Words and word pairs share one hashed space, so about one pair in 200 lands on a word's
    column and would add that word's vector ("at all" lands on "mayfair"). Words whose column a
    common pair of the training texts takes are left out of the table; rarer collisions stay as
    noise the model trains with."""
    pairs = clone(vectorizer).set_params(ngram_range=(2, 2))
    counts = np.asarray(pairs.transform(lowered).sum(axis=0)).ravel() if len(lowered) else np.zeros(0)
    return np.flatnonzero(counts >= min_count)


def keyed_by_column(
    vectorizer: HashingVectorizer, words: Sequence[str], vectors: np.ndarray, avoid: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(sorted hashed columns, their vectors) for the words that are one token each and whose
    column is not in ``avoid``; when two words share a column the first keeps it."""
    hashed = vectorizer.transform(list(words))
    single = np.flatnonzero(np.diff(hashed.indptr) == 1)
    columns, first = np.unique(hashed.indices[hashed.indptr[single]], return_index=True)
    keep = ~np.isin(columns, avoid) if avoid is not None else np.ones(len(columns), dtype=bool)
    return columns[keep].astype(np.int64), np.ascontiguousarray(vectors[single[first[keep]]])


def column_positions(columns: np.ndarray, n_features: int) -> np.ndarray:
    """A lookup over all ``n_features`` hashed columns: the row of ``columns`` (sorted) holding each
    column's vector, -1 for a column with none. One gather per batch then finds every known word,
    where a binary search per nonzero took most of :func:`embed`'s time."""
    dtype = np.int16 if len(columns) < np.iinfo(np.int16).max else np.int32
    positions = np.full(n_features, -1, dtype=dtype)
    positions[columns] = np.arange(len(columns), dtype=dtype)
    return positions


def embed(wide: sp.csr_matrix, positions: np.ndarray, table: np.ndarray) -> np.ndarray:
    """(n, dimensions): each row's count-weighted sum of its words' vectors, L2-normalized (zero
    for a row with no known word). ``wide`` holds raw hashed counts, as from the vectorizer;
    ``positions`` maps its columns to rows of ``table`` (:func:`column_positions`); a float32
    ``table`` is several times faster than the stored float16 one."""
    n = wide.shape[0]
    if not len(table) or not wide.nnz:
        return np.zeros((n, table.shape[1]))
    where = positions[wide.indices]
    hit = where >= 0
    rows = np.repeat(np.arange(n), np.diff(wide.indptr))[hit]
    counts = wide.data[hit].astype(table.dtype)
    known = sp.csr_matrix((counts, (rows, where[hit])), shape=(n, len(table)))
    out = np.asarray(known @ table, dtype=np.float64)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out
