"""The demo hub and the bulk generator."""
from __future__ import annotations

from sqlalchemy import func, select

from outreach.core.db import db
from outreach.resources import services
from outreach.resources.demo import seed_resources_demo
from outreach.meetings import services as meetings
from outreach.resources.models import (Collection, CollectionItem, CommitmentEvidence, Resource, ResourceLanguage,
                                       Share)
from outreach.resources.seed import seed_resources
from tests.resources.conftest import NOW


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_demo_hub_tells_the_story_and_says_it_is_demonstration_data(ctx, make_user, make_contact, make_meeting):
    for role in ("coordinator", "manager", "partner", "activist"):
        make_user(role)
    partner = make_user("partner")
    minister = make_contact()
    make_meeting(partner, contacts=(minister,))
    kept = meetings.log_meeting(meetings.MeetingData(title="Budget talks", start_at=NOW, timezone="UTC",
                                                     attendees=[f"c:{minister.id}"]),
                                commitments=[meetings.CommitmentData(description="Fund the NAP secretariat",
                                                                     contact_id=minister.id,
                                                                     accountable_id=partner.id)],
                                actor=partner, now=NOW).commitments[0]
    meetings.change_commitment_status(kept, "kept", actor=partner, now=NOW)
    assert seed_resources_demo(NOW) == 40
    assert seed_resources_demo(NOW) == 0  # once only
    assert _count(Resource) == 40 and _count(Resource, Resource.is_demo.is_(False)) == 0
    assert _count(Resource, Resource.status == "published") >= 30
    assert {s for s in db.session.scalars(select(Resource.status).distinct())} == {"draft", "in_review", "published",
                                                                                      "retired"}
    assert len(set(db.session.scalars(select(ResourceLanguage.code).distinct()))) >= 6
    assert _count(Collection, Collection.is_demo.is_(True)) == 3
    assert {c for c in db.session.scalars(select(Collection.slug))} == {"pan-fr", "planners", "wps-money"}
    assert _count(CollectionItem) >= 15 and _count(Share) >= 1
    cited = db.session.scalars(select(CommitmentEvidence)).one()  # the kept promise points to its evidence
    assert cited.commitment_id == kept.id and db.session.get(Resource, cited.resource_id).status == "published"
    story = db.session.scalars(select(Resource).where(Resource.suggested_by_label.is_not(None))).one()
    assert story.status == "published" and story.suggested_by_label == "a grassroots activist"


def test_the_bulk_generator_writes_the_numbers_asked_for(ctx, make_user):
    written = []
    assert seed_resources(resources=900, seed=7, now=NOW, progress=written.append) == 900
    assert sum(written) == 900 and _count(Resource) == 900
    assert 0.8 < _count(Resource, Resource.status == "published") / 900 < 0.97
    assert _count(Collection) == 2 and _count(CollectionItem) == 40
    curator = make_user("manager")  # the ORM can still add rows afterwards (the sequence moved on PostgreSQL)
    later = services.create_resource(services.ResourceData(title="After the seed"), actor=curator, now=NOW)
    db.session.flush()
    assert later.id > 900
