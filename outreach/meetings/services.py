"""Logging meetings, recording commitments, and the follow-ups they need.

Every service takes the acting user and `now`, flushes, and leaves the commit to the caller.
A broken rule raises MeetingError with a message written for the person who typed it; the
caller rolls back, so nothing is half-saved.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm.exc import StaleDataError

from outreach.contacts.models import Contact, Organisation
from outreach.contacts.services import current_posts
from outreach.core.audit import record_event
from outreach.core.auth.models import User
from outreach.core.db import compare_and_set, db
from outreach.core.errors import ServiceError
from outreach.core.notifications import cancel_pending
from outreach.core.permissions import Role
from outreach.core.signals import (commitment_recorded, commitment_status_changed, contact_merged, follow_up_added,
                                   meeting_held, meeting_saved, organisation_merged)
from outreach.core.time import is_valid_zone
from outreach.meetings import tallies
from outreach.meetings.access import can_edit_meeting, can_find_activists
from outreach.meetings.attendees import (UNRECOGNISED, attendance_token, is_token, made_by_problem, split_tokens,
                                         who_made_it)
from outreach.meetings.models import (Attendee, AttendeeRole, Commitment, CommitmentCategory, CommitmentChange,
                                      CommitmentStatus, FollowUp, FollowUpStatus, Meeting, MeetingKind,
                                      MeetingInitiator, MeetingRevision, MeetingStatus)

MAX_TEXT = 20_000  #: notes, agenda, outcome: generous, but a 1 MB paste is a mistake
MAX_TITLE = 200
MAX_LOCATION = 300
MAX_COMMITMENT = 2_000  #: what was promised
MAX_TASK = 500  #: a follow-up's task
MAX_ATTENDEES = 100
#: Reminder offsets a follow-up may use, minutes before the due time.
REMINDER_CHOICES = (10080, 1440, 60, 0)


class MeetingError(ServiceError):
    """A rule of meetings, commitments or follow-ups was broken; *field* names the form field."""


class StaleMeeting(Exception):
    """Someone saved the meeting after the editor opened it; nothing was written."""

    def __init__(self, meeting: Meeting, changes: list[dict[str, Any]]) -> None:
        # No attribute access here: after a failed flush the session must be rolled back first.
        super().__init__("the meeting changed since it was opened")
        self.meeting = meeting
        self.changes = changes


@dataclass
class MeetingData:
    title: str
    start_at: datetime
    timezone: str
    kind: str = MeetingKind.MEETING.value
    end_at: datetime | None = None
    location: str | None = None
    online_url: str | None = None
    agenda: str | None = None
    notes: str | None = None
    outcome: str | None = None
    status: str = MeetingStatus.PLANNED.value
    #: Who asked for it: a MeetingInitiator value, or None when not recorded.
    initiated_by: str | None = None
    #: "c:<contact id>" or "u:<user id>"
    attendees: list[str] = field(default_factory=list)
    #: Values of the fields higher features add to the meeting form (core.home.register_form_field), by name;
    #: passed on untouched in the meeting_saved signal, whose receivers validate them (raising MeetingError).
    extras: dict[str, str] = field(default_factory=dict)


@dataclass
class CommitmentData:
    description: str
    contact_id: int | None = None
    organisation_id: int | None = None
    category: str = CommitmentCategory.OTHER.value
    indicator: str | None = None
    target_value: str | None = None
    due_date: date | None = None
    accountable_id: int | None = None
    evidence: str | None = None


@dataclass
class FollowUpData:
    task: str
    due_at: datetime
    assignee_id: int
    contact_id: int | None = None
    commitment_id: int | None = None
    reminder_offsets: list[int] = field(default_factory=lambda: [1440, 0])
    remind_daily_when_overdue: bool = True


#: Fields compared for the edit history and the "changed since you opened it" message.
TRACKED = ("kind", "title", "start_at", "end_at", "timezone", "location", "online_url", "agenda", "notes",
           "outcome", "status", "initiated_by")


def _check_text(value: str | None, name: str, limit: int = MAX_TEXT) -> None:
    if value and len(value) > limit:
        raise MeetingError(_l("Keep this under %(max)d characters (it has %(n)d).", n=len(value), max=limit),
                           field=name)


def _validate(data: MeetingData, now: datetime) -> None:
    if not (data.title or "").strip():
        raise MeetingError(_l("Give the meeting a title."), field="title")
    if data.kind not in {k.value for k in MeetingKind}:
        raise MeetingError(_l("Choose a kind of meeting from the list."), field="kind")
    if data.status not in {s.value for s in MeetingStatus}:
        raise MeetingError(_l("Choose a status from the list."), field="status")
    if data.initiated_by is not None and data.initiated_by not in {i.value for i in MeetingInitiator}:
        raise MeetingError(_l("Choose who asked for the meeting from the list."), field="initiated_by")
    if not is_valid_zone(data.timezone or ""):
        raise MeetingError(_l("Choose a time zone from the list (for example Africa/Addis_Ababa)."), field="timezone")
    for value in (data.start_at, data.end_at):
        if value is not None and value.tzinfo is None:
            raise ValueError("meeting times must be aware datetimes")
    if data.online_url and not data.online_url.lower().startswith(("https://", "http://")):
        raise MeetingError(_l("Enter a full link starting with https://."), field="online_url")
    if data.end_at is not None and data.end_at < data.start_at:
        raise MeetingError(_l("The meeting ends before it starts; check the end time."), field="end_time")
    if data.status == MeetingStatus.HELD.value and data.start_at > now:
        raise MeetingError(_l("A meeting that has not started yet cannot be held: mark it planned, or check its "
                              "date and time."), field="status")
    _check_text(data.title, "title", MAX_TITLE)
    _check_text(data.location, "location", MAX_LOCATION)
    for name in ("agenda", "notes", "outcome"):
        _check_text(getattr(data, name), name)
    if len(data.attendees) > MAX_ATTENDEES:
        raise MeetingError(_l("A meeting can have at most %(n)d attendees.", n=MAX_ATTENDEES), field="attendees")


def _parse_attendees(tokens: Iterable[str]) -> tuple[list[int], list[int]]:
    tokens = list(tokens)
    if not all(map(is_token, tokens)):
        raise MeetingError(UNRECOGNISED, field="attendees")
    return split_tokens(tokens)


def _resolve_attendees(tokens: Iterable[str], actor: Any, already: Iterable[int] = ()) -> list[Attendee]:
    """Attendees from picker tokens; ids that do not exist (or that the actor may not see) are refused.

    Only those who may find activists add one (*already*: user ids on the meeting, who stay).
    """
    contact_ids, user_ids = _parse_attendees(tokens)
    contacts = {c.id: c for c in db.session.scalars(
        select(Contact).where(Contact.id.in_(contact_ids), Contact.is_archived.is_(False)))} if contact_ids else {}
    hidden = [] if actor is None or can_find_activists(actor) else [
        or_(User.role != Role.ACTIVIST.value, User.id.in_(list(already)))]
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_(user_ids), User.is_active_account.is_(True), *hidden))} if user_ids else {}
    missing = len(contact_ids) - len(contacts) + len(user_ids) - len(users)
    if missing:
        raise MeetingError(_l("%(n)d of the attendees no longer exist or are not visible to you; pick them again.",
                              n=missing), field="attendees")
    roles = {Role.PARTNER.value: AttendeeRole.PARTNER.value, Role.ACTIVIST.value: AttendeeRole.ACTIVIST.value}
    return ([Attendee(contact_id=cid, contact=contacts[cid], role=AttendeeRole.TARGET.value) for cid in contact_ids]
            + [Attendee(user_id=uid, user=users[uid], role=roles.get(users[uid].role, AttendeeRole.STAFF.value))
               for uid in user_ids])


def _organisation_of(contact_ids: list[int]) -> int | None:
    """The current office of a contact (the first of *contact_ids*)."""
    return current_organisations(contact_ids[:1]).get(contact_ids[0]) if contact_ids else None


def current_organisations(contact_ids: Iterable[int]) -> dict[int, int | None]:
    """Each contact's current office (the organisation of their current post), in one query."""
    ids = set(contact_ids)
    posts = current_posts(ids)
    return {cid: posts[cid].organisation_id if cid in posts else None for cid in ids}


