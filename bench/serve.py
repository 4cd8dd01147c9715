"""Serving a data set with gunicorn pinned to one core, and the clients that measure it: sign-in, timed
requests, percentiles, wrk."""
from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import statistics
import subprocess
import time
from contextlib import suppress
from dataclasses import dataclass
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from bench.common import PASSWORD, Page

from bench.common import BENCH, BIN, DATA, ROOT
from bench.data import outreach_env


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
    process = subprocess.Popen(cmd, env=outreach_env(url, DATA / "instance"), cwd=ROOT)
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
