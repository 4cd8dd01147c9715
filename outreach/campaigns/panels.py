"""What campaigns contribute to other pages: navigation, the partner's Today panel, the meeting form's
campaign field, the campaign line on a meeting's page, and the audit log's links."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from outreach.campaigns import links, queries, services
from outreach.campaigns.access import can_manage_targets, meeting_ids_via_targets, visible_campaigns
from outreach.campaigns.forms import STAGE_LABELS
from outreach.campaigns.models import Campaign, CampaignStatus, Objective, campaign_meetings
from outreach.core.audit_text import names_from, register_action_labels, register_record_link, register_record_names
from outreach.core.bulk import BulkAction, BulkRefused, register_bulk_action
from outreach.core.db import db
from outreach.core.home import FormField, NavItem, Panel, register_form_field, register_nav_item, register_panel
from outreach.core.permissions import LOGGERS, STAFF, Role
from outreach.core.visibility import register_visible_meeting_ids

#: Targets shown on the Today panel; the rest are on "My targets".
TODAY_TARGETS = 5


def build_my_targets_panel(user: Any, now: datetime, **_: Any) -> dict[str, Any] | None:
    rows = queries.my_targets(user, now)
    if not rows:
        return None
    return {"rows": rows[:TODAY_TARGETS], "total": len(rows), "col": "col-12", "stage_labels": STAGE_LABELS}


def build_meeting_campaign(user: Any, now: datetime, *, meeting: Any = None, **_: Any) -> dict[str, Any] | None:
    if meeting is None:
        return None
    campaign = db.session.execute(select(Campaign.id, Campaign.name).join(
        campaign_meetings, campaign_meetings.c.campaign_id == Campaign.id).where(
        campaign_meetings.c.meeting_id == meeting.id, visible_campaigns(user))).first()
    return {"campaign": campaign} if campaign else None


def _campaigns_for_targets(user: Any) -> list[tuple[int, str]]:
    """Campaigns the user may add targets to, for the contact list's bulk action (none: the action is not offered)."""
    if not can_manage_targets(user):
        return []
    return [(i, name) for i, name in db.session.execute(select(Campaign.id, Campaign.name).where(
        Campaign.status != CampaignStatus.CLOSED.value, visible_campaigns(user)).order_by(Campaign.name).limit(200))]


def _add_selected_as_targets(ids: list[int], campaign_id: int | None, *, actor: Any, now: datetime,
                             ip: str | None = None) -> str:
    """The contact list's "Add as campaign targets": the selected contacts join the campaign at stage "identified"."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.id == campaign_id, visible_campaigns(actor))) \
        if campaign_id and can_manage_targets(actor) else None
    if campaign is None:
        raise BulkRefused(_l("Choose a campaign from the menu."), field="bulk_choice_campaign_targets")
    try:
        result = services.add_targets(campaign, contact_ids=ids, actor=actor, now=now, ip=ip)
    except services.CampaignError as exc:
        raise BulkRefused(exc.message, field="ids", status=exc.status) from exc
    message = str(_l("%(n)d added as targets of %(campaign)s.", n=len(result.added), campaign=campaign.name))
    if result.already:
        message += " " + str(_l("%(n)d were already targets and were left as they are.", n=result.already))
    return message


def register_contributions() -> None:
    register_bulk_action(BulkAction("contacts", "campaign_targets", _l("Add as campaign targets"), STAFF,
                                    _campaigns_for_targets, _l("Campaign"), _add_selected_as_targets))
    # DESIGN.md: a partner also reads the meetings linked to the campaign targets assigned to her.
    register_visible_meeting_ids("campaigns", meeting_ids_via_targets)
    # "My targets" has no item of its own (the bar is full at 1366 px): it opens from Today's panel and from
    # the campaigns list, and lights up "Campaigns".
    register_nav_item(NavItem("campaigns.index", _l("Campaigns"), LOGGERS, 25))
    register_panel(Panel("campaigns.my_targets", "campaigns/_panel_my_targets.html", build_my_targets_panel,
                         roles=frozenset({Role.PARTNER}), order=5))
    register_panel(Panel("campaigns.meeting", "campaigns/_meeting_campaign.html", build_meeting_campaign,
                         slot="meeting.detail", roles=LOGGERS, order=10))
    register_form_field(FormField(links.FIELD, "meeting", "campaigns/_meeting_field.html", links.build_campaign_field,
                                  roles=LOGGERS, order=10))
    for record_type, endpoint, argument in (("campaigns", "campaigns.show", "campaign_id"),
                                            ("campaign_objectives", "campaigns.objective", "objective_id"),
                                            ("campaign_targets", "campaigns.target", "target_id")):
        register_record_link(record_type, endpoint, argument)
    register_record_names("campaigns", names_from(Campaign.id, Campaign.name))
    register_record_names("campaign_objectives", names_from(Objective.id, Objective.metric))
    register_action_labels({
        "campaign.create": _l("created the campaign %(record)s"),
        "campaign.update": _l("edited the campaign %(record)s"),
        "campaign.status": _l("changed the status of the campaign %(record)s"),
        "campaign.export_targets": _l("exported the targets of %(record)s"),
        "campaign.export_objectives": _l("exported the objectives of %(record)s"),
        "campaign_objective.create": _l("set the objective %(record)s"),
        "campaign_objective.update": _l("edited the objective %(record)s"),
        "campaign_objective.value": _l("recorded a value of the objective %(record)s"),
        "campaign_target.add": _l("added targets to the campaign %(record)s"),
        "campaign_target.stage": _l("moved a campaign target %(record)s"),
        "campaign_target.step_done": _l("completed the next step of a campaign target %(record)s"),
        "campaign_target.update": _l("updated a campaign target %(record)s"),
    })
