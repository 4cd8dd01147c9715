"""Large synthetic introductions for the benchmark: activist profiles and requests in every state, in bulk.

Core bulk inserts (no ORM objects, no audit rows, no messages). Every activist account gets a profile
(so the benchmark's activist has requests); the identities are generated and encrypted like real ones.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from collections.abc import Callable

from sqlalchemy import func, insert, select

from outreach.contacts.models import Position
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.permissions import Role
from outreach.introductions import crypto
from outreach.introductions.models import (ActivistProfile, DoorOpener, IntroductionRequest, RequestState,
                                           RequestTransition)

S = RequestState
CHUNK = 2000
#: state → (share of requests, the path that leads there)
PATHS: dict[str, tuple[int, tuple[str, ...]]] = {
    S.SUBMITTED.value: (10, ()),
    S.TRIAGED.value: (8, (S.TRIAGED.value,)),
    S.OFFERED.value: (10, (S.TRIAGED.value, S.OFFERED.value)),
    S.DECLINED.value: (5, (S.TRIAGED.value, S.OFFERED.value, S.DECLINED.value)),
    S.ACCEPTED.value: (8, (S.TRIAGED.value, S.OFFERED.value, S.ACCEPTED.value)),
    S.INTRODUCED.value: (6, (S.TRIAGED.value, S.OFFERED.value, S.ACCEPTED.value, S.INTRODUCED.value)),
    S.MEETING_SCHEDULED.value: (5, (S.TRIAGED.value, S.OFFERED.value, S.ACCEPTED.value, S.INTRODUCED.value,
                                    S.MEETING_SCHEDULED.value)),
    S.CLOSED.value: (40, (S.TRIAGED.value, S.OFFERED.value, S.ACCEPTED.value, S.INTRODUCED.value,
                          S.MEETING_SCHEDULED.value, S.CLOSED.value)),
    S.WITHDRAWN.value: (8, (S.WITHDRAWN.value,)),
}
LANGUAGES = ("en", "fr", "ar", "es", "sw", "pt", "my", "ru")
COUNTRIES = ("CF", "CD", "SS", "ML", "MM", "CO", "YE", "SD", "NE", "NG", "SO", "AF", "PH", "LB", "ET")


def seed_introductions(*, requests: int, seed: int, now: datetime,
                       progress: Callable[[int], Any] | None = None) -> int:
    """Insert *requests* introduction requests (and the profiles they need); flushes only."""
    rng = random.Random(seed + 14)
    step = progress or (lambda _n: None)
    users = db.session.execute(select(User.id, User.role).where(User.is_active_account.is_(True))).all()
    activists = [uid for uid, role in users if role == Role.ACTIVIST.value]
    partners = [uid for uid, role in users if role == Role.PARTNER.value]
    staff = [uid for uid, role in users if role == Role.COORDINATOR.value] or [uid for uid, _r in users]
    targets = list(db.session.scalars(select(Position.contact_id).where(Position.end_date.is_(None))
                                      .order_by(Position.contact_id).limit(20_000)))
    if not targets or not partners or not staff:
        raise ValueError("Seed users (with partners and coordinators) and the directory before introductions.")
    taken = set(db.session.scalars(select(ActivistProfile.user_id).where(ActivistProfile.user_id.is_not(None))))
    first_profile = (db.session.scalar(select(func.max(ActivistProfile.id))) or 0) + 1
    wanted = max(requests // 4, 1)
    owners = [uid for uid in activists if uid not in taken][:wanted]
    owners += [None] * max(0, wanted - len(owners))
    token = crypto.encrypt("Seeded identity")  # one token, valid under the configured keys
    profiles = [{"id": first_profile + i, "user_id": uid, "codename": f"Seeded codename {first_profile + i}",
                 "legal_name_token": token, "email_token": token, "phone_token": token, "city_token": token,
                 "country": rng.choice(COUNTRIES), "organisation": None, "focus_areas": "protection, participation",
                 "languages": ",".join(sorted(rng.sample(LANGUAGES, 2))), "risk_tier": rng.choice(
                     ("standard", "standard", "elevated", "high")), "bio": "Seeded activist.", "is_purged": False,
                 "created_at": now - timedelta(days=800), "updated_at": now - timedelta(days=800)}
                for i, uid in enumerate(owners)]
    for start in range(0, len(profiles), CHUNK):
        db.session.execute(insert(ActivistProfile), profiles[start:start + CHUNK])
    existing = set(db.session.scalars(select(DoorOpener.user_id)))
    openers = [{"user_id": uid, "languages": ",".join(sorted(rng.sample(LANGUAGES, rng.randint(1, 3)))),
                "countries": ",".join(sorted(rng.sample(COUNTRIES, rng.randint(1, 4)))), "updated_at": now}
               for uid in partners if uid not in existing]
    for start in range(0, len(openers), CHUNK):
        db.session.execute(insert(DoorOpener), openers[start:start + CHUNK])
    states = [state for state, (share, _path) in PATHS.items() for _ in range(share)]
    next_request = (db.session.scalar(select(func.max(IntroductionRequest.id))) or 0) + 1
    rows: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    for n in range(requests):
        state = rng.choice(states)
        created = now - timedelta(days=730 * (requests - n) / requests, hours=rng.randint(0, 23))
        partner = rng.choice(partners)
        rid = next_request + n
        at = created
        steps.append({"request_id": rid, "from_state": None, "to_state": S.SUBMITTED.value, "at": at,
                      "actor_id": profiles[n % len(profiles)]["user_id"], "partner_id": None, "note": None})
        previous = S.SUBMITTED.value
        for to_state in PATHS[state][1]:
            at = min(now, at + timedelta(hours=rng.randint(4, 96)))
            steps.append({"request_id": rid, "from_state": previous, "to_state": to_state, "at": at,
                          "actor_id": rng.choice(staff), "note": None,
                          "partner_id": partner if to_state not in (S.TRIAGED.value, S.WITHDRAWN.value) else None})
            previous = to_state
        holds = state in (S.OFFERED.value, S.ACCEPTED.value, S.INTRODUCED.value, S.MEETING_SCHEDULED.value,
                          S.CLOSED.value)
        rows.append({"id": rid, "profile_id": profiles[n % len(profiles)]["id"], "contact_id": rng.choice(targets),
                     "organisation_id": None, "purpose": "Seeded purpose: brief the office on protection concerns.",
                     "ask": "A short meeting.", "urgency": rng.choice(("normal", "soon", "urgent")),
                     "window_start": None, "window_end": None, "languages": "", "state": state,
                     "state_changed_at": at, "partner_id": partner if holds else None, "meeting_id": None,
                     "outcome": "Seeded outcome." if state == S.CLOSED.value else None,
                     "created_at": created, "updated_at": at})
        if len(rows) == CHUNK:
            _flush(rows, steps)
            step(len(rows))
            rows, steps = [], []
    if rows:
        _flush(rows, steps)
        step(len(rows))
    db.session.flush()
    return requests


def _flush(rows: list[dict[str, Any]], steps: list[dict[str, Any]]) -> None:
    db.session.execute(insert(IntroductionRequest), rows)
    db.session.execute(insert(RequestTransition).execution_options(render_nulls=True), steps)
