"""Who is told what about a request, through the core's outbox (in-app and e-mail).

Messages name the activist by codename only, and for a high-risk activist not even that: the
request's number alone. They never carry her identity, her risk tier, or what she wrote.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from collections.abc import Iterable

from sqlalchemy import select

from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.notifications import Message, channels_by_user, enqueue_many
from outreach.core.permissions import Role
from outreach.introductions.models import IntroductionRequest, RiskTier

#: event → (title, text); {who} is the codename (or "an activist"), {n} the request's number.
_WORDS: dict[str, tuple[str, str]] = {
    "submitted": ("New introduction request #{n}", "{who} asked for an introduction. Triage it in Outreach."),
    "message": ("New message on introduction request #{n}", "There is a new message on request #{n}."),
    "triaged": ("Your introduction request #{n} is being prepared",
                "A coordinator took your request on and is looking for a partner."),
    "offered": ("Introduction request #{n} is with a partner", "A partner has been asked to help with your request."),
    "offer": ("An introduction request for you (#{n})",
              "A coordinator asks whether you can open a door for {who}. Read the brief and answer in Outreach."),
    "accepted": ("A partner accepted introduction request #{n}",
                 "A partner agreed to help. Decide in Outreach whether to share your identity with her."),
    "accepted_staff": ("Introduction request #{n} was accepted", "The partner accepted request #{n}."),
    "declined": ("Introduction request #{n} was declined", "The partner declined request #{n}; offer it to the next."),
    "consent": ("Consent given on introduction request #{n}",
                "{who} agreed to share her identity with you. You can now read her contact details in Outreach."),
    "consent_withdrawn": ("Consent withdrawn on introduction request #{n}",
                          "{who} withdrew her consent: her identity is hidden again."),
    "introduced": ("Introduction made for request #{n}", "The partner recorded the introduction."),
    "introduced_staff": ("Introduction made for request #{n}", "Schedule the meeting from the request."),
    "meeting_scheduled": ("A meeting is scheduled for request #{n}", "Your introduction meeting is scheduled."),
    "closed": ("Introduction request #{n} is closed", "Request #{n} is closed."),
    "declined_by_coordinator": ("Introduction request #{n} was not taken forward",
                                "A coordinator explains why on the request's page."),
    "withdrawn": ("Introduction request #{n} was withdrawn", "Request #{n} was withdrawn; nothing more to do."),
    "sla": ("Introduction request #{n} is waiting", "Request #{n} has waited longer than agreed at its step."),
}


def who(request: IntroductionRequest) -> str:
    """How messages name her: her codename, or nothing at all when she is at high risk."""
    if request.profile.risk_tier == RiskTier.HIGH.value:
        return "An activist"
    return request.profile.codename


def build(request: IntroductionRequest, event: str, user_id: int, *, due_at: datetime,
          key: str | None = None) -> Message:
    title, text = _WORDS[event]
    words = {"n": request.id, "who": who(request)}
    return Message(subject=f"intro:{request.id}:{key or event}:{user_id}"[:120], user_id=user_id, due_at=due_at,
                   title=title.format(**words), text=text.format(**words),
                   link=f"/introductions/{request.id}")  # no request context in the worker


def send(request: IntroductionRequest, event: str, user_ids: Iterable[int], *, now: datetime,
         key: str | None = None) -> int:
    ids = [uid for uid in dict.fromkeys(user_ids) if uid]
    if not ids:
        return 0
    channels = channels_by_user(ids)
    return enqueue_many([(build(request, event, uid, due_at=now, key=key), channels[uid]) for uid in ids], now=now)


def coordinator_ids() -> list[int]:
    return list(db.session.scalars(select(User.id).where(User.role == Role.COORDINATOR.value,
                                                         User.is_active_account.is_(True)).order_by(User.id)))


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%d%H%M%S%f")


def submitted(request: IntroductionRequest, *, now: datetime) -> None:
    send(request, "submitted", coordinator_ids(), now=now)


def message(request: IntroductionRequest, *, author: Any, now: datetime) -> None:
    if author is not None and Role(author.role) == Role.ACTIVIST:
        targets = coordinator_ids()
    else:
        targets = [request.profile.user_id] if request.profile.user_id else []
    send(request, "message", [t for t in targets if t != getattr(author, "id", None)], now=now,
         key=f"message{_stamp(now)}")


def to_activist(request: IntroductionRequest, event: str, *, now: datetime) -> None:
    if request.profile.user_id:
        send(request, event, [request.profile.user_id], now=now, key=f"{event}{_stamp(now)}")


def to_partner(request: IntroductionRequest, partner_id: int, event: str, *, now: datetime) -> None:
    send(request, "offer" if event == "offered" else event, [partner_id], now=now, key=f"{event}{_stamp(now)}")


def to_coordinators(request: IntroductionRequest, event: str, *, now: datetime) -> None:
    staff_event = {"accepted": "accepted_staff", "introduced": "introduced_staff"}.get(event, event)
    send(request, staff_event, coordinator_ids(), now=now, key=f"{event}{_stamp(now)}")


def withdrawn(request: IntroductionRequest, *, partner_id: int | None, now: datetime) -> None:
    send(request, "withdrawn", [*coordinator_ids(), partner_id or 0], now=now, key=f"withdrawn{_stamp(now)}")
