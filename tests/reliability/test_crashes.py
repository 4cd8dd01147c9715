"""Crashes and contention through real servers.

- The web server is killed with SIGKILL (arbiter and workers at once) again and again while clients log
  meetings: every write that was acknowledged is in the database, and nothing is half-written (every
  meeting has its first revision); on SQLite the file passes `PRAGMA integrity_check`.
- SQLite under contention: many server processes write at once; no "database is locked" reaches a
  user, and every write lands.
"""
from __future__ import annotations

import http.client
import random
import signal
import sqlite3
import threading
import time
from collections import Counter
from typing import Any

from sqlalchemy import func, select

from tests.reliability.conftest import dialect_of
from tests.reliability.harness import (Client, app_env, create_users, dispose, meeting_form, prepared_app, processes,
                                       report, sized, start_server)

ACKNOWLEDGED = (302, 303)


def _stored_titles(app: Any, prefix: str) -> tuple[Counter[str], int]:
    """How often each title is stored, and how many such meetings lack their first revision."""
    from outreach.core.db import db
    from outreach.meetings.models import Meeting, MeetingRevision

    with app.app_context():
        titles = Counter(db.session.scalars(select(Meeting.title).where(Meeting.title.like(prefix + "%"))))
        incomplete = db.session.scalar(select(func.count()).select_from(Meeting).where(
            Meeting.title.like(prefix + "%"),
            ~select(MeetingRevision.id).where(MeetingRevision.meeting_id == Meeting.id).exists()))
        db.session.rollback()
    return titles, incomplete or 0


def test_killing_the_web_server_loses_no_acknowledged_write(scratch_url, instance, tmp_path):
    app = prepared_app(scratch_url, instance)
    (user,) = create_users(app, ["coordinator"])
    env = app_env(scratch_url, instance)
    rng = random.Random(1325)
    cycles, clients = sized(2, 30), 4
    acknowledged: list[str] = []
    refused: Counter[str] = Counter()
    stop = threading.Event()
    port = {"now": 0}
    try:
        with processes() as started:
            started.append(server := start_server(env, tmp_path / "web.log", workers=2))
            port["now"] = server.port
            session = Client(server.port)
            session.login(user.email)
            session.get("/meetings/new")

            def write(number: int) -> None:
                client = Client(port["now"], cookies=dict(session.cookies), csrf=session.csrf, timeout=30)
                n = 0
                while not stop.is_set():
                    client.port = port["now"]
                    title = f"Crash {number}-{n}"
                    n += 1
                    try:
                        response = client.post("/meetings/new", meeting_form(title))
                    except (OSError, http.client.HTTPException) as exc:  # the server died under us: not acknowledged
                        refused[type(exc).__name__] += 1
                        time.sleep(0.2)
                        continue
                    if response.status in ACKNOWLEDGED:
                        acknowledged.append(title)
                    else:
                        refused[str(response.status)] += 1

            threads = [threading.Thread(target=write, args=(i,), daemon=True) for i in range(clients)]
            for thread in threads:
                thread.start()
            for _ in range(cycles):
                time.sleep(rng.uniform(1.0, 2.5))
                server.kill(signal.SIGKILL)
                started.append(server := start_server(env, tmp_path / "web.log", workers=2))
                port["now"] = server.port
            time.sleep(2)
            stop.set()
            for thread in threads:
                thread.join(timeout=90)
        titles, incomplete = _stored_titles(app, "Crash ")
    finally:
        dispose(app)
    lost = [t for t in acknowledged if titles[t] != 1]
    figures = {"cycles": cycles, "clients": clients, "acknowledged": len(acknowledged), "lost": len(lost),
               "stored": sum(titles.values()), "stored_but_unacknowledged": sum(titles.values()) - len(acknowledged),
               "half_written": incomplete, "unacknowledged_attempts": dict(refused)}
    if dialect_of(scratch_url) == "sqlite":
        check = sqlite3.connect(scratch_url.removeprefix("sqlite:///"))
        figures["integrity_check"] = check.execute("PRAGMA integrity_check").fetchone()[0]
        check.close()
    report(f"sigkill_web_{dialect_of(scratch_url)}", figures)
    assert len(acknowledged) >= cycles * 5, figures
    assert not lost and incomplete == 0, figures
    assert max(titles.values()) == 1, figures
    assert figures.get("integrity_check", "ok") == "ok", figures
    assert all(not key.isdigit() or not key.startswith("5") for key in refused), figures


def test_sqlite_many_writing_processes_never_show_database_is_locked(instance, tmp_path):
    url = f"sqlite:///{tmp_path / 'contention.db'}"
    app = prepared_app(url, instance)
    processes_count, per_client = sized(4, 8), sized(25, 200)
    users = create_users(app, ["coordinator"] * processes_count)
    env = app_env(url, instance)
    statuses: Counter[int] = Counter()
    locked = []
    try:
        with processes() as started:
            started.append(server := start_server(env, tmp_path / "web.log", workers=processes_count))
            barrier = threading.Barrier(processes_count)

            def write(user: Any) -> None:
                client = Client(server.port, timeout=120)
                client.login(user.email)
                client.get("/meetings/new")
                barrier.wait(timeout=120)
                for n in range(per_client):
                    response = client.post("/meetings/new", meeting_form(f"Busy {user.id}-{n}"))
                    statuses[response.status] += 1
                    if "locked" in response.text.lower():
                        locked.append(response.status)

            threads = [threading.Thread(target=write, args=(u,), daemon=True) for u in users]
            began = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=600)
            elapsed = time.monotonic() - began
            log = server.log_text()
        titles, incomplete = _stored_titles(app, "Busy ")
    finally:
        dispose(app)
    figures = {"server_processes": processes_count, "writes_each": per_client,
               "writes": processes_count * per_client, "statuses": dict(statuses), "stored": sum(titles.values()),
               "locked_responses": len(locked), "locked_in_log": log.count("database is locked"),
               "writes_per_second": round(processes_count * per_client / elapsed, 1)}
    report("sqlite_contention", figures)
    assert statuses == {302: processes_count * per_client}, figures
    assert not locked and "database is locked" not in log, figures
    assert sum(titles.values()) == processes_count * per_client and incomplete == 0, figures
