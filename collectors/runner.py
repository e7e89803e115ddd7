"""Run collectors into the store: each batch with its resume point in one transaction, each run recorded.

A failing source is recorded and skipped, never allowed to stop the others; a crash anywhere
loses nothing because the saved state only moves once the posts behind it are committed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from collectors.base import Collector, ConfigError, RateLimited, SourceUnavailable, backoff_delay
from outagewatch.store import Store

log = logging.getLogger(__name__)


@dataclass(slots=True)
class RunResult:
    """What one run of one collector did (also written to collector_runs)."""

    name: str
    status: str
    posts: int = 0
    batches: int = 0
    error: str | None = None
    retry_after: float | None = None


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:2000]


def run_one(
    store: Store,
    collector: Collector,
    *,
    max_rate_wait: float = 30.0,
    stop: threading.Event | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> RunResult:
    """Run ``collector`` once from its saved state; rate limits up to ``max_rate_wait`` s are waited out."""
    name = collector.name
    run_id = store.start_run(name)
    result = RunResult(name, "ok")
    attempt = 0
    notes: list[str] = []
    while True:
        try:
            for batch in collector.collect(store.load_state(name)):
                store.save_batch(name, batch.posts, batch.state)
                result.posts += len(batch.posts)
                result.batches += 1
                if stop is not None and stop.is_set():
                    break
            notes += collector.recovered
            if notes:
                result.error = "recovered: " + "; ".join(notes[:5])
            break
        except RateLimited as exc:
            wait = exc.retry_after if exc.retry_after is not None else backoff_delay(attempt, 2.0, max_rate_wait)
            if attempt < 2 and max_rate_wait > 0 and wait <= max_rate_wait and not (stop is not None and stop.is_set()):
                log.warning("%s rate limited, waiting %.1f s then resuming from saved state", name, wait)
                notes.append(f"rate limited ({exc}), waited {wait:.1f} s")
                attempt += 1
                sleep(wait)
                continue
            result.status, result.retry_after = "error", exc.retry_after
            result.error = f"{_describe(exc)} (retry after {exc.retry_after} s; the next run resumes from saved state)"
            break
        except (SourceUnavailable, ConfigError) as exc:
            result.status, result.error = "error", _describe(exc)
            break
        except Exception as exc:  # a bug or an unmapped client error must not stop the other sources
            log.exception("%s failed", name)
            result.status, result.error = "error", "unexpected " + _describe(exc)
            break
    store.finish_run(run_id, result.status, result.posts, result.batches, result.error)
    return result


def run_all(
    store: Store,
    collectors: Iterable[Collector],
    *,
    max_rate_wait: float = 30.0,
    stop: threading.Event | None = None,
) -> list[RunResult]:
    """Run each collector once, in order; one failing source never stops the others."""
    results = []
    for collector in collectors:
        if stop is not None and stop.is_set():
            break
        results.append(run_one(store, collector, max_rate_wait=max_rate_wait, stop=stop))
    return results


def follow(
    store: Store,
    collectors: list[Collector],
    *,
    interval: float,
    stop: threading.Event,
    on_round: Callable[[list[RunResult]], None] | None = None,
) -> None:
    """Poll every ``interval`` s until ``stop`` is set (SIGINT/SIGTERM); failing sources back off."""
    failures: dict[str, int] = {}
    next_due: dict[str, float] = {}
    while not stop.is_set():
        now = time.monotonic()
        due = [c for c in collectors if next_due.get(c.name, 0.0) <= now]
        results = run_all(store, due, stop=stop)
        for r in results:
            failures[r.name] = failures.get(r.name, 0) + 1 if r.status == "error" else 0
            delay = interval + (backoff_delay(failures[r.name], interval, 900) if failures[r.name] else 0.0)
            if r.retry_after:
                delay = max(delay, r.retry_after)
            next_due[r.name] = time.monotonic() + delay
        if on_round and results:
            on_round(results)
        soonest = min(next_due.values(), default=time.monotonic() + interval)
        stop.wait(max(0.1, soonest - time.monotonic()))
