"""Campaign reports read from indexes alone: held meetings by date carry their id, and a person's or an office's
commitments carry when they were made.

Revision ID: 0024_campaign_report_indexes
Revises: 0023_commitment_calendar_indexes
Create Date: 2026-12-07 03:00:00
"""
from alembic import op


revision = "0024_campaign_report_indexes"
down_revision = "0023_commitment_calendar_indexes"
branch_labels = None
depends_on = None

#: (name, table, columns before, columns after)
CHANGES = [
    ("ix_meetings_status_start", "meetings", ["status", "start_at"], ["status", "start_at", "id"]),
    ("ix_commitments_contact_id", "commitments", ["contact_id", "status"], ["contact_id", "status", "created_at"]),
    ("ix_commitments_organisation_id", "commitments", ["organisation_id", "status"],
     ["organisation_id", "status", "created_at"]),
]


def upgrade() -> None:
    for name, table, _before, after in CHANGES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, after)


def downgrade() -> None:
    for name, table, before, _after in CHANGES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, before)
