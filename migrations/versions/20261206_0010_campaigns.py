"""Campaigns: objectives with dated values, targets with partners and a dated stage history, and the
links of meetings, commitments and follow-ups to campaigns (tables of their own: meetings knows nothing
of campaigns).

Revision ID: 0010_campaigns
Revises: ux01
Create Date: 2026-12-06 20:54:05
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_campaigns'
down_revision = 'ux01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('goal', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_campaigns_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaigns_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_campaigns_owner_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index('ix_campaigns_owner_id', ['owner_id'], unique=False)
        batch_op.create_index('ix_campaigns_status_start', ['status', 'start_date', 'id'], unique=False)

    op.create_table('campaign_objectives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=30), nullable=True),
    sa.Column('baseline', sa.Float(), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('is_archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_objectives_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_campaign_objectives_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_objectives'))
    )
    with op.batch_alter_table('campaign_objectives', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_objectives_campaign_id', ['campaign_id', 'id'], unique=False)
        batch_op.create_index('ix_campaign_objectives_deadline', ['deadline'], unique=False)

    op.create_table('campaign_tags',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_tags_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_campaign_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'tag_id', name=op.f('pk_campaign_tags'))
    )
    with op.batch_alter_table('campaign_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_tags_tag_id'), ['tag_id'], unique=False)

    op.create_table('campaign_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('drop_reason', sa.String(length=500), nullable=True),
    sa.Column('priority', sa.SmallInteger(), nullable=False),
    sa.Column('next_step', sa.String(length=300), nullable=True),
    sa.Column('next_step_due', sa.Date(), nullable=True),
    sa.Column('stage_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(contact_id IS NULL) <> (organisation_id IS NULL)', name=op.f('ck_campaign_targets_contact_or_organisation')),
    sa.CheckConstraint('priority BETWEEN 1 AND 3', name=op.f('ck_campaign_targets_priority_range')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_targets_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_campaign_targets_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_campaign_targets_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_campaign_targets_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_targets'))
    )
    with op.batch_alter_table('campaign_targets', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_targets_contact_id', ['contact_id'], unique=False)
        batch_op.create_index('ix_campaign_targets_organisation_id', ['organisation_id'], unique=False)
        batch_op.create_index('ix_campaign_targets_stage', ['campaign_id', 'stage', 'priority', 'id'], unique=False)
        batch_op.create_index('ix_campaign_targets_priority', ['campaign_id', 'priority', 'id'], unique=False)
        batch_op.create_index('uq_campaign_targets_contact', ['campaign_id', 'contact_id'], unique=True)
        batch_op.create_index('uq_campaign_targets_organisation', ['campaign_id', 'organisation_id'], unique=True)

    op.create_table('campaign_meetings',
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_meetings_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_campaign_meetings_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('meeting_id', name=op.f('pk_campaign_meetings'))
    )
    with op.batch_alter_table('campaign_meetings', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_meetings_campaign_id', ['campaign_id', 'meeting_id'], unique=False)

    op.create_table('campaign_objective_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['objective_id'], ['campaign_objectives.id'], name=op.f('fk_campaign_objective_values_objective_id_campaign_objectives'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_campaign_objective_values_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_objective_values'))
    )
    with op.batch_alter_table('campaign_objective_values', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_objective_values_objective', ['objective_id', 'as_of', 'id'], unique=False)

    op.create_table('campaign_stage_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=10), nullable=True),
    sa.Column('to_stage', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_stage_changes_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_campaign_stage_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_id'], ['campaign_targets.id'], name=op.f('fk_campaign_stage_changes_target_id_campaign_targets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_stage_changes'))
    )
    with op.batch_alter_table('campaign_stage_changes', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_stage_changes_campaign', ['campaign_id', 'changed_at'], unique=False)
        batch_op.create_index('ix_campaign_stage_changes_target', ['target_id', 'id'], unique=False)

    op.create_table('campaign_target_partners',
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_campaign_target_partners_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_id'], ['campaign_targets.id'], name=op.f('fk_campaign_target_partners_target_id_campaign_targets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_campaign_target_partners_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('target_id', 'user_id', name=op.f('pk_campaign_target_partners'))
    )
    with op.batch_alter_table('campaign_target_partners', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_target_partners_user', ['user_id', 'target_id'], unique=False)

    op.create_table('campaign_commitments',
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_commitments_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_campaign_commitments_commitment_id_commitments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('commitment_id', name=op.f('pk_campaign_commitments'))
    )
    with op.batch_alter_table('campaign_commitments', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_commitments_campaign_id', ['campaign_id', 'commitment_id'], unique=False)

    op.create_table('campaign_follow_ups',
    sa.Column('follow_up_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_follow_ups_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_campaign_follow_ups_follow_up_id_follow_ups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('follow_up_id', name=op.f('pk_campaign_follow_ups'))
    )
    with op.batch_alter_table('campaign_follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_campaign_follow_ups_campaign_id', ['campaign_id', 'follow_up_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('campaign_follow_ups', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_follow_ups_campaign_id')

    op.drop_table('campaign_follow_ups')
    with op.batch_alter_table('campaign_commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_commitments_campaign_id')

    op.drop_table('campaign_commitments')
    with op.batch_alter_table('campaign_target_partners', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_target_partners_user')

    op.drop_table('campaign_target_partners')
    with op.batch_alter_table('campaign_stage_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_stage_changes_target')
        batch_op.drop_index('ix_campaign_stage_changes_campaign')

    op.drop_table('campaign_stage_changes')
    with op.batch_alter_table('campaign_objective_values', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_objective_values_objective')

    op.drop_table('campaign_objective_values')
    with op.batch_alter_table('campaign_meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_meetings_campaign_id')

    op.drop_table('campaign_meetings')
    with op.batch_alter_table('campaign_targets', schema=None) as batch_op:
        batch_op.drop_index('uq_campaign_targets_organisation')
        batch_op.drop_index('uq_campaign_targets_contact')
        batch_op.drop_index('ix_campaign_targets_stage')
        batch_op.drop_index('ix_campaign_targets_priority')
        batch_op.drop_index('ix_campaign_targets_organisation_id')
        batch_op.drop_index('ix_campaign_targets_contact_id')

    op.drop_table('campaign_targets')
    with op.batch_alter_table('campaign_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_tags_tag_id'))

    op.drop_table('campaign_tags')
    with op.batch_alter_table('campaign_objectives', schema=None) as batch_op:
        batch_op.drop_index('ix_campaign_objectives_deadline')
        batch_op.drop_index('ix_campaign_objectives_campaign_id')

    op.drop_table('campaign_objectives')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index('ix_campaigns_status_start')
        batch_op.drop_index('ix_campaigns_owner_id')

    op.drop_table('campaigns')