def shared_organisation(contact_ids: Iterable[int]) -> int | None:
    """The meeting's organisation: set only when every target attendee currently works for the same one.

    Targets from different organisations (or one without a post) leave it empty rather than
    guessing from whoever was picked first.
    """
    offices = set(current_organisations(contact_ids).values())
    return offices.pop() if len(offices) == 1 and None not in offices else None


def _snapshot(meeting: Meeting) -> dict[str, Any]:
    values = {name: getattr(meeting, name) for name in TRACKED}
    values = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
    values["attendees"] = sorted(attendance_token(a) for a in meeting.attendees)
    return values


def latest_touches(contact_ids: Iterable[int] | None = None) -> dict[int, datetime]:
    """Start of each contact's latest held meeting, driven from their attendances (one grouped query).

    Starting from the attendances keeps it cheap with years of meetings: a correlated subquery lets
    the planner walk every held meeting per contact instead.
    """
    stmt = (select(Attendee.contact_id, func.max(Meeting.start_at))
            .join(Meeting, Meeting.id == Attendee.meeting_id)
            .where(Attendee.contact_id.is_not(None), Meeting.status == MeetingStatus.HELD.value)
            .group_by(Attendee.contact_id))
    if contact_ids is not None:
        stmt = stmt.where(Attendee.contact_id.in_(list(contact_ids)))
    return {cid: latest for cid, latest in db.session.execute(stmt)}


