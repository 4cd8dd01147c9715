"""What the worker runs for meetings: decide which reminders are due and enqueue them.

Nothing here sends anything: the core's outbox does, exactly once per (subject, channel, due
time). Every function is safe to run twice and from several workers at once: enqueueing the same
reminder again is ignored by the outbox's unique key.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from collections.abc import Iterator

from flask import render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from outreach.core.auth.models import User
from outreach.core.db import db, starts_with
from outreach.core.i18n import format_when, local_text, readers_locale
from outreach.core.notifications import (Message, NotificationPreference, OutboxMessage, channels_by_user,
                                         channels_for, default_digest_hour, enqueue, enqueue_many)
from outreach.core.time import day_start, local_date, local_day_bounds, today_at
from outreach.meetings.models import (LIVE_COMMITMENT_STATUSES, Attendee, Commitment, CommitmentStatus, FollowUp,
                                      FollowUpStatus, Meeting, MeetingStatus)

#: A reminder whose moment passed longer ago than this (the worker was down) is not sent late.
CATCH_UP = timedelta(hours=36)
#: Daily "still overdue" reminders stop after this long.
MAX_OVERDUE_REMINDERS = timedelta(days=30)
#: Longest reminder offset (a week before).
MAX_OFFSET = timedelta(days=7)
COMMITMENT_NOTICE = timedelta(days=7)


def _render(name: str, **context: Any) -> tuple[str, str]:
    return (render_template(f"meetings/email/{name}.txt", **context),
            render_template(f"meetings/email/{name}.html", **context))


def instants_for(due_at: datetime, reminder_offsets: str, remind_daily_when_overdue: bool) -> list[datetime]:
    """Every moment a follow-up due at *due_at* should remind its assignee: each offset before, then daily while
    overdue."""
    offsets = {int(x) for x in reminder_offsets.split(",") if x.strip().lstrip("-").isdigit()}
    instants = [due_at - timedelta(minutes=m) for m in offsets]
    if remind_daily_when_overdue:
        days = int(MAX_OVERDUE_REMINDERS / timedelta(days=1))
        instants += [due_at + timedelta(days=k) for k in range(1, days + 1)]
    return sorted(set(instants))


def latest_instant(due_at: datetime, reminder_offsets: str, remind_daily_when_overdue: bool,
                   now: datetime) -> datetime | None:
    """The last of `instants_for(...)` at or before *now*, worked out without listing them all."""
    latest = None
    for minutes in {int(x) for x in reminder_offsets.split(",") if x.strip().lstrip("-").isdigit()}:
        instant = due_at - timedelta(minutes=minutes)
        if instant <= now and (latest is None or instant > latest):
            latest = instant
    if remind_daily_when_overdue and now - due_at >= timedelta(days=1):
        days = min((now - due_at) // timedelta(days=1), int(MAX_OVERDUE_REMINDERS / timedelta(days=1)))
        instant = due_at + timedelta(days=days)
        if latest is None or instant > latest:
            latest = instant
    return latest


def _chunked(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _inactive_users() -> set[int]:
    """Deactivated accounts (few, and indexed): their follow-ups and commitments remind nobody."""
    return set(db.session.scalars(select(User.id).where(User.is_active_account.is_(False))))


def _already_enqueued(keys: list[tuple[str, datetime]]) -> set[tuple[str, datetime]]:
    """Which (subject, due time) pairs the outbox holds already, so their messages are not rendered again."""
    found: set[tuple[str, datetime]] = set()
    if not keys:
        return found
    earliest = min(due for _subject, due in keys)
    for subjects in _chunked(sorted({subject for subject, _due in keys})):
        # The unique key (subject, channel, due_at) serves this; older reminders of the same subjects stay out.
        rows = db.session.execute(select(OutboxMessage.subject, OutboxMessage.due_at).where(
            OutboxMessage.subject.in_(subjects), OutboxMessage.due_at >= earliest)).all()
        found.update((subject, due) for subject, due in rows)
    return found


def enqueue_follow_up_reminders(now: datetime) -> int:
    """Enqueue the reminders of open follow-ups whose moment has come (and not long passed).

    The open follow-ups near their due time are read as plain columns and checked against the
    outbox; only those with a reminder still to enqueue are loaded and rendered.
    """
    rows = db.session.execute(
        select(FollowUp.id, FollowUp.due_at, FollowUp.reminder_offsets, FollowUp.remind_daily_when_overdue,
               FollowUp.created_at, FollowUp.assignee_id)
        .where(FollowUp.status == FollowUpStatus.OPEN.value,
               FollowUp.due_at <= now + MAX_OFFSET, FollowUp.due_at >= now - MAX_OVERDUE_REMINDERS - CATCH_UP)).all()
    inactive = _inactive_users()
    candidates: dict[int, datetime] = {}
    for follow_up_id, due_at, offsets, daily, created_at, assignee_id in rows:
        if assignee_id in inactive:
            continue
        # after an outage, the latest reminder rather than a burst
        instant = latest_instant(due_at, offsets, daily, now)
        if instant is not None and instant > now - CATCH_UP and instant >= created_at - timedelta(minutes=1):
            candidates[follow_up_id] = instant
    done = _already_enqueued([(f"follow_up:{fid}:remind", t) for fid, t in candidates.items()])
    wanted = sorted(fid for fid, t in candidates.items() if (f"follow_up:{fid}:remind", t) not in done)
    added = 0
    for ids in _chunked(wanted):
        follow_ups = db.session.scalars(
            select(FollowUp).options(selectinload(FollowUp.assignee), selectinload(FollowUp.meeting),
                                     selectinload(FollowUp.contact))
            .where(FollowUp.id.in_(ids)).order_by(FollowUp.due_at)).all()
        channels = channels_by_user(f.assignee_id for f in follow_ups)
        batch = []
        for follow_up in follow_ups:
            user = follow_up.assignee
            overdue = follow_up.due_at < now
            with readers_locale(user):
                when = format_when(follow_up.due_at, user.timezone)
                title = (f"Overdue: {follow_up.task}" if overdue else f"Follow-up due {when}: {follow_up.task}")[:300]
                text, html = _render("follow_up_reminder", follow_up=follow_up, user=user, when=when,
                                     overdue=overdue)
            batch.append((Message(subject=f"follow_up:{follow_up.id}:remind", user_id=user.id,
                                  due_at=candidates[follow_up.id], title=title, text=text, html=html,
                                  link="/follow-ups"), channels[user.id]))
        added += enqueue_many(batch, now=now)
    db.session.commit()
    return added


def _commitment_notice(commitment: Commitment, user: User, *, overdue: bool) -> tuple[str, str]:
    with readers_locale(user):
        return _render("commitment_notice", commitment=commitment, user=user, overdue=overdue,
                       due=local_text(commitment.due_date, "date.medium"))


def check_commitments(now: datetime) -> int:
    """Mark live commitments past their due date overdue, tell the accountable partner, remind ahead."""
    today = now.date()
    acted = 0
    late: list[Commitment] = []
    for status in (CommitmentStatus.OPEN.value, CommitmentStatus.ON_TRACK.value):
        # One status at a time, in due-date order: a range of the (status, due_date) index on both databases
        # (with an IN list and a LIMIT, PostgreSQL misjudges the match and reads the whole table).
        late += db.session.scalars(
            select(Commitment).options(selectinload(Commitment.accountable), selectinload(Commitment.contact),
                                       selectinload(Commitment.organisation))
            .where(Commitment.status == status, Commitment.due_date < today)
            .order_by(Commitment.due_date, Commitment.id).limit(500 - len(late))).all()
    from outreach.meetings.services import change_commitment_status

    for commitment in late:
        change_commitment_status(commitment, CommitmentStatus.OVERDUE.value, note="Due date passed.", actor=None,
                                 now=now)
        acted += 1
        user = commitment.accountable
        if user is not None and user.is_active_account:
            text, html = _commitment_notice(commitment, user, overdue=True)
            enqueue(Message(subject=f"commitment:{commitment.id}:overdue", user_id=user.id,
                            due_at=day_start(commitment.due_date + timedelta(days=1)),
                            title=f"Commitment overdue: {commitment.made_by}"[:300], text=text, html=html,
                            link=f"/commitments/{commitment.id}"), channels=channels_for(user.id), now=now)
    # Commitments due within the notice period: plain columns first, the outbox says which were told already.
    soon = db.session.execute(
        select(Commitment.id, Commitment.due_date, Commitment.accountable_id)
        .where(Commitment.status.in_(LIVE_COMMITMENT_STATUSES), Commitment.accountable_id.is_not(None),
               Commitment.due_date >= today, Commitment.due_date <= today + COMMITMENT_NOTICE)).all()
    inactive = _inactive_users()
    notice = {cid: day_start(due - COMMITMENT_NOTICE) for cid, due, user_id in soon if user_id not in inactive}
    done = _already_enqueued([(f"commitment:{cid}:due", instant) for cid, instant in notice.items()])
    wanted = sorted(cid for cid, instant in notice.items() if (f"commitment:{cid}:due", instant) not in done)
    for ids in _chunked(wanted):
        commitments = db.session.scalars(
            select(Commitment).options(selectinload(Commitment.accountable), selectinload(Commitment.contact),
                                       selectinload(Commitment.organisation))
            .where(Commitment.id.in_(ids)).order_by(Commitment.id)).all()
        channels = channels_by_user(c.accountable_id for c in commitments)
        batch = []
        for commitment in commitments:
            user = commitment.accountable
            text, html = _commitment_notice(commitment, user, overdue=False)
            batch.append((Message(subject=f"commitment:{commitment.id}:due", user_id=user.id,
                                  due_at=notice[commitment.id],
                                  title=f"Commitment due {commitment.due_date:%d %b}: {commitment.made_by}"[:300],
                                  text=text, html=html, link=f"/commitments/{commitment.id}"), channels[user.id]))
        acted += enqueue_many(batch, now=now)
    db.session.commit()
    return acted


def digest_for(user: User, now: datetime) -> dict[str, Any]:
    local_day = local_date(now, user.timezone)
    day_begins, day_end = local_day_bounds(user.timezone, now)
    follow_ups = db.session.scalars(select(FollowUp).where(
        FollowUp.assignee_id == user.id, FollowUp.status == FollowUpStatus.OPEN.value, FollowUp.due_at < day_end)
        .order_by(FollowUp.due_at).limit(50)).all()
    meetings = db.session.scalars(select(Meeting).where(
        Meeting.start_at >= day_begins, Meeting.start_at < day_end, Meeting.status != MeetingStatus.CANCELLED.value,
        (Meeting.organiser_id == user.id) | Meeting.id.in_(select(Attendee.meeting_id).where(
            Attendee.user_id == user.id))).order_by(Meeting.start_at).limit(50)).all()
    overdue = db.session.scalars(select(Commitment).options(selectinload(Commitment.contact),
                                                            selectinload(Commitment.organisation)).where(
        Commitment.accountable_id == user.id, Commitment.status == CommitmentStatus.OVERDUE.value)
        .order_by(Commitment.due_date).limit(50)).all()
    return {"follow_ups": follow_ups, "meetings": meetings, "commitments": overdue, "day": local_day,
            "when": lambda instant: format_when(instant, user.timezone)}


def users_with_a_day(windows: dict[int, tuple[datetime, datetime]]) -> set[int]:
    """Which users' digests would hold anything (see `digest_for`): a few grouped queries for them all, instead of
    three queries per user on every tick of the hours after their digest time."""
    ids = sorted(windows)
    found: set[int] = set()
    for chunk in _chunked(ids):
        for user_id, first_due in db.session.execute(
                select(FollowUp.assignee_id, func.min(FollowUp.due_at))
                .where(FollowUp.assignee_id.in_(chunk), FollowUp.status == FollowUpStatus.OPEN.value)
                .group_by(FollowUp.assignee_id)):
            if first_due < windows[user_id][1]:
                found.add(user_id)
        found.update(db.session.scalars(select(Commitment.accountable_id).distinct().where(
            Commitment.accountable_id.in_(chunk), Commitment.status == CommitmentStatus.OVERDUE.value)))
    earliest = min(start for start, _end in windows.values())
    latest = max(end for _start, end in windows.values())
    held = (Meeting.start_at >= earliest, Meeting.start_at < latest, Meeting.status != MeetingStatus.CANCELLED.value)
    people = db.session.execute(select(Meeting.organiser_id, Meeting.start_at).where(*held)).all()
    people += db.session.execute(select(Attendee.user_id, Meeting.start_at)
                                 .join(Meeting, Meeting.id == Attendee.meeting_id)
                                 .where(*held, Attendee.user_id.is_not(None))).all()
    for user_id, start in people:
        if user_id in windows and windows[user_id][0] <= start < windows[user_id][1]:
            found.add(user_id)
    return found


def enqueue_digests(now: datetime) -> int:
    """Enqueue each user's daily digest once their chosen local hour has come."""
    prefs = {p.user_id: p for p in db.session.scalars(select(NotificationPreference))}
    users = db.session.execute(select(User.id, User.timezone, User.role)
                               .where(User.is_active_account.is_(True))).all()
    due: dict[int, datetime] = {}
    for user_id, zone, role in users:
        pref = prefs.get(user_id)
        hour = default_digest_hour(role) if pref is None else pref.digest_hour
        if hour is None:
            continue
        instant = today_at(zone, hour, now)
        if now - timedelta(hours=6) < instant <= now:
            due[user_id] = instant
    if not due:
        return 0
    # A range on the subject rather than LIKE 'digest:%', so that the outbox's unique key serves it on both databases.
    done = set(db.session.execute(select(OutboxMessage.user_id, OutboxMessage.due_at).where(
        starts_with(OutboxMessage.subject, "digest:"),
        OutboxMessage.due_at > now - timedelta(hours=7))).all())
    zones = {user_id: zone for user_id, zone, _role in users}
    waiting = {user_id: local_day_bounds(zones[user_id], now) for user_id, instant in due.items()
               if (user_id, instant) not in done}
    if not waiting:
        return 0
    busy = sorted(users_with_a_day(waiting))
    added = 0
    for ids in _chunked(busy):
        batch = []
        for user in db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)):
            context = digest_for(user, now)
            if not (context["follow_ups"] or context["meetings"] or context["commitments"]):
                continue
            with readers_locale(user):
                text, html = _render("digest", user=user, **context)
                title = f"Your day, {local_text(context['day'], 'date.day')}"
            pref = prefs.get(user.id)
            channels = ("email",) if pref is None or pref.email_enabled else ("inapp",)
            batch.append((Message(subject=f"digest:{user.id}", user_id=user.id, due_at=due[user.id],
                                  title=title, text=text, html=html, link="/"), channels))
        added += enqueue_many(batch, now=now)
    db.session.commit()
    return added


def register_jobs() -> None:
    from outreach.core.jobs import Job, register_job

    register_job(Job("meetings.follow_up_reminders", enqueue_follow_up_reminders, every_seconds=60))
    register_job(Job("meetings.commitments", check_commitments, every_seconds=60))
    register_job(Job("meetings.digests", enqueue_digests, every_seconds=60))
