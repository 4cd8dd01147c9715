"""Curation, suggestions, collections, shares and reach, through the services on both databases."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from outreach.core.db import db
from outreach.core.notifications import OutboxMessage
from outreach.resources import services
from outreach.resources.models import CollectionItem, ReachCount, Resource, Share
from tests.resources.conftest import NOW


def test_a_draft_goes_through_review_to_the_hub_and_can_be_retired(ctx, make_user, make_term):
    author, curator = make_user("partner"), make_user("manager")
    topic = make_term("topic", "Mediation")
    resource = services.create_resource(services.ResourceData(
        title="  Mediation toolkit ", summary="How to", topic_ids=[topic.id], languages=["FR", "en", "fr"],
        places=["ml", "Sahel"], issued_on=date(2024, 5, 1)), actor=author, now=NOW)
    assert resource.status == "draft" and resource.title == "Mediation toolkit"
    assert [lang.code for lang in resource.languages] == ["en", "fr"]
    assert sorted(p.code for p in resource.places) == ["ML", "Sahel"]
    assert "mediation toolkit" in resource.search_text
    services.submit_for_review(resource, actor=author, now=NOW)
    services.send_back(resource, "Add the French version's link", actor=curator, now=NOW)
    assert resource.status == "draft" and resource.status_reason == "Add the French version's link"
    services.submit_for_review(resource, actor=author, now=NOW)
    services.publish(resource, actor=curator, now=NOW)
    assert resource.status == "published" and resource.published_at == NOW and resource.status_reason is None
    services.retire(resource, "Superseded", actor=curator, now=NOW)
    db.session.flush()
    kept = db.session.get(Resource, resource.id)
    assert kept is not None and kept.status == "retired" and kept.status_reason == "Superseded"


def test_steps_out_of_order_and_reasonless_decisions_are_refused(ctx, make_user):
    author, curator = make_user("coordinator"), make_user("manager")
    resource = services.create_resource(services.ResourceData(title="Brief"), actor=author, now=NOW)
    with pytest.raises(services.ResourceError):
        services.retire(resource, "Old", actor=curator, now=NOW)  # not published
    services.submit_for_review(resource, actor=author, now=NOW)
    with pytest.raises(services.ResourceError) as reason:
        services.send_back(resource, "   ", actor=curator, now=NOW)
    assert reason.value.field == "reason"
    services.publish(resource, actor=curator, now=NOW)
    with pytest.raises(services.ResourceError):
        services.retire(resource, "", actor=curator, now=NOW)


@pytest.mark.parametrize("data, field", [
    (dict(title=""), "title"),
    (dict(title="x" * 301), "title"),
    (dict(title="A\x00B"), "title"),
    (dict(title="Ok", summary="s" * 5001), "summary"),
    (dict(title="Ok", url="javascript:alert(1)"), "url"),
    (dict(title="Ok", url="https://exa mple.org"), "url"),
    (dict(title="Ok", kind="poem"), "kind"),
    (dict(title="Ok", evidence="certain"), "evidence"),
    (dict(title="Ok", issued_on=date(1, 1, 1)), "issued_on"),
    (dict(title="Ok", issued_on=date(9999, 12, 31)), "issued_on"),
    (dict(title="Ok", languages=["english"]), "languages"),
    (dict(title="Ok", places=["<script>"]), "places"),
    (dict(title="Ok", topic_ids=[2**31 - 1]), "topics"),
    (dict(title="Ok", publisher_id=2**31 - 1), "publisher_id"),
])
def test_bad_input_is_refused_with_the_field_named_and_nothing_written(ctx, make_user, data, field):
    author = make_user("coordinator")
    before = db.session.scalar(select(func.count()).select_from(Resource))
    with pytest.raises(services.ResourceError) as error:
        services.create_resource(services.ResourceData(**data), actor=author, now=NOW)
    assert error.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Resource)) == before


def test_an_activist_is_told_when_her_suggestion_is_published_and_is_never_named(ctx, make_user):
    activist = make_user("activist", name="Amani Secret-Name", email="amani.secret@example.org")
    curator = make_user("manager")
    suggestion = services.suggest("Market safe passage", "Women negotiated it", None, actor=activist, now=NOW)
    assert suggestion.status == "in_review" and suggestion.suggested_by_id == activist.id
    assert suggestion.suggested_by_label == "a grassroots activist"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.user_id == activist.id)) == 0
    services.publish(suggestion, actor=curator, now=NOW)
    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == activist.id)).all()
    assert told and {m.channel for m in told} >= {"inapp"}
    assert all("Market safe passage" in m.body_text and m.link == f"/hub/r/{suggestion.id}" for m in told)
    from outreach.core.audit import AuditEvent
    trail = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "resources",
                                                        AuditEvent.record_id == str(suggestion.id))).all()
    assert trail and all("amani" not in (e.actor_label or "").lower() for e in trail if e.action == "resource.suggest")


def test_collections_get_short_stable_links_and_keep_their_order(ctx, make_user, make_resource):
    curator = make_user("manager")
    a, b = make_resource("First"), make_resource("Second")
    made = services.create_collection("NAP design, in French", "", actor=curator, now=NOW)
    assert len(made.slug) == 6 and made.slug.isalnum()
    services.set_collection_items(made, [b.id, a.id, b.id], actor=curator, now=NOW)
    order = db.session.scalars(select(CollectionItem.resource_id).where(CollectionItem.collection_id == made.id)
                               .order_by(CollectionItem.position)).all()
    assert order == [b.id, a.id]
    named = services.create_collection("Pack", "", slug="nap-fr", actor=curator, now=NOW)
    assert named.slug == "nap-fr"
    for slug in ("nap-fr", "NAP FR", "a", "../x", "x" * 41):
        with pytest.raises(services.ResourceError):
            services.create_collection("Again", "", slug=slug, actor=curator, now=NOW)
    with pytest.raises(services.ResourceError):
        services.set_collection_items(made, [2**31 - 1], actor=curator, now=NOW)


def test_sharing_records_each_attendee_once_and_can_make_the_follow_up(ctx, make_user, make_contact, make_meeting,
                                                                       make_resource):
    partner = make_user("partner")
    minister, adviser, outsider = make_contact(), make_contact(), make_contact()
    meeting = make_meeting(partner, contacts=(minister, adviser))
    toolkit = make_resource("NAP costing toolkit")
    due = services.default_follow_up_due(NOW)
    shares = services.share(meeting, toolkit, [minister.id], actor=partner, now=NOW, follow_up_due=due)
    assert [s.contact_id for s in shares] == [minister.id] and shares[0].follow_up_id is not None
    from outreach.meetings.models import FollowUp
    follow_up = db.session.get(FollowUp, shares[0].follow_up_id)
    assert follow_up.assignee_id == partner.id and "NAP costing toolkit" in follow_up.task
    assert follow_up.due_at == due and due.weekday() < 5 and due > NOW
    again = services.share(meeting, toolkit, [minister.id, adviser.id], actor=partner, now=NOW)
    assert [s.contact_id for s in again] == [adviser.id]
    assert db.session.scalar(select(func.count()).select_from(Share).where(Share.meeting_id == meeting.id)) == 2
    with pytest.raises(services.ResourceError):
        services.share(meeting, toolkit, [outsider.id], actor=partner, now=NOW)
    draft = make_resource("Unpublished", status="draft")
    with pytest.raises(services.ResourceError):
        services.share(meeting, draft, [minister.id], actor=partner, now=NOW)


def test_opens_are_counted_per_day_and_nothing_else(ctx, make_resource):
    resource = make_resource()
    for _ in range(3):
        services.count_open("resource", resource.id, now=NOW)
    services.count_open("resource", resource.id, now=NOW + timedelta(days=1))
    rows = db.session.execute(select(ReachCount.day, ReachCount.opens).where(ReachCount.subject_id == resource.id)
                              .order_by(ReachCount.day)).all()
    assert [(r.day, r.opens) for r in rows] == [(NOW.date(), 3), (NOW.date() + timedelta(days=1), 1)]
    assert set(ReachCount.__table__.columns.keys()) == {"id", "subject", "subject_id", "day", "opens"}


def test_topics_and_audiences_are_data(ctx, make_user):
    from outreach.resources.models import Audience, Topic
    curator = make_user("manager")
    topic = services.add_term(Topic, "Médiation locale", actor=curator, now=NOW)
    assert topic.slug == "mediation-locale"
    services.add_term(Audience, "Mission planners", actor=curator, now=NOW)
    with pytest.raises(services.ResourceError):
        services.add_term(Topic, "MÉDIATION LOCALE", actor=curator, now=NOW)
    with pytest.raises(services.ResourceError):
        services.add_term(Topic, "!!!", actor=curator, now=NOW)
