"""Apply the Alembic migrations from code (CLI, tests, `make run`)."""
from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config

from outreach.config import PROJECT_ROOT


def alembic_config(database_url: str, connection: Any = None) -> Config:
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(database_url: str, revision: str = "head", connection: Any = None) -> None:
    command.upgrade(alembic_config(database_url, connection), revision)


def downgrade(database_url: str, revision: str, connection: Any = None) -> None:
    command.downgrade(alembic_config(database_url, connection), revision)
