"""The backup commands' rules, quickly: never overwrite a backup, never restore over data, refuse what is not
a backup, keep the PostgreSQL password off the command line."""
from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner

from outreach import backup as backups
from outreach.cli import main


def _database(path):  # type: ignore[no-untyped-def]
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    conn.executemany("INSERT INTO t (v) VALUES (?)", [("a",), ("b",)])
    conn.commit()
    conn.close()


def test_a_sqlite_backup_round_trip_and_its_refusals(tmp_path):
    source, copy, restored = tmp_path / "source.db", tmp_path / "copy.db", tmp_path / "restored.db"
    _database(source)
    backups.backup(f"sqlite:///{source}", copy)
    assert not (tmp_path / "copy.db.partial").exists()
    with pytest.raises(backups.BackupError, match="already exists"):
        backups.backup(f"sqlite:///{source}", copy)
    backups.restore(f"sqlite:///{restored}", copy)
    assert sqlite3.connect(restored).execute("SELECT v FROM t ORDER BY id").fetchall() == [("a",), ("b",)]
    with pytest.raises(backups.BackupError, match="already holds data"):
        backups.restore(f"sqlite:///{restored}", copy)
    (tmp_path / "junk").write_text("not a database")
    with pytest.raises(backups.BackupError, match="not a SQLite backup"):
        backups.restore(f"sqlite:///{tmp_path / 'new.db'}", tmp_path / "junk")
    with pytest.raises(backups.BackupError, match="in-memory"):
        backups.backup("sqlite://", tmp_path / "memory.db")
    with pytest.raises(backups.BackupError, match="no database"):
        backups.backup(f"sqlite:///{tmp_path / 'missing.db'}", tmp_path / "missing-copy.db")


def test_the_command_line_reports_a_refusal_without_a_traceback(tmp_path, monkeypatch):
    source = tmp_path / "source.db"
    _database(source)
    (tmp_path / "taken").write_text("x")
    monkeypatch.setenv("OUTREACH_DATABASE_URL", f"sqlite:///{source}")
    monkeypatch.setenv("OUTREACH_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(main, ["backup", str(tmp_path / "taken")])
    assert result.exit_code == 1 and "already exists" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["backup", str(tmp_path / "ok.db")])
    assert result.exit_code == 0 and "written to" in result.output


def test_the_postgresql_password_goes_through_the_environment(monkeypatch, tmp_path):
    seen = {}

    def fake_run(args, env):  # type: ignore[no-untyped-def]
        seen["args"], seen["env"] = args, env
        (tmp_path / "db.dump.partial").write_bytes(b"PGDMP")

    monkeypatch.setattr(backups, "_run", fake_run)
    monkeypatch.setattr(backups, "_tool", lambda name: f"/usr/bin/{name}")
    backups.backup("postgresql://outreach:s3cret@db.internal:6543/coalition?sslmode=require", tmp_path / "db.dump")
    assert "s3cret" not in " ".join(seen["args"])
    assert seen["env"]["PGPASSWORD"] == "s3cret" and seen["env"]["PGHOST"] == "db.internal"
    assert seen["env"]["PGPORT"] == "6543" and seen["env"]["PGDATABASE"] == "coalition"
    assert seen["env"]["PGSSLMODE"] == "require"
    assert (tmp_path / "db.dump").read_bytes() == b"PGDMP"
