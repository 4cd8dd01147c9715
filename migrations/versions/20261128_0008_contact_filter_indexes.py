"""The contact list's country and stance filters read their index in the list's order (name), so a page
reads about a page of rows instead of sorting every contact of a country.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 15:20:00
"""
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_country')
        batch_op.drop_index('ix_contacts_stance')
        batch_op.create_index('ix_contacts_country_sort', ['is_archived', 'country', 'last_name', 'first_name', 'id'],
                              unique=False)
        batch_op.create_index('ix_contacts_stance_sort', ['is_archived', 'stance', 'last_name', 'first_name', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_stance_sort')
        batch_op.drop_index('ix_contacts_country_sort')
        batch_op.create_index('ix_contacts_stance', ['stance'], unique=False)
        batch_op.create_index('ix_contacts_country', ['country'], unique=False)
