"""Run Outreach's benchmark and write bench/results/latest.json and bench/RESULTS.md.

    python -m bench.run                      # the whole benchmark (make bench)
    python -m bench.run --smoke              # tiny data, each page a few times (make bench-smoke, CI)
    python -m bench.run --sizes small --dbs sqlite --requests 50   # a quicker look
    python -m bench.run --sizes large --pages "campaign,feed" --no-jobs --no-throughput --output /tmp/x.json

Data sets are generated with `outreach seed` from a fixed seed and cached under bench/data/
(SQLite) or in databases named outreach_bench_<size> (PostgreSQL, server from
OUTREACH_BENCH_POSTGRES_URL, default the local one). Pages are served by gunicorn with one sync
worker pinned to one core, as in production; the load generator runs on the other core.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timedelta, UTC
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterator

from bench.common import BENCH, DATA, RESULTS, ROLES, ROOT, SIZES, Page, log
from bench.data import ensure_dataset, outreach_env, postgres_server_url, seed_options
from bench.pages import catalog
from bench.report import write_markdown
from bench.serve import Server, fetch, measure, serve, sign_in, wrk


# --- the run -------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    match = re.search(r"MemTotal:\s+(\d+) kB", meminfo)
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else ""
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(int(match.group(1)) / 1024 / 1024, 1) if match else None,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
    }
    try:
        import psycopg

        with psycopg.connect(postgres_server_url()) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - no server is a fact worth reporting, not a failure
        info["postgresql"] = None
    return info


def _url_exists_factory() -> Callable[[str], bool]:
    from werkzeug.exceptions import MethodNotAllowed, NotFound

    sys.path.insert(0, str(ROOT))
    from outreach import create_app

    app = create_app({"DATABASE_URL": "sqlite://", "INSTANCE_PATH": str(DATA / "instance")})
    adapter = app.url_map.bind("localhost")

    def exists(path: str) -> bool:
        try:
            adapter.match(path.split("?", 1)[0], method="GET")
            return True
        except (NotFound, MethodNotAllowed):
            return False
        except Exception:  # redirects (e.g. missing trailing slash) still mean the route exists
            return True

    return exists


def run_combination(db: str, size: str, args: argparse.Namespace) -> dict[str, Any]:
    from outreach.core.db import make_engine

    url, logins = ensure_dataset(db, size)
    engine = make_engine(url)
    pages, missing = catalog(engine, _url_exists_factory())
    engine.dispose()
    if args.pages:
        wanted = [part.strip().lower() for part in args.pages.split(",") if part.strip()]
        pages = [page for page in pages if any(part in page.name.lower() for part in wanted)]
    server = serve("outreach.wsgi:app", url)
    result: dict[str, Any] = {"db": db, "size": size, "pages_not_in_this_version": missing}
    try:
        cookies = {role: sign_in(server.port, logins[role]) for role in ROLES}
        result["signed_in_as"] = logins
        cookies[None] = None  # type: ignore[index]
        latencies = []
        for page in pages:
            if args.smoke:
                status, body, headers = fetch(server.port, page.path, cookies[page.role], page.headers)
                ok = status == page.expect and (page.kind != "page" or body.rstrip().endswith(b"</html>"))
                log(f"{'ok ' if ok else 'FAIL'} {status} {page.name} {page.path}")
                if not ok:
                    raise SystemExit(f"bench-smoke: {page.name} ({page.path}) answered {status}")
                continue
            latency = measure(server.port, page, cookies[page.role], requests=args.requests, warmup=args.warmup)
            log(f"{db}/{size} {page.name:<38} p50 {latency.p50_ms:7.1f} ms  p95 {latency.p95_ms:7.1f} ms"
                f"  p99 {latency.p99_ms:7.1f} ms  errors {latency.errors}")
            latencies.append(asdict(latency))
        result["latency"] = latencies
        result["web_worker_rss_mb"] = server.worker_rss_mb()
        result["failed_requests"] = sum(page["errors"] for page in latencies)
        if not args.smoke and args.throughput and size == args.throughput_size:
            result["throughput"] = throughput(server, url, pages, cookies, logins, args)
            result["failed_requests"] += sum(p["errors"] for p in result["throughput"]["pages"])
    finally:
        server.stop()
        result["worker_restarts"] = server.worker_restarts()
        result["worker_deaths"] = server.worker_deaths()
        log(f"{db}/{size}: {result['worker_restarts']} worker restarts, "
            f"{result.get('failed_requests', 0)} failed requests")
    if args.smoke and (result["worker_restarts"] or result["worker_deaths"]):
        raise SystemExit(f"bench-smoke: the web worker died on {db}: {result['worker_deaths']}")
    if args.jobs:
        result["jobs"] = jobs(db, url, args.max_ticks, tick_at(db, size))
        log(f"{db}/{size} jobs: {result['jobs']}")
    return result


#: The benchmark's worker ticks run this long after the data set's moment: what an hour brings is due.
TICK_AFTER_SEED = timedelta(hours=1)


def tick_at(db: str, size: str) -> str | None:
    """The instant the measured ticks run at: fixed for a data set, so that every run finds the same work."""
    marker = DATA / f"{db}-{size}.json"
    seeded_at = json.loads(marker.read_text()).get("seeded_at") if marker.exists() else None
    return (datetime.fromisoformat(seeded_at) + TICK_AFTER_SEED).isoformat() if seeded_at else None


def jobs(db: str, url: str, max_ticks: int, now: str | None) -> dict[str, Any]:
    """Worker and bulk-job figures, measured on a throw-away copy of the data set (ticks write to it)."""
    with throwaway_copy(db, url) as copy_url:
        args = [sys.executable, "-m", "bench.jobs", copy_url, str(DATA / "instance"), str(max_ticks)]
        out = subprocess.run(args + ([now] if now else []), cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"bench.jobs failed:\n{out.stderr[-3000:]}")
    return json.loads(next(line for line in out.stdout.splitlines() if line.startswith("JSON "))[5:])


def anatomy(url: str, email: str, path: str) -> dict[str, Any]:
    """Where one request's time goes, in-process (bench/anatomy.py), on one core like the server."""
    cmd = [sys.executable, "-m", "bench.anatomy", url, str(DATA / "instance"), email, path]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"bench.anatomy failed:\n{out.stderr[-3000:]}")
    return json.loads(next(line for line in out.stdout.splitlines() if line.startswith("JSON "))[5:])


