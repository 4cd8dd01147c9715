"""The hub inside Outreach, through the web: submit, review, send back, retire; suggestions; collections and
vocabularies; sharing from a meeting and what a contact's page shows; the reach dashboard."""
from __future__ import annotations

from sqlalchemy import func, select

from outreach.core.audit import AuditEvent
from outreach.core.db import db
from outreach.resources.models import Audience, Collection, CommitmentEvidence, ReachCount, Resource, Share, Topic
from tests.meetings.conftest import NOW


def _resource(app, title):
    with app.app_context():
        return db.session.scalars(select(Resource).where(Resource.title == title)).one()


def test_a_partner_submits_a_manager_sends_back_then_publishes(app, login_as, make_term):
    topic = make_term("topic", "National Action Plans")
    partner, _ = login_as("partner")
    form = partner.get("/resources/new")
    assert form.status_code == 200 and "National Action Plans" in form.text
    saved = partner.post("/resources/new", data={"title": "NAP costing sheet", "kind": "data_set", "topics": [topic.id],
                                                  "languages": "fr, en", "places": "ML, Sahel",
                                                  "url": "https://example.org/nap"})
    assert saved.status_code == 302
    resource = _resource(app, "NAP costing sheet")
    assert partner.post(f"/resources/{resource.id}/review", data={"action": "publish"}).status_code == 403
    assert partner.post(f"/resources/{resource.id}/submit").status_code == 302
    assert partner.get(f"/resources/{resource.id}/edit").status_code == 403  # in review: hers no more to change
    manager, _ = login_as("manager")
    queue = manager.get("/resources?status=in_review").text
    assert "NAP costing sheet" in queue
    assert "1 resource waits for review" in manager.get("/").text
    back = manager.post(f"/resources/{resource.id}/review", data={"action": "send_back", "reason": ""},
                        follow_redirects=True)
    assert "Say why it goes back" in back.text and _resource(app, "NAP costing sheet").status == "in_review"
    manager.post(f"/resources/{resource.id}/review", data={"action": "send_back", "reason": "Cite the sources"})
    assert "Cite the sources" in partner.get(f"/resources/{resource.id}").text
    partner.post(f"/resources/{resource.id}/edit", data={"title": "NAP costing sheet", "kind": "data_set",
                                                          "summary": "With sources"})
    partner.post(f"/resources/{resource.id}/submit")
    manager.post(f"/resources/{resource.id}/review", data={"action": "publish"})
    assert app.test_client().get(f"/hub/r/{resource.id}").status_code == 200
    retire = manager.post(f"/resources/{resource.id}/retire", data={"reason": "Newer edition out"})
    assert retire.status_code == 302
    assert app.test_client().get(f"/hub/r/{resource.id}").status_code == 404
    assert "Newer edition out" in manager.get(f"/resources/{resource.id}").text


def test_bad_form_input_gets_a_clear_message_not_a_500(app, login_as):
    client, _ = login_as("coordinator")
    for data in ({"title": ""}, {"title": "x" * 400}, {"title": "Ok", "url": "ftp://x"},
                 {"title": "Ok", "publisher_id": "99999999999999999999"}, {"title": "Ok", "topics": ["١"]},
                 {"title": "Ok", "issued_on": "0001-01-01"}, {"title": "A\x01B"},
                 {"title": "Ok", "languages": "x" * 300},
                 {"title": "Ok", "places": "<b>"}):
        answer = client.post("/resources/new", data=data)
        assert answer.status_code == 422, data
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Resource)) == 0


def test_an_activist_suggests_and_a_coordinator_cannot_publish(app, login_as):
    activist, _ = login_as("activist")
    assert activist.get("/resources/suggest").status_code == 200
    sent = activist.post("/resources/suggest", data={"title": "Safe passage story", "summary": "Women negotiated"})
    assert sent.status_code == 302
    assert "Safe passage story" in activist.get("/resources/suggestions").text
    assert activist.post("/resources/suggest", data={"title": "", "summary": ""}).status_code == 422
    coordinator, _ = login_as("coordinator")
    story = _resource(app, "Safe passage story")
    page = coordinator.get(f"/resources/{story.id}").text
    assert "a grassroots activist" in page and "value=\"publish\"" not in page
    assert coordinator.post(f"/resources/{story.id}/review", data={"action": "publish"}).status_code == 403


