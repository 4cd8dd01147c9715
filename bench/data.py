"""The benchmark's data sets: generated with `outreach seed` from a fixed seed, cached, and the busiest
user of each role adopted to sign in as."""
from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import time
from datetime import datetime, UTC
from pathlib import Path
from bench.common import PASSWORD

from bench.common import BIN, DATA, ROLES, ROOT, SEED, SIZES, log


# --- data ----------------------------------------------------------------------------------

def outreach_env(url: str, instance: Path) -> dict[str, str]:
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


def seed_options(env: dict[str, str]) -> set[str]:
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
    env = outreach_env(url, instance)
    options = seed_options(env) if (BIN / "outreach").exists() else set()
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
