"""CSV text for the directory: pure functions that read and write it, and the exports (Excel-friendly,
UTF-8 with BOM, formula-safe). Importing (dry run, then confirm) is in csv_import.py.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from collections.abc import Iterable, Iterator

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from outreach.contacts.models import (Contact, Organisation,
                                      Position)
from outreach.contacts.search import normalise
from outreach.core.audit import record_event
from outreach.core.db import db
from outreach.core.errors import ServiceError
from outreach.core.text import strip_control_characters

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CONTACT_COLUMNS = ["id", "honorific", "first_name", "last_name", "emails", "phones", "country", "stance", "influence",
                   "cadence_days", "languages", "tags", "organisation", "title"]
ORGANISATION_COLUMNS = ["id", "name", "acronym", "kind", "parent", "country", "region", "website", "tags"]
COLUMNS = {"contacts": CONTACT_COLUMNS, "organisations": ORGANISATION_COLUMNS}
#: Header spellings people use, normalised → our column.
SYNONYMS = {
    "e-mail": "emails",
    "email": "emails",
    "e-mails": "emails",
    "email address": "emails",
    "mail": "emails",
    "phone": "phones",
    "telephone": "phones",
    "mobile": "phones",
    "first name": "first_name",
    "given name": "first_name",
    "firstname": "first_name",
    "last name": "last_name",
    "surname": "last_name",
    "family name": "last_name",
    "lastname": "last_name",
    "title": "title",
    "position": "title",
    "job title": "title",
    "organization": "organisation",
    "org": "organisation",
    "organisation": "organisation",
    "language": "languages",
    "tag": "tags",
    "type": "kind",
    "parent organisation": "parent",
    "parent organization": "parent",
    "cadence": "cadence_days",
    "salutation": "honorific",
}


class CsvError(ServiceError):
    """The file cannot be read as CSV; the message says why, for the user."""


# -- pure functions ----------------------------------------------------------------------------

def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a UTF-8 CSV (with or without BOM), comma- or semicolon-separated."""
    if len(data) > MAX_IMPORT_BYTES:
        raise CsvError(_l("The file is larger than %(mb)d MB. Split it and import the parts.",
                          mb=MAX_IMPORT_BYTES // (1024 * 1024)))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError(_l("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")) from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise CsvError(_l("The file is not valid CSV: %(reason)s", reason=str(exc))) from exc
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise CsvError(_l("The file is empty."))
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise CsvError(_l("The file has %(n)d rows; at most %(max)d can be imported at once.", n=len(rows) - 1,
                          max=MAX_IMPORT_ROWS))
    return [h.strip() for h in rows[0]], rows[1:]


def guess_mapping(header: list[str], kind: str) -> list[str]:
    """For each header cell, the column it most likely holds ("" to ignore)."""
    known = COLUMNS[kind]
    result = []
    for cell in header:
        key = normalise(cell).replace("_", " ")
        column = SYNONYMS.get(key) or key.replace(" ", "_")
        result.append(column if column in known else "")
    return result


def unformula(value: str) -> str:
    """Undo the export's formula guard (a leading apostrophe before = + - @)."""
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value


def safe_cell(value: Any) -> str:
    """A cell spreadsheet programs will not run as a formula, without NUL, ESC or other control bytes."""
    text = strip_control_characters("" if value is None else str(value), multiline=True)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV text chunks, BOM first, every cell formula-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for i, row in enumerate(rows, 1):
        writer.writerow([safe_cell(v) for v in row])
        if i % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# -- export ------------------------------------------------------------------------------------

def contact_rows(stmt: Any) -> Iterator[list[Any]]:
    stmt = stmt.options(selectinload(Contact.emails), selectinload(Contact.phones), selectinload(Contact.languages),
                        selectinload(Contact.tags), selectinload(Contact.positions).selectinload(Position.organisation))
    for c in db.session.scalars(stmt.order_by(Contact.last_name, Contact.first_name, Contact.id).execution_options(
            yield_per=1000)):
        current = c.current_position
        yield [c.id, c.honorific, c.first_name, c.last_name, "; ".join(e.email for e in c.emails),
               "; ".join(p.number for p in c.phones), c.country, c.stance, c.influence, c.cadence_days,
               ", ".join(lang.code for lang in c.languages), ", ".join(t.name for t in c.tags),
               (current.organisation.acronym or current.organisation.name) if current else "",
               current.title if current else ""]


def organisation_rows(stmt: Any) -> Iterator[list[Any]]:
    stmt = stmt.options(selectinload(Organisation.parent), selectinload(Organisation.tags))
    for o in db.session.scalars(stmt.order_by(Organisation.name, Organisation.id).execution_options(yield_per=1000)):
        yield [o.id, o.name, o.acronym, o.kind, (o.parent.acronym or o.parent.name) if o.parent else "", o.country,
               o.region, o.website, ", ".join(t.name for t in o.tags)]


def record_export(kind: str, *, actor: Any, now: datetime, filters: dict[str, Any], ip: str | None = None) -> None:
    """Audit an export before it is sent."""
    record_event(f"{kind[:-1]}.export", actor=actor, now=now, record_type=kind, ip=ip,
                 filters={k: v for k, v in filters.items() if v not in (None, "", False)})
