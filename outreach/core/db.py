"""Database plumbing: the declarative base, UTC datetimes and the request-scoped session."""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from datetime import datetime, UTC
from typing import Any, cast
from collections.abc import Iterator

from flask import Flask, current_app
from sqlalchemy import DateTime, MetaData, create_engine, event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.orm.session import JoinTransactionMode
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC.

    Naive datetimes are refused on the way in: an instant without a zone is a bug.
    SQLite keeps no zone, so values come back naive and are re-tagged as UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base of every model: named constraints (Alembic needs them on SQLite), aware datetimes."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


#: Whether the current unit of work intends to write. On SQLite a writing transaction starts
#: with BEGIN IMMEDIATE so that two writers queue on the busy timeout instead of failing with
#: "database is locked" half-way; reading requests use a plain deferred BEGIN.
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=True)


def escape_like(value: str) -> str:
    """Make user text literal inside a LIKE pattern (use with escape="\\")."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def starts_with(column: Any, prefix: str) -> Any:
    """*column* starts with *prefix*, as a range an ordinary index answers (LIKE 'x%' is not, on SQLite)."""
    if not prefix:
        return column.is_not(None)
    return (column >= prefix) & (column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def compare_and_set(entity: Any, row_id: int, column: Any, expected: Any, **values: Any) -> bool:
    """``UPDATE entity SET values WHERE id = row_id AND column = expected``; whether the row still matched.

    The guard of an edit made on a copy read earlier: on PostgreSQL the matching row stays locked
    until commit, so a concurrent save waits, then sees the new value and matches nothing; on SQLite
    writers are serialised by BEGIN IMMEDIATE.
    """
    from sqlalchemy import update

    result = db.session.execute(update(entity).where(entity.id == row_id, column == expected).values(**values)
                                .execution_options(synchronize_session=False))
    return rowcount(result) == 1


def version_token(instant: datetime) -> str:
    """An edit form's record of the version it was opened on (the record's last change, to the microsecond)."""
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


def parse_version_token(value: str | None) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value or "")
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


#: SQLSTATEs after which a transaction may simply be run again: serialization failure, deadlock.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
#: How many times a request runs in all when PostgreSQL aborts its transaction for one of them.
TRANSIENT_ATTEMPTS = 3


def is_transient(exc: BaseException) -> bool:
    """Whether *exc* is a serialization failure or deadlock that another attempt would get past."""
    from sqlalchemy.exc import DBAPIError

    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in TRANSIENT_SQLSTATES


def retry_transient(view: Any) -> Any:
    """Run *view* again (a bounded number of times, after a rollback and a short random pause) when
    the database aborts its transaction for a serialization failure or a deadlock."""
    import functools
    import random
    import time

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, TRANSIENT_ATTEMPTS + 1):
            try:
                return view(*args, **kwargs)
            except Exception as exc:
                if attempt == TRANSIENT_ATTEMPTS or not is_transient(exc):
                    raise
                db.session.rollback()
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # jitter, not a secret  # nosec B311
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def set_write_intent(value: bool) -> None:
    _write_intent.set(value)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the driver) decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        statement = "BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN"
        # A writer waits for the lock up to the busy timeout, then asks again: under a burst of writers on
        # a loaded machine one wait may not be enough, and nothing has happened yet in this transaction.
        for attempt in range(1, SQLITE_BEGIN_ATTEMPTS + 1):
            try:
                connection.exec_driver_sql(statement)
                return
            except OperationalError as exc:
                if attempt == SQLITE_BEGIN_ATTEMPTS or not _sqlite_busy(exc):
                    raise


#: How many times a SQLite writer waits its busy timeout for the write lock before giving up.
SQLITE_BEGIN_ATTEMPTS = 3


def _sqlite_busy(exc: BaseException) -> bool:
    code = getattr(getattr(exc, "orig", None), "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED and their extended codes


def make_engine(url: str, *, echo: bool = False, busy_timeout_ms: int = 5000, **kwargs: Any) -> Engine:
    """Create an engine with the connection settings Outreach relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, **kwargs)
        _configure_sqlite(engine, busy_timeout_ms)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, echo=echo, **kwargs)


def _app_context_id() -> int:
    """Which application context is current: each one has its own `g` (public API, no Flask internals)."""
    from flask import g, has_app_context

    return id(g._get_current_object()) if has_app_context() else 0


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE run through `Session.execute` touched (its result is a cursor result)."""
    return cast("CursorResult[Any]", result).rowcount


class _BindState:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.bind: Any = engine
        self.join_mode: JoinTransactionMode = "conditional_savepoint"


class Database:
    """The engine of the current app and a session scoped to its application context.

    One session per request (or per CLI command / job batch); removed at teardown.
    """

    def __init__(self) -> None:
        # scoped_session accepts any session factory; its annotation names sessionmaker only.
        self.session: scoped_session[Session] = scoped_session(cast("sessionmaker[Session]", self._create_session),
                                                               scopefunc=_app_context_id)

    def init_app(self, app: Flask) -> None:
        engine = make_engine(
            app.config["DATABASE_URL"],
            echo=app.config.get("SQL_ECHO", False),
            busy_timeout_ms=app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000),
        )
        app.extensions["outreach_db"] = _BindState(engine)

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.session.remove()

    @staticmethod
    def _state() -> _BindState:
        return current_app.extensions["outreach_db"]

    def _create_session(self) -> Session:
        state = self._state()
        return Session(bind=state.bind, expire_on_commit=False, join_transaction_mode=state.join_mode)

    @property
    def engine(self) -> Engine:
        return self._state().engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @staticmethod
    @contextmanager
    def bound_to(app: Flask, connection: Any) -> Iterator[None]:
        """Run every session of *app* on *connection*, turning commits into savepoints (tests).

        Takes the app rather than the current one: a test must not hold an app context open
        while its client makes requests, or the requests would share it.
        """
        state = app.extensions["outreach_db"]
        state.bind, state.join_mode = connection, "create_savepoint"
        try:
            yield
        finally:
            state.bind, state.join_mode = state.engine, "conditional_savepoint"


db = Database()
