"""Large synthetic data for the benchmark: meetings, attendees, commitments and follow-ups in bulk.

Core bulk inserts in chunks (no ORM objects, no audit rows): hundreds of thousands of rows in
seconds. Uses the contacts, organisations and users that exist; run the directory seed first.

The data looks like a coalition that has used Outreach for years, the day after a normal worker
day: follow-ups due long ago are mostly done (some cancelled), a few are open and overdue;
commitments past their date were kept, broken, withdrawn or marked overdue; and the reminders,
notices and digests the worker would already have sent are in the outbox as sent (in-app ones in
the inbox, most of them read). A tick at *now* finds nothing due; later ones find what a normal
day brings.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from collections.abc import Callable

from sqlalchemy import func, insert, select, text, update

from outreach.contacts.models import Contact, Position
from outreach.core.auth.models import User
from outreach.core.db import db, starts_with
from outreach.core.notifications import CHANNELS, DEFAULT_DIGEST_HOUR, SENT, Notification, OutboxMessage
from outreach.core.permissions import Role
from outreach.core.time import day_start, local_day_bounds, now_utc, today_at
from outreach.meetings import tallies
from outreach.meetings.jobs import COMMITMENT_NOTICE, MAX_OFFSET, instants_for, users_with_a_day
from outreach.meetings.models import (Attendee, Commitment, CommitmentChange, CommitmentStatus, FollowUp, Meeting,
                                      MeetingStatus)
from outreach.meetings.services import latest_touches

CHUNK = 5000
ZONES = ("Africa/Addis_Ababa", "America/New_York", "Africa/Bangui", "Africa/Lagos", "Asia/Jakarta",
         "Europe/Brussels", "Africa/Nairobi", "Europe/Geneva")
KINDS = ("meeting", "meeting", "call", "call", "event", "email", "other")
CATEGORIES = ("mandate_language", "funding", "appointment_of_women", "policy", "data", "access", "other")
#: How far back the outbox keeps the follow-up reminders it sent (older history is not generated).
REMINDER_HISTORY = timedelta(days=7)


class SeedError(RuntimeError):
    """The database lacks what the generator builds on."""


def _chunks(total: int) -> range:
    return range(0, total, CHUNK)


def _bulk_insert(model: type, rows: list[dict[str, Any]]) -> None:
    """Many rows in few statements. render_nulls: rows whose None values differ (a target's attendance, a
    partner's) would otherwise be grouped apart and sent one INSERT each."""
    db.session.execute(insert(model).execution_options(render_nulls=True), rows)


def _next_id(model: type) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _contacts_at(rng: random.Random) -> int:
    """Contacts at one meeting, long-tailed: mostly one or two, now and then a round table (mean about 2.3)."""
    roll = rng.random()
    if roll < 0.45:
        return 1
    if roll < 0.75:
        return 2
    if roll < 0.88:
        return 3
    if roll < 0.985:
        return rng.randint(4, 6)
    return rng.randint(10, 40)


def _follow_up_state(rng: random.Random, due: datetime, created: datetime,
                     now: datetime) -> tuple[str, datetime | None]:
    """Open, done or cancelled, and when it was closed: the older the due time, the likelier it is settled."""
    age = now - due
    if age < timedelta(0):
        return ("done", created + (now - created) * rng.random()) if rng.random() < 0.04 else ("open", None)
    open_share = 0.6 if age < timedelta(days=3) else 0.2 if age < timedelta(days=30) else 0.02
    roll = rng.random()
    if roll < open_share:
        return "open", None
    closed = min(due + timedelta(days=rng.expovariate(1.0)), now - timedelta(minutes=1))
    return ("cancelled" if roll < open_share + 0.05 else "done"), max(closed, created)


def _commitment_state(rng: random.Random, created: datetime, due: datetime, now: datetime) -> tuple[str, datetime]:
    """Status and when it was set: past their date, commitments are settled or already marked overdue."""
    if due.date() >= now.date():
        roll = rng.random()
        status = ("open" if roll < 0.55 else "on_track" if roll < 0.9 else "kept" if roll < 0.96 else "withdrawn")
        return status, created if status == "open" else created + (now - created) * rng.random()
    recent = now - due < timedelta(days=45)
    roll = rng.random()
    if roll < (0.45 if recent else 0.12):
        return "overdue", day_start(due.date() + timedelta(days=1)) + timedelta(minutes=rng.randint(0, 90))
    status = rng.choices(("kept", "partly_kept", "broken", "withdrawn"), (0.45, 0.22, 0.22, 0.11))[0]
    return status, min(due + timedelta(days=rng.expovariate(1 / 10)), now - timedelta(minutes=1))


def seed_meetings(*, meetings: int, commitments: int, follow_ups: int, seed: int = 1325, now: datetime | None = None,
                  progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Insert the given numbers of rows; *progress* is called with the number of rows just written."""
    rng = random.Random(seed)
    now = now or now_utc()
    contact_ids = list(db.session.scalars(select(Contact.id).where(Contact.is_archived.is_(False))
                                          .order_by(Contact.id)))
    user_rows = db.session.execute(select(User.id, User.role).where(User.is_active_account.is_(True))
                                   .order_by(User.id)).all()
    if not contact_ids or not user_rows:
        raise SeedError("Seed contacts and users first: meetings need targets and people to log them.")
    loggers = [uid for uid, role in user_rows if role != Role.ACTIVIST.value] or [user_rows[0][0]]
    everyone = [uid for uid, _role in user_rows]
    org_of = dict(db.session.execute(select(Position.contact_id, Position.organisation_id)
                                     .where(Position.end_date.is_(None))).all())
    step = progress or (lambda _n: None)
    first_meeting = _next_id(Meeting)
    span = timedelta(days=600).total_seconds()
    start_base = now - timedelta(days=540)
    attendees = 0
    for offset in _chunks(meetings):
        rows, attendee_rows = [], []
        for i in range(offset, min(offset + CHUNK, meetings)):
            mid = first_meeting + i
            start = start_base + timedelta(seconds=rng.random() * span)
            targets = rng.sample(contact_ids, min(_contacts_at(rng), len(contact_ids)))
            past = start < now
            organiser = rng.choice(loggers)
            rows.append(dict(
                id=mid, kind=rng.choice(KINDS), title=f"Meeting {mid}", start_at=start,
                end_at=start + timedelta(minutes=60), timezone=rng.choice(ZONES),
                organisation_id=org_of.get(targets[0]),
                status=(MeetingStatus.HELD.value if past and rng.random() > 0.05 else
                        MeetingStatus.CANCELLED.value if past else MeetingStatus.PLANNED.value),
                organiser_id=organiser, revision=1, created_at=min(start, now), updated_at=min(start, now),
                initiated_by=("target", "us", "us", None)[mid % 4]))
            attendee_rows += [dict(meeting_id=mid, contact_id=c, user_id=None, role="target") for c in targets]
            people = {organiser}
            if rng.random() < 0.1:  # a colleague or an activist came along
                people.add(rng.choice(everyone))
            attendee_rows += [dict(meeting_id=mid, contact_id=None, user_id=u, role="partner") for u in sorted(people)]
        _bulk_insert(Meeting, rows)
        _bulk_insert(Attendee, attendee_rows)
        attendees += len(attendee_rows)
        step(len(rows))
    first_commitment = _next_id(Commitment)
    for offset in _chunks(commitments):
        rows, changes = [], []
        for i in range(offset, min(offset + CHUNK, commitments)):
            contact = rng.choice(contact_ids)
            created = now - timedelta(seconds=rng.random() * timedelta(days=540).total_seconds())
            due = created + timedelta(days=rng.randint(30, 240))
            status, changed = _commitment_state(rng, created, due, now)
            cid = first_commitment + i
            rows.append(dict(
                id=cid, meeting_id=first_meeting + rng.randrange(meetings) if meetings else None, contact_id=contact,
                organisation_id=org_of.get(contact), description=f"Commitment {cid}", category=rng.choice(CATEGORIES),
                due_date=due.date(), accountable_id=rng.choice(loggers), status=status, status_changed_at=changed,
                created_by_id=rng.choice(loggers), created_at=created, updated_at=changed))
            changes.append(dict(commitment_id=cid, from_status=None, to_status="open", changed_at=created,
                                changed_by_id=None))
            if status != "open":
                changes.append(dict(commitment_id=cid, from_status="open", to_status=status, changed_at=changed,
                                    changed_by_id=None))
        _bulk_insert(Commitment, rows)
        _bulk_insert(CommitmentChange, changes)
        step(len(rows))
    first_follow_up = _next_id(FollowUp)
    for offset in _chunks(follow_ups):
        rows = []
        for i in range(offset, min(offset + CHUNK, follow_ups)):
            due = start_base + timedelta(seconds=rng.random() * span)
            created = due - timedelta(days=rng.uniform(1, 21))
            if created > now:
                created = now - timedelta(hours=rng.uniform(1, 72))
            status, closed = _follow_up_state(rng, due, created, now)
            rows.append(dict(
                id=first_follow_up + i, task=f"Follow-up {i}", due_at=due, assignee_id=rng.choice(loggers),
                meeting_id=first_meeting + rng.randrange(meetings) if meetings else None,
                contact_id=rng.choice(contact_ids), status=status, reminder_offsets="1440,0",
                remind_daily_when_overdue=True, completed_at=closed, created_at=created, updated_at=closed or created))
        _bulk_insert(FollowUp, rows)
        step(len(rows))
    tallies.rebuild()  # bulk inserts bypass the ORM events that keep the scorecard counters
    touches = [{"id": cid, "last_touch_at": latest} for cid, latest in latest_touches().items()]
    for offset in range(0, len(touches), CHUNK):
        db.session.execute(update(Contact), touches[offset:offset + CHUNK])
    sent = seed_sent_messages(rng, now, first_follow_up=first_follow_up, first_commitment=first_commitment)
    if db.dialect == "postgresql":  # ids were given explicitly: move the sequences past them
        for table in ("meetings", "commitments", "follow_ups", "outbox_messages"):
            db.session.execute(
                text(
                    # table names from the literal tuple above
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
    db.session.commit()
    return {"meetings": meetings, "attendees": attendees, "commitments": commitments, "follow_ups": follow_ups,
            "outbox": sent}


def seed_sent_messages(rng: random.Random, now: datetime, *, first_follow_up: int, first_commitment: int) -> int:
    """What the worker has sent by *now*: reminders of the open follow-ups and notices of the commitments this seed
    added (from the ids given on), and today's digests of those who have none yet."""
    messages: list[tuple[str, int, datetime, str]] = []  # (subject, user id, due time, title)
    open_follow_ups = db.session.execute(
        select(FollowUp.id, FollowUp.assignee_id, FollowUp.due_at, FollowUp.reminder_offsets,
               FollowUp.remind_daily_when_overdue, FollowUp.created_at, FollowUp.task)
        .where(FollowUp.id >= first_follow_up, FollowUp.status == "open", FollowUp.due_at <= now + MAX_OFFSET,
               FollowUp.due_at > now - REMINDER_HISTORY - timedelta(days=31)).order_by(FollowUp.id)).all()
    for fid, user_id, due, offsets, daily, created, task in open_follow_ups:
        for instant in instants_for(due, offsets, daily):
            if now - REMINDER_HISTORY < instant <= now and instant >= created - timedelta(minutes=1):
                messages.append((f"follow_up:{fid}:remind", user_id, instant,
                                 f"Overdue: {task}" if due < now else f"Follow-up due: {task}"))
    today = now.date()
    for cid, user_id, due, status in db.session.execute(
            select(Commitment.id, Commitment.accountable_id, Commitment.due_date, Commitment.status)
            .where(Commitment.id >= first_commitment, Commitment.accountable_id.is_not(None),
                   ((Commitment.status == CommitmentStatus.OVERDUE.value) |
                    (Commitment.status.in_(("open", "on_track")) &
                     (Commitment.due_date <= today + COMMITMENT_NOTICE))))
            .order_by(Commitment.id)):
        if status == CommitmentStatus.OVERDUE.value:
            messages.append((f"commitment:{cid}:overdue", user_id, day_start(due + timedelta(days=1)),
                             f"Commitment overdue: {cid}"))
        else:
            messages.append((f"commitment:{cid}:due", user_id, day_start(due - COMMITMENT_NOTICE),
                             f"Commitment due {due:%d %b}: {cid}"))
    zones = dict(db.session.execute(select(User.id, User.timezone).where(User.is_active_account.is_(True))).all())
    windows = {uid: local_day_bounds(zone, now) for uid, zone in zones.items()
               if today_at(zone, DEFAULT_DIGEST_HOUR, now) <= now}
    had = set(db.session.scalars(select(OutboxMessage.user_id).where(
        starts_with(OutboxMessage.subject, "digest:"),
        OutboxMessage.due_at > now - timedelta(days=1))))
    # Like the job: only those whose day holds anything got one.
    digests = [(f"digest:{uid}", uid, today_at(zones[uid], DEFAULT_DIGEST_HOUR, now), "Your day")
               for uid in sorted(users_with_a_day(windows) if windows else ()) if uid not in had]
    next_id = _next_id(OutboxMessage)
    outbox: list[dict[str, Any]] = []
    inbox: list[dict[str, Any]] = []
    for subject, user_id, instant, title in messages + digests:
        for channel in (("email",) if subject.startswith("digest:") else CHANNELS):
            sent_at = instant + timedelta(seconds=rng.randint(5, 120))
            outbox.append(dict(id=next_id, subject=subject, channel=channel, due_at=instant, user_id=user_id,
                               title=title[:300], body_text=title, body_html=None, link="/", status=SENT, attempts=1,
                               sent_at=sent_at, created_at=instant))
            if channel == "inapp":
                read = sent_at + timedelta(hours=rng.expovariate(1 / 20))
                inbox.append(dict(user_id=user_id, outbox_id=next_id, title=title[:300], body=title, link="/",
                                  created_at=sent_at, read_at=read if read < now else None))
            next_id += 1
    for offset in range(0, len(outbox), CHUNK):
        _bulk_insert(OutboxMessage, outbox[offset:offset + CHUNK])
    for offset in range(0, len(inbox), CHUNK):
        _bulk_insert(Notification, inbox[offset:offset + CHUNK])
    return len(outbox)


__all__ = ["seed_meetings", "SeedError"]
