"""Scorecard counters per top-level organisation with its offices (kind "root"), backfilled from the
organisations' own counters, so the scorecards stop walking the whole tree on every view.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 15:20:00
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        INSERT INTO commitment_tallies (subject_kind, subject_id, kept, partly_kept, broken, open, withdrawn, total)
        WITH RECURSIVE tree (id, root, depth) AS (
            SELECT id, id, 0 FROM organisations WHERE parent_id IS NULL
            UNION ALL
            SELECT o.id, tree.root, tree.depth + 1 FROM organisations o JOIN tree ON o.parent_id = tree.id
            WHERE tree.depth < 50)
        SELECT 'root', tree.root, sum(t.kept), sum(t.partly_kept), sum(t.broken), sum(t.open), sum(t.withdrawn),
               sum(t.total)
        FROM tree JOIN commitment_tallies t ON t.subject_kind = 'organisation' AND t.subject_id = tree.id
        GROUP BY tree.root
    """)


def downgrade() -> None:
    op.execute("DELETE FROM commitment_tallies WHERE subject_kind = 'root'")
