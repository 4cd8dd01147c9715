"""Duplicates and merges: everything follows the kept record, the signal fires, the trail is complete."""
from __future__ import annotations

import json
from datetime import date, datetime, UTC

from sqlalchemy import select

from outreach.contacts import merge, services
from outreach.contacts import queries as contact_queries
from outreach.contacts.models import Contact, Relationship
from outreach.core.audit import AuditEvent
from outreach.core.db import db
from outreach.core.signals import contact_merged, organisation_merged

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def test_likely_duplicates_are_proposed(ctx):
    org = services.create_organisation({"name": "MONUSCO"}, actor=None, now=NOW)
    a = services.create_contact({"first_name": "Bintou", "last_name": "Keita", "emails": "bk@un.example"},
                                actor=None, now=NOW)
    b = services.create_contact({"first_name": "B.", "last_name": "Keïta", "emails": "BK@un.example"},
                                actor=None, now=NOW)
    c = services.create_contact({"first_name": "Jean-Pierre", "last_name": "Lacroix"}, actor=None, now=NOW)
    d = services.create_contact({"first_name": "Jean Pierre", "last_name": "Lacroix"}, actor=None, now=NOW)
    e = services.create_contact({"first_name": "Jean-Pierre", "last_name": "Lacroix"}, actor=None, now=NOW)  # elsewhere
    for person in (c, d):
        services.add_position(person, organisation=org, title="USG", start_date=None, actor=None, now=NOW)
    elsewhere = services.create_organisation({"name": "Elsewhere"}, actor=None, now=NOW)
    services.add_position(e, organisation=elsewhere, title="Adviser", start_date=None, actor=None, now=NOW)
    pairs = {(p.first.id, p.second.id): p.reason for p in merge.find_duplicate_contacts()}
    assert pairs[(a.id, b.id)] == "same e-mail address"
    assert pairs[(c.id, d.id)] == "similar names in one organisation"
    assert not any(e.id in pair for pair in pairs)


def test_merging_contacts_moves_everything_and_records_it(ctx, make_user):
    p1, p2 = make_user("partner"), make_user("partner")
    org = services.create_organisation({"name": "UNMISS"}, actor=None, now=NOW)
    keep = services.create_contact({"first_name": "Nicholas", "last_name": "Haysom", "emails": "nh@un.example",
                                    "tags": "budget", "stance": "neutral"}, actor=None, now=NOW)
    dup = services.create_contact({"first_name": "Nick", "last_name": "Haysom", "emails": "nh@un.example\nnick@x.org",
                                   "phones": "+211912345678", "tags": "mandate", "stance": "champion",
                                   "private_notes": "Met in Juba"}, actor=None, now=NOW)
    post = services.add_position(dup, organisation=org, title="SRSG", start_date=date(2021, 1, 1), actor=None, now=NOW)
    moved = services.set_relationship(dup, p1, {"kind": "met_once", "strength": 2}, actor=p1, now=NOW)
    services.set_relationship(keep, p2, {"kind": "met_once", "strength": 1}, actor=p2, now=NOW)
    stronger = services.set_relationship(dup, p2, {"kind": "knows_personally", "strength": 5}, actor=p2, now=NOW)
    heard = []
    receiver = lambda sender, **kw: heard.append(kw)  # noqa: E731
    contact_merged.connect(receiver)
    try:
        merge.merge_contacts(keep, dup, {"stance": "source", "private_notes": "source"}, actor=p1, now=NOW)
    finally:
        contact_merged.disconnect(receiver)
    ctx.expire_all()
    keep, dup = ctx.get(Contact, keep.id), ctx.get(Contact, dup.id)
    assert keep.first_name == "Nicholas" and keep.stance == "champion" and keep.private_notes == "Met in Juba"
    assert sorted(e.email for e in keep.emails) == ["nh@un.example", "nick@x.org"]
    assert [p.number for p in keep.phones] == ["+211912345678"]
    assert sorted(t.name for t in keep.tags) == ["budget", "mandate"]
    assert [p.id for p in keep.positions] == [post.id]
    rels = {r.user_id: r for r in ctx.scalars(select(Relationship).where(Relationship.contact_id == keep.id))}
    assert rels[p1.id].id == moved.id and rels[p2.id].strength == 5 and ctx.get(Relationship, stronger.id).is_archived
    assert dup.is_archived and dup.merged_into_id == keep.id
    assert heard == [{"source_id": dup.id, "target_id": keep.id, "actor": p1, "now": NOW}]
    event = ctx.scalar(select(AuditEvent).where(AuditEvent.action == "contact.merge"))
    details = json.loads(event.details)
    assert details["source_id"] == dup.id and details["target_before"]["stance"] == "neutral"
    assert details["positions"] == [post.id] and details["relationships"] == [moved.id]
    assert "nick" in keep.search_text and contact_queries.search_contacts("nick@x.org", user=p1)[0].id == keep.id


def test_merging_organisations_moves_posts_and_children(ctx):
    heard = []
    receiver = lambda sender, **kw: heard.append(kw)  # noqa: E731
    a = services.create_organisation({"name": "Department of Peace Operations", "acronym": "DPO"}, actor=None, now=NOW)
    b = services.create_organisation({"name": "Dept. of Peacekeeping Operations", "acronym": "DPKO"}, actor=None,
                                     now=NOW)
    child = services.create_organisation({"name": "MINUSCA", "parent_id": b.id}, actor=None, now=NOW)
    person = services.create_contact({"first_name": "A", "last_name": "B"}, actor=None, now=NOW)
    post = services.add_position(person, organisation=b, title="USG", start_date=None, actor=None, now=NOW)
    organisation_merged.connect(receiver)
    try:
        merge.merge_organisations(a, b, {}, actor=None, now=NOW)
    finally:
        organisation_merged.disconnect(receiver)
    assert child.parent_id == a.id and post.organisation_id == a.id and b.merged_into_id == a.id and b.is_archived
    assert heard[0]["source_id"] == b.id and heard[0]["target_id"] == a.id


def test_merge_refuses_a_record_inside_the_other(ctx):
    import pytest

    from outreach.core.auth.services import ServiceError

    parent = services.create_organisation({"name": "UN"}, actor=None, now=NOW)
    child = services.create_organisation({"name": "DPO", "parent_id": parent.id}, actor=None, now=NOW)
    with pytest.raises(ServiceError):
        merge.merge_organisations(child, parent, {}, actor=None, now=NOW)


def test_merge_through_the_pages(app, login_as, make_contact):
    c, _user = login_as("coordinator")
    keep = make_contact("Amina", "Mohammed", emails="am@un.example")
    dup = make_contact("Amina J.", "Mohammed", emails="AM@un.example")
    assert "Mohammed" in c.get("/directory/duplicates").text
    page = c.get(f"/directory/contacts/{keep.id}/merge?with={dup.id}")
    assert page.status_code == 200 and 'name="choice_first_name"' in page.text
    done = c.post(f"/directory/contacts/{keep.id}/merge", data={"with": dup.id, "choice_first_name": "source"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Contact, keep.id).first_name == "Amina J."
        assert db.session.get(Contact, dup.id).merged_into_id == keep.id
    assert "Merged into" in c.get(f"/directory/contacts/{dup.id}").text
    again = c.post(f"/directory/contacts/{keep.id}/merge", data={"with": dup.id})
    assert again.status_code == 409
    partner, _p = login_as("partner")
    assert partner.post(f"/directory/contacts/{keep.id}/merge", data={"with": dup.id}).status_code == 403
