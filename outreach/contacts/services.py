"""Directory rules: organisations, contacts, positions, relationships. Flush, never commit."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, select
from sqlalchemy.orm import selectinload

from outreach.contacts import search
from outreach.contacts.models import (Contact, ContactEmail, ContactLanguage, ContactPhone,
                                      Organisation, Position, Relationship, post_recency)
from outreach.core.audit import record_event
from outreach.core.auth.services import normalise_email
from outreach.core.db import compare_and_set, db
from outreach.core.errors import ServiceError
from outreach.contacts.queries import organisation_subtree_ids
from outreach.contacts.reference import normalise_phone, resolve_languages, split_list, tags_for

CONTACT_FIELDS = ("honorific", "first_name", "last_name", "country", "stance", "influence", "cadence_days",
                  "private_notes")
ORGANISATION_FIELDS = ("name", "acronym", "kind", "parent_id", "country", "region", "website", "description")


# -- organisations -----------------------------------------------------------------------------

def organisation_ancestors(organisation: Organisation) -> list[Organisation]:
    """The chain from the root down to the parent of *organisation* (for breadcrumbs), in one query."""
    if organisation.parent_id is None:
        return []
    up = select(Organisation.id, Organisation.parent_id, literal(1).label("depth")) \
        .where(Organisation.id == organisation.parent_id).cte("org_up", recursive=True)
    up = up.union(select(Organisation.id, Organisation.parent_id, (up.c.depth + 1).label("depth"))
                  .where(Organisation.id == up.c.parent_id, up.c.depth < 30))
    rows = db.session.execute(select(Organisation, up.c.depth).join(up, up.c.id == Organisation.id)
                              .order_by(up.c.depth.desc())).all()
    return [row[0] for row in rows]


def refresh_organisation_search(org: Organisation) -> None:
    org.search_text = search.join_text([org.acronym, org.name, *(t.name for t in org.tags)])


def _check_parent(org: Organisation | None, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = db.session.get(Organisation, parent_id)
    if parent is None:
        raise ServiceError(_l("Choose a parent organisation from the list."), field="parent_id")
    if org is not None and org.id is not None:
        below = set(db.session.scalars(organisation_subtree_ids(org.id)))
        if parent_id in below:
            raise ServiceError(_l("An organisation cannot sit under itself or one of its own sub-organisations."),
                               field="parent_id")


def _apply_organisation(org: Organisation, data: dict[str, Any]) -> None:
    _check_parent(org, data.get("parent_id"))
    for name in ORGANISATION_FIELDS:
        if name in data:
            value = data[name]
            setattr(org, name, value if value != "" else None)
    if "tags" in data:
        org.tags = tags_for(split_list(data["tags"]))
    refresh_organisation_search(org)


def create_organisation(data: dict[str, Any], *, actor: Any, now: datetime, ip: str | None = None) -> Organisation:
    """Add an organisation to the directory."""
    org = Organisation(created_at=now, updated_at=now, created_by_id=getattr(actor, "id", None), is_archived=False,
                       kind=data.get("kind") or "other", name=data["name"])
    db.session.add(org)
    _apply_organisation(org, data)
    db.session.flush()
    record_event("organisation.create", actor=actor, now=now, record=org, ip=ip, name=org.name)
    return org


def update_organisation(org: Organisation, data: dict[str, Any], *, actor: Any, now: datetime,
                        ip: str | None = None) -> Organisation:
    """Change an organisation; the audit event lists what changed."""
    before = {f: getattr(org, f) for f in ORGANISATION_FIELDS}
    _apply_organisation(org, data)
    org.updated_at = now
    changed = {f: [before[f], getattr(org, f)] for f in ORGANISATION_FIELDS if before[f] != getattr(org, f)}
    db.session.flush()
    record_event("organisation.update", actor=actor, now=now, record=org, ip=ip, changed=changed)
    return org


def set_organisation_archived(org: Organisation, archived: bool, *, actor: Any, now: datetime,
                              ip: str | None = None) -> None:
    """Archive (hide from lists and pickers) or restore an organisation."""
    org.is_archived, org.archived_at, org.updated_at = archived, (now if archived else None), now
    if not archived:
        org.merged_into_id = None
    db.session.flush()
    record_event("organisation.archive" if archived else "organisation.restore", actor=actor, now=now, record=org,
                 ip=ip)


# -- contacts ----------------------------------------------------------------------------------

def refresh_contact_search(contact: Contact) -> None:
    contact.search_text = search.join_text([
        contact.honorific, contact.first_name, contact.last_name,
        *(e.email for e in contact.emails), *(p.title for p in contact.positions), *(t.name for t in contact.tags)])


def _apply_contact(contact: Contact, data: dict[str, Any]) -> None:
    for name in CONTACT_FIELDS:
        if name in data:
            value = data[name]
            setattr(contact, name, value if value != "" else None)
    if "emails" in data:
        wanted = []
        for raw in split_list(data["emails"]):
            try:
                wanted.append(normalise_email(raw))
            except ServiceError as exc:
                raise ServiceError(_l("%(value)s is not a valid e-mail address.", value=raw), field="emails") from exc
        wanted = list(dict.fromkeys(wanted))
        keep = {e.email: e for e in contact.emails if e.email in wanted}
        contact.emails = [keep.get(addr) or ContactEmail(email=addr) for addr in wanted]
        for i, row in enumerate(contact.emails):
            row.is_primary = i == 0
    if "phones" in data:
        numbers = list(
            dict.fromkeys(normalise_phone(raw, country=contact.country) for raw in split_list(data["phones"]))
        )
        keep_p = {p.number: p for p in contact.phones if p.number in numbers}
        contact.phones = [keep_p.get(n) or ContactPhone(number=n) for n in numbers]
        for i, row in enumerate(contact.phones):
            row.is_primary = i == 0
    if "languages" in data:
        codes, bad = resolve_languages(data["languages"])
        if bad:
            raise ServiceError(_l("Unknown language: %(value)s. Write English names (English, Swahili) or ISO codes "
                                  "(en, sw, swa).", value=", ".join(bad)), field="languages")
        have = {lang.code: lang for lang in contact.languages}
        contact.languages = [have.get(c) or ContactLanguage(code=c) for c in dict.fromkeys(codes)]
    if "tags" in data:
        contact.tags = tags_for(split_list(data["tags"]))
    refresh_contact_search(contact)


def create_contact(data: dict[str, Any], *, actor: Any, now: datetime, ip: str | None = None) -> Contact:
    """Add a person to the directory."""
    contact = Contact(
        created_at=now,
        updated_at=now,
        created_by_id=getattr(actor, "id", None),
        is_archived=False,
        first_name=data["first_name"],
        last_name=data["last_name"],
        stance=data.get("stance") or "neutral",
        influence=data.get("influence") or 3,
    )
    contact.emails, contact.phones, contact.languages, contact.tags, contact.positions = [], [], [], [], []
    db.session.add(contact)
    _apply_contact(contact, data)
    db.session.flush()
    record_event("contact.create", actor=actor, now=now, record=contact, ip=ip)
    return contact


class StaleContact(ServiceError):
    """Someone saved the contact after this edit was opened; nothing was saved."""


def update_contact(contact: Contact, data: dict[str, Any], *, actor: Any, now: datetime,
                   ip: str | None = None, expected_updated_at: datetime | None = None) -> Contact:
    """Change a contact; the audit event names the changed fields (not private values).

    With *expected_updated_at* (the version the editor opened), a save that someone else's came
    before is refused with StaleContact, even when the two race.
    """
    if expected_updated_at is not None and not compare_and_set(
            Contact, contact.id, Contact.updated_at, expected_updated_at, updated_at=now):
        raise StaleContact(_l("This contact was changed since you opened it; nothing was saved. "
                              "Your entries are still in the form: check the contact's page, then save again."))
    before = {f: getattr(contact, f) for f in CONTACT_FIELDS}
    before_lists = (sorted(e.email for e in contact.emails), sorted(p.number for p in contact.phones))
    _apply_contact(contact, data)
    contact.updated_at = now
    changed = [f for f in CONTACT_FIELDS if before[f] != getattr(contact, f)]
    if before_lists[0] != sorted(e.email for e in contact.emails):
        changed.append("emails")
    if before_lists[1] != sorted(p.number for p in contact.phones):
        changed.append("phones")
    db.session.flush()
    record_event("contact.update", actor=actor, now=now, record=contact, ip=ip, changed=changed)
    return contact


def set_contact_archived(contact: Contact, archived: bool, *, actor: Any, now: datetime,
                         ip: str | None = None) -> None:
    """Archive or restore a contact."""
    contact.is_archived, contact.archived_at, contact.updated_at = archived, (now if archived else None), now
    if not archived:
        contact.merged_into_id = None
    db.session.flush()
    record_event("contact.archive" if archived else "contact.restore", actor=actor, now=now, record=contact, ip=ip)


# -- positions ---------------------------------------------------------------------------------

def add_position(contact: Contact, *, organisation: Organisation, title: str, start_date: date | None,
                 end_date: date | None = None, move: bool = False, keep_other_posts_here: bool = False,
                 actor: Any, now: datetime, ip: str | None = None) -> Position:
    """Record a post; with *move*, end every current post the day the new one starts, in one step.

    A new current post in an organisation replaces the one the contact held there, unless the user
    chose to keep both (*keep_other_posts_here*)."""
    if end_date and start_date and end_date < start_date:
        raise ServiceError(_l("The end date is before the start date."), field="end_date")
    ended = []
    if move:
        day = start_date or now.date()
        for old in contact.positions:
            if old.end_date is None:
                if old.start_date and old.start_date > day:
                    raise ServiceError(_l("The new post starts before the current one (%(title)s) began.",
                                          title=old.title), field="start_date")
                old.end_date = day
                ended.append(old.id)
    position = Position(contact=contact, organisation=organisation, title=title.strip(), start_date=start_date,
                        end_date=end_date, created_at=now)
    db.session.add(position)
    db.session.flush()
    if end_date is None and not keep_other_posts_here:
        ended += end_duplicate_posts(contact, day=start_date or now.date(), keep=position)
    contact.updated_at = now
    refresh_contact_search(contact)
    db.session.flush()
    record_event("contact.move" if move else "position.add", actor=actor, now=now, record=contact, ip=ip,
                 position_id=position.id, organisation_id=organisation.id, title=position.title, ended=ended)
    return position


def current_posts(contact_ids: Iterable[int]) -> dict[int, Position]:
    """Each contact's current post (`post_recency`), its organisation loaded, in one query; none for the postless."""
    ids = list(set(contact_ids))
    if not ids:
        return {}
    held = db.session.scalars(select(Position).options(selectinload(Position.organisation))
                              .where(Position.contact_id.in_(ids), Position.end_date.is_(None))).all()
    out: dict[int, Position] = {}
    for post in held:
        if post.contact_id not in out or post_recency(post) > post_recency(out[post.contact_id]):
            out[post.contact_id] = post
    return out


