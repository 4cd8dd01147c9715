"""Real processes for the reliability tests: gunicorn servers, `outreach worker`s, an HTTP client with
cookies and CSRF, scratch databases.

Everything listens on 127.0.0.1 with a port the kernel picks; every process is started in its own
process group and killed (group and all) when its context ends, whatever the test did.
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Iterator
from urllib.parse import urlencode

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from outreach.core.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
SECRET = "reliability-secret-" + "r" * 40
ENCRYPTION_KEYS = "1" * 43 + "="
#: Set OUTREACH_SOAK=1 (`make soak-reliability`) for the long forms; CI runs the bounded ones.
SOAK = os.environ.get("OUTREACH_SOAK") == "1"
POSTGRES_URL = os.environ.get("OUTREACH_TEST_POSTGRES_URL")


def sized(ci: Any, soak: Any) -> Any:
    """The bounded figure in CI, the long one under OUTREACH_SOAK=1."""
    return soak if SOAK else ci


def app_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    """The environment of a server or worker process: the same secret everywhere (shared sessions)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
    env.update({
        "OUTREACH_ENV": "development",
        "OUTREACH_DATABASE_URL": database_url,
        "OUTREACH_INSTANCE_PATH": str(instance),
        "OUTREACH_SECRET_KEY": SECRET,
        "OUTREACH_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
        "OUTREACH_ARGON2_PROFILE": "fast",
        "OUTREACH_BASE_URL": "http://127.0.0.1",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


# --- processes -------------------------------------------------------------------------------

def _kill_group(proc: subprocess.Popen[Any], sig: int = signal.SIGKILL) -> None:
    if proc.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
    with suppress(subprocess.TimeoutExpired):  # a process that ignores SIGKILL
        proc.wait(timeout=30)


@dataclass
class Process:
    proc: subprocess.Popen[Any]
    log: Path
    port: int | None = None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the whole process group (gunicorn's arbiter and its workers alike)."""
        _kill_group(self.proc, sig)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def _spawn(args: list[str], env: dict[str, str], log: Path) -> Process:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    return Process(proc, log)


def start_server(env: dict[str, str], log: Path, *, workers: int = 1, timeout: float = 90) -> Process:
    """gunicorn on 127.0.0.1 with a port the kernel picks; returns once it answers /healthz."""
    offset = log.stat().st_size if log.exists() else 0
    server = _spawn([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", "127.0.0.1:0",
                     "--timeout", "120", "--graceful-timeout", "5", "outreach.wsgi:app"], env, log)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log.read_text(errors="replace")[offset:])
            if found:
                server.port = int(found.group(1))
                break
            if not server.alive:
                raise RuntimeError(f"gunicorn exited: {server.log_text()[-3000:]}")
            time.sleep(0.1)
        while server.port and time.monotonic() < deadline:
            try:
                if Client(server.port, timeout=30).get("/healthz").status in (200, 503):
                    return server
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {timeout} s: {server.log_text()[-3000:]}")
    except BaseException:
        server.kill()
        raise


def start_worker(env: dict[str, str], log: Path, *, tick_seconds: int = 1) -> Process:
    command = Path(sys.executable).with_name("outreach")
    return _spawn([str(command), "worker", "--tick-seconds", str(tick_seconds)], env, log)


@contextmanager
def processes() -> Iterator[list[Process]]:
    """A list to append started processes to; all are killed when the block ends."""
    started: list[Process] = []
    try:
        yield started
    finally:
        for process in started:
            process.kill()


# --- HTTP ------------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: dict[str, str]
    raw_headers: list[tuple[str, str]]
    text: str


@dataclass
class Client:
    """A browser in miniature: one port, cookies, the CSRF token of the last form seen."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str | None = None
    timeout: float = 60

    def request(self, method: str, path: str, data: dict[str, Any] | list[tuple[str, Any]] | None = None,
                *, with_csrf: bool = True) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            headers = {"Host": f"127.0.0.1:{self.port}"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if data is not None:
                items = list(data.items()) if isinstance(data, dict) else list(data)
                if with_csrf and self.csrf:
                    items.append(("csrf_token", self.csrf))
                body = urlencode(items, doseq=True)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            content = raw.read().decode("utf-8", errors="replace")
            raw_headers = raw.getheaders()
        finally:
            conn.close()
        for name, value in raw_headers:
            if name.lower() == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val.strip()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', content)
        if token:
            self.csrf = token.group(1)
        return Response(raw.status, {k.lower(): v for k, v in raw_headers}, raw_headers, content)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict[str, Any] | list[tuple[str, Any]], **kw: Any) -> Response:
        return self.request("POST", path, data, **kw)

    def login(self, email: str, password: str = PASSWORD) -> Response:
        self.get("/login")
        response = self.post("/login", {"email": email, "password": password})
        if response.status != 302:
            raise AssertionError(f"sign-in as {email} answered {response.status}")
        return response


def meeting_form(title: str, **kw: Any) -> dict[str, Any]:
    data = {"kind": "meeting", "title": title, "date": "2026-03-09", "start_time": "10:00", "end_time": "11:00",
            "timezone": "Africa/Nairobi", "status": "held", "location": "Nairobi", "online_url": "", "agenda": "",
            "notes": "", "outcome": "", "commitments-0-description": "", "commitments-0-category": "other",
            "follow_ups-0-task": ""}
    data.update(kw)
    return data


# --- databases -------------------------------------------------------------------------------

def _admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


@contextmanager
def scratch_postgres(purpose: str) -> Iterator[str]:
    """A new, empty PostgreSQL database beside the test database (same server and role), dropped after."""
    assert POSTGRES_URL, "needs OUTREACH_TEST_POSTGRES_URL"
    base = make_url(POSTGRES_URL)
    name = f"{base.database}_{purpose}_{uuid.uuid4().hex[:6]}"
    admin = make_engine(_admin_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
        engine.dispose()
        yield url
    finally:
        try:
            _drop(admin, name)
        finally:
            admin.dispose()


def _drop(admin: Any, name: str, attempts: int = 20) -> None:
    """Drop a scratch database. FORCE ends the test's own leftover sessions, but not an autovacuum worker
    (it runs as a superuser, which this role may not signal): that one finishes by itself, so wait for it."""
    for attempt in range(attempts):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except ProgrammingError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


def prepared_app(database_url: str, instance: Path) -> Any:
    """Migrate *database_url* and return an app on it, for creating users and reading results in the test."""
    from outreach import create_app
    from outreach.migrate import upgrade

    upgrade(database_url)
    return create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance), "SECRET_KEY": SECRET,
                       "ENCRYPTION_KEYS": ENCRYPTION_KEYS, "ARGON2_PROFILE": "fast"})


def dispose(app: Any) -> None:
    """Close the test's own connections (a scratch database is dropped after the test)."""
    from outreach.core.db import db

    with app.app_context():
        db.engine.dispose()


def create_users(app: Any, roles: list[str]) -> list[Any]:
    from outreach.core.auth.services import create_user
    from outreach.core.db import db
    from outreach.core.time import now_utc

    users = []
    with app.app_context():
        for role in roles:
            users.append(create_user(email=f"{role}-{secrets.token_hex(4)}@example.org", name=f"{role.title()} Test",
                                     role=role, password=PASSWORD, actor=None, now=now_utc(), timezone="UTC"))
        db.session.commit()
    return users


def table_rows(database_url: str) -> dict[str, list[str]]:
    """Every table's rows, each as a canonical string, sorted: what row counts and checksums are taken over."""
    from sqlalchemy import inspect

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            quote = conn.dialect.identifier_preparer.quote
            return {table: sorted(repr(tuple(row)) for row in conn.execute(text(f"SELECT * FROM {quote(table)}")))
                    for table in tables}  # names come from the database's own catalogue  # nosec B608
    finally:
        engine.dispose()


def checksums(rows: dict[str, list[str]]) -> dict[str, tuple[int, str]]:
    """(row count, sha256 of the sorted rows) per table."""
    import hashlib

    return {table: (len(values), hashlib.sha256("\n".join(values).encode()).hexdigest()[:16])
            for table, values in rows.items()}


def report(name: str, figures: dict[str, Any]) -> None:
    """Print a test's figures; with OUTREACH_RELIABILITY_REPORT=DIR also keep them as DIR/NAME.json
    (docs/RELIABILITY.md quotes the latest run's)."""
    import json

    line = json.dumps(figures, sort_keys=True, default=str)
    print(f"\nRELIABILITY {name}: {line}")
    folder = os.environ.get("OUTREACH_RELIABILITY_REPORT")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}.json").write_text(line + "\n")
