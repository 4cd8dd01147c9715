"""users.search_name: the folded name and e-mail every people picker and user lookup matches; the
meetings a person logged, newest first (Today's "recently logged by me").

Revision ID: ux01
Revises: 0009
"""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "ux01"
down_revision = "0009"
branch_labels = None
depends_on = None


def _fold(value: str) -> str:
    # outreach.core.text.fold as of this revision
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("search_name", sa.String(length=400), nullable=False, server_default=""))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("email", sa.String), sa.column("search_name", sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(users.c.id, users.c.name, users.c.email)).all()
    if rows:
        conn.execute(users.update().where(users.c.id == sa.bindparam("uid")).values(search_name=sa.bindparam("folded")),
                     [{"uid": uid, "folded": _fold(f"{name or ''} {email or ''}")} for uid, name, email in rows])
    with op.batch_alter_table("users") as batch:
        batch.alter_column("search_name", server_default=None)
    op.drop_index("ix_meetings_organiser_id", table_name="meetings")
    op.create_index("ix_meetings_organiser_id", "meetings", ["organiser_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_meetings_organiser_id", table_name="meetings")
    op.create_index("ix_meetings_organiser_id", "meetings", ["organiser_id"])
    with op.batch_alter_table("users") as batch:
        batch.drop_column("search_name")
