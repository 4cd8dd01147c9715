"""Directory queries: search for contacts and organisations, and the list pages' statements (shared by the
list pages and the CSV export). Read only."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from outreach.contacts import search
from outreach.contacts.models import (Contact, ContactListMember, Organisation, Position, Tag, contact_tags,
                                      organisation_tags)
from outreach.core.db import db
from outreach.core.permissions import Capability, has_capability


# -- the organisation tree ----------------------------------------------------------------------

def organisation_subtree_ids(organisation_id: int) -> Select[Any]:
    """A selectable of the ids of an organisation and every organisation below it (recursive CTE)."""
    tree = select(Organisation.id).where(Organisation.id == organisation_id).cte("org_subtree", recursive=True)
    tree = tree.union(select(Organisation.id).where(Organisation.parent_id == tree.c.id))
    return select(tree.c.id)


# -- search ------------------------------------------------------------------------------------

def contact_loader_options() -> list[Any]:
    return [selectinload(Contact.positions).selectinload(Position.organisation), selectinload(Contact.tags)]


def _public_text(contact: Any, posts: list[tuple[str | None, str | None, str | None]]) -> str:
    return search.join_text([contact.honorific, contact.first_name, contact.last_name,
                             *(t for t, _n, _a in posts), *(n for _t, n, _a in posts), *(a for _t, _n, a in posts)])


def _load_in_order(stmt: Select[Any], model: Any, ids: list[int]) -> list[Any]:
    """The full objects for *ids* (one page), in that order."""
    if not ids:
        return []
    found = {r.id: r for r in db.session.scalars(stmt.where(model.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def _spellings(raw: str, normalised: str) -> list[str]:
    """How a name typed as *raw* may be stored: as typed, capitalised, upper case, title case."""
    return list(dict.fromkeys(v for w in (raw, normalised) for v in (w, w.capitalize(), w.upper(), w.title())))


def _exact_name_ids(query: str, q: str, include_archived: bool) -> list[int]:
    """Contacts named exactly *query* ("naka", "amina naka"): an index lookup on the last name."""
    raw, words = query.strip().split(), q.split(" ")
    if len(words) not in (1, 2) or len(raw) != len(words):
        return []
    stmt = select(Contact.id).where(Contact.is_archived.in_([False, True] if include_archived else [False]),
                                    Contact.last_name.in_(_spellings(raw[-1], words[-1])))
    if len(words) == 2:
        stmt = stmt.where(Contact.first_name.in_(_spellings(raw[0], words[0])))
    return list(db.session.scalars(stmt.order_by(Contact.is_archived, Contact.last_name, Contact.first_name,
                                                 Contact.id).limit(search.CANDIDATES // 2)))


def search_contacts(query: str, *, user: Any, limit: int = 20, include_archived: bool = False) -> list[Contact]:
    """Contacts matching *query* (see `search_contact_ids`), best first, loaded for display."""
    return _load_in_order(select(Contact).options(*contact_loader_options()), Contact,
                          search_contact_ids(query, user=user, limit=limit, include_archived=include_archived))


def search_contact_ids(query: str, *, user: Any, limit: int = 20, include_archived: bool = False) -> list[int]:
    """Ids of the contacts matching *query* (any part of a name, e-mail, title or tag; typo-tolerant), best first.

    Users without the full directory only match on public fields (names, titles, organisations).
    The index hands over at most `search.CANDIDATES` ids; they are ranked on a few plain columns and
    only the page shown is loaded as objects. A fixed number of statements, whatever the data size.
    """
    q = search.normalise(query)[:search.MAX_QUERY_LENGTH]
    ids = search.candidate_ids("contacts", q, enough=min(limit, 20))
    if len(ids) >= search.CANDIDATES:
        # A common fragment: the index handed over an arbitrary slice of its matches. People whose last name
        # (and first name) is the query itself must not be missing from it.
        seen = set(ids)
        ids = [i for i in _exact_name_ids(query, q, include_archived) if i not in seen] + ids
    if not ids:
        return []
    cols = select(Contact.id, Contact.honorific, Contact.first_name, Contact.last_name,
                  Contact.search_text).where(Contact.id.in_(ids))
    if not include_archived:
        cols = cols.where(Contact.is_archived.is_(False))
    rows = db.session.execute(cols).all()
    if has_capability(user, Capability.VIEW_DIRECTORY):
        haystack: Any = lambda r: r.search_text  # noqa: E731
    else:
        posts: dict[int, list[tuple[str | None, str | None, str | None]]] = {}
        if rows:
            current = db.session.execute(
                select(Position.contact_id, Position.title, Organisation.name, Organisation.acronym)
                .join(Organisation, Organisation.id == Position.organisation_id)
                .where(Position.contact_id.in_([r.id for r in rows]), Position.end_date.is_(None))
                .order_by(Position.contact_id, Position.start_date.desc(), Position.id))
            for contact_id, title, name, acronym in current:
                posts.setdefault(contact_id, []).append((title, name, acronym))
        haystack = lambda r: _public_text(r, posts.get(r.id, []))  # noqa: E731
    ranked = search.rank(q, rows, haystack=haystack, name=lambda r: search.join_text([r.first_name, r.last_name]))
    return [r.id for r in ranked[:limit]]


def search_organisations(query: str, *, user: Any, limit: int = 20,
                         include_archived: bool = False) -> list[Organisation]:
    """Organisations matching *query* (see `search_organisation_ids`), best first, loaded for display."""
    return _load_in_order(select(Organisation).options(selectinload(Organisation.parent)), Organisation,
                          search_organisation_ids(query, user=user, limit=limit, include_archived=include_archived))


def search_organisation_ids(query: str, *, user: Any, limit: int = 20, include_archived: bool = False) -> list[int]:
    """Ids of the organisations matching *query* by name, acronym or tag, best first (ranked like the contacts)."""
    q = search.normalise(query)[:search.MAX_QUERY_LENGTH]
    ids = search.candidate_ids("organisations", q, enough=min(limit, 20))
    if not ids:
        return []
    cols = select(Organisation.id, Organisation.name, Organisation.acronym,
                  Organisation.search_text).where(Organisation.id.in_(ids))
    if not include_archived:
        cols = cols.where(Organisation.is_archived.is_(False))
    rows = db.session.execute(cols).all()
    ranked = search.rank(q, rows, haystack=lambda r: r.search_text,
                         name=lambda r: search.join_text([r.acronym, r.name]))
    return [r.id for r in ranked[:limit]]


# -- list queries (shared by the list pages and the CSV export) ---------------------------------

def contact_list_statement(filters: dict[str, Any], *, now: datetime) -> Select[Any]:
    """Contacts matching the list filters (country, stance, tag, organisation subtree, cold, archived)."""
    stmt = select(Contact).where(Contact.is_archived.is_(bool(filters.get("archived"))))
    if filters.get("country"):
        stmt = stmt.where(Contact.country == filters["country"])
    if filters.get("stance"):
        stmt = stmt.where(Contact.stance == filters["stance"])
    if filters.get("tag"):
        stmt = stmt.where(Contact.id.in_(select(contact_tags.c.contact_id).join(Tag, Tag.id == contact_tags.c.tag_id)
                                         .where(Tag.slug == search.normalise(filters["tag"]))))
    if filters.get("organisation"):
        stmt = stmt.where(
            Contact.id.in_(
                select(Position.contact_id).where(
                    Position.end_date.is_(None),
                    Position.organisation_id.in_(organisation_subtree_ids(filters["organisation"])),
                )
            )
        )
    if filters.get("list_id"):
        stmt = stmt.where(Contact.id.in_(select(ContactListMember.contact_id).where(
            ContactListMember.list_id == filters["list_id"])))
    if filters.get("cold_days"):
        cutoff = now - timedelta(days=int(filters["cold_days"]))
        stmt = stmt.where(or_(Contact.last_touch_at.is_(None), Contact.last_touch_at < cutoff))
    return stmt


def organisation_list_statement(filters: dict[str, Any]) -> Select[Any]:
    """Organisations matching the list filters (kind, country, region, tag, archived)."""
    stmt = select(Organisation).where(Organisation.is_archived.is_(bool(filters.get("archived"))))
    for name in ("kind", "country", "region"):
        if filters.get(name):
            stmt = stmt.where(getattr(Organisation, name) == filters[name])
    if filters.get("tag"):
        stmt = stmt.where(Organisation.id.in_(
            select(organisation_tags.c.organisation_id).join(Tag, Tag.id == organisation_tags.c.tag_id)
            .where(Tag.slug == search.normalise(filters["tag"]))))
    return stmt
