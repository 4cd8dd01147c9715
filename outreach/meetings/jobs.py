"""What the worker runs for meetings: decide which reminders are due and enqueue them.

Nothing here sends anything: the core's outbox does, exactly once per (subject, channel, due
time). Every function is safe to run twice and from several workers at once: enqueueing the same
reminder again is ignored by the outbox's unique key.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.notifications import (DEFAULT_DIGEST_HOUR, Message, NotificationPreference, OutboxMessage,
                                         channels_for, enqueue)
from outreach.meetings.models import (LIVE_COMMITMENT_STATUSES, Attendee, Commitment, CommitmentStatus, FollowUp,
                                      FollowUpStatus, Meeting, MeetingStatus)

#: A reminder whose moment passed longer ago than this (the worker was down) is not sent late.
CATCH_UP = timedelta(hours=36)
#: Daily "still overdue" reminders stop after this long.
MAX_OVERDUE_REMINDERS = timedelta(days=30)
#: Longest reminder offset (a week before).
MAX_OFFSET = timedelta(days=7)
COMMITMENT_NOTICE = timedelta(days=7)


def format_when(instant: datetime, zone: str) -> str:
    """"Tue 1 Dec 2026, 09:00 (America/New York)": the reader's wall-clock time and zone, for messages."""
    return f"{format_datetime(instant, 'EEE d MMM y, HH:mm', tzinfo=ZoneInfo(zone), locale='en')} ({zone})"


def _render(name: str, **context: Any) -> tuple[str, str]:
    return (render_template(f"meetings/email/{name}.txt", **context),
            render_template(f"meetings/email/{name}.html", **context))


def reminder_instants(follow_up: FollowUp) -> list[datetime]:
    """Every moment *follow_up* should remind its assignee: each offset before, then daily while overdue."""
    instants = [follow_up.due_at - timedelta(minutes=m) for m in follow_up.offsets]
    if follow_up.remind_daily_when_overdue:
        days = int(MAX_OVERDUE_REMINDERS / timedelta(days=1))
        instants += [follow_up.due_at + timedelta(days=k) for k in range(1, days + 1)]
    return sorted(set(instants))


def _already_enqueued(keys: list[tuple[str, datetime]]) -> set[tuple[str, datetime]]:
    """Which (subject, due time) pairs the outbox holds already, so their messages are not rendered again."""
    found: set[tuple[str, datetime]] = set()
    subjects = sorted({subject for subject, _due in keys})
    for start in range(0, len(subjects), 500):
        rows = db.session.execute(select(OutboxMessage.subject, OutboxMessage.due_at).where(
            OutboxMessage.subject.in_(subjects[start:start + 500]))).all()
        found.update((subject, due) for subject, due in rows)
    return found


def enqueue_follow_up_reminders(now: datetime) -> int:
    """Enqueue the reminders of open follow-ups whose moment has come (and not long passed)."""
    rows = db.session.scalars(
        select(FollowUp).options(selectinload(FollowUp.assignee), selectinload(FollowUp.meeting),
                                 selectinload(FollowUp.contact))
        .where(FollowUp.status == FollowUpStatus.OPEN.value,
               FollowUp.due_at <= now + MAX_OFFSET, FollowUp.due_at >= now - MAX_OVERDUE_REMINDERS - CATCH_UP)
        .order_by(FollowUp.due_at)).all()
    candidates: list[tuple[FollowUp, datetime]] = []
    for follow_up in rows:
        user = follow_up.assignee
        if user is None or not user.is_active_account:
            continue
        due = [t for t in reminder_instants(follow_up)
               if now - CATCH_UP < t <= now and t >= follow_up.created_at - timedelta(minutes=1)]
        if due:
            candidates.append((follow_up, due[-1]))  # after an outage, the latest one rather than a burst
    done = _already_enqueued([(f"follow_up:{f.id}:remind", t) for f, t in candidates])
    added = 0
    for follow_up, instant in candidates:
        subject = f"follow_up:{follow_up.id}:remind"
        if (subject, instant) in done:
            continue
        user = follow_up.assignee
        overdue = follow_up.due_at < now
        when = format_when(follow_up.due_at, user.timezone)
        title = (f"Overdue: {follow_up.task}" if overdue else f"Follow-up due {when}: {follow_up.task}")[:300]
        text, html = _render("follow_up_reminder", follow_up=follow_up, user=user, when=when, overdue=overdue)
        added += enqueue(Message(subject=subject, user_id=user.id, due_at=instant, title=title, text=text, html=html,
                                 link="/follow-ups"), channels=channels_for(user.id), now=now)
    db.session.commit()
    return added


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


