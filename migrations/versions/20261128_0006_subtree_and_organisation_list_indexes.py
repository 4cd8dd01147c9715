"""Indexes that keep the organisation-subtree lists and the organisation list bounded by the page:
who works in an office now, an office's meetings (newest first, with the id, so the index alone
ranks them) and its newest commitments; on PostgreSQL, the organisation list's case-insensitive order.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 14:45:53.611269
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.create_index('ix_positions_current', ['organisation_id', 'contact_id'], unique=False,
                              sqlite_where=sa.text('end_date IS NULL'), postgresql_where=sa.text('end_date IS NULL'))
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index('ix_commitments_organisation_newest', ['organisation_id', 'id'], unique=False)
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_meetings_organisation_id')
        batch_op.create_index('ix_meetings_organisation_id', ['organisation_id', 'start_at', 'id'], unique=False)
    # The list sorts by lower(name) (SQLite sorts 10k names in a few ms; PostgreSQL's top-N sort over every
    # organisation costs more). An expression index: SQLite's reflection cannot read one back, so it is made
    # on PostgreSQL only and left out of the schema comparison (outreach.migrate.UNMODELLED_INDEXES).
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_organisations_archived_sort ON organisations (is_archived, lower(name), id)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_organisations_archived_sort")
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_meetings_organisation_id')
        batch_op.create_index('ix_meetings_organisation_id', ['organisation_id', 'start_at'], unique=False)
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_commitments_organisation_newest')
    with op.batch_alter_table('positions', schema=None) as batch_op:
        batch_op.drop_index('ix_positions_current')
