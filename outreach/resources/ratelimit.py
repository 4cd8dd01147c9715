"""A per-process sliding window for the public hub: requests per minute per client address.

The addresses live in memory for a minute and are never written anywhere. Each web worker keeps
its own window, so the real ceiling is the limit times the number of workers: a brake on
scrapers, not an exact quota.
"""
from __future__ import annotations

import threading
import time
from collections import deque


class SlidingWindow:
    def __init__(self, seconds: float = 60.0) -> None:
        self.seconds = seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, limit: int, *, now: float | None = None) -> bool:
        """Count a request from *key*; False when it is over *limit* in the window (0: no limit)."""
        if limit <= 0:
            return True
        moment = time.monotonic() if now is None else now
        with self._lock:
            if len(self._hits) > 50_000:  # forget quiet addresses now and then: memory stays bounded
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > moment - self.seconds}
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= moment - self.seconds:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(moment)
            return True
