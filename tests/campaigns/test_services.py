"""Campaign rules through the services: validation, targets and stages, and the stages that move from the data."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from outreach.campaigns import queries, services
from outreach.campaigns.access import meeting_ids_via_targets
from outreach.campaigns.models import (StageChange, Target, campaign_commitments, campaign_follow_ups,
                                       campaign_meetings)
from outreach.core.db import db
from outreach.meetings import services as meetings
from tests.campaigns.conftest import END, START
from tests.meetings.conftest import NOW


def _data(**kw):
    base = dict(name="Gender provisions in the MINUSCA mandate renewal", goal="Language on women protection advisers",
                start_date=START, end_date=END, status="active")
    base.update(kw)
    return services.CampaignData(**base)


@pytest.mark.parametrize("change, field", [
    ({"end_date": date(2025, 12, 31)}, "end_date"),  # ends before it starts
    ({"start_date": date(1, 1, 1)}, "start_date"),
    ({"end_date": date(9999, 12, 31)}, "end_date"),
    ({"name": "  "}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"goal": "a\x00b"}, "goal"),
    ({"status": "finished"}, "status"),
])
def test_a_campaign_with_bad_data_is_refused_with_the_field_named(ctx, make_user, change, field):
    manager = make_user("manager")
    with pytest.raises(services.CampaignError) as refused:
        services.create_campaign(_data(**change), actor=manager, now=NOW)
    assert refused.value.field == field


def test_objective_deadline_must_fall_within_the_campaign(ctx, make_user, make_campaign):
    manager = make_user("manager")
    campaign = db.session.merge(make_campaign(manager))
    for deadline, words in (
        (date(2025, 6, 1), "before the campaign starts"),
        (date(2027, 6, 1), "after the campaign ends"),
    ):
        with pytest.raises(services.CampaignError) as refused:
            services.add_objective(campaign, services.ObjectiveData(metric="Posts", target_value=5, deadline=deadline),
                                   actor=manager, now=NOW)
        assert refused.value.field == "deadline" and words in str(refused.value.message)
    for target, field in ((0, "target_value"), (float("inf"), "target_value"), (float("nan"), "target_value")):
        with pytest.raises(services.CampaignError) as refused:
            services.add_objective(campaign, services.ObjectiveData(metric="Posts", target_value=target,
                                                                    deadline=END), actor=manager, now=NOW)
        assert refused.value.field == field
    with pytest.raises(services.CampaignError) as refused:  # meetings held needs the organisation that counts
        services.add_objective(campaign, services.ObjectiveData(metric="Meetings", target_value=5, deadline=END,
                                                                source="meetings_held"), actor=manager, now=NOW)
    assert refused.value.field == "organisation_id"


def test_targets_are_added_once_in_bulk_and_refused_twice_by_hand(ctx, make_user, make_campaign, make_contact):
    coordinator, partner = make_user("coordinator"), make_user("partner")
    campaign = db.session.merge(make_campaign())
    people = [make_contact() for _ in range(5)]
    first = services.add_targets(campaign, contact_ids=[p.id for p in people[:3]], partner_ids=[partner.id],
                                 actor=coordinator, now=NOW)
    assert len(first.added) == 3 and first.already == 0
    again = services.add_targets(campaign, contact_ids=[p.id for p in people], actor=coordinator, now=NOW)
    assert len(again.added) == 2 and again.already == 3
    with pytest.raises(services.CampaignError) as refused:
        services.add_targets(campaign, contact_ids=[people[0].id], actor=coordinator, now=NOW, single=True)
    assert refused.value.status == 409 and "already a target" in str(refused.value.message)
    targets = db.session.scalars(select(Target).where(Target.campaign_id == campaign.id)).all()
    assert len(targets) == 5 and all(t.stage == "identified" for t in targets)
    assert sorted(len(t.assignments) for t in targets) == [0, 0, 1, 1, 1]
    # every target starts with a dated, attributed first stage
    assert db.session.scalar(select(StageChange.changed_by_id).where(StageChange.target_id == targets[0].id)) == \
        coordinator.id
    with pytest.raises(services.CampaignError):  # a partner only: never a coordinator or an activist
        services.add_targets(campaign, contact_ids=[make_contact().id], partner_ids=[coordinator.id],
                             actor=coordinator, now=NOW)


def test_a_move_that_skips_or_drops_needs_a_reason_and_is_kept_in_the_history(ctx, make_user, make_campaign,
                                                                              make_contact, add_target):
    coordinator = make_user("coordinator")
    target = db.session.merge(add_target(make_campaign(), coordinator, contact=make_contact()))
    with pytest.raises(services.CampaignError) as refused:
        services.move_target(target, "committed", actor=coordinator, now=NOW)
    assert refused.value.field == "reason"
    services.move_target(target, "contacted", actor=coordinator, now=NOW)  # the next step needs none
    services.move_target(target, "committed", reason="Wrote to us accepting the language", actor=coordinator,
                         now=NOW + timedelta(hours=1))
    with pytest.raises(services.CampaignError):
        services.move_target(target, "dropped", actor=coordinator, now=NOW)
    with pytest.raises(services.CampaignError) as same:
        services.move_target(target, "committed", reason="x", actor=coordinator, now=NOW)
    assert same.value.status == 409
    services.move_target(target, "dropped", reason="Left the post", actor=coordinator, now=NOW + timedelta(hours=2))
    assert target.stage == "dropped" and target.drop_reason == "Left the post"
    history = [(h.from_stage, h.to_stage, h.reason, h.changed_by_id) for h in
               db.session.scalars(select(StageChange).where(StageChange.target_id == target.id)
                                  .order_by(StageChange.id))]
    assert history == [(None, "identified", None, coordinator.id), ("identified", "contacted", None, coordinator.id),
                       ("contacted", "committed", "Wrote to us accepting the language", coordinator.id),
                       ("committed", "dropped", "Left the post", coordinator.id)]


def test_stages_advance_from_meetings_and_commitments(ctx, make_user, make_campaign, make_contact, make_organisation,
                                                      add_target):
    coordinator, partner = make_user("coordinator"), make_user("partner")
    office = make_organisation("MINUSCA")
    srsg = make_contact("Valentine", "Rugwabiza", organisation=office)
    other = make_contact()
    running, draft = make_campaign(), make_campaign(status="draft")
    t_person = add_target(running, coordinator, contact=srsg, partners=(partner,))
    t_office = add_target(running, coordinator, organisation=office)
    t_draft = add_target(draft, coordinator, contact=srsg)
    t_other = add_target(running, coordinator, contact=other)
    planned = meetings.log_meeting(
        meetings.MeetingData(
            title="Briefing on the renewal",
            start_at=NOW + timedelta(days=3),
            timezone="Africa/Bangui",
            attendees=[f"c:{srsg.id}"],
        ),
        actor=partner,
        now=NOW,
    )
    stage = lambda t: db.session.get(Target, t.id).stage  # noqa: E731
    assert (stage(t_person), stage(t_office), stage(t_draft), stage(t_other)) == \
        ("contacted", "contacted", "identified", "identified")
    held = meetings.log_meeting(meetings.MeetingData(title="Held with the SRSG", start_at=NOW - timedelta(hours=2),
                                                     timezone="Africa/Bangui", status="held",
                                                     attendees=[f"c:{srsg.id}", f"u:{partner.id}"]),
                                actor=partner, now=NOW)
    assert (stage(t_person), stage(t_office), stage(t_draft)) == ("met", "met", "identified")
    change = db.session.scalars(select(StageChange).where(StageChange.target_id == t_person.id)
                                .order_by(StageChange.id.desc())).first()
    assert (change.source, change.source_id, change.changed_by_id) == ("meeting", held.id, partner.id)
    assert change.reason == "Meeting held: Held with the SRSG"
    promise = meetings.record_commitment(held, meetings.CommitmentData(description="Two women protection advisers"),
                                         actor=partner, now=NOW)
    assert (stage(t_person), stage(t_office)) == ("committed", "committed")
    meetings.change_commitment_status(promise, "kept", actor=coordinator, now=NOW + timedelta(days=1))
    assert stage(t_person) == "delivered"
    # never backwards: another planned meeting leaves a delivered target where it is
    meetings.update_meeting(planned, meetings.MeetingData(title="Briefing", start_at=NOW + timedelta(days=3),
                                                          timezone="Africa/Bangui", attendees=[f"c:{srsg.id}"]),
                            expected_revision=planned.revision, actor=partner, now=NOW + timedelta(minutes=5))
    assert stage(t_person) == "delivered"


def test_a_dropped_target_does_not_move_with_the_data(ctx, make_user, make_campaign, make_contact, add_target):
    coordinator = make_user("coordinator")
    person = make_contact()
    target = db.session.merge(add_target(make_campaign(), coordinator, contact=person))
    services.move_target(target, "dropped", reason="Out of scope", actor=coordinator, now=NOW)
    meetings.log_meeting(meetings.MeetingData(title="Chance meeting", start_at=NOW - timedelta(hours=1),
                                              timezone="UTC", status="held", attendees=[f"c:{person.id}"]),
                         actor=coordinator, now=NOW)
    assert db.session.get(Target, target.id).stage == "dropped"


def test_the_meeting_form_campaign_links_the_meeting_its_commitments_and_follow_ups(ctx, make_user, make_campaign,
                                                                                     make_contact, add_target):
    coordinator, partner, stranger = make_user("coordinator"), make_user("partner"), make_user("partner")
    person = make_contact()
    campaign = make_campaign()
    add_target(campaign, coordinator, contact=person, partners=(partner,))
    meeting = meetings.log_meeting(
        meetings.MeetingData(title="Linked", start_at=NOW - timedelta(hours=1), timezone="UTC", status="held",
                             attendees=[f"c:{person.id}"], extras={"campaign_id": str(campaign.id)}),
        commitments=[meetings.CommitmentData(description="A promise")],
        follow_ups=[meetings.FollowUpData(task="Write", due_at=NOW + timedelta(days=1), assignee_id=partner.id)],
        actor=partner, now=NOW)
    assert db.session.scalar(select(campaign_meetings.c.campaign_id).where(
        campaign_meetings.c.meeting_id == meeting.id)) == campaign.id
    assert db.session.scalar(select(campaign_commitments.c.campaign_id).where(
        campaign_commitments.c.commitment_id == meeting.commitments[0].id)) == campaign.id
    assert db.session.scalar(select(campaign_follow_ups.c.campaign_id).where(
        campaign_follow_ups.c.follow_up_id == meeting.follow_ups[0].id)) == campaign.id
    # a follow-up added later on the commitment inherits it too
    later = meetings.add_follow_up(meetings.FollowUpData(task="Chase", due_at=NOW + timedelta(days=9),
                                                         assignee_id=partner.id,
                                                         commitment_id=meeting.commitments[0].id),
                                   actor=partner, now=NOW)
    assert db.session.scalar(select(campaign_follow_ups.c.campaign_id).where(
        campaign_follow_ups.c.follow_up_id == later.id)) == campaign.id
    # a partner cannot file a meeting under a campaign she has no target in; nonsense is refused too
    for value in (str(campaign.id), "abc", "99999999999", "١٢"):
        with pytest.raises(meetings.MeetingError) as refused:
            meetings.log_meeting(meetings.MeetingData(title="Not hers", start_at=NOW, timezone="UTC",
                                                      extras={"campaign_id": value}), actor=stranger, now=NOW)
        assert refused.value.field == "campaign_id"
    # emptied on edit: unlinked, with its commitments
    meetings.update_meeting(meeting, meetings.MeetingData(title="Linked", start_at=NOW - timedelta(hours=1),
                                                          timezone="UTC", status="held", attendees=[f"c:{person.id}"],
                                                          extras={"campaign_id": ""}),
                            expected_revision=meeting.revision, actor=partner, now=NOW + timedelta(minutes=5))
    assert db.session.scalar(select(campaign_meetings.c.campaign_id).where(
        campaign_meetings.c.meeting_id == meeting.id)) is None
    assert db.session.scalar(select(campaign_commitments.c.campaign_id)) is None


def test_objective_values_and_trajectories(ctx, make_user, make_campaign, make_contact, make_organisation,
                                           add_target):
    manager = make_user("manager")
    campaign = db.session.merge(make_campaign(manager))
    manual = services.add_objective(campaign, services.ObjectiveData(metric="Women police officers", unit="%",
                                                                     baseline=10, target_value=30, deadline=END),
                                    actor=manager, now=NOW)
    committed = services.add_objective(campaign, services.ObjectiveData(
        metric="Targets committed", target_value=2, deadline=END, source="targets_committed"), actor=manager, now=NOW)
    office = make_organisation("AU Commission")
    held = services.add_objective(campaign, services.ObjectiveData(
        metric="Meetings with the AU", target_value=4, deadline=END, source="meetings_held",
        organisation_id=office.id), actor=manager, now=NOW)
    today = NOW.date()  # 10 March: about 19 % of the way from 1 January to 31 December
    progress = {p.objective.id: p for p in queries.objective_progress([manual, committed, held], today=today)}
    # nothing gained, 19 % of the time gone: at risk (10 points of slack on track, 25 at risk)
    assert progress[manual.id].current == 10 and progress[manual.id].status == "at_risk"
    services.record_value(manual, 12.5, date(2026, 3, 1), "Mission HR figures", actor=manager, now=NOW)
    assert queries.objective_progress([manual], today=today)[0].status == "on_track"
    services.record_value(manual, 15, date(2026, 3, 9), "Updated", actor=manager, now=NOW)
    p = queries.objective_progress([manual], today=today)[0]
    assert (p.current, p.status, p.as_of) == (15, "on_track", date(2026, 3, 9))
    with pytest.raises(services.CampaignError):  # a date in the future
        services.record_value(manual, 16, today + timedelta(days=1), None, actor=manager, now=NOW)
    with pytest.raises(services.CampaignError):  # derived values are not typed in
        services.record_value(committed, 1, today, None, actor=manager, now=NOW)
    person = make_contact(organisation=office)
    target = db.session.merge(add_target(campaign, manager, contact=person))
    services.move_target(target, "committed", reason="Signed", actor=manager, now=NOW)
    meetings.log_meeting(meetings.MeetingData(title="AU", start_at=NOW - timedelta(days=1), timezone="UTC",
                                              status="held", attendees=[f"c:{person.id}"]), actor=manager, now=NOW)
    progress = {p.objective.id: p for p in queries.objective_progress([manual, committed, held], today=today)}
    assert progress[committed.id].current == 1 and progress[held.id].current == 1
    history = queries.objective_history(committed, today=today)
    assert [v for _d, v in history] == [0, 0, 1]  # January, February, March
    assert [v for _d, v in queries.objective_history(manual, today=today)] == [12.5, 15]


def test_trajectory_reads_the_straight_line_from_baseline_to_target(ctx, make_user, make_campaign):
    manager = make_user("manager")
    campaign = db.session.merge(make_campaign(manager))
    rising = services.add_objective(
        campaign,
        services.ObjectiveData(metric="Up", baseline=0, target_value=100, deadline=date(2026, 11, 1)),
        actor=manager,
        now=NOW,
    )
    falling = services.add_objective(
        campaign,
        services.ObjectiveData(metric="Down", baseline=100, target_value=0, deadline=date(2026, 11, 1)),
        actor=manager,
        now=NOW,
    )
    half = date(2026, 6, 1)  # 151 of 304 days
    assert queries.trajectory(rising, 50, start=START, today=half)[0] == "on_track"
    assert queries.trajectory(rising, 35, start=START, today=half)[0] == "at_risk"
    assert queries.trajectory(rising, 10, start=START, today=half)[0] == "off_track"
    assert queries.trajectory(falling, 45, start=START, today=half)[0] == "on_track"
    assert queries.trajectory(falling, 90, start=START, today=half)[0] == "off_track"
    assert queries.trajectory(rising, 100, start=START, today=half)[:2] == ("on_track", True)
    assert queries.trajectory(rising, 99, start=START, today=date(2026, 11, 2))[0] == "off_track"  # deadline passed


def test_meetings_visible_through_assigned_targets(ctx, make_user, make_campaign, make_contact, make_meeting,
                                                   add_target):
    coordinator, partner = make_user("coordinator"), make_user("partner")
    mine, theirs = make_contact(), make_contact()
    campaign = make_campaign()
    add_target(campaign, coordinator, contact=mine, partners=(partner,))
    add_target(campaign, coordinator, contact=theirs)
    seen = make_meeting(coordinator, contacts=(mine,))
    unseen = make_meeting(coordinator, contacts=(theirs,))
    ids = set(db.session.scalars(meeting_ids_via_targets(partner)))
    assert seen.id in ids and unseen.id not in ids
