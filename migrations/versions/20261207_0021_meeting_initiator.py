"""Who asked for a meeting (a partner or the target), so contact the target sought can weigh more.

Revision ID: 0021_meeting_initiator
Revises: 0020_commitment_evidence
Create Date: 2026-12-07 01:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = "0021_meeting_initiator"
down_revision = "0020_commitment_evidence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch_op:
        batch_op.add_column(sa.Column("initiated_by", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch_op:
        batch_op.drop_column("initiated_by")
