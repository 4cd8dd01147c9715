"""A large synthetic practice hub for benchmarks: many rows per INSERT, reproducible from a seed.

`outreach seed --resources N [--seed S]` calls `seed_resources`: N resources (nine in ten published)
with topics, audiences, languages and places, plus a collection for every 400 of them. The search
index follows through the FTS triggers (SQLite) or the trigram index (PostgreSQL).
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any
from collections.abc import Callable

from sqlalchemy import func, insert, select

from outreach.contacts.models import Organisation
from outreach.contacts.search import join_text
from outreach.core.db import db
from outreach.resources.demo import AUDIENCES, TOPICS
from outreach.resources.models import (Audience, Collection, CollectionItem, Resource, ResourceKind, ResourceLanguage,
                                       ResourcePlace, Topic, resource_audience_links, resource_topic_links)
from outreach.resources.services import slugify

BATCH = 2000
_WHAT = ["toolkit", "guide", "handbook", "checklist", "study", "data set", "brief", "module", "case story", "review"]
_ON = ["gender-responsive mediation", "women's protection in mandates", "National Action Plan costing",
       "women in ceasefire monitoring", "survivor-centred referral", "women police recruitment",
       "DDR for women associated with armed groups", "climate and displacement", "electoral violence against women",
       "financing women peacebuilders", "gender advisers in missions", "community alert networks"]
_PLACES = ["CF", "CD", "SS", "ML", "NE", "BF", "SO", "ET", "NG", "SN", "KE", "ID", "PH", "MM", "CO", "UA", "AF", "YE",
           "Sahel", "West Africa", "Great Lakes", "Southeast Asia", "Global"]
_LANGUAGES = ["en", "en", "en", "fr", "fr", "es", "ar", "pt", "sw", "id"]


def _terms(model: Any, names: list[str]) -> list[int]:
    existing = {t.slug: t.id for t in db.session.scalars(select(model))}
    for name in names:
        slug = slugify(name)
        if slug not in existing:
            term = model(slug=slug, name=name)
            db.session.add(term)
            db.session.flush()
            existing[slug] = term.id
    return list(existing.values())


def seed_resources(*, resources: int, seed: int = 1325, now: datetime,
                   progress: Callable[[int], Any] | None = None) -> int:
    """Insert *resources* and their collections in batches; flushes only. Returns how many were added."""
    rng = random.Random(seed)
    step = progress or (lambda n: None)
    topic_ids, audience_ids = _terms(Topic, TOPICS), _terms(Audience, AUDIENCES)
    publishers = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id).limit(2000))) or [None]
    base = db.session.scalar(select(func.max(Resource.id))) or 0
    kinds = [k.value for k in ResourceKind]
    published: list[int] = []
    for start in range(0, resources, BATCH):
        rows, topics, audiences, languages, places = [], [], [], [], []
        for j in range(min(BATCH, resources - start)):
            rid = base + start + j + 1
            title = f"{rng.choice(_ON).capitalize()}: a {rng.choice(_WHAT)} ({rid})"
            summary = f"What worked on {rng.choice(_ON)} in {rng.choice(_PLACES)}, and what it takes to do it again."
            status = "published" if rng.random() < 0.9 else rng.choice(("draft", "in_review", "retired"))
            when = now - timedelta(days=rng.randint(0, 2000))
            rows.append({"id": rid, "title": title, "summary": summary, "kind": rng.choice(kinds),
                         "publisher_id": rng.choice(publishers), "url": f"https://example.org/hub/{rid}",
                         "issued_on": date(2010, 1, 1) + timedelta(days=rng.randint(0, 5800)),
                         "evidence": rng.choice(("anecdotal", "practice_based", "emerging", "strong", None)),
                         "status": status, "is_demo": False, "search_text": join_text([title, summary]),
                         "published_at": when if status in ("published", "retired") else None,
                         "created_at": when, "updated_at": when})
            if status == "published":
                published.append(rid)
            topics += [{"resource_id": rid, "topic_id": t} for t in rng.sample(topic_ids, k=rng.randint(1, 3))]
            audiences += [{"resource_id": rid, "audience_id": a} for a in rng.sample(audience_ids, k=rng.randint(1, 2))]
            languages += [{"resource_id": rid, "code": c} for c in set(rng.sample(_LANGUAGES, k=rng.randint(1, 2)))]
            places += [{"resource_id": rid, "code": p} for p in set(rng.sample(_PLACES, k=rng.randint(1, 3)))]
        db.session.execute(insert(Resource).execution_options(render_nulls=True), rows)
        db.session.execute(insert(resource_topic_links), topics)
        db.session.execute(insert(resource_audience_links), audiences)
        db.session.execute(insert(ResourceLanguage), languages)
        db.session.execute(insert(ResourcePlace), places)
        step(len(rows))
    if db.dialect == "postgresql" and resources:
        # Explicit ids were inserted: move the sequence past them.
        db.session.execute(select(func.setval(func.pg_get_serial_sequence("resources", "id"),
                                              select(func.max(Resource.id)).scalar_subquery())))
    for k in range(max(resources // 400, 1) if published else 0):
        collection = Collection(slug=f"bench-{seed}-{base}-{k}", title=f"Briefing pack {k + 1}",
                                description="A saved selection.", created_at=now, updated_at=now)
        db.session.add(collection)
        db.session.flush()
        chosen = rng.sample(published, k=min(20, len(published)))
        db.session.execute(insert(CollectionItem), [{"collection_id": collection.id, "resource_id": rid, "position": i}
                                                    for i, rid in enumerate(chosen)])
    db.session.flush()
    return resources