def refresh_last_touch(contact_ids: Iterable[int]) -> None:
    """Set each contact's last touch to the start of their latest held meeting."""
    ids = sorted(set(contact_ids))  # rows locked in one order: two saves never deadlock over them
    if not ids:
        return
    latest = latest_touches(ids)
    db.session.execute(update(Contact), [{"id": cid, "last_touch_at": latest.get(cid)} for cid in ids])
    for contact in db.session.identity_map.values():
        if isinstance(contact, Contact) and contact.id in ids:
            db.session.expire(contact, ["last_touch_at"])


def _after_save(meeting: Meeting, contact_ids: Iterable[int], *, created: bool, extras: dict[str, str], actor: Any,
                now: datetime) -> None:
    refresh_last_touch(contact_ids)
    meeting_saved.send(meeting, meeting=meeting, created=created, extras=extras, actor=actor, now=now)
    if meeting.status == MeetingStatus.HELD.value:
        meeting_held.send(meeting, meeting=meeting, actor=actor, now=now)


def log_meeting(data: MeetingData, *, commitments: Iterable[CommitmentData] = (),
                follow_ups: Iterable[FollowUpData] = (), actor: Any, now: datetime,
                ip: str | None = None) -> Meeting:
    """Log a meeting with its attendees, the commitments made and the follow-ups to do, in one go."""
    _validate(data, now)
    attendees = _resolve_attendees(data.attendees, actor)
    contact_ids = [a.contact_id for a in attendees if a.contact_id]
    meeting = Meeting(kind=data.kind, title=data.title.strip(), start_at=data.start_at, end_at=data.end_at,
                      timezone=data.timezone, location=data.location or None, online_url=data.online_url or None,
                      agenda=data.agenda or None, notes=data.notes or None, outcome=data.outcome or None,
                      status=data.status, initiated_by=data.initiated_by or None,
                      organiser_id=actor.id if actor else None,
                      organisation_id=shared_organisation(contact_ids), created_at=now, updated_at=now)
    meeting.attendees = attendees
    db.session.add(meeting)
    db.session.flush()
    db.session.add(MeetingRevision(meeting_id=meeting.id, revision=meeting.revision, changed_at=now,
                                   changed_by_id=getattr(actor, "id", None), changes=json.dumps({"created": True})))
    for item in commitments:
        record_commitment(meeting, item, actor=actor, now=now, ip=ip)
    for item in follow_ups:
        add_follow_up(item, meeting=meeting, actor=actor, now=now, ip=ip)
    record_event("meeting.log", actor=actor, now=now, record=meeting, ip=ip, status=meeting.status,
                 attendees=len(attendees))
    _after_save(meeting, contact_ids, created=True, extras=data.extras, actor=actor, now=now)
    return meeting


