"""Introduction requests: the state machine, the clarification thread, offers, answers, meetings.

submitted → triaged → offered → accepted | declined (→ offered to the next) → introduced →
meeting scheduled → closed, or withdrawn by the activist at any time. Every step is a
RequestTransition: from, to, when, by whom, about which partner, and why. Services take `actor`
and `now`, flush, and leave the commit to the caller; a broken rule raises IntroductionError.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from outreach.contacts.models import Contact, Organisation
from outreach.core.audit import record_event
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.permissions import Role
from outreach.core.signals import meeting_held
from outreach.introductions import notify
from outreach.introductions.models import (ActivistProfile, Consent, ConsentScope, IntroductionRequest,
                                           RequestMessage, RequestState, RequestTransition, RiskTier, Urgency)
from outreach.introductions.profiles import PROTECTED_FIELDS, REMOVED, IntroductionError, check_text
from outreach.meetings.attendees import contact_token, user_token

S = RequestState
MAX_PURPOSE = 4_000
MAX_MESSAGE = 4_000
MAX_REASON = 1_000
#: The earliest and latest dates a preferred window may name.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)

#: from-state → states it may move to (withdrawn is possible from every state that is not final).
TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED.value: frozenset({S.TRIAGED.value, S.CLOSED.value}),
    S.TRIAGED.value: frozenset({S.OFFERED.value, S.CLOSED.value}),
    S.OFFERED.value: frozenset({S.ACCEPTED.value, S.DECLINED.value, S.CLOSED.value}),
    S.DECLINED.value: frozenset({S.OFFERED.value, S.CLOSED.value}),
    S.ACCEPTED.value: frozenset({S.INTRODUCED.value, S.CLOSED.value}),
    S.INTRODUCED.value: frozenset({S.MEETING_SCHEDULED.value, S.CLOSED.value}),
    S.MEETING_SCHEDULED.value: frozenset({S.CLOSED.value}),
    S.CLOSED.value: frozenset(),
    S.WITHDRAWN.value: frozenset(),
}


@dataclass
class RequestData:
    purpose: str
    ask: str
    contact_id: int | None = None
    organisation_id: int | None = None
    urgency: str = Urgency.NORMAL.value
    window_start: date | None = None
    window_end: date | None = None
    languages: list[str] | None = None


def _move(request: IntroductionRequest, to_state: str, *, actor: Any, now: datetime, note: str | None = None,
          partner_id: int | None = None, ip: str | None = None) -> RequestTransition:
    if to_state != S.WITHDRAWN.value and to_state not in TRANSITIONS[request.state]:
        raise IntroductionError(_l("This request is %(state)s; it cannot move to %(to)s.",
                                   state=state_label(request.state), to=state_label(to_state)))
    if to_state == S.WITHDRAWN.value and request.is_final:
        raise IntroductionError(_l("This request is already finished."))
    step = RequestTransition(request_id=request.id, from_state=request.state, to_state=to_state, at=now,
                             actor_id=getattr(actor, "id", None), partner_id=partner_id, note=note or None)
    request.transitions.append(step)
    request.state, request.state_changed_at, request.updated_at = to_state, now, now
    db.session.flush()
    record_event(f"introduction.{to_state}", actor=actor, now=now, record=request, ip=ip,
                 **({"partner_id": partner_id} if partner_id else {}))
    return step


def _check_request(data: RequestData) -> None:
    if not (data.purpose or "").strip():
        raise IntroductionError(_l("Say what the introduction is for."), field="purpose")
    if not (data.ask or "").strip():
        raise IntroductionError(_l("Say what you would ask the person."), field="ask")
    check_text(data.purpose, "purpose", MAX_PURPOSE)
    check_text(data.ask, "ask", MAX_PURPOSE)
    if data.urgency not in {u.value for u in Urgency}:
        raise IntroductionError(_l("Choose how urgent it is from the list."), field="urgency")
    for name in ("window_start", "window_end"):
        value = getattr(data, name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise IntroductionError(_l("Choose a date between 2000 and 2100."), field=name)
    if data.window_start and data.window_end and data.window_end < data.window_start:
        raise IntroductionError(_l("The window ends before it starts; check the dates."), field="window_end")


def _live_target(contact_id: int | None, organisation_id: int | None) -> None:
    if contact_id is None and organisation_id is None:
        raise IntroductionError(_l("Choose whom you want to meet from the directory."))
    if contact_id is not None and db.session.scalar(select(Contact.id).where(
            Contact.id == contact_id, Contact.is_archived.is_(False))) is None:
        raise IntroductionError(_l("That person is no longer in the directory; choose someone else."))
    if organisation_id is not None and db.session.scalar(select(Organisation.id).where(
            Organisation.id == organisation_id, Organisation.is_archived.is_(False))) is None:
        raise IntroductionError(_l("That organisation is no longer in the directory; choose another."))


def submit_request(profile: ActivistProfile, data: RequestData, *, actor: Any, now: datetime,
                   ip: str | None = None) -> IntroductionRequest:
    """The activist asks for an introduction; coordinators are told."""
    if profile.is_purged:
        raise IntroductionError(_l("This profile was purged."))
    _check_request(data)
    _live_target(data.contact_id, data.organisation_id if data.contact_id is None else None)
    request = IntroductionRequest(
        profile_id=profile.id, profile=profile, contact_id=data.contact_id,
        organisation_id=None if data.contact_id else data.organisation_id, purpose=data.purpose.strip(),
        ask=data.ask.strip(), urgency=data.urgency, window_start=data.window_start, window_end=data.window_end,
        languages=",".join(sorted(set(data.languages or []))), state=S.SUBMITTED.value, state_changed_at=now,
        created_at=now, updated_at=now)
    db.session.add(request)
    db.session.flush()
    request.transitions.append(RequestTransition(request_id=request.id, from_state=None, to_state=S.SUBMITTED.value,
                                                 at=now, actor_id=getattr(actor, "id", None)))
    db.session.flush()
    record_event("introduction.submitted", actor=actor, now=now, record=request, ip=ip)
    notify.submitted(request, now=now)
    return request


def withdraw(request: IntroductionRequest, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    """She withdraws the request; every consent on it ends with it."""
    from outreach.introductions.profiles import withdraw_consent

    _move(request, S.WITHDRAWN.value, actor=actor, now=now, ip=ip)
    withdraw_consent(request, None, actor=actor, now=now, ip=ip)
    partner_id = request.partner_id
    notify.withdrawn(request, partner_id=partner_id, now=now)


def add_message(request: IntroductionRequest, body: str, *, actor: Any, now: datetime,
                ip: str | None = None) -> RequestMessage:
    """A message in the clarification thread between coordinators and the activist."""
    body = (body or "").strip()
    if not body:
        raise IntroductionError(_l("Write a message first."), field="body")
    check_text(body, "body", MAX_MESSAGE)
    if request.profile.is_purged:
        raise IntroductionError(_l("This profile was purged."))
    message = RequestMessage(request_id=request.id, author_id=getattr(actor, "id", None), body=body, created_at=now)
    db.session.add(message)
    request.updated_at = now
    db.session.flush()
    record_event("introduction.message", actor=actor, now=now, record=request, ip=ip)
    notify.message(request, author=actor, now=now)
    return message


def _reason(reason: str | None, required: bool = True) -> str | None:
    reason = (reason or "").strip()
    if required and not reason:
        raise IntroductionError(_l("Give a reason: the activist (or the coordinator) reads it."), field="reason")
    check_text(reason, "reason", MAX_REASON)
    return reason or None


def triage(request: IntroductionRequest, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    """A coordinator takes the request on: it is clear enough to look for a partner."""
    if request.contact_id is None:
        raise IntroductionError(_l("Choose the person in that organisation first."), field="contact_id")
    _move(request, S.TRIAGED.value, actor=actor, now=now, ip=ip)
    notify.to_activist(request, "triaged", now=now)


def resolve_target(request: IntroductionRequest, contact_id: int, *, actor: Any, now: datetime,
                   ip: str | None = None) -> None:
    """Name the person in the organisation she asked for."""
    if request.is_final:
        raise IntroductionError(_l("This request is already finished."))
    _live_target(contact_id, None)
    request.contact_id, request.updated_at = contact_id, now
    db.session.flush()
    record_event("introduction.resolve", actor=actor, now=now, record=request, ip=ip, contact_id=contact_id)


def decline_request(request: IntroductionRequest, reason: str, *, actor: Any, now: datetime,
                    ip: str | None = None) -> None:
    """A coordinator declines the request, with a reason she reads."""
    _move(request, S.CLOSED.value, actor=actor, now=now, note=_reason(reason), ip=ip)
    request.outcome = "Not taken forward."
    notify.to_activist(request, "declined_by_coordinator", now=now)


def offer(request: IntroductionRequest, partner: User, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    """Offer the request to a partner; she answers from her brief."""
    if partner is None or partner.role != Role.PARTNER.value or not partner.is_active_account:
        raise IntroductionError(_l("Choose an active partner from the ranked list."), field="partner_id")
    if request.contact_id is None:
        raise IntroductionError(_l("Choose the person in that organisation first."), field="contact_id")
    if request.state == S.SUBMITTED.value:
        _move(request, S.TRIAGED.value, actor=actor, now=now, ip=ip)
    _move(request, S.OFFERED.value, actor=actor, now=now, partner_id=partner.id, ip=ip)
    request.partner_id = partner.id
    db.session.flush()
    notify.to_partner(request, partner.id, "offered", now=now)
    notify.to_activist(request, "offered", now=now)


def answer_offer(request: IntroductionRequest, accept: bool, reason: str | None = None, *, actor: Any, now: datetime,
                 ip: str | None = None) -> None:
    """The partner accepts (the activist is then asked to consent) or declines with a reason."""
    if request.partner_id != actor.id or request.state != S.OFFERED.value:
        raise IntroductionError(_l("This request is not waiting for your answer."))
    if accept:
        _move(request, S.ACCEPTED.value, actor=actor, now=now, partner_id=actor.id, ip=ip)
        notify.to_activist(request, "accepted", now=now)
        notify.to_coordinators(request, "accepted", now=now)
    else:
        _move(request, S.DECLINED.value, actor=actor, now=now, partner_id=actor.id, note=_reason(reason), ip=ip)
        request.partner_id = None
        db.session.flush()
        notify.to_coordinators(request, "declined", now=now)


def record_introduction(request: IntroductionRequest, note: str | None = None, *, actor: Any, now: datetime,
                        ip: str | None = None) -> None:
    """The partner has made the introduction (she needed the activist's consent to name her)."""
    from outreach.introductions.profiles import active_consent

    _holder_or_staff(request, actor)
    if active_consent(request, ConsentScope.PARTNER.value) is None:
        raise IntroductionError(_l("The activist has not agreed to share her identity with you yet."))
    _move(request, S.INTRODUCED.value, actor=actor, now=now, partner_id=request.partner_id,
          note=_reason(note, required=False), ip=ip)
    notify.to_activist(request, "introduced", now=now)
    notify.to_coordinators(request, "introduced", now=now)


def _holder_or_staff(request: IntroductionRequest, actor: Any) -> None:
    if Role(actor.role) == Role.PARTNER and request.partner_id != actor.id:
        raise IntroductionError(_l("This request is not yours to move."))


@dataclass
class ScheduleData:
    start_at: datetime
    timezone: str
    end_at: datetime | None = None
    location: str | None = None
    online_url: str | None = None


def meeting_title(request: IntroductionRequest) -> str:
    """The meeting's title names her by codename only, whatever she consented to; a high-risk activist not even
    that (the title travels to calendars and reminders)."""
    target = request.contact.full_name if request.contact else ""
    if request.profile.risk_tier == RiskTier.HIGH.value:
        return f"Introduction meeting (request #{request.id}) – {target}"[:200]
    return f"Introduction: {request.profile.codename} – {target}"[:200]


def schedule_meeting(request: IntroductionRequest, data: ScheduleData, *, actor: Any, now: datetime,
                     ip: str | None = None) -> Any:
    """Log the introduction meeting (activist, partner, target) through the meetings feature."""
    from outreach.meetings import services as meetings
    from outreach.meetings.models import Attendee, AttendeeRole

    _holder_or_staff(request, actor)
    if request.state != S.INTRODUCED.value:
        raise IntroductionError(_l("Record the introduction before scheduling the meeting."))
    if request.profile.user_id is None:
        raise IntroductionError(_l("The activist has no account yet; invite her first."))
    attendees = [contact_token(request.contact_id)] + ([user_token(request.partner_id)] if request.partner_id else [])
    try:
        meeting = meetings.log_meeting(meetings.MeetingData(
            title=meeting_title(request), start_at=data.start_at, end_at=data.end_at, timezone=data.timezone,
            location=data.location, online_url=data.online_url, attendees=attendees,
            agenda="Introduction requested through Outreach."), actor=actor, now=now, ip=ip)
    except meetings.MeetingError as exc:
        raise IntroductionError(exc.message, field=exc.field) from exc
    # She is added here, not through the attendee picker: partners never find activists there, and this
    # request is why she is at the meeting.
    meeting.attendees.append(Attendee(user_id=request.profile.user_id, role=AttendeeRole.ACTIVIST.value))
    db.session.flush()
    request.meeting_id = meeting.id
    _move(request, S.MEETING_SCHEDULED.value, actor=actor, now=now, partner_id=request.partner_id, ip=ip)
    notify.to_activist(request, "meeting_scheduled", now=now)
    return meeting


def close_request(request: IntroductionRequest, outcome: str | None, *, actor: Any, now: datetime,
                  ip: str | None = None) -> None:
    """Close the request with its outcome (staff; the held meeting does it by itself)."""
    request.outcome = _reason(outcome, required=False)
    _move(request, S.CLOSED.value, actor=actor, now=now, partner_id=request.partner_id, ip=ip)
    notify.to_activist(request, "closed", now=now)


def _on_meeting_held(_sender: Any, *, meeting: Any, actor: Any = None, now: datetime, **_: Any) -> None:
    """A held introduction meeting closes its request; the outcome stays on the meeting."""
    requests = db.session.scalars(select(IntroductionRequest).where(
        IntroductionRequest.meeting_id == meeting.id,
        IntroductionRequest.state == S.MEETING_SCHEDULED.value)).all()
    for request in requests:
        request.outcome = "The introduction meeting was held."
        _move(request, S.CLOSED.value, actor=actor, now=now, partner_id=request.partner_id,
              note="meeting held")
        notify.to_activist(request, "closed", now=now)


meeting_held.connect(_on_meeting_held)


def close_for_purge(request_ids: Iterable[int], *, actor: Any, now: datetime) -> None:
    for request in db.session.scalars(select(IntroductionRequest).where(IntroductionRequest.id.in_(list(request_ids)))):
        _move(request, S.WITHDRAWN.value, actor=actor, now=now, note="profile purged")


def purge_profile(profile: ActivistProfile, *, actor: Any, now: datetime, ip: str | None = None) -> None:
    """Erase everything that could identify her; keep an anonymised trail (states, dates, who acted)."""
    if Role(actor.role) != Role.ADMIN:
        raise IntroductionError(_l("Only an administrator can purge a profile."))
    if profile.is_purged:
        return
    open_ids = list(db.session.scalars(select(IntroductionRequest.id).where(
        IntroductionRequest.profile_id == profile.id, IntroductionRequest.state.not_in(
            (S.CLOSED.value, S.WITHDRAWN.value)))))
    close_for_purge(open_ids, actor=actor, now=now)
    for name in PROTECTED_FIELDS:
        setattr(profile, f"{name}_token", None)
    profile.codename = f"Purged activist {profile.id}"
    profile.organisation = profile.bio = None
    profile.focus_areas = profile.languages = ""
    profile.is_purged, profile.purged_at, profile.updated_at = True, now, now
    request_ids = select(IntroductionRequest.id).where(IntroductionRequest.profile_id == profile.id)
    db.session.execute(update(Consent).where(Consent.profile_id == profile.id, Consent.withdrawn_at.is_(None))
                       .values(withdrawn_at=now).execution_options(synchronize_session=False))
    db.session.execute(update(RequestMessage).where(RequestMessage.request_id.in_(request_ids))
                       .values(body=REMOVED).execution_options(synchronize_session=False))
    db.session.execute(update(RequestTransition).where(RequestTransition.request_id.in_(request_ids))
                       .values(note=None).execution_options(synchronize_session=False))
    db.session.execute(update(IntroductionRequest).where(IntroductionRequest.profile_id == profile.id)
                       .values(purpose=REMOVED, ask=REMOVED, outcome=None, updated_at=now)
                       .execution_options(synchronize_session=False))
    if profile.user is not None:
        user = profile.user
        user.name, user.email = profile.codename, f"purged-activist-{profile.id}@invalid"
        user.is_active_account, user.password_hash = False, None
        user.session_version += 1
        user.updated_at = now
    db.session.flush()
    record_event("activist.purge", actor=actor, now=now, record_type="activist_profiles", record_id=profile.id, ip=ip)
    db.session.expire_all()


# --- words -----------------------------------------------------------------------------------

STATE_LABELS: dict[str, Any] = {
    S.SUBMITTED.value: _l("Submitted"),
    S.TRIAGED.value: _l("Being prepared"),
    S.OFFERED.value: _l("Offered to a partner"),
    S.ACCEPTED.value: _l("Accepted by a partner"),
    S.DECLINED.value: _l("Looking for another partner"),
    S.INTRODUCED.value: _l("Introduction made"),
    S.MEETING_SCHEDULED.value: _l("Meeting scheduled"),
    S.CLOSED.value: _l("Closed"),
    S.WITHDRAWN.value: _l("Withdrawn"),
}

#: What each state means for her, and what happens next, in plain words.
NEXT_STEPS: dict[str, Any] = {
    S.SUBMITTED.value: _l("A coordinator will read your request, usually within a few days. They may write to you "
                          "below if something is unclear."),
    S.TRIAGED.value: _l("A coordinator is looking for the partner best placed to open this door."),
    S.OFFERED.value: _l("A partner has been asked whether they can make this introduction. They see your codename, "
                        "never your name."),
    S.ACCEPTED.value: _l("A partner agreed to help. If you agree, share your identity with them below; until you "
                         "do, they only know your codename."),
    S.DECLINED.value: _l("The partner we asked could not help this time; a coordinator is asking someone else."),
    S.INTRODUCED.value: _l("The partner has made the introduction. A meeting will be scheduled with you."),
    S.MEETING_SCHEDULED.value: _l("Your meeting is scheduled; you will find it under Meetings."),
    S.CLOSED.value: _l("This request is finished."),
    S.WITHDRAWN.value: _l("You withdrew this request. Nothing more will happen with it."),
}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


URGENCY_LABELS: dict[str, Any] = {Urgency.NORMAL.value: _l("In the coming months"),
                                  Urgency.SOON.value: _l("In the coming weeks"),
                                  Urgency.URGENT.value: _l("Urgent: days matter")}
TIER_LABELS: dict[str, Any] = {"standard": _l("Standard"), "elevated": _l("Elevated"), "high": _l("High")}
