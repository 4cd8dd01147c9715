"""Who may see and change which campaign, objective and target.

Staff (coordinators, managers, admins) see every campaign. A partner sees a campaign only when one of its
targets is assigned to her, and within it only her own targets; activists see nothing of campaigns. What a
user may not see answers 404; what she may see but not change answers 403.
"""
from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import false, select, true, union

from outreach.core.db import db
from outreach.core.permissions import Capability, has_capability
from outreach.campaigns.models import Campaign, Objective, Target, TargetAssignment, campaign_meetings
from outreach.meetings.models import Attendee, Meeting


def my_target_ids(user: Any) -> Any:
    return select(TargetAssignment.target_id).where(TargetAssignment.user_id == user.id)


def visible_campaigns(user: Any) -> Any:
    """A WHERE clause selecting the campaigns *user* may see."""
    if has_capability(user, Capability.VIEW_ALL_CAMPAIGNS):
        return true()
    if not has_capability(user, Capability.WORK_OWN_TARGETS):
        return false()
    return Campaign.id.in_(select(Target.campaign_id).join(TargetAssignment, TargetAssignment.target_id == Target.id)
                           .where(TargetAssignment.user_id == user.id))


def visible_targets(user: Any) -> Any:
    """A WHERE clause selecting the targets *user* may see: all for staff, her own for a partner."""
    if has_capability(user, Capability.VIEW_ALL_CAMPAIGNS):
        return true()
    if not has_capability(user, Capability.WORK_OWN_TARGETS):
        return false()
    return Target.id.in_(my_target_ids(user))


def can_manage_campaign(user: Any) -> bool:
    return has_capability(user, Capability.MANAGE_CAMPAIGNS)


def can_manage_targets(user: Any) -> bool:
    return has_capability(user, Capability.MANAGE_CAMPAIGN_TARGETS)


def can_move_target(user: Any, target: Any) -> bool:
    """Whether *user* may move *target* (a Target, or a card of the board) along the pipeline."""
    if can_manage_targets(user):
        return True
    return has_capability(user, Capability.WORK_OWN_TARGETS) and user.id in target.partner_ids


def _check_id(record_id: int) -> None:
    if not 0 < record_id < 2**31:  # no row can have it; the database would refuse the comparison
        abort(404)


def get_campaign_or_404(campaign_id: int, user: Any, *, need: str = "view") -> Campaign:
    _check_id(campaign_id)
    campaign = db.session.scalar(select(Campaign).where(Campaign.id == campaign_id, visible_campaigns(user)))
    if campaign is None:
        abort(404)
    if need == "manage" and not can_manage_campaign(user):
        abort(403)
    if need == "targets" and not can_manage_targets(user):
        abort(403)
    return campaign


def get_objective_or_404(objective_id: int, user: Any, *, need: str = "view") -> Objective:
    _check_id(objective_id)
    objective = db.session.scalar(select(Objective).join(Campaign, Campaign.id == Objective.campaign_id)
                                  .where(Objective.id == objective_id, visible_campaigns(user)))
    if objective is None:
        abort(404)
    if need == "manage" and not can_manage_campaign(user):
        abort(403)
    return objective


def get_target_or_404(target_id: int, user: Any, *, need: str = "view") -> Target:
    _check_id(target_id)
    target = db.session.scalar(select(Target).where(Target.id == target_id, visible_targets(user)))
    if target is None:
        abort(404)
    if need == "move" and not can_move_target(user, target):
        abort(403)
    if need == "manage" and not can_manage_targets(user):
        abort(403)
    return target


def meeting_ids_via_targets(user: Any) -> Any:
    """A SELECT of the ids of meetings a partner may see because of campaign targets assigned to her: meetings
    with one of her target contacts, meetings with one of her target organisations, and meetings linked to a
    campaign in which she holds the target who attended.

    For core's meeting-visibility extension point (DESIGN.md: partners see "meetings linked to campaign
    targets assigned to her"); indexed look-ups only.
    """
    mine = select(Target.contact_id, Target.organisation_id).where(Target.id.in_(my_target_ids(user))).subquery()
    with_contacts = select(Attendee.meeting_id).where(
        Attendee.contact_id.in_(select(mine.c.contact_id).where(mine.c.contact_id.is_not(None))))
    with_offices = select(Meeting.id).where(
        Meeting.organisation_id.in_(select(mine.c.organisation_id).where(mine.c.organisation_id.is_not(None))))
    return union(with_contacts, with_offices)


def campaign_of_meeting(meeting_id: int) -> int | None:
    return db.session.scalar(
        select(campaign_meetings.c.campaign_id).where(campaign_meetings.c.meeting_id == meeting_id)
    )
