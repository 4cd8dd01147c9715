"""A large synthetic directory for benchmarks: many rows per INSERT, reproducible from a seed.

`outreach seed --organisations M --contacts N [--seed S]` calls `seed_directory`; the search
index follows through the FTS triggers (SQLite) or the trigram index (PostgreSQL).
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from collections.abc import Callable

from sqlalchemy import func, insert, select

from outreach.contacts.models import (Contact, ContactEmail, ContactList, ContactListMember, Organisation,
                                      OrganisationKind, Position, Stance, Tag, contact_tags)
from outreach.contacts.search import join_text, normalise
from outreach.core.db import db

BATCH = 5000
_SYLLABLES = ["ka", "lo", "mi", "na", "ra", "se", "ti", "vo", "du", "fa", "gi", "ho", "ju", "ke", "ly", "mo", "ne",
              "pa", "qu", "ri", "sa", "to", "ul", "vi", "wa", "ya", "zo", "an", "el", "is", "or", "ba", "de"]
_FIRST = ["Amina", "Fatou", "Jean", "Hélène", "Ngozi", "Kofi", "Aïssatou", "Joseph", "Marie", "Samuel", "Grace",
          "Ibrahim", "Mariam", "Tomás", "Ingrid", "Nguyen", "Siti", "Rahel", "Pierre", "Chantal", "Daniel", "Esther",
          "Moussa", "Awa", "Paul", "Béatrice", "Ahmed", "Zainab", "Wanjiru", "Astrid", "Dewi", "Thandiwe", "Émile"]
_UNITS = ["Office", "Department", "Directorate", "Unit", "Section", "Mission", "Ministry", "Agency", "Division"]
_TOPICS = ["Peace Operations", "Political Affairs", "Gender Affairs", "Human Rights", "Security Sector Reform",
           "Humanitarian Affairs", "Protection of Civilians", "Mediation", "Disarmament", "Elections"]
_TITLES = ["Director", "Head of Section", "Senior Adviser", "Programme Officer", "Desk Officer", "Chief of Staff",
           "Gender Adviser", "Special Envoy", "Minister", "Commissioner"]
_COUNTRIES = ["CF", "CD", "SS", "ML", "SO", "ET", "NG", "SN", "GH", "KE", "ID", "PH", "MM", "NO", "SE", "FR", "GB",
              "US", "CO", "UA", "AF", "YE", "LB", "SD"]
_TAGS = ["budget", "mandate drafting", "1325 NAP", "troop contributor", "donor", "champion network"]


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def seed_directory(*, contacts: int, organisations: int, seed: int = 1325, now: datetime,
                   progress: Callable[[int], Any] | None = None) -> dict[str, int]:
    """Insert *organisations* (a tree) and *contacts* (each with a post, some moved) in batches; flushes only."""
    rng = random.Random(seed)
    step = progress or (lambda n: None)
    base_org = (db.session.scalar(select(func.max(Organisation.id))) or 0)
    base_contact = (db.session.scalar(select(func.max(Contact.id))) or 0)
    kinds = [k.value for k in OrganisationKind]
    org_rows: list[dict[str, Any]] = []
    for i in range(organisations):
        oid = base_org + i + 1
        parent = None if i < max(organisations // 20, 1) else base_org + rng.randint(1, i)
        name = f"{rng.choice(_UNITS)} of {rng.choice(_TOPICS)} {_word(rng, 2)}"
        acronym = "".join(w[0] for w in name.split() if w[0].isupper()) + str(i)
        org_rows.append({"id": oid, "name": name, "acronym": acronym, "kind": rng.choice(kinds), "parent_id": parent,
                         "country": rng.choice(_COUNTRIES), "region": None, "is_archived": False, "created_at": now,
                         "updated_at": now, "search_text": join_text([acronym, name])})
    for start in range(0, len(org_rows), BATCH):
        db.session.execute(insert(Organisation).execution_options(render_nulls=True), org_rows[start:start + BATCH])
        step(len(org_rows[start:start + BATCH]))
    org_ids = [r["id"] for r in org_rows] or list(db.session.scalars(select(Organisation.id).limit(10000)))
    if not org_ids and contacts:
        raise ValueError("There are no organisations to give the contacts posts in; add --organisations.")
    tag_ids = _ensure_tags()
    stances = [s.value for s in Stance]
    today = now.date()
    for start in range(0, contacts, BATCH):
        size = min(BATCH, contacts - start)
        people, emails, posts, tags = [], [], [], []
        for j in range(size):
            cid = base_contact + start + j + 1
            first, last = rng.choice(_FIRST), _word(rng, rng.randint(2, 3))
            title = rng.choice(_TITLES)
            email = f"{normalise(first).replace(' ', '')}.{last.lower()}{cid}@example.org"
            people.append({"id": cid, "first_name": first, "last_name": last, "country": rng.choice(_COUNTRIES),
                           "stance": rng.choice(stances), "influence": rng.randint(1, 5), "is_archived": False,
                           "cadence_days": rng.choice([None, 30, 60, 90]),
                           "last_touch_at": now - timedelta(days=rng.randint(0, 400)) if rng.random() < 0.6 else None,
                           "created_at": now, "updated_at": now,
                           "search_text": join_text([first, last, email, title])})
            emails.append({"contact_id": cid, "email": email, "is_primary": True})
            started = today - timedelta(days=rng.randint(30, 3000))
            if rng.random() < 0.15:  # moved posts
                posts.append({"contact_id": cid, "organisation_id": rng.choice(org_ids), "title": rng.choice(_TITLES),
                              "start_date": started - timedelta(days=700), "end_date": started, "created_at": now})
            posts.append({"contact_id": cid, "organisation_id": rng.choice(org_ids), "title": title,
                          "start_date": started, "end_date": None, "created_at": now})
            if tag_ids and rng.random() < 0.3:
                tags.append({"contact_id": cid, "tag_id": rng.choice(tag_ids)})
        # render_nulls: rows with and without a value (last touch, a post's end) go in one batch, not one by one.
        db.session.execute(insert(Contact).execution_options(render_nulls=True), people)
        db.session.execute(insert(ContactEmail), emails)
        db.session.execute(insert(Position).execution_options(render_nulls=True), posts)
        if tags:
            db.session.execute(insert(contact_tags), tags)
        step(size)
    if db.dialect == "postgresql":
        # Explicit ids were inserted: move the sequences past them.
        for table in ("organisations", "contacts"):
            db.session.execute(select(func.setval(func.pg_get_serial_sequence(table, "id"),
                                                  select(func.coalesce(func.max(Organisation.id if table ==
                                                         "organisations" else Contact.id), 1)).scalar_subquery())))
    db.session.flush()
    made = _seed_lists(random.Random(seed + 1), range(base_contact + 1, base_contact + contacts + 1), now)
    return {"organisations": organisations, "contacts": contacts, "lists": made}


#: The benchmark's contact lists: a few, the largest as big as a bulk action may make one.
SEED_LISTS = 5
LARGEST_LIST = 5_000


def _seed_lists(rng: random.Random, contact_ids: range, now: datetime) -> int:
    if not contact_ids:
        return 0
    for i in range(SEED_LISTS):
        size = min(len(contact_ids), LARGEST_LIST if i == 0 else rng.randint(20, 500))
        lst = ContactList(name=f"{rng.choice(_TOPICS)} list {_word(rng, 2)} {i + 1}", is_archived=False,
                          created_at=now, updated_at=now)
        db.session.add(lst)
        db.session.flush()
        rows = [{"list_id": lst.id, "contact_id": cid, "added_at": now} for cid in rng.sample(contact_ids, size)]
        for start in range(0, len(rows), BATCH):
            db.session.execute(insert(ContactListMember), rows[start:start + BATCH])
    return SEED_LISTS


def _ensure_tags() -> list[int]:
    have = {t.slug: t.id for t in db.session.scalars(select(Tag))}
    for name in _TAGS:
        if normalise(name) not in have:
            tag = Tag(name=name, slug=normalise(name))
            db.session.add(tag)
            db.session.flush()
            have[tag.slug] = tag.id
    return [have[normalise(n)] for n in _TAGS]
