"""Throughput of the labeling path (``label()``, as classify-file runs it) vs raw hashing.

Both run in this process on the same texts: the shipped labeled posts, repeated to ``--posts``.
The reference is ``HashingVectorizer.transform`` with the model's own configuration (word 1-2
grams), i.e. the single step every labeling pass must contain; the default configuration
(unigrams) is printed as well. Target: labeling >= 0.6 x the raw hashing speed.

The labeling path does not call ``HashingVectorizer.transform`` itself: ``features.hash_ngrams``
feeds the same n-grams to ``FeatureHasher`` and gets the same matrix, faster. So that this is not
mistaken for the rest of the path getting cheaper, that step is timed on its own as well, and the
ratio of the labeling path to it is printed (the share of the path that is not hashing).

Run: python benchmarks/classify.py [--posts 20000] [--batch 512] [--repeat 5] [--join 1] [--clock wall|cpu]

``--clock cpu`` times both sides in this process's CPU seconds instead of wall seconds: on a
machine shared with other busy processes, wall time mostly measures who else got the cores.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from sklearn.feature_extraction.text import HashingVectorizer

from classifier.features import hash_ngrams, lower_all, make_vectorizer
from classifier.jsonl import post_from_record, read_labeled
from classifier.labeling import label
from classifier.persist import default_model
from outagewatch.models import Post
from outagewatch.resources import data_path


def load_posts(n: int, join: int = 1) -> list[Post]:
    """The labeled posts shipped in data/labeled, cycled to ``n`` with unique ids.

    ``join`` > 1 glues that many consecutive texts into one post, to mimic longer Reddit posts.
    """
    records = []
    for name in ("handwritten_eval.jsonl", "heldout.jsonl", "synthetic_train.jsonl"):
        records += read_labeled(data_path("labeled", name))
    base = [post_from_record(r) for r in records]
    posts = []
    for i in range(n):
        first = base[(i * join) % len(base)]
        text = "\n\n".join(base[(i * join + k) % len(base)].text for k in range(join))
        posts.append(
            Post(
                source="bench",
                native_id=str(i),
                text=text,
                created_at=first.created_at,
                channel=first.channel,
                author_location=first.author_location,
            )
        )
    return posts


def best_rates(
    runs: dict[str, Callable[[], object]], n: int, repeat: int, clock: Callable[[], float] = time.perf_counter
) -> dict[str, float]:
    """Posts per second of the fastest of ``repeat`` runs of each, interleaved so that load from
    other processes on the machine hits every contender alike."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(repeat):
        for name, run in runs.items():
            start = clock()
            run()
            best[name] = min(best[name], clock() - start)
    return {name: n / seconds for name, seconds in best.items()}


def main() -> None:
    """Measure and print both rates and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--join", type=int, default=1, help="texts per post (3 ~ a typical Reddit self-post)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="wall seconds or process CPU seconds")
    args = parser.parse_args()
    posts = load_posts(args.posts, args.join)
    texts = [p.text for p in posts]
    model = default_model()
    label(posts[:10], model)  # warm caches (gazetteer, org index) outside the timing

    def run_label() -> None:
        for i in range(0, len(posts), args.batch):
            label(posts[i : i + args.batch], model)

    model_hv, default_hv = make_vectorizer(), HashingVectorizer()
    vectorizer = model.featurizer_.vectorizer_

    def run_own_hashing() -> None:
        for i in range(0, len(texts), args.batch):
            hash_ngrams(vectorizer, lower_all(texts[i : i + args.batch]))

    rates = best_rates(
        {
            "label": run_label,
            "raw": lambda: model_hv.transform(texts),
            "raw_default": lambda: default_hv.transform(texts),
            "own_hashing": run_own_hashing,
        },
        len(posts),
        args.repeat,
        time.process_time if args.clock == "cpu" else time.perf_counter,
    )
    labeling, raw, raw_default = rates["label"], rates["raw"], rates["raw_default"]
    own = rates["own_hashing"]
    mean_chars = sum(map(len, texts)) / len(texts)
    print(
        f"posts: {len(posts)} (mean {mean_chars:.0f} chars), batch {args.batch}, best of {args.repeat},"
        f" {args.clock} clock"
    )
    print(f"label() path:                                     {labeling:10.0f} posts/s")
    print(f"HashingVectorizer.transform, model config (1-2g): {raw:10.0f} posts/s")
    print(f"HashingVectorizer.transform, default (unigrams):  {raw_default:10.0f} posts/s")
    print(f"label()'s own hashing step (lower + hash_ngrams): {own:10.0f} posts/s")
    print(f"ratio label/raw (model config): {labeling / raw:.2f}   (target >= 0.60)")
    print(f"ratio label/raw (default HV):   {labeling / raw_default:.2f}")
    print(f"ratio label/own hashing step:   {labeling / own:.2f}   (1 - this = share of label() that is not hashing)")


if __name__ == "__main__":
    main()
