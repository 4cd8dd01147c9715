"""Which pages the benchmark measures, with the records they show chosen from the data set.

Each feature adds its pages here as it lands. A page whose route does not exist in this
version of Outreach is left out (and listed as such in the results).
"""
from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench.run import Page

PageSource = Callable[[Any], list[Page]]


def _scalar(conn: Any, sql: str, **params: Any) -> Any:
    try:
        return conn.execute(text(sql), params).scalar()
    except Exception:  # the table may not exist in this version
        conn.rollback()
        return None


def foundation_pages(conn: Any) -> list[Page]:
    pages = [Page(f"today ({role})", role, "/") for role in ("admin", "manager", "coordinator", "partner", "activist")]
    pages += [
        Page("users list", "admin", "/admin/users"),
        Page("audit log", "manager", "/audit/"),
        Page("audit log filtered", "manager", "/audit/?action=auth."),
        Page("account", "partner", "/account/"),
    ]
    return pages


SOURCES: list[PageSource] = [foundation_pages]


def catalog(engine: Engine, url_exists: Callable[[str], bool]) -> tuple[list[Page], list[str]]:
    pages: list[Page] = []
    with engine.connect() as conn:
        for source in SOURCES:
            pages.extend(source(conn))
    kept = [p for p in pages if url_exists(p.path)]
    missing = [p.name for p in pages if p not in kept]
    return kept, missing
