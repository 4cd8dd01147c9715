"""Commitments by meeting and status: a partner's overdue commitments (Today) come from the meetings
they may see through the index, not by hashing every overdue commitment in the database. On
PostgreSQL, the users list's order (lower(name), id) gets an expression index, like the organisation list.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 15:58:00
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_commitments_meeting_id')
        batch_op.create_index('ix_commitments_meeting_status', ['meeting_id', 'status'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_users_name_sort ON users (lower(name), id)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_users_name_sort")
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_commitments_meeting_status')
        batch_op.create_index('ix_commitments_meeting_id', ['meeting_id'], unique=False)
