"""Likely duplicates, and merging two contacts or two organisations field by field.

A merge re-points everything that held the source (posts, relationships, e-mails, phones, tags,
languages, sub-organisations), archives the source with merged_into_id, tells higher features
through a signal so they re-point their own rows, and writes an audit event detailed enough to
undo it by hand (previous values of every field and the ids of every re-pointed row).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from outreach.contacts import queries, services
from outreach.contacts.models import (Contact, ContactEmail, ContactLanguage, ContactPhone, Organisation, Position,
                                      Relationship)
from outreach.contacts.search import normalise
from outreach.core.audit import record_event
from outreach.core.db import db
from outreach.core.errors import ServiceError
from outreach.core.signals import contact_merged, organisation_merged

#: Names this similar (rapidfuzz token_sort_ratio) within one organisation are proposed as duplicates.
NAME_SIMILARITY = 85
#: How many recently changed contacts the name comparison starts from.
RECENT_WINDOW = 1000


@dataclass
class DuplicatePair:
    first: Contact
    second: Contact
    reason: str


def _comparable(name: str) -> str:
    """A name as search folds it (accents, case, apostrophes: "N'Diaye" is "ndiaye"), other punctuation as
    spaces: "Jean-Pierre" and "Jean Pierre" compare equal."""
    return " ".join(re.sub(r"[^\w]+", " ", normalise(name)).split())


def _same_person(a: str, b: str) -> bool:
    """Two comparable names that very likely name one person: word order aside, or with the spaces gone."""
    return (fuzz.token_sort_ratio(a, b) >= NAME_SIMILARITY
            or fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")) >= NAME_SIMILARITY)


def _related(a: str, b: str) -> bool:
    """Two comparable names that could name one person: a name word in common ("B. Keita", "Bintou Keita"),
    or alike as a whole. An office's switchboard or shared inbox held by two colleagues is not this."""
    words = {w for w in a.split() if len(w) > 1}
    return bool(words & {w for w in b.split() if len(w) > 1}) or _same_person(a, b)


