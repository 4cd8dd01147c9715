"""Introductions: activist profiles (identity stored as Fernet tokens), consent, introduction requests with their
transitions and clarification thread, partners' languages and countries for matching, and service levels.

Revision ID: 0011_introductions
Revises: 0010_campaigns
Create Date: 2026-12-06 21:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_introductions'
down_revision = '0010_campaigns'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activist_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('codename', sa.String(length=60), nullable=False),
    sa.Column('legal_name_token', sa.Text(), nullable=True),
    sa.Column('email_token', sa.Text(), nullable=True),
    sa.Column('phone_token', sa.Text(), nullable=True),
    sa.Column('city_token', sa.Text(), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('focus_areas', sa.String(length=300), nullable=False),
    sa.Column('languages', sa.String(length=60), nullable=False),
    sa.Column('risk_tier', sa.String(length=10), nullable=False),
    sa.Column('bio', sa.Text(), nullable=True),
    sa.Column('is_purged', sa.Boolean(), nullable=False),
    sa.Column('purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("risk_tier IN ('standard', 'elevated', 'high')", name=op.f('ck_activist_profiles_risk_tier_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_activist_profiles_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_activist_profiles_invitation_id_invitations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activist_profiles_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activist_profiles')),
    sa.UniqueConstraint('codename', name=op.f('uq_activist_profiles_codename')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_activist_profiles_invitation_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_activist_profiles_user_id'))
    )
    with op.batch_alter_table('activist_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_activist_profiles_country', ['country'], unique=False)

    op.create_table('door_openers',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('languages', sa.String(length=60), nullable=False),
    sa.Column('countries', sa.String(length=120), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_door_openers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_door_openers'))
    )
    op.create_table('introduction_service_levels',
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('days', sa.SmallInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('days BETWEEN 1 AND 365', name=op.f('ck_introduction_service_levels_days_range')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_introduction_service_levels_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('state', name=op.f('pk_introduction_service_levels'))
    )
    op.create_table('introduction_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('ask', sa.Text(), nullable=False),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.Column('window_start', sa.Date(), nullable=True),
    sa.Column('window_end', sa.Date(), nullable=True),
    sa.Column('languages', sa.String(length=60), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('state_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('contact_id IS NOT NULL OR organisation_id IS NOT NULL', name=op.f('ck_introduction_requests_has_target')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_introduction_requests_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_introduction_requests_meeting_id_meetings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_introduction_requests_organisation_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_id'], ['users.id'], name=op.f('fk_introduction_requests_partner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['profile_id'], ['activist_profiles.id'], name=op.f('fk_introduction_requests_profile_id_activist_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_introduction_requests'))
    )
    with op.batch_alter_table('introduction_requests', schema=None) as batch_op:
        batch_op.create_index('ix_introduction_requests_contact_id', ['contact_id'], unique=False)
        batch_op.create_index('ix_introduction_requests_meeting_id', ['meeting_id'], unique=False)
        batch_op.create_index('ix_introduction_requests_organisation_id', ['organisation_id'], unique=False)
        batch_op.create_index('ix_introduction_requests_partner', ['partner_id', 'state', 'id'], unique=False)
        batch_op.create_index('ix_introduction_requests_profile', ['profile_id', 'id'], unique=False)
        batch_op.create_index('ix_introduction_requests_state_id', ['state', 'id'], unique=False)
        batch_op.create_index('ix_introduction_requests_state_waiting', ['state', 'state_changed_at'], unique=False)

    op.create_table('activist_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('grantee_user_id', sa.Integer(), nullable=True),
    sa.Column('grantee_contact_id', sa.Integer(), nullable=True),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['grantee_contact_id'], ['contacts.id'], name=op.f('fk_activist_consents_grantee_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['grantee_user_id'], ['users.id'], name=op.f('fk_activist_consents_grantee_user_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['profile_id'], ['activist_profiles.id'], name=op.f('fk_activist_consents_profile_id_activist_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_activist_consents_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['introduction_requests.id'], name=op.f('fk_activist_consents_request_id_introduction_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activist_consents'))
    )
    with op.batch_alter_table('activist_consents', schema=None) as batch_op:
        batch_op.create_index('ix_activist_consents_profile', ['profile_id'], unique=False)
        batch_op.create_index('ix_activist_consents_request', ['request_id', 'scope'], unique=False)

    op.create_table('introduction_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_introduction_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['introduction_requests.id'], name=op.f('fk_introduction_messages_request_id_introduction_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_introduction_messages'))
    )
    with op.batch_alter_table('introduction_messages', schema=None) as batch_op:
        batch_op.create_index('ix_introduction_messages_request', ['request_id', 'id'], unique=False)

    op.create_table('introduction_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_introduction_transitions_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_id'], ['users.id'], name=op.f('fk_introduction_transitions_partner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['introduction_requests.id'], name=op.f('fk_introduction_transitions_request_id_introduction_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_introduction_transitions'))
    )
    with op.batch_alter_table('introduction_transitions', schema=None) as batch_op:
        batch_op.create_index('ix_introduction_transitions_partner', ['partner_id', 'to_state'], unique=False)
        batch_op.create_index('ix_introduction_transitions_request', ['request_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('introduction_transitions', schema=None) as batch_op:
        batch_op.drop_index('ix_introduction_transitions_request')
        batch_op.drop_index('ix_introduction_transitions_partner')

    op.drop_table('introduction_transitions')
    with op.batch_alter_table('introduction_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_introduction_messages_request')

    op.drop_table('introduction_messages')
    with op.batch_alter_table('activist_consents', schema=None) as batch_op:
        batch_op.drop_index('ix_activist_consents_request')
        batch_op.drop_index('ix_activist_consents_profile')

    op.drop_table('activist_consents')
    with op.batch_alter_table('introduction_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_introduction_requests_state_waiting')
        batch_op.drop_index('ix_introduction_requests_state_id')
        batch_op.drop_index('ix_introduction_requests_profile')
        batch_op.drop_index('ix_introduction_requests_partner')
        batch_op.drop_index('ix_introduction_requests_organisation_id')
        batch_op.drop_index('ix_introduction_requests_meeting_id')
        batch_op.drop_index('ix_introduction_requests_contact_id')

    op.drop_table('introduction_requests')
    op.drop_table('introduction_service_levels')
    op.drop_table('door_openers')
    with op.batch_alter_table('activist_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_activist_profiles_country')

    op.drop_table('activist_profiles')
