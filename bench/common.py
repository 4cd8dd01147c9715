"""What the benchmark's modules share: the pages' shape, the targets the figures are held to, the password.

Kept apart from bench/run.py so that run.py can import the catalog (pages.py) and the report writer
(report.py) while both of those import what they need from here: no module imports the one importing it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Every benchmark user signs in with it (made by `outreach seed`, then adopted by bench/run.py).
PASSWORD = "bench-passphrase-2026"

#: A page's 95th percentile must stay under this (searches and pickers: the second one).
TARGET_P95_MS = 100.0
TARGET_SEARCH_P95_MS = 50.0
#: The large data set may be at most this much slower than the small one.
TARGET_SCALING = 1.5


@dataclass
class Page:
    name: str
    role: str | None  #: None: anonymous
    path: str
    kind: str = "page"  #: page, search, feed, api
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200
