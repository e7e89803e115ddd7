"""Queued faults: "the next N requests to this path fail like so", first in first out per path."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

KINDS = ("429", "500", "timeout", "malformed", "truncate", "disconnect")


@dataclass
class Fault:
    """One queued fault; ``seconds`` is the stall of a timeout, ``after`` the events sent before a drop."""

    kind: str
    count: int = 1
    retry_after: float = 1.0
    seconds: float = 2.0
    after: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


class FaultQueue:
    """Thread-safe FIFO of faults per path ("/r/x/new", "/subscribe", or a prefix ending in '*')."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[Fault]] = {}
        self._lock = threading.Lock()
        self.fired: list[tuple[str, str]] = []

    def add(self, path: str, kind: str, count: int = 1, **options: Any) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(KINDS)}")
        known = {k: options.pop(k) for k in ("retry_after", "seconds", "after") if k in options}
        with self._lock:
            self._queues.setdefault(path, deque()).append(Fault(kind, int(count), extra=options, **known))

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()

    def take(self, path: str) -> Fault | None:
        """The fault for this request, if one is queued for its path (exact match first, then prefixes)."""
        with self._lock:
            keys = [path] + [k for k in self._queues if k.endswith("*") and path.startswith(k[:-1])]
            for key in keys:
                queue = self._queues.get(key)
                if queue:
                    fault = queue[0]
                    fault.count -= 1
                    if fault.count <= 0:
                        queue.popleft()
                    self.fired.append((path, fault.kind))
                    return fault
        return None

    def pending(self) -> int:
        with self._lock:
            return sum(f.count for q in self._queues.values() for f in q)
