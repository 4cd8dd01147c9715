"""Rules about text, one home each.

Control characters: what no one types, refused where a person typed it (`has_control_characters`, asked by
forms and services alike) and stripped where text is taken from elsewhere (`strip_control_characters`: prefill
links, imported files, calendar output), by the same two patterns.

Matching, for every search box and picker: case- and accent-insensitive, by word start. `fold` is what is
stored (in a record's search text) and what is looked for; `words_match` finds the records whose folded text
has every word of the query at the start of one of its words, so "helene" and "Hélène" find "Dr Hélène
Dupont" and so does "dup". Apostrophes inside names are dropped, so "Ndiaye" and "N'Diaye" (or "N’Diaye")
are one spelling to search and to the duplicate finder.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import and_, or_

from outreach.core.db import escape_like

_SPACES = re.compile(r"\s+")
#: Apostrophes as people type them in names (straight, typographic, modifier letter, backtick, prime).
APOSTROPHES = "'\u2019\u2018\u02bc\u0060\u00b4\u2032"
_DROP_APOSTROPHES = str.maketrans("", "", APOSTROPHES)
#: Control characters other than tab and newlines have no place in anything a person types.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: A one-line field takes no line breaks either (a vCard, an e-mail subject or a CSV cell would split on them).
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
#: A query's words beyond this many add nothing a person typed on purpose.
MAX_WORDS = 6


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """Whether *value* holds characters no one types: controls, and line breaks in a one-line field."""
    return bool((_CONTROL if multiline else _CONTROL_OR_BREAK).search(value))


def strip_control_characters(value: str, *, multiline: bool = False) -> str:
    """*value* without what `has_control_characters` refuses: for text that was not typed in a form."""
    return (_CONTROL if multiline else _CONTROL_OR_BREAK).sub("", value)


def fold(value: str | None) -> str:
    """Lower-case, accent-free, single-spaced: what is indexed and what is searched for."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value.translate(_DROP_APOSTROPHES))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def words_match(folded_column: Any, query: str) -> Any:
    """Every word of *query* starts a word of *folded_column* (a column holding `fold`ed text)."""
    words = fold(query).split(" ")[:MAX_WORDS]
    return and_(*(or_(folded_column.like(f"{escape_like(w)}%", escape="\\"),
                      folded_column.like(f"% {escape_like(w)}%", escape="\\")) for w in words if w))
