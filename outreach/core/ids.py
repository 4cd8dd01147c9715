"""Record ids from the outside world: URLs, forms, cursors and query strings, read one way.

A record id is 1 to 2**31 - 1 written in ASCII digits: what every integer primary key of both
databases can hold. Anything else ("²", "٣", " ", "99999999999999999999", "-1") names no
record, so the caller answers 404 or a form error, never a database overflow.
"""
from __future__ import annotations

import re
from typing import Any

from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(value: Any) -> int | None:
    """The record id *value* spells, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    text = value.strip() if isinstance(value, str) else ""
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def is_record_id(value: Any) -> bool:
    """Whether a submitted value can name a record."""
    return parse_id(value) is not None


class RecordIdConverter(BaseConverter):
    """`<int:…>` in every route: ASCII digits within the databases' integer range, otherwise 404."""

    regex = r"[0-9]{1,10}"
    weight = 50

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))
