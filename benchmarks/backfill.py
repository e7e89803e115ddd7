"""Backfill throughput: a synthetic 1,000,000-post Reddit-dump archive through `outagewatch backfill`.

Every record is SYNTHETIC (made up here, marked ``"outagewatch_synthetic": true``), shaped like a
Pushshift / Arctic Shift comment or submission dump, time-ordered over 30 days like real dumps.
The backfill path (parse + label + Parquet by day + counts into a SQLite store) runs on a
LocalCluster of 1 and then 2 worker processes; the baseline, measured in the same run on the same
file, is a plain single-process loop that parses and labels (no Dask, no Parquet, no counts).

    python benchmarks/backfill.py                 # 1,000,000 posts, workers 1 and 2
    python benchmarks/backfill.py --posts 100000  # a quicker look

Figures depend on the machine and on whatever else runs on it; the script prints the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from classifier.labeling import label
from classifier.persist import default_model
from collectors.archive import ImportReport, _json_records, _posts, _Rejects
from outagewatch.backfill import run_backfill
from outagewatch.backfill_commands import connect
from outagewatch.store import Store
from outagewatch.store.writes import chunked

START = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = 30
SUBS = ["KaiserPermanente", "bayarea", "Portland", "nursing", "pharmacy", "sysadmin", "Denver", "Sacramento"]
_VOCAB = (
    "the a to and of my i it is in that was for on with this have but they just be at so not are what if get "
    "like would about one can when all there from had out do some up time know really people think more also "
    "doctor appointment insurance work today still week going back called said because them any over new "
    "nurse visit care patient plan month year kids call office day wait hours told again thanks anyone"
)
WORDS = _VOCAB.split()
REPORTS = [
    "Kaiser pharmacy app is down, can't refill my prescription",
    "is the kp.org site down for anyone else? login keeps failing",
    "Sutter My Health Online not loading, can't see my lab results",
    "Providence MyChart outage? messages page won't load",
    "Kaiser phone lines down in Sacramento, the call just drops",
]


def _text(rng: random.Random, mean_words: float) -> str:
    """Chatter with a lognormal length (most comments are short, a few very long), some of it reports."""
    n = max(1, min(400, int(rng.lognormvariate(0, 0.9) * mean_words)))
    words = " ".join(rng.choices(WORDS, k=n))
    return f"{rng.choice(REPORTS)}. {words}" if rng.random() < 0.05 else words


def generate(path: Path, posts: int, seed: int = 7) -> int:
    """Write ``posts`` synthetic records (about one in ten a submission); returns the file size."""
    rng = random.Random(seed)
    step = DAYS * 86400 / posts
    with path.open("w", encoding="utf-8") as fh:
        for i in range(posts):
            created = int((START + timedelta(seconds=i * step)).timestamp())
            sub = rng.choice(SUBS)
            rec = {"id": f"s{i:x}", "author": f"synthetic_user_{rng.randrange(50_000)}", "created_utc": created}
            rec.update(subreddit=sub, subreddit_id=f"t5_{SUBS.index(sub)}", score=rng.randrange(-5, 200))
            rec.update(retrieved_on=created + 3600, outagewatch_synthetic=True)
            if rng.random() < 0.1:
                rec.update(title=_text(rng, 9), selftext=_text(rng, 60) if rng.random() < 0.6 else "")
                rec.update(num_comments=rng.randrange(40), permalink=f"/r/{sub}/comments/s{i:x}/")
            else:
                thread = f"t3_s{max(0, i - rng.randrange(1, 500)):x}"
                rec.update(body=_text(rng, 28), link_id=thread, parent_id=thread)
            fh.write(json.dumps(rec) + "\n")
    return path.stat().st_size


def single_process(path: Path) -> int:
    """The baseline: parse + label in this process, batch by batch (what one core does without Dask)."""
    model, report = default_model(), ImportReport()
    rejects = _Rejects(path.with_suffix(".baseline.rejects.jsonl"), path)
    labeled = 0
    with path.open("rb") as fh:
        for batch in chunked(_posts(_json_records(fh), "reddit", None, rejects, report), 5000):
            labeled += len(label(batch, model))
    rejects.close()
    return labeled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--workers", default="1,2", help="comma-separated LocalCluster sizes")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temporary one)")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="outagewatch-backfill-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.1f} (other jobs may be running)")
    archive = work / "RC_synthetic.ndjson"
    t0 = time.perf_counter()
    size = generate(archive, args.posts)
    print(f"synthetic archive: {args.posts:,} posts, {size / 1e6:.0f} MB, written in {time.perf_counter() - t0:.0f} s")

    t0 = time.perf_counter()
    default_model()  # model load not timed, as workers' warm-up is not either (see below)
    t0 = time.perf_counter()
    n = single_process(archive)
    base = n / (time.perf_counter() - t0)
    print(f"baseline, single process (parse + label, no Dask/Parquet/counts): {n:,} posts, {base:,.0f} posts/s")

    rates: dict[int, float] = {}
    for workers in (int(w) for w in args.workers.split(",")):
        out = work / f"out-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        store = Store.open(f"sqlite:///{work / f'store-{workers}.db'}", author_salt="benchmark-salt")
        t0 = time.perf_counter()
        with connect(workers=workers) as client:
            client.run(default_model)  # load the model on every worker before timing
            ready = time.perf_counter() - t0
            t0, stages = time.perf_counter(), {}

            def seen(stage: str, _advance: int, _total: int, t0: float = t0, stages: dict = stages) -> None:
                stages[stage] = time.perf_counter() - t0  # when the stage's last task so far finished

            summary = run_backfill(client, [archive], out, store, salt="benchmark-salt", fmt="reddit", progress=seen)
            elapsed = time.perf_counter() - t0
        store.close()
        rates[workers] = summary.posts / elapsed
        print(
            f"backfill, {workers} worker(s): {summary.posts:,} posts in {elapsed:.0f} s = "
            f"{rates[workers]:,.0f} posts/s "
            f"(parse + label + Parquet, {len(summary.days)} days, {summary.count_rows:,} count rows; "
            f"cluster start + model load {ready:.0f} s not included)"
        )
        print("    stages done at: " + ", ".join(f"{stage} {t:.0f} s" for stage, t in stages.items()))
    if 1 in rates:
        for workers, rate in rates.items():
            if workers != 1:
                print(f"speed-up {workers} vs 1 worker: {rate / rates[1]:.2f}x")
        print(f"1 worker vs single-process baseline: {rates[1] / base:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.1f}; files in {work}")
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