def test_collections_and_vocabularies_are_kept_by_managers(app, login_as, make_resource):
    first, second = make_resource("Checklist"), make_resource("Staffing data")
    manager, _ = login_as("manager")
    made = manager.post("/resources/collections", data={"title": "Mission planners", "slug": "planners"})
    assert made.status_code == 302
    with app.app_context():
        collection = db.session.scalars(select(Collection).where(Collection.slug == "planners")).one()
    assert manager.post(f"/resources/collections/{collection.id}/items",
                        data={"resource_ids": f"{second.id}, {first.id}"}).status_code == 302
    public = app.test_client().get("/c/planners").text
    assert public.index("Staffing data") < public.index("Checklist")
    bad = manager.post(f"/resources/collections/{collection.id}/items", data={"resource_ids": "1; DROP"},
                       follow_redirects=True)
    assert "numbers" in bad.text
    assert manager.post("/resources/collections", data={"title": "Again", "slug": "planners"}).status_code == 422
    added = manager.post("/resources/vocabulary", data={"kind": "topic", "name": "Climate and security"})
    assert added.status_code == 302
    assert manager.post("/resources/vocabulary", data={"kind": "audience", "name": "Students"}).status_code == 302
    with app.app_context():
        slug = db.session.scalar(select(Topic.slug).where(Topic.name == "Climate and security"))
        assert slug == "climate-and-security"
        assert db.session.scalar(select(func.count()).select_from(Audience)) == 1
    coordinator, _ = login_as("coordinator")
    assert coordinator.get("/resources/collections").status_code == 403


def test_sharing_from_a_meeting_shows_on_the_meeting_and_the_contact(app, login_as, make_contact, make_meeting,
                                                                     make_resource):
    partner, user = login_as("partner")
    minister = make_contact(first="Awa", last="Traoré")
    meeting = make_meeting(user, contacts=(minister,))
    toolkit = make_resource("NAP design toolkit")
    page = partner.get(f"/meetings/{meeting.id}").text
    assert "Resources shared" in page and "Record what was shared" in page
    assert page.count("Record what was shared") == 1  # each feature's section once on the meeting page
    picked = partner.get("/resources/picker", query_string={"q": "nap desgn", "picker": "resource_id"}).text
    assert "NAP design toolkit" in picked
    shared = partner.post(f"/resources/share/{meeting.id}", data={"resource_id": toolkit.id,
                                                                  "contact_ids": [minister.id], "follow_up": "y"})
    assert shared.status_code == 302
    page = partner.get(f"/meetings/{meeting.id}").text
    assert "NAP design toolkit" in page and "with Awa Traoré" in page
    assert "Send “NAP design toolkit”" in page  # the follow-up to send it
    contact_page = partner.get(f"/directory/contacts/{minister.id}").text
    assert "Already shared with them" in contact_page and "NAP design toolkit" in contact_page
    other_partner, _ = login_as("partner")
    assert other_partner.post(f"/resources/share/{meeting.id}", data={"resource_id": toolkit.id,
                                                                      "contact_ids": [minister.id]}).status_code == 404
    assert "NAP design toolkit" not in other_partner.get(f"/directory/contacts/{minister.id}").text
    wrong = partner.post(f"/resources/share/{meeting.id}", data={"resource_id": "abc", "contact_ids": ["x"]},
                         follow_redirects=True)
    assert wrong.status_code == 200 and "Choose" in wrong.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Share)) == 1


def test_the_reach_dashboard_counts_opens_and_shares(app, login_as, make_resource):
    popular = make_resource("Popular brief")
    client = app.test_client()
    for _ in range(3):
        client.post("/hub/opened", data={"subject": "resource", "id": str(popular.id)})
    manager, _ = login_as("manager")
    with app.app_context():
        assert db.session.scalar(select(func.sum(ReachCount.opens))) == 3
    page = manager.get("/resources/reach")
    assert page.status_code == 200 and "Popular brief" in page.text and "· 3" in page.text


