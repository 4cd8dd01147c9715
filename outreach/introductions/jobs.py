"""Service levels and what the worker runs: reminders when a request waits too long at a step.

A reminder's key is (request, state, the moment it entered the state): enqueued any number of
times, by any number of workers, it goes out once per wait.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from outreach.core.audit import record_event
from outreach.core.db import db
from outreach.core.jobs import Job, register_job
from outreach.core.notifications import channels_by_user, enqueue_many
from outreach.introductions import notify
from outreach.introductions.models import IntroductionRequest, RequestState, ServiceLevel

S = RequestState
#: state → days a request may wait there, unless an administrator set otherwise.
DEFAULT_SERVICE_LEVELS: dict[str, int] = {S.SUBMITTED.value: 3, S.OFFERED.value: 5, S.ACCEPTED.value: 7,
                                          S.DECLINED.value: 3}
#: Who is reminded at each state: the coordinators, or the partner holding the request.
PARTNER_WAITS = (S.OFFERED.value, S.ACCEPTED.value)
#: A wait older than this is not reminded about any more (the worker was down, or nobody acts).
GIVE_UP_AFTER = timedelta(days=60)
BATCH = 500


def service_levels() -> dict[str, int]:
    levels = dict(DEFAULT_SERVICE_LEVELS)
    levels.update({row.state: row.days for row in db.session.scalars(select(ServiceLevel))
                   if row.state in DEFAULT_SERVICE_LEVELS})
    return levels


def set_service_levels(levels: dict[str, int], *, actor: Any, now: datetime, ip: str | None = None) -> None:
    for state, days in levels.items():
        if state not in DEFAULT_SERVICE_LEVELS or not 1 <= int(days) <= 365:
            raise ValueError(f"bad service level {state}={days}")
        row = db.session.get(ServiceLevel, state)
        if row is None:
            row = ServiceLevel(state=state, days=int(days), updated_at=now)
            db.session.add(row)
        row.days, row.updated_at, row.updated_by_id = int(days), now, getattr(actor, "id", None)
    db.session.flush()
    record_event("introduction.service_levels", actor=actor, now=now, ip=ip, **levels)


def remind_waiting(now: datetime) -> int:
    """Enqueue a reminder for every request that waits longer than its step's service level."""
    levels = service_levels()
    overdue = or_(*(and_(IntroductionRequest.state == state,
                         IntroductionRequest.state_changed_at <= now - timedelta(days=days),
                         IntroductionRequest.state_changed_at > now - GIVE_UP_AFTER)
                    for state, days in levels.items()))
    rows = db.session.scalars(select(IntroductionRequest).options(selectinload(IntroductionRequest.profile))
                              .where(overdue).order_by(IntroductionRequest.id).limit(BATCH)).all()
    if not rows:
        return 0
    coordinators = notify.coordinator_ids()
    messages = []
    for req in rows:
        due = req.state_changed_at + timedelta(days=levels[req.state])
        recipients = [req.partner_id] if req.state in PARTNER_WAITS and req.partner_id else coordinators
        key = f"sla:{req.state}:{req.state_changed_at:%Y%m%d%H%M%S}"
        messages += [(notify.build(req, "sla", uid, due_at=due, key=key), uid) for uid in recipients]
    channels = channels_by_user({uid for _m, uid in messages})
    added = enqueue_many([(message, channels[uid]) for message, uid in messages], now=now)
    db.session.commit()
    return added


def register_jobs() -> None:
    register_job(Job("introductions.service_levels", remind_waiting, every_seconds=3600))
