"""Scorecard counters: commitments per contact, organisation and partner, per status bucket (backfilled);
the indexes behind the "going cold" panel and a commitment's follow-ups.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 13:48:09.053363
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('commitment_tallies',
    sa.Column('subject_kind', sa.String(length=12), nullable=False),
    sa.Column('subject_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kept', sa.Integer(), nullable=False),
    sa.Column('partly_kept', sa.Integer(), nullable=False),
    sa.Column('broken', sa.Integer(), nullable=False),
    sa.Column('open', sa.Integer(), nullable=False),
    sa.Column('withdrawn', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('subject_kind', 'subject_id', name=op.f('pk_commitment_tallies'))
    )
    with op.batch_alter_table('commitment_tallies', schema=None) as batch_op:
        batch_op.create_index('ix_commitment_tallies_rank', ['subject_kind', 'total', 'subject_id'], unique=False)
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_cadence_touch', ['cadence_days', 'last_touch_at', 'created_at'], unique=False)
    # A commitment's follow-ups are listed by due time: the index serves the order (no scan of every follow-up).
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_commitment_id')
        batch_op.create_index('ix_follow_ups_commitment_id', ['commitment_id', 'due_at'], unique=False)
    # Count what is already there (outreach.meetings.tallies keeps the counters in step from now on).
    for kind, column in (("contact", "contact_id"), ("organisation", "organisation_id"), ("partner", "accountable_id")):
        op.execute(sa.text(
            "INSERT INTO commitment_tallies (subject_kind, subject_id, kept, partly_kept, broken, open, withdrawn, total) "
            f"SELECT '{kind}', {column}, "
            "sum(CASE WHEN status = 'kept' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN status = 'partly_kept' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN status = 'broken' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN status IN ('open', 'on_track', 'overdue') THEN 1 ELSE 0 END), "
            "sum(CASE WHEN status = 'withdrawn' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN status <> 'withdrawn' THEN 1 ELSE 0 END) "
            f"FROM commitments WHERE {column} IS NOT NULL GROUP BY {column}"))



def downgrade() -> None:
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_follow_ups_commitment_id')
        batch_op.create_index('ix_follow_ups_commitment_id', ['commitment_id'], unique=False)
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_cadence_touch')
    with op.batch_alter_table('commitment_tallies', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_tallies_rank')

    op.drop_table('commitment_tallies')
