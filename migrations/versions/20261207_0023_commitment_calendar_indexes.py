"""Commitments by organisation and due date, and by author: a subtree's calendar feed reads its window, and "my"
feed the commitments I made, through an index (and answer 304 from one aggregate) instead of scanning them all.

Revision ID: 0023_commitment_calendar_indexes
Revises: 0022_attendee_contact_index
Create Date: 2026-12-07 03:00:00
"""
from alembic import op


revision = "0023_commitment_calendar_indexes"
down_revision = "0022_attendee_contact_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_commitments_organisation_due", "commitments", ["organisation_id", "due_date"])
    op.create_index("ix_commitments_created_by_id", "commitments", ["created_by_id"])


def downgrade() -> None:
    op.drop_index("ix_commitments_created_by_id", table_name="commitments")
    op.drop_index("ix_commitments_organisation_due", table_name="commitments")
