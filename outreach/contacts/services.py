"""Directory rules: organisations, contacts, positions, relationships, search. Flush, never commit."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Iterable

import phonenumbers
import pycountry
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, literal, or_, select
from sqlalchemy.orm import selectinload

from outreach.contacts import search
from outreach.contacts.models import (Contact, ContactEmail, ContactLanguage, ContactListMember, ContactPhone,
                                      Organisation, Position, Relationship, Tag, contact_tags, organisation_tags,
                                      post_recency)
from outreach.core.audit import record_event
from outreach.core.auth.services import ServiceError, normalise_email
from outreach.core.db import compare_and_set, db
from outreach.core.permissions import Capability, has_capability

CONTACT_FIELDS = ("honorific", "first_name", "last_name", "country", "stance", "influence", "cadence_days",
                  "private_notes")
ORGANISATION_FIELDS = ("name", "acronym", "kind", "parent_id", "country", "region", "website", "description")


# -- reference data ----------------------------------------------------------------------------

#: Names people use where ISO's reads like an index entry.
_COUNTRY_NAMES = {"CD": "Democratic Republic of the Congo", "CG": "Republic of the Congo", "FM": "Micronesia",
                  "PS": "Palestine", "VA": "Holy See", "VG": "British Virgin Islands", "VI": "US Virgin Islands",
                  "RU": "Russia", "SY": "Syria", "LA": "Laos", "KP": "North Korea", "KR": "South Korea"}


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → English name, sorted by name."""
    pairs = sorted(((c.alpha_2, _COUNTRY_NAMES.get(c.alpha_2) or getattr(c, "common_name", None) or c.name)
                    for c in pycountry.countries), key=lambda p: p[1])
    return dict(pairs)


def country_name(code: str | None) -> str:
    return countries().get(code or "", code or "")


#: Names people write that ISO 639 spells differently.
_LANGUAGE_ALIASES = {"greek": "el", "modern greek": "el", "farsi": "fa", "kirundi": "rn", "kiswahili": "sw",
                     "setswana": "tn", "sesotho": "st", "isizulu": "zu", "isixhosa": "xh", "filipino": "tl",
                     "dari": "fa", "haitian creole": "ht", "castilian": "es", "flemish": "nl", "moldovan": "ro"}
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")


def _language_label(lang: Any) -> str:
    """ISO's English name without “(macrolanguage)” and the like."""
    return _PARENTHESIS.sub("", lang.name).strip() or lang.name


@lru_cache(maxsize=1)
def languages() -> dict[str, str]:
    """ISO 639-1 code → English name."""
    return dict(sorted(((lang.alpha_2, _language_label(lang)) for lang in pycountry.languages
                        if hasattr(lang, "alpha_2")), key=lambda p: p[1]))


@lru_cache(maxsize=1)
def _language_index() -> dict[str, str]:
    """Normalised code or English name → the code we store (639-1 where there is one, else 639-3)."""
    index: dict[str, str] = {}
    codes: dict[str, str] = {}
    # Languages with a two-letter code first: “Swahili” is sw, not one of its individual languages.
    ordered = sorted(pycountry.languages, key=lambda lang: not hasattr(lang, "alpha_2"))
    for lang in ordered:
        code = getattr(lang, "alpha_2", None) or lang.alpha_3
        for key in (getattr(lang, "alpha_2", None), lang.alpha_3, getattr(lang, "bibliographic", None)):
            if key:
                codes.setdefault(key.lower(), code)
        for name in (lang.name, getattr(lang, "common_name", None), getattr(lang, "inverted_name", None)):
            if name:
                index.setdefault(search.normalise(name), code)
                index.setdefault(search.normalise(_PARENTHESIS.sub("", name)), code)
    index.update(_LANGUAGE_ALIASES)
    index.update(codes)  # codes win over names (“ewe” is a language; so is its code)
    return index


def resolve_language(value: str) -> str | None:
    """The stored code for an ISO 639-1/639-3 code or an English language name, case- and accent-insensitive."""
    return _language_index().get(search.normalise(value))


def language_name(code: str) -> str:
    """The English name of a stored language code (two- or three-letter)."""
    name = languages().get(code)
    if name:
        return name
    lang = pycountry.languages.get(alpha_3=code) if len(code) == 3 else None
    return _language_label(lang) if lang is not None else code


def resolve_languages(value: str | Iterable[str] | None) -> tuple[list[str], list[str]]:
    """(codes, values not understood) for a comma-separated list of language codes or names."""
    codes, bad = [], []
    for raw in split_list(value):
        code = resolve_language(raw)
        if code is None:
            bad.append(raw)
        else:
            codes.append(code)
    return list(dict.fromkeys(codes)), bad


def normalise_phone(value: str, *, country: str | None = None) -> str:
    """A phone number in E.164 form, or a ServiceError saying what is wrong with it."""
    raw = value.strip()
    try:
        number = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException as exc:
        raise ServiceError(_l("%(value)s is not a phone number; start with + and the country code.", value=raw),
                           field="phones") from exc
    if not phonenumbers.is_valid_number(number):
        raise ServiceError(_l("%(value)s is not a valid phone number.", value=raw), field="phones")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(number: str | None) -> str:
    """A stored E.164 number as people read it: “+236 70 01 22 03”."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def split_list(value: str | Iterable[str] | None) -> list[str]:
    """Split text on commas, semicolons and new lines; keep order, drop blanks and repeats."""
    if value is None:
        return []
    if isinstance(value, str):
        for sep in (";", "\n", "\r"):
            value = value.replace(sep, ",")
        value = value.split(",")
    return list(dict.fromkeys(v.strip() for v in value if v and v.strip()))


def tags_for(names: Iterable[str]) -> list[Tag]:
    """The Tag rows for *names* (matched case- and accent-insensitively), creating the missing ones."""
    wanted: dict[str, str] = {}
    for name in names:
        name = name.strip()[:60]
        slug = search.normalise(name)[:60]
        if slug:
            wanted.setdefault(slug, name)
    if not wanted:
        return []
    existing = {t.slug: t for t in db.session.scalars(select(Tag).where(Tag.slug.in_(wanted)))}
    result = []
    for slug, name in wanted.items():
        tag = existing.get(slug)
        if tag is None:
            tag = Tag(name=name, slug=slug)
            db.session.add(tag)
        result.append(tag)
    return result


# -- organisations -----------------------------------------------------------------------------

def organisation_subtree_ids(organisation_id: int) -> Select[Any]:
    """A selectable of the ids of an organisation and every organisation below it (recursive CTE)."""
    tree = select(Organisation.id).where(Organisation.id == organisation_id).cte("org_subtree", recursive=True)
    tree = tree.union(select(Organisation.id).where(Organisation.parent_id == tree.c.id))
    return select(tree.c.id)


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
        numbers = list(dict.fromkeys(normalise_phone(raw, country=contact.country) for raw in split_list(data["phones"])))
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
    contact = Contact(created_at=now, updated_at=now, created_by_id=getattr(actor, "id", None), is_archived=False,
                      first_name=data["first_name"], last_name=data["last_name"], stance=data.get("stance") or "neutral",
                      influence=data.get("influence") or 3)
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
        stmt = stmt.where(Contact.id.in_(select(Position.contact_id).where(
            Position.end_date.is_(None), Position.organisation_id.in_(organisation_subtree_ids(filters["organisation"])))))
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
