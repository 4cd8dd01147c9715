"""Database outage while the app runs: pages answer 503 with a plain page (no traceback, no driver
names); when the database is back, the same server process recovers without a restart.

PostgreSQL: a private, throw-away server (initdb into a temporary folder, an ephemeral port on
127.0.0.1) that the test stops (immediate mode, as a crash would) and starts again; the shared server is
never touched. SQLite is a file the server process keeps open: a running process cannot lose it the
way it loses a network server. An app that cannot open its file answers the same plain 503
(tests/core/test_security.py::test_database_outage_is_a_plain_503).
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator

import pytest

from tests.conftest import REQUIRE_ALL
from tests.reliability.harness import (Client, app_env, create_users, dispose, meeting_form, prepared_app, processes,
                                       report, start_server)

PG_BIN = Path("/usr/lib/postgresql/15/bin")
LEAKS = ("Traceback", "psycopg", "sqlite3", "OperationalError", "SELECT", "postgresql://", "File \"")


class PrivatePostgres:
    """A throw-away PostgreSQL server in a temporary folder, run as a non-root user when we are root."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.data = folder, folder / "data"
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.user = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False, cwd="/")

    def init(self) -> None:
        if self.user:
            record = pwd.getpwnam(self.user)
            os.chmod(self.folder, 0o700)
            os.chown(self.folder, record.pw_uid, record.pw_gid)
        done = self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                         "--no-sync")
        assert done.returncode == 0, done.stderr

    def start(self) -> None:
        done = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-t", "60",
                         "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off",
                         "start")
        assert done.returncode == 0, done.stderr + (self.folder / "server.log").read_text(errors="replace")

    def stop(self, mode: str = "immediate") -> None:
        done = self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        assert done.returncode == 0, done.stderr

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    if not (PG_BIN / "initdb").exists() or (os.geteuid() == 0 and not shutil.which("runuser")):
        if REQUIRE_ALL:
            pytest.fail(f"needs PostgreSQL 15's server programs in {PG_BIN}")
        pytest.skip(f"needs PostgreSQL 15's server programs in {PG_BIN}")
    # Not under pytest's temporary folder: any other pytest run on the machine makes that 0700 again,
    # shutting the server's user out of its own files.
    server = PrivatePostgres(Path(tempfile.mkdtemp(prefix="outreach-pg-")))
    try:
        server.init()
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(server.folder, ignore_errors=True)


def _assert_plain_503(response: object) -> None:
    assert response.status == 503, (response.status, response.text[:300])  # type: ignore[attr-defined]
    assert "briefly unavailable" in response.text  # type: ignore[attr-defined]
    assert response.headers.get("retry-after") == "30"  # type: ignore[attr-defined]
    for leak in LEAKS:
        assert leak not in response.text, leak  # type: ignore[attr-defined]


def _outage_and_recovery(server_process, client: Client, go_down, come_back) -> dict[str, object]:  # type: ignore[no-untyped-def]
    assert client.get("/").status == 200
    pid = server_process.proc.pid
    go_down()
    down_at = time.monotonic()
    during = []
    for path in ("/", "/meetings", "/directory/contacts", "/healthz"):
        response = client.get(path)
        _assert_plain_503(response)
        during.append(response.status)
    response = client.post("/meetings/new", meeting_form("During the outage"))
    _assert_plain_503(response)
    time.sleep(3)  # a real outage lasts a while; the pool's connections have all failed by now
    come_back()
    back_at = time.monotonic()
    recovered = None
    while time.monotonic() - back_at < 60:
        if client.get("/healthz").status == 200:
            recovered = time.monotonic() - back_at
            break
        time.sleep(0.25)
    assert recovered is not None, "the app did not recover"
    assert client.get("/").status == 200
    client.get("/meetings/new")
    assert client.post("/meetings/new", meeting_form("After the outage")).status == 302
    assert server_process.alive and server_process.proc.pid == pid  # the same server, never restarted
    return {"requests_during_outage": len(during) + 1, "all_503_plain": True,
            "outage_seconds": round(back_at - down_at, 1), "recovered_seconds_after_return": round(recovered, 2),
            "restarted": False}


def test_postgresql_outage_is_a_plain_503_and_recovers_without_a_restart(tmp_path, instance):
    with private_postgres() as pg:
        admin = subprocess.run([str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres",
                                "-q", "-c", "CREATE DATABASE outreach"], capture_output=True, text=True, timeout=60,
                               check=False)
        assert admin.returncode == 0, admin.stderr
        url = pg.url("outreach")
        app = prepared_app(url, instance)
        (user,) = create_users(app, ["coordinator"])
        dispose(app)
        with processes() as started:
            started.append(web := start_server(app_env(url, instance), tmp_path / "web.log"))
            client = Client(web.port, timeout=90)
            client.login(user.email)
            figures = _outage_and_recovery(web, client, lambda: pg.stop("immediate"), pg.start)
            log = web.log_text()
    assert "Traceback" not in log, log[-3000:]
    report("outage_postgresql", figures)