def _promise(app, coordinator, partner, contact):
    """A commitment the minister made in a meeting, with *partner* accountable for it."""
    from outreach.meetings import services

    with app.app_context():
        meeting = services.log_meeting(
            services.MeetingData(title="NAP review", start_at=NOW, timezone="UTC", attendees=[f"c:{contact.id}"]),
            commitments=[services.CommitmentData(description="Publish the NAP budget line", contact_id=contact.id,
                                                 accountable_id=partner.id)],
            actor=db.session.merge(coordinator), now=NOW)
        db.session.commit()
        return meeting.commitments[0].id


def test_a_commitment_cites_a_resource_as_evidence_and_the_resource_shows_it(app, login_as, make_user, make_contact,
                                                                            make_resource):
    partner, me = login_as("partner")
    promise = _promise(app, make_user("coordinator"), me, make_contact(first="Awa", last="Traoré"))
    data_set = make_resource("NAP budget tracker 2026")
    draft = make_resource("Draft costing note", status="draft")
    page = partner.get(f"/commitments/{promise}").text
    assert "Evidence in the hub" in page and "No resource cited yet." in page and "Cite as evidence" in page
    cited = partner.post(f"/resources/evidence/{promise}", data={"resource_id": data_set.id, "note": "Table 4, p. 12"})
    assert cited.status_code == 302 and cited.headers["Location"].endswith(f"/commitments/{promise}#evidence-resources")
    page = partner.get(f"/commitments/{promise}").text
    assert "NAP budget tracker 2026" in page and "Table 4, p. 12" in page
    resource_page = partner.get(f"/resources/{data_set.id}").text
    assert "Cited as evidence of" in resource_page and "Publish the NAP budget line" in resource_page
    twice = partner.post(f"/resources/evidence/{promise}", data={"resource_id": data_set.id}, follow_redirects=True)
    assert "already cited as evidence" in twice.text
    refused = partner.post(f"/resources/evidence/{promise}", data={"resource_id": draft.id}, follow_redirects=True)
    assert "Only published resources can be cited" in refused.text
    for bad in ({"resource_id": "١٢"}, {"resource_id": "99999999999"}, {"resource_id": ""}, {"resource_id": "abc"},
                {"resource_id": data_set.id, "note": "x\x00y"}, {"resource_id": data_set.id, "note": "x" * 1_000_000}):
        answer = partner.post(f"/resources/evidence/{promise}", data=bad, follow_redirects=True)
        assert answer.history[0].status_code == 303 and 'alert-danger' in answer.text, bad  # refused, said why
    with app.app_context():
        rows = db.session.scalars(select(CommitmentEvidence)).all()
        assert [(r.resource_id, r.note, r.removed_at) for r in rows] == [(data_set.id, "Table 4, p. 12", None)]
    # Someone who may not see the commitment cannot cite on it; an activist has no such page at all.
    stranger, _ = login_as("partner")
    assert stranger.post(f"/resources/evidence/{promise}", data={"resource_id": data_set.id}).status_code == 404
    assert "Publish the NAP budget line" not in stranger.get(f"/resources/{data_set.id}").text
    activist, _ = login_as("activist")
    assert activist.post(f"/resources/evidence/{promise}", data={"resource_id": data_set.id}).status_code == 403
    # Taken off: gone from both pages, kept in the table and the audit log; cited again, the same row returns.
    off = partner.post(f"/resources/evidence/{promise}/{data_set.id}/remove")
    assert off.status_code == 302
    assert "NAP budget tracker 2026" not in partner.get(f"/commitments/{promise}").text
    assert "Cited as evidence of" not in partner.get(f"/resources/{data_set.id}").text
    assert partner.post(f"/resources/evidence/{promise}/{draft.id}/remove").status_code == 404
    again = partner.post(f"/resources/evidence/{promise}/{data_set.id}/remove", follow_redirects=True)
    assert "no longer cited" in again.text
    assert partner.post(f"/resources/evidence/{promise}", data={"resource_id": data_set.id}).status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(CommitmentEvidence)).all()
        assert len(rows) == 1 and rows[0].removed_at is None and rows[0].note is None
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("resource.evidence.%"))
                                     .order_by(AuditEvent.id)).all()
        assert actions == ["resource.evidence.add", "resource.evidence.remove", "resource.evidence.add"]