def update_meeting(meeting: Meeting, data: MeetingData, *, expected_revision: int,
                   commitments: Iterable[CommitmentData] = (), follow_ups: Iterable[FollowUpData] = (),
                   actor: Any, now: datetime, ip: str | None = None) -> Meeting:
    """Save an edit made on *expected_revision*; raise StaleMeeting if someone saved in between."""
    if not can_edit_meeting(actor, meeting):
        raise MeetingError(_l("You may only edit meetings you organised."))
    if meeting.revision != expected_revision:
        raise StaleMeeting(meeting, changes_since(meeting, expected_revision))
    _validate(data, now)
    before = _snapshot(meeting)
    old_contacts = {a.contact_id for a in meeting.attendees if a.contact_id}
    wanted = _resolve_attendees(data.attendees, actor, already=[a.user_id for a in meeting.attendees if a.user_id])
    keep = {(a.contact_id, a.user_id): a for a in meeting.attendees}
    meeting.attendees = [keep.get((a.contact_id, a.user_id), a) for a in wanted]
    optional_text = {"location", "online_url", "agenda", "notes", "outcome", "initiated_by"}
    for name in TRACKED:
        value = getattr(data, name)
        if name == "title":
            value = value.strip()
        elif name in optional_text:
            value = value or None
        setattr(meeting, name, value)
    meeting.organisation_id = shared_organisation(a.contact_id for a in meeting.attendees if a.contact_id)
    meeting.updated_at = now
    after = _snapshot(meeting)
    diff = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    try:
        db.session.flush()  # the revision column makes this UPDATE ... WHERE revision = <the one we read>
    except StaleDataError as exc:  # a save landed between our read and our write
        raise StaleMeeting(meeting, []) from exc
    db.session.add(MeetingRevision(meeting_id=meeting.id, revision=meeting.revision, changed_at=now,
                                   changed_by_id=getattr(actor, "id", None), changes=json.dumps(diff, default=str)))
    for item in commitments:
        record_commitment(meeting, item, actor=actor, now=now, ip=ip)
    for item in follow_ups:
        add_follow_up(item, meeting=meeting, actor=actor, now=now, ip=ip)
    record_event("meeting.update", actor=actor, now=now, record=meeting, ip=ip, revision=meeting.revision,
                 fields=sorted(diff))
    new_contacts = {a.contact_id for a in meeting.attendees if a.contact_id}
    _after_save(meeting, old_contacts | new_contacts, created=False, extras=data.extras, actor=actor, now=now)
    return meeting


def changes_since(meeting: Meeting, revision: int) -> list[dict[str, Any]]:
    """What was saved after *revision*: [{revision, by, at, fields: {name: [old, new]}}], oldest first."""
    rows = db.session.scalars(select(MeetingRevision).where(
        MeetingRevision.meeting_id == meeting.id, MeetingRevision.revision > revision)
        .order_by(MeetingRevision.revision)).all()
    return [{"revision": r.revision, "by": r.changed_by.name if r.changed_by else None, "at": r.changed_at,
             "fields": {k: v for k, v in r.changes_dict.items() if isinstance(v, list) and len(v) == 2}}
            for r in rows]


# --- commitments -----------------------------------------------------------------------------

def _user_who_follows_up(user_id: int | None, field_name: str) -> User | None:
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active_account or user.role == Role.ACTIVIST.value:
        raise MeetingError(_l("Choose an active partner or coordinator from the list."), field=field_name)
    return user