def check_commitments(now: datetime) -> int:
    """Mark live commitments past their due date overdue, tell the accountable partner, remind ahead."""
    today = now.date()
    acted = 0
    late = db.session.scalars(
        select(Commitment).options(selectinload(Commitment.accountable), selectinload(Commitment.contact),
                                   selectinload(Commitment.organisation))
        .where(Commitment.status.in_((CommitmentStatus.OPEN.value, CommitmentStatus.ON_TRACK.value)),
               Commitment.due_date < today).limit(500)).all()
    from outreach.meetings.services import change_commitment_status

    for commitment in late:
        change_commitment_status(commitment, CommitmentStatus.OVERDUE.value, note="Due date passed.", actor=None,
                                 now=now)
        acted += 1
        user = commitment.accountable
        if user is not None and user.is_active_account:
            text, html = _render("commitment_notice", commitment=commitment, user=user, overdue=True,
                                 due=format_date(commitment.due_date, "medium", locale="en"))
            enqueue(Message(subject=f"commitment:{commitment.id}:overdue", user_id=user.id,
                            due_at=_day_start(commitment.due_date + timedelta(days=1)),
                            title=f"Commitment overdue: {commitment.made_by}"[:300], text=text, html=html,
                            link=f"/commitments/{commitment.id}"), channels=channels_for(user.id), now=now)
    soon = db.session.scalars(
        select(Commitment).options(selectinload(Commitment.accountable), selectinload(Commitment.contact),
                                   selectinload(Commitment.organisation))
        .where(Commitment.status.in_(LIVE_COMMITMENT_STATUSES), Commitment.accountable_id.is_not(None),
               Commitment.due_date >= today, Commitment.due_date <= today + COMMITMENT_NOTICE)).all()
    done = _already_enqueued([(f"commitment:{c.id}:due", _day_start(c.due_date - COMMITMENT_NOTICE)) for c in soon])
    for commitment in soon:
        user = commitment.accountable
        if not user.is_active_account or (f"commitment:{commitment.id}:due",
                                          _day_start(commitment.due_date - COMMITMENT_NOTICE)) in done:
            continue
        text, html = _render("commitment_notice", commitment=commitment, user=user, overdue=False,
                             due=format_date(commitment.due_date, "medium", locale="en"))
        acted += enqueue(Message(subject=f"commitment:{commitment.id}:due", user_id=user.id,
                                 due_at=_day_start(commitment.due_date - COMMITMENT_NOTICE),
                                 title=f"Commitment due {commitment.due_date:%d %b}: {commitment.made_by}"[:300],
                                 text=text, html=html, link=f"/commitments/{commitment.id}"),
                         channels=channels_for(user.id), now=now)
    db.session.commit()
    return acted


def digest_instant(user_zone: str, hour: int, now: datetime) -> datetime:
    """Today's digest moment for a user (their local date, at their chosen hour), in UTC."""
    zone = ZoneInfo(user_zone)
    local_day = now.astimezone(zone).date()
    return datetime.combine(local_day, time(hour, 0), tzinfo=zone).astimezone(timezone.utc)


def digest_for(user: User, now: datetime) -> dict[str, Any]:
    zone = ZoneInfo(user.timezone)
    local_day = now.astimezone(zone).date()
    day_end = datetime.combine(local_day + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)
    day_start = datetime.combine(local_day, time(0), tzinfo=zone).astimezone(timezone.utc)
    follow_ups = db.session.scalars(select(FollowUp).where(
        FollowUp.assignee_id == user.id, FollowUp.status == FollowUpStatus.OPEN.value, FollowUp.due_at < day_end)
        .order_by(FollowUp.due_at).limit(50)).all()
    meetings = db.session.scalars(select(Meeting).where(
        Meeting.start_at >= day_start, Meeting.start_at < day_end, Meeting.status != MeetingStatus.CANCELLED.value,
        (Meeting.organiser_id == user.id) | Meeting.id.in_(select(Attendee.meeting_id).where(
            Attendee.user_id == user.id))).order_by(Meeting.start_at).limit(50)).all()
    overdue = db.session.scalars(select(Commitment).options(selectinload(Commitment.contact),
                                                            selectinload(Commitment.organisation)).where(
        Commitment.accountable_id == user.id, Commitment.status == CommitmentStatus.OVERDUE.value)
        .order_by(Commitment.due_date).limit(50)).all()
    return {"follow_ups": follow_ups, "meetings": meetings, "commitments": overdue, "day": local_day,
            "when": lambda instant: format_when(instant, user.timezone)}


def enqueue_digests(now: datetime) -> int:
    """Enqueue each user's daily digest once their chosen local hour has come."""
    prefs = {p.user_id: p for p in db.session.scalars(select(NotificationPreference))}
    users = db.session.scalars(select(User).where(User.is_active_account.is_(True))).all()
    due: list[tuple[User, datetime]] = []
    for user in users:
        pref = prefs.get(user.id)
        hour = DEFAULT_DIGEST_HOUR if pref is None else pref.digest_hour
        if hour is None:
            continue
        instant = digest_instant(user.timezone, hour, now)
        if now - timedelta(hours=6) < instant <= now:
            due.append((user, instant))
    if not due:
        return 0
    done = set(db.session.execute(select(OutboxMessage.user_id, OutboxMessage.due_at).where(
        OutboxMessage.subject.like("digest:%"), OutboxMessage.due_at > now - timedelta(hours=7))).all())
    added = 0
    for user, instant in due:
        if (user.id, instant) in done:
            continue
        context = digest_for(user, now)
        if not (context["follow_ups"] or context["meetings"] or context["commitments"]):
            continue
        text, html = _render("digest", user=user, **context)
        pref = prefs.get(user.id)
        channels = ("email",) if pref is None or pref.email_enabled else ("inapp",)
        added += enqueue(Message(subject=f"digest:{user.id}", user_id=user.id, due_at=instant,
                                 title=f"Your day, {format_date(context['day'], 'EEE d MMM', locale='en')}",
                                 text=text, html=html, link="/"), channels=channels, now=now)
    db.session.commit()
    return added


def register_jobs() -> None:
    from outreach.core.jobs import Job, register_job

    register_job(Job("meetings.follow_up_reminders", enqueue_follow_up_reminders, every_seconds=60))
    register_job(Job("meetings.commitments", check_commitments, every_seconds=60))
    register_job(Job("meetings.digests", enqueue_digests, every_seconds=60))
