"""A large synthetic set of instruments for the benchmark: versions, ratings, money, key posts, links."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from collections.abc import Callable

from sqlalchemy import func, insert, select, update

from outreach.contacts.models import Organisation, Position
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.time import now_utc
from outreach.meetings.models import Meeting
from outreach.monitoring.models import (Assessment, Criterion, Funding, Instrument, InstrumentFollower, InstrumentKind,
                                        InstrumentLink, InstrumentVersion, KeyPost)

CHUNK = 500
VERSIONS_EACH = 10
REGIONS = ["Central Africa", "East Africa", "West Africa", "Sahel", "Horn of Africa", "Great Lakes",
           "South-East Asia", "Middle East", "Latin America", "Europe"]


def _bulk(model: type, rows: list[dict[str, Any]]) -> None:
    if rows:
        db.session.execute(insert(model).execution_options(render_nulls=True), rows)


def _next_id(model: type) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def seed_instruments(*, instruments: int, seed: int = 1325, now: datetime | None = None,
                     progress: Callable[[int], Any] = lambda n: None) -> int:
    """Add *instruments*, each with ten versions rated against every criterion; flushes, the caller commits."""
    now = now or now_utc()
    rng = random.Random(seed + 16)
    criteria = list(db.session.scalars(select(Criterion.id).where(Criterion.is_archived.is_(False))))
    orgs = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id).limit(2000)))
    posts = list(db.session.execute(select(Position.organisation_id, Position.title)
                                    .where(Position.end_date.is_(None)).order_by(Position.id).limit(5000)))
    staff = list(db.session.scalars(select(User.id).where(User.role.in_(("coordinator", "manager")))
                                    .order_by(User.id).limit(200)))
    meeting_max = db.session.scalar(select(func.max(Meeting.id))) or 0
    kinds = [k.value for k in InstrumentKind]
    first_instrument, first_version = _next_id(Instrument), _next_id(InstrumentVersion)
    today = now.date()
    version_id = first_version
    for start in range(0, instruments, CHUNK):
        count = min(CHUNK, instruments - start)
        rows, versions, ratings, money, keys, follows, links, pointers = [], [], [], [], [], [], [], []
        for n in range(count):
            iid = first_instrument + start + n
            kind = rng.choice(kinds)
            adopted = today - timedelta(days=rng.randint(800, 7000))
            rows.append(dict(
                id=iid, kind=kind, title=f"Instrument {iid}: {kind.replace('_', ' ')} on women, peace and security",
                short_name=f"{kind[:3].upper()}-{iid}", body_id=rng.choice(orgs) if orgs else None,
                countries=rng.choice(["CF", "CD", "SS", "ML", "SO", "MM", "CO", "YE", "CF,CD", "SD,SS"]),
                region=rng.choice(REGIONS), summary="Synthetic instrument for the benchmark.", documents="",
                adopted_on=adopted, next_decision_on=today + timedelta(days=rng.randint(-30, 540)),
                next_decision_kind=rng.choice(["renewal", "renewal", "review"]), expires_on=None,
                reminder_days="90,30,7", latest_version_id=None, previous_version_id=None, is_public=False,
                public_summary=None, is_archived=rng.random() < 0.05, archived_at=None, revision=1, created_at=now,
                updated_at=now, created_by_id=rng.choice(staff) if staff else None))
            level = {c: rng.randint(0, 3) for c in criteria}
            ids = []
            for v in range(VERSIONS_EACH):
                versions.append(dict(id=version_id, instrument_id=iid,
                                     effective_on=adopted + timedelta(days=365 * v * 0.6 + rng.randint(0, 60)),
                                     reference=f"REF/{iid}/{v + 1}", source_url=None, notes=None, created_at=now,
                                     created_by_id=None))
                for c in criteria:
                    level[c] = max(0, min(3, level[c] + rng.choice((-1, 0, 0, 1))))
                    ratings.append(dict(version_id=version_id, criterion_id=c, rating=level[c],
                                        evidence_quote="Operative paragraph text.", evidence_page=f"OP {v + 3}",
                                        evidence_url=None, is_current=True, assessed_at=now, assessed_by_id=None))
                ids.append(version_id)
                version_id += 1
            pointers.append((iid, ids[-1], ids[-2]))
            for year in range(today.year - 2, today.year + 1):
                for fkind in ("required", "allocated", "spent"):
                    money.append(dict(instrument_id=iid, year=year, kind=fkind,
                                      amount=rng.randint(100, 5000) * 1000, currency=rng.choice(["USD", "EUR"]),
                                      source=None, source_url=None, is_archived=False, created_at=now,
                                      created_by_id=None))
            for org_id, title in rng.sample(posts, k=min(2, len(posts))):
                keys.append(dict(instrument_id=iid, organisation_id=org_id, title=title, created_at=now))
            for user_id in set(rng.sample(staff, k=min(2, len(staff)))):
                follows.append(dict(instrument_id=iid, user_id=user_id, created_at=now))
            for meeting_id in {rng.randint(1, meeting_max) for _ in range(5)} if meeting_max else ():
                links.append(dict(instrument_id=iid, meeting_id=meeting_id, commitment_id=None, linked_at=now,
                                  linked_by_id=None))
        _bulk(Instrument, rows)
        _bulk(InstrumentVersion, versions)
        _bulk(Assessment, ratings)
        _bulk(Funding, money)
        _bulk(KeyPost, list({(k["instrument_id"], k["organisation_id"], k["title"]): k for k in keys}.values()))
        _bulk(InstrumentFollower, follows)
        _bulk(InstrumentLink, links)
        db.session.execute(update(Instrument), [
            {"id": iid, "latest_version_id": latest, "previous_version_id": previous}
            for iid, latest, previous in pointers])
        db.session.flush()
        progress(count)
    return instruments



