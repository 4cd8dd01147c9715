"""Directory queries: search for contacts and organisations, and the list pages' statements (shared by the
list pages and the CSV export). Read only."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from outreach.contacts import search
from outreach.contacts.models import (Contact, ContactListMember, Organisation, Position, Tag, contact_tags,
                                      organisation_tags, post_recency)
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

class ListedContact:
    """A contact as the contact list shows it: plain columns, the current posts and the tags' names.

    The list reads fifty of these a request; as rows they cost a fraction of loaded `Contact` objects
    with their relationships, and they answer the same attributes the row template reads (`full_name`,
    `current_positions` with their organisation, `tags`). Nothing is written through them.
    """

    __slots__ = ("id", "honorific", "first_name", "last_name", "country", "stance", "influence", "last_touch_at",
                 "current_positions", "tags")

    def __init__(self, row: Any) -> None:
        (self.id, self.honorific, self.first_name, self.last_name, self.country, self.stance, self.influence,
         self.last_touch_at) = row
        self.current_positions: list[ListedPost] = []
        self.tags: list[ListedTag] = []

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.honorific, self.first_name, self.last_name) if part)


class ListedOrganisation:
    __slots__ = ("id", "name", "acronym")

    def __init__(self, id: int, name: str, acronym: str | None) -> None:  # noqa: A002 - the column's name
        self.id, self.name, self.acronym = id, name, acronym


class ListedPost:
    """A post held now, as `Position` answers it to the list (with its organisation's name and acronym)."""

    __slots__ = ("id", "title", "start_date", "organisation_id", "organisation")
    end_date = None

    def __init__(self, row: Any) -> None:
        self.id, self.title, self.start_date, self.organisation_id = row[1:5]
        self.organisation = ListedOrganisation(row.organisation_id, row.name, row.acronym)


class ListedTag:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


#: The columns a contact list row shows (ListedContact's order).
LISTED_COLUMNS = (Contact.id, Contact.honorific, Contact.first_name, Contact.last_name, Contact.country,
                  Contact.stance, Contact.influence, Contact.last_touch_at)


def listed_contacts(stmt: Select[Any]) -> list[ListedContact]:
    """The contacts *stmt* selects (with its filters, order and limit), as list rows: three statements."""
    contacts = [ListedContact(row) for row in db.session.execute(stmt.with_only_columns(*LISTED_COLUMNS))]
    return with_posts_and_tags(contacts)


def with_posts_and_tags(contacts: list[ListedContact]) -> list[ListedContact]:
    """Fill in the current posts (current first, see `post_recency`) and tags (by name) of list rows."""
    if not contacts:
        return contacts
    by_id = {c.id: c for c in contacts}
    posts = db.session.execute(
        select(Position.contact_id, Position.id, Position.title, Position.start_date, Position.organisation_id,
               Organisation.name, Organisation.acronym)
        .join(Organisation, Organisation.id == Position.organisation_id)
        .where(Position.contact_id.in_(list(by_id)), Position.end_date.is_(None)))
    for row in posts:
        by_id[row.contact_id].current_positions.append(ListedPost(row))
    for c in contacts:
        if len(c.current_positions) > 1:
            c.current_positions.sort(key=post_recency, reverse=True)
    tags = db.session.execute(select(contact_tags.c.contact_id, Tag.name).join(Tag, Tag.id == contact_tags.c.tag_id)
                              .where(contact_tags.c.contact_id.in_(list(by_id))).order_by(Tag.name))
    for contact_id, name in tags:
        by_id[contact_id].tags.append(ListedTag(name))
    return contacts


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
