"""Activists see a public directory only: never notes, e-mails, phones, stance or relationships.

A marker is planted in every private field; the test then crawls every page an activist can
reach (following links from the home page, plus every GET endpoint of the app with real ids,
plus searches that target the private values) and looks for it.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

from outreach.contacts import services
from outreach.core.db import db
from outreach.core.time import now_utc
from tests.test_access_policy import RULES, _policy_app

MARKER = "zqxmarker"


def _plant(app, make_user):
    partner = make_user("partner", name="Door Opener")
    with app.app_context():
        now = now_utc()
        org = services.create_organisation({"name": "Office of the Special Envoy", "acronym": "OSE",
                                            "description": f"internal {MARKER} description"}, actor=None, now=now)
        person = services.create_contact({
            "first_name": "Public", "last_name": "Person", "country": "CF", "stance": "opposed",
            "private_notes": f"Confidential {MARKER} note", "emails": f"{MARKER}@example.org",
            "phones": "+236 70 01 23 45", "tags": f"{MARKER}tag"}, actor=None, now=now)
        services.add_position(person, organisation=org, title="Special Envoy", start_date=None, actor=None, now=now)
        services.set_relationship(person, partner, {"kind": "knows_personally", "strength": 5,
                                                    "note": f"{MARKER} relationship"}, actor=partner, now=now)
        db.session.commit()
        return person, org


def _plant_meetings(app, person, activist, coordinator):
    """A meeting the activist attended (internal notes they must not see) and one they did not."""
    from outreach.meetings import services as meetings

    with app.app_context():
        now = now_utc()
        shared = meetings.log_meeting(
            meetings.MeetingData(title="Introduction with the envoy", start_at=now, timezone="UTC",
                                 notes=f"Internal {MARKER} assessment", attendees=[f"c:{person.id}", f"u:{activist.id}"]),
            commitments=[], follow_ups=[], actor=coordinator, now=now)
        private = meetings.log_meeting(
            meetings.MeetingData(title=f"Strategy {MARKER} session", start_at=now, timezone="UTC",
                                 attendees=[f"c:{person.id}"]),
            commitments=[meetings.CommitmentData(description=f"{MARKER} promise", contact_id=person.id)],
            follow_ups=[], actor=coordinator, now=now)
        db.session.commit()
        return shared.id, private.id, private.commitments[0].id


def test_an_activist_never_sees_private_directory_fields(app, login_as, make_user):
    person, org = _plant(app, make_user)
    client, activist = login_as("activist")
    shared_id, private_id, commitment_id = _plant_meetings(app, person, activist, make_user("coordinator"))
    secrets = [MARKER, "+23670012345", "opposed", "door opener"]  # compared case-insensitively
    ids = {"contact_id": person.id, "organisation_id": org.id, "position_id": 1, "user_id": 1, "invitation_id": 1,
           "token": "x", "filename": "css/outreach.css", "upload_token": "x", "meeting_id": private_id,
           "commitment_id": commitment_id, "follow_up_id": 1, "notification_id": 1, "resource_id": 1,
           "collection_id": 1, "slug": "x"}
    assert "Introduction with the envoy" in client.get(f"/meetings/{shared_id}").get_data(as_text=True)
    adapter = _policy_app.url_map.bind("localhost")
    queue = ["/", "/directory/public", "/directory/public?q=public", f"/directory/public?q={MARKER}",
             "/directory/public?q=opposed", "/directory/public?q=%2B236", "/directory/public?q=door+opener"]
    queue += [adapter.build(r.endpoint, {a: ids[a] for a in r.arguments}) for r in RULES
              if "GET" in (r.methods or ()) and r.endpoint != "static"]
    seen: set[str] = set()
    reached = 0
    while queue:
        url = queue.pop()
        if url in seen or len(seen) > 300:
            continue
        seen.add(url)
        response = client.get(url, headers={"HX-Request": "true"} if "q=" in url else {}, buffered=True)
        body = response.get_data(as_text=True)
        response.close()
        for secret in secrets:
            assert secret not in body.lower(), f"{url} shows {secret!r} to an activist"
        if response.status_code != 200:
            continue
        reached += 1
        for href in re.findall(r'href="([^"#]+)"', body):
            target = urljoin(url, href.replace("&amp;", "&"))
            if urlparse(target).netloc in ("", "localhost") and not target.startswith(("/static", "mailto:", "tel:")):
                queue.append(urlparse(target)._replace(scheme="", netloc="").geturl())
    assert reached >= 5
    public = client.get("/directory/public?q=special+envoy", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Public Person" in public and "Special Envoy" in public and "Central African Republic" in public
    assert client.get(f"/directory/contacts/{person.id}").status_code == 403
