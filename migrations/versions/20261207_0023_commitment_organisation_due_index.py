"""An organisation's commitments by due date: a subtree's calendar feed reads its window through the index (and
answers 304 from one aggregate) instead of scanning every commitment.

Revision ID: 0023_commitment_organisation_due
Revises: 0022_attendee_contact_index
Create Date: 2026-12-07 03:00:00
"""
from alembic import op


revision = "0023_commitment_organisation_due"
down_revision = "0022_attendee_contact_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_commitments_organisation_due", "commitments", ["organisation_id", "due_date"])


def downgrade() -> None:
    op.drop_index("ix_commitments_organisation_due", table_name="commitments")
