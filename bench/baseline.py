"""The raw baseline: the contact list page's query with plain SQL and a bare HTML string.

Served by the same gunicorn setup on the same data as Outreach, it shows what the framework,
ORM, templates and permission checks cost us. No sessions, no auth, no escaping beyond html.escape.
"""
from __future__ import annotations

import html
import os
import sqlite3
from typing import Any
from collections.abc import Callable, Iterable

DATABASE_URL = os.environ.get("OUTREACH_DATABASE_URL", "")
PAGE_SIZE = 50

_QUERY = """
SELECT c.id, c.honorific, c.first_name, c.last_name, c.country, c.stance, c.last_touch_at,
       (SELECT p.title || ' · ' || o.name FROM positions p JOIN organisations o ON o.id = p.organisation_id
         WHERE p.contact_id = c.id AND p.end_date IS NULL ORDER BY p.start_date DESC LIMIT 1) AS post
FROM contacts c
WHERE c.is_archived = {false}
ORDER BY c.last_name, c.first_name, c.id
LIMIT {limit}
"""


def _connect() -> Any:
    if DATABASE_URL.startswith("sqlite:///"):
        conn = sqlite3.connect(DATABASE_URL[len("sqlite:///"):], check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        return conn, _QUERY.format(false="0", limit=PAGE_SIZE)
    import psycopg

    url = DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, autocommit=True), _QUERY.format(false="false", limit=PAGE_SIZE)


_conn, _sql = None, None


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    global _conn, _sql
    if _conn is None:
        _conn, _sql = _connect()
    rows = _conn.execute(_sql).fetchall()
    parts = ["<!doctype html><html><head><title>Contacts</title></head><body><table>"]
    for row in rows:
        name = html.escape(" ".join(x for x in (row[1], row[2], row[3]) if x))
        parts.append(f"<tr><td><a href='/contacts/{int(row[0])}'>{name}</a></td><td>{html.escape(row[7] or '')}</td>"
                     f"<td>{html.escape(row[4] or '')}</td><td>{html.escape(row[5] or '')}</td></tr>")
    parts.append("</table></body></html>")
    body = "".join(parts).encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
