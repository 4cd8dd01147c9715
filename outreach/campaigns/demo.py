"""Demo campaigns: six campaigns from the coalition's agenda, with objectives in every state and realistic
pipelines. Targets are added at each campaign's start, before the demo meetings are logged, so that held
meetings and commitments move them through the same signals as in real use; a few are then moved by hand
(skips and drops with their reasons), and the manual objectives get their dated values.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from outreach.campaigns import services
from outreach.campaigns.links import link_meeting
from outreach.campaigns.models import Campaign, Target, campaign_meetings
from outreach.contacts.models import Organisation, Position
from outreach.contacts.queries import organisation_subtree_ids
from outreach.core.auth.models import User
from outreach.core.db import db
from outreach.core.metrics import objective_metric
from outreach.core.permissions import Role
from outreach.meetings.models import Attendee, Meeting

#: name, goal, start (days from now), end (days from now), status, tags, organisation names (with their offices)
CAMPAIGNS: list[tuple[str, str, int, int, str, list[str], list[str]]] = [
    ("Gender provisions in the MINUSCA mandate renewal",
     "The renewed MINUSCA mandate keeps women protection advisers, asks for sex-disaggregated reporting and "
     "names women's participation in the peace agreement's follow-up.",
     -420, 75, "active", ["MINUSCA", "mandate", "Security Council"],
     ["United Nations Secretariat", "Government of the Central African Republic"]),
    ("Fund the Women, Peace and Security Act implementation plans",
     "Donors and ministries put money behind the implementation plans: at least USD 12 m a year, with a line "
     "for women-led organisations.",
     -300, 240, "active", ["funding", "1325 NAP"],
     ["Norwegian Ministry of Foreign Affairs", "Swedish International Development Cooperation Agency",
      "Foreign, Commonwealth & Development Office", "UN Women"]),
    ("Women in AU and ECOWAS mediation teams",
     "A third of the mediators the African Union and ECOWAS deploy are women, drawn from FemWise-Africa and "
     "national networks.",
     -360, 180, "active", ["mediation", "AU", "ECOWAS"], ["African Union Commission", "ECOWAS Commission"]),
    ("National Action Plan monitoring: three ministries",
     "Three ministries publish a yearly report on their National Action Plan on UNSCR 1325, with indicators and "
     "baselines.",
     -240, 120, "paused", ["1325 NAP", "accountability"],
     ["Government of South Sudan", "Ministry of Defence, Ghana", "Ministry of Foreign Affairs, Indonesia"]),
    ("Keep the women protection advisers' posts in the UNMISS budget",
     "The Fifth Committee keeps every women protection adviser post in the UNMISS budget.",
     -520, -200, "closed", ["UNMISS", "budget"], ["United Nations Mission in South Sudan"]),
    ("ASEAN regional plan of action on WPS: first review",
     "The first review of the ASEAN regional plan of action counts women in ASEAN's conflict-prevention work.",
     30, 400, "draft", ["ASEAN"], ["ASEAN Secretariat"]),
]

#: per campaign: (metric, unit, baseline, target, deadline (days from now), source, readings [(days ago, value)])
OBJECTIVES: list[list[tuple[Any, ...]]] = [
    [("Operative paragraphs with gender provisions", "paragraphs", 2, 6, 75, "manual",
      [(300, 2), (200, 3), (90, 4), (20, 5)]),  # on track
     ("Targets committed to the language", None, 0, 60, 60, "targets_committed", [])],
    [("Funding committed to the implementation plans", "USD m", 0, 12, 240, "manual",
      [(250, 0.5), (150, 1), (40, 1.5)]),  # off track
     ("Commitments kept by donors and ministries", None, 0, 6, 240, "commitments_kept", [])],
    [("Women among AU and ECOWAS mediators", "%", 18, 33, 180, "manual",
      [(330, 18), (200, 20), (60, 21)]),  # at risk
     ("Meetings held with the African Union Commission", None, 0, 30, 180, "meetings_held", [])],
    [("Ministries publishing a yearly NAP report", "ministries", 0, 3, 120, "manual",
      [(200, 1), (60, 2)])],  # on track
    [("Women protection adviser posts kept", "posts", 3, 5, -210, "manual", [(400, 3), (250, 5)])],  # achieved
    [("ASEAN member states reporting on women in conflict prevention", "states", 2, 10, 400, "manual", [])],
]

DROP_REASONS = ["Left the post; the successor is on the list.", "Not the decision-maker after all.",
                "Declined to engage before the elections."]
NEXT_STEPS = ["Send the two-page brief", "Ask for a meeting before the renewal", "Share draft language",
              "Introduce the grassroots network lead", "Follow up on the budget line"]


def _day(now: datetime, days: int) -> date:
    return (now + timedelta(days=days)).date()


def _at(day: date, now: datetime) -> datetime:
    return min(datetime.combine(day, datetime.min.time(), tzinfo=now.tzinfo) + timedelta(hours=9), now)


def seed_campaigns_demo(now: datetime, *, seed: int = 1325) -> int:
    """Create the demo campaigns and their targets (before the demo meetings); return how many campaigns."""
    if (db.session.scalar(select(func.count()).select_from(Campaign)) or 0) > 0:
        return 0
    rng = random.Random(seed)
    manager = db.session.scalar(select(User).where(User.role == Role.MANAGER.value).order_by(User.id))
    coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR.value).order_by(User.id))
    partners = list(db.session.scalars(select(User).where(User.role == Role.PARTNER.value).order_by(User.id)))
    if manager is None or coordinator is None:
        return 0
    created = 0
    for (name, goal, start, end, status, tags, roots), objectives in zip(CAMPAIGNS, OBJECTIVES, strict=False):
        start_day, end_day = _day(now, start), _day(now, end)
        begun = _at(start_day, now) if start < 0 else now
        campaign = services.create_campaign(services.CampaignData(
            name=name, goal=goal, start_date=start_day, end_date=end_day,
            status="active" if status in ("paused", "closed") else status, tags=tags, owner_id=manager.id),
            actor=manager, now=begun)
        for metric, unit, baseline, target, deadline, source, readings in objectives:
            organisation_id = None
            if source == "meetings_held":
                organisation_id = db.session.scalar(select(Organisation.id).where(Organisation.name == roots[0]))
            objective = services.add_objective(campaign, services.ObjectiveData(
                metric=metric, unit=unit, baseline=baseline, target_value=target,
                deadline=min(_day(now, deadline), end_day), source=source, organisation_id=organisation_id),
                actor=manager, now=begun)
            for days_ago, value in readings:
                services.record_value(objective, value, _day(now, -days_ago), "Coalition tracking sheet",
                                      actor=manager, now=now - timedelta(days=days_ago))
        contact_ids: list[int] = []
        organisation_ids: list[int] = []
        for root in roots:
            root_id = db.session.scalar(select(Organisation.id).where(Organisation.name == root))
            if root_id is None:
                continue
            organisation_ids.append(root_id)
            contact_ids += list(db.session.scalars(select(Position.contact_id).where(
                Position.end_date.is_(None), Position.organisation_id.in_(organisation_subtree_ids(root_id)))
                .distinct().order_by(Position.contact_id)))
        contact_ids = list(dict.fromkeys(contact_ids))
        if contact_ids or organisation_ids:
            result = services.add_targets(campaign, contact_ids=contact_ids, organisation_ids=organisation_ids,
                                          actor=coordinator, now=begun)
            for target in result.added:
                target.priority = rng.choice((1, 2, 2, 3))
                if partners:
                    chosen = rng.sample(partners, k=rng.choice((1, 1, 2)))
                    services.update_target(target, next_step=rng.choice(NEXT_STEPS) if rng.random() < 0.6 else None,
                                           next_step_due=_day(now, rng.randint(-5, 20)),
                                           partner_ids=[p.id for p in chosen], actor=coordinator, now=begun)
        created += 1
    db.session.flush()
    return created


def settle_campaigns_demo(now: datetime, *, seed: int = 1325) -> None:
    """After the demo meetings: some targets moved by hand (first contacts, a skip with a reason, drops), and the
    draft and paused campaigns set as they should read."""
    rng = random.Random(seed)
    coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR.value).order_by(User.id))
    if coordinator is None:
        return
    later = {name: status for name, _g, _s, _e, status, _t, _r in CAMPAIGNS if status in ("paused", "closed")}
    for campaign in db.session.scalars(select(Campaign).where(Campaign.status == "active").order_by(Campaign.id)):
        targets = db.session.scalars(select(Target).where(Target.campaign_id == campaign.id)
                                     .order_by(Target.id)).all()
        for target in targets:
            roll = rng.random()
            if target.stage == "identified" and roll < 0.45:
                services.move_target(
                    target, "contacted", actor=coordinator, now=now - timedelta(days=rng.randint(3, 60))
                )
            elif target.stage in ("identified", "contacted") and roll < 0.55:
                services.move_target(target, "dropped", reason=rng.choice(DROP_REASONS), actor=coordinator,
                                     now=now - timedelta(days=rng.randint(3, 60)))
            elif target.stage == "met" and roll < 0.15:
                services.move_target(target, "delivered", reason="Announced at the open debate; no written promise.",
                                     actor=coordinator, now=now - timedelta(days=rng.randint(1, 20)))
        if campaign.name in later:
            services.set_status(campaign, later[campaign.name], actor=coordinator, now=now - timedelta(days=14))
    db.session.flush()


#: Objectives read through other features' sources (core/metrics.py), added once those features have their demo
#: data: (campaign, metric, source key, {parameter: (choice label contains, or the value itself)}).
REGISTERED_OBJECTIVES = [
    ("Gender provisions in the MINUSCA mandate renewal",
     "Participation rated adequate or better in the renewed MINUSCA mandate", "assessment_rating",
     {"instrument": "MINUSCA", "criterion": "participation", "at_least": "2", "version": "next"}),
]


#: Meetings linked to each running campaign in the demo (those with its target contacts), so that a campaign's
#: page and calendar have something to show.
LINKED_MEETINGS = 40


def link_demo_meetings(manager: Any) -> None:
    """Link the demo meetings held with a running campaign's target contacts to it (one campaign per meeting)."""
    taken: set[int] = set(db.session.scalars(select(campaign_meetings.c.meeting_id)))
    for campaign in db.session.scalars(select(Campaign).where(Campaign.status == "active").order_by(Campaign.id)):
        contacts = select(Target.contact_id).where(Target.campaign_id == campaign.id, Target.contact_id.is_not(None))
        meetings = db.session.scalars(select(Meeting).where(Meeting.id.in_(
            select(Attendee.meeting_id).where(Attendee.contact_id.in_(contacts)))).order_by(Meeting.start_at.desc())
            .limit(LINKED_MEETINGS * 2)).all()
        for meeting in [m for m in meetings if m.id not in taken][:LINKED_MEETINGS]:
            link_meeting(meeting, str(campaign.id), actor=manager)
            taken.add(meeting.id)


def seed_registered_objectives_demo(now: datetime) -> int:
    """Add the demo objectives whose value another feature reads (the MINUSCA rating), skipping a missing source;
    and link the demo meetings to the campaigns (their calendars)."""
    manager = db.session.scalar(select(User).where(User.role == Role.MANAGER.value).order_by(User.id))
    if manager is not None:
        link_demo_meetings(manager)
    created = 0
    for campaign_name, metric_name, key, wanted in REGISTERED_OBJECTIVES:
        metric = objective_metric(key)
        campaign = db.session.scalar(select(Campaign).where(Campaign.name == campaign_name))
        if metric is None or campaign is None or manager is None:
            continue
        params: dict[str, str] = {}
        for parameter in metric.parameters:
            offered = parameter.choices()
            hint = wanted.get(parameter.name, "")
            match = next((v for v, label in offered if v == hint), None) or next(
                (v for v, label in offered if hint and hint in str(label)), None)
            if match is not None:
                params[parameter.name] = match
        if len(params) != len(metric.parameters):
            continue
        services.add_objective(campaign, services.ObjectiveData(
            metric=metric_name, baseline=0, target_value=1, deadline=campaign.end_date, source=key,
            source_params=params), actor=manager, now=now)
        created += 1
    return created