@contextmanager
def throwaway_copy(db: str, url: str) -> Iterator[str]:
    """A copy of the cached data set that is dropped afterwards: SQLite copies the file (through the backup API,
    so a pending WAL comes along), PostgreSQL makes a database from the cached one as its template."""
    if db == "sqlite":
        source = Path(url.split("sqlite:///", 1)[1])
        target = source.with_name(f"{source.stem}-jobs.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        try:
            yield f"sqlite:///{target}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    template = url.rsplit("/", 1)[1]
    name = f"{template}_jobs"
    admin = postgres_server_url().replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        for attempt in range(30):  # the template must have no other session; the web server just let go of it
            try:
                conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
                break
            except psycopg.errors.ObjectInUse:
                if attempt == 29:
                    raise
                time.sleep(1)
    try:
        yield f"{url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")


def throughput(server: Server, url: str, pages: list[Page], cookies: dict[Any, Any], logins: dict[str, str],
               args: argparse.Namespace) -> dict[str, Any]:
    chosen = [p for p in pages if p.name in THROUGHPUT_PAGES]
    out: dict[str, Any] = {"pages": []}
    for page in chosen:
        figures = wrk(server.port, page.path, cookies[page.role], seconds=args.duration, connections=args.concurrency)
        figures["name"] = page.name
        log(
            f"throughput {page.name}: {figures['requests_per_s']} req/s, p95 {figures['p95_ms']} ms, "
            f"errors {figures['errors']}"
        )
        out["pages"].append(figures)
    baseline_page = next((p for p in chosen if p.name == "contact list"), None)
    if baseline_page is not None:
        base = serve("bench.baseline:app", url)
        try:
            figures = wrk(base.port, "/", None, seconds=args.duration, connections=args.concurrency)
        finally:
            base.stop()
        outreach_rps = next(p["requests_per_s"] for p in out["pages"] if p["name"] == "contact list")
        out["baseline"] = figures
        out["ratio_to_baseline"] = round(outreach_rps / figures["requests_per_s"], 3)
        log(f"baseline: {figures['requests_per_s']} req/s; Outreach / baseline = {out['ratio_to_baseline']}")
        out["anatomy"] = anatomy(url, logins[baseline_page.role], baseline_page.path)
        log(f"anatomy of {baseline_page.path}: {out['anatomy']}")
    return out


THROUGHPUT_PAGES = {"contact list", "meeting detail (most attendees)", "calendar feed"}


def scaling(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for db in {r["db"] for r in results}:
        small = next((r for r in results if r["db"] == db and r["size"] == "small"), None)
        large = next((r for r in results if r["db"] == db and r["size"] == "large"), None)
        if not small or not large:
            continue
        at_small = {p["name"]: p for p in small.get("latency", [])}
        for page in large.get("latency", []):
            before = at_small.get(page["name"])
            if before and before["p95_ms"]:
                # The page's own growth (more rows shown for a busier record) beside the table's.
                rows.append({"db": db, "name": page["name"], "ratio": round(page["p95_ms"] / before["p95_ms"], 2),
                             "bytes_ratio": round(page["bytes"] / before["bytes"], 2) if before["bytes"] else None})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny data, every page once, check answers")
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--dbs", default="sqlite,postgres")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--throughput", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--throughput-size", default="large")
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-ticks", type=int, default=40, help="worker ticks at most while draining")
    parser.add_argument("--jobs", action=argparse.BooleanOptionalAction, default=True,
                        help="measure worker ticks, CSV import and export")
    parser.add_argument("--pages", default="",
                        help="only the pages whose name contains one of these comma-separated words (a re-measure)")
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes = "tiny"
    DATA.mkdir(parents=True, exist_ok=True)
    results = []
    for db in args.dbs.split(","):
        for size in args.sizes.split(","):
            results.append(run_combination(db, size, args))
    if args.smoke:
        log(f"bench-smoke: every page answered on {args.dbs}")
        return 0
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {k: v for k, v in vars(args).items() if k != "output"},
        "sizes": SIZES,
        "results": results,
        "scaling": scaling(results),
        "generated": sorted(seed_options(outreach_env("sqlite://", DATA / "instance"))
                            & set(next(iter(SIZES.values())))),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    write_markdown(report, BENCH / "RESULTS.md")
    log(f"wrote {args.output} and bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