def find_duplicate_contacts(*, limit: int = 50) -> list[DuplicatePair]:
    """Pairs of active contacts that share an e-mail or phone under related names, or have very similar names
    in one organisation, or the same name when one of them holds no post."""
    pairs: dict[tuple[int, int], str] = {}
    sharing: dict[tuple[int, int], str] = {}

    def shared(model: Any, column: str, reason: str) -> None:
        # Values held twice, read off the column's index; then the contacts that hold them.
        key = getattr(model, column)
        twice = select(key).group_by(key).having(func.count() > 1).limit(limit).scalar_subquery()
        holders: dict[str, list[int]] = {}
        for value, contact_id in db.session.execute(
                select(key, model.contact_id).join(Contact, Contact.id == model.contact_id)
                .where(key.in_(twice), Contact.is_archived.is_(False)).order_by(key, model.contact_id)):
            holders.setdefault(value, []).append(contact_id)
        for ids in holders.values():
            for i, x in enumerate(ids):
                for y in ids[i + 1:]:
                    if x != y:
                        sharing.setdefault((x, y), reason)

    shared(ContactEmail, "email", str(_l("same e-mail address")))
    shared(ContactPhone, "number", str(_l("same phone number")))
    # A shared detail alone is not enough: colleagues share a switchboard number or a unit's inbox.
    if sharing:
        names = {cid: _comparable(f"{first} {last}") for cid, first, last in db.session.execute(
            select(Contact.id, Contact.first_name, Contact.last_name).where(
                Contact.id.in_({i for pair in sharing for i in pair})))}
        for (x, y), reason in sharing.items():
            if _related(names.get(x, ""), names.get(y, "")):
                pairs.setdefault((x, y), reason)
    # The same name, folded as search folds it, among the most recently changed people (an import, say),
    # when one of the two holds no post: namesakes in two organisations are two people.
    recent_people = db.session.execute(
        select(Contact.id, Contact.first_name, Contact.last_name).where(Contact.is_archived.is_(False))
        .order_by(Contact.updated_at.desc(), Contact.id.desc()).limit(RECENT_WINDOW)).all()
    posted = set(db.session.scalars(select(Position.contact_id).where(
        Position.end_date.is_(None), Position.contact_id.in_([row[0] for row in recent_people]))))
    by_name: dict[str, list[int]] = {}
    for cid, first, last in recent_people:
        key = _comparable(f"{first} {last}").replace(" ", "")
        for other in by_name.setdefault(key, []):
            if cid not in posted or other not in posted:
                pairs.setdefault((min(cid, other), max(cid, other)), str(_l("the same name, one without a post")))
        by_name[key].append(cid)
    # Similar names among the current people of one organisation. Duplicates come from new or edited
    # records, so only the organisations of the most recently changed people are compared (bounded work).
    recent = select(Contact.id).where(Contact.is_archived.is_(False)).order_by(
        Contact.is_archived, Contact.updated_at.desc(), Contact.id.desc()).limit(RECENT_WINDOW)
    orgs = list(set(db.session.scalars(select(Position.organisation_id).where(
        Position.end_date.is_(None), Position.contact_id.in_(recent.scalar_subquery())))))
    rows = db.session.execute(
        select(Position.organisation_id, Contact.id, Contact.first_name, Contact.last_name)
        .join(Contact, Contact.id == Position.contact_id)
        .where(Position.end_date.is_(None), Contact.is_archived.is_(False), Position.organisation_id.in_(orgs))
        .limit(20 * RECENT_WINDOW)).all()
    by_org: dict[int, list[tuple[int, str]]] = {}
    for org_id, cid, first, last in rows:
        by_org.setdefault(org_id, []).append((cid, _comparable(f"{first} {last}")))
    for people in by_org.values():
        for i, (cid, name) in enumerate(people):
            for other_id, other in people[i + 1:]:
                if cid != other_id and _same_person(name, other):
                    pairs.setdefault(
                        (min(cid, other_id), max(cid, other_id)), str(_l("similar names in one organisation"))
                    )
        if len(pairs) >= limit:
            break
    keys = list(pairs)[:limit]
    ids = {i for pair in keys for i in pair}
    contacts = {c.id: c for c in db.session.scalars(
        select(Contact).options(*queries.contact_loader_options(), selectinload(Contact.emails))
        .where(Contact.id.in_(ids), Contact.is_archived.is_(False)))}
    return [DuplicatePair(contacts[a], contacts[b], pairs[(a, b)]) for a, b in keys if a in contacts and b in contacts]


def _value(record: Any, field: str) -> Any:
    value = getattr(record, field)
    return value.isoformat() if hasattr(value, "isoformat") else value


