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
            meetings.MeetingData(
                title="Introduction with the envoy",
                start_at=now,
                timezone="UTC",
                notes=f"Internal {MARKER} assessment",
                attendees=[f"c:{person.id}", f"u:{activist.id}"],
            ),
            commitments=[],
            follow_ups=[],
            actor=coordinator,
            now=now,
        )
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
           "commitment_id": commitment_id, "follow_up_id": 1, "notification_id": 1, "feed_id": 1,
           "feed_token": "ocal_x", "campaign_id": 1, "objective_id": 1, "target_id": 1,
           "request_id": 1, "profile_id": 1,
           "resource_id": 1, "collection_id": 1, "slug": "x"}
    assert "Introduction with the envoy" in client.get(f"/meetings/{shared_id}").get_data(as_text=True)
    adapter = _policy_app.url_map.bind("localhost")
    queue = ["/", "/directory/public", "/directory/public?q=public", f"/directory/public?q={MARKER}",
             "/directory/public?q=opposed", "/directory/public?q=%2B236", "/directory/public?q=door+opener"]
    queue += [adapter.build(r.endpoint, {a: ids.get(a, 1) for a in r.arguments}) for r in RULES
              if "GET" in (r.methods or ()) and r.endpoint != "static"]
    reached = _crawl(client, queue, secrets, "an activist", limit=300)
    assert reached >= 5
    public = client.get("/directory/public?q=special+envoy", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Public Person" in public and "Special Envoy" in public and "Central African Republic" in public
    assert client.get(f"/directory/contacts/{person.id}").status_code == 403


# -- who sees what, role by role ---------------------------------------------------------------------
#
# A second activist, a second partner with her own relationship notes, and meetings each of them may or
# may not open. Every page each role reaches (following links from Today, every GET endpoint with real ids),
# the typeaheads, the exports and the messages the worker writes for her are searched for what she must
# not learn.

SECOND_ACTIVIST = "Nightingale Zqxtwo"
HER_NOTE = "zqxpartnertwo relationship note"  # the second partner's note on a contact
HER_MEETING = "Zqxherown strategy"  # a meeting only the second partner attended
HIDDEN_OUTCOME = "zqxoutcome agreed"
HIDDEN_NOTES = "zqxnotes internal"
OTHERS_PROMISE = "zqxpromise of another"


def _plant_world(app, make_user):
    from datetime import timedelta

    from outreach.meetings import services as meetings

    coordinator = make_user("coordinator", name="Coral Coordinator")
    partner = make_user("partner", name="Pat Partner")
    other_partner = make_user("partner", name="Olive Otherpartner")
    activist = make_user("activist", name="Amina Activist")
    second = make_user("activist", name=SECOND_ACTIVIST, email="nightingale-zqx@example.org")
    with app.app_context():
        now = now_utc()
        org = services.create_organisation({"name": "Office of the Envoy"}, actor=coordinator, now=now)
        target = services.create_contact({"first_name": "Tara", "last_name": "Target",
                                          "private_notes": "staff may read this"}, actor=coordinator, now=now)
        services.add_position(target, organisation=org, title="Envoy", start_date=None, actor=coordinator, now=now)
        services.set_relationship(target, partner, {"kind": "met_once", "strength": 2, "note": "Pat's own note"},
                                  actor=partner, now=now)
        services.set_relationship(target, other_partner, {"kind": "knows_personally", "strength": 5,
                                                          "note": HER_NOTE}, actor=other_partner, now=now)
        data = meetings.MeetingData
        # both activists and the first partner attend; notes, outcome and a promise that is no activist's
        shared = meetings.log_meeting(
            data(title="Door opening with the envoy", start_at=now + timedelta(hours=5), timezone="UTC",
                 agenda="Introductions", notes=HIDDEN_NOTES, outcome=HIDDEN_OUTCOME,
                 attendees=[f"c:{target.id}", f"u:{partner.id}", f"u:{activist.id}", f"u:{second.id}"]),
            commitments=[meetings.CommitmentData(description=OTHERS_PROMISE, contact_id=target.id,
                                                 accountable_id=partner.id)],
            follow_ups=[meetings.FollowUpData(task="Send the brief", due_at=now + timedelta(hours=1),
                                              assignee_id=partner.id)],
            actor=coordinator, now=now)
        # the second partner's own meeting with the same target: the first partner merely knows the target
        hers = meetings.log_meeting(
            data(title=HER_MEETING, start_at=now - timedelta(days=1), timezone="UTC", notes=HIDDEN_NOTES,
                 attendees=[f"c:{target.id}", f"u:{other_partner.id}"]),
            commitments=[meetings.CommitmentData(description=f"{OTHERS_PROMISE} two", contact_id=target.id)],
            actor=other_partner, now=now)
        hers_commitment = hers.commitments[0].id
        db.session.commit()
    return {"coordinator": coordinator, "partner": partner, "other_partner": other_partner, "activist": activist,
            "second": second, "target": target, "org": org, "shared": shared.id, "hers": hers.id,
            "hers_commitment": hers_commitment}


def _crawl(client, start: list[str], secrets: list[str], who: str, limit: int = 400, within: str = "/") -> int:
    """GET every URL reachable from *start* (same site); fail on any secret in a body. Returns pages read."""
    queue, seen, reached = list(start), set(), 0
    while queue:
        url = queue.pop()
        if url in seen or len(seen) > limit:
            continue
        seen.add(url)
        response = client.get(url, headers={"HX-Request": "true"} if "q=" in url else {}, buffered=True)
        body = response.get_data(as_text=True)
        response.close()
        assert response.status_code < 500, f"{url} answered {response.status_code} to {who}"
        for secret in secrets:
            assert secret.lower() not in body.lower(), f"{url} shows {secret!r} to {who}"
        if response.status_code != 200:
            continue
        reached += 1
        for href in re.findall(r'href="([^"#]+)"', body):
            target = urljoin(url, href.replace("&amp;", "&"))
            if urlparse(target).netloc in ("", "localhost") and not target.startswith(("/static", "mailto:", "tel:")):
                path = urlparse(target)._replace(scheme="", netloc="").geturl()
                if "/logout" not in path and path.startswith(within):
                    queue.append(path)
    return reached


def _every_get(world: dict, user_id: int) -> list[str]:
    ids = {"contact_id": world["target"].id, "organisation_id": world["org"].id, "position_id": 1,
           "user_id": user_id, "invitation_id": 1, "token": "x", "filename": "css/outreach.css", "upload_token": "x",
           "meeting_id": world["hers"], "commitment_id": world["hers_commitment"], "follow_up_id": 1,
           "notification_id": 1}
    adapter = _policy_app.url_map.bind("localhost")
    return [adapter.build(r.endpoint, {a: ids.get(a, 1) for a in r.arguments}) for r in RULES
            if "GET" in (r.methods or ()) and r.endpoint not in ("static", "auth.logout")]


def _messages_for(app, user) -> str:
    """Everything the worker would send *user* today (reminders, overdue commitments, digest), as one text."""
    from datetime import timedelta

    from outreach.core.notifications import OutboxMessage
    from outreach.meetings import jobs

    with app.app_context():
        later = now_utc() + timedelta(hours=3)
        jobs.enqueue_follow_up_reminders(later)
        jobs.check_commitments(later + timedelta(days=400))
        for hour in range(0, 24, 6):  # whatever hour their digest is due
            jobs.enqueue_digests(later + timedelta(hours=hour))
        rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)).all()
        return "\n".join(f"{r.subject}|{r.title}|{r.body_text}|{r.body_html}" for r in rows)


