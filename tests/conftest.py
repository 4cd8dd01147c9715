"""Test fixtures: one app per database per session, each test inside a rolled-back transaction.

The whole suite runs twice: on SQLite, and on PostgreSQL when OUTREACH_TEST_POSTGRES_URL
points at a database the suite may wipe (`bash .ci/run` sets it; without it those runs skip).
"""
from __future__ import annotations

import itertools
import os
import re
from contextlib import contextmanager
from typing import Any
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import event, text

from outreach import create_app
from outreach.core.db import db, make_engine
from outreach.migrate import upgrade

POSTGRES_URL = os.environ.get("OUTREACH_TEST_POSTGRES_URL")
#: Set by .ci/run: a missing database server or browser is then a failure, not a skip.
REQUIRE_ALL = os.environ.get("OUTREACH_REQUIRE_ALL_BACKENDS") == "1"
PASSWORD = "correct horse battery staple"
TEST_SECRET = "test-secret-key-" + "x" * 40

_counter = itertools.count(1)


def unique(prefix: str = "x") -> str:
    return f"{prefix}{next(_counter)}"


def reset_postgres_schema(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'outreach-test.db'}"
    if not POSTGRES_URL:
        if REQUIRE_ALL:
            pytest.fail("OUTREACH_TEST_POSTGRES_URL is not set but OUTREACH_REQUIRE_ALL_BACKENDS=1")
        pytest.skip("PostgreSQL run skipped: set OUTREACH_TEST_POSTGRES_URL to a scratch database (bash .ci/run does)")
    reset_postgres_schema(POSTGRES_URL)
    return POSTGRES_URL


def app_config(database_url: str, instance: Any, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": TEST_SECRET,
        "ENCRYPTION_KEYS": "0" * 43 + "=",
        "ARGON2_PROFILE": "fast",
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://localhost",
        # Per-address limits count every request of the whole session from 127.0.0.1: the tests of the limits
        # set their own.
        "HUB_RATE_LIMIT": 0,
        **extra,
    }


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    application = create_app(app_config(database_url, tmp_path_factory.mktemp("instance")))
    upgrade(database_url)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def dialect(app: Any) -> str:
    with app.app_context():
        return db.dialect


@pytest.fixture
def connection(app: Any) -> Iterator[Any]:
    """Bind every session to one connection whose outer transaction is rolled back after the test."""
    with app.app_context():
        engine = db.engine
    conn = engine.connect()
    outer = conn.begin()
    try:
        with db.bound_to(app, conn):
            yield conn
    finally:
        if outer.is_active:
            outer.rollback()
        conn.close()


@pytest.fixture
def ctx(app: Any, connection: Any) -> Iterator[Any]:
    """An application context for calling services directly (don't mix with the web client)."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture
def csrf_on(app: Any) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def make_user(app: Any, connection: Any) -> Callable[..., Any]:
    """Create an active user; returns the (detached) user."""
    from outreach.core.auth.services import create_user
    from outreach.core.time import now_utc

    def factory(role: str = "coordinator", **kw: Any) -> Any:
        with app.app_context():
            user = create_user(
                email=kw.pop("email", None) or f"{unique(role)}@example.org",
                name=kw.pop("name", None) or f"Test {role.title()}",
                role=role,
                password=kw.pop("password", PASSWORD),
                actor=None,
                now=kw.pop("now", None) or now_utc(),
                timezone=kw.pop("timezone", "UTC"),
            )
            for key, value in kw.items():
                setattr(user, key, value)
            db.session.commit()
            return user

    return factory


@pytest.fixture
def client(app: Any, connection: Any) -> Any:
    return app.test_client()


@pytest.fixture
def login_as(app: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """Sign a fresh client in as a new user of *role* (without the password form)."""

    def _login(role: str, client: Any = None, user: Any = None, **kw: Any) -> tuple[Any, Any]:
        user = user or make_user(role, **kw)
        c = client or app.test_client()
        with c.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
        return c, user

    return _login


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len([s for s in self.statements if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO)", s, re.I)])

    @property
    def writes(self) -> list[str]:
        return [s for s in self.statements if re.match(r"\s*(INSERT|UPDATE|DELETE)\b", s, re.I)]


@pytest.fixture
def count_queries(connection: Any) -> Callable[[], Any]:
    @contextmanager
    def _count() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        event.listen(connection, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(connection, "before_cursor_execute", counter)

    return _count


def pytest_terminal_summary(terminalreporter: Any) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    reasons: dict[str, int] = {}
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reasons[reason.removeprefix("Skipped: ")] = reasons.get(reason.removeprefix("Skipped: "), 0) + 1
    for reason, count in sorted(reasons.items()):
        terminalreporter.write_line(f"skipped {count}: {reason}")