def end_duplicate_posts(contact: Contact, *, day: date, keep: Position | None = None) -> list[int]:
    """Leave one current post per organisation: end the others the contact holds there (newest or *keep* stays)."""
    by_org: dict[int, list[Position]] = {}
    for post in contact.positions:
        if post.end_date is None:
            by_org.setdefault(post.organisation_id, []).append(post)
    ended = []
    for posts in by_org.values():
        stays = keep if keep in posts else max(posts, key=post_recency)
        for post in posts:
            if post is not stays:
                post.end_date = max(day, post.start_date or day)
                ended.append(post.id)
    return ended


def end_position(position: Position, end_date: date, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    """Close a post the contact no longer holds."""
    if position.start_date and end_date < position.start_date:
        raise ServiceError(_l("The end date is before the start date."), field="end_date")
    position.end_date = end_date
    position.contact.updated_at = now
    db.session.flush()
    record_event("position.end", actor=actor, now=now, record=position, ip=ip, end_date=end_date.isoformat())


# -- relationships -----------------------------------------------------------------------------

def set_relationship(contact: Contact, user: Any, data: dict[str, Any], *, actor: Any, now: datetime,
                     ip: str | None = None) -> Relationship:
    """Record (or update) that *user* knows *contact*."""
    rel = db.session.scalar(select(Relationship).where(Relationship.user_id == user.id,
                                                       Relationship.contact_id == contact.id))
    if rel is None:
        rel = Relationship(user_id=user.id, contact_id=contact.id, created_at=now)
        db.session.add(rel)
    rel.kind, rel.strength, rel.since = data["kind"], data["strength"], data.get("since")
    rel.note, rel.is_archived, rel.updated_at = data.get("note") or None, False, now
    db.session.flush()
    record_event("relationship.set", actor=actor, now=now, record=rel, ip=ip, contact_id=contact.id,
                 kind=rel.kind, strength=rel.strength)
    return rel


def remove_relationship(rel: Relationship, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    """Stop listing a relationship (archived, kept for the record)."""
    rel.is_archived, rel.updated_at = True, now
    db.session.flush()
    record_event("relationship.remove", actor=actor, now=now, record=rel, ip=ip, contact_id=rel.contact_id)