def record_commitment(meeting: Meeting | None, data: CommitmentData, *, actor: Any, now: datetime,
                      ip: str | None = None) -> Commitment:
    """Record a promise a target made (in *meeting*, if given)."""
    if not (data.description or "").strip():
        raise MeetingError(_l("Say what was promised."), field="description")
    _check_text(data.description, "description", MAX_COMMITMENT)
    _check_text(data.evidence, "evidence", 5000)
    if data.category not in {c.value for c in CommitmentCategory}:
        raise MeetingError(_l("Choose a category from the list."), field="category")
    contact_id, organisation_id = data.contact_id, data.organisation_id
    if meeting is not None:
        targets = [a.contact_id for a in meeting.attendees if a.contact_id]
        problem = made_by_problem(contact_id, targets, organisation_id=organisation_id)
        if problem is not None:
            raise MeetingError(problem, field="contact_id")
        contact_id = who_made_it(contact_id, targets, organisation_id=organisation_id)
    if contact_id is None and organisation_id is None:
        raise MeetingError(_l("Say who made this commitment: pick one of the contacts who attended."),
                           field="contact_id")
    if organisation_id is None and contact_id is not None:
        # A promise made by an official counts for their current office too (scorecards roll offices up).
        organisation_id = _organisation_of([contact_id])
    if contact_id is not None and db.session.get(Contact, contact_id) is None:
        raise MeetingError(_l("That contact does not exist; pick one from the list."), field="contact_id")
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        raise MeetingError(_l("That organisation does not exist."), field="organisation_id")
    _user_who_follows_up(data.accountable_id, "accountable_id")
    commitment = Commitment(
        meeting_id=meeting.id if meeting else None, contact_id=contact_id, organisation_id=organisation_id,
        description=data.description.strip(), category=data.category, indicator=data.indicator or None,
        target_value=data.target_value or None, due_date=data.due_date, accountable_id=data.accountable_id,
        evidence=data.evidence or None, status=CommitmentStatus.OPEN.value, status_changed_at=now,
        created_by_id=getattr(actor, "id", None), created_at=now, updated_at=now)
    db.session.add(commitment)
    db.session.flush()
    db.session.add(CommitmentChange(commitment_id=commitment.id, from_status=None, to_status=commitment.status,
                                    changed_at=now, changed_by_id=getattr(actor, "id", None), note=None))
    record_event("commitment.record", actor=actor, now=now, record=commitment, ip=ip, meeting_id=commitment.meeting_id)
    commitment_recorded.send(commitment, commitment=commitment, actor=actor, now=now)
    return commitment


class StaleCommitment(MeetingError):
    """Someone recorded another status after this change was opened; nothing was saved."""


def change_commitment_status(commitment: Commitment, status: str, *, note: str | None = None,
                             evidence: str | None = None, actor: Any, now: datetime,
                             ip: str | None = None, expected_status: str | None = None) -> CommitmentChange:
    """Move a commitment to *status*, keeping a dated, attributed history (actor None: the system).

    With *expected_status* (the status the person saw), a change someone else's came before is
    refused with StaleCommitment, even when the two race.
    """
    if status not in {s.value for s in CommitmentStatus}:
        raise MeetingError(_l("Choose a status from the list."), field="status")
    if expected_status is not None and not compare_and_set(
            Commitment, commitment.id, Commitment.status, expected_status, updated_at=now):
        raise StaleCommitment(_l("Someone recorded another status since you opened this commitment; nothing was "
                                 "saved. Its history below shows the change: choose again if you still need to."))
    if status == commitment.status:
        raise MeetingError(_l("The commitment is already in this status."), field="status")
    _check_text(note, "note", 5000)
    change = CommitmentChange(commitment_id=commitment.id, from_status=commitment.status, to_status=status,
                              changed_at=now, changed_by_id=getattr(actor, "id", None), note=note or None)
    commitment.status, commitment.status_changed_at, commitment.updated_at = status, now, now
    if evidence:
        _check_text(evidence, "evidence", 5000)
        commitment.evidence = "\n".join([*commitment.evidence_links, *evidence.split()])
    db.session.add(change)
    db.session.flush()
    record_event("commitment.status", actor=actor, now=now, record=commitment, ip=ip, from_status=change.from_status,
                 to_status=status)
    commitment_status_changed.send(commitment, commitment=commitment, from_status=change.from_status,
                                   to_status=status, actor=actor, now=now)
    return change


# --- follow-ups ------------------------------------------------------------------------------

def add_follow_up(data: FollowUpData, *, meeting: Meeting | None = None, actor: Any, now: datetime,
                  ip: str | None = None) -> FollowUp:
    """Create a task with a due time, an assignee and reminders."""
    if not (data.task or "").strip():
        raise MeetingError(_l("Say what has to be done."), field="task")
    _check_text(data.task, "task", MAX_TASK)
    if data.due_at.tzinfo is None:
        raise ValueError("due_at must be aware")
    if _user_who_follows_up(data.assignee_id, "assignee_id") is None:
        raise MeetingError(_l("Choose who will do this."), field="assignee_id")
    offsets = sorted({int(o) for o in data.reminder_offsets if int(o) in REMINDER_CHOICES}, reverse=True)
    contact_id = data.contact_id
    if contact_id is None and meeting is not None:
        targets = [a.contact_id for a in meeting.attendees if a.contact_id]
        contact_id = targets[0] if len(targets) == 1 else None
    follow_up = FollowUp(task=data.task.strip(), due_at=data.due_at, assignee_id=data.assignee_id,
                         meeting_id=meeting.id if meeting else None, contact_id=contact_id,
                         commitment_id=data.commitment_id, status=FollowUpStatus.OPEN.value,
                         reminder_offsets=",".join(str(o) for o in offsets),
                         remind_daily_when_overdue=data.remind_daily_when_overdue,
                         created_by_id=getattr(actor, "id", None), created_at=now, updated_at=now)
    db.session.add(follow_up)
    db.session.flush()
    record_event("follow_up.add", actor=actor, now=now, record=follow_up, ip=ip, assignee_id=data.assignee_id)
    follow_up_added.send(follow_up, follow_up=follow_up, actor=actor, now=now)
    return follow_up