from sqlalchemy import select  # noqa: E402


def test_a_partner_sees_her_own_relationship_and_meetings_only(app, login_as, make_user):
    world = _plant_world(app, make_user)
    client, partner = login_as("partner", user=world["partner"])
    # (she met both activists at the shared meeting, so their names may show there; pickers never offer them)
    secrets = [HER_NOTE, HER_MEETING, f"{OTHERS_PROMISE} two", "nightingale-zqx", "Olive Otherpartner"]
    start = ["/", f"/directory/contacts/{world['target'].id}", f"/meetings/{world['shared']}",
             "/directory/search?q=tara", "/meetings?q=zqx", f"/meetings?contact={world['target'].id}",
             "/commitments?status=open", "/commitments/scorecards", *_every_get(world, world["other_partner"].id)]
    assert _crawl(client, start, secrets, "a partner") >= 10
    pickers = ["/meetings/attendees?q=nightingale", "/meetings/attendees?q=zqx", "/meetings/people?q=night",
               "/meetings/attendees?q=amina"]
    assert _crawl(client, pickers, [SECOND_ACTIVIST, "Amina Activist"], "a partner's pickers") == len(pickers)
    page = client.get(f"/directory/contacts/{world['target'].id}").get_data(as_text=True)
    assert "Pat&#39;s own note" in page or "Pat's own note" in page
    assert "Known by 1 other partner" in page
    assert client.get(f"/meetings/{world['hers']}").status_code == 404
    assert client.get(f"/commitments/{world['hers_commitment']}").status_code == 404
    # declaring a relationship opens nothing either
    assert client.post(f"/directory/contacts/{world['target'].id}/relationship",
                       data={"kind": "knows_personally", "strength": "5"}).status_code == 302
    assert client.get(f"/meetings/{world['hers']}").status_code == 404
    for secret in secrets:
        assert secret.lower() not in _messages_for(app, partner).lower()


