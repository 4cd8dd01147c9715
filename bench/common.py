"""What the benchmark's modules share: where things are, the data sets' sizes, the pages' shape, the targets
the figures are held to, the password, the log line.

Kept apart from bench/run.py so that run.py can import the catalog (pages.py), the report writer (report.py),
the data sets (data.py) and the servers and clients (serve.py) while all of them import what they need from
here: no module imports the one importing it.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

#: Every benchmark user signs in with it (made by `outreach seed`, then adopted by bench/run.py).
PASSWORD = "bench-passphrase-2026"

#: A page's 95th percentile must stay under this (searches and pickers: the second one).
TARGET_P95_MS = 100.0
TARGET_SEARCH_P95_MS = 50.0
#: A calendar feed (the benchmark's subscribes to an organisation subtree) renders within this.
TARGET_FEED_MS = 250.0
FEED_PAGE = "calendar feed (organisation subtree)"
#: A calendar download of a whole meeting list is an export (up to 5,000 events), not a page: it is held to the
#: feed's rate (2,000 events within 250 ms), 625 ms for 5,000.
TARGET_EXPORT_MS = TARGET_FEED_MS * 5000 / 2000
EXPORT_PAGE = "calendar download: meetings list"
#: The large data set may be at most this much slower than the small one.
TARGET_SCALING = 1.5
#: The contact list serves at least this share of the raw baseline's throughput (bench/baseline.py).
TARGET_THROUGHPUT_RATIO = 0.1


@dataclass
class Page:
    name: str
    role: str | None  #: None: anonymous
    path: str
    kind: str = "page"  #: page, search, feed, api, export
    headers: dict[str, str] = field(default_factory=dict)
    expect: int = 200


ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
ROLES = ("admin", "manager", "coordinator", "partner", "activist")
SEED = 20261128

#: Volumes per size; `outreach seed` receives every option it knows.
SIZES: dict[str, dict[str, int]] = {
    "tiny": {"users": 20, "organisations": 40, "contacts": 200, "meetings": 300, "commitments": 200,
             "follow-ups": 300, "introductions": 20, "campaigns": 3, "campaign-targets": 150,
             "instruments": 20, "resources": 200},
    "small": {"users": 200, "organisations": 1_000, "contacts": 10_000, "meetings": 30_000, "commitments": 20_000,
              "follow-ups": 30_000, "introductions": 500, "campaigns": 20, "campaign-targets": 1_000,
              "instruments": 200, "resources": 2_000},
    "large": {"users": 2_000, "organisations": 10_000, "contacts": 100_000, "meetings": 300_000,
              "commitments": 200_000, "follow-ups": 300_000, "introductions": 5_000, "campaigns": 40,
              "campaign-targets": 5_000, "instruments": 2_000,
              "resources": 20_000},
}



def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)
