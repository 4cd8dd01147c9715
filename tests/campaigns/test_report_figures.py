"""The report's and the dashboard's figures, pinned on a small campaign where each can be counted by hand: what
counts once, what falls outside the campaign's dates, what another campaign's targets do not bring in."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from outreach.campaigns import queries, services
from outreach.campaigns.models import Stage
from outreach.core.db import db
from outreach.meetings import services as meetings
from tests.campaigns.conftest import START
from tests.meetings.conftest import NOW


def _at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


def test_the_reports_meetings_commitments_and_kept_objective_count_each_record_once(
        ctx, make_user, make_campaign, make_contact, make_organisation, add_target):
    coordinator, partner = make_user("coordinator"), make_user("partner")
    office = make_organisation()
    amina, bintou = make_contact(organisation=office), make_contact()
    outsider = make_contact()
    campaign, other = make_campaign(), make_campaign()
    add_target(campaign, coordinator, contact=amina, partners=(partner,))
    add_target(campaign, coordinator, contact=bintou)
    add_target(campaign, coordinator, organisation=office)
    add_target(other, coordinator, contact=outsider)
    campaign = db.session.merge(campaign)

    def meeting(when, *people, status="held", **extras):
        return meetings.log_meeting(meetings.MeetingData(
            title="Talk", start_at=when, timezone="UTC", status=status, attendees=[f"c:{p.id}" for p in people],
            extras={k: str(v) for k, v in extras.items()}), actor=coordinator, now=NOW)

    both = meeting(_at(1, 15), amina, bintou)  # two targets, one meeting
    meeting(_at(2, 20), amina)
    meeting(_at(2, 21), amina, bintou, outsider)
    meeting(_at(12, 20, 2025), amina)  # before the campaign began
    meeting(_at(3, 1), outsider, campaign_id=campaign.id)  # linked to the campaign, no target attended
    meeting(_at(3, 2), outsider)  # another campaign's target only
    meeting(_at(3, 3), amina, status="cancelled")
    meeting(NOW + timedelta(days=2), amina, status="planned")
    assert queries.meetings_per_month(campaign, today=NOW.date()) == [("2026-01", 1), ("2026-02", 2),
                                                                      ("2026-03", 1)]

    def promise(status, *, contact=None, organisation=None, when=NOW - timedelta(days=5)):
        made = meetings.record_commitment(None, meetings.CommitmentData(
            description="A promise", contact_id=getattr(contact, "id", None),
            organisation_id=getattr(organisation, "id", None)), actor=coordinator, now=when)
        if status != "open":
            meetings.change_commitment_status(made, status, actor=coordinator, now=NOW)
        return made

    promise("kept", contact=amina)  # the person and her office are both targets: counted once
    promise("kept", organisation=office)
    promise("kept", contact=amina, when=datetime.combine(START, datetime.min.time(), UTC) - timedelta(seconds=1))
    promise("partly_kept", contact=bintou)
    promise("broken", contact=bintou)
    promise("open", contact=bintou)
    promise("overdue", contact=amina)
    promise("withdrawn", contact=amina)
    promise("kept", contact=outsider)
    meetings.record_commitment(both, meetings.CommitmentData(description="In the meeting", contact_id=bintou.id),
                               actor=coordinator, now=_at(1, 15))
    assert queries.commitment_outcomes(campaign) == {"kept": 2, "partly_kept": 1, "broken": 1, "open": 3}

    for source, target_value in (("commitments_kept", 10), ("targets_committed", 5), ("manual", 4)):
        services.add_objective(campaign, services.ObjectiveData(metric=source, baseline=1, target_value=target_value,
                                                                deadline=campaign.end_date, source=source),
                               actor=coordinator, now=NOW)
    other = db.session.merge(other)
    services.add_objective(other, services.ObjectiveData(metric="kept elsewhere", target_value=5,
                                                         deadline=other.end_date, source="commitments_kept"),
                           actor=coordinator, now=NOW)
    db.session.flush()
    current = {p.objective.source: p.current
               for p in queries.objective_progress(campaign.objectives, today=NOW.date())}
    assert current["commitments_kept"] == 1 + 2
    # the dashboard reads every campaign's at once: each counts its own targets' commitments
    both = queries.objective_progress([*campaign.objectives, *other.objectives], today=NOW.date())
    assert sorted((p.objective.campaign_id, p.current) for p in both if p.objective.source == "commitments_kept") \
        == sorted([(campaign.id, 3.0), (other.id, 1.0)])
    assert current["targets_committed"] == 1 + sum(
        n for stage, n in queries.stage_counts(campaign, coordinator).items()
        if stage in (Stage.COMMITTED.value, Stage.DELIVERED.value))
    activity = queries.partner_activity(campaign, NOW)
    assert [(a.user_id, a.targets) for a in activity] == [(partner.id, 1)]


def test_the_report_page_shows_the_figures(app, login_as, make_user, make_campaign, make_contact, add_target):
    manager, coordinator = make_user("manager"), make_user("coordinator")
    client, _user = login_as("manager", user=manager)
    person = make_contact()
    campaign = make_campaign(manager)
    add_target(campaign, coordinator, contact=person)
    with app.app_context():
        made = meetings.record_commitment(None, meetings.CommitmentData(description="A promise", contact_id=person.id),
                                          actor=coordinator, now=NOW)
        meetings.change_commitment_status(made, "kept", actor=coordinator, now=NOW)
        db.session.commit()
        services.add_objective(db.session.merge(campaign), services.ObjectiveData(
            metric="Promises kept", baseline=2, target_value=10, deadline=campaign.end_date,
            source="commitments_kept"), actor=coordinator, now=NOW)
        db.session.commit()
    page = client.get(f"/campaigns/{campaign.id}/report")
    assert page.status_code == 200
    assert "Kept: 1" in page.text and "Still open: 0" in page.text
    # the objective counts the same kept commitment on top of its baseline
    kept_row = re.search(r"Promises kept</td>\s*<td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>", page.text)
    assert kept_row is not None and kept_row.groups() == ("2", "3")

