"""The practice hub: resources, topics and audiences (data), collections, shares in meetings, reach counters;
the resources' search index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL, as the directory's).

Revision ID: 0014_resources
Revises: 0013_monitoring
Create Date: 2026-12-06 20:52:14
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_resources'
down_revision = '0013_monitoring'
branch_labels = None
depends_on = None

_FTS = [
    "CREATE VIRTUAL TABLE resources_fts USING fts5(search_text, content='resources', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER resources_fts_ai AFTER INSERT ON resources BEGIN "
    "INSERT INTO resources_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER resources_fts_ad AFTER DELETE ON resources BEGIN "
    "INSERT INTO resources_fts(resources_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER resources_fts_au AFTER UPDATE OF search_text ON resources BEGIN "
    "INSERT INTO resources_fts(resources_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO resources_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]


def _search_index() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in _FTS:
            op.execute(statement)
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema = bind.execute(sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'")).scalar_one()
    op.execute(f'CREATE INDEX ix_resources_search_trgm ON resources USING gin (search_text "{schema}".gin_trgm_ops)')


def _drop_search_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS resources_fts_{suffix}")
        op.execute("DROP TABLE IF EXISTS resources_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_resources_search_trgm")


def upgrade() -> None:
    op.create_table('resource_audiences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('is_archived', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_audiences')),
    sa.UniqueConstraint('slug', name=op.f('uq_resource_audiences_slug'))
    )
    op.create_table('resource_reach',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=12), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('opens', sa.Integer(), nullable=False),
    sa.CheckConstraint("subject IN ('resource', 'collection')", name=op.f('ck_resource_reach_subject_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_reach')),
    sa.UniqueConstraint('subject', 'subject_id', 'day', name='uq_resource_reach_subject_day')
    )
    with op.batch_alter_table('resource_reach', schema=None) as batch_op:
        batch_op.create_index('ix_resource_reach_day', ['day'], unique=False)

    op.create_table('resource_topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('is_archived', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_topics')),
    sa.UniqueConstraint('slug', name=op.f('uq_resource_topics_slug'))
    )
    op.create_table('resource_collections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('is_archived', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_resource_collections_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_collections')),
    sa.UniqueConstraint('slug', name=op.f('uq_resource_collections_slug'))
    )
    op.create_table('resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('publisher_id', sa.Integer(), nullable=True),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('evidence', sa.String(length=20), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('internal_notes', sa.Text(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('suggested_by_id', sa.Integer(), nullable=True),
    sa.Column('suggested_by_label', sa.String(length=120), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'in_review', 'published', 'retired')", name=op.f('ck_resources_status_known')),
    sa.ForeignKeyConstraint(['publisher_id'], ['organisations.id'], name=op.f('fk_resources_publisher_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_resources_submitted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['suggested_by_id'], ['users.id'], name=op.f('fk_resources_suggested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources'))
    )
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_index('ix_resources_publisher_id', ['publisher_id'], unique=False)
        batch_op.create_index('ix_resources_status_id', ['status', 'id'], unique=False)
        batch_op.create_index('ix_resources_submitted_by_id', ['submitted_by_id'], unique=False)
        batch_op.create_index('ix_resources_suggested_by_id', ['suggested_by_id'], unique=False)
        batch_op.create_index('ix_resources_updated_at', ['updated_at'], unique=False)
    _search_index()

    op.create_table('resource_audience_links',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('audience_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audience_id'], ['resource_audiences.id'], name=op.f('fk_resource_audience_links_audience_id_resource_audiences'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_audience_links_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'audience_id', name=op.f('pk_resource_audience_links'))
    )
    with op.batch_alter_table('resource_audience_links', schema=None) as batch_op:
        batch_op.create_index('ix_resource_audience_links_audience', ['audience_id', 'resource_id'], unique=False)

    op.create_table('resource_collection_items',
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['resource_collections.id'], name=op.f('fk_resource_collection_items_collection_id_resource_collections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_collection_items_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('collection_id', 'resource_id', name=op.f('pk_resource_collection_items'))
    )
    with op.batch_alter_table('resource_collection_items', schema=None) as batch_op:
        batch_op.create_index('ix_resource_collection_items_resource_id', ['resource_id'], unique=False)

    op.create_table('resource_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('download_name', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_files_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_files')),
    sa.UniqueConstraint('resource_id', name=op.f('uq_resource_files_resource_id')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_resource_files_stored_name'))
    )
    op.create_table('resource_languages',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_languages_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'code', name=op.f('pk_resource_languages'))
    )
    with op.batch_alter_table('resource_languages', schema=None) as batch_op:
        batch_op.create_index('ix_resource_languages_code', ['code', 'resource_id'], unique=False)

    op.create_table('resource_places',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_places_resource_id_resources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'code', name=op.f('pk_resource_places'))
    )
    with op.batch_alter_table('resource_places', schema=None) as batch_op:
        batch_op.create_index('ix_resource_places_code', ['code', 'resource_id'], unique=False)

    op.create_table('resource_topic_links',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_topic_links_resource_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['resource_topics.id'], name=op.f('fk_resource_topic_links_topic_id_resource_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'topic_id', name=op.f('pk_resource_topic_links'))
    )
    with op.batch_alter_table('resource_topic_links', schema=None) as batch_op:
        batch_op.create_index('ix_resource_topic_links_topic', ['topic_id', 'resource_id'], unique=False)

    op.create_table('resource_shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('shared_on', sa.Date(), nullable=False),
    sa.Column('shared_by_id', sa.Integer(), nullable=True),
    sa.Column('follow_up_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_resource_shares_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_ups.id'], name=op.f('fk_resource_shares_follow_up_id_follow_ups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_resource_shares_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resource_id'], ['resources.id'], name=op.f('fk_resource_shares_resource_id_resources'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shared_by_id'], ['users.id'], name=op.f('fk_resource_shares_shared_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_shares')),
    sa.UniqueConstraint('meeting_id', 'resource_id', 'contact_id', name='uq_resource_shares_meeting_resource_contact')
    )
    with op.batch_alter_table('resource_shares', schema=None) as batch_op:
        batch_op.create_index('ix_resource_shares_contact', ['contact_id', 'shared_on'], unique=False)
        batch_op.create_index('ix_resource_shares_resource_id', ['resource_id'], unique=False)



def downgrade() -> None:
    _drop_search_index()
    with op.batch_alter_table('resource_shares', schema=None) as batch_op:
        batch_op.drop_index('ix_resource_shares_resource_id')
        batch_op.drop_index('ix_resource_shares_contact')

    op.drop_table('resource_shares')
    with op.batch_alter_table('resource_topic_links', schema=None) as batch_op:
        batch_op.drop_index('ix_resource_topic_links_topic')

    op.drop_table('resource_topic_links')
    with op.batch_alter_table('resource_places', schema=None) as batch_op:
        batch_op.drop_index('ix_resource_places_code')

    op.drop_table('resource_places')
    with op.batch_alter_table('resource_languages', schema=None) as batch_op:
        batch_op.drop_index('ix_resource_languages_code')

    op.drop_table('resource_languages')
    op.drop_table('resource_files')
    with op.batch_alter_table('resource_collection_items', schema=None) as batch_op:
        batch_op.drop_index('ix_resource_collection_items_resource_id')

    op.drop_table('resource_collection_items')
    with op.batch_alter_table('resource_audience_links', schema=None) as batch_op:
        batch_op.drop_index('ix_resource_audience_links_audience')

    op.drop_table('resource_audience_links')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index('ix_resources_updated_at')
        batch_op.drop_index('ix_resources_suggested_by_id')
        batch_op.drop_index('ix_resources_submitted_by_id')
        batch_op.drop_index('ix_resources_status_id')
        batch_op.drop_index('ix_resources_publisher_id')

    op.drop_table('resources')
    op.drop_table('resource_collections')
    op.drop_table('resource_topics')
    with op.batch_alter_table('resource_reach', schema=None) as batch_op:
        batch_op.drop_index('ix_resource_reach_day')

    op.drop_table('resource_reach')
    op.drop_table('resource_audiences')
