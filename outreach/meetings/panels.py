"""What meetings contributes to other pages: navigation, Today panels, contact and organisation timelines."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from outreach.core.audit import register_private_fields
from outreach.core.audit_text import names_from, register_action_labels, register_record_names
from outreach.core.db import db
from outreach.core.home import NavItem, Panel, register_nav_item, register_panel
from outreach.core.permissions import ALL_ROLES, LOGGERS, STAFF, Role
from outreach.meetings import queries
from outreach.meetings.access import visible_commitments, visible_meetings
from outreach.meetings.models import Commitment, CommitmentStatus, FollowUp, Meeting, MeetingStatus


def build_my_follow_ups(user: Any, now: datetime, **_: Any) -> dict[str, Any]:
    """How many are overdue, due today and this week, the next few to act on, and what I logged lately."""
    return {"counts": queries.follow_up_counts(user, now), "due": queries.next_follow_ups(user, limit=5),
            "logged": queries.recently_logged_by(user, limit=5), "now": now, "col": "col-lg-6"}


def build_going_cold(user: Any, now: datetime, **_: Any) -> dict[str, Any] | None:
    return {"contacts": queries.going_cold(user, now, limit=8), "now": now}


def build_overdue_commitments(user: Any, now: datetime, **_: Any) -> dict[str, Any]:
    overdue = Commitment.status == CommitmentStatus.OVERDUE.value
    rows = db.session.scalars(
        select(Commitment).where(visible_commitments(user, overdue), overdue)
        .options(selectinload(Commitment.contact), selectinload(Commitment.organisation))
        .order_by(Commitment.due_date).limit(8)).all()
    return {"commitments": rows}


def build_upcoming_meetings(user: Any, now: datetime, **_: Any) -> dict[str, Any]:
    rows = db.session.scalars(
        select(Meeting).where(visible_meetings(user), Meeting.start_at >= now,
                              Meeting.status == MeetingStatus.PLANNED.value)
        .order_by(Meeting.start_at).limit(6)).all()
    return {"meetings": rows}


def build_contact_timeline(user: Any, now: datetime, *, contact: Any = None, **_: Any) -> dict[str, Any] | None:
    if contact is None:
        return None
    return {**queries.contact_timeline(user, contact), "subject": contact, "filter": {"contact": contact.id}}


def build_log_with(user: Any, now: datetime, *, contact: Any = None, **_: Any) -> dict[str, Any] | None:
    """"Log a meeting" with this contact, first among the contact page's actions (within reach on a phone)."""
    return None if contact is None or contact.is_archived else {"contact": contact}


def build_organisation_timeline(user: Any, now: datetime, *, organisation: Any = None,
                                **_: Any) -> dict[str, Any] | None:
    if organisation is None:
        return None
    return {**queries.organisation_timeline(user, organisation), "subject": organisation,
            "filter": {"organisation": organisation.id}}


ACTION_LABELS = {
    "meeting.log": _l("logged the meeting %(record)s"),
    "meeting.update": _l("edited the meeting %(record)s"),
    "commitment.record": _l("recorded the commitment %(record)s"),
    "commitment.status": _l("changed the status of the commitment %(record)s"),
    "commitment.export": _l("exported the commitments register"),
    "follow_up.add": _l("added the follow-up %(record)s"),
    "follow_up.done": _l("marked the follow-up %(record)s done"),
    "follow_up.cancelled": _l("marked the follow-up %(record)s not needed"),
    "follow_up.snooze": _l("snoozed the follow-up %(record)s"),
}


def register_contributions() -> None:
    register_private_fields("notes")  # a meeting's internal notes
    register_action_labels(ACTION_LABELS)
    register_record_names("meetings", names_from(Meeting.id, Meeting.title))
    register_record_names("commitments", names_from(Commitment.id, Commitment.description))
    register_record_names("follow_ups", names_from(FollowUp.id, FollowUp.task))
    # Meetings, commitments and follow-ups open from one menu (an activist, with meetings only, sees the link).
    register_nav_item(NavItem("meetings.index", _l("Meetings"), ALL_ROLES, 30, group=_l("Meetings")))
    register_nav_item(NavItem("commitments.index", _l("Commitments"), LOGGERS, 31, group=_l("Meetings")))
    register_nav_item(NavItem("follow_ups.index", _l("Follow-ups"), LOGGERS, 32, group=_l("Meetings")))
    register_panel(Panel("meetings.my_follow_ups", "meetings/_panel_follow_ups.html", build_my_follow_ups,
                         roles=LOGGERS, order=10))
    register_panel(Panel("meetings.upcoming", "meetings/_panel_upcoming.html", build_upcoming_meetings,
                         roles=ALL_ROLES, order=15))
    register_panel(Panel("meetings.going_cold", "meetings/_panel_going_cold.html", build_going_cold,
                         roles=STAFF | {Role.PARTNER}, order=20))
    register_panel(Panel("meetings.overdue_commitments", "meetings/_panel_overdue_commitments.html",
                         build_overdue_commitments, roles=LOGGERS, order=25))
    register_panel(Panel("meetings.timeline", "meetings/_contact_timeline.html", build_contact_timeline,
                         slot="contact.detail", roles=ALL_ROLES, order=20))
    register_panel(Panel("meetings.log_with", "meetings/_contact_log_button.html", build_log_with,
                         slot="contact.actions", roles=LOGGERS, order=10))
    register_panel(Panel("meetings.timeline", "meetings/_contact_timeline.html", build_organisation_timeline,
                         slot="organisation.detail", roles=ALL_ROLES, order=20))
