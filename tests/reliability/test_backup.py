"""The backup drill: a backup taken while writes run restores into a fresh database that boots and holds
exactly what it should.

The database holds a synthetic coalition (the benchmark's seed: users, organisations, contacts with posts,
meetings with attendees, commitments, follow-ups, sent messages; the long form adds the demo data).

- Backup A is taken with `outreach backup` while three clients log meetings through a real server. It is
  restored with `outreach restore` into a new database, a server boots on that database and serves and
  accepts writes. A is a snapshot: every table of the restore is contained in the source's final state
  row for row, and every meeting acknowledged before the backup began is in it.
- Backup B is taken once the writes have stopped; its restore equals the source table by table (row
  counts and checksums of every table, the migrations' own tables included).
"""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.reliability.conftest import dialect_of
from tests.reliability.harness import (SOAK, Client, app_env, checksums, create_users, dispose, meeting_form,
                                       prepared_app, processes, report, scratch_postgres, sized, start_server,
                                       table_rows)


def _fill(app) -> None:  # type: ignore[no-untyped-def]
    """Data in the tables: the synthetic seed (seconds) in CI, the demo coalition on top of it in the long form."""
    from outreach.contacts.seed import seed_directory
    from outreach.core.auth.seed import seed_users
    from outreach.core.db import db
    from outreach.core.time import now_utc
    from outreach.demo import seed_demo
    from outreach.meetings.seed import seed_meetings

    now = now_utc()
    with app.app_context():
        if SOAK:
            seed_demo()
        seed_users(users=20, seed=18, now=now, progress=lambda _n: None)
        db.session.commit()
        seed_directory(contacts=300, organisations=40, seed=18, now=now, progress=lambda _n: None)
        db.session.commit()
        seed_meetings(meetings=300, commitments=150, follow_ups=150, seed=18, now=now, progress=lambda _n: None)
        db.session.commit()


def _outreach(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).with_name("outreach")
    return subprocess.run([str(command), *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def test_backup_while_writing_restores_into_a_fresh_database_that_boots(scratch_url, instance, tmp_path):
    from outreach.backup import BackupError, backup, restore

    env = app_env(scratch_url, instance)
    app = prepared_app(scratch_url, instance)
    _fill(app)
    (writer,) = create_users(app, ["coordinator"])
    dispose(app)
    acknowledged: list[tuple[float, str]] = []
    failures: Counter[str] = Counter()
    stop = threading.Event()
    backup_a, backup_b = tmp_path / "during-writes.backup", tmp_path / "after-writes.backup"
    with ExitStack() as stack:
        started = stack.enter_context(processes())
        started.append(server := start_server(env, tmp_path / "source.log", workers=2))

        def write(number: int) -> None:
            client = Client(server.port)
            client.login(writer.email)
            client.get("/meetings/new")
            n = 0
            while not stop.is_set():
                title = f"Drill {number}-{n}"
                response = client.post("/meetings/new", meeting_form(title))
                if response.status in (200, 302, 303):
                    acknowledged.append((time.monotonic(), title))
                else:
                    failures[str(response.status)] += 1
                n += 1

        writers = [threading.Thread(target=write, args=(i,), daemon=True) for i in range(3)]
        for thread in writers:
            thread.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < sized(15, 200) and time.monotonic() < deadline:
            time.sleep(0.2)
        began = time.monotonic()
        made = _outreach(env, "backup", str(backup_a))
        ended = time.monotonic()
        assert made.returncode == 0, made.stderr
        time.sleep(sized(1, 10))  # writes go on after the backup
        stop.set()
        for thread in writers:
            thread.join(timeout=120)
        backup(scratch_url, backup_b)  # in-process: the command line is proven on A
        with pytest.raises(BackupError, match="already exists"):  # a backup is never overwritten
            backup(scratch_url, backup_b)

        source = table_rows(scratch_url)
        results = {}
        for label, path in (("A", backup_a), ("B", backup_b)):
            if scratch_url.startswith("sqlite"):
                target = f"sqlite:///{tmp_path / f'restored-{label}.db'}"
            else:
                target = stack.enter_context(scratch_postgres(f"restore_{label.lower()}"))
            if label == "A":
                done = _outreach(app_env(target, instance), "restore", str(path))
                assert done.returncode == 0, done.stderr
            else:
                restore(target, path)
            with pytest.raises(BackupError, match="already"):  # never over existing data
                restore(target, path)
            results[label] = (target, table_rows(target))

        target_a, rows_a = results["A"]
        _, rows_b = results["B"]
        # B, taken at rest, is the source exactly: every table, row for row.
        assert checksums(rows_b) == checksums(source)
        # A is a snapshot of the source in the middle of the writes: contained in it, table by table...
        assert rows_a.keys() == source.keys()
        for table, rows in rows_a.items():
            missing = Counter(rows) - Counter(source[table])
            assert not missing, f"{table}: the backup holds rows the source never had: {list(missing)[:3]}"
        # ...and holding every meeting acknowledged before the backup began.
        meetings_a = "\n".join(rows_a["meetings"])
        before = [title for at, title in acknowledged if at < began]
        assert before and all(f"'{title}'" in meetings_a for title in before)
        during = [title for at, title in acknowledged if began <= at <= ended]
        after = [title for at, title in acknowledged if at > ended]
        assert any(f"'{title}'" in "\n".join(source["meetings"]) for title in after)

        # The restored database boots, serves its data and takes new writes.
        started.append(restored := start_server(app_env(target_a, instance), tmp_path / "restored.log"))
        client = Client(restored.port)
        client.login(writer.email)
        assert client.get("/meetings").status == 200
        assert client.get("/directory/contacts").status == 200
        client.get("/meetings/new")
        assert client.post("/meetings/new", meeting_form("Logged after the restore")).status == 302
        if dialect_of(scratch_url) == "sqlite":
            import sqlite3

            check = sqlite3.connect(target_a.removeprefix("sqlite:///"))
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            check.close()
    assert not failures, failures
    report(f"backup_drill_{dialect_of(scratch_url)}", {
        "tables": len(source), "rows": sum(len(v) for v in source.values()),
        "acknowledged_writes": len(acknowledged), "acknowledged_before_backup": len(before),
        "acknowledged_during_backup": len(during), "acknowledged_after_backup": len(after),
        "meetings_in_backup_A": len(rows_a["meetings"]), "meetings_in_source": len(source["meetings"]),
        "backup_seconds": round(ended - began, 2), "tables_equal_after_writes": len(rows_b),
        "backup_bytes": backup_a.stat().st_size})
