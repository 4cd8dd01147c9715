"""Apply the Alembic migrations from code (CLI, tests, `make run`)."""
from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config

from outreach.config import RESOURCE_ROOT


def alembic_config(database_url: str, connection: Any = None) -> Config:
    cfg = Config(str(RESOURCE_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(RESOURCE_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


#: What the migrations create but the models cannot describe (FTS5 tables and their shadow tables on
#: SQLite, trigram GIN indexes and the expression indexes behind the organisation and user lists'
#: order on PostgreSQL); schema comparisons skip them.
UNMODELLED_PREFIXES = ("contacts_fts", "organisations_fts", "resources_fts")
UNMODELLED_INDEXES = frozenset({"ix_contacts_search_trgm", "ix_organisations_search_trgm", "ix_resources_search_trgm",
                                "ix_organisations_archived_sort", "ix_users_name_sort"})


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic filter: leave out the objects listed above."""
    if type_ == "table" and name and name.startswith(UNMODELLED_PREFIXES):
        return False
    return not (type_ == "index" and name in UNMODELLED_INDEXES)


def upgrade(database_url: str, revision: str = "head", connection: Any = None) -> None:
    command.upgrade(alembic_config(database_url, connection), revision)


def downgrade(database_url: str, revision: str, connection: Any = None) -> None:
    command.downgrade(alembic_config(database_url, connection), revision)
