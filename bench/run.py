"""Run Outreach's benchmark and write bench/results/latest.json and bench/RESULTS.md.

    python -m bench.run                      # the whole benchmark (make bench)
    python -m bench.run --smoke              # tiny data, each page a few times (make bench-smoke, CI)
    python -m bench.run --sizes small --dbs sqlite --requests 50   # a quicker look

Data sets are generated with `outreach seed` from a fixed seed and cached under bench/data/
(SQLite) or in databases named outreach_bench_<size> (PostgreSQL, server from
OUTREACH_BENCH_POSTGRES_URL, default the local one). Pages are served by gunicorn with one sync
worker pinned to one core, as in production; the load generator runs on the other core.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, UTC
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterator
from urllib.parse import urlencode

from bench.common import PASSWORD, Page
from bench.pages import catalog
from bench.report import write_markdown

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


# --- data ----------------------------------------------------------------------------------

def _env(url: str, instance: Path) -> dict[str, str]:
    env = dict(os.environ)
    # The calendar feeds' and the practice hub's rate limits would refuse the benchmark's own requests.
    env.update({"OUTREACH_DATABASE_URL": url, "OUTREACH_INSTANCE_PATH": str(instance), "OUTREACH_ENV": "development",
                "OUTREACH_CALENDAR_FEED_LIMIT": "0", "OUTREACH_HUB_RATE_LIMIT": "0"})
    return env


def _outreach(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    result = subprocess.run([str(BIN / "outreach"), *args], env=env, input=stdin, text=True, capture_output=True)
    if result.returncode != 0:
        raise RuntimeError(f"outreach {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _seed_options(env: dict[str, str]) -> set[str]:
    """The volume options `outreach seed` offers today (features add theirs as they land)."""
    try:
        help_text = _outreach(["seed", "--help"], env)
    except RuntimeError:
        return set()
    return set(re.findall(r"--([a-z][a-z-]+)", help_text))


def postgres_server_url() -> str:
    return os.environ.get("OUTREACH_BENCH_POSTGRES_URL", "postgresql:///postgres")


def _pg_url(size: str) -> str:
    base = postgres_server_url().rsplit("/", 1)[0]
    return f"{base}/outreach_bench_{size}"


#: For each role, the busiest seeded user (the one whose pages hold the most), signed in as for the run.
_BUSIEST = {
    "partner": "SELECT u.id FROM users u JOIN meetings m ON m.organiser_id = u.id WHERE u.role = 'partner' "
               "GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1",
    "coordinator": "SELECT u.id FROM users u JOIN follow_ups f ON f.assignee_id = u.id WHERE u.role = 'coordinator' "
                   "GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1",
    "activist": "SELECT u.id FROM users u JOIN meeting_attendees a ON a.user_id = u.id WHERE u.role = 'activist' "
                "GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1",
}


def adopt_busiest_users(url: str) -> dict[str, str]:
    """Give the busiest seeded user of each role the benchmark password; return role -> e-mail."""
    from argon2 import PasswordHasher
    from sqlalchemy import text

    from outreach.core.db import make_engine

    logins = {role: f"bench-{role}@outreach.example" for role in ROLES}
    engine = make_engine(url)
    hashed = PasswordHasher().hash(PASSWORD)
    with engine.begin() as conn:
        for role, sql in _BUSIEST.items():
            try:
                user_id = conn.execute(text(sql)).scalar()
            except Exception:  # noqa: BLE001 - a version without that table: keep the bench user
                user_id = None
            if user_id is None:
                continue
            conn.execute(text("UPDATE users SET password_hash = :h WHERE id = :id"), {"h": hashed, "id": user_id})
            logins[role] = conn.execute(text("SELECT email FROM users WHERE id = :id"), {"id": user_id}).scalar()
    engine.dispose()
    return logins


def seed_fingerprint() -> str:
    """A hash of the code that generates data sets: a cached one is regenerated when that code changes."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "outreach").rglob("seed*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def ensure_dataset(db: str, size: str) -> tuple[str, dict[str, str]]:
    """Generate (or reuse) the data set; return its database URL and the e-mail to sign in as per role."""
    volumes = SIZES[size]
    instance = DATA / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        path = DATA / f"{size}.db"
        url = f"sqlite:///{path}"
    else:
        url = _pg_url(size)
    marker = DATA / f"{db}-{size}.json"
    env = _env(url, instance)
    options = _seed_options(env) if (BIN / "outreach").exists() else set()
    wanted = {"volumes": volumes, "seed": SEED, "options": sorted(options & set(volumes)),
              "seed_code": seed_fingerprint()}
    if marker.exists():
        cached = json.loads(marker.read_text())
        if {k: cached.get(k) for k in wanted} == wanted:
            _outreach(["db", "upgrade"], env)  # a cached data set follows the schema of this version
            return url, cached["logins"]
    log(f"generating the {size} data set on {db} ({', '.join(f'{k}={v}' for k, v in volumes.items())})")
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        import psycopg

        with psycopg.connect(postgres_server_url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS outreach_bench_{size}")
            conn.execute(f"CREATE DATABASE outreach_bench_{size}")
    started = time.perf_counter()
    _outreach(["db", "upgrade"], env)
    for role in ROLES:
        _outreach(["create-user", "--email", f"bench-{role}@outreach.example", "--role", role, "--name",
                   f"Bench {role.title()}", "--password-stdin"], env, stdin=PASSWORD + "\n")
    # The seed's "now": the data set looks like the day after a normal worker day as of this moment.
    seeded_at = datetime.now(UTC).isoformat(timespec="seconds")
    args = ["seed", "--seed", str(SEED), "--now", seeded_at]
    for option in wanted["options"]:
        args += [f"--{option}", str(volumes[option])]
    if len(args) > 5:
        _outreach(args, env)
    if db == "postgres":
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    else:
        with sqlite3.connect(path) as conn:
            conn.execute("ANALYZE")
    logins = adopt_busiest_users(url)
    marker.write_text(json.dumps({**wanted, "logins": logins, "seeded_at": seeded_at,
                                  "seconds": round(time.perf_counter() - started)}))
    log(f"data set ready in {time.perf_counter() - started:.0f} s")
    return url, logins


# --- serving -------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path | None = None

    def worker_restarts(self) -> int:
        """Workers gunicorn had to boot again (a crashed or killed worker is replaced, silently to clients)."""
        if self.log_path is None or not self.log_path.exists():
            return 0
        return max(0, self.log_path.read_text(errors="replace").count("Booting worker") - 1)

    def worker_deaths(self) -> list[str]:
        """gunicorn's own lines about workers that died: "Worker (pid:…) was sent SIGSEGV!" and the like."""
        if self.log_path is None or not self.log_path.exists():
            return []
        return [line.strip() for line in self.log_path.read_text(errors="replace").splitlines()
                if "was sent" in line or "exited with code" in line or "WORKER TIMEOUT" in line]

    def worker_pid(self) -> int | None:
        try:
            out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
            return int(out[0]) if out else None
        except (OSError, ValueError):
            return None

    def worker_rss_mb(self) -> float | None:
        pid = self.worker_pid()
        if pid is None:
            return None
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(match.group(1)) / 1024 if match else None

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def serve(app: str, url: str, *, core: int = 0) -> Server:
    port = _free_port()
    # At level info gunicorn logs every worker it boots: the log counts restarts after a crash.
    log_path = DATA / f"gunicorn-{port}.log"
    cmd = [str(BIN / "gunicorn"), "--workers", "1", "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
           "--log-level", "info", "--error-logfile", str(log_path), app]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", str(core), *cmd]
    process = subprocess.Popen(cmd, env=_env(url, DATA / "instance"), cwd=ROOT)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return Server(process, port, log_path)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"gunicorn did not start for {app}")


