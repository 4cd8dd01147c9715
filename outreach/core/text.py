"""One matching rule for every search box and picker: case- and accent-insensitive, by word start.

`fold` is what is stored (in a record's search text) and what is looked for; `words_match` finds
the records whose folded text has every word of the query at the start of one of its words, so
"helene" and "Hélène" find "Dr Hélène Dupont" and so does "dup". Apostrophes inside names are
dropped, so "Ndiaye" and "N'Diaye" (or "N’Diaye") are one spelling to search and to the duplicate finder.
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
#: A query's words beyond this many add nothing a person typed on purpose.
MAX_WORDS = 6


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
