"""Contact lists: static lists of contacts (CiviCRM's groups), their members, and the indexes the contact list's
filter by list and a contact's page read.

Revision ID: 0016_contact_lists
Revises: 0015_password_resets
Create Date: 2026-12-06 23:58:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_contact_lists'
down_revision = '0015_password_resets'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contact_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('is_archived', sa.Boolean(), nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_contact_lists_owner_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_lists'))
    )
    with op.batch_alter_table('contact_lists', schema=None) as batch_op:
        batch_op.create_index('ix_contact_lists_archived_name', ['is_archived', 'name', 'id'], unique=False)

    op.create_table('contact_list_members',
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_contact_list_members_added_by_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_contact_list_members_contact_id_contacts'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['list_id'], ['contact_lists.id'],
                            name=op.f('fk_contact_list_members_list_id_contact_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('list_id', 'contact_id', name=op.f('pk_contact_list_members'))
    )
    with op.batch_alter_table('contact_list_members', schema=None) as batch_op:
        batch_op.create_index('ix_contact_list_members_contact_id', ['contact_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('contact_list_members', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_list_members_contact_id')
    op.drop_table('contact_list_members')
    with op.batch_alter_table('contact_lists', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_lists_archived_name')
    op.drop_table('contact_lists')
