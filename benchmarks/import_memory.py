"""Import memory benchmark: a large NDJSON through `outagewatch import` in a child process.

Prints posts/s and the child's peak RSS (ru_maxrss); the target is < 500 MB for a 1 GB file,
which holds only if the import streams. Usage: python benchmarks/import_memory.py [--size-mb 1024]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = ("kaiser", "pharmacy", "down", "app", "login", "outage", "refill", "portal", "mychart", "phone", "lab", "today")


def generate(path: Path, size_mb: float) -> int:
    """Write Reddit-dump-like comment records until the file reaches ``size_mb``; returns the line count."""
    target = int(size_mb * 1024 * 1024)
    written = lines = 0
    with path.open("w", encoding="utf-8") as fh:
        while written < target:
            body = " ".join(WORDS[(lines * 7 + k) % len(WORDS)] for k in range(40 + lines % 30))
            record = {
                "id": f"x{lines:09d}",
                "subreddit": "KaiserPermanente",
                "body": body,
                "author": f"user{lines % 50_000}",
                "created_utc": 1_700_000_000 + lines,
                "link_id": f"t3_p{lines // 50:07d}",
                "parent_id": f"t3_p{lines // 50:07d}",
                "score": lines % 17,
            }
            line = json.dumps(record) + "\n"
            fh.write(line)
            written += len(line)
            lines += 1
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=float, default=1024.0, help="size of the generated NDJSON (default 1 GB)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="outagewatch-importbench-"))
    data = tmp / "dump.jsonl"
    t0 = time.monotonic()
    lines = generate(data, args.size_mb)
    print(f"generated {data.stat().st_size / 1e6:.0f} MB, {lines} lines in {time.monotonic() - t0:.1f} s")
    cmd = [sys.executable, "-c", "from outagewatch.cli import main; main()"]
    cmd += ["--db-url", f"sqlite:///{tmp / 'bench.db'}", "import", str(data), "--format", "reddit"]
    t1 = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
    seconds = time.monotonic() - t1
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    if done.returncode != 0:
        sys.exit(f"import failed ({done.returncode}): {done.stderr[-2000:]}")
    print(done.stdout.strip())
    print(f"posts/s: {lines / seconds:.0f}  wall: {seconds:.1f} s  peak RSS of the import: {peak_mb:.0f} MB")
    print("target: < 500 MB peak RSS for a 1 GB file")
    if not args.keep:
        for p in tmp.iterdir():
            p.unlink()
        tmp.rmdir()
    else:
        print(f"kept {tmp}")


if __name__ == "__main__":
    main()
