"""The migrations build exactly the models' schema, on SQLite and PostgreSQL, and step back down."""
from __future__ import annotations

from contextlib import contextmanager

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from outreach.core.db import db, make_engine
from outreach.migrate import downgrade, include_object, upgrade
from outreach.models import metadata


def _diff(connection):
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": False,
                                                             "include_object": include_object})
    return compare_metadata(context, metadata)


def test_migrated_schema_matches_the_models(app):
    """The session database was built by `alembic upgrade head` alone."""
    with app.app_context():
        engine = db.engine
    with engine.connect() as conn:
        assert _diff(conn) == []


@contextmanager
def _scratch_database(app, tmp_path):
    """A connection to an empty database of the session's kind (a file, or a schema of its own): (url, conn)."""
    with app.app_context():
        url, dialect = app.config["DATABASE_URL"], db.dialect
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'scratch.db'}"
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                yield url, conn
        finally:
            engine.dispose()
        return
    schema = "outreach_migration_scratch"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        with engine.connect() as conn:
            yield url, conn
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def test_downgrade_to_base_and_up_again(app, tmp_path):
    with _scratch_database(app, tmp_path) as (url, conn):
        upgrade(url, connection=conn)
        downgrade(url, "base", connection=conn)
        conn.commit()
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
        upgrade(url, connection=conn)
        conn.commit()
        assert _diff(conn) == []


def test_root_scorecard_counters_are_backfilled_from_the_tree(app, tmp_path):
    """0007 sums each top-level organisation's offices' counters, however deep, into one "root" row."""
    with _scratch_database(app, tmp_path) as (url, conn):
        upgrade(url, "0006", connection=conn)
        stamp = "2026-01-01 00:00:00"
        for oid, parent in ((1, None), (2, 1), (3, 2), (4, None), (5, None)):
            conn.execute(text("INSERT INTO organisations (id, name, kind, parent_id, is_archived, search_text, "
                              "created_at, updated_at) VALUES (:id, :name, 'other', :parent, false, '', :t, :t)"),
                         {"id": oid, "name": f"Org {oid}", "parent": parent, "t": stamp})
        for oid, kept, open_ in ((1, 1, 0), (2, 0, 2), (3, 4, 1), (4, 0, 1)):
            conn.execute(text("INSERT INTO commitment_tallies VALUES ('organisation', :id, :k, 0, 0, :o, 0, :t)"),
                         {"id": oid, "k": kept, "o": open_, "t": kept + open_})
        upgrade(url, connection=conn)
        rows = conn.execute(text("SELECT subject_id, kept, open, total FROM commitment_tallies "
                                 "WHERE subject_kind = 'root' ORDER BY subject_id")).all()
        assert [tuple(r) for r in rows] == [(1, 5, 3, 8), (4, 0, 1, 1)]
        downgrade(url, "0006", connection=conn)
        assert conn.execute(text("SELECT count(*) FROM commitment_tallies WHERE subject_kind = 'root'")).scalar() == 0
        conn.rollback()


def test_apostrophes_leave_the_stored_search_text(app, tmp_path):
    """0018 re-folds what the older fold stored: "n'diaye" becomes "ndiaye", as a save would now store it."""
    with _scratch_database(app, tmp_path) as (url, conn):
        upgrade(url, "0014_resources", connection=conn)
        stamp = "2026-01-01 00:00:00"
        for oid, name, folded in ((1, "N'Diaye Foundation", "n'diaye foundation"),
                                  (2, "Côte d’Ivoire", "cote d\u2019ivoire"), (3, "ECOWAS", "ecowas")):
            conn.execute(text("INSERT INTO organisations (id, name, kind, is_archived, search_text, created_at, "
                              "updated_at) VALUES (:id, :name, 'other', false, :folded, :t, :t)"),
                         {"id": oid, "name": name, "folded": folded, "t": stamp})
        upgrade(url, connection=conn)
        rows = conn.execute(text("SELECT search_text FROM organisations ORDER BY id")).scalars().all()
        assert rows == ["ndiaye foundation", "cote divoire", "ecowas"]
        if conn.dialect.name == "sqlite":  # the FTS5 index followed
            assert conn.execute(text("SELECT rowid FROM organisations_fts WHERE organisations_fts MATCH "
                                     "'\"ndiaye\"'")).scalars().all() == [1]
        conn.rollback()


@pytest.mark.parametrize("index", ["ix_organisations_archived_sort", "ix_users_name_sort"])
def test_the_list_orders_by_name_are_indexed_on_postgresql(app, dialect, index):
    """The organisation and user lists sort by lower(name): expression indexes the models cannot declare,
    made by migrations 0006 and 0009 on PostgreSQL only (SQLite could not read them back for the schema
    check, and sorts those lists without them)."""
    with app.app_context():
        if dialect == "postgresql":
            definition = db.session.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                                           {"name": index})
            assert definition is not None and "lower((name)::text)" in definition
        else:
            assert db.session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = :name"),
                                     {"name": index}) == 0


def test_feeds_keep_what_they_include_across_0019_and_back(app, tmp_path):
    """0019 turns each feed's three booleans into the keys of the sources it includes, in the sources' order,
    and the downgrade turns them back."""
    with _scratch_database(app, tmp_path) as (url, conn):
        upgrade(url, "0014_resources", connection=conn)
        stamp = "2026-01-01 00:00:00"
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, role, is_active_account, session_version, timezone, "
                "locale, search_name, created_at, updated_at) VALUES (1, 'm@example.org', 'M', 'manager', true, 1, "
                "'UTC', 'en', 'm', :t, :t)"
            ),
            {"t": stamp},
        )
        for fid, meetings, follow_ups, commitments in ((1, True, True, True), (2, True, False, True),
                                                        (3, False, True, False)):
            conn.execute(text("INSERT INTO calendar_feeds (id, user_id, name, scope, include_meetings, "
                              "include_follow_ups, follow_ups_as, include_commitments, privacy, token_hash, "
                              "token_hint, created_at, updated_at) VALUES (:id, 1, 'F', 'mine', :m, :f, 'todo', "
                              ":c, 'full', :h, 'ocal_…x', :t, :t)"),
                         {"id": fid, "m": meetings, "f": follow_ups, "c": commitments, "h": f"{fid:064d}",
                          "t": stamp})
        upgrade(url, connection=conn)
        rows = conn.execute(text("SELECT id, includes, scope_record_id FROM calendar_feeds ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "meetings,follow_ups,commitments", None),
                                            (2, "meetings,commitments", None), (3, "follow_ups", None)]
        downgrade(url, "0014_resources", connection=conn)
        rows = conn.execute(text("SELECT id, include_meetings, include_follow_ups, include_commitments "
                                 "FROM calendar_feeds ORDER BY id")).all()
        assert [tuple(map(bool, r[1:])) for r in rows] == [(True, True, True), (True, False, True),
                                                            (False, True, False)]
        conn.rollback()