def merge_contacts(target: Contact, source: Contact, choices: dict[str, str], *, actor: Any, now: datetime,
                   ip: str | None = None) -> Contact:
    """Merge *source* into *target*; *choices* maps a field to "source" to take the source's value."""
    if target.id == source.id:
        raise ServiceError(_l("Choose two different contacts."))
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise ServiceError(_l("One of these contacts was already merged into another."))
    before = {f: _value(target, f) for f in services.CONTACT_FIELDS}
    for field in services.CONTACT_FIELDS:
        if choices.get(field) == "source":
            setattr(target, field, getattr(source, field))
    moved_positions = [p.id for p in source.positions]
    for p in list(source.positions):
        p.contact = target
    have_emails = {e.email for e in target.emails}
    moved_emails = []
    for e in list(source.emails):
        if e.email not in have_emails:
            e.is_primary = False
            e.contact = target
            moved_emails.append(e.id)
    have_phones = {p.number for p in target.phones}
    moved_phones = []
    for p in list(source.phones):
        if p.number not in have_phones:
            p.is_primary = False
            p.contact = target
            moved_phones.append(p.id)
    added_tags = [t.id for t in source.tags if t not in target.tags]
    target.tags = list(dict.fromkeys([*target.tags, *source.tags]))
    codes = {lang.code for lang in target.languages}
    added_languages = [lang.code for lang in source.languages if lang.code not in codes]
    target_rels = {r.user_id: r for r in db.session.scalars(select(Relationship).where(
        Relationship.contact_id == target.id))}
    moved_rels, kept_rels = [], []
    for rel in db.session.scalars(select(Relationship).where(Relationship.contact_id == source.id)):
        existing = target_rels.get(rel.user_id)
        if existing is None:
            rel.contact_id = target.id
            moved_rels.append(rel.id)
        else:
            # Both records knew the same partner: keep the stronger tie on the target, archive the other.
            if not rel.is_archived and (existing.is_archived or rel.strength > existing.strength):
                existing.kind, existing.strength, existing.since, existing.note = (
                    rel.kind,
                    rel.strength,
                    rel.since,
                    rel.note,
                )
                existing.is_archived = False
            rel.is_archived = True
            kept_rels.append(rel.id)
    db.session.flush()
    for code in added_languages:
        target.languages.append(ContactLanguage(code=code))
    target.last_touch_at = max((t for t in (target.last_touch_at, source.last_touch_at) if t), default=None)
    target.updated_at = now
    source.is_archived, source.archived_at, source.merged_into_id, source.updated_at = True, now, target.id, now
    db.session.flush()
    db.session.expire(source, ["positions", "emails", "phones"])
    db.session.expire(target, ["positions", "emails", "phones"])
    # Both records may have held a post in the same organisation: one stays current unless the user chose both.
    posts_ended = [] if choices.get("posts") == "both" else services.end_duplicate_posts(target, day=now.date())
    services.refresh_contact_search(target)
    db.session.flush()
    record_event("contact.merge", actor=actor, now=now, record=target, ip=ip, source_id=source.id,
                 target_before=before, taken_from_source=sorted(f for f, v in choices.items() if v == "source"),
                 positions=moved_positions, emails=moved_emails, phones=moved_phones, relationships=moved_rels,
                 relationships_archived=kept_rels, tags_added=added_tags, languages_added=added_languages,
                 posts_ended=posts_ended)
    contact_merged.send(None, source_id=source.id, target_id=target.id, actor=actor, now=now)
    return target


def merge_organisations(target: Organisation, source: Organisation, choices: dict[str, str], *, actor: Any,
                        now: datetime, ip: str | None = None) -> Organisation:
    """Merge *source* into *target*: posts, sub-organisations and tags follow; the source is archived."""
    if target.id == source.id:
        raise ServiceError(_l("Choose two different organisations."))
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise ServiceError(_l("One of these organisations was already merged into another."))
    src_tree = set(db.session.scalars(queries.organisation_subtree_ids(source.id)))
    tgt_tree = set(db.session.scalars(queries.organisation_subtree_ids(target.id)))
    if target.id in src_tree or source.id in tgt_tree:
        raise ServiceError(_l("One organisation sits inside the other; move it out of the tree before merging."))
    before = {f: _value(target, f) for f in services.ORGANISATION_FIELDS}
    for field in services.ORGANISATION_FIELDS:
        if choices.get(field) == "source":
            setattr(target, field, getattr(source, field))
    positions = list(db.session.scalars(select(Position).where(Position.organisation_id == source.id)))
    for p in positions:
        p.organisation_id = target.id
    children = list(db.session.scalars(select(Organisation).where(Organisation.parent_id == source.id)))
    for child in children:
        child.parent_id = target.id
    added_tags = [t.id for t in source.tags if t not in target.tags]
    target.tags = list(dict.fromkeys([*target.tags, *source.tags]))
    target.updated_at = now
    source.is_archived, source.archived_at, source.merged_into_id, source.updated_at = True, now, target.id, now
    services.refresh_organisation_search(target)
    db.session.flush()
    record_event("organisation.merge", actor=actor, now=now, record=target, ip=ip, source_id=source.id,
                 target_before=before, taken_from_source=sorted(f for f, v in choices.items() if v == "source"),
                 positions=[p.id for p in positions], children=[c.id for c in children], tags_added=added_tags)
    organisation_merged.send(None, source_id=source.id, target_id=target.id, actor=actor, now=now)
    return target
