"""A campaign's calendar (the "campaign" scope campaigns register through core): feeds and .ics downloads of its
meetings, follow-ups and commitment deadlines, for those who may see the campaign, and only what they may open."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import icalendar
import pytest

from tests.calendars.conftest import SOON
from tests.calendars.test_feeds import create_feed, unfolded
from tests.campaigns.conftest import add_target, make_campaign  # noqa: F401


def _uids(body: bytes) -> set[str]:
    return {str(c["UID"]) for c in icalendar.Calendar.from_ical(body).walk() if c.name in ("VEVENT", "VTODO")}


@pytest.fixture
def campaign_world(app: Any, login_as: Any, make_campaign: Any, add_target: Any, make_contact: Any,
                   make_meeting: Any) -> dict[str, Any]:
    from outreach.campaigns.links import link_meeting
    from outreach.core.db import db
    from outreach.core.time import now_utc
    from outreach.meetings import services
    from outreach.meetings.models import Meeting

    manager_client, manager = login_as("manager")
    partner_client, partner = login_as("partner", name="Grace Partner")
    outsider_client, outsider = login_as("partner", name="Other Partner")
    envoy = make_contact("Bineta", "Diop")
    stranger = make_contact("Not", "Targeted")
    campaign = make_campaign(manager, name="MINUSCA renewal 2027")
    other_campaign = make_campaign(manager, name="ECOWAS standby force")
    add_target(campaign, manager, contact=envoy, partners=(partner,))
    with app.app_context():
        linked = services.log_meeting(
            services.MeetingData(title="Envoy briefing", start_at=SOON, timezone="UTC", status="planned",
                                 attendees=[f"c:{envoy.id}"]),
            commitments=[services.CommitmentData(description="Name a women protection adviser", contact_id=envoy.id,
                                                 due_date=(SOON + timedelta(days=20)).date(),
                                                 accountable_id=manager.id)],
            follow_ups=[services.FollowUpData(task="Send the campaign brief", due_at=SOON + timedelta(days=1),
                                              assignee_id=manager.id)],
            actor=manager, now=now_utc())
        link_meeting(linked, str(campaign.id), actor=manager)
        # In the campaign, but with a contact the partner does not hold: she may not open it.
        hidden = services.log_meeting(services.MeetingData(title="Staff-only strategy", start_at=SOON,
                                                           timezone="UTC", status="planned",
                                                           attendees=[f"c:{stranger.id}"]),
                                      commitments=[], follow_ups=[], actor=manager, now=now_utc())
        link_meeting(hidden, str(campaign.id), actor=manager)
        elsewhere = services.log_meeting(services.MeetingData(title="Another campaign's meeting", start_at=SOON,
                                                              timezone="UTC", status="planned"),
                                         commitments=[], follow_ups=[], actor=manager, now=now_utc())
        link_meeting(elsewhere, str(other_campaign.id), actor=manager)
        db.session.commit()
        linked = db.session.get(Meeting, linked.id)
        ids = {"linked": linked.id, "hidden": hidden.id, "elsewhere": elsewhere.id,
               "commitment": linked.commitments[0].id, "follow_up": linked.follow_ups[0].id}
    return {"manager": (manager_client, manager), "partner": (partner_client, partner),
            "outsider": (outsider_client, outsider), "campaign": campaign, "other": other_campaign, **ids}


def test_a_campaign_feed_holds_its_meetings_follow_ups_and_commitment_deadlines(app, campaign_world):
    w = campaign_world
    client, _ = w["manager"]
    body = unfolded(app, create_feed(client, scope="campaign", scope_record=str(w["campaign"].id)))
    assert _uids(body) == {f"meeting-{w['linked']}@outreach", f"meeting-{w['hidden']}@outreach",
                           f"follow-up-{w['follow_up']}@outreach", f"commitment-{w['commitment']}@outreach"}
    assert b"Another campaign" not in body
    only_meetings = unfolded(app, create_feed(client, scope="campaign", scope_record=str(w["campaign"].id),
                                              includes=["meetings"], name="Meetings only"))
    assert _uids(only_meetings) == {f"meeting-{w['linked']}@outreach", f"meeting-{w['hidden']}@outreach"}


def test_a_partner_gets_only_her_campaigns_and_only_what_she_may_open(app, campaign_world):
    w = campaign_world
    client, _ = w["partner"]
    page = client.get("/calendars").get_data(as_text=True)
    assert "MINUSCA renewal 2027" in page and "ECOWAS standby force" not in page
    body = unfolded(app, create_feed(client, scope="campaign", scope_record=str(w["campaign"].id),
                                     includes=["meetings"]))
    assert _uids(body) == {f"meeting-{w['linked']}@outreach"}
    refused = client.post("/calendars/feeds", data={"name": "x", "scope": "campaign", "privacy": "full",
                                                     "follow_ups_as": "todo", "includes": "meetings",
                                                     "scope_record": str(w["other"].id)})
    assert refused.status_code == 422 and "Choose one of the records offered" in refused.get_data(as_text=True)
    assert client.get(f"/calendars/scopes/campaign/{w['other'].id}.ics").status_code == 404
    outsider, _ = w["outsider"]
    assert outsider.get(f"/calendars/scopes/campaign/{w['campaign'].id}.ics").status_code == 404


def test_a_feed_whose_campaign_she_can_no_longer_see_answers_as_revoked(app, campaign_world):
    from sqlalchemy import delete

    from outreach.campaigns.models import TargetAssignment
    from outreach.core.db import db
    w = campaign_world
    client, partner = w["partner"]
    path = create_feed(client, scope="campaign", scope_record=str(w["campaign"].id), includes=["meetings"])
    assert app.test_client().get(path).status_code == 200
    with app.app_context():
        db.session.execute(delete(TargetAssignment).where(TargetAssignment.user_id == partner.id))
        db.session.commit()
    gone = app.test_client().get(path)
    assert gone.status_code == 404 and b"Envoy briefing" not in gone.data


def test_activists_have_no_campaign_calendar(app, campaign_world, login_as):
    w = campaign_world
    client, _ = login_as("activist")
    assert "A campaign" not in client.get("/calendars").get_data(as_text=True)
    refused = client.post("/calendars/feeds", data={"name": "x", "scope": "campaign", "privacy": "full",
                                                     "follow_ups_as": "todo", "includes": "meetings",
                                                     "scope_record": str(w["campaign"].id)})
    assert refused.status_code == 422
    assert client.get(f"/calendars/scopes/campaign/{w['campaign'].id}.ics").status_code in (403, 404)


def test_the_campaign_page_offers_the_download_and_the_subscription(app, campaign_world):
    w = campaign_world
    client, _ = w["manager"]
    page = client.get(f"/campaigns/{w['campaign'].id}").get_data(as_text=True)
    download = f"/calendars/scopes/campaign/{w['campaign'].id}.ics"
    assert download in page and f"/calendars?scope=campaign&amp;record={w['campaign'].id}" in page
    response = client.get(download)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert _uids(response.data) == {f"meeting-{w['linked']}@outreach", f"meeting-{w['hidden']}@outreach",
                                    f"follow-up-{w['follow_up']}@outreach", f"commitment-{w['commitment']}@outreach"}
    # "Add to calendar" opens the feed form with the campaign chosen.
    form = client.get(f"/calendars?scope=campaign&record={w['campaign'].id}").get_data(as_text=True)
    assert f'<option value="{w["campaign"].id}" selected>' in form
    assert re.search(r'<input checked[^>]*value="campaign"', form)


@pytest.mark.parametrize("record", ["2147483648", "99999999999999999999", "0", "１２", "-1", "1%00"])
def test_hostile_campaign_ids_are_refused(app, campaign_world, record):
    client, _ = campaign_world["manager"]
    assert client.get(f"/calendars/scopes/campaign/{record}.ics").status_code == 404
    response = client.post("/calendars/feeds", data={"name": "x", "scope": "campaign", "privacy": "full",
                                                      "follow_ups_as": "todo", "includes": "meetings",
                                                      "scope_record": record})
    assert response.status_code == 422
    assert client.get(f"/calendars?scope=campaign&record={record}").status_code == 200


def test_unknown_scopes_and_sources_are_refused(app, campaign_world):
    client, _ = campaign_world["manager"]
    assert client.get(f"/calendars/scopes/nope/{campaign_world['campaign'].id}.ics").status_code == 404
    for includes in (["meetings", "nope"], ["meet\x00ings"], ["x" * 5000], []):
        response = client.post("/calendars/feeds", data={"name": "x", "scope": "mine", "privacy": "full",
                                                          "follow_ups_as": "todo", "includes": includes})
        assert response.status_code == 422, includes
    from outreach.calendars.models import CalendarFeed
    from outreach.core.db import db
    with app.app_context():
        assert db.session.query(CalendarFeed).count() == 0


def test_a_campaign_feed_runs_a_fixed_number_of_queries_and_writes_nothing(app, campaign_world, make_meeting,
                                                                         count_queries):
    from outreach.campaigns.links import link_meeting
    from outreach.core.db import db
    from outreach.meetings.models import Meeting
    w = campaign_world
    client, manager = w["manager"]
    path = create_feed(client, scope="campaign", scope_record=str(w["campaign"].id))
    anonymous = app.test_client()
    with count_queries() as few:
        anonymous.get(path)
    for n in range(5):
        extra = make_meeting(manager, title=f"Extra {n}", start_at=SOON + timedelta(hours=n), status="planned")
        with app.app_context():
            link_meeting(db.session.get(Meeting, extra.id), str(w["campaign"].id), actor=manager)
            db.session.commit()
    with count_queries() as many:
        body = anonymous.get(path).data
    assert body.count(b"BEGIN:VEVENT") == 2 + 1 + 5  # two meetings, a commitment deadline, five more meetings
    assert many.count == few.count and many.writes == []
