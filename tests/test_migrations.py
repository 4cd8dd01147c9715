"""The migrations build exactly the models' schema, on SQLite and PostgreSQL, and step back down."""
from __future__ import annotations

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


def test_downgrade_to_base_and_up_again(app, tmp_path):
    with app.app_context():
        url, dialect = app.config["DATABASE_URL"], db.dialect
    if dialect == "sqlite":
        url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
        engine = make_engine(url)
        with engine.connect() as conn:
            upgrade(url, connection=conn)
            downgrade(url, "base", connection=conn)
            conn.commit()
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
            upgrade(url, connection=conn)
            conn.commit()
            assert _diff(conn) == []
        engine.dispose()
        return
    schema = "outreach_migration_roundtrip"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        with engine.connect() as conn:
            upgrade(url, connection=conn)
            downgrade(url, "base", connection=conn)
            assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
            upgrade(url, connection=conn)
            conn.commit()
            assert _diff(conn) == []
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def test_the_organisation_list_order_is_indexed_on_postgresql(app, dialect):
    """The list sorts by lower(name): an expression index the models cannot declare, made by migration 0006."""
    if dialect != "postgresql":
        pytest.skip("SQLite sorts the organisation list without it")
    with app.app_context():
        definition = db.session.scalar(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_organisations_archived_sort'"))
    assert definition is not None and "lower((name)::text)" in definition
