"""Directory search: one normalised text per record, an index per database, ranking in Python.

SQLite: FTS5 tables with the trigram tokenizer (`contacts_fts`, `organisations_fts`), kept in
sync by triggers on `search_text` (migration 0003). PostgreSQL: pg_trgm GIN indexes on
`search_text`. Exact substrings are tried first, then swapped-back spellings ("voivka" -> "vovika"),
which share no trigram with the name; other typos fall back to trigram overlap (SQLite; four
letters in a row beside rows found as typed) or word similarity (PostgreSQL; stricter beside rows
found as typed). The typo query is skipped when several words, or one long word, were
found as typed (it is the costly one: many common trigrams).

The services rank at most `CANDIDATES` candidates with rapidfuzz from a few plain columns (no
objects) and load full objects only for the page shown, so a search runs a fixed, small number of
statements whatever the size of the directory.
"""
from __future__ import annotations

from typing import Any
from collections.abc import Iterable

from rapidfuzz import fuzz
from sqlalchemy import text

from outreach.core.db import db, escape_like
from outreach.core.text import fold

#: Tables with a `search_text` column and its index (FTS5 table `<table>_fts` on SQLite, a pg_trgm index on
#: PostgreSQL). Higher features add theirs (the practice hub adds "resources").
SEARCHABLE_TABLES: set[str] = {"contacts", "organisations"}
#: How many candidates the index hands over for ranking.
CANDIDATES = 200
#: Below this rapidfuzz score a fuzzy candidate is noise.
MIN_FUZZY_SCORE = 72
MAX_QUERY_LENGTH = 100
#: pg_trgm word-similarity thresholds for typo candidates (PostgreSQL): low enough for one swapped letter in a
#: short name when nothing was found as typed; higher beside rows that were (their neighbours in spelling, one
#: letter apart, rather than the hundreds of names that share two trigrams, all of which would be sorted).
PG_WORD_SIMILARITY = 0.4
PG_WORD_SIMILARITY_BESIDE_FOUND = 0.5
#: How many swapped-letter spellings the PostgreSQL typo query also looks for.
PG_TRANSPOSITIONS = 16



#: The rule every search box and picker shares (core/text.py).
normalise = fold


def join_text(parts: Iterable[str | None]) -> str:
    return normalise(" ".join(p for p in parts if p))


def _words(query: str) -> list[str]:
    return [w for w in query.split(" ") if w]


