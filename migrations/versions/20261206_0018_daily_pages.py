"""Apostrophes leave the search text: "N'Diaye" is stored as "ndiaye", so search, the people pickers and the
duplicate finder read "Ndiaye" and "N'Diaye" as one spelling (outreach.core.text.fold). Data only: the folded
columns of contacts, organisations, resources and users are re-folded where they hold an apostrophe (on
SQLite the FTS5 triggers follow the update).

Revision ID: 0018_daily_pages
Revises: 0016_contact_lists
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_daily_pages"
down_revision = "0016_contact_lists"
branch_labels = None
depends_on = None

#: outreach.core.text.APOSTROPHES as of this revision
APOSTROPHES = "'\u2019\u2018\u02bc\u0060\u00b4\u2032"
#: (table, folded column)
FOLDED = [("contacts", "search_text"), ("organisations", "search_text"), ("resources", "search_text"),
          ("users", "search_name")]


def upgrade() -> None:
    conn = op.get_bind()
    for table, column in FOLDED:
        col = sa.column(column, sa.Text)
        stripped: sa.ColumnElement[str] = col
        for mark in APOSTROPHES:
            stripped = sa.func.replace(stripped, mark, "")
        holds_one = sa.or_(*(col.contains(mark, autoescape=True) for mark in APOSTROPHES))
        conn.execute(sa.table(table, col).update().where(holds_one).values({column: stripped}))


def downgrade() -> None:
    # The apostrophes cannot be put back from the folded text; each record's next save re-folds it anyway,
    # and the older fold finds these rows by typo tolerance.
    pass
