"""Production mode (`outagewatch run`): collect -> classify -> detect -> alert, supervised.

Each part is a loop in its own thread doing one unit of work at a time (a collector run, a
classify pass, a detection pass, a dispatch pass); every unit commits in its own transactions,
so stopping between units leaves nothing half-written. A part that raises is restarted after an
exponential, jittered backoff; one failing part never stops the others. SIGTERM asks every part
to finish its current unit and return.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from outagewatch.models import utcnow

log = logging.getLogger(__name__)


class StepFailed(Exception):
    """A unit of work ended in an error that was already recorded (e.g. a failed collector run)."""


@dataclass
class Part:
    """One supervised loop: ``step`` does one unit of work, then the part waits ``interval`` seconds."""

    name: str
    step: Callable[[threading.Event], Any]
    interval: float
    max_backoff: float = 300.0
    runs: int = 0
    failures: int = 0
    consecutive_failures: int = 0
    last_ok: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    alive: bool = False
    next_run_in: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def backoff(self, rng: random.Random) -> float:
        """Seconds to wait after the n-th failure in a row: doubling from the interval, capped, jittered."""
        base = min(max(self.interval, 1.0) * 2 ** (self.consecutive_failures - 1), self.max_backoff)
        return base * (0.5 + rng.random() / 2)

    def health(self) -> dict[str, Any]:
        with self.lock:
            return {
                "alive": self.alive,
                "runs": self.runs,
                "failures": self.failures,
                "consecutive_failures": self.consecutive_failures,
                "last_ok": self.last_ok.isoformat() if self.last_ok else None,
                "last_error": self.last_error,
                "last_error_at": self.last_error_at.isoformat() if self.last_error_at else None,
            }


class Supervisor:
    """Runs parts in threads until ``stop`` is set; restarts failing parts with backoff."""

    def __init__(self, parts: list[Part], stop: threading.Event | None = None, seed: int | None = None) -> None:
        self.parts = parts
        self.stop = stop or threading.Event()
        self.rng = random.Random(seed)
        self.started_at = utcnow()
        self._threads: list[threading.Thread] = []

    def _loop(self, part: Part) -> None:
        with part.lock:
            part.alive = True
        try:
            while not self.stop.is_set():
                wait = part.interval
                try:
                    part.step(self.stop)
                except Exception as exc:  # any failure of a unit: record, back off, go on
                    with part.lock:
                        part.runs += 1
                        part.failures += 1
                        part.consecutive_failures += 1
                        part.last_error = f"{type(exc).__name__}: {exc}"[:500]
                        part.last_error_at = utcnow()
                        wait = part.backoff(self.rng)
                    log.warning("%s failed (%s in a row), next try in %.0f s: %s", part.name,
                                part.consecutive_failures, wait, part.last_error)  # fmt: skip
                else:
                    with part.lock:
                        part.runs += 1
                        part.consecutive_failures = 0
                        part.last_ok = utcnow()
                self.stop.wait(wait)
        finally:
            with part.lock:
                part.alive = False

    def start(self) -> Supervisor:
        for part in self.parts:
            thread = threading.Thread(target=self._loop, args=(part,), name=f"part-{part.name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def join(self, timeout: float | None = None) -> bool:
        """Wait for every part to return; True when all did within ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if deadline is None else max(deadline - time.monotonic(), 0))
        return not any(t.is_alive() for t in self._threads)

    def health(self) -> dict[str, Any]:
        """Overall status: ok while every part is alive and none is failing repeatedly."""
        parts = {p.name: p.health() for p in self.parts}
        failing = [n for n, h in parts.items() if h["consecutive_failures"] >= 3]
        dead = [n for n, h in parts.items() if not h["alive"]]
        status = "stopping" if self.stop.is_set() else "down" if dead else "degraded" if failing else "ok"
        return {"status": status, "started_at": self.started_at.isoformat(), "failing": failing, "parts": parts}
