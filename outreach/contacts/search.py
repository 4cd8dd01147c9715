"""Directory search: one normalised text per record, an index per database, ranking in Python.

SQLite: FTS5 tables with the trigram tokenizer (`contacts_fts`, `organisations_fts`), kept in
sync by triggers on `search_text` (migration 0003). PostgreSQL: pg_trgm GIN indexes on
`search_text`. Exact substrings are tried first; typos fall back to trigram overlap (SQLite)
or word similarity (PostgreSQL). Candidates are then ranked with rapidfuzz.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable

from rapidfuzz import fuzz
from sqlalchemy import text

from outreach.core.db import db

#: How many candidates the index hands over for ranking.
CANDIDATES = 200
#: Below this rapidfuzz score a fuzzy candidate is noise.
MIN_FUZZY_SCORE = 72
MAX_QUERY_LENGTH = 100
#: pg_trgm word-similarity threshold for typo candidates (PostgreSQL).
PG_WORD_SIMILARITY = 0.4

_SPACES = re.compile(r"\s+")


def normalise(value: str | None) -> str:
    """Lower-case, accent-free, single-spaced: what is indexed and what is searched for."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def join_text(parts: Iterable[str | None]) -> str:
    return normalise(" ".join(p for p in parts if p))


def _words(query: str) -> list[str]:
    return [w for w in query.split(" ") if w]


def _fts_phrase(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _trigrams(query: str) -> list[str]:
    grams: list[str] = []
    for word in _words(query):
        grams.extend(word[i:i + 3] for i in range(max(len(word) - 2, 0)))
    return list(dict.fromkeys(grams))[:40]


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def candidate_ids(table: str, query: str, *, limit: int = CANDIDATES, enough: int = 20) -> list[int]:
    """Ids of rows of *table* ("contacts" or "organisations") whose search text may match *query*.

    Exact substrings first; typo-tolerant candidates only when fewer than *enough* rows contain the
    words (a misspelt or rare query, for which the trigram index is selective). The caller ranks and
    filters them; archived rows are included.
    """
    assert table in {"contacts", "organisations"}
    words = _words(query)
    if not words:
        return []
    long_words = [w for w in words if len(w) >= 3]
    ids: list[int] = []
    if db.dialect == "sqlite":
        if long_words:
            match = " AND ".join(_fts_phrase(w) for w in long_words)
            ids = list(db.session.scalars(text(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :m LIMIT :n"),
                                          {"m": match, "n": limit}))
            if len(ids) < enough:
                grams = _trigrams(query)
                fuzzy = " OR ".join(_fts_phrase(g) for g in grams)
                more = db.session.scalars(text(
                    f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :m ORDER BY rank LIMIT :n"),
                    {"m": fuzzy, "n": limit})
                ids.extend(i for i in more if i not in set(ids))
        else:
            prefix = _like_escape(words[0])
            ids = list(db.session.scalars(text(
                f"SELECT id FROM {table} WHERE search_text LIKE :a ESCAPE '\\' OR search_text LIKE :b ESCAPE '\\' "
                "LIMIT :n"), {"a": prefix + "%", "b": "% " + prefix + "%", "n": limit}))
        return ids[:limit]
    # PostgreSQL: the GIN trigram index answers LIKE '%x%' and the word-similarity operator.
    params: dict[str, Any] = {"n": limit, "q": query}
    clauses = []
    for i, word in enumerate(words):
        params[f"w{i}"] = f"%{_like_escape(word)}%"
        clauses.append(f"search_text LIKE :w{i}")
    ids = list(db.session.scalars(text(f"SELECT id FROM {table} WHERE {' AND '.join(clauses)} LIMIT :n"), params))
    if len(ids) < enough and long_words:
        # The default threshold (0.6) misses one swapped letter in a short name; rapidfuzz filters the rest.
        # The planner underestimates word_similarity's cost and prefers a sequential scan that computes it
        # for every row; the trigram index answers in about a millisecond. Both settings are transaction-local
        # and the second is put back right after.
        db.session.execute(text("SELECT set_config('pg_trgm.word_similarity_threshold', :t, true), "
                                "set_config('enable_seqscan', 'off', true)"), {"t": str(PG_WORD_SIMILARITY)})
        more = list(db.session.scalars(text(
            f"SELECT id FROM {table} WHERE :q <% search_text ORDER BY word_similarity(:q, search_text) DESC LIMIT :n"),
            params))
        db.session.execute(text("SELECT set_config('enable_seqscan', 'on', true)"))
        seen = set(ids)
        ids.extend(i for i in more if i not in seen)
    return ids[:limit]


def score(query: str, haystack: str, name: str) -> float:
    """How well *query* matches a record: substrings beat typos, name prefixes beat the rest."""
    words = _words(query)
    if not words or not haystack:
        return 0.0
    if all(w in haystack for w in words):
        base = 100.0
    else:
        base = fuzz.partial_ratio(query, haystack)
        per_word = min(max((fuzz.partial_ratio(w, haystack) for w in words), default=0), 100)
        base = max(base, per_word - 5 * (len(words) - 1)) if len(words) > 1 else base
        if base < MIN_FUZZY_SCORE:
            return 0.0
    if name.startswith(query):
        base += 20
    elif any(part.startswith(words[0]) for part in name.split(" ")):
        base += 10
    return base


def rank(query: str, records: Iterable[Any], *, haystack: Any, name: Any) -> list[Any]:
    """Records that match, best first; *haystack* and *name* map a record to normalised text."""
    scored = []
    for record in records:
        s = score(query, haystack(record), name(record))
        if s > 0:
            scored.append((-s, name(record), record.id, record))
    scored.sort(key=lambda t: t[:3])
    return [t[3] for t in scored]
