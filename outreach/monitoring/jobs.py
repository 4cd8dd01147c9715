"""What the worker runs for monitoring: remind followers ahead of each renewal or review.

Each reminder has its moment (the decision date minus an offset, at 07:00 UTC) and goes through
the core's outbox, whose unique key (subject, channel, due time) makes it exactly once however
many workers run or restart. A moment that passed long ago (the instrument was added late, or the
worker was down) is not sent late; the next offset still is.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, UTC

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.notifications import Message, channels_by_user, enqueue_many
from outreach.monitoring.forms import DECISION_LABELS, KIND_LABELS
from outreach.monitoring.models import Instrument, InstrumentFollower

#: A reminder whose moment passed longer ago than this is skipped.
CATCH_UP = timedelta(hours=36)
#: Reminders go out at this hour (UTC) of their day.
SEND_AT = time(7, 0)
MAX_DAYS_AHEAD = 366


def reminder_moments(decision: date, reminder_days: str) -> list[tuple[int, datetime]]:
    """(days before, moment) for each offset of *reminder_days* ahead of a decision on *decision*."""
    moments = []
    for part in reminder_days.split(","):
        if part.strip().isdigit():
            days = int(part)
            moments.append((days, datetime.combine(decision - timedelta(days=days), SEND_AT, tzinfo=UTC)))
    return moments


def enqueue_decision_reminders(now: datetime) -> int:
    """Enqueue, for each follower, the reminders whose moment has come before an instrument's next decision."""
    today = now.date()
    instruments = list(db.session.scalars(
        select(Instrument).options(joinedload(Instrument.body))
        .where(Instrument.is_archived.is_(False), Instrument.next_decision_on >= today,
               Instrument.next_decision_on <= today + timedelta(days=MAX_DAYS_AHEAD))))
    due: list[tuple[Instrument, int, datetime]] = []
    for instrument in instruments:
        for days, moment in reminder_moments(instrument.next_decision_on, instrument.reminder_days):  # type: ignore[arg-type]  # filtered non-null
            if now - CATCH_UP < moment <= now:
                due.append((instrument, days, moment))
    if not due:
        return 0
    followers: dict[int, list[User]] = {}
    for instrument_id, user in db.session.execute(
            select(InstrumentFollower.instrument_id, User).join(User, User.id == InstrumentFollower.user_id)
            .where(InstrumentFollower.instrument_id.in_({i.id for i, _d, _m in due}),
                   User.is_active_account.is_(True))):
        followers.setdefault(instrument_id, []).append(user)
    channels = channels_by_user({u.id for users in followers.values() for u in users})
    batch = []
    for instrument, days, moment in due:
        name = instrument.short_name or instrument.title
        decision = DECISION_LABELS.get(instrument.next_decision_kind, "Decision")
        for user in followers.get(instrument.id, []):
            context = {"instrument": instrument, "user": user, "days": days, "decision": decision,
                       "kind": KIND_LABELS.get(instrument.kind, instrument.kind)}
            title = f"{decision} of {name} in {days} days ({instrument.next_decision_on:%d %b %Y})" if days else (
                f"{decision} of {name} today")
            batch.append((Message(
                subject=f"instrument:{instrument.id}:{instrument.next_decision_on:%Y%m%d}:{days}", user_id=user.id,
                due_at=moment, title=title[:300],
                text=render_template("monitoring/email/decision_reminder.txt", **context),
                html=render_template("monitoring/email/decision_reminder.html", **context),
                link=f"/monitoring/instruments/{instrument.id}"), channels[user.id]))
    added = enqueue_many(batch, now=now)
    db.session.commit()
    return added


def register_jobs() -> None:
    from outreach.core.jobs import Job, register_job

    register_job(Job("monitoring.decision_reminders", enqueue_decision_reminders, every_seconds=600))
