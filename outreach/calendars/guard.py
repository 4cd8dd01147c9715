"""Protecting feed tokens: an in-process rate limit, and masking tokens out of every log line.

The rate limit lives in the web process's memory on purpose: a feed GET must write nothing to
the database, and calendar clients poll (hourly at most, as REFRESH-INTERVAL asks). Each process
counts on its own, which bounds a token's use to `LIMIT` × processes per window.
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict

LIMIT = 60  #: requests per feed per window
MISSES_PER_IP = 30  #: unknown tokens per address per window (guessing)
WINDOW_SECONDS = 600.0
_MAX_KEYS = 10000

TOKEN_IN_TEXT = re.compile(r"ocal_[A-Za-z0-9_\-]+")


class RateLimiter:
    """A fixed-window counter per key, bounded in memory."""

    def __init__(self, limit: int, window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._hits: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None, *, limit: int | None = None) -> float | None:
        """Count one request; return None if allowed, else the seconds until the window ends.

        *limit* overrides the limiter's own (the configured one); 0 means no limit."""
        limit = self.limit if limit is None else limit
        if limit <= 0:
            return None
        now = time.monotonic() if now is None else now
        with self._lock:
            start, count = self._hits.get(key, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            count += 1
            self._hits[key] = (start, count)
            self._hits.move_to_end(key)
            while len(self._hits) > _MAX_KEYS:
                self._hits.popitem(last=False)
            if count > limit:
                return max(1.0, self.window - (now - start))
            return None

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


per_feed = RateLimiter(LIMIT)
per_address_misses = RateLimiter(MISSES_PER_IP)


def mask(text: str) -> str:
    return TOKEN_IN_TEXT.sub("ocal_***", text)


class MaskFeedTokens(logging.Filter):
    """Rewrite any feed token in a log record (message and arguments) as ocal_***."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "ocal_" in record.msg:
            record.msg = mask(record.msg)
        if record.args:
            if isinstance(record.args, dict):
                record.args = {k: mask(v) if isinstance(v, str) else v for k, v in record.args.items()}
            else:
                record.args = tuple(mask(a) if isinstance(a, str) else a for a in record.args)
        return True


_FILTER = MaskFeedTokens()
#: The access logs of the development server and gunicorn, and the root logger's handlers.
LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "outreach")


def install_log_masking() -> None:
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
