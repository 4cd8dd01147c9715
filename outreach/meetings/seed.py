"""Large synthetic data for the benchmark: meetings, attendees, commitments and follow-ups in bulk.

Core bulk inserts in chunks (no ORM objects, no audit rows): hundreds of thousands of rows in
seconds. Uses the contacts, organisations and users that exist; run the directory seed first.
"""
from __future__ import annotations

import random
from datetime import timedelta
from typing import Callable

from sqlalchemy import func, insert, select, text, update

from outreach.contacts.models import Contact, Position
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.permissions import Role
from outreach.core.time import now_utc
from outreach.meetings import tallies
from outreach.meetings.models import (Attendee, Commitment, CommitmentChange, CommitmentStatus, FollowUp, Meeting,
                                      MeetingStatus)
from outreach.meetings.services import latest_touches

CHUNK = 5000
ZONES = ("Africa/Addis_Ababa", "America/New_York", "Africa/Bangui", "Africa/Lagos", "Asia/Jakarta",
         "Europe/Brussels", "Africa/Nairobi", "Europe/Geneva")
KINDS = ("meeting", "meeting", "call", "call", "event", "email", "other")
CATEGORIES = ("mandate_language", "funding", "appointment_of_women", "policy", "data", "access", "other")


class SeedError(RuntimeError):
    """The database lacks what the generator builds on."""


def _chunks(total: int) -> range:
    return range(0, total, CHUNK)


def _next_id(model: type) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def seed_meetings(*, meetings: int, commitments: int, follow_ups: int, seed: int = 1325,
                  progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Insert the given numbers of rows; *progress* is called with the number of rows just written."""
    rng = random.Random(seed)
    now = now_utc()
    contact_ids = list(db.session.scalars(select(Contact.id).where(Contact.is_archived.is_(False))))
    user_rows = db.session.execute(select(User.id, User.role).where(User.is_active_account.is_(True))).all()
    if not contact_ids or not user_rows:
        raise SeedError("Seed contacts and users first: meetings need targets and people to log them.")
    loggers = [uid for uid, role in user_rows if role != Role.ACTIVIST.value] or [user_rows[0][0]]
    org_of = dict(db.session.execute(select(Position.contact_id, Position.organisation_id)
                                     .where(Position.end_date.is_(None))).all())
    step = progress or (lambda _n: None)
    first_meeting = _next_id(Meeting)
    span = timedelta(days=600).total_seconds()
    start_base = now - timedelta(days=540)
    attendee_rows: list[dict] = []
    for offset in _chunks(meetings):
        rows = []
        for i in range(offset, min(offset + CHUNK, meetings)):
            start = start_base + timedelta(seconds=rng.random() * span)
            contact = rng.choice(contact_ids)
            past = start < now
            rows.append(dict(
                id=first_meeting + i, kind=rng.choice(KINDS), title=f"Meeting {first_meeting + i}", start_at=start,
                end_at=start + timedelta(minutes=60), timezone=rng.choice(ZONES), organisation_id=org_of.get(contact),
                status=(MeetingStatus.HELD.value if past and rng.random() > 0.05 else
                        MeetingStatus.CANCELLED.value if past else MeetingStatus.PLANNED.value),
                organiser_id=rng.choice(loggers), revision=1, created_at=min(start, now), updated_at=min(start, now)))
            attendee_rows.append(dict(meeting_id=first_meeting + i, contact_id=contact, user_id=None, role="target"))
            attendee_rows.append(dict(meeting_id=first_meeting + i, contact_id=None, user_id=rows[-1]["organiser_id"],
                                      role="partner"))
        db.session.execute(insert(Meeting), rows)
        step(len(rows))
    for offset in range(0, len(attendee_rows), CHUNK):
        db.session.execute(insert(Attendee), attendee_rows[offset:offset + CHUNK])
    statuses = [s.value for s in CommitmentStatus]
    first_commitment = _next_id(Commitment)
    for offset in _chunks(commitments):
        rows, changes = [], []
        for i in range(offset, min(offset + CHUNK, commitments)):
            contact = rng.choice(contact_ids)
            status = rng.choice(statuses)
            created = start_base + timedelta(seconds=rng.random() * span)
            cid = first_commitment + i
            rows.append(dict(
                id=cid, meeting_id=first_meeting + rng.randrange(meetings) if meetings else None, contact_id=contact,
                organisation_id=org_of.get(contact), description=f"Commitment {cid}", category=rng.choice(CATEGORIES),
                due_date=(created + timedelta(days=rng.randint(30, 240))).date(),
                accountable_id=rng.choice(loggers), status=status, status_changed_at=created,
                created_by_id=rng.choice(loggers), created_at=created, updated_at=created))
            changes.append(dict(commitment_id=cid, from_status=None, to_status=status, changed_at=created,
                                changed_by_id=None))
        db.session.execute(insert(Commitment), rows)
        db.session.execute(insert(CommitmentChange), changes)
        step(len(rows))
    for offset in _chunks(follow_ups):
        rows = []
        for i in range(offset, min(offset + CHUNK, follow_ups)):
            due = start_base + timedelta(seconds=rng.random() * span)
            done = due < now - timedelta(days=3) and rng.random() < 0.9
            rows.append(dict(
                task=f"Follow-up {i}", due_at=due, assignee_id=rng.choice(loggers),
                meeting_id=first_meeting + rng.randrange(meetings) if meetings else None,
                contact_id=rng.choice(contact_ids), status="done" if done else "open", reminder_offsets="1440,0",
                remind_daily_when_overdue=True, completed_at=due if done else None, created_at=due - timedelta(days=7),
                updated_at=due))
        db.session.execute(insert(FollowUp), rows)
        step(len(rows))
    tallies.rebuild()  # bulk inserts bypass the ORM events that keep the scorecard counters
    touches = [{"id": cid, "last_touch_at": latest} for cid, latest in latest_touches().items()]
    for offset in range(0, len(touches), CHUNK):
        db.session.execute(update(Contact), touches[offset:offset + CHUNK])
    if db.dialect == "postgresql":  # ids were given explicitly: move the sequences past them
        for table in ("meetings", "commitments"):
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                    f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    db.session.commit()
    return {"meetings": meetings, "attendees": len(attendee_rows), "commitments": commitments, "follow_ups": follow_ups}


__all__ = ["seed_meetings", "SeedError"]
