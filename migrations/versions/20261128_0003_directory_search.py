"""Directory search: normalised search text, FTS5 trigram tables on SQLite, pg_trgm on PostgreSQL.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 13:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

#: Objects the models do not describe (see outreach.migrate.include_object).
SEARCHED = ("contacts", "organisations")


def _fts_statements(table: str) -> list[str]:
    fts = f"{table}_fts"
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5(search_text, content='{table}', content_rowid='id', "
        "tokenize='trigram')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF search_text ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _backfill() -> None:
    """Fill search_text for rows that exist already (same normalisation as the services)."""
    from outreach.contacts.search import normalise

    bind = op.get_bind()
    for row in bind.execute(sa.text("SELECT id, first_name, last_name, honorific FROM contacts")).all():
        bind.execute(sa.text("UPDATE contacts SET search_text = :t WHERE id = :id"),
                     {"t": normalise(" ".join(p for p in (row.honorific, row.first_name, row.last_name) if p)),
                      "id": row.id})
    for row in bind.execute(sa.text("SELECT id, name, acronym FROM organisations")).all():
        bind.execute(sa.text("UPDATE organisations SET search_text = :t WHERE id = :id"),
                     {"t": normalise(" ".join(p for p in (row.acronym, row.name) if p)), "id": row.id})


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index('ix_contacts_influence', ['influence'], unique=False)
        batch_op.create_index('ix_contacts_archived_updated', ['is_archived', 'updated_at', 'id'], unique=False)
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index('ix_organisations_updated_at', ['updated_at'], unique=False)
    _backfill()
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table in SEARCHED:
            for statement in _fts_statements(table):
                op.execute(statement)
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        # The operator class lives in the schema the extension was first created in.
        schema = bind.execute(sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'")).scalar_one()
        for table in SEARCHED:
            op.execute(f'CREATE INDEX ix_{table}_search_trgm ON {table} USING gin (search_text "{schema}".gin_trgm_ops)')


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table in SEARCHED:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {table}_fts")
    else:
        for table in SEARCHED:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_search_trgm")
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_index('ix_organisations_updated_at')
        batch_op.drop_column('search_text')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_archived_updated')
        batch_op.drop_index('ix_contacts_influence')
        batch_op.drop_column('search_text')
