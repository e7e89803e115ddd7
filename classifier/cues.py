"""Rule cues: families of short phrases that say how people talk about outages.

Each family (first person, hearsay, news, planned work, ...; ``data/cues.toml``) and each
taxonomy service is a list of literal one- or two-word phrases. :mod:`classifier.features` turns them into one sparse
matrix over the hashed n-gram columns, so counting every cue in a whole batch is a single
sparse product instead of a regex scan per post. The families describe how people report (or
only discuss) outages, not particular training sentences, which is why they generalize.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache

from classifier.taxonomy import load_taxonomy
from outagewatch.resources import data_path

TOKEN_RE = re.compile(r"(?u)\b\w+\b")


@cache
def cues() -> dict[str, tuple[str, ...]]:
    """Cue families from ``data/cues.toml`` (family -> phrases)."""
    doc = tomllib.loads(data_path("cues.toml").read_text(encoding="utf-8"))
    return {name: tuple(phrases) for name, phrases in doc.items()}


def normalize_phrase(phrase: str) -> str | None:
    """Tokenize a phrase the way the vectorizer does; None if it is not one or two tokens."""
    tokens = TOKEN_RE.findall(phrase.lower())
    if not 1 <= len(tokens) <= 2:
        return None
    return " ".join(tokens)


@cache
def cue_families() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Every family, cue families first then services, with normalized phrases."""
    families: list[tuple[str, tuple[str, ...]]] = []
    raw = [(f"c_{name}", list(phrases)) for name, phrases in cues().items()]
    raw += [(f"s_{s.id}", list(s.phrases)) for s in load_taxonomy()]
    for name, phrases in raw:
        normalized = [n for n in (normalize_phrase(p) for p in phrases) if n]
        families.append((name, tuple(dict.fromkeys(normalized))))
    return tuple(families)
