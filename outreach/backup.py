"""Backups: `outreach backup PATH` and `outreach restore PATH`.

SQLite is copied with its online backup API in one step: under WAL that step reads one consistent
snapshot while the web app and the worker keep writing (readers never block writers). PostgreSQL is
dumped with `pg_dump -Fc` (one consistent snapshot, the server keeps serving) and restored with
`pg_restore` into an empty database. Passwords go to the tools through the environment, never on a
command line that `ps` would show.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # runs pg_dump/pg_restore found on PATH, with an argument list (no shell)  # nosec B404
from pathlib import Path
from collections.abc import Mapping

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from outreach.core.db import make_engine


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why and what to do."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(database)


def _pg_environment(url: str) -> dict[str, str]:
    """libpq's variables for *url*, so that no password appears among a process's arguments."""
    parsed = make_url(url)
    env = dict(os.environ)
    for key, value in (("PGHOST", parsed.host), ("PGPORT", parsed.port), ("PGUSER", parsed.username),
                       ("PGPASSWORD", parsed.password), ("PGDATABASE", parsed.database)):
        if value is not None:
            env[key] = str(value)
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
                             ("connect_timeout", "PGCONNECT_TIMEOUT"), ("host", "PGHOST")):
        value = parsed.query.get(option)
        if isinstance(value, str):
            env[variable] = value
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} was not found on PATH; install the PostgreSQL client tools (version ≥ the server's)."
        )
    return found


def _run(args: list[str], env: Mapping[str, str]) -> None:
    result = subprocess.run(args, env=dict(env), capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def backup(database_url: str, target: Path) -> Path:
    """Write a consistent copy of the database at *database_url* to *target* (which must not exist)."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists; name a new file (backups are never overwritten).")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if database_url.startswith("sqlite"):
            source_path = _sqlite_path(database_url)
            if not source_path.exists():
                raise BackupError(f"There is no database at {source_path}.")
            source = sqlite3.connect(source_path, timeout=30)
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # every page in one step: one snapshot, writers carry on (WAL)
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                copy.close()
                source.close()
        elif database_url.startswith("postgresql"):
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", "--file", str(partial)],
                 _pg_environment(database_url))
        else:
            raise BackupError(f"Backups are not supported for {make_url(database_url).drivername}.")
        partial.rename(target)  # a file at *target* is always a complete backup
    finally:
        partial.unlink(missing_ok=True)
    return target


def _is_empty(database_url: str) -> bool:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return not inspect(conn).get_table_names()
    finally:
        engine.dispose()


def restore(database_url: str, source: Path) -> None:
    """Load the backup *source* into the (empty) database at *database_url*."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    if database_url.startswith("sqlite"):
        target_path = _sqlite_path(database_url)
        with open(source, "rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{source} is not a SQLite backup.")
        if target_path.exists() and target_path.stat().st_size and not _is_empty(database_url):
            raise BackupError(f"{target_path} already holds data; restore into a new database file.")
        check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if verdict != "ok":
            raise BackupError(f"{source} is damaged: {verdict}")
        target_path.parent.mkdir(parents=True, exist_ok=True)
        backup_source, destination = sqlite3.connect(f"file:{source}?mode=ro", uri=True), sqlite3.connect(target_path)
        try:
            backup_source.backup(destination)
            destination.execute("PRAGMA journal_mode = WAL")
        finally:
            destination.close()
            backup_source.close()
        return
    if database_url.startswith("postgresql"):
        if not _is_empty(database_url):
            raise BackupError("The target database already has tables; create an empty database and restore into it.")
        env = _pg_environment(database_url)
        _run([_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
              "--dbname", env.get("PGDATABASE", ""), str(source)], env)
        return
    raise BackupError(f"Restores are not supported for {make_url(database_url).drivername}.")