def _fts_phrase(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _trigrams(query: str, size: int = 3) -> list[str]:
    grams: list[str] = []
    for word in _words(query):
        grams.extend(word[i:i + size] for i in range(max(len(word) - size + 1, 0)))
    return list(dict.fromkeys(grams))[:40]


def _transpositions(query: str) -> list[str]:
    """Each word of *query* with two neighbouring letters swapped: "voivka" -> "vovika".

    A swap inside a short word can break every trigram ("vovika" and "voivka" share none), so the typo
    search also looks for these spellings as whole substrings.
    """
    found: list[str] = []
    for word in _words(query):
        if len(word) < 4:
            continue
        for i in range(len(word) - 1):
            if word[i] != word[i + 1]:
                found.append(word[:i] + word[i + 1] + word[i] + word[i + 2:])
    return list(dict.fromkeys(found))[:40]


def _found_as_typed(words: list[str]) -> bool:
    """Whether exact matches of these words are trusted without typo candidates: several words, or a long one."""
    return len(words) > 1 or len(words[0]) >= 8



def candidate_ids(table: str, query: str, *, limit: int | None = None, enough: int = 20,
                  rank_typos: bool = True) -> list[int]:
    """Ids of rows of *table* (one of SEARCHABLE_TABLES) whose search text may match *query*.

    Exact substrings first; typo-tolerant candidates only when fewer than *enough* rows contain the
    words (a misspelt or rare query, for which the trigram index is selective). The caller ranks and
    filters them; archived rows are included. With *rank_typos* off, PostgreSQL hands over the first typo
    candidates the index finds instead of the closest ones: for long texts (the practice hub's summaries),
    where computing the similarity of thousands of matching rows to sort them costs more than the page.
    """
    if table not in SEARCHABLE_TABLES:  # the name goes into the SQL text below
        raise ValueError(f"no search over {table!r}")
    limit = limit or CANDIDATES
    words = _words(query)
    if not words:
        return []
    long_words = [w for w in words if len(w) >= 3]
    ids: list[int] = []
    if db.dialect == "sqlite":
        if long_words:
            match = " AND ".join(_fts_phrase(w) for w in long_words)
            # table is one of two names checked above; user text is bound
            sql = f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :m LIMIT :n"  # nosec B608
            ranked = f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :m ORDER BY rank LIMIT :n"  # as above  # nosec B608
            ids = list(db.session.scalars(text(sql), {"m": match, "n": limit}))
            # Typo candidates when the words are (almost) not found as they are. Several words that were found
            # together, or one long word (an e-mail), need none: the fallback over many common trigrams is the
            # slowest query here.
            if len(ids) < enough and not (ids and _found_as_typed(words)):
                # Swapped letters first ("dialol"): whole spellings, as selective as the words typed. The overlap
                # of common trigrams only when they are not enough.
                swapped = _transpositions(query)
                if swapped:
                    _extend(ids, db.session.scalars(text(sql), {"m": " OR ".join(map(_fts_phrase, swapped)),
                                                                "n": limit}))
                if len(ids) < enough:
                    # Beside rows found as typed, their neighbours in spelling share four letters in a row with the
                    # query, not just three (the overlap of common trigrams ranks thousands of names).
                    grams = _trigrams(query, 4) if ids else []
                    terms = (grams or _trigrams(query)) + swapped
                    if terms:
                        _extend(ids, db.session.scalars(text(ranked), {"m": " OR ".join(map(_fts_phrase, terms)),
                                                                       "n": limit}))
        else:
            prefix = escape_like(words[0])
            where = "search_text LIKE :a ESCAPE '\\' OR search_text LIKE :b ESCAPE '\\'"
            sql = f"SELECT id FROM {table} WHERE {where} LIMIT :n"  # nosec B608
            ids = list(db.session.scalars(text(sql), {"a": prefix + "%", "b": "% " + prefix + "%", "n": limit}))
        return ids[:limit]
    # PostgreSQL: the GIN trigram index answers LIKE '%x%' and the word-similarity operator.
    params: dict[str, Any] = {"n": limit, "q": query}
    clauses = []
    for i, word in enumerate(words):
        params[f"w{i}"] = f"%{escape_like(word)}%"
        clauses.append(f"search_text LIKE :w{i}")
    # as above; the clauses are fixed text with bound parameters
    sql = f"SELECT id FROM {table} WHERE {' AND '.join(clauses)} LIMIT :n"  # nosec B608
    ids = list(db.session.scalars(text(sql), params))
    if len(ids) < enough and long_words and not (ids and _found_as_typed(words)):
        # Swapped letters can share too few trigrams with the name: look for the swapped-back spellings first, as
        # plain substrings (the trigram index answers them as it answers the words typed).
        spellings = _transpositions(query)[:PG_TRANSPOSITIONS]
        swapped = [f"search_text LIKE :t{i}" for i in range(len(spellings))]
        params.update({f"t{i}": f"%{escape_like(t)}%" for i, t in enumerate(spellings)})
        if swapped:
            # as above; the clauses are fixed text with bound parameters
            sql = f"SELECT id FROM {table} WHERE {' OR '.join(swapped)} LIMIT :n"  # nosec B608
            _extend(ids, db.session.scalars(text(sql), params))
        if len(ids) < enough:
            threshold = PG_WORD_SIMILARITY_BESIDE_FOUND if ids else PG_WORD_SIMILARITY
            _extend(ids, _similar_words(table, params, swapped, rank_typos, threshold))
    return ids[:limit]


def _extend(ids: list[int], more: Iterable[int]) -> None:
    """Append the ids of *more* not already in *ids*, in order."""
    seen = set(ids)
    ids.extend(i for i in more if i not in seen)


def _similar_words(table: str, params: dict[str, Any], swapped: list[str], rank_typos: bool,
                   threshold: float) -> list[int]:
    """PostgreSQL's typo candidates: rows holding a word similar to the query (or a swapped-back spelling)."""
    # The planner underestimates word_similarity's cost and prefers a sequential scan that computes it
    # for every row; the trigram index answers in about a millisecond. Both settings are transaction-local
    # and the second is put back right after.
    db.session.execute(text("SELECT set_config('pg_trgm.word_similarity_threshold', :t, true), "
                            "set_config('enable_seqscan', 'off', true)"), {"t": str(threshold)})
    either = " OR ".join([":q <% search_text", *swapped])
    first = f"CASE WHEN {' OR '.join(swapped)} THEN 0 ELSE 1 END, " if swapped else ""
    order = f"ORDER BY {first}word_similarity(:q, search_text) DESC " if rank_typos else ""
    # table is checked by the caller; the clauses are fixed text with bound parameters
    sql = f"SELECT id FROM {table} WHERE {either} {order}LIMIT :n"  # nosec B608
    more = list(db.session.scalars(text(sql), params))
    db.session.execute(text("SELECT set_config('enable_seqscan', 'on', true)"))
    return more


def score(query: str, haystack: str, name: str) -> float:
    """How well *query* matches a record: substrings beat typos; the whole name, then its start, then whole
    words of it, then the start of a word of it beat the rest."""
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
    if name == query:
        base += 30
    elif name.startswith(query):
        base += 20
    elif f" {query} " in f" {name} ":  # whole words of the name: "naka" is Naka before Nakamura
        base += 15
    elif any(part.startswith(words[0]) for part in name.split(" ")):
        base += 10
    return base


def rank(query: str, records: Iterable[Any], *, haystack: Any, name: Any) -> list[Any]:
    """Records that match, best first; *haystack* and *name* map a record to normalised text."""
    scored = []
    for record in records:
        record_name = name(record)
        s = score(query, haystack(record), record_name)
        if s > 0:
            scored.append((-s, record_name, record.id, record))
    scored.sort(key=lambda t: t[:3])
    return [t[3] for t in scored]
