"""A contact's attendances carry their meeting in the index: campaign reports and timelines read it alone.

Revision ID: 0022_attendee_contact_index
Revises: 0021_meeting_initiator
Create Date: 2026-12-07 01:10:00
"""
from alembic import op


revision = "0022_attendee_contact_index"
down_revision = "0021_meeting_initiator"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_meeting_attendees_contact_id", table_name="meeting_attendees")
    op.create_index("ix_meeting_attendees_contact_id", "meeting_attendees", ["contact_id", "meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_attendees_contact_id", table_name="meeting_attendees")
    op.create_index("ix_meeting_attendees_contact_id", "meeting_attendees", ["contact_id"])
