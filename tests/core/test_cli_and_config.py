"""The `outreach` command line, configuration rules and the worker's tick."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from outreach import create_app
from outreach.cli import main
from outreach.config import ConfigError, load_config
from outreach.core.auth.models import LoginAttempt, User
from outreach.core.db import db
from outreach.core.time import now_utc
from outreach.demo import DEMO_PASSWORD, DEMO_USERS
from outreach.core.jobs import registered_jobs
from outreach.worker import register_core_jobs, run_tick


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    """A fresh SQLite database of the command line's own, configured through the environment."""
    monkeypatch.setenv("OUTREACH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("OUTREACH_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("OUTREACH_ARGON2_PROFILE", "fast")
    runner = CliRunner()
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return runner, tmp_path


def _users(tmp_path):
    app = create_app()
    with app.app_context():
        return {u.email: u.role for u in db.session.scalars(select(User))}


def test_create_user_from_stdin(cli_env):
    runner, tmp_path = cli_env
    result = runner.invoke(main, ["create-user", "--email", "Boss@Example.org", "--role", "admin", "--name", "Boss",
                                  "--password-stdin"], input="a strong admin passphrase\n")
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.org" in result.output
    assert _users(tmp_path) == {"boss@example.org": "admin"}


def test_create_user_prompts_for_the_password(cli_env):
    runner, tmp_path = cli_env
    result = runner.invoke(main, ["create-user", "--email", "p@example.org", "--role", "partner"],
                           input="a strong partner passphrase\na strong partner passphrase\n")
    assert result.exit_code == 0, result.output
    assert _users(tmp_path) == {"p@example.org": "partner"}


@pytest.mark.parametrize("args,stdin,message", [
    (["--email", "bad", "--role", "admin"], "a strong admin passphrase\n", "@-sign"),
    (["--email", "a@example.org", "--role", "admin"], "short\n", "at least 12"),
    (["--email", "a@example.org", "--role", "king"], "a strong admin passphrase\n", "Invalid value"),
    (["--email", "a@example.org", "--role", "admin", "--timezone", "Moon/Base"], "a strong admin passphrase\n",
     "IANA"),
])
def test_create_user_rejects_bad_input(cli_env, args, stdin, message):
    runner, tmp_path = cli_env
    result = runner.invoke(main, ["create-user", *args, "--password-stdin"], input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert _users(tmp_path) == {}


def test_create_user_refuses_a_duplicate(cli_env):
    runner, _ = cli_env
    args = ["create-user", "--email", "d@example.org", "--role", "admin", "--password-stdin"]
    assert runner.invoke(main, args, input="a strong admin passphrase\n").exit_code == 0
    again = runner.invoke(main, args, input="a strong admin passphrase\n")
    assert again.exit_code == 1 and "already exists" in again.output


def test_seed_demo_is_idempotent_and_prints_logins(cli_env):
    runner, tmp_path = cli_env
    first = runner.invoke(main, ["seed-demo"])
    assert first.exit_code == 0 and "Demo data loaded." in first.output
    for role in ("admin", "manager", "coordinator", "partner", "activist"):
        assert f"{role}@outreach.example" in first.output
    assert DEMO_PASSWORD in first.output
    second = runner.invoke(main, ["seed-demo"])
    assert "already there" in second.output
    assert len(_users(tmp_path)) == len(DEMO_USERS)


def test_seed_demo_refuses_production(cli_env, monkeypatch):
    """Its accounts, an administrator among them, share the password printed in the README."""
    runner, tmp_path = cli_env
    from cryptography.fernet import Fernet

    monkeypatch.setenv("OUTREACH_ENV", "production")
    monkeypatch.setenv("OUTREACH_SECRET_KEY", "p" * 48)
    monkeypatch.setenv("OUTREACH_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    result = runner.invoke(main, ["seed-demo"])
    assert result.exit_code != 0 and "production" in result.output
    assert DEMO_PASSWORD not in result.output
    monkeypatch.setenv("OUTREACH_ENV", "development")
    assert _users(tmp_path) == {}


def test_demo_login_works_on_the_web(cli_env):
    runner, _ = cli_env
    runner.invoke(main, ["seed-demo"])
    app = create_app()
    c = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', c.get("/login").text).group(1)
    response = c.post("/login", data={"email": "coordinator@outreach.example", "password": DEMO_PASSWORD,
                                      "csrf_token": token})
    assert response.status_code == 302
    assert "Leila" in c.get("/").text


def test_routes_prints_the_whole_policy(cli_env):
    runner, _ = cli_env
    result = runner.invoke(main, ["routes"])
    assert result.exit_code == 0
    assert "MISSING" not in result.output
    app = create_app()
    for rule in app.url_map.iter_rules():
        assert rule.endpoint in result.output


def test_worker_once_ticks_and_prunes_old_attempts(cli_env):
    runner, _ = cli_env
    app = create_app()
    with app.app_context():
        db.session.add(LoginAttempt(email="x@example.org", ip="1.2.3.4", attempted_at=now_utc() - timedelta(days=2)))
        db.session.add(LoginAttempt(email="y@example.org", ip="1.2.3.4", attempted_at=now_utc()))
        db.session.commit()
    result = runner.invoke(main, ["worker", "--once"])
    assert result.exit_code == 0 and "core.prune_login_attempts=1" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 1
    assert run_tick(app, now=now_utc() + timedelta(hours=2))["core.prune_login_attempts"] == 0  # safe to run again
    with app.app_context():  # SQLite's planner statistics were taken, once an hour at most
        assert db.session.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'login_attempts'")) >= 1
    assert all(count >= 0 for count in run_tick(app, now=now_utc() + timedelta(hours=4)).values())  # none fails


def test_each_job_runs_at_most_once_per_its_interval(cli_env):
    app = create_app()
    register_core_jobs()
    start = now_utc() + timedelta(days=30)  # this process ran nothing on this database yet at that time
    every = {job.name: job.every_seconds for job in registered_jobs()}
    first = run_tick(app, now=start)
    assert set(first) == set(every) and every["core.prune_login_attempts"] == 3600
    a_minute_later = run_tick(app, now=start + timedelta(seconds=60))
    assert set(a_minute_later) == {name for name, seconds in every.items() if seconds <= 60}
    assert "core.prune_login_attempts" not in a_minute_later and "core.statistics" not in a_minute_later
    assert set(run_tick(app, now=start + timedelta(hours=1))) == set(every)


def test_production_refuses_a_missing_or_short_secret(tmp_path):
    env = {"OUTREACH_ENV": "production", "OUTREACH_INSTANCE_PATH": str(tmp_path),
           "OUTREACH_ENCRYPTION_KEYS": "k" * 44}
    with pytest.raises(ConfigError, match="OUTREACH_SECRET_KEY"):
        load_config(env)
    with pytest.raises(ConfigError, match="OUTREACH_SECRET_KEY"):
        load_config({**env, "OUTREACH_SECRET_KEY": "too-short"})
    with pytest.raises(ConfigError, match="ENCRYPTION_KEYS"):
        load_config({**env, "OUTREACH_SECRET_KEY": "s" * 40, "OUTREACH_ENCRYPTION_KEYS": ""})
    config = load_config({**env, "OUTREACH_SECRET_KEY": "s" * 40})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert not list(tmp_path.iterdir()), "production writes no key files"


def test_development_generates_the_secret_once(tmp_path):
    env = {"OUTREACH_INSTANCE_PATH": str(tmp_path)}
    first, second = load_config(env), load_config(env)
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 32
    assert first["ENCRYPTION_KEYS"] == second["ENCRYPTION_KEYS"]
    assert (Path(tmp_path) / "secret_key").stat().st_mode & 0o077 == 0
    assert first["DATABASE_URL"] == f"sqlite:///{tmp_path / 'outreach.db'}"


def test_unknown_mode_is_refused(tmp_path):
    with pytest.raises(ConfigError):
        load_config({"OUTREACH_ENV": "staging", "OUTREACH_INSTANCE_PATH": str(tmp_path)})


def test_the_wsgi_entry_point_starts_settled(cli_env):
    """gunicorn's app: every template compiled and start-up's objects frozen out of the collector's walks."""
    import subprocess
    import sys

    script = ("import gc, outreach.wsgi as w; c = w.app.test_client(); "
              "print(gc.get_freeze_count(), len(w.app.jinja_env.cache), c.get('/login').status_code)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    frozen, templates, status = map(int, out.stdout.split())
    assert frozen > 50_000 and templates >= 60 and status == 200
