"""Keyset pagination: cost grows with the page, never with the table."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from collections.abc import Sequence

from sqlalchemy import Select

from outreach.core.db import db
from outreach.core.ids import parse_id

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass
class KeysetPage(Generic[T]):
    items: Sequence[T]
    next_cursor: int | None  #: pass as ?after= to get the next (older) page
    prev_cursor: int | None  #: pass as ?before= to get the previous (newer) page


def parse_cursor(value: str | None) -> int | None:
    """A ?after= / ?before= id cursor, or None for anything that names no record."""
    return parse_id(value)


def keyset_by_id_desc(stmt: Select[Any], id_column: Any, *, after: int | None, before: int | None,
                      size: int = DEFAULT_PAGE_SIZE) -> KeysetPage[Any]:
    """Page *stmt* newest-first by a unique integer key, fetching one extra row to see if more exist."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    if before is not None:
        rows = list(db.session.scalars(stmt.where(id_column > before).order_by(id_column.asc()).limit(size + 1)))
        has_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        next_cursor = rows[-1].id if rows else None
        return KeysetPage(rows, next_cursor=next_cursor, prev_cursor=rows[0].id if rows and has_newer else None)
    if after is not None:
        stmt = stmt.where(id_column < after)
    rows = list(db.session.scalars(stmt.order_by(id_column.desc()).limit(size + 1)))
    has_older = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        rows,
        next_cursor=rows[-1].id if rows and has_older else None,
        prev_cursor=rows[0].id if rows and after is not None else None,
    )


@dataclass
class OffsetPage(Generic[T]):
    """A numbered page without a total count (small, bounded tables only, e.g. users)."""

    items: Sequence[T]
    number: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1


MAX_OFFSET_PAGE = 1000


def parse_page(value: str | None) -> int:
    return min(parse_id(value) or 1, MAX_OFFSET_PAGE)


def offset_page(stmt: Select[Any], *, number: int, size: int = DEFAULT_PAGE_SIZE) -> OffsetPage[Any]:
    size = max(1, min(size, MAX_PAGE_SIZE))
    rows = list(db.session.scalars(stmt.offset((number - 1) * size).limit(size + 1)))
    return OffsetPage(rows[:size], number=number, has_next=len(rows) > size)
