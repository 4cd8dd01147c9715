"""How meetings and commitments reach campaigns without knowing them.

Meetings send signals from core; campaigns listen here. A held meeting moves its targets to "met" (a planned
one to "contacted"), a recorded commitment to "committed", a kept one to "delivered", each move dated and
attributed to whoever logged it. The campaign field of the meeting form is contributed here too, through
core's form-field extension point: its value arrives in the meeting_saved signal, is checked here, and the
meeting, its commitments and its follow-ups are linked to the campaign.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, case, delete, func, insert, literal, or_, select

from outreach.campaigns.access import visible_campaigns
from outreach.campaigns.models import (Campaign, CampaignStatus, Stage, Target, TargetAssignment, campaign_commitments,
                                       campaign_follow_ups, campaign_meetings)
from outreach.campaigns.services import advance_from_data
from outreach.core.db import db
from outreach.core.forms import is_record_id
from outreach.core.signals import (commitment_recorded, commitment_status_changed, follow_up_added, meeting_saved)
from outreach.meetings.models import Commitment, CommitmentStatus, FollowUp, Meeting, MeetingStatus
from outreach.meetings.services import MeetingError, current_organisations

FIELD = "campaign_id"
#: Campaigns offered on the meeting form: open ones, at most this many (a coalition runs dozens, not thousands).
MAX_CHOICES = 200
OPEN_STAGES = (Stage.IDENTIFIED.value, Stage.CONTACTED.value, Stage.MET.value, Stage.COMMITTED.value)


def _targets_of(contact_ids: Iterable[int], organisation_ids: Iterable[int], *, on: datetime) -> list[Target]:
    """Targets in active campaigns running on *on*'s date that are one of these contacts or organisations."""
    contact_ids = [c for c in set(contact_ids) if c]
    organisation_ids = [o for o in set(organisation_ids) if o]
    if not contact_ids and not organisation_ids:
        return []
    day = on.date()
    return list(db.session.scalars(
        select(Target).join(Campaign, Campaign.id == Target.campaign_id)
        .where(Campaign.status == CampaignStatus.ACTIVE.value, Campaign.start_date <= day, Campaign.end_date >= day,
               or_(Target.contact_id.in_(contact_ids), Target.organisation_id.in_(organisation_ids)))
        .order_by(Target.id)))


@meeting_saved.connect
def _on_meeting_saved(_sender: Any, *, meeting: Meeting, extras: dict[str, str], actor: Any, now: datetime,
                      **_: Any) -> None:
    if FIELD in extras:
        link_meeting(meeting, extras[FIELD], actor=actor)
    if meeting.status == MeetingStatus.CANCELLED.value:
        return
    contact_ids = [a.contact_id for a in meeting.attendees if a.contact_id]
    offices = set(current_organisations(contact_ids).values()) | {meeting.organisation_id}
    held = meeting.status == MeetingStatus.HELD.value
    if held and meeting.start_at > now:
        return  # "held" but in the future: a slip of the status field; the stage moves once it really happened
    stage, verb = (Stage.MET.value, "Meeting held") if held else (Stage.CONTACTED.value, "Meeting planned")
    advance_from_data(_targets_of(contact_ids, [o for o in offices if o], on=meeting.start_at), stage,
                      source="meeting", source_id=meeting.id, reason=f"{verb}: {meeting.title}"[:500], actor=actor,
                      now=now)


def link_meeting(meeting: Meeting, raw: str, *, actor: Any) -> None:
    """Link the meeting (and its commitments and follow-ups) to the chosen campaign, or unlink it ("")."""
    raw = (raw or "").strip()
    campaign_id = None
    if raw:
        if not is_record_id(raw):
            raise MeetingError(_l("Choose a campaign from the list."), field=FIELD)
        campaign_id = db.session.scalar(select(Campaign.id).where(
            Campaign.id == int(raw), Campaign.status != CampaignStatus.CLOSED.value, visible_campaigns(actor)))
        if campaign_id is None:
            raise MeetingError(_l("That campaign is closed or not one of yours; choose another from the list."),
                               field=FIELD)
    db.session.execute(delete(campaign_meetings).where(campaign_meetings.c.meeting_id == meeting.id))
    commitment_ids = select(Commitment.id).where(Commitment.meeting_id == meeting.id)
    follow_up_ids = select(FollowUp.id).where(FollowUp.meeting_id == meeting.id)
    db.session.execute(delete(campaign_commitments).where(campaign_commitments.c.commitment_id.in_(commitment_ids)))
    db.session.execute(delete(campaign_follow_ups).where(campaign_follow_ups.c.follow_up_id.in_(follow_up_ids)))
    if campaign_id is None:
        return
    db.session.execute(insert(campaign_meetings).values(meeting_id=meeting.id, campaign_id=campaign_id))
    db.session.execute(insert(campaign_commitments).from_select(
        ["commitment_id", "campaign_id"], select(Commitment.id, literal(campaign_id, Integer))
        .where(Commitment.meeting_id == meeting.id)))
    db.session.execute(insert(campaign_follow_ups).from_select(
        ["follow_up_id", "campaign_id"], select(FollowUp.id, literal(campaign_id, Integer))
        .where(FollowUp.meeting_id == meeting.id)))


