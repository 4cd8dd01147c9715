"""Every endpoint × every role (and anonymous) answers as the access policy says.

A new endpoint without a policy row fails here; so does one that answers differently from its
row. GET requests must write nothing to the database.
"""
from __future__ import annotations

import tempfile
from typing import Any

import pytest

from outreach import create_app
from outreach.core.permissions import ACCESS_POLICY, PUBLIC, ROLES, allowed_roles
from tests.conftest import app_config

_policy_app = create_app(app_config("sqlite://", tempfile.mkdtemp(prefix="outreach-policy-")))
RULES = sorted(_policy_app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))
ENDPOINTS = sorted({r.endpoint for r in RULES})
WHO = ["anonymous"] + [r.value for r in ROLES]


def test_every_endpoint_has_a_policy_row():
    missing = [e for e in ENDPOINTS if allowed_roles(e) is None]
    assert not missing, f"endpoints missing from core/permissions.py ACCESS_POLICY: {missing}"


def test_no_policy_row_is_stale():
    stale = sorted(set(ACCESS_POLICY) - set(ENDPOINTS))
    assert not stale, f"policy rows for endpoints that no longer exist: {stale}"


@pytest.fixture
def world(app: Any, make_user: Any) -> dict[str, Any]:
    """Records the URL arguments point at."""
    from outreach.core.auth.services import invite_user
    from outreach.core.db import db
    from outreach.core.time import now_utc

    from outreach.contacts import lists
    from outreach.contacts import services as directory

    target = make_user("partner", name="Target Person")
    admin = make_user("admin")
    with app.app_context():
        now = now_utc()
        issued = invite_user(email="invitee-policy@example.org", name="Invitee", role="partner", actor=admin,
                             now=now, ttl_hours=24)
        org = directory.create_organisation({"name": "Policy Office", "kind": "un_entity"}, actor=admin, now=now)
        child = directory.create_organisation({"name": "Policy Desk", "parent_id": org.id}, actor=admin, now=now)
        person = directory.create_contact({"first_name": "Policy", "last_name": "Person"}, actor=admin, now=now)
        post = directory.add_position(person, organisation=child, title="Desk officer", start_date=None, actor=admin,
                                      now=now)
        contact_list = lists.create_list(lists.ListData("Policy list"), actor=admin, now=now)
        lists.add_members(contact_list, [person.id], actor=admin, now=now)
        db.session.commit()
        records = _meeting_records(target, now_utc())
        records.update(_campaign_records(admin, person, now_utc()))
        records.update(_introduction_records(admin, person, now_utc()))
        records.update(_hub_records(admin, now_utc()))
        monitoring = _monitoring_records(admin, org, records["meeting_id"], now_utc())
        feed, feed_token = _calendar_feed(target, now_utc())
        return {
            "feed_id": feed.id,
            "feed_token": feed_token,
            "user_id": target.id,
            "invitation_id": issued.invitation.id,
            "token": issued.token,
            "filename": "css/outreach.css",
            "contact_id": person.id,
            "organisation_id": org.id,
            "position_id": post.id,
            "list_id": contact_list.id,
            "upload_token": "no-such-upload",
            "scope_key": "campaign",
            "record_id": records["campaign_id"],
            **records,
            **monitoring,
        }


def _monitoring_records(admin: Any, body: Any, meeting_id: int, now: Any) -> dict[str, Any]:
    """An instrument with a version, an amount, a key post and a linked meeting (monitoring URLs)."""
    from datetime import date

    from outreach.core.db import db
    from outreach.monitoring import services
    from outreach.monitoring.models import Criterion

    instrument = services.create_instrument({"kind": "mandate", "title": "Policy mandate", "body_id": body.id},
                                            actor=admin, now=now)
    version = services.add_version(instrument, {"reference": "S/RES/1", "effective_on": date(2024, 1, 1)},
                                   actor=admin, now=now)
    funding = services.add_funding(instrument, {"year": 2025, "kind": "required", "amount": "10",
                                                "currency": "USD"}, actor=admin, now=now)
    key_post = services.add_key_post(instrument, organisation_id=body.id, title="Head", actor=admin, now=now)
    link = services.link_work(instrument, meeting_id=meeting_id, actor=admin, now=now)
    criterion = db.session.query(Criterion).first()
    db.session.commit()
    return {"instrument_id": instrument.id, "version_id": version.id, "funding_id": funding.id,
            "post_id": key_post.id, "link_id": link.id, "criterion_id": criterion.id}


def _meeting_records(organiser: Any, now: Any) -> dict[str, Any]:
    """A meeting with a commitment and a follow-up, and a notification (meetings and inbox URLs)."""
    from datetime import timedelta

    from outreach.contacts.models import Contact
    from outreach.core.db import db
    from outreach.core.notifications import Notification
    from outreach.meetings import services

    contact = Contact(first_name="Policy", last_name="Target", created_at=now, updated_at=now)
    db.session.add(contact)
    db.session.flush()
    meeting = services.log_meeting(
        services.MeetingData(title="Policy meeting", start_at=now, timezone="UTC", attendees=[f"c:{contact.id}"]),
        commitments=[services.CommitmentData(description="A promise", contact_id=contact.id)],
        follow_ups=[services.FollowUpData(task="Write back", due_at=now + timedelta(days=1),
                                          assignee_id=organiser.id)],
        actor=organiser, now=now)
    note = Notification(user_id=organiser.id, title="Hello", body="Body", created_at=now)
    db.session.add(note)
    db.session.commit()
    return {"meeting_id": meeting.id, "commitment_id": meeting.commitments[0].id,
            "follow_up_id": meeting.follow_ups[0].id, "notification_id": note.id}


