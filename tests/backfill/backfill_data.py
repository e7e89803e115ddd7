"""A small synthetic Reddit-dump archive for the backfill tests (every record is made up).

Three UTC days, a pool of repeating authors (so distinct authors < posts), deleted authors, posts
repeated in two places, reports of several organizations and states, and a few malformed lines.
"""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

SALT = "test-salt"
CHUNK = 100_000  # cuts the plain test file into 7 byte ranges, so lines straddle chunk edges
T0 = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
HANDLES = [f"synth_user_{i:03d}" for i in range(60)]
REPORTS = [
    "Kaiser pharmacy app is down again, can't refill my prescription in Oakland",
    "kaiser permanente website not loading, cannot log in to see my lab results",
    "Is the KP app down for anyone else in Sacramento? login keeps failing",
    "Sutter Health My Health Online is down, can't message my doctor",
    "Providence MyChart outage in Portland? appointments page won't load",
    "Kaiser phone lines down in Denver, been on hold for an hour and it drops",
]
CHATTER = [
    "Does anyone know a good dermatologist near San Jose?",
    "My appointment went great today, the nurse was lovely",
    "What is the best way to transfer records between doctors?",
    "Kaiser open enrollment question about dental coverage",
    "Lunch at the cafeteria was surprisingly good",
]
BAD_LINES = ["this is not json {", "[1, 2, 3]", json.dumps({"subreddit": "x", "title": "no time or id"}), ""]


def records(n: int, seed: int, id_prefix: str) -> list[dict]:
    """n records, one every ~70 s from T0 on (crossing two UTC midnights for n of a few thousand)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        created = T0 + timedelta(seconds=i * 70 + rng.randrange(60))
        text = rng.choice(REPORTS) if rng.random() < 0.35 else rng.choice(CHATTER)
        author = "[deleted]" if rng.random() < 0.2 else rng.choice(HANDLES)
        rec = {"id": f"{id_prefix}{i}", "subreddit": rng.choice(["KaiserPermanente", "bayarea", "Portland", "nursing"])}
        rec.update(author=author, created_utc=int(created.timestamp()), score=rng.randrange(50))
        if rng.random() < 0.5:
            rec.update(title=text, selftext="" if rng.random() < 0.5 else "Anyone else? " * rng.randrange(1, 4))
        else:
            rec.update(body=text, link_id=f"t3_{id_prefix}x{i // 7}", parent_id=f"t3_{id_prefix}x{i // 7}")
        out.append(rec)
    return out


def write_archive(folder: Path) -> tuple[list[Path], int]:
    """A plain NDJSON file (cut into several chunks) and a .gz file (streamed); returns paths and good posts."""
    plain = records(3000, seed=1, id_prefix="p")
    lines = [json.dumps(r) for r in plain]
    lines.insert(1200, json.dumps(plain[40]))  # the same post again, far from its first copy
    for k, bad in enumerate(BAD_LINES):
        lines.insert(300 + 500 * k, bad)
    first = folder / "RC_synthetic.ndjson"
    first.write_text("\n".join(lines) + "\n", encoding="utf-8")
    zipped = records(600, seed=2, id_prefix="g")
    second = folder / "RS_synthetic.ndjson.gz"
    with gzip.open(second, "wt", encoding="utf-8") as fh:
        fh.write("\n".join([*(json.dumps(r) for r in zipped), json.dumps(plain[7]), "{broken"]) + "\n")
    return [first, second], len(plain) + len(zipped)
