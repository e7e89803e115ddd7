"""Batch phrase matching through the hashed n-gram matrix (the labeling path's Aho-Corasick).

Every phrase (org alias, place name, nickname) is keyed by the hashed column of its first one or
two tokens. One sparse product ``wide @ keys`` finds, for a whole batch, which rows may contain
which phrases; only those few candidates are confirmed in the text with ``str.find`` and a word
boundary test. No per-post regex scan, no loop over every alias.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

from classifier.cues import TOKEN_RE
from classifier.features import WIDE, phrase_column

Hit = tuple[int, int, str]  # start, end, phrase as written in the index


def _key(phrase: str) -> str | None:
    tokens = TOKEN_RE.findall(phrase)
    if not tokens:
        return None
    return " ".join(tokens[:2])


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before in "_@/.") and not (after.isalnum() or after == "_")


@dataclass(frozen=True, slots=True)
class PhraseIndex:
    """Key columns -> phrases; ``upper`` phrases are confirmed in the original (cased) text."""

    keys: sp.csr_matrix
    key_phrases: tuple[tuple[str, ...], ...]
    upper: bool = False

    @classmethod
    def build(cls, phrases: Iterable[str], vectorizer: HashingVectorizer, upper: bool = False) -> PhraseIndex:
        """Index ``phrases`` (lowercase unless ``upper``) by the hashed column of their leading tokens."""
        by_column: dict[int, list[str]] = {}
        for phrase in phrases:
            key = _key(phrase.lower())
            col = phrase_column(vectorizer, key) if key else None
            if col is not None:
                by_column.setdefault(col, []).append(phrase)
        columns = sorted(by_column)
        keys = sp.csr_matrix(
            (np.ones(len(columns)), (columns, np.arange(len(columns)))), shape=(WIDE, max(len(columns), 1))
        )
        key_phrases = tuple(tuple(sorted(by_column[c], key=len, reverse=True)) for c in columns)
        return cls(keys, key_phrases, upper)

    def find(self, wide: sp.csr_matrix, texts: Sequence[str]) -> list[list[Hit]]:
        """Confirmed, non-overlapping (longest first) phrase hits per row, in order of appearance."""
        # keys has one row per hashed column holding at most one entry, and key ids were numbered in
        # column order, so row c is a key iff indptr[c] < indptr[c + 1], and its id is indptr[c]
        slot = self.keys.indptr
        cols = wide.indices
        is_key = slot[cols] < slot[cols + 1]
        keys = slot[cols[is_key]].tolist()
        bounds = np.concatenate([[0], np.cumsum(is_key)])[wide.indptr].tolist()
        out: list[list[Hit]] = []
        for row, text in enumerate(texts):
            a, b = bounds[row], bounds[row + 1]
            if a == b:
                out.append([])
                continue
            hits: list[Hit] = []
            for key in keys[a:b]:
                for phrase in self.key_phrases[key]:
                    start = text.find(phrase)
                    while start >= 0:
                        end = start + len(phrase)
                        if _bounded(text, start, end):
                            hits.append((start, end, phrase))
                        start = text.find(phrase, end)
            out.append(_longest(hits) if len(hits) > 1 else hits)
        return out


def _longest(hits: list[Hit]) -> list[Hit]:
    """Drop hits inside a longer one ("kaiser" inside "kaiser roll"), keep order of appearance."""
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    kept: list[Hit] = []
    reach = -1
    for hit in hits:
        if hit[0] >= reach:
            kept.append(hit)
            reach = hit[1]
        elif hit[1] > reach:
            continue
    return kept
