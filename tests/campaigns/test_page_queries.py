"""The board, "My targets", the dashboards, the targets table and the directory list targets are added from run a
fixed number of statements, whatever the number of targets, partners, contacts and objectives behind them."""
from __future__ import annotations

from datetime import timedelta

import pytest

from outreach.campaigns import services
from outreach.core.db import db
from outreach.core.time import now_utc
from outreach.meetings import services as meetings


def _grow(app, campaign, coordinator, partner, make_contact, n, *, start=0):
    """n more targets assigned to *partner*, spread over the stages, each with a meeting and a commitment."""
    now = now_utc()
    with app.app_context():
        campaign = db.session.merge(campaign)
        people = [make_contact(last_touch_at=now - timedelta(days=10 * i)) for i in range(n)]
        added = services.add_targets(campaign, contact_ids=[p.id for p in people], partner_ids=[partner.id],
                                     actor=coordinator, now=now).added
        stages = ("identified", "contacted", "met", "committed", "delivered", "dropped")
        for i, target in enumerate(added):
            stage = stages[(start + i) % len(stages)]
            if stage != "identified":
                services.move_target(target, stage, reason="Seeded", actor=coordinator, now=now)
            services.update_target(target, next_step=f"Step {i}", next_step_due=now.date() + timedelta(days=i - 2),
                                   actor=coordinator, now=now)
            meeting = meetings.log_meeting(meetings.MeetingData(
                title=f"Talk {i}", start_at=now - timedelta(days=i + 1), timezone="UTC", status="held",
                attendees=[f"c:{people[i].id}"]), actor=coordinator, now=now)
            meetings.record_commitment(meeting, meetings.CommitmentData(description="A promise"), actor=coordinator,
                                       now=now)
            meetings.add_follow_up(meetings.FollowUpData(task="Chase", due_at=now + timedelta(days=i),
                                                         assignee_id=partner.id, contact_id=people[i].id),
                                   actor=coordinator, now=now)
        objective = services.ObjectiveData(metric=f"Objective {start}", target_value=10, deadline=campaign.end_date)
        services.add_objective(campaign, objective, actor=coordinator, now=now)
        services.add_objective(campaign, services.ObjectiveData(
            metric=f"Committed {start}", target_value=10, deadline=campaign.end_date, source="targets_committed"),
            actor=coordinator, now=now)
        db.session.commit()


@pytest.mark.parametrize("page, who", [
    ("/campaigns/{id}/board", "coordinator"), ("/campaigns/{id}/board", "partner"),
    ("/my-targets", "partner"), ("/", "partner"),
    ("/campaigns/{id}/report", "manager"), ("/campaigns/dashboard", "manager"),
    ("/campaigns/{id}/targets", "coordinator"), ("/campaigns/{id}/targets?sort=name&stage=met", "coordinator"),
    ("/campaigns/{id}", "partner"), ("/campaigns", "manager"), ("/campaigns/{id}/targets/add", "coordinator"),
])
def test_campaign_pages_run_a_fixed_number_of_statements(app, login_as, make_user, make_campaign, make_contact,
                                                        count_queries, page, who):
    now = now_utc()
    manager = make_user("manager")
    coordinator = make_user("coordinator")
    partner = make_user("partner")
    client, viewer = login_as(who, user={"partner": partner, "coordinator": coordinator, "manager": manager}[who])
    campaign = make_campaign(manager, start_date=now.date() - timedelta(days=120),
                             end_date=now.date() + timedelta(days=200))
    url = page.format(id=campaign.id)
    _grow(app, campaign, coordinator, partner, make_contact, 3)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _grow(app, campaign, coordinator, partner, make_contact, 14, start=3)
    other = make_campaign(manager, start_date=now.date() - timedelta(days=30), end_date=now.date() + timedelta(days=30))
    _grow(app, other, coordinator, partner, make_contact, 4)
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, "\n".join(many.statements)