def _campaign_of(table: Any, key: Any, record_id: int | None) -> int | None:
    if record_id is None:
        return None
    return db.session.scalar(select(table.c.campaign_id).where(key == record_id))


@commitment_recorded.connect
def _on_commitment_recorded(_sender: Any, *, commitment: Commitment, actor: Any, now: datetime, **_: Any) -> None:
    campaign_id = _campaign_of(campaign_meetings, campaign_meetings.c.meeting_id, commitment.meeting_id)
    if campaign_id is not None:
        db.session.execute(insert(campaign_commitments).values(commitment_id=commitment.id, campaign_id=campaign_id))
    targets = _targets_of([commitment.contact_id or 0], [commitment.organisation_id or 0], on=now)
    advance_from_data(targets, Stage.COMMITTED.value, source="commitment", source_id=commitment.id,
                      reason=f"Commitment: {commitment.description}"[:500], actor=actor, now=now)


@commitment_status_changed.connect
def _on_commitment_status(_sender: Any, *, commitment: Commitment, to_status: str, actor: Any, now: datetime,
                          **_: Any) -> None:
    if to_status != CommitmentStatus.KEPT.value:
        return
    targets = _targets_of([commitment.contact_id or 0], [commitment.organisation_id or 0], on=now)
    advance_from_data(targets, Stage.DELIVERED.value, source="commitment", source_id=commitment.id,
                      reason=f"Commitment kept: {commitment.description}"[:500], actor=actor, now=now)


@follow_up_added.connect
def _on_follow_up_added(_sender: Any, *, follow_up: FollowUp, **_: Any) -> None:
    campaign_id = (_campaign_of(campaign_commitments, campaign_commitments.c.commitment_id, follow_up.commitment_id)
                   or _campaign_of(campaign_meetings, campaign_meetings.c.meeting_id, follow_up.meeting_id))
    if campaign_id is not None:
        db.session.execute(insert(campaign_follow_ups).values(follow_up_id=follow_up.id, campaign_id=campaign_id))


# --- the meeting form's campaign field --------------------------------------------------------

def suggested_campaigns(user: Any, contact_ids: list[int]) -> list[tuple[int, str]]:
    """Open campaigns in which these attendees (or their offices) are open targets: the user's own first."""
    if not contact_ids:
        return []
    offices = [o for o in current_organisations(contact_ids).values() if o]
    mine = func.max(case((Target.id.in_(select(TargetAssignment.target_id).where(
        TargetAssignment.user_id == user.id)), 1), else_=0))
    rows = db.session.execute(
        select(Campaign.id, Campaign.name)
        .join(Target, Target.campaign_id == Campaign.id)
        .where(Campaign.status == CampaignStatus.ACTIVE.value, visible_campaigns(user),
               Target.stage.in_(OPEN_STAGES),
               or_(Target.contact_id.in_(contact_ids), Target.organisation_id.in_(offices or [0])))
        .group_by(Campaign.id, Campaign.name)
        .order_by(mine.desc(), func.count(Target.id).desc(), Campaign.name)
        .limit(5)).all()
    return [(r.id, r.name) for r in rows]


def build_campaign_field(user: Any, now: datetime, *, value: str | None, record: Meeting | None = None,
                         contact_ids: list[int] | None = None, errors: dict[str, Any] | None = None,
                         **_: Any) -> dict[str, Any] | None:
    options = db.session.execute(
        select(Campaign.id, Campaign.name).where(Campaign.status.in_((CampaignStatus.ACTIVE.value,
                                                                      CampaignStatus.PAUSED.value)),
                                                 visible_campaigns(user))
        .order_by(Campaign.name).limit(MAX_CHOICES)).all()
    if not options:
        return None
    suggested = suggested_campaigns(user, contact_ids or [])
    if value is None:  # the form opens: the meeting's campaign, else the best suggestion
        current = record is not None and _campaign_of(campaign_meetings, campaign_meetings.c.meeting_id, record.id)
        value = str(current) if current else (str(suggested[0][0]) if suggested and record is None else "")
    return {"name": FIELD, "value": value, "options": options, "suggested": suggested,
            "error": (errors or {}).get(FIELD)}
