"""Who may see and change which meeting, commitment and follow-up.

Staff (coordinators, managers, admins) see everything. A partner sees a meeting she attended or
logged, or where she is accountable for a commitment or assigned a follow-up, plus what higher
features contribute through `outreach.core.visibility` (campaigns: meetings linked to targets
assigned to her). A relationship she declares herself never widens what she can read. Activists see
only meetings they attended, and of those only what `activist_view` allows (never internal notes,
outcome, other activists, or commitments and follow-ups). A record the user may not see answers
404; one they may see but not change answers 403.
"""
from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import CompoundSelect, false, or_, select, true, union

from outreach.core.db import db
from outreach.core.permissions import Capability, Role, has_capability
from outreach.core.visibility import extra_visible_meeting_ids
from outreach.meetings.models import Attendee, Commitment, FollowUp, Meeting


def visible_meeting_ids(user: Any) -> Any:
    """A SELECT of the ids of the meetings a partner or activist may see (indexed look-ups, no scan)."""
    attended = select(Attendee.meeting_id).where(Attendee.user_id == user.id)
    if Role(user.role) != Role.PARTNER:
        return attended
    organised = select(Meeting.id).where(Meeting.organiser_id == user.id)
    accountable = select(Commitment.meeting_id).where(Commitment.accountable_id == user.id,
                                                      Commitment.meeting_id.is_not(None))
    assigned = select(FollowUp.meeting_id).where(FollowUp.assignee_id == user.id, FollowUp.meeting_id.is_not(None))
    return union(attended, organised, accountable, assigned, *map(_as_branch, extra_visible_meeting_ids(user)))


def _as_branch(stmt: Any) -> Any:
    """A contributed SELECT as one branch of a UNION: a UNION nested in a UNION is a syntax error on SQLite, so a
    compound one is read through a subquery."""
    return select(stmt.subquery().c[0]) if isinstance(stmt, CompoundSelect) else stmt


def visible_meetings(user: Any) -> Any:
    """A WHERE clause selecting the meetings *user* may see."""
    if has_capability(user, Capability.VIEW_ALL_MEETINGS):
        return true()
    if Role(user.role) not in (Role.ACTIVIST, Role.PARTNER):
        return false()
    return Meeting.id.in_(visible_meeting_ids(user))


def can_edit_meeting(user: Any, meeting: Meeting) -> bool:
    if has_capability(user, Capability.EDIT_ANY_MEETING):
        return True
    return has_capability(user, Capability.LOG_MEETINGS) and meeting.organiser_id == user.id


def can_see_notes(user: Any) -> bool:
    return has_capability(user, Capability.VIEW_MEETING_NOTES)


def can_see_outcome(user: Any) -> bool:
    """Everyone who may open a meeting reads its outcome, except activists."""
    return Role(user.role) != Role.ACTIVIST


def attendees_seen_by(user: Any, attendees: Any) -> list[Attendee]:
    """The attendees *user* may know were there: an activist never learns that another activist exists."""
    if Role(user.role) != Role.ACTIVIST:
        return list(attendees)
    return [a for a in attendees
            if a.user_id is None or a.user_id == user.id or a.user is None or a.user.role != Role.ACTIVIST.value]


def can_find_activists(user: Any) -> bool:
    """Whether people pickers may offer *user* activist accounts (coordinators and admins only)."""
    return has_capability(user, Capability.FIND_ACTIVISTS)


def get_meeting_or_404(meeting_id: int, user: Any, *, need: str = "view") -> Meeting:
    meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id, visible_meetings(user)))
    if meeting is None:
        abort(404)
    if need == "edit" and not can_edit_meeting(user, meeting):
        abort(403)
    return meeting


def visible_commitments(user: Any, *narrow: Any) -> Any:
    """Staff see every commitment; partners those they are accountable for or made in meetings they
    may see; activists none.

    *narrow*: conditions the caller also applies (e.g. a status), pushed into each branch of a partner's
    id set so it stays small (otherwise the database may read every commitment in that status to join).
    """
    if has_capability(user, Capability.VIEW_ALL_MEETINGS):
        return true()
    if Role(user.role) != Role.PARTNER:
        return false()
    ids = union(select(Commitment.id).where(Commitment.accountable_id == user.id, *narrow),
                select(Commitment.id).where(Commitment.meeting_id.in_(visible_meeting_ids(user)), *narrow))
    return Commitment.id.in_(ids)


#: A partner with more meetings than this has her commitments found through the subquery: the id list would be
#: too long to bind.
MEETING_IDS_INLINE = 5000


def visible_commitments_listed(user: Any) -> Any:
    """visible_commitments(user) for a page that asks several questions of the same set (the scorecards).

    A partner's meeting ids are read once and handed to the database as a list, so that it combines two index
    look-ups (commitments she is accountable for, commitments made in her meetings) instead of scanning every
    commitment to match a subquery, once per question. Staff and activists: as visible_commitments.
    """
    if has_capability(user, Capability.VIEW_ALL_MEETINGS) or Role(user.role) != Role.PARTNER:
        return visible_commitments(user)
    meeting_ids = list(db.session.scalars(visible_meeting_ids(user).limit(MEETING_IDS_INLINE + 1)))
    if len(meeting_ids) > MEETING_IDS_INLINE:
        return visible_commitments(user)
    return or_(Commitment.accountable_id == user.id, Commitment.meeting_id.in_(meeting_ids))


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
