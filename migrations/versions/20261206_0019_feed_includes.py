"""Calendar feeds store the keys of the sources they include (any feature's, such as monitoring's decision
dates) instead of three fixed booleans, and the record of a scope another feature registers (a campaign);
campaign objectives keep the parameters of a source another feature registers (an assessment rating);
instruments' expiries are indexed for the calendars that show them.

The three booleans are carried over into the keys, in the sources' order, so existing feeds serve the same
content (and the same bytes, so the same ETag); the downgrade carries them back.

Revision ID: 0019_feed_includes
Revises: 0018_daily_pages
Create Date: 2026-12-06 23:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0019_feed_includes'
down_revision = '0018_daily_pages'
branch_labels = None
depends_on = None

#: The order of calendars' own sources (outreach/calendars/sources.py) as of this revision.
_OLD_KEYS = (("include_meetings", "meetings"), ("include_follow_ups", "follow_ups"),
             ("include_commitments", "commitments"))


def _feeds(*columns: sa.Column) -> sa.TableClause:
    return sa.table('calendar_feeds', sa.column('id', sa.Integer), *columns)


def upgrade() -> None:
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope_record_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('includes', sa.String(length=200), nullable=True))
    feeds = _feeds(*(sa.column(old, sa.Boolean) for old, _key in _OLD_KEYS), sa.column('includes', sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(feeds.c.id, *(feeds.c[old] for old, _key in _OLD_KEYS))).all()
    for row in rows:
        keys = ",".join(key for (old, key), on in zip(_OLD_KEYS, row[1:]) if on)
        connection.execute(feeds.update().where(feeds.c.id == row[0]).values(includes=keys))
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.alter_column('includes', existing_type=sa.String(length=200), nullable=False)
        for old, _key in _OLD_KEYS:
            batch_op.drop_column(old)
    with op.batch_alter_table('campaign_objectives', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_params', sa.String(length=200), nullable=True))
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.create_index('ix_instruments_expiry', ['is_archived', 'expires_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.drop_index('ix_instruments_expiry')
    with op.batch_alter_table('campaign_objectives', schema=None) as batch_op:
        batch_op.drop_column('source_params')
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        for old, _key in _OLD_KEYS:
            batch_op.add_column(sa.Column(old, sa.Boolean(), nullable=False, server_default=sa.false()))
    feeds = _feeds(*(sa.column(old, sa.Boolean) for old, _key in _OLD_KEYS), sa.column('includes', sa.String))
    connection = op.get_bind()
    for feed_id, includes in connection.execute(sa.select(feeds.c.id, feeds.c.includes)).all():
        keys = set((includes or "").split(","))
        connection.execute(feeds.update().where(feeds.c.id == feed_id).values(
            **{old: key in keys for old, key in _OLD_KEYS}))
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        for old, _key in _OLD_KEYS:
            batch_op.alter_column(old, existing_type=sa.Boolean(), server_default=None)
        batch_op.drop_column('includes')
        batch_op.drop_column('scope_record_id')