def _close_follow_up(follow_up: FollowUp, status: str, *, actor: Any, now: datetime,
                     ip: str | None = None) -> FollowUp:
    if follow_up.status != FollowUpStatus.OPEN.value:
        raise MeetingError(_l("This follow-up is already closed."))
    follow_up.status, follow_up.completed_at, follow_up.updated_at = status, now, now
    cancel_pending(f"follow_up:{follow_up.id}:", now=now)
    db.session.flush()
    record_event(f"follow_up.{status}", actor=actor, now=now, record=follow_up, ip=ip)
    return follow_up


def complete_follow_up(follow_up: FollowUp, *, actor: Any, now: datetime, ip: str | None = None) -> FollowUp:
    """Mark a follow-up done; reminders not yet sent are cancelled."""
    return _close_follow_up(follow_up, FollowUpStatus.DONE.value, actor=actor, now=now, ip=ip)


def cancel_follow_up(follow_up: FollowUp, *, actor: Any, now: datetime, ip: str | None = None) -> FollowUp:
    """Cancel a follow-up that is no longer needed; reminders not yet sent are cancelled."""
    return _close_follow_up(follow_up, FollowUpStatus.CANCELLED.value, actor=actor, now=now, ip=ip)


def snooze_follow_up(follow_up: FollowUp, until: datetime, *, actor: Any, now: datetime,
                     ip: str | None = None) -> FollowUp:
    """Move an open follow-up's due time to *until*; its reminders follow."""
    if follow_up.status != FollowUpStatus.OPEN.value:
        raise MeetingError(_l("Only open follow-ups can be snoozed."))
    if until <= now:
        raise MeetingError(_l("Snooze to a time in the future."), field="until")
    old = follow_up.due_at
    follow_up.due_at, follow_up.updated_at = until, now
    cancel_pending(f"follow_up:{follow_up.id}:", now=now)
    db.session.flush()
    record_event("follow_up.snooze", actor=actor, now=now, record=follow_up, ip=ip, from_due=old, to_due=until)
    return follow_up


SNOOZE_CHOICES = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "3d": timedelta(days=3),
                  "1w": timedelta(weeks=1)}


# --- merges in the directory -----------------------------------------------------------------

@contact_merged.connect
def _on_contact_merged(_sender: Any, *, source_id: int, target_id: int, actor: Any = None,
                       now: datetime | None = None, **_: Any) -> None:
    """Re-point attendances, commitments and follow-ups from the merged contact to the one kept."""
    both = select(Attendee.meeting_id).where(Attendee.contact_id == target_id)
    db.session.execute(delete(Attendee).where(Attendee.contact_id == source_id, Attendee.meeting_id.in_(both))
                       .execution_options(synchronize_session=False))
    for model in (Attendee, Commitment, FollowUp):
        db.session.execute(update(model).where(model.contact_id == source_id).values(contact_id=target_id)
                           .execution_options(synchronize_session=False))
    tallies.recount("contact", [source_id, target_id])  # the bulk UPDATE bypassed the ORM events
    refresh_last_touch([source_id, target_id])


@organisation_merged.connect
def _on_organisation_merged(_sender: Any, *, source_id: int, target_id: int, **_: Any) -> None:
    for model in (Meeting, Commitment):
        db.session.execute(update(model).where(model.organisation_id == source_id)
                           .values(organisation_id=target_id).execution_options(synchronize_session=False))
    tallies.recount("organisation", [source_id, target_id])  # the bulk UPDATE bypassed the ORM events