def test_an_activist_never_learns_of_another_or_of_internal_matters(app, login_as, make_user):
    world = _plant_world(app, make_user)
    client, activist = login_as("activist", user=world["activist"])
    secrets = [SECOND_ACTIVIST, "nightingale-zqx", HIDDEN_NOTES, HIDDEN_OUTCOME, OTHERS_PROMISE, HER_MEETING,
               HER_NOTE, "Send the brief", "Pat's own note"]
    start = ["/", "/meetings", f"/meetings/{world['shared']}", "/directory/public?q=tara",
             f"/directory/public?q={SECOND_ACTIVIST.split()[0]}", "/inbox/preferences",
             *_every_get(world, world["second"].id)]
    assert _crawl(client, start, secrets, "an activist") >= 4
    shown = client.get(f"/meetings/{world['shared']}").get_data(as_text=True)
    for allowed in ("Door opening with the envoy", "Introductions", "Tara Target", "Pat Partner", "Amina Activist"):
        assert allowed in shown
    messages = _messages_for(app, activist)
    assert "digest" not in messages  # off by default: others may read her mailbox
    for secret in secrets:
        assert secret.lower() not in messages.lower()


def test_staff_read_relationship_notes_but_the_audit_log_keeps_no_private_content(app, login_as, make_user):
    from outreach.contacts import merge

    world = _plant_world(app, make_user)
    with app.app_context():
        now = now_utc()
        twin = services.create_contact({"first_name": "Tara", "last_name": "Target",
                                        "private_notes": "zqxmerged private note"}, actor=None, now=now)
        target = db.session.get(type(twin), world["target"].id)
        merge.merge_contacts(target, twin, {"private_notes": "source"}, actor=world["coordinator"], now=now)
        db.session.commit()
    coordinator, _ = login_as("coordinator", user=world["coordinator"])
    page = coordinator.get(f"/directory/contacts/{world['target'].id}").get_data(as_text=True)
    assert HER_NOTE in page and "zqxmerged private note" in page
    manager, _ = login_as("manager")
    assert _crawl(manager, ["/audit/", "/audit/?action=contact.merge"], ["zqxmerged private note",
                                                                           "staff may read this", HER_NOTE],
                  "a manager reading the audit log", limit=40, within="/audit") >= 2
    assert "private notes" in manager.get("/audit/?action=contact.merge").get_data(as_text=True)  # named, not copied
