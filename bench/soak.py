"""Soak: serve a long, mixed sequence of pages in one web process; fail on a crash or on memory that keeps growing.

    python -m bench.soak                                   # long form: large SQLite data, 20,000 requests
    python -m bench.soak --size tiny --requests 1500       # the bounded form the test suite runs
    python -m bench.soak --python .venv-3.13/bin/python    # the same, under another interpreter

Every page of the benchmark is served, signed in as the role it belongs to, in rounds that keep each
list page next to the detail pages it leads to (the contact list, then a contact: the sequence that
crashed CPython 3.11's web workers) and otherwise shuffle the order, so that no single pattern is
all that is tested. The pages are served in a child process: a segmentation fault or an abort ends
the child, and the parent reports its signal instead of dying with it.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

#: The resident set may grow while caches fill; over the second half of a run it must stay flat.
MAX_LATE_GROWTH_MB = 12.0


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


def sequence(pages: list[Any], requests: int, seed: int) -> list[Any]:
    """*requests* pages: a long run of a list page then of a detail page, then shuffled rounds of every page.

    First the contact list 210 times, then a contact 420 times (the sequence that crashed CPython 3.11's
    web workers; shorter when fewer requests are asked for); then rounds of every page in random order,
    each list followed by a few detail pages.
    """
    rng = random.Random(seed)
    lists = [p for p in pages if "list" in p.name or p.kind == "search"]
    details = [p for p in pages if p not in lists and ("detail" in p.name or re.search(r"/\d+", p.path))]
    order: list[Any] = []
    # A list and the detail pages of the same kind of record ("contact list", "contact detail (busiest)").
    pairs = [(lst, det) for lst in lists for det in details if det.name.split()[0] == lst.name.split()[0]]
    if pairs:
        lst, det = pairs[0]
        run = min(210, requests // 7)
        order += [lst] * run + [det] * (2 * run)
    while len(order) < requests:
        block = list(pages)
        rng.shuffle(block)
        for page in lists:
            block += [page] + [rng.choice(details) for _ in range(3)] if details else [page]
        order += block
    return order[:requests]


def serve_sequence(url: str, cookies: dict[str, str], requests: int, seed: int, *, crash_at: int | None = None,
                   leak_kb: int = 0) -> dict[str, Any]:
    """Run in the child: serve the pages through the app in this process and report what happened."""
    import os

    os.environ["OUTREACH_DATABASE_URL"] = url
    os.environ.setdefault("OUTREACH_ENV", "development")
    os.environ["OUTREACH_CALENDAR_FEED_LIMIT"] = "0"  # the soak polls one feed far past a client's rate limit
    os.environ.setdefault("OUTREACH_HUB_RATE_LIMIT", "0")  # the practice hub's limit per address would refuse the run
    from sqlalchemy import create_engine

    from bench.pages import catalog
    from outreach import create_app, settle

    app = create_app()
    settle(app)
    engine = create_engine(url)
    def exists(path: str) -> bool:
        adapter = app.url_map.bind("localhost")
        try:
            adapter.match(path.split("?", 1)[0], method="GET")
            return True
        except Exception:  # noqa: BLE001 - any routing miss means "not in this version"
            return False

    pages, _missing = catalog(engine, exists)
    engine.dispose()
    clients: dict[str | None, Any] = {None: app.test_client()}
    for role, cookie in cookies.items():
        clients[role] = app.test_client()
        clients[role].set_cookie("outreach_session", cookie, domain="localhost")
    order = sequence(pages, requests, seed)
    failures: list[str] = []
    samples: list[tuple[int, float]] = []
    started = time.perf_counter()
    hoard: list[bytes] = []  # --leak-kb: proves the growth check can fail
    for i, page in enumerate(order):
        if i == crash_at:  # --crash-at: proves the crash check can fail
            import faulthandler

            faulthandler._sigsegv()
        if leak_kb:
            hoard.append(b"x" * (leak_kb * 1024))
        response = clients[page.role].get(page.path, headers=page.headers)
        if response.status_code != page.expect:
            failures.append(f"{page.name} {page.path} answered {response.status_code}")
        response.close()
        if i % 50 == 0:
            samples.append((i, rss_mb()))
    samples.append((len(order), rss_mb()))
    half = [mb for i, mb in samples if i >= len(order) // 2]
    return {"requests": len(order), "pages": len(pages), "failed_requests": len(failures),
            "failures": failures[:20], "seconds": round(time.perf_counter() - started, 1),
            "rss_mb_start": round(samples[0][1], 1), "rss_mb_half": round(half[0], 1),
            "rss_mb_end": round(samples[-1][1], 1), "late_growth_mb": round(half[-1] - half[0], 1),
            "python": sys.version.split()[0]}


def sign_in(url: str, logins: dict[str, str]) -> dict[str, str]:
    """Sign in as each role through the real form, here, and return the session cookies.

    The serving process receives only the cookies, as a web worker does: signing in inside it (argon2,
    the login form) changes what its heap looks like, and hid the crash this soak exists to catch.
    """
    import os

    from bench.common import PASSWORD

    os.environ["OUTREACH_DATABASE_URL"] = url
    os.environ.setdefault("OUTREACH_ENV", "development")
    from outreach import create_app

    app = create_app()
    cookies = {}
    for role, email in logins.items():
        client = app.test_client()
        body = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
        answer = client.post("/login", data={"email": email, "password": PASSWORD,
                                             "csrf_token": token.group(1) if token else ""})
        if answer.status_code not in (302, 303):
            raise SystemExit(f"soak: signing in as {role} answered {answer.status_code}")
        cookies[role] = client.get_cookie("outreach_session").value
    return cookies


def soak(
    python: str, *, db: str, size: str, requests: int, seed: int = 1, extra: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Serve the sequence under *python* in a child process; return its report, crash or not."""
    from bench.data import ensure_dataset

    url, logins = ensure_dataset(db, size)
    child = subprocess.run(
        [
            python,
            "-X",
            "faulthandler",
            "-m",
            "bench.soak",
            "--child",
            "--url",
            url,
            "--cookies",
            json.dumps(sign_in(url, logins)),
            "--requests",
            str(requests),
            "--seed",
            str(seed),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    report: dict[str, Any] = {"python": python, "db": db, "size": size, "exit_status": child.returncode}
    if child.returncode < 0:
        report["crashed"] = signal.Signals(-child.returncode).name
    lines = [line for line in child.stdout.splitlines() if line.startswith("{")]
    if lines:
        report.update(json.loads(lines[-1]))
    elif child.returncode == 0:
        report["crashed"] = "no report"
    if child.returncode != 0:
        report["stderr_tail"] = child.stderr[-3000:]
    report["ok"] = (child.returncode == 0 and report.get("failed_requests") == 0
                    and report.get("late_growth_mb", 0) <= MAX_LATE_GROWTH_MB)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", action="append", help="interpreter(s) to soak under (default: this one)")
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--size", default="large")
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--cookies", help=argparse.SUPPRESS)
    parser.add_argument("--crash-at", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--leak-kb", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(serve_sequence(args.url, json.loads(args.cookies), args.requests, args.seed,
                                    crash_at=args.crash_at, leak_kb=args.leak_kb)), flush=True)
        return 0
    reports = [soak(python, db=args.db, size=args.size, requests=args.requests, seed=args.seed)
               for python in (args.python or [sys.executable])]
    for report in reports:
        print(json.dumps(report, indent=2))
    return 0 if all(r["ok"] for r in reports) else 1


if __name__ == "__main__":
    sys.exit(main())
