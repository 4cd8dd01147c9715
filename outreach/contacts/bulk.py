"""Acting on many contacts at once: reading a selection, tagging and untagging. Flush, never commit.

A selection is the ticked contacts, the contacts of the page shown, or everything the list's filters match, at
most MAX_SELECTION. Every id is checked before anything is written: a value that names no record, one named
twice, or a contact that no longer exists refuses the whole action.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from collections.abc import Iterable, Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from outreach.contacts import search
from outreach.contacts.lists import MAX_AUDITED_IDS, ListError
from outreach.contacts.models import Contact, Tag
from outreach.contacts.services import refresh_contact_search
from outreach.contacts.reference import tags_for
from outreach.core.audit import record_event
from outreach.core.db import db
from outreach.core.ids import parse_id

#: The most contacts one bulk action changes or exports.
MAX_SELECTION = 5_000
#: Up to this many matches the contact list counts exactly; beyond, it says "10,000+".
COUNT_CAP = 10_000


class BulkError(ListError):
    """A bulk action was refused; nothing was written."""


def count_matches(stmt: Select[Any], *, cap: int | None = None) -> tuple[int, bool]:
    """How many rows *stmt* matches, counting at most cap + 1: (count, whether there are more than *cap*).

    The count runs over a LIMITed subquery, so on 100,000 contacts it reads at most cap + 1 index entries.
    """
    cap = cap or COUNT_CAP
    ids = stmt.with_only_columns(Contact.id).order_by(None).limit(cap + 1).subquery()
    n = db.session.scalar(select(func.count()).select_from(ids)) or 0
    return min(n, cap), n > cap


def read_selection(values: Sequence[str]) -> list[int]:
    """The contact ids submitted in a selection, in order; refused (400) if any is malformed or named twice."""
    if len(values) > MAX_SELECTION:
        raise BulkError(_l("Select at most %(n)s contacts at once; narrow the filters and try again. Nothing was "
                           "changed.", n=f"{MAX_SELECTION:,}"), field="ids", status=422)
    ids = [parse_id(v) for v in values]
    if any(i is None for i in ids):
        raise BulkError(_l("The selection holds something that is not a contact. Reload the page and try again; "
                           "nothing was changed."), field="ids", status=400)
    if len(set(ids)) != len(ids):
        raise BulkError(_l("The selection names a contact twice. Reload the page and try again; nothing was "
                           "changed."), field="ids", status=400)
    if not ids:
        raise BulkError(_l("Tick at least one contact, or choose “all matching these filters”."), field="ids")
    return ids  # type: ignore[return-value]


def selection_of_filters(stmt: Select[Any]) -> list[int]:
    """The ids of everything *stmt* (the list's filters) matches; refused beyond MAX_SELECTION."""
    ids = list(db.session.scalars(stmt.with_only_columns(Contact.id).order_by(None).limit(MAX_SELECTION + 1)))
    if len(ids) > MAX_SELECTION:
        raise BulkError(_l("These filters match more than %(n)s contacts; a bulk action takes at most %(n)s. Narrow "
                           "the filters (a country, a stance, a tag) and try again. Nothing was changed.",
                           n=f"{MAX_SELECTION:,}"), field="ids", status=422)
    if not ids:
        raise BulkError(_l("No contact matches these filters; nothing was changed."), field="ids")
    return ids


def check_exist(ids: Sequence[int]) -> None:
    """Refuse (409) a selection naming contacts that no longer exist."""
    found = db.session.scalar(select(func.count()).select_from(Contact).where(Contact.id.in_(ids))) or 0
    if found != len(ids):
        raise BulkError(_l("%(n)d of the selected contacts no longer exist. Reload the page and try again; nothing "
                           "was changed.", n=len(ids) - found), field="ids", status=409)


def _audit(action: str, ids: Sequence[int], *, actor: Any, now: datetime, ip: str | None, **details: Any) -> None:
    if len(ids) <= MAX_AUDITED_IDS:
        details["contact_ids"] = list(ids)
    record_event(action, actor=actor, now=now, record_type="contacts", ip=ip, count=len(ids), **details)


def _contacts(ids: Iterable[int]) -> list[Contact]:
    """The contacts with what their search text is made of (tags, e-mails, posts), in a fixed number of queries."""
    return list(db.session.scalars(select(Contact).options(
        selectinload(Contact.tags), selectinload(Contact.emails), selectinload(Contact.positions))
        .where(Contact.id.in_(list(ids)))))


def _tag_name(name: str) -> str:
    name = (name or "").strip()
    if not name or not search.normalise(name):
        raise BulkError(_l("Type the tag to add or remove."), field="tag")
    if len(name) > 60:
        raise BulkError(_l("A tag has at most 60 characters."), field="tag")
    return name


def add_tag(ids: Sequence[int], name: str, *, actor: Any, now: datetime, ip: str | None = None) -> tuple[Tag, int]:
    """Tag the contacts (creating the tag if new); returns the tag and how many contacts gained it."""
    tag = tags_for([_tag_name(name)])[0]
    changed = []
    for contact in _contacts(ids):
        if all(t.slug != tag.slug for t in contact.tags):
            contact.tags.append(tag)
            contact.updated_at = now
            refresh_contact_search(contact)
            changed.append(contact.id)
    db.session.flush()
    if changed:
        _audit("contact.bulk_tag", changed, actor=actor, now=now, ip=ip, tag=tag.name)
    return tag, len(changed)


def remove_tag(ids: Sequence[int], name: str, *, actor: Any, now: datetime, ip: str | None = None) -> tuple[str, int]:
    """Take a tag off the contacts; returns the tag's name and how many contacts lost it."""
    slug = search.normalise(_tag_name(name))[:60]
    tag = db.session.scalar(select(Tag).where(Tag.slug == slug))
    if tag is None:
        raise BulkError(_l("No contact has the tag %(tag)s; nothing was changed.", tag=name.strip()), field="tag")
    changed = []
    for contact in _contacts(ids):
        if any(t.id == tag.id for t in contact.tags):
            contact.tags = [t for t in contact.tags if t.id != tag.id]
            contact.updated_at = now
            refresh_contact_search(contact)
            changed.append(contact.id)
    db.session.flush()
    if changed:
        _audit("contact.bulk_untag", changed, actor=actor, now=now, ip=ip, tag=tag.name)
    return tag.name, len(changed)


def record_selection_export(ids: Sequence[int], *, actor: Any, now: datetime, ip: str | None = None) -> None:
    """Audit an export of selected contacts before it is sent."""
    _audit("contact.export_selection", ids, actor=actor, now=now, ip=ip)
