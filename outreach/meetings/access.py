"""Who may see and change which meeting, commitment and follow-up.

Staff (coordinators, managers, admins) see everything. Partners see meetings they organised or
attended and meetings with contacts they hold a relationship with; activists see only meetings
they attended, and never the internal notes. A record the user may not see answers 404; one they
may see but not change answers 403.
"""
from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import false, or_, select, true, union

from outreach.contacts.models import Relationship
from outreach.core.db import db
from outreach.core.permissions import Capability, Role, has_capability
from outreach.meetings.models import Attendee, Commitment, FollowUp, Meeting


def _my_contacts(user: Any) -> Any:
    return select(Relationship.contact_id).where(Relationship.user_id == user.id,
                                                 Relationship.is_archived.is_(False))


def visible_meeting_ids(user: Any) -> Any:
    """A SELECT of the ids of the meetings a partner or activist may see (indexed look-ups, no scan)."""
    attended = select(Attendee.meeting_id).where(Attendee.user_id == user.id)
    if Role(user.role) != Role.PARTNER:
        return attended
    organised = select(Meeting.id).where(Meeting.organiser_id == user.id)
    on_my_contacts = select(Attendee.meeting_id).where(Attendee.contact_id.in_(_my_contacts(user)))
    return union(attended, organised, on_my_contacts)


def visible_meetings(user: Any) -> Any:
    """A WHERE clause selecting the meetings *user* may see."""
    if has_capability(user, Capability.VIEW_ALL_MEETINGS):
        return true()
    if Role(user.role) not in (Role.ACTIVIST, Role.PARTNER):
        return false()
    return Meeting.id.in_(visible_meeting_ids(user))


def can_view_meeting(user: Any, meeting: Meeting) -> bool:
    if has_capability(user, Capability.VIEW_ALL_MEETINGS):
        return True
    return db.session.scalar(select(Meeting.id).where(Meeting.id == meeting.id, visible_meetings(user))) is not None


def can_edit_meeting(user: Any, meeting: Meeting) -> bool:
    if has_capability(user, Capability.EDIT_ANY_MEETING):
        return True
    return has_capability(user, Capability.LOG_MEETINGS) and meeting.organiser_id == user.id


def can_see_notes(user: Any) -> bool:
    return has_capability(user, Capability.VIEW_MEETING_NOTES)


def get_meeting_or_404(meeting_id: int, user: Any, *, need: str = "view") -> Meeting:
    meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id, visible_meetings(user)))
    if meeting is None:
        abort(404)
    if need == "edit" and not can_edit_meeting(user, meeting):
        abort(403)
    return meeting


def visible_commitments(user: Any, *narrow: Any) -> Any:
    """Staff see every commitment; partners those they are accountable for, on their contacts, or
    made in meetings they may see; activists none.

    *narrow*: conditions the caller also applies (e.g. a status), pushed into each branch of a partner's
    id set so it stays small (otherwise the database may read every commitment in that status to join).
    """
    if has_capability(user, Capability.VIEW_ALL_MEETINGS):
        return true()
    if Role(user.role) != Role.PARTNER:
        return false()
    ids = union(select(Commitment.id).where(Commitment.accountable_id == user.id, *narrow),
                select(Commitment.id).where(Commitment.contact_id.in_(_my_contacts(user)), *narrow),
                select(Commitment.id).where(Commitment.meeting_id.in_(visible_meeting_ids(user)), *narrow))
    return Commitment.id.in_(ids)


def can_change_commitment(user: Any, commitment: Commitment) -> bool:
    return has_capability(user, Capability.MANAGE_COMMITMENTS) or commitment.accountable_id == user.id


def get_commitment_or_404(commitment_id: int, user: Any, *, need: str = "view") -> Commitment:
    commitment = db.session.scalar(select(Commitment).where(Commitment.id == commitment_id,
                                                            visible_commitments(user)))
    if commitment is None:
        abort(404)
    if need == "edit" and not can_change_commitment(user, commitment):
        abort(403)
    return commitment


def visible_follow_ups(user: Any) -> Any:
    if has_capability(user, Capability.VIEW_ALL_FOLLOW_UPS):
        return true()
    return or_(FollowUp.assignee_id == user.id, FollowUp.created_by_id == user.id)


def get_follow_up_or_404(follow_up_id: int, user: Any, *, need: str = "view") -> FollowUp:
    follow_up = db.session.scalar(select(FollowUp).where(FollowUp.id == follow_up_id, visible_follow_ups(user)))
    if follow_up is None:
        abort(404)
    if need == "edit" and not (follow_up.assignee_id == user.id or follow_up.created_by_id == user.id
                               or has_capability(user, Capability.VIEW_ALL_FOLLOW_UPS)):
        abort(403)
    return follow_up