# --- clients -------------------------------------------------------------------------------

def sign_in(port: int, email: str) -> str:
    """Sign in through the real form; return the Cookie header value."""
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    body = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    conn.close()
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    form = urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
    conn.request("POST", "/login", body=form, headers={"Cookie": cookie,
                                                         "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"sign-in as {email} answered {response.status}")
    session = response.getheader("Set-Cookie", "").split(";", 1)[0]
    conn.close()
    return session


def fetch(
    port: int, path: str, cookie: str | None, headers: dict[str, str] | None = None
) -> tuple[int, bytes, dict[str, str]]:
    conn = HTTPConnection("127.0.0.1", port, timeout=60)
    all_headers = dict(headers or {})
    if cookie:
        all_headers["Cookie"] = cookie
    conn.request("GET", path, headers=all_headers)
    response = conn.getresponse()
    body = response.read()
    result = (response.status, body, {k.lower(): v for k, v in response.getheaders()})
    conn.close()
    return result


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * pct / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


@dataclass
class Latency:
    name: str
    role: str | None
    path: str
    kind: str
    requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    bytes: int
    errors: int


def measure(port: int, page: Page, cookie: str | None, *, requests: int, warmup: int) -> Latency:
    errors = 0
    for _ in range(warmup):
        with suppress(OSError):  # a dropped connection (a worker died): counted below, where it matters
            fetch(port, page.path, cookie, page.headers)
    times: list[float] = []
    size = 0
    for _ in range(requests):
        started = time.perf_counter()
        try:
            status, body, _headers = fetch(port, page.path, cookie, page.headers)
        except OSError:  # RemoteDisconnected, ConnectionResetError: what a client sees of a crashed worker
            errors += 1
            continue
        times.append((time.perf_counter() - started) * 1000)
        size = len(body)
        if status != page.expect:
            errors += 1
    return Latency(page.name, page.role, page.path, page.kind, requests, round(percentile(times, 50), 2),
                   round(percentile(times, 95), 2), round(percentile(times, 99), 2), round(statistics.fmean(times), 2),
                   size, errors)


def wrk(port: int, path: str, cookie: str | None, *, seconds: int, connections: int) -> dict[str, Any]:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "10s", "-s",
           str(BENCH / "wrk_report.lua")]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "1", *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("JSON "))
    data = json.loads(line[5:])
    duration = data["duration_us"] / 1e6
    return {"path": path, "connections": connections, "seconds": round(duration, 1),
            "requests_per_s": round(data["requests"] / duration, 1),
            "errors": data["socket_errors"] + data["non_2xx"], "p50_ms": data["p50_us"] / 1000,
            "p95_ms": data["p95_us"] / 1000, "p99_ms": data["p99_us"] / 1000}


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
        "generated": sorted(_seed_options(_env("sqlite://", DATA / "instance")) & set(next(iter(SIZES.values())))),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    write_markdown(report, BENCH / "RESULTS.md")
    log(f"wrote {args.output} and bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
