"""A campaign's calendar: its meetings, the follow-ups on them and on its commitments, and its commitments'
deadlines. Campaigns register the "campaign" scope through core (calendars may not import campaigns): who may
choose it, the campaigns offered to a user, and what a campaign covers, as SELECTs of record ids that the
meetings' sources read with their own permission predicates. A partner is offered, and resolves, only the
campaigns campaigns/access.py lets her see; a feed of a campaign its owner can no longer see resolves to
nothing, and calendars answer it as a revoked feed.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach.campaigns.access import visible_campaigns
from outreach.campaigns.models import (Campaign, CampaignStatus, campaign_commitments, campaign_follow_ups,
                                       campaign_meetings)
from outreach.core.calendar import CalendarScope, ScopeRecords, register_calendar_scope
from outreach.core.db import db
from outreach.core.ids import MAX_ID
from outreach.core.permissions import Capability, has_capability

SCOPE = "campaign"
#: The campaigns offered in the feed form; more than this: the campaign page's "Add to calendar" still works.
MAX_CHOICES = 300


def may_choose_campaigns(user: Any) -> bool:
    return has_capability(user, Capability.VIEW_ALL_CAMPAIGNS) or has_capability(user, Capability.WORK_OWN_TARGETS)


def campaign_choices(user: Any) -> list[tuple[int, str]]:
    """The campaigns *user* may see, open ones first, then by name."""
    rows = db.session.execute(select(Campaign.id, Campaign.name).where(visible_campaigns(user)).order_by(
        (Campaign.status == CampaignStatus.CLOSED.value), Campaign.name, Campaign.id).limit(MAX_CHOICES))
    return [(campaign_id, name) for campaign_id, name in rows]


def covered_records(campaign_id: int) -> dict[str, Any]:
    """What a campaign's calendar holds, per calendar source: SELECTs of ids, not rows."""
    meetings = select(campaign_meetings.c.meeting_id).where(campaign_meetings.c.campaign_id == campaign_id)
    commitments = select(campaign_commitments.c.commitment_id).where(
        campaign_commitments.c.campaign_id == campaign_id)
    follow_ups = select(campaign_follow_ups.c.follow_up_id).where(campaign_follow_ups.c.campaign_id == campaign_id)
    return {"meetings": meetings, "commitments": commitments, "follow_ups": follow_ups}


def resolve_campaign(user: Any, campaign_id: int) -> ScopeRecords | None:
    if not 0 < campaign_id <= MAX_ID:
        return None
    name = db.session.scalar(select(Campaign.name).where(Campaign.id == campaign_id, visible_campaigns(user)))
    if name is None:
        return None
    return ScopeRecords(name=name, ids=covered_records(campaign_id))


def register_calendar() -> None:
    register_calendar_scope(CalendarScope(
        SCOPE, _l("A campaign (its meetings, follow-ups and commitment deadlines)"), _l("Campaign"),
        may_use=may_choose_campaigns, choices=campaign_choices, resolve=resolve_campaign, order=10))
