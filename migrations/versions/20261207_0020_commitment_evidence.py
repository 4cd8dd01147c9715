"""A commitment's evidence can point to a resource of the practice hub (kept when taken off).

Revision ID: 0020_commitment_evidence
Revises: 0019_feed_includes
Create Date: 2026-12-07 00:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0020_commitment_evidence'
down_revision = '0019_feed_includes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resource_commitment_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_resource_commitment_evidence_added_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_resource_commitment_evidence_commitment_id_commitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_resource_commitment_evidence_removed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_commitment_evidence_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_commitment_evidence')),
    sa.UniqueConstraint('commitment_id', 'resource_id', name='uq_resource_commitment_evidence_pair')
    )
    with op.batch_alter_table('resource_commitment_evidence', schema=None) as batch_op:
        batch_op.create_index('ix_resource_commitment_evidence_resource_id', ['resource_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('resource_commitment_evidence', schema=None) as batch_op:
        batch_op.drop_index('ix_resource_commitment_evidence_resource_id')

    op.drop_table('resource_commitment_evidence')