def _campaign_records(manager: Any, contact: Any, now: Any) -> dict[str, Any]:
    """A running campaign with an objective and a target (campaign URLs). No partner is assigned: the policy
    test's partner passes the role gate and then meets the object-level 404 (tests/campaigns covers her own)."""
    from outreach.campaigns import services as campaigns
    from outreach.core.db import db

    campaign = campaigns.create_campaign(campaigns.CampaignData(
        name="Policy campaign", goal="A goal", start_date=now.date(), end_date=now.date(), status="active"),
        actor=manager, now=now)
    objective = campaigns.add_objective(campaign, campaigns.ObjectiveData(metric="Posts", target_value=3,
                                                                          deadline=now.date()), actor=manager, now=now)
    target = campaigns.add_targets(campaign, contact_ids=[contact.id], actor=manager, now=now).added[0]
    db.session.commit()
    return {"campaign_id": campaign.id, "objective_id": objective.id, "target_id": target.id}


def _calendar_feed(owner: Any, now: Any) -> tuple[Any, str]:
    """A subscription feed of *owner* and its token (the feed URL's argument)."""
    from outreach.calendars import services as calendars
    from outreach.core.db import db

    feed, token = calendars.create_feed(calendars.FeedSettings(name="Policy feed"), actor=owner, now=now)
    db.session.commit()
    return feed, token


def _introduction_records(admin: Any, person: Any, now: Any) -> dict[str, Any]:
    """An activist's profile with a request (another activist's, for every activist who signs in)."""
    from outreach.core.auth.services import create_user
    from outreach.core.db import db
    from outreach.introductions import profiles, services

    owner = create_user(email="policy-activist@example.org", name="Policy Activist", role="activist",
                        password="correct horse battery staple", actor=None, now=now)
    profile = profiles.create_profile(profiles.ProfileData(codename="Policy Heron", legal_name="Policy Legal Name"),
                                      user=owner, actor=admin, now=now)
    request = services.submit_request(profile, services.RequestData(purpose="A purpose", ask="An ask",
                                                                    contact_id=person.id), actor=owner, now=now)
    db.session.commit()
    return {"request_id": request.id, "profile_id": profile.id}


def _hub_records(curator: Any, now: Any) -> dict[str, Any]:
    """A draft resource in a collection (the practice hub's URLs; a draft, so that every role that may edit one can)."""
    from outreach.core.db import db
    from outreach.resources import services as hub

    resource = hub.create_resource(hub.ResourceData(title="Policy toolkit"), actor=curator, now=now)
    collection = hub.create_collection("Policy pack", "", slug="policy-pack", actor=curator, now=now)
    hub.set_collection_items(collection, [resource.id], actor=curator, now=now)
    db.session.commit()
    return {"resource_id": resource.id, "collection_id": collection.id, "slug": collection.slug}


def _url(rule: Any, world: dict[str, Any]) -> str:
    unknown = [a for a in rule.arguments if a not in world]
    assert not unknown, f"add sample values for {unknown} to the world fixture"
    from werkzeug.routing import MapAdapter  # noqa: F401

    adapter = _policy_app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, {a: world[a] for a in rule.arguments}, method=_method(rule))


def _method(rule: Any) -> str:
    return "GET" if "GET" in (rule.methods or ()) else sorted(rule.methods - {"OPTIONS", "HEAD"})[0]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("rule", RULES, ids=[f"{r.endpoint}:{r.rule}" for r in RULES])
def test_route_answers_per_policy(app, login_as, world, count_queries, rule, who):
    if who == "anonymous":
        client = app.test_client()
    else:
        client, _user = login_as(who)
    url = _url(rule, world)
    method = _method(rule)
    with count_queries() as counter:
        response = client.open(url, method=method, buffered=True)
    policy = allowed_roles(rule.endpoint)
    allowed = policy == PUBLIC or (who != "anonymous" and who in {r.value for r in policy})
    to_login = response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert response.status_code < 500, f"{method} {url} as {who} crashed"
    if allowed:
        assert response.status_code not in (401, 403) and not (to_login and rule.endpoint != "auth.logout"), (
            f"{method} {url} should be open to {who}, got {response.status_code}")
    elif who == "anonymous":
        assert to_login, f"{method} {url} should send anonymous visitors to sign in, got {response.status_code}"
    else:
        assert response.status_code == 403, f"{method} {url} should refuse {who}, got {response.status_code}"
    if method == "GET":
        assert counter.writes == [], f"GET {url} as {who} wrote to the database: {counter.writes}"
